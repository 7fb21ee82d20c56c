"""/search.atom and /opensearch.xml: valid documents that a real feed reader takes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import feedparser
import pytest
from flask import render_template_string
from index_corpus import extractions, hostile_extraction

from archive.model import Article, Extraction, Speaker, Statement
from archive.store import Store
from index import writing
from web import create_app

EVIL = "<script>alert('x')</script>"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def app(make_app):
    return make_app([hostile_extraction(EVIL, "ceasefire\x0b talks failed & more")])


def parsed(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed, response.data


def test_newest_first_with_titles_links_and_dates(client):
    feed, _ = parsed(client, "/search.atom?q=ceasefire")
    entries = feed.entries
    assert [e.title for e in entries[:2]] == [
        "Volodymyr Zelenskyy appeal: Moscow must give a clear answer on the ceasefire",
        "Jean-Noël Barrot skepticism: the Easter ceasefire was a public relations move",
    ]
    assert "analysts warning: deep mistrust remains a hurdle to a lasting ceasefire" in [e.title for e in entries[2:]]  # undated: last
    assert [e.updated[:10] for e in entries[:2]] == ["2025-04-21", "2025-04-15"]
    assert len({e.id for e in entries}) == len(entries) == 4
    assert entries[0].author == "Volodymyr Zelenskyy"
    assert {t.term for t in entries[0].tags} == {"appeal", "ceasefire"}
    link = urlsplit(entries[0].link)
    assert link.path.startswith("/articles/") and link.fragment == "s-0"
    assert client.get(link.path).status_code == 200
    assert feed.feed.title == "Parley: newest statements for “ceasefire”"
    assert urlsplit(feed.feed.links[0].href).path == "/search.atom"


def test_filters_size_and_what_a_feed_ignores(client):
    feed, _ = parsed(client, "/search.atom?kind=skepticism")
    assert [e.author for e in feed.entries] == ["Jean-Noël Barrot"]
    feed, _ = parsed(client, "/search.atom?per_page=2&sort=random&page=7&target=articles&cursor=x&facets=colour")
    assert len(feed.entries) == 2 and feed.entries[0].updated[:10] == "2025-04-22"


def test_updated_falls_back_to_publication_then_the_epoch(home):
    undated = Extraction(
        Article(text="Kaja Kallas said that talks would resume.", title="Undated", published=__import__("datetime").date(2025, 5, 2)),
        (Statement(quote="talks would resume", start=22, end=40, direct=False, speaker=Speaker(name="Kaja Kallas"), kind="prediction"),),
    )
    with Store(home) as store:
        store.add_batch(extractions() + [undated])
        writing.update(home, store, store.article_ids())
    client = create_app({"PARLEY_HOME": str(home), "TESTING": True}).test_client()
    feed, _ = parsed(client, "/search.atom?q=talks+OR+mistrust")
    updated = {e.author: e.updated for e in feed.entries}
    assert updated["Kaja Kallas"] == "2025-05-02T00:00:00Z"  # no statement date: the article's
    assert updated["analysts"] == "1970-01-01T00:00:00Z"  # neither: Atom still wants one
    assert feed.feed.updated == "2025-05-02T00:00:00Z"


def test_long_quotes_are_cut_at_a_word(app):
    from archive.model import Statement
    from index.results import Hit
    from web.feeds import TITLE_CHARS, entry_title

    quote = "the talks " * 40
    hit = Hit(
        "a-0",
        "a",
        None,
        Statement(quote=quote, start=0, end=len(quote), direct=True, speaker=Speaker(name="Kaja Kallas"), kind="warning"),
        None,
        None,
        None,
        None,
        "",
        None,
    )
    title = entry_title(hit)
    assert title.startswith("Kaja Kallas warning: the talks") and title.endswith("…") and len(title) <= TITLE_CHARS + 1
    assert title[:-1].split()[-1] in ("the", "talks")  # whole words only


def test_hostile_text_stays_text(client):
    _, raw = parsed(client, "/search.atom?q=failed")
    assert b"<script>" not in raw and b"&lt;script&gt;" in raw
    assert b"\x0b" not in raw  # not a character XML can carry
    root = ET.fromstring(raw)
    title = root.find(f"{ATOM}entry/{ATOM}title").text
    assert title.startswith(f"Mr {EVIL} statement: {EVIL} ceasefire")


def test_a_bad_query_is_a_400_page(client):
    response = client.get('/search.atom?q="open')
    assert response.status_code == 400
    assert "unclosed quotation mark" in response.get_data(as_text=True)
    assert client.get("/search.atom?per_page=0").status_code == 400


def test_opensearch_description(client):
    response = client.get("/opensearch.xml")
    assert response.headers["Content-Type"] == "application/opensearchdescription+xml; charset=utf-8"
    root = ET.fromstring(response.data)
    ns = "{http://a9.com/-/spec/opensearch/1.1/}"
    assert root.tag == f"{ns}OpenSearchDescription"
    assert len(root.find(f"{ns}ShortName").text) <= 16
    templates = {u.get("type"): u.get("template") for u in root.findall(f"{ns}Url")}
    assert templates["text/html"] == "http://localhost/search?q={searchTerms}"
    assert templates["application/atom+xml"] == "http://localhost/search.atom?q={searchTerms}"
    assert client.get(urlsplit(templates["text/html"].replace("{searchTerms}", "ceasefire")).path + "?q=ceasefire").status_code == 200


def test_feed_url_for_templates_keeps_the_search_not_the_paging(app):
    with app.test_request_context("/search?q=ceasefire&kind=warning&kind=appeal&page=3&sort=oldest&target=articles"):
        url = render_template_string("{{ atom_feed_url(request.args) }}")
    assert url == "/search.atom?q=ceasefire&amp;kind=warning&amp;kind=appeal"
