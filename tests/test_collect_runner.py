"""Collecting into a real store and index from real loopback servers: identity, versions, fallbacks, failures."""

from __future__ import annotations

from datetime import UTC

import pytest
from collect_server import Site, article_html, rss, static, story
from test_collect_http import fast

from archive.collect.http import PoliteClient
from archive.collect.runner import Collector
from archive.collect.sources import make_spec
from archive.store import Store
from index import writing
from index.request import SearchRequest
from index.search import SearchIndex


@pytest.fixture
def site():
    with Site() as s:
        s.text("/robots.txt", "User-agent: *\nDisallow: /private\n")
        yield s


@pytest.fixture
def collect(home):
    """``collect(url, **spec)`` runs that source once (adding it first) and returns the run's report."""
    store = Store(home)
    client = PoliteClient(fast())
    collector = Collector(store, client, index=lambda ids: writing.update(home, store, ids), workers=2)

    def run(url: str | None = None, **spec):
        sources = collector.state.sources()
        if url:
            source, _ = collector.state.add_source(make_spec(url, **spec))
            sources = [source]
        else:
            sources = [s for s in sources if s.due()]
        return collector.run([collector.state.source(s.id) for s in sources])

    run.store, run.state, run.collector, run.client = store, collector.state, collector, client
    yield run
    client.close()
    store.close()


def make_due(collect) -> None:
    with collect.state.db:
        collect.state.db.execute("UPDATE collect_sources SET next_run = NULL")


def feed_of(site: Site, n: int, *, path: str = "/feed.xml", extra: list[dict] | None = None, etag: str | None = '"1"') -> None:
    items = []
    for i in range(n):
        site.page(f"/a{i}", article_html(f"Story {i}", story(i)))
        items.append({"title": f"Story {i}", "link": site.url(f"/a{i}"), "description": f"Summary {i}."})
    site.routes[path] = static(rss("The Wire", items + (extra or [])).encode(), "application/rss+xml", etag=etag)


def test_first_run_stores_and_indexes_every_item_then_304_costs_one_request(site, collect, home):
    feed_of(site, 3)
    (report,) = collect(site.url("/feed.xml"))
    assert len(report.new) == 3 and not report.problems and report.kind == "feed"
    assert collect.store.stats()["articles"] == 3
    assert SearchIndex(home).search(SearchRequest("", per_page=1)).total == collect.store.stats()["statements"] > 0
    before = len(site.requests)
    make_due(collect)
    (again,) = collect()
    assert again.not_modified and len(site.requests) == before + 1
    provenance = collect.state.provenance(report.new[0])
    assert provenance["source_name"] == "The Wire" and provenance["fetched_at"] and provenance["version"] == 1


def test_tracking_parameters_and_canonical_links_make_one_article(site, collect):
    site.page("/story", article_html("One story", story(7), canonical=site.url("/story")))
    site.page("/amp/story", article_html("One story", story(7), canonical=site.url("/story?utm_source=amp")))
    items = [
        {"title": "A", "link": site.url("/story?utm_source=rss&utm_medium=feed")},
        {"title": "A again", "link": site.url("/story?fbclid=XYZ")},
        {"title": "A amp", "link": site.url("/amp/story")},
    ]
    site.routes["/feed.xml"] = static(rss("Wire", items).encode(), "application/rss+xml")
    (report,) = collect(site.url("/feed.xml"))
    assert len(report.new) == 1 and report.duplicates == 1 and report.unchanged == 1
    assert collect.store.stats()["articles"] == 1
    assert site.hits("/story") == 1  # both tracking variants fetched once


