"""What a search asks: one frozen ``SearchRequest``, validated once, used by the site, the API, the CLI,
the feeds and every search backend alike.

The limits live here and nowhere else; the web layer only turns strings into types (a page number,
a date) and hands them over.  A request that breaks a limit raises ``SearchError`` naming the
parameter, which the site and API show as a 400 pointing at it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from archive.model import CONFIDENCE_BANDS

MAX_PER_PAGE = 100
MAX_DEPTH = 10_000  # results reachable by paging; exports have no such limit
MAX_PAGE = MAX_DEPTH
MAX_FACET_VALUES = 100  # values of one facet in a search's answer
MAX_FILTER_VALUES = 50  # values over all filters of one request
MAX_VALUES_PER_FILTER = 20
MAX_VALUE_CHARS = 200
MAX_QUERY_CHARS = 500
MAX_CURSOR_CHARS = 200
SORTS = ("relevance", "newest", "oldest")
HISTOGRAM_STEPS = ("day", "week", "month", "year")
TARGETS = ("statements", "articles")

# Facet names users see, per target (each backend maps them onto its own fields).
TARGET_FACETS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "statements": ("speaker", "kind", "type", "source", "place", "country", "topic", "channel", "direct", "confidence"),
        "articles": ("speaker", "source", "place", "country", "topic"),
    }
)
FACETS = TARGET_FACETS["statements"]
BOOLEAN_FILTERS: Mapping[str, tuple[str, ...]] = MappingProxyType({"direct": ("true", "false")})
# Filters whose values are a closed list: anything else is a mistake worth a 400, not an empty page.
CLOSED_FILTERS: Mapping[str, tuple[str, ...]] = MappingProxyType({**BOOLEAN_FILTERS, "confidence": CONFIDENCE_BANDS})
DEFAULT_FACETS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"statements": ("speaker", "kind", "place", "topic", "source"), "articles": ("speaker", "place", "topic", "source")}
)


class SearchError(ValueError):
    """A request we cannot answer as asked (bad paging, unknown facet…); the message says why.

    ``parameter`` names the request parameter at fault, where there is one.
    """

    def __init__(self, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


def _frozen_filters(filters: Mapping[str, Sequence[str]] | None) -> Mapping[str, tuple[str, ...]]:
    """Filters with empty ones dropped and each value once, in the order given."""
    return MappingProxyType({name: tuple(dict.fromkeys(values)) for name, values in (filters or {}).items() if values})


@dataclass(frozen=True)
class SearchRequest:
    """One search: words, filters and what to return.  Built valid or not at all."""

    text: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    facets: tuple[str, ...] = ()
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    cursor: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    histogram: str | None = None
    facet_limit: int = 10
    target: str = "statements"

    def __post_init__(self) -> None:
        object.__setattr__(self, "filters", _frozen_filters(self.filters))
        object.__setattr__(self, "facets", tuple(self.facets))
        self._check()

    def _check(self) -> None:
        if self.target not in TARGETS:
            raise SearchError(f"target must be one of {', '.join(TARGETS)}", "target")
        if len(self.text) > MAX_QUERY_CHARS:
            raise SearchError(f"q is too long: at most {MAX_QUERY_CHARS} characters", "q")
        if self.sort not in SORTS:
            raise SearchError(f"sort must be one of {', '.join(SORTS)}", "sort")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise SearchError(f"per_page must be between 1 and {MAX_PER_PAGE}", "per_page")
        if not 1 <= self.page <= MAX_PAGE:
            raise SearchError(f"page must be between 1 and {MAX_PAGE:,}", "page")
        if self.histogram is not None and self.histogram not in HISTOGRAM_STEPS:
            raise SearchError(f"histogram must be one of {', '.join(HISTOGRAM_STEPS)}", "histogram")
        if not 1 <= self.facet_limit <= MAX_FACET_VALUES:
            raise SearchError(f"facet_limit must be between 1 and {MAX_FACET_VALUES}", "facet_limit")
        if self.cursor is not None and len(self.cursor) > MAX_CURSOR_CHARS:
            raise SearchError("invalid cursor: use the next_cursor of a previous page", "cursor")
        known = TARGET_FACETS[self.target]
        if len(self.facets) > len(known):
            raise SearchError(f"too many facets: at most {len(known)}", "facets")
        for name in self.facets:
            if name not in known:
                raise SearchError(f"unknown facet {name[:40]!r}; facets are {', '.join(known)}", "facets")
        for name, values in self.filters.items():
            if name not in known:
                raise SearchError(f"unknown facet {name[:40]!r}; facets are {', '.join(known)}", name)
            if len(values) > MAX_VALUES_PER_FILTER:
                raise SearchError(f"at most {MAX_VALUES_PER_FILTER} values of {name}", name)
            if any(len(v) > MAX_VALUE_CHARS for v in values):
                raise SearchError(f"a value of {name} is too long: at most {MAX_VALUE_CHARS} characters", name)
            allowed = CLOSED_FILTERS.get(name)
            if allowed and any(v not in allowed for v in values):
                raise SearchError(f"{name} must be {' or '.join(allowed)}", name)
        if sum(len(v) for v in self.filters.values()) > MAX_FILTER_VALUES:
            raise SearchError(f"too many filter values (at most {MAX_FILTER_VALUES})")

    @property
    def offset(self) -> int:
        """Where the page starts: from the cursor when there is one, else from the page number."""
        offset = decode_cursor(self.cursor, self.key) if self.cursor else (self.page - 1) * self.per_page
        if offset + self.per_page > MAX_DEPTH:
            raise SearchError(f"results are available to a depth of {MAX_DEPTH:,}: narrow the query instead of paging further", "page")
        return offset

    @property
    def key(self) -> str:
        """What makes two requests the same list of results (paging and facets aside): cursors carry it."""
        blob = json.dumps([self.text, sorted((k, sorted(v)) for k, v in self.filters.items()), self.sort, self.target])
        return hashlib.sha1(blob.encode("utf-8")).hexdigest()[:12]

    def next_cursor(self, total: int) -> str | None:
        """The cursor of the page after this one, or None on the last reachable page."""
        after = self.offset + self.per_page
        return encode_cursor(after, self.key) if after < min(total, MAX_DEPTH) else None

    def ordered_for(self, has_words: bool) -> SearchRequest:
        """With no words to rank by, "relevance" is ingest order: such a search lists the newest first
        (every engine applies this one rule)."""
        return self if has_words or self.sort != "relevance" else self.replace(sort="newest")

    def replace(self, **changes) -> SearchRequest:
        """This request with some parameters changed (validated again)."""
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        values.update(changes)
        return SearchRequest(**values)


# A cursor carries no secret: a position and the key of its query, which refuses it for any other
# query.  itsdangerous would sign it with a secret key that a read-only site has no use for.
def encode_cursor(offset: int, key: str) -> str:
    raw = json.dumps({"o": offset, "k": key}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode("ascii")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, key: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii") + b"=="))
        offset, cursor_key = int(data["o"]), data["k"]
    except (ValueError, KeyError, TypeError, UnicodeError):
        raise SearchError("invalid cursor: use the next_cursor of a previous page", "cursor") from None
    if cursor_key != key or offset < 0:
        raise SearchError("this cursor belongs to another query: start again from the first page", "cursor")
    return offset
