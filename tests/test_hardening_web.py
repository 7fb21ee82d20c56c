"""The web layer's contract under careless or hostile requests (issue 15, items 11, 13–17)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from index_corpus import extractions

from archive.store import Store
from index import writing
from web import create_app

PROJECT = Path(__file__).resolve().parents[1]
README = (PROJECT / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("web") / "home"
    with Store(home) as store:
        store.add_batch(extractions())
        writing.update(home, store, store.article_ids())
    return home


@pytest.fixture
def client(home):
    return create_app({"PARLEY_HOME": str(home), "PARLEY_CACHE_SETTLE": 0}).test_client()


def error_of(response, status: int, parameter: str | None = None) -> str:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    error = response.get_json()["error"]
    assert error["status"] == status
    if parameter:
        assert error["parameter"] == parameter
    return error["message"]


# --- item 11: whole numbers ---------------------------------------------------------------------------

ODD_NUMBERS = ["²", "①", "٣", "1_0", " 5", "+5", "5.0", "0x10"]


@pytest.mark.parametrize("raw", ODD_NUMBERS)
@pytest.mark.parametrize("path", ["/api/v1/speakers", "/api/v1/places", "/api/v1/topics"])
def test_listing_limits_accept_only_ascii_digits(client, path, raw):
    error_of(client.get(path, query_string={"limit": raw}), 400, "limit")


@pytest.mark.parametrize("raw", ODD_NUMBERS)
@pytest.mark.parametrize("name", ["page", "per_page", "facet_limit"])
def test_search_numbers_accept_only_ascii_digits(client, name, raw):
    error_of(client.get("/api/v1/search", query_string={name: raw}), 400, name)


def test_a_statement_page_with_an_odd_number_is_404(client):
    article_id = client.get("/api/v1/search").get_json()["data"]["hits"][0]["article_id"]
    assert client.get(f"/articles/{article_id}/statements/²").status_code == 404


# --- item 13: the Host header -------------------------------------------------------------------------


def test_a_public_url_is_used_whatever_the_host_header(home):
    client = create_app({"PARLEY_HOME": str(home), "PARLEY_PUBLIC_URL": "https://parley.example.org/news"}).test_client()
    forged = {"Host": "evil.example"}
    redirect = client.get("/api/v1", headers=forged)
    assert redirect.status_code == 308 and redirect.headers["Location"] == "https://parley.example.org/news/api/v1/"
    for url in ("/opensearch.xml", "/search.atom?q=ceasefire"):
        body = client.get(url, headers=forged).get_data(as_text=True)
        assert "evil.example" not in body
        assert "https://parley.example.org/news/" in body


def test_trusted_hosts_refuse_any_other_host(home):
    client = create_app({"PARLEY_HOME": str(home), "PARLEY_TRUSTED_HOSTS": ["parley.example.org"]}).test_client()
    assert client.get("/api/v1/stats", headers={"Host": "parley.example.org"}).status_code == 200
    for url in ("/opensearch.xml", "/api/v1", "/search.atom", "/api/v1/stats"):
        response = client.get(url, headers={"Host": "evil.example"})
        assert response.status_code == 400 and "evil.example" not in response.headers.get("Location", "")


# --- item 14: 405 carries Allow -----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/search", "/api/v1/search", "/api/v1/stats", "/speakers", "/api/v1/openapi.json"])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_405_says_which_methods_are_allowed(client, url, method):
    response = client.open(url, method=method)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


# --- item 15: conditional requests only for would-be 200s ---------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{"If-None-Match": "*"}, {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}, {"If-None-Match": '"x", *'}],
)
@pytest.mark.parametrize(
    ("url", "status"), [("/api/v1/articles/nope", 404), ("/api/v1/search?sort=random", 400), ("/articles/nope", 404), ("/api/v1/statements/nope/similar", 404)]
)
def test_conditional_headers_never_turn_an_error_into_304(client, headers, url, status):
    assert client.get(url, headers=headers).status_code == status


def test_conditional_headers_still_give_304_for_a_current_copy(client):
    first = client.get("/api/v1/search?q=ceasefire")
    assert first.status_code == 200 and first.headers["ETag"]
    assert client.get("/api/v1/search?q=ceasefire", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get("/api/v1/search?q=ceasefire", headers={"If-None-Match": "*"}).status_code == 304
    assert client.get("/api/v1/search?q=ceasefire", headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304


# --- item 16: contract and behaviour agree ---------------------------------------------------------------


@pytest.mark.parametrize("value", ["0001-01-01", "1500-06", "9999-12-31", "2025"])
def test_from_and_to_take_the_same_years_as_date_in_the_query(client, value):
    for name in ("from", "to"):
        assert client.get("/api/v1/search", query_string={name: value}).status_code == 200
    assert client.get("/api/v1/search", query_string={"q": f"date:{value}"}).status_code == 200


def test_the_date_rule_is_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    params = {p["name"]: p for p in doc["paths"]["/search"]["get"]["parameters"]}
    assert "years 0001-9999" in params["from"]["description"] and "years 0001-9999" in params["to"]["description"]
    assert params["direct"]["schema"]["items"]["enum"] == ["true", "false"]


def test_an_overlong_prefix_is_refused_not_truncated(client):
    for url in ("/api/v1/facets/speaker", "/api/v1/speakers", "/api/v1/places"):
        error_of(client.get(url, query_string={"prefix": "p" * 101}), 400, "prefix")
        assert client.get(url, query_string={"prefix": "p" * 100}).status_code == 200


def test_similar_to_an_unknown_statement_is_404(client):
    assert "no statement" in error_of(client.get("/api/v1/statements/nope/similar"), 404)


@pytest.mark.parametrize("value", ["maybe", "yes", "1", "TRUE"])
def test_direct_takes_only_true_or_false(client, value):
    error_of(client.get("/api/v1/search", query_string={"direct": value}), 400, "direct")
    assert client.get("/api/v1/search", query_string={"direct": "true"}).status_code == 200


# --- item 17: the README's error statuses are the real ones ------------------------------------------------


def test_the_readme_lists_every_error_status_the_api_documents(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    statuses = {code for op in doc["paths"].values() for code in op["get"]["responses"] if code[0] in "45"}
    line = next(line for line in README.splitlines() if "every error (" in line)
    assert statuses == {"400", "404", "412", "413", "429", "503"}
    assert set(re.findall(r"\b[45]\d\d\b", line)) == statuses | {"405"}  # 405: any endpoint, for any method but GET/HEAD/OPTIONS


def test_a_503_has_the_one_error_shape_and_is_documented(home, tmp_path):
    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    shutil.rmtree(copy / "index")
    client = create_app({"PARLEY_HOME": str(copy)}).test_client()
    message = error_of(client.get("/api/v1/search"), 503)
    assert "parley reindex" in message
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["paths"]["/search"]["get"]["responses"]["503"] == {"$ref": "#/components/responses/E503"}
