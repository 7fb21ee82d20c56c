"""The one place a date written by someone else becomes a ``datetime.date``."""

from __future__ import annotations

import re
import warnings
from datetime import date, datetime

from dateutil import parser as dateutil_parser

_EARLIEST = date(1800, 1, 1)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(value: str | date | datetime, *, dayfirst: bool = False) -> date:
    """Parse an absolute date in any common form ("2025-04-22", "April 22, 2025", RFC 822, ISO datetimes).

    Raises ValueError quoting the input when it is not a complete, plausible date.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text or len(text) > 100:
        raise ValueError(f"not a date: {value!r}")
    if not dayfirst and _ISO_DAY.fullmatch(text):  # front matter's usual form: dateutil reads it the same, far slower
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not a date: {value!r}") from None
        return _plausible(parsed, value)
    try:
        with warnings.catch_warnings():
            # Only the calendar date is kept, in the writer's own zone, so an unknown zone name is harmless.
            warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
            parsed = dateutil_parser.parse(text, dayfirst=dayfirst, default=datetime(1, 1, 1))
    except (ValueError, OverflowError, TypeError) as error:
        raise ValueError(f"not a date: {value!r}") from error
    return _plausible(parsed, value)


def _plausible(parsed: datetime, value: object) -> date:
    if parsed.year == 1 or parsed.date() < _EARLIEST or parsed.year > 2200:
        raise ValueError(f"not a date: {value!r}")
    return parsed.date()
