"""Query-string parameters to a ``SearchRequest``: one reading for the pages, the API, feeds and exports."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.datastructures import MultiDict

from archive.dateparse import parse_date
from index.request import DEFAULT_FACETS, FACETS, SearchError, SearchRequest


class ParamError(ValueError):
    """A request parameter we cannot use; ``name`` is the parameter."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def _int(args: MultiDict, name: str, default: int) -> int:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw):
        raise ParamError(name, f"{name} must be a whole number, got {raw[:40]!r}")
    return int(raw)


def _date(args: MultiDict, name: str):
    raw = args.get(name)
    if not raw:
        return None
    try:
        return parse_date(raw[:40])
    except ValueError:
        raise ParamError(name, f"{name} must be a date such as 2025-04-22, got {raw[:40]!r}") from None


def search_request(args: MultiDict, **overrides: Any) -> SearchRequest:
    """The ``SearchRequest`` that query-string parameters ask for (``overrides`` fixed by the page).

    Only types are read here; every limit is checked once, by ``SearchRequest`` itself.
    """
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
        "page": _int(args, "page", 1),
        "per_page": _int(args, "per_page", 20),
        "cursor": args.get("cursor") or None,
        "date_from": _date(args, "from"),
        "date_to": _date(args, "to"),
        "histogram": args.get("histogram") or None,
        "facet_limit": _int(args, "facet_limit", 10),
        "target": target,
    }
    values.update(overrides)
    try:
        return SearchRequest(**values)
    except SearchError as error:
        raise ParamError(error.parameter or "q", str(error)) from None
