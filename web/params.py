"""Request parameters to search arguments, checked and bounded: one reading for pages and API."""

from __future__ import annotations

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


def _int(args: MultiDict, name: str, default: int, lo: int, hi: int) -> int:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ParamError(name, f"{name} must be a whole number, got {raw[:40]!r}") from None
    if not lo <= value <= hi:
        raise ParamError(name, f"{name} must be between {lo} and {hi:,}")
    return value


def _date(args: MultiDict, name: str):
    raw = args.get(name)
    if not raw:
        return None
    try:
        return parse_date(raw[:40])
    except ValueError:
        raise ParamError(name, f"{name} must be a date such as 2025-04-22, got {raw[:40]!r}") from None


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
