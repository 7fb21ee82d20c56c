"""The site and the JSON API over a real archive and index on disk."""

import json
import threading
import urllib.error
import urllib.request

import pytest
from index_corpus import hostile_extraction

from archive.store import Store
from web import create_app


@pytest.fixture
def app(make_app):
    return make_app([hostile_extraction("<script>alert('x')</script>")])


def test_search_page_lists_hits_facets_and_toggles(client):
    page = client.get("/search?q=ceasefire").get_data(as_text=True)
    assert "Jean-Noël Barrot" in page
    assert 'data-facet="kind"' in page
    assert "/search?q=ceasefire&amp;kind=skepticism" in page
    filtered = client.get("/search?q=ceasefire&kind=skepticism").get_data(as_text=True)
    assert filtered.count('class="hit"') == 1
    assert 'class="selected"' in filtered


def test_everything_from_articles_is_escaped(client):
    for url in ("/search?q=ceasefire", "/search?q=talks", "/"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page
    article_id = json.loads(client.get("/api/v1/search?q=failed").data)["data"]["hits"][0]["article_id"]
    page = client.get(f"/articles/{article_id}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_query_is_escaped_and_syntax_error_points_at_it(client):
    response = client.get('/search?q="<b>unclosed')
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "unclosed quotation mark" in body
    assert "<b>unclosed" not in body and "&lt;b&gt;unclosed" in body


@pytest.mark.parametrize(
    ("url", "status", "parameter"),
    [
        ("/api/v1/search?q=%22open", 400, "q"),
        ("/api/v1/search?per_page=1000", 400, "per_page"),
        ("/api/v1/search?page=0", 400, "page"),
        ("/api/v1/search?page=abc", 400, "page"),
        ("/api/v1/search?sort=random", 400, "sort"),
        ("/api/v1/search?facets=colour", 400, "facets"),
        ("/api/v1/search?from=someday", 400, "from"),
        ("/api/v1/search?q=" + "x" * 600, 400, "q"),
        ("/api/v1/search?page=5000&per_page=100", 400, None),
        ("/api/v1/search?cursor=garbage", 400, None),
        ("/api/v1/statements/nope", 404, None),
        ("/api/v1/articles/nope", 404, None),
        ("/api/v1/no-such-endpoint", 404, None),
    ],
)
def test_every_error_has_one_shape(client, url, status, parameter):
    response = client.get(url)
    assert response.status_code == status
    body = response.get_json()
    assert body["ok"] is False
    assert set(body["error"]) >= {"status", "message"}
    assert body["error"]["status"] == status and body["error"]["message"]
    if parameter:
        assert body["error"]["parameter"] == parameter


def test_api_search_envelope_and_paging(client):
    body = client.get("/api/v1/search?q=ceasefire&per_page=2&facets=kind,topic&histogram=month").get_json()
    data = body["data"]
    assert body["ok"] is True
    assert data["total"] == 4 and len(data["hits"]) == 2 and data["next_cursor"]
    assert [f["name"] for f in data["facets"]] == ["kind", "topic"]
    rest = client.get(f"/api/v1/search?q=ceasefire&per_page=2&facets=kind,topic&cursor={data['next_cursor']}").get_json()["data"]
    ids = {h["id"] for h in data["hits"]} | {h["id"] for h in rest["hits"]}
    assert len(ids) == 4


def test_api_statement_similar_and_typeahead(client):
    hit = client.get("/api/v1/search?q=mistrust").get_json()["data"]["hits"][0]
    one = client.get(f"/api/v1/statements/{hit['id']}").get_json()["data"]
    assert one["statement"]["quote"] == hit["statement"]["quote"]
    assert client.get(f"/api/v1/statements/{hit['id']}/similar").get_json()["ok"]
    values = client.get("/api/v1/facets/speaker?prefix=zel").get_json()["data"]["values"]
    assert [v["label"] for v in values] == ["Volodymyr Zelenskyy"] and values[0]["count"] == 2


def test_read_only_and_security_headers(client):
    assert client.post("/api/v1/search").status_code == 405
    assert client.post("/").status_code == 405
    for url in ("/", "/api/v1/search", "/api/v1/nothing", "/static/parley.css"):
        response = client.get(url)
        headers = response.headers
        response.close()
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"


def test_real_http_server_on_loopback(app, home):
    """`parley serve` in its own process, eight clients at once, then an error answer."""
    from conftest import served

    with served(home) as base:
        results = []

        def fetch():
            with urllib.request.urlopen(f"{base}/api/v1/search?q=ceasefire", timeout=10) as response:
                results.append(json.load(response)["data"]["total"])

        workers = [threading.Thread(target=fetch) for _ in range(8)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        assert results == [4] * 8
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(f"{base}/api/v1/search?per_page=0", timeout=10)
        assert caught.value.code == 400
        assert json.load(caught.value)["error"]["parameter"] == "per_page"
        caught.value.close()


def test_home_shows_latest_statements_top_speakers_and_timeline(client):
    page = client.get("/").get_data(as_text=True)
    assert "Latest statements" in page and 'data-facet="speaker"' in page
    assert "Latest articles" in page and "Story 4" in page  # 2025-04-22, among the newest
    assert '<svg class="histogram"' in page
    assert "/speakers/Dmitry%20Peskov" in page
    assert client.get("/?q=ceasefire").status_code == 302


def test_statement_permalink_shows_its_paragraph_and_links_into_the_article(client):
    hit = client.get("/api/v1/search?q=kind:clarification").get_json()["data"]["hits"][0]
    page = client.get(f"/statements/{hit['id']}").get_data(as_text=True)
    seq = hit["id"].rsplit("-", 1)[1]
    assert "Dmitry Peskov" in page and "Kremlin spokesperson" in page
    assert f"/articles/{hit['article_id']}#s-{seq}" in page
    assert 'class="statement kind-clarification focus"' in page
    article = client.get(f"/articles/{hit['article_id']}").get_data(as_text=True)
    assert f'id="s-{seq}"' in article
    assert client.get("/statements/nope-1").status_code == 404


def test_speaker_page_merges_spellings_and_lists_roles(client):
    page = client.get("/speakers/Volodymyr%20Zelensky", follow_redirects=True).get_data(as_text=True)  # a variant: redirected
    assert "Volodymyr Zelenskyy" in page and "Also written" in page
    assert "President" in page and "2 statements" in page
    assert client.get("/speakers/Nobody%20At%20All").status_code == 404


def test_place_topic_and_listing_pages(client):
    assert "Kyiv" in client.get("/places/Kyiv").get_data(as_text=True)
    assert "#ceasefire" in client.get("/topics/ceasefire").get_data(as_text=True)
    listing = client.get("/speakers").get_data(as_text=True)
    assert "Dmitry Peskov" in listing and "Donald Trump" in listing
    assert "Volodymyr" in client.get("/speakers?prefix=zel").get_data(as_text=True)
    assert "Peskov" not in client.get("/speakers?prefix=zel").get_data(as_text=True)


def test_help_examples_come_from_the_archive_and_run(client):
    page = client.get("/help").get_data(as_text=True)
    import re

    links = re.findall(r'href="(/search\?q=[^"]+)"', page)
    assert len(links) >= 8
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link


def test_entity_pages_escape_hostile_text(client):
    listing = client.get("/speakers").get_data(as_text=True)
    assert "<script>alert" not in listing
    hit = client.get("/api/v1/search?q=failed").get_json()["data"]["hits"][0]
    for url in (f"/statements/{hit['id']}", f"/articles/{hit['article_id']}"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "&lt;script&gt;" in page, url


def test_settings_from_defaults_home_file_then_environment(home, monkeypatch):
    from web import DEFAULTS

    Store(home).close()
    assert create_app({"PARLEY_HOME": str(home)}).config["PARLEY_EXPORTS"] == DEFAULTS["PARLEY_EXPORTS"]
    (home / "parley.toml").write_text("exports = 5\nmax_content_length = 2048\n", encoding="utf-8")
    app = create_app({"PARLEY_HOME": str(home)})
    assert app.config["PARLEY_EXPORTS"] == 5 and app.config["MAX_CONTENT_LENGTH"] == 2048
    monkeypatch.setenv("PARLEY_EXPORTS", "7")
    assert create_app({"PARLEY_HOME": str(home)}).config["PARLEY_EXPORTS"] == 7
    (home / "parley.toml").write_text("exports = [\n", encoding="utf-8")
    with pytest.raises(ValueError, match="parley.toml"):
        create_app({"PARLEY_HOME": str(home)})


def test_api_speakers_places_topics(client):
    speakers = client.get("/api/v1/speakers").get_json()["data"]
    labels = {v["label"]: v["count"] for v in speakers["values"]}
    assert labels["Volodymyr Zelenskyy"] == 2 and labels["Dmitry Peskov"] == 1
    assert [v["label"] for v in client.get("/api/v1/speakers?prefix=pes").get_json()["data"]["values"]] == ["Dmitry Peskov"]
    one = client.get("/api/v1/speakers/volodymyr%20zelenskiy").get_json()["data"]
    assert one["name"] == "Volodymyr Zelenskyy" and set(one["names"]) == {"Volodymyr Zelenskyy", "Volodymyr Zelensky"}
    assert one["roles"] == ["President"] and one["statements"] == 2 and len(one["latest"]) == 2
    assert client.get("/api/v1/speakers/nobody").status_code == 404
    places = {v["value"]: v["count"] for v in client.get("/api/v1/places").get_json()["data"]["values"]}
    assert places["Moscow"] == 2
    topics = {v["value"]: v["count"] for v in client.get("/api/v1/topics").get_json()["data"]["values"]}
    assert topics["ceasefire"] == 3
    assert client.get("/api/v1/places?limit=0").get_json()["error"]["parameter"] == "limit"


def test_histogram_steps_and_bars_narrow_the_dates(client):
    page = client.get("/search?q=ceasefire&histogram=day").get_data(as_text=True)
    assert "Matches per day" in page
    assert "from=2025-04-15&amp;to=2025-04-15" in page
    week = client.get("/search?q=ceasefire&histogram=week").get_data(as_text=True)
    assert "from=2025-04-14&amp;to=2025-04-20" in week


def test_api_facet_values_carry_their_toggle_url(client):
    data = client.get("/api/v1/search?q=ceasefire&facets=kind,speaker").get_json()["data"]
    kinds = {v["value"]: v for v in data["facets"][0]["values"]}
    assert kinds, "the search has kinds to count"
    value = next(iter(kinds.values()))
    # Following the toggle adds the value as a filter, keeps the words, and selects it ...
    selected = client.get(value["toggle_url"]).get_json()["data"]
    assert value["toggle_url"].startswith("/api/v1/search?") and "q=ceasefire" in value["toggle_url"]
    assert selected["filters"] == {"kind": [value["value"]]}
    assert selected["total"] == value["count"]
    again = next(v for v in selected["facets"][0]["values"] if v["value"] == value["value"])
    assert again["selected"]
    # ... and its own toggle takes it away again.
    assert client.get(again["toggle_url"]).get_json()["data"]["filters"] == {}
