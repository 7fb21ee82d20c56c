"""Query-string parameters to a ``SearchRequest``: one reading for the pages, the API, feeds and exports.

Only types are read here (whole numbers, dates); every search limit is checked once, by
``SearchRequest`` itself, and its errors come back as ``ParamError`` naming the parameter.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict

from archive.dateparse import parse_date
from archive.period import Period
from index.request import DEFAULT_FACETS, FACETS, SearchError, SearchRequest

# ASCII digits only: str.isdigit() and int() also take "²", "①" or "٣", which then fail or surprise.
_WHOLE = re.compile(r"[0-9]{1,9}")
_ISO_PERIOD = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")
MAX_PREFIX = 100


class ParamError(ValueError):
    """A request parameter we cannot use; ``name`` is the parameter."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def whole_number(args: MultiDict, name: str, default: int, lo: int | None = None, hi: int | None = None) -> int:
    """A whole-number parameter written in ASCII digits (within [lo, hi] when given); ``default`` when absent."""
    raw = args.get(name)
    if raw in (None, ""):
        return default
    if not _WHOLE.fullmatch(raw):
        raise ParamError(name, f"{name} must be a whole number written with the digits 0-9, got {raw[:40]!r}")
    value = int(raw)
    if lo is not None and hi is not None and not lo <= value <= hi:
        raise ParamError(name, f"{name} must be between {lo} and {hi:,}")
    return value


def search_date(raw: str) -> date:
    """A search bound: YYYY-MM-DD (or YYYY-MM, YYYY: their first day), years 0001-9999, the same rule
    as the query language's ``date:``; or a written date such as "April 22, 2025".  Raises ValueError."""
    text = raw.strip()
    if _ISO_PERIOD.fullmatch(text):
        return Period.parse(text).first
    return parse_date(text)


def _date(args: MultiDict, name: str) -> date | None:
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


def search_request(args: MultiDict, **overrides: Any) -> SearchRequest:
    """The ``SearchRequest`` that query-string parameters ask for (``overrides`` fixed by the page)."""
    target = args.get("target") or "statements"
    facets_raw = args.get("facets")
    if facets_raw is None:
        facets = DEFAULT_FACETS.get(target, ())
    else:
        facets = tuple(f for f in facets_raw.split(",") if f)
    values: dict[str, Any] = {
        "text": args.get("q", ""),
        "filters": {name: [v for v in args.getlist(name) if v.strip()] for name in FACETS},
        "facets": facets,
        "sort": args.get("sort") or "relevance",
        "page": whole_number(args, "page", 1),
        "per_page": whole_number(args, "per_page", 20),
        "cursor": args.get("cursor") or None,
        "date_from": _date(args, "from"),
        "date_to": _date(args, "to"),
        "histogram": args.get("histogram") or None,
        "facet_limit": whole_number(args, "facet_limit", 10),
        "target": target,
    }
    values.update(overrides)
    try:
        return SearchRequest(**values)
    except SearchError as error:
        raise ParamError(error.parameter or "q", str(error)) from None
