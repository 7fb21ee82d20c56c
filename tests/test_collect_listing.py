"""What sources list (feeds, news sitemaps, sitemap indexes, URL lists), feed discovery, and URL identity."""

from __future__ import annotations

import gzip
from datetime import date

import pytest

from archive.collect.identity import UrlError, canonical_url
from archive.collect.listing import ListingError, discover_feeds, read_listing
from archive.collect.sources import SourceError, make_spec, parse_every, read_sources_file
from archive.collect.versions import align
from archive.model import Speaker, Statement

BASE = "http://127.0.0.1:8000/news/"
NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
 <url><loc>http://127.0.0.1:8000/a1</loc>
  <news:news><news:publication><news:name>The Wire</news:name><news:language>en</news:language></news:publication>
   <news:publication_date>2025-04-22T10:00:00+00:00</news:publication_date><news:title>Talks resume</news:title></news:news></url>
 <url><loc>/a2</loc><lastmod>2025-04-23</lastmod></url>
 <url><lastmod>2025-04-23</lastmod></url>
</urlset>"""


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("HTTP://Example.COM:80/a?utm_source=x&b=2&a=1#top", "http://example.com/a?a=1&b=2"),
        ("https://example.com:443/story?fbclid=abc&gclid=1&id=7", "https://example.com/story?id=7"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com:8443/x/./y", "https://example.com:8443/x/y"),
        ("https://example.com/a?ref_src=twsrc&mc_cid=1&utm_medium=email", "https://example.com/a"),
    ],
)
def test_canonical_url_drops_what_does_not_name_the_story(given, expected):
    assert canonical_url(given) == expected


@pytest.mark.parametrize("bad", ["ftp://example.com/x", "javascript:alert(1)", "/relative", "http://", "http://[::1"])
def test_canonical_url_refuses_what_cannot_be_fetched(bad):
    with pytest.raises(UrlError):
        canonical_url(bad)


def test_news_sitemap_gives_titles_dates_and_language():
    listing = read_listing(NEWS_SITEMAP, BASE, 10**6)
    assert listing.kind == "sitemap" and listing.title == "The Wire"
    first, second = listing.items
    assert (first.url, first.title, first.published, first.language) == ("http://127.0.0.1:8000/a1", "Talks resume", date(2025, 4, 22), "en")
    assert second.url == "http://127.0.0.1:8000/a2" and second.published == date(2025, 4, 23)
    assert listing.problems == ["a <url> without <loc>"]


def test_gzipped_sitemap_is_read_within_the_cap():
    assert len(read_listing(gzip.compress(NEWS_SITEMAP), BASE, 10**6).items) == 2
    with pytest.raises(ListingError, match="inflates past"):
        read_listing(gzip.compress(b"<urlset>" + b" " * 2_000_000 + b"</urlset>"), BASE, 1_000_000)


def test_sitemap_index_lists_children_newest_first():
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>/s-old.xml</loc><lastmod>2024-01-01</lastmod></sitemap>
      <sitemap><loc>/s-new.xml</loc><lastmod>2025-04-01</lastmod></sitemap></sitemapindex>"""
    listing = read_listing(index, BASE, 10**6)
    assert listing.kind == "sitemap index"
    assert listing.sitemaps == ["http://127.0.0.1:8000/s-new.xml", "http://127.0.0.1:8000/s-old.xml"]


def test_feed_items_without_text_are_listed_by_link():
    feed = b'<rss version="2.0"><channel><title>Wire</title><item><title>A</title><link>/a</link></item><item><title>No link</title></item></channel></rss>'
    listing = read_listing(feed, BASE, 10**6)
    assert listing.kind == "feed" and listing.title == "Wire"
    assert [i.url for i in listing.items] == ["http://127.0.0.1:8000/a"]
    assert "no link" in listing.problems[0]


