"""Search results as JSON-ready dicts: one shape for the API and `parley search --json`."""

from __future__ import annotations

from typing import Any

from index.search import ArticleHit, Facet, Hit, SearchPage


def hit_as_dict(hit: Hit | ArticleHit) -> dict[str, Any]:
    if isinstance(hit, ArticleHit):
        return {
            "id": hit.id,
            "score": hit.score,
            "article": {"title": hit.title, "published": hit.published, "source": hit.source, "url": hit.url},
            "statements": hit.statements,
            "highlight": hit.snippet_html,
        }
    return {
        "id": hit.id,
        "article_id": hit.article_id,
        "score": hit.score,
        "statement": hit.statement.as_dict(),
        "article": {"title": hit.title, "published": hit.published, "source": hit.source, "url": hit.url},
        "highlight": hit.quote_html,
        "context_highlight": hit.context_html,
    }


def facet_as_dict(facet: Facet) -> dict[str, Any]:
    return {
        "name": facet.name,
        "values": [{"value": v.value, "label": v.label, "count": v.count, "selected": v.selected} for v in facet.values],
        "other": facet.other,
    }


def page_as_dict(page: SearchPage) -> dict[str, Any]:
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
        "facets": [facet_as_dict(f) for f in page.facets],
        "histogram": [{"start": b.start, "count": b.count, **({"span": b.span} if b.span else {})} for b in page.histogram],
    }
