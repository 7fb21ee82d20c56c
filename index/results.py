"""What a search answers: plain frozen dataclasses, the same from every backend.

The index computes hits, counts and buckets; the web layer adds URLs (a facet value's toggle link,
a bucket's date range) when it renders them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from archive.model import Statement
from index.names import NameSuggestion
from index.request import MAX_DEPTH, SearchRequest


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass(frozen=True)
class Facet:
    name: str
    values: tuple[FacetValue, ...]
    other: int = 0  # values beyond those listed


@dataclass(frozen=True)
class Bucket:
    start: str  # ISO date of the bucket's first day
    count: int
    span: str | None = None  # "month" or "year": statements dated only that precisely, coarser than the step


@dataclass(frozen=True)
class Hit:
    id: str
    article_id: str
    score: float | None
    statement: Statement
    title: str | None
    published: date | None
    source: str | None
    url: str | None
    quote_html: str  # escaped, with <mark> around matched words
    context_html: str | None

    @classmethod
    def stored(
        cls, statement_id: str, statement: Statement, meta: Mapping[str, Any], score: float | None, quote_html: str, context_html: str | None = None
    ) -> Hit:
        """A hit from a statement as the store gives it back, with its article's metadata (``Store.statements_by_id``)."""
        return cls(statement_id, meta["article_id"], score, statement, meta["title"], meta["published"], meta["source"], meta["url"], quote_html, context_html)


@dataclass(frozen=True)
class ArticleHit:
    id: str
    score: float | None
    title: str | None
    published: date | None
    source: str | None
    url: str | None
    statements: int
    snippet_html: str  # escaped, with <mark> around matched words


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: tuple[Hit, ...] | tuple[ArticleHit, ...]
    total: int
    page: int
    per_page: int
    sort: str
    facets: tuple[Facet, ...] = ()
    histogram: tuple[Bucket, ...] = ()
    next_cursor: str | None = None
    suggestion: str | None = None
    took_ms: float = 0.0
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # as resolved: "peskov" → ("Dmitry Peskov",)
    target: str = "statements"
    notices: tuple[str, ...] = ()  # how the query was read, where it differs from what was typed
    names: tuple[NameSuggestion, ...] = ()  # the archive's names a word may have meant (with no hits)

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, MAX_DEPTH) // self.per_page))

    @classmethod
    def empty(cls, request: SearchRequest, filters: Mapping[str, tuple[str, ...]], notices: tuple[str, ...] = ()) -> SearchResults:
        """What a search finds when nothing can match (an empty archive, a query of stop words): every list empty."""
        return cls(
            request.text,
            (),
            0,
            request.offset // request.per_page + 1,
            request.per_page,
            request.sort,
            facets=tuple(Facet(name, ()) for name in request.facets),
            filters=filters,
            target=request.target,
            notices=notices,
        )


@dataclass
class MatchOrder:
    """The statement ids a search matches, in its order, produced lazily; ``total`` is known up front."""

    total: int
    ids: Iterator[tuple[str, float | None]]  # (statement id, relevance score or None)
