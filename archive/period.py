"""A span of days named at a precision — a day, a week, a weekend, a month, a year, or a run of them —
and the day numbers the index sorts and ranges by.

One value type with its own arithmetic, used by date extraction, indexing, query parsing, histograms
and page URLs alike.  Its ``value`` is the ISO 8601 / TimeML name of the span ("2025-04-22",
"2025-W16", "2025-W16-WE", "2025-04", "2025", "2025-04/2025-06", "2024/2025"): the only string form,
used at the edges (JSON, URLs, the store).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

PRECISIONS = ("day", "week", "month", "year")
EPOCH = date(1970, 1, 1)

_VALUE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?|-W(\d{2})(-WE)?)?")


@dataclass(frozen=True, order=True)
class Period:
    """The days ``first`` to ``last`` (both included), named ``value`` at ``precision``."""

    first: date
    last: date
    precision: str
    value: str

    # --- the periods there are ------------------------------------------------------------

    @classmethod
    def day(cls, d: date) -> Period:
        return cls(d, d, "day", d.isoformat())

    @classmethod
    def week(cls, d: date) -> Period:
        """The ISO week (Monday to Sunday) holding ``d``."""
        year, week, _ = d.isocalendar()
        monday = d - timedelta(days=d.weekday())
        return cls(monday, monday + timedelta(days=6), "week", f"{year}-W{week:02d}")

    @classmethod
    def weekend(cls, saturday: date) -> Period:
        """The Saturday and Sunday from ``saturday`` (named as the weekend of its ISO week)."""
        year, week, _ = saturday.isocalendar()
        return cls(saturday, saturday + timedelta(days=1), "week", f"{year}-W{week:02d}-WE")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), "month", f"{year:04d}-{month:02d}")

    @classmethod
    def months(cls, year: int, month: int, count: int) -> Period:
        """``count`` months from ``month`` of ``year`` on."""
        first = date(year, month, 1)
        end = first + relativedelta(months=count - 1)
        last = cls.month(end.year, end.month).last
        return cls(first, last, "month", f"{year:04d}-{month:02d}/{end.year:04d}-{end.month:02d}")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31), "year", f"{year:04d}")

    @classmethod
    def years(cls, first: int, last: int) -> Period:
        return cls(date(first, 1, 1), date(last, 12, 31), "year", f"{first:04d}/{last:04d}")

    @classmethod
    def containing(cls, d: date, precision: str) -> Period:
        """The day, week, month or year that holds ``d``: a histogram's bucket."""
        if precision == "day":
            return cls.day(d)
        if precision == "week":
            return cls.week(d)
        if precision == "month":
            return cls.month(d.year, d.month)
        if precision == "year":
            return cls.year(d.year)
        raise ValueError(f"unknown precision {precision!r}; use one of {', '.join(PRECISIONS)}")

    @classmethod
    def parse(cls, value: str) -> Period:
        """The period a ``value`` names ("2025", "2025-04", "2025-04-22", "2025-W16", "2025-W16-WE", "a/b").

        Raises ValueError quoting the input for anything else (or a day that does not exist).
        """
        text = str(value).strip()
        if "/" in text:
            left, _, right = text.partition("/")
            a, b = cls.parse(left), cls.parse(right)
            if a.first > b.last:
                raise ValueError(f"not a period: {value!r} (it ends before it starts)")
            return cls(a.first, b.last, a.precision, f"{a.value}/{b.value}")
        match = _VALUE.fullmatch(text)
        if not match:
            raise ValueError(f"not a period: {value!r}")
        year, month, day, week, weekend = match.groups()
        try:
            if week:
                monday = date.fromisocalendar(int(year), int(week), 1)
                return cls.weekend(monday + timedelta(days=5)) if weekend else cls.week(monday)
            if day:
                return cls.day(date(int(year), int(month), int(day)))
            if month:
                return cls.month(int(year), int(month))
            return cls.year(int(year))
        except ValueError:
            raise ValueError(f"not a period: {value!r}") from None

    # --- arithmetic -------------------------------------------------------------------------

    @property
    def days(self) -> tuple[int, int]:
        """First and last day numbers (see ``day_number``)."""
        return (self.first - EPOCH).days, (self.last - EPOCH).days

    def __contains__(self, d: date) -> bool:
        return self.first <= d <= self.last

    def __str__(self) -> str:
        return self.value


def first_day(value: str | date | None) -> date | None:
    """The first day of a date or a period's value ("2025-04" → April 1st), else None."""
    if value is None or isinstance(value, date):
        return value
    text = str(value)
    if len(text) > 10 and text[10] in "T ":  # a date and time: its day
        text = text[:10]
    try:
        return Period.parse(text).first
    except ValueError:
        return None


def day_number(value: str | date | None) -> int | None:
    """Days since 1970-01-01 of a date (or a period's first day), else None: what the index sorts by."""
    day = first_day(value)
    return None if day is None else (day - EPOCH).days


def day_to_date(number: int) -> date:
    return EPOCH + timedelta(days=number)