def test_corrected_page_replaces_the_article_keeping_statement_ids(site, collect, home):
    body = story(1)
    site.page("/a", article_html("Talks", body))
    site.routes["/feed.xml"] = static(rss("Wire", [{"title": "Talks", "link": site.url("/a"), "description": "v1"}]).encode(), "application/rss+xml")
    (first,) = collect(site.url("/feed.xml"))
    article_id = first.new[0]
    old = collect.store.get(article_id)
    old_ids = {f"{article_id}-{seq}": s.quote for seq, s in enumerate(old.statements)}
    assert len(old_ids) >= 2

    corrected = '"This is a new statement about the corridor," Antony Blinken told reporters in Paris.\n\n' + body.replace("diplomatic", "intense diplomatic")
    site.page("/a", article_html("Talks (updated)", corrected, published="2025-04-23"))
    site.routes["/feed.xml"] = static(rss("Wire", [{"title": "Talks (updated)", "link": site.url("/a"), "description": "v2"}]).encode(), "application/rss+xml")
    make_due(collect)
    (second,) = collect()
    assert second.updated == [article_id] and not second.new
    new = collect.store.get(article_id)
    assert collect.store.stats()["articles"] == 1
    assert "intense diplomatic" in new.article.text and new.article.title == "Talks (updated)" and str(new.article.published) == "2025-04-23"
    for statement_id, quote in old_ids.items():  # every unchanged statement keeps its permalink
        seq = int(statement_id.rsplit("-", 1)[1])
        assert new.statements[seq].quote == quote
    assert any("corridor" in s.quote for s in new.statements)
    history = collect.state.versions(article_id)
    assert [v["version"] for v in history] == [1] and history[0]["title"] == "Talks"
    assert collect.state.provenance(article_id)["version"] == 2
    hits = SearchIndex(home).search(SearchRequest("corridor", per_page=5))
    assert hits.total >= 1 and all(h.article_id == article_id for h in hits.hits)


def test_a_new_version_the_index_failed_to_take_is_indexed_by_the_next_run(site, collect, home):
    site.page("/a", article_html("Talks", story(1)))
    site.routes["/feed.xml"] = static(rss("Wire", [{"title": "Talks", "link": site.url("/a"), "description": "v1"}]).encode(), "application/rss+xml")
    (first,) = collect(site.url("/feed.xml"))
    corrected = '"The corridor opens at dawn," Antony Blinken told reporters in Paris.\n\n' + story(1)
    site.page("/a", article_html("Talks (updated)", corrected))
    site.routes["/feed.xml"] = static(rss("Wire", [{"title": "Talks (updated)", "link": site.url("/a"), "description": "v2"}]).encode(), "application/rss+xml")
    make_due(collect)
    collect.collector.index = lambda ids: (_ for _ in ()).throw(OSError("disk full"))
    (second,) = collect()
    assert second.updated == first.new and collect.store.unindexed() == first.new
    assert SearchIndex(home).search(SearchRequest("corridor", per_page=5)).total == 0
    collect.collector.index = lambda ids: writing.update(home, collect.store, ids)
    collect.collector.run([])
    assert collect.store.unindexed() == []
    assert SearchIndex(home).search(SearchRequest("corridor", per_page=5)).total >= 1


def test_the_collectors_own_unindexed_flag_is_carried_over_to_the_store(home):
    """Archives collected before the store's list covered new versions kept a flag per article: the
    migration lists what it flagged, so nothing waiting to be indexed is forgotten."""
    from index_corpus import extractions

    from archive.collect.state import MIGRATIONS, CollectState

    store = Store(home)
    store.add_batch([extractions()[0]])
    article_id = extractions()[0].article.id
    store.mark_indexed([article_id])
    db = store.db
    with db:
        db.execute("CREATE TABLE collect_schema (version INTEGER NOT NULL)")
        db.execute("INSERT INTO collect_schema (version) VALUES (1)")
        for sql in MIGRATIONS[0].split(";"):
            if sql.strip():
                db.execute(sql)
        db.execute(
            "INSERT INTO collect_articles (canonical, article_id, version, fetched_at, first_fetched_at, indexed) VALUES (?, ?, 2, 'now', 'now', 0)",
            ("http://example.com/a", article_id),
        )
    CollectState(db)
    assert store.unindexed() == [article_id]
    assert "indexed" not in {row[1] for row in db.execute("PRAGMA table_info(collect_articles)")}
    assert db.execute("SELECT version FROM collect_schema").fetchone()[0] == len(MIGRATIONS) == 2
    store.close()


def test_changed_title_alone_updates_the_article(site, collect):
    site.page("/a", article_html("First title", story(2)))
    site.routes["/feed.xml"] = static(rss("Wire", [{"title": "t1", "link": site.url("/a")}]).encode(), "application/rss+xml")
    (first,) = collect(site.url("/feed.xml"))
    site.page("/a", article_html("Second title", story(2)))
    site.routes["/feed.xml"] = static(rss("Wire", [{"title": "t2", "link": site.url("/a")}]).encode(), "application/rss+xml")
    make_due(collect)
    (second,) = collect()
    assert second.updated == first.new
    assert collect.store.get(first.new[0]).article.title == "Second title"


