"""/api/v1/openapi.json describes every API route, every error it answers, and the shapes it returns."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def app(make_app):
    return make_app(PARLEY_EXPORTS=0, PARLEY_CACHE_SETTLE=0)  # every export is refused: 429; ETags at once


@pytest.fixture
def doc(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def template(rule: str) -> str:
    """A Flask rule under /api/v1 as an OpenAPI path: /api/v1/facets/<name> → /facets/{name}."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.removeprefix("/api/v1")) or "/"


def api_rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")]


def test_every_api_route_is_documented_and_nothing_else(app, doc):
    routes = {template(r.rule): r for r in api_rules(app)}
    assert set(doc["paths"]) == set(routes)
    for path, rule in routes.items():
        documented = {m.upper() for m in doc["paths"][path]}
        assert documented == rule.methods - {"HEAD", "OPTIONS"}, path
        names = {p["name"] for p in doc["paths"][path]["get"].get("parameters", []) if p["in"] == "path"}
        assert names == set(rule.arguments), path
    assert doc["openapi"].startswith("3.0") and doc["servers"] == [{"url": "/api/v1"}]


def test_the_root_lists_every_route(app, client):
    listed = set(client.get("/api/v1/").get_json()["data"]["endpoints"])
    wanted = {re.sub(r"<[^>]+>", "<id>", r.rule) for r in api_rules(app) if r.rule != "/api/v1/"}
    assert {re.sub(r"<[^>]+>", "<id>", e) for e in listed} == wanted


def test_every_reference_resolves(doc):
    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    found = list(refs(doc))
    assert found
    for ref in found:
        node = doc
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        assert node, ref


ERRORS = [
    ("/api/v1/search?sort=random", {}, 400, "/search"),
    ("/api/v1/facets/colour", {}, 400, "/facets/{name}"),
    ("/api/v1/statements/nope/similar", {}, 404, "/statements/{statement_id}/similar"),
    ("/api/v1/export?format=xml", {}, 400, "/export"),
    ("/api/v1/statements/nope", {}, 404, "/statements/{statement_id}"),
    ("/api/v1/articles/nope", {}, 404, "/articles/{article_id}"),
    ("/api/v1/export", {}, 429, "/export"),
    ("/api/v1/stats", {"headers": {"If-Match": '"other"'}}, 412, "/stats"),
    ("/api/v1/stats", {"data": b"x" * (1024 * 1024 + 1)}, 413, "/stats"),
    ("/api/v1/search", {"data": b"x" * (2 * 1024 * 1024)}, 413, "/search"),
]


@pytest.mark.parametrize(("url", "body", "status", "path"), ERRORS)
def test_every_error_the_api_gives_is_documented(client, doc, url, body, status, path):
    response = client.get(url, **body)
    assert response.status_code == status
    error = response.get_json()
    assert error["ok"] is False and error["error"]["status"] == status
    required = doc["components"]["schemas"]["Error"]["properties"]["error"]["required"]
    assert set(required) <= set(error["error"])
    answers = doc["paths"][path]["get"]["responses"]
    assert str(status) in answers
    assert answers[str(status)] == {"$ref": f"#/components/responses/E{status}"}


def test_all_error_statuses_are_in_the_document(doc):
    statuses = {code for op in doc["paths"].values() for code in op["get"]["responses"] if code.startswith(("4", "5"))}
    assert statuses == {"400", "404", "412", "413", "429", "503"}
    assert {str(status) for _, _, status, _ in ERRORS} | {"503"} == statuses  # 503 needs a missing index: test_hardening_web.py


def properties(doc, name: str) -> set[str]:
    return set(doc["components"]["schemas"][name]["properties"])


def test_documented_shapes_are_the_real_ones(client, doc):
    page = client.get("/api/v1/search?q=ceasefire&sort=newest&histogram=month").get_json()
    assert set(page) == properties(doc, "Envelope")
    data = page["data"]
    assert set(data) == properties(doc, "SearchPage")
    hit = data["hits"][0]
    assert set(hit) == properties(doc, "Hit")
    assert set(hit["statement"]) == properties(doc, "Statement")
    assert set(hit["statement"]["speaker"]) == properties(doc, "Speaker")
    assert set(hit["statement"]["date"]) == properties(doc, "StatementDate")
    assert set(hit["article"]) == properties(doc, "ArticleMeta")
    assert set(data["facets"][0]) == properties(doc, "Facet")
    assert set(data["facets"][0]["values"][0]) == properties(doc, "FacetValue")
    assert set(data["histogram"][0]) == properties(doc, "Bucket")
    articles = client.get("/api/v1/search?q=ceasefire&target=articles").get_json()["data"]["hits"][0]
    assert set(articles) == properties(doc, "ArticleHit")
    record = client.get(f"/api/v1/statements/{hit['id']}").get_json()["data"]
    assert set(record) == properties(doc, "StatementRecord")
    assert set(record["article"]) == set(doc["components"]["schemas"]["StatementRecord"]["properties"]["article"]["properties"])
    assert set(client.get(f"/api/v1/articles/{hit['article_id']}").get_json()["data"]) == properties(doc, "Extraction")
    assert set(client.get("/api/v1/stats").get_json()["data"]) >= set(doc["components"]["schemas"]["Stats"]["required"])
    assert set(client.get("/api/v1/facets/kind").get_json()["data"]) == properties(doc, "Facet")
    statements = client.get(f"/api/v1/articles/{hit['article_id']}").get_json()["data"]["statements"]
    assert set(statements[0]) == properties(doc, "Statement")


def test_the_confidence_filter_lists_its_three_bands(doc):
    (confidence,) = [p for p in doc["paths"]["/search"]["get"]["parameters"] if p["name"] == "confidence"]
    assert confidence["schema"]["items"]["enum"] == ["high", "medium", "low"]
    assert confidence["style"] == "form" and confidence["explode"] is True
    assert doc["components"]["schemas"]["Statement"]["properties"]["confidence_band"]["enum"] == ["high", "medium", "low"]


def test_search_parameters_are_the_ones_the_api_reads(client, doc):
    names = {p["name"] for p in doc["paths"]["/search"]["get"]["parameters"]}
    assert {"q", "from", "to", "sort", "page", "per_page", "cursor", "facets", "facet_limit", "histogram", "target", "speaker", "kind", "direct"} <= names
    assert "confidence" in names
    for p in doc["paths"]["/search"]["get"]["parameters"]:
        for value in p["schema"].get("enum") or p["schema"].get("items", {}).get("enum", []):  # every documented value is accepted
            assert client.get(f"/api/v1/search?{p['name']}={value}").status_code == 200, (p["name"], value)
        if "maximum" in p["schema"]:  # and one past the documented bound is not
            response = client.get(f"/api/v1/search?{p['name']}={p['schema']['maximum'] + 1}")
            assert response.status_code == 400 and response.get_json()["error"]["parameter"] == p["name"]
