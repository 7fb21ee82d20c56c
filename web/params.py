"""Request parameters to search arguments, checked and bounded: one reading for pages and API."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict

from archive.dateparse import parse_date
from index.search import FACET_FIELDS, HISTOGRAM_STEPS, MAX_PER_PAGE, SORTS, TARGETS

MAX_Q = 500
DEFAULT_FACETS = {"statements": ("speaker", "kind", "place", "topic", "source"), "articles": ("speaker", "place", "topic", "source")}


class ParamError(ValueError):
    """A request parameter we cannot use; ``name`` is the parameter."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


# ASCII digits only: str.isdigit() and int() also take "²", "①" or "٣", which then fail or surprise.
_WHOLE = re.compile(r"[0-9]{1,9}")
# Search dates follow the query language's date: rule: YYYY, YYYY-MM or YYYY-MM-DD, years 0001-9999.
_ISO_DAY = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
MAX_PREFIX = 100
BOOLEAN_FILTERS = {"direct": ("true", "false")}


def whole_number(args: MultiDict, name: str, default: int, lo: int, hi: int) -> int:
    """A whole-number parameter in [lo, hi], written in ASCII digits; ``default`` when absent."""
    raw = args.get(name)
    if raw in (None, ""):
        return default
    if not _WHOLE.fullmatch(raw):
        raise ParamError(name, f"{name} must be a whole number written with the digits 0-9, got {raw[:40]!r}")
    value = int(raw)
    if not lo <= value <= hi:
        raise ParamError(name, f"{name} must be between {lo} and {hi:,}")
    return value


_int = whole_number


def search_date(raw: str) -> date:
    """A search bound: YYYY-MM-DD (or YYYY-MM, YYYY: their first day), years 0001-9999, or a written
    date such as "April 22, 2025".  Raises ValueError."""
    match = _ISO_DAY.fullmatch(raw.strip())
    if match:
        year, month, day = (int(part) if part else 1 for part in match.groups())
        if year == 0:
            raise ValueError(f"year 0000 is not a year: {raw!r}")
        return date(year, month, day)
    return parse_date(raw)


def _date(args: MultiDict, name: str):
    raw = args.get(name)
    if not raw:
        return None
    try:
        return search_date(raw[:40])
    except ValueError:
        raise ParamError(name, f"{name} must be a date such as 2025-04-22 (years 0001-9999), got {raw[:40]!r}") from None


def prefix_arg(args: MultiDict) -> str:
    prefix = args.get("prefix", "")
    if len(prefix) > MAX_PREFIX:
        raise ParamError("prefix", f"prefix is too long: at most {MAX_PREFIX} characters")
    return prefix


def search_args(args: MultiDict) -> dict[str, Any]:
    """Keyword arguments for ``SearchIndex.search`` from query-string parameters."""
    text = args.get("q", "")
    if len(text) > MAX_Q:
        raise ParamError("q", f"q is too long: at most {MAX_Q} characters")
    sort = args.get("sort") or "relevance"
    if sort not in SORTS:
        raise ParamError("sort", f"sort must be one of {', '.join(SORTS)}")
    histogram = args.get("histogram") or None
    if histogram is not None and histogram not in HISTOGRAM_STEPS:
        raise ParamError("histogram", f"histogram must be one of {', '.join(HISTOGRAM_STEPS)}")
    filters = {}
    for name in FACET_FIELDS:
        values = [v[:200] for v in args.getlist(name) if v.strip()]
        if len(values) > 20:
            raise ParamError(name, f"at most 20 values of {name}")
        allowed = BOOLEAN_FILTERS.get(name)
        if allowed and any(v not in allowed for v in values):
            raise ParamError(name, f"{name} must be {' or '.join(allowed)}")
        if values:
            filters[name] = values
    target = args.get("target") or "statements"
    if target not in TARGETS:
        raise ParamError("target", f"target must be one of {', '.join(TARGETS)}")
    facets_raw = args.get("facets")
    facets = DEFAULT_FACETS[target] if facets_raw is None else tuple(f for f in facets_raw.split(",") if f)
    for facet in facets:
        if facet not in FACET_FIELDS:
            raise ParamError("facets", f"unknown facet {facet[:40]!r}; facets are {', '.join(FACET_FIELDS)}")
    return {
        "text": text,
        "filters": filters,
        "facets": facets,
        "sort": sort,
        "page": _int(args, "page", 1, 1, 10_000),
        "per_page": _int(args, "per_page", 20, 1, MAX_PER_PAGE),
        "cursor": (args.get("cursor") or None) and args.get("cursor")[:200],
        "date_from": _date(args, "from"),
        "date_to": _date(args, "to"),
        "histogram": histogram,
        "facet_limit": _int(args, "facet_limit", 10, 1, 100),
        "target": target,
    }