def test_unusable_pages_fall_back_to_the_feed_content(site, collect):
    long_summary = "<p>" + story(3).replace("\n\n", "</p><p>") + "</p>"
    site.routes["/pdf"] = static(b"%PDF-1.4 not html", "application/pdf")
    site.routes["/broken"] = lambda r: (500, {}, b"down")
    items = [
        {"title": "PDF", "link": site.url("/pdf"), "description": long_summary},
        {"title": "Down", "link": site.url("/broken"), "description": long_summary.replace("round 3", "round 4")},
        {"title": "Private", "link": site.url("/private/x"), "description": long_summary.replace("round 3", "round 5")},
        {"title": "Nothing", "link": site.url("/missing")},
    ]
    site.routes["/feed.xml"] = static(rss("Wire", items).encode(), "application/rss+xml")
    (report,) = collect(site.url("/feed.xml"))
    assert len(report.new) == 3 and report.from_feed == 3
    reasons = " | ".join(p.reason for p in report.problems)
    assert "Content-Type application/pdf" in reasons and "HTTP 500" in reasons and "robots.txt" in reasons and "HTTP 404" in reasons
    assert site.hits("/private/x") == 0
    errors = collect.state.item_errors(report.source.id)
    assert [url for url, _ in errors] == [site.url("/missing")]


def test_malformed_feed_fails_the_source_and_it_backs_off(site, collect):
    site.routes["/feed.xml"] = static(b"<rss><channel><title>x</title><item><title>cut", "application/rss+xml")
    (report,) = collect(site.url("/feed.xml"), every="10m")
    assert "truncated or malformed" in report.error
    source = collect.state.source(report.source.id)
    assert source.failures == 1 and "truncated" in source.last_error and not source.due()
    make_due(collect)
    collect()
    source = collect.state.source(report.source.id)
    from datetime import datetime

    wait = (datetime.fromisoformat(source.next_run) - datetime.now(UTC)).total_seconds()
    assert source.failures == 2 and wait > 2 * 600  # 10 min x 2**2, not 10 min


def test_one_bad_source_does_not_stop_the_others(site, collect):
    feed_of(site, 2)
    site.routes["/bad.xml"] = lambda r: (200, {"Content-Type": "text/html"}, b"<!doctype html><html><body>hi</body></html>")
    collect.state.add_source(make_spec(site.url("/bad.xml")))
    collect.state.add_source(make_spec(site.url("/feed.xml")))
    reports = {r.source.url: r for r in collect()}
    assert "an HTML page" in reports[site.url("/bad.xml")].error
    assert len(reports[site.url("/feed.xml")].new) == 2


def test_sitemap_index_and_url_list_sources(site, collect):
    for i in range(4):
        site.page(f"/s{i}", article_html(f"Sitemap story {i}", story(100 + i)))
    site.text("/list.txt", f"{site.url('/s3')}\n")
    site.routes["/child.xml"] = static(
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{site.url("/s0")}</loc></url><url><loc>/s1</loc></url></urlset>'.encode(),
        "application/xml",
        etag='"c"',
    )
    site.routes["/index.xml"] = static(
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>/child.xml</loc></sitemap><sitemap><loc>/gone.xml</loc></sitemap></sitemapindex>',
        "application/xml",
    )
    (index_run,) = collect(site.url("/index.xml"))
    assert index_run.kind == "sitemap index" and len(index_run.new) == 2
    assert any("child sitemap" in p.reason and "404" in p.reason for p in index_run.problems)
    (list_run,) = collect(site.url("/list.txt"))
    assert list_run.kind == "url list" and len(list_run.new) == 1


def test_max_items_leaves_the_rest_for_the_next_run(site, collect):
    feed_of(site, 5)
    collect.collector.max_items = 2
    (first,) = collect(site.url("/feed.xml"))
    assert len(first.new) == 2 and first.left == 3
    make_due(collect)
    (second,) = collect()
    assert not second.not_modified and len(second.new) == 2  # the feed was read in full again, not 304


def test_nothing_but_loopback_is_requested(site, collect):
    site.routes["/feed.xml"] = static(
        rss("Wire", [{"title": "x", "link": "http://example.com/story", "description": "A summary."}]).encode(), "application/rss+xml"
    )
    (report,) = collect(site.url("/feed.xml"))
    assert any("may request" in p.reason for p in report.problems)
    assert collect.client.requests == len(site.requests)  # every request the client sent reached this server


