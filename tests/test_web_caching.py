"""HTTP around the answers: ETag / Last-Modified and 304s, CORS on the API only, 413 for large bodies."""

from __future__ import annotations

from datetime import date

import pytest

from archive.model import Article, Extraction, Speaker, Statement
from archive.store import Store
from index import writing
from web import create_app

CACHED = [
    "/api/v1/search?q=ceasefire",
    "/api/v1/stats",
    "/api/v1/",
    "/api/v1/openapi.json",
    "/api/v1/facets/speaker?prefix=zel",
    "/api/v1/export?format=csv",
    "/",
    "/search?q=ceasefire",
    "/search.atom?q=ceasefire",
    "/opensearch.xml",
]


@pytest.fixture
def app(make_app):
    return make_app(PARLEY_CACHE_SETTLE=0)


@pytest.mark.parametrize("url", CACHED)
def test_etag_round_trip(client, url):
    first = client.get(url)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "no-cache"
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag and again.headers["Cache-Control"] == "no-cache"  # (Werkzeug drops Last-Modified from a 304)
    assert client.get(url, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304  # weak comparison, lists
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.head(url, headers={"If-None-Match": etag}).status_code == 304


def test_if_modified_since(client):
    modified = client.get("/api/v1/stats").headers["Last-Modified"]
    assert client.get("/api/v1/stats", headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get("/api/v1/stats", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200
    # If-None-Match wins over If-Modified-Since when both come
    assert client.get("/api/v1/stats", headers={"If-Modified-Since": modified, "If-None-Match": '"other"'}).status_code == 200


def test_if_none_match_star_is_a_304_for_a_200_only(client):
    star = {"If-None-Match": "*"}
    answer = client.get("/api/v1/stats", headers=star)
    assert answer.status_code == 304 and answer.data == b"" and answer.headers["ETag"]
    assert client.get("/api/v1/statements/nope", headers=star).status_code == 404  # "*" says nothing of a 404


def test_if_match_naming_another_answer_is_a_412_in_the_error_body(client):
    etag = client.get("/api/v1/stats").headers["ETag"]
    failed = client.get("/api/v1/stats", headers={"If-Match": '"other"'})
    assert failed.status_code == 412 and failed.get_json()["error"]["status"] == 412
    assert client.get("/api/v1/stats", headers={"If-Match": etag}).status_code == 200


def test_an_export_stays_streamed_and_is_a_304_unread(client):
    first = client.get("/api/v1/export?format=ndjson", buffered=False)
    assert first.status_code == 200 and first.is_streamed and "Content-Length" not in first.headers
    assert len(first.get_data().splitlines()) == int(first.headers["X-Total-Count"]) > 0
    modified = first.headers["Last-Modified"]
    again = client.get("/api/v1/export?format=ndjson", headers={"If-Modified-Since": modified})
    assert again.status_code == 304 and again.data == b""


def test_each_url_has_its_own_etag(client):
    tags = {client.get(url).headers["ETag"] for url in ("/api/v1/search?q=ceasefire", "/api/v1/search?q=talks", "/search?q=ceasefire")}
    assert len(tags) == 3


def test_a_change_to_the_archive_changes_the_etag(client, home):
    before = client.get("/api/v1/stats")
    extra = Extraction(
        Article(text="Kaja Kallas said that talks would resume.", title="New", published=date(2025, 5, 2)),
        (Statement(quote="talks would resume", start=22, end=40, direct=False, speaker=Speaker(name="Kaja Kallas")),),
    )
    with Store(home) as store:
        store.add_batch([extra])
        writing.update(home, store, [extra.article.id])
    after = client.get("/api/v1/stats", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert after.get_json()["data"]["articles"] == before.get_json()["data"]["articles"] + 1


def test_no_validators_right_after_a_change_nor_on_errors(home, client):
    fresh = create_app({"PARLEY_HOME": str(home), "TESTING": True}).test_client()  # the archive was just written
    response = fresh.get("/api/v1/stats")
    assert response.status_code == 200 and "ETag" not in response.headers and "Last-Modified" not in response.headers
    for url in ("/api/v1/statements/nope", "/api/v1/search?sort=random", "/search?q=%22open", "/api/v1/nothing"):
        response = client.get(url)
        assert response.status_code >= 400 and "ETag" not in response.headers, url


def test_cors_on_the_api_only(client):
    for url in ("/api/v1/search?q=ceasefire", "/api/v1/nothing", "/api/v1/statements/nope", "/api/v1/export"):
        response = client.get(url, headers={"Origin": "https://example.org"})
        assert response.headers["Access-Control-Allow-Origin"] == "*", url
        assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    etag = client.get("/api/v1/stats").headers["ETag"]
    assert client.get("/api/v1/stats", headers={"If-None-Match": etag}).headers["Access-Control-Allow-Origin"] == "*"
    for url in ("/", "/search?q=ceasefire", "/search.atom", "/opensearch.xml", "/static/parley.css"):
        response = client.get(url, headers={"Origin": "https://example.org"})
        response.close()
        assert not any(h.startswith("Access-Control-") for h, _ in response.headers.items()), url


def test_preflight(client):
    asks = {"Origin": "https://example.org", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "if-none-match"}
    response = client.options("/api/v1/search", headers=asks)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert set(response.headers["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "if-none-match" in response.headers["Access-Control-Allow-Headers"].lower()
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Allow-Origin" not in client.options("/search", headers=asks).headers


def test_large_bodies_get_413_in_the_error_body(client):
    too_big = b"x" * (1024 * 1024 + 1)
    for response in (client.get("/api/v1/search", data=too_big), client.post("/api/v1/search", data=too_big), client.post("/api/v1/nothing", data=too_big)):
        assert response.status_code == 413
        body = response.get_json()
        assert body["ok"] is False and body["error"]["status"] == 413 and body["error"]["message"]
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    page = client.post("/search", data=too_big)
    assert page.status_code == 413 and "413" in page.get_data(as_text=True)
    assert client.get("/api/v1/search", data=b"x" * 1000).status_code == 200  # small bodies are ignored as before
