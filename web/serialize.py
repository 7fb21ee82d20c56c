"""Search results as JSON-ready dicts: one shape for the API and `parley search --json`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from archive.model import Statement
from index.results import ArticleHit, Facet, Hit, SearchResults


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def statement_as_dict(statement: Statement) -> dict[str, Any]:
    """A statement as stored, with its confidence band (the value the ``confidence`` filter takes)."""
    return {**statement.as_dict(), "confidence_band": statement.confidence_band}


def hit_as_dict(hit: Hit | ArticleHit) -> dict[str, Any]:
    if isinstance(hit, ArticleHit):
        return {
            "id": hit.id,
            "score": hit.score,
            "article": {"title": hit.title, "published": _iso(hit.published), "source": hit.source, "url": hit.url},
            "statements": hit.statements,
            "highlight": hit.snippet_html,
        }
    return {
        "id": hit.id,
        "article_id": hit.article_id,
        "score": hit.score,
        "statement": statement_as_dict(hit.statement),
        "article": {"title": hit.title, "published": _iso(hit.published), "source": hit.source, "url": hit.url},
        "highlight": hit.quote_html,
        "context_highlight": hit.context_html,
    }


# (facet name, value as a filter takes it) -> the URL of the same search with that value toggled
Toggle = Callable[[str, str], str]


def facet_as_dict(facet: Facet, toggle: Toggle | None = None) -> dict[str, Any]:
    """A facet's values; with ``toggle``, each carries the URL that adds or removes it (as Datasette's do)."""
    values = []
    for v in facet.values:
        value = {"value": v.value, "label": v.label, "count": v.count, "selected": v.selected}
        if toggle is not None:
            value["toggle_url"] = toggle(facet.name, v.label if facet.name == "speaker" else v.value)
        values.append(value)
    return {"name": facet.name, "values": values, "other": facet.other}


def page_as_dict(page: SearchResults, toggle: Toggle | None = None) -> dict[str, Any]:
    return {
        "query": page.query,
        "target": page.target,
        "filters": {k: list(v) for k, v in page.filters.items()},
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
        "sort": page.sort,
        "next_cursor": page.next_cursor,
        "suggestion": page.suggestion,
        "took_ms": page.took_ms,
        "hits": [hit_as_dict(h) for h in page.hits],
        "facets": [facet_as_dict(f, toggle) for f in page.facets],
        "histogram": [{"start": b.start, "count": b.count, "span": b.span} for b in page.histogram],
        "notices": list(page.notices),
        "names": [{"word": n.word, "facet": n.facet, "value": n.value, "label": n.label} for n in page.names],
    }