def test_an_index_failure_loses_nothing_and_the_next_run_indexes(site, collect, home):
    feed_of(site, 2)
    collect.collector.index = lambda ids: (_ for _ in ()).throw(OSError("disk full"))
    (report,) = collect(site.url("/feed.xml"))
    assert len(report.new) == 2 and "disk full" in collect.collector.index_problem
    assert sorted(collect.store.unindexed()) == sorted(report.new)
    collect.collector.index = lambda ids: writing.update(home, collect.store, ids)
    collect.collector.run([])
    assert collect.store.unindexed() == []
    assert SearchIndex(home).search(SearchRequest("", per_page=1)).total == collect.store.stats()["statements"]


def test_an_article_stored_by_a_run_killed_before_it_said_where_from_is_indexed_by_the_next(site, collect, home):
    # A run killed between storing an article and recording where it came from leaves it only on the
    # store's own unindexed list; the next run fetches the page again, finds it already stored ("same")
    # and has nothing of its own to index.  The store's list is what the next run must catch up on.
    feed_of(site, 2)
    collect.collector.index = lambda ids: writing.update(home, collect.store, ids)
    (first,) = collect(site.url("/feed.xml"))
    assert len(first.new) == 2
    from index_corpus import extractions

    orphan = extractions()[0]
    collect.store.add_batch([orphan])  # stored, then the run died: no collector record of it
    assert orphan.article.id in collect.store.unindexed()
    collect.collector.run([])
    assert collect.store.unindexed() == []
    assert SearchIndex(home).search(SearchRequest("", per_page=1)).total == collect.store.stats()["statements"]


def test_watch_collects_new_items_as_they_appear_until_stopped(site, collect):
    import threading
    import time

    feed_of(site, 1, etag=None)
    source, _ = collect.state.add_source(make_spec(site.url("/feed.xml"), every=1, minimum=1))
    stored: list[str] = []
    collect.collector.on_stored = lambda article_id, url: stored.append(url)
    watcher = threading.Thread(target=collect.collector.watch, args=(lambda: [collect.state.source(source.id)],))
    watcher.start()
    try:
        deadline = time.monotonic() + 60
        while len(stored) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        feed_of(site, 2, etag=None)  # a new story appears in the feed
        while len(stored) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        collect.client.stop.set()
        watcher.join(timeout=30)
    assert not watcher.is_alive()
    assert stored == [site.url("/a0"), site.url("/a1")]
    assert site.hits("/a0") == 1  # the first story was not fetched again


def test_a_canonical_link_to_the_home_page_is_not_identity(site, collect):
    for i in range(2):
        site.page(f"/news/{i}", article_html(f"Story {i}", story(40 + i), canonical=site.url("/")))
    items = [{"title": f"S{i}", "link": site.url(f"/news/{i}")} for i in range(2)]
    site.routes["/feed.xml"] = static(rss("Wire", items).encode(), "application/rss+xml")
    (report,) = collect(site.url("/feed.xml"))
    assert len(report.new) == 2 and not report.updated
    assert {collect.store.get(i).article.url for i in report.new} == {site.url("/news/0"), site.url("/news/1")}


def test_two_feeds_with_one_story_keep_one_article_without_refetching(site, collect):
    site.page("/story", article_html("The story", story(60)))
    site.routes["/one.xml"] = static(
        rss("One", [{"title": "Story as One calls it", "link": site.url("/story?utm_source=one")}]).encode(), "application/rss+xml"
    )
    site.routes["/two.xml"] = static(
        rss("Two", [{"title": "Story as Two calls it", "link": site.url("/story?utm_source=two")}]).encode(), "application/rss+xml"
    )
    (first,) = collect(site.url("/one.xml"))
    (second,) = collect(site.url("/two.xml"))
    assert len(first.new) == 1 and not second.new and not second.updated and second.unchanged == 1
    for _ in range(2):
        make_due(collect)
        assert all(not r.new and not r.updated for r in collect())
    assert site.hits("/story") == 2  # once per source, never again while neither feed changes
    assert collect.store.get(first.new[0]).article.source == "One"
    assert collect.state.provenance(first.new[0])["source_name"] == "One"
