"""``/api/v1/openapi.json``: the API described in OpenAPI 3.0, built from the same constants the API checks.

Its length is the API described as data: every operation, parameter and schema in one document, so a test can compare it with the real answers.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

from flask import Blueprint, Flask, jsonify

from archive.model import CONFIDENCE_BANDS
from index.request import CLOSED_FILTERS, FACETS, HISTOGRAM_STEPS, MAX_DEPTH, MAX_PER_PAGE, MAX_QUERY_CHARS, SORTS, TARGETS
from web.export import CSV_COLUMNS, FORMATS
from web.params import MAX_PREFIX

bp = Blueprint("openapi", __name__)

REF = "#/components/schemas/"
ERRORS = {
    400: "a parameter or query we cannot use; `parameter` names it (and `position` points into `q`)",
    404: "no such statement, article or endpoint",
    412: "an If-Match names another copy than the current one",
    413: "the request carries a body larger than the limit (the API takes none)",
    429: "too many exports are running at once: try again after `Retry-After` seconds",
    503: "the search index is missing, being rebuilt or damaged (run `parley reindex`), or the query ran past its time budget: try again after `Retry-After` seconds",
}
DATE_RULE = "YYYY-MM-DD (or YYYY-MM, YYYY: the first day), years 0001-9999, the same rule as the query's date:"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF + name}


def _nullable(kind: str, **more: Any) -> dict[str, Any]:
    return {"type": kind, "nullable": True, **more}


def _object(properties: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties), **more}


def _envelope(data: dict[str, Any]) -> dict[str, Any]:
    return {"allOf": [_ref("Envelope"), _object({"data": data})]}


def _ok(description: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {"ETag": {"$ref": "#/components/headers/ETag"}, "Last-Modified": {"$ref": "#/components/headers/LastModified"}},
        "content": {"application/json": {"schema": _envelope(data)}},
    }


def _responses(ok: dict[str, Any], *errors: int) -> dict[str, Any]:
    answers = {"200": ok, "304": {"$ref": "#/components/responses/NotModified"}}
    for status in (*errors, 412, 413, 503):  # any answer may be a 503 while the index cannot be read
        answers[str(status)] = {"$ref": f"#/components/responses/E{status}"}
    return answers


def _query(name: str, schema: dict[str, Any], description: str, **more: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description, **more}


def _path(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema or {"type": "string", "maxLength": 100}, "description": description}


FILTERS = {
    "speaker": "speaker name: any spelling, or a surname alone (every speaker whose name holds those words)",
    "kind": "statement kind, e.g. warning, denial",
    "place": "place name",
    "topic": "topic, e.g. ceasefire",
    "source": "source name",
    "country": "ISO country code of a place",
    "channel": "channel the statement came through, e.g. Interfax",
    "type": "speaker type: person, organization, group, unknown",
    "direct": "true for direct quotes, false for reported speech",
    "confidence": "confidence band of the attribution: high (0.8 or more: about 98% right on the test sets), medium (0.6 to 0.8: about 80%), low (below 0.6: mostly wrong)",
}


def _filter_values(name: str, values: dict[str, Any]) -> dict[str, Any]:
    if name in CLOSED_FILTERS:
        return {**values, "items": {"type": "string", "enum": list(CLOSED_FILTERS[name])}}
    return values


def search_parameters(paging: bool = True) -> list[dict[str, Any]]:
    """The parameters of a search, as ``web.params.search_request`` reads them."""
    values = {"type": "array", "items": {"type": "string", "maxLength": 200}, "maxItems": 20}
    found = [
        _query("q", {"type": "string", "maxLength": MAX_QUERY_CHARS}, 'query: words, "phrases", AND/OR/NOT, field:value, date:2025-04'),
        *(
            _query(
                name, _filter_values(name, values), f"filter on {FILTERS.get(name, name)} (repeat for several values: any of them)", style="form", explode=True
            )
            for name in FACETS
        ),
        _query("from", {"type": "string", "format": "date"}, f"statements dated on or after this day: {DATE_RULE}"),
        _query("to", {"type": "string", "format": "date"}, f"statements dated on or before this day: {DATE_RULE}"),
        _query("sort", {"type": "string", "enum": list(SORTS), "default": "relevance"}, "order of the results"),
        _query("target", {"type": "string", "enum": list(TARGETS), "default": "statements"}, "search statements or whole articles"),
    ]
    if paging:
        found += [
            _query(
                "page", {"type": "integer", "minimum": 1, "maximum": 10_000, "default": 1}, f"page number (results go {MAX_DEPTH:,} deep: use export for more)"
            ),
            _query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20}, "results per page"),
            _query("cursor", {"type": "string", "maxLength": 200}, "next_cursor of the previous page (instead of page)"),
            _query("facets", {"type": "string"}, f"comma-separated facets to count, from {', '.join(FACETS)}; empty for none"),
            _query("facet_limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}, "values listed per facet"),
            _query("histogram", {"type": "string", "enum": list(HISTOGRAM_STEPS)}, "count matches per day, week, month or year"),
        ]
    return found


def schemas() -> dict[str, Any]:
    string, integer, boolean = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
    return {
        "Envelope": {"type": "object", "properties": {"ok": {"type": "boolean", "enum": [True]}, "data": {}}, "required": ["ok", "data"]},
        "Error": _object(
            {
                "ok": {"type": "boolean", "enum": [False]},
                "error": {
                    "type": "object",
                    "properties": {
                        "status": integer,
                        "message": string,
                        "parameter": {**string, "description": "the request parameter at fault (400 only)"},
                        "position": {**integer, "nullable": True, "description": "offset in q of a syntax error"},
                    },
                    "required": ["status", "message"],
                    "additionalProperties": True,
                },
            }
        ),
        "Speaker": _object(
            {
                "name": string,
                "type": string,
                "role": _nullable("string"),
                "mention": _nullable("string"),
                "start": _nullable("integer"),
                "end": _nullable("integer"),
            }
        ),
        "StatementDate": _object(
            {"value": _nullable("string"), "start": _nullable("string"), "end": _nullable("string"), "precision": _nullable("string"), "text": string}
        ),
        "Statement": _object(
            {
                "quote": string,
                "start": {**integer, "description": "offset of the quote in the article text"},
                "end": integer,
                "direct": boolean,
                "cue": _nullable("string"),
                "cue_start": _nullable("integer"),
                "cue_end": _nullable("integer"),
                "speaker": {"allOf": [_ref("Speaker")], "nullable": True},
                "kind": string,
                "channel": _nullable("string"),
                "confidence": {"type": "number"},
                "confidence_band": {"type": "string", "enum": list(CONFIDENCE_BANDS), "description": "high (>= 0.8), medium (>= 0.6) or low"},
                "date": {"allOf": [_ref("StatementDate")], "nullable": True},
                "places": {"type": "array", "items": string},
                "topics": {"type": "array", "items": string},
            }
        ),
        "ArticleMeta": _object({"title": _nullable("string"), "published": _nullable("string"), "source": _nullable("string"), "url": _nullable("string")}),
        "Hit": _object(
            {
                "id": string,
                "article_id": string,
                "score": _nullable("number"),
                "statement": _ref("Statement"),
                "article": _ref("ArticleMeta"),
                "highlight": {**string, "description": "the quote as escaped HTML, matched words in <mark>"},
                "context_highlight": {**_nullable("string"), "description": "the sentence around it, likewise"},
            }
        ),
        "ArticleHit": _object({"id": string, "score": _nullable("number"), "article": _ref("ArticleMeta"), "statements": integer, "highlight": string}),
        "FacetValue": {
            **_object({"value": string, "label": string, "count": integer, "selected": boolean}),
            "properties": {
                "value": string,
                "label": string,
                "count": integer,
                "selected": boolean,
                "toggle_url": {**string, "description": "in search results: this search with the value added or removed"},
            },
        },
        "Facet": _object({"name": string, "values": {"type": "array", "items": _ref("FacetValue")}, "other": {**integer, "description": "values not listed"}}),
        "Bucket": _object(
            {
                "start": {"type": "string", "format": "date"},
                "count": integer,
                "span": {
                    **_nullable("string"),
                    "description": "month or year: statements dated only that precisely (coarser than the step), covering the whole period",
                },
            }
        ),
        "SearchPage": _object(
            {
                "query": string,
                "target": {"type": "string", "enum": list(TARGETS)},
                "filters": {"type": "object", "additionalProperties": {"type": "array", "items": string}},
                "total": integer,
                "page": integer,
                "per_page": integer,
                "pages": integer,
                "sort": string,
                "next_cursor": _nullable("string"),
                "suggestion": _nullable("string"),
                "took_ms": {"type": "number"},
                "hits": {"type": "array", "items": {"oneOf": [_ref("Hit"), _ref("ArticleHit")]}},
                "facets": {"type": "array", "items": _ref("Facet")},
                "histogram": {"type": "array", "items": _ref("Bucket")},
                "notices": {
                    "type": "array",
                    "items": string,
                    "description": "how the query was read where it differs from what was typed (unknown field: searched as words; only stop words)",
                },
                "names": {
                    "type": "array",
                    "description": "with no hits: the archive's speaker, place and topic names a word may have meant",
                    "items": _object({"word": string, "facet": string, "value": string, "label": string}),
                },
            }
        ),
        "StatementRecord": _object(
            {
                "id": string,
                "statement": _ref("Statement"),
                "article": _object(
                    {
                        "article_id": string,
                        "title": _nullable("string"),
                        "published": _nullable("string"),
                        "source": _nullable("string"),
                        "url": _nullable("string"),
                    }
                ),
            }
        ),
        "Extraction": _object(
            {
                "article": {"type": "object", "description": "id, path, title, published, source, url, author, language, text"},
                "statements": {"type": "array", "items": _ref("Statement")},
                "places": {"type": "array", "items": {"type": "object"}},
                "dates": {"type": "array", "items": {"type": "object"}},
                "topics": {"type": "array", "items": string},
            }
        ),
        "Stats": _object(
            {
                "articles": integer,
                "statements": integer,
                "speakers": integer,
                "rejected": integer,
                "earliest": _nullable("string"),
                "latest": _nullable("string"),
                "sources": integer,
                "schema_version": integer,
            },
            additionalProperties=True,
        ),
    }


def document() -> dict[str, Any]:
    """The OpenAPI 3.0 description of ``/api/v1``."""
    try:
        version = metadata.version("parley")
    except metadata.PackageNotFoundError:
        version = "0"
    statement_id = _path("statement_id", "a statement id (`ARTICLE-SEQ`)")
    search_params = search_parameters()
    export_params = [
        _query("format", {"type": "string", "enum": list(FORMATS), "default": "ndjson"}, "CSV with a header row, or one JSON hit per line"),
        *[p for p in search_parameters(paging=False) if p["name"] != "target"],
    ]
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Parley API",
            "version": version,
            "description": (
                "Read-only JSON over the Parley archive: who said what, when and where in conflict news. "
                'Every answer is `{"ok": true, "data": …}`; every error is `{"ok": false, "error": {"status", "message", …}}`. '
                "Answers carry ETag and Last-Modified (send If-None-Match or If-Modified-Since for a 304) "
                "and `Access-Control-Allow-Origin: *`."
            ),
            "license": {"name": "MIT"},
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/": {
                "get": {
                    "operationId": "root",
                    "summary": "the endpoints",
                    "responses": _responses(
                        _ok(
                            "endpoint → what it gives",
                            {"type": "object", "properties": {"endpoints": {"type": "object", "additionalProperties": {"type": "string"}}}},
                        )
                    ),
                }
            },
            "/search": {
                "get": {
                    "operationId": "search",
                    "summary": "search statements (or articles), with facets, paging and a histogram",
                    "parameters": search_params,
                    "responses": _responses(_ok("a page of results", _ref("SearchPage")), 400),
                }
            },
            "/facets/{name}": {
                "get": {
                    "operationId": "facet",
                    "summary": "values of one facet starting with a prefix, within a search (typeahead)",
                    "parameters": [
                        _path("name", "the facet", {"type": "string", "enum": list(FACETS)}),
                        _query("prefix", {"type": "string", "maxLength": MAX_PREFIX}, "start of any word of the value (longer: 400)"),
                        *[p for p in search_params if p["name"] in ("q", "from", "to", "facet_limit", *FACETS)],
                    ],
                    "responses": _responses(_ok("the facet", _ref("Facet")), 400),
                }
            },
            "/statements/{statement_id}": {
                "get": {
                    "operationId": "statement",
                    "summary": "one statement with its article's metadata",
                    "parameters": [statement_id],
                    "responses": _responses(_ok("the statement", _ref("StatementRecord")), 404),
                }
            },
            "/statements/{statement_id}/similar": {
                "get": {
                    "operationId": "similar",
                    "summary": "statements like this one, by the words of its quote",
                    "parameters": [statement_id],
                    "responses": _responses(_ok("up to 10 hits", {"type": "array", "items": _ref("Hit")}), 404),
                }
            },
            "/articles/{article_id}": {
                "get": {
                    "operationId": "article",
                    "summary": "one article with everything extracted from it",
                    "parameters": [_path("article_id", "an article id")],
                    "responses": _responses(_ok("the article", _ref("Extraction")), 404),
                }
            },
            **{
                f"/{kind}": {
                    "get": {
                        "operationId": kind,
                        "summary": f"every {kind[:-1]} with its statement count, most first",
                        "parameters": [
                            _query("prefix", {"type": "string", "maxLength": MAX_PREFIX}, "start of any word of the name (longer: 400)"),
                            _query("limit", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}, "how many"),
                        ],
                        "responses": _responses(_ok("the values", _ref("Facet")), 400),
                    }
                }
                for kind in ("speakers", "places", "topics")
            },
            "/speakers/{name}": {
                "get": {
                    "operationId": "speaker",
                    "summary": "one speaker by any spelling: names and roles seen, kinds, topics, places, timeline, latest statements",
                    "parameters": [_path("name", "a speaker's name, any spelling", {"type": "string", "maxLength": 200})],
                    "responses": _responses(_ok("the speaker", {"type": "object"}), 404),
                }
            },
            "/stats": {"get": {"operationId": "stats", "summary": "counts", "responses": _responses(_ok("the archive's numbers", _ref("Stats")))}},
            "/export": {
                "get": {
                    "operationId": "export",
                    "summary": "every statement a search matches (no depth limit), streamed as CSV or NDJSON",
                    "description": (
                        f"Same parameters as /search (paging ones are ignored; statements only). CSV columns: {', '.join(CSV_COLUMNS)}; "
                        "text that a spreadsheet would run as a formula starts with an apostrophe. NDJSON lines are hits as in /search, "
                        "without highlights (`highlight` is the escaped quote, `context_highlight` null)."
                    ),
                    "parameters": export_params,
                    "responses": {
                        **_responses(
                            {
                                "description": "the statements, as an attachment",
                                "headers": {
                                    "Content-Disposition": {"schema": {"type": "string"}, "description": "attachment; filename=…"},
                                    "X-Total-Count": {"schema": {"type": "integer"}, "description": "how many statements follow"},
                                    "ETag": {"$ref": "#/components/headers/ETag"},
                                    "Last-Modified": {"$ref": "#/components/headers/LastModified"},
                                },
                                "content": {
                                    "text/csv": {"schema": {"type": "string"}},
                                    "application/x-ndjson": {"schema": {"type": "string", "description": "one Hit per line"}},
                                },
                            },
                            400,
                            429,
                        )
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "this document",
                    "responses": _responses({"description": "OpenAPI 3.0", "content": {"application/json": {"schema": {"type": "object"}}}}),
                }
            },
        },
        "components": {
            "schemas": schemas(),
            "headers": {
                "ETag": {"schema": {"type": "string"}, "description": "changes when the archive (or Parley) does"},
                "LastModified": {"schema": {"type": "string"}, "description": "when the archive last changed"},
                "RetryAfter": {"schema": {"type": "integer"}, "description": "seconds to wait"},
            },
            "responses": {
                "NotModified": {"description": "the copy named by If-None-Match / If-Modified-Since is current"},
                **{
                    f"E{status}": {
                        "description": text,
                        **({"headers": {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}}} if status == 429 else {}),
                        "content": {"application/json": {"schema": _ref("Error")}},
                    }
                    for status, text in ERRORS.items()
                },
            },
        },
    }


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(document())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp, url_prefix="/api/v1")
