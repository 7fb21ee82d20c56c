"""The Sources page and the article page's provenance line, over an archive filled by a real collector run."""

from __future__ import annotations

from collect_server import Site, article_html, rss, static, story
from test_collect_http import fast

from archive.collect.http import PoliteClient
from archive.collect.runner import Collector
from archive.collect.sources import make_spec
from archive.store import Store
from index import writing
from web import create_app


def test_sources_page_shows_health_and_latest_articles(home):
    with Site() as site:
        site.page("/a", article_html("Talks <b>resume</b>", story(1)))
        site.routes["/feed.xml"] = static(rss("Wire", [{"title": "t", "link": site.url("/a")}]).encode(), "application/rss+xml")
        site.routes["/bad.xml"] = lambda r: (500, {}, b"")
        with Store(home) as store, PoliteClient(fast(retries=0)) as client:
            collector = Collector(store, client, index=lambda ids: writing.update(home, store, ids))
            good, _ = collector.state.add_source(make_spec(site.url("/feed.xml"), name="<script>alert(1)</script> Wire"))
            bad, _ = collector.state.add_source(make_spec(site.url("/bad.xml")))
            (report,) = [r for r in collector.run([good, bad]) if r.new]
    article_id = report.new[0]
    client = create_app({"PARLEY_HOME": str(home), "TESTING": True}).test_client()
    page = client.get("/sources").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Wire" in page and "<script>alert(1)" not in page
    assert f"/articles/{article_id}" in page and "Talks resume" in page
    assert "failing (1×)" in page and "HTTP 500" in page
    article = client.get(f"/articles/{article_id}").get_data(as_text=True)
    assert "Fetched 20" in article and f"/sources#source-{good.id}" in article and "&lt;script&gt;alert(1)" in article
    assert 'href="/sources"' in client.get("/").get_data(as_text=True)  # in the site's navigation


def test_sources_page_of_an_archive_filled_by_hand(home):
    Store(home).close()
    client = create_app({"PARLEY_HOME": str(home), "TESTING": True}).test_client()
    response = client.get("/sources")
    assert response.status_code == 200 and "No sources yet" in response.get_data(as_text=True)


def test_a_corrected_article_shows_its_versions(home):
    with Site() as site:
        site.page("/a", article_html("First <i>title</i>", story(1)))
        site.routes["/feed.xml"] = static(rss("Wire", [{"title": "v1", "link": site.url("/a")}]).encode(), "application/rss+xml")
        with Store(home) as store, PoliteClient(fast()) as client:
            collector = Collector(store, client, index=lambda ids: writing.update(home, store, ids))
            source, _ = collector.state.add_source(make_spec(site.url("/feed.xml")))
            (first,) = collector.run([source])
            site.page("/a", article_html("Second title", story(1) + "\n\nA correction was added."))
            site.routes["/feed.xml"] = static(rss("Wire", [{"title": "v2", "link": site.url("/a")}]).encode(), "application/rss+xml")
            (second,) = collector.run([collector.state.source(source.id)])
    assert second.updated == first.new
    page = create_app({"PARLEY_HOME": str(home), "TESTING": True}).test_client().get(f"/articles/{first.new[0]}").get_data(as_text=True)
    assert "version 2, corrected since first fetched" in page and "version 1 “First title”" in page and "A correction was added." in page
