"""The JSON API: one envelope for results, one shape for every error."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from flask import Blueprint, jsonify, request

from index.request import SearchRequest
from web.archive_access import search_index, store
from web.errors import error_body
from web.pages import toggle_url
from web.params import prefix_arg, search_request, whole_number
from web.serialize import facet_as_dict, hit_as_dict, page_as_dict, statement_as_dict

bp = Blueprint("api", __name__)


def envelope(data: Any, status: int = 200, **meta: Any):
    return jsonify({"ok": True, "data": data, **meta}), status


@bp.get("/")
def root():
    return envelope(
        {
            "endpoints": {
                "/api/v1/search": "statements: q, speaker, kind, place, topic, source, country, type, channel, direct, confidence, from, to, sort, page, per_page, cursor, facets, histogram",
                "/api/v1/facets/<name>": "values of one facet, by prefix, within a query (typeahead)",
                "/api/v1/statements/<id>": "one statement",
                "/api/v1/statements/<id>/similar": "statements like this one",
                "/api/v1/articles/<id>": "one article with everything extracted from it",
                "/api/v1/speakers": "every speaker with a count (prefix=, limit=)",
                "/api/v1/speakers/<name>": "one speaker by any spelling: names, roles, kinds, topics, places, latest statements",
                "/api/v1/places": "every place with a count (prefix=, limit=)",
                "/api/v1/topics": "every topic with a count",
                "/api/v1/stats": "counts",
                "/api/v1/export": "every match of a search (no depth limit) as CSV or NDJSON: format=csv|ndjson and the search parameters",
                "/api/v1/openapi.json": "this API described in OpenAPI 3.0",
            }
        }
    )


@bp.get("/search")
def search():
    page = search_index().search(search_request(request.args))
    return envelope(page_as_dict(page, _toggle))


def _toggle(name: str, value: str) -> str:
    return toggle_url(request.args, name, value, endpoint="api.search")


@bp.get("/facets/<name>")
def facet(name: str):
    search = search_request(request.args)
    result = search_index().facet_values(name, search, prefix=prefix_arg(request.args), limit=min(search.facet_limit, 50))
    return envelope(facet_as_dict(result))


@bp.get("/statements/<statement_id>")
def statement(statement_id: str):
    found = store().statements_by_id([statement_id[:100]])
    if statement_id not in found:
        return error_body(404, f"no statement with id {statement_id[:40]!r}")
    statement, meta = found[statement_id]
    return envelope(
        {"id": statement_id, "statement": statement_as_dict(statement), "article": {**meta, "published": meta["published"] and meta["published"].isoformat()}}
    )


@bp.get("/statements/<statement_id>/similar")
def similar(statement_id: str):
    if statement_id not in store().statements_by_id([statement_id[:100]]):
        return error_body(404, f"no statement with id {statement_id[:40]!r}")
    hits = search_index().more_like(statement_id[:100])
    return envelope([hit_as_dict(h) for h in hits])


@bp.get("/speakers")
def speakers():
    return _listing("speaker")


@bp.get("/places")
def places():
    return _listing("place")


@bp.get("/topics")
def topics():
    return _listing("topic")


def _listing(facet: str):
    """Every speaker (place, topic) with its statement count, most first; ``prefix`` narrows by any word."""
    limit = whole_number(request.args, "limit", 100, 1, 1000)
    result = search_index().facet_values(facet, SearchRequest(), prefix=prefix_arg(request.args), limit=limit)
    return envelope(facet_as_dict(result))


@bp.get("/speakers/<path:name>")
def speaker(name: str):
    """One speaker, found by any spelling: the names and roles seen, and what they said, by kind and topic."""
    from archive.model import name_key

    name = name[:200]
    archive = store()
    book = getattr(search_index(), "names", None)
    if book is not None:  # a surname alone or a variant: the one speaker it means, as the filters resolve it
        found = book().profile("speaker", name)
        if len(found) > 1:
            return error_body(404, f"{name[:40]!r} names several speakers: {', '.join(found[:10])}", choices=list(found))
        name = found[0] if found else name
    names = [n for n in archive.speaker_names() if name_key(n) == name_key(name)]
    if not names:
        near = [n.label for n in book().suggest(name)] if book is not None else []
        return error_body(404, f"no speaker {name[:40]!r}" + (f"; did you mean {', '.join(near)}?" if near else ""))
    page = search_index().search(SearchRequest(filters={"speaker": [name]}, facets=("kind", "topic", "place"), histogram="month", sort="newest", per_page=10))
    profile = archive.speaker_profile(names)
    return envelope(
        {
            "id": name_key(name),
            "name": search_index().speaker_labels().get(name_key(name), names[0]),
            **profile,
            "facets": [facet_as_dict(f) for f in page.facets],
            "histogram": [{"start": b.start, "count": b.count, "span": b.span} for b in page.histogram],
            "latest": [hit_as_dict(h) for h in page.hits],
        }
    )


@bp.get("/stats")
def stats():
    numbers = store().stats()
    numbers.pop("path", None)
    return envelope(numbers)


@bp.get("/articles/<article_id>")
def article(article_id: str):
    extraction = store().get(article_id[:100])
    if extraction is None:
        return error_body(404, f"no article with id {article_id[:40]!r}")
    data = extraction.as_dict()
    # The file it was read from, by name only: the server's folders are nobody's business.
    data["article"]["path"] = PurePath(extraction.article.path).name if extraction.article.path else None
    data["statements"] = [statement_as_dict(s) for s in extraction.statements]
    return envelope(data)