def test_url_list_and_its_comments():
    listing = read_listing(b"# today\nhttp://127.0.0.1:1/a\n\nhttps://127.0.0.1:1/b extra\n", BASE, 10**6)
    assert listing.kind == "url list" and [i.url for i in listing.items] == ["http://127.0.0.1:1/a", "https://127.0.0.1:1/b"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<urlset><url><loc>http://x/a</loc></urlset>", "malformed sitemap XML"),
        (b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "aaaa">]><urlset/>', "refused for safety"),
        (b"<rss><channel><title>x</title><item><title>cut", "truncated or malformed"),
        (b"<!doctype html><html><body>hi</body></html>", "an HTML page"),
        (b"<svg></svg>", "first element is <svg>"),
        (b"hello world\nnot urls", "line 1"),
        (b"", "empty"),
    ],
)
def test_bad_documents_say_what_they_are(body, message):
    with pytest.raises(ListingError, match=message):
        read_listing(body, BASE, 10**6)


def test_discovery_finds_announced_feeds_only():
    page = b"""<html><head>
      <link rel="alternate" type="application/rss+xml" title="Top stories" href="/rss.xml">
      <link rel="alternate" type="application/atom+xml" href="https://127.0.0.1:9/atom?utm_source=home">
      <link rel="alternate" type="application/rss+xml" href="/rss.xml">
      <link rel="alternate" hreflang="fr" href="/fr/">
      <link rel="stylesheet" type="text/css" href="/s.css"></head><body></body></html>"""
    assert discover_feeds(page, BASE) == [("http://127.0.0.1:8000/rss.xml", "Top stories"), ("https://127.0.0.1:9/atom", None)]


def test_durations_and_specs():
    assert parse_every("15m") == 900 and parse_every("2h") == 7200 and parse_every("1d") == 86400 and parse_every(120) == 120
    with pytest.raises(SourceError, match="too often"):
        parse_every("5s")
    with pytest.raises(SourceError, match="not a duration"):
        parse_every("soon")
    with pytest.raises(SourceError, match="language"):
        make_spec("http://127.0.0.1/feed", lang="english!")
    assert make_spec("HTTP://127.0.0.1/feed?utm_campaign=x").url == "http://127.0.0.1/feed"


def test_sources_file_reports_bad_entries_and_keeps_good_ones(tmp_path):
    (tmp_path / "sources.toml").write_text(
        '[[source]]\nurl = "http://127.0.0.1:1/feed"\nname = "Wire"\nevery = "1h"\nlang = "uk"\n'
        '[[source]]\nname = "no url"\n'
        '[[source]]\nurl = "http://127.0.0.1:1/b"\ncolour = "red"\n'
        '[[source]]\nurl = "ftp://127.0.0.1/x"\n',
        encoding="utf-8",
    )
    specs, problems = read_sources_file(tmp_path)
    assert [(s.url, s.name, s.every, s.lang) for s in specs] == [("http://127.0.0.1:1/feed", "Wire", 3600, "uk")]
    assert len(problems) == 3 and "no url" in problems[0] and "colour" in problems[1] and "http(s)" in problems[2]


def _s(quote: str, who: str = "Peskov") -> Statement:
    return Statement(quote=quote, start=0, end=len(quote), direct=True, speaker=Speaker(who))


def test_align_keeps_unchanged_statements_at_their_positions():
    old = (_s("one"), _s("two"), _s("three"))
    new = (_s("zero", "Lavrov"), _s("one"), _s("Three"), _s("four"))  # "two" removed; "three" only re-cased
    ordered, mapping = align(old, new)
    assert [s.quote for s in ordered] == ["one", "zero", "Three", "four"]
    assert mapping == {0: 0, 1: None, 2: 2}


def test_align_moves_only_what_no_longer_fits():
    old = (_s("a"), _s("b"), _s("c"))
    ordered, mapping = align(old, (_s("c"),))
    assert [s.quote for s in ordered] == ["c"] and mapping == {0: None, 1: None, 2: 0}
