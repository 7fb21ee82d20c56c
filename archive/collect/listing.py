"""What a source lists: its document (a feed, a news sitemap, a sitemap index or a URL list) as items.

The kind is read from the content, never from the URL or the Content-Type (servers mislabel feeds as
text/html and sitemaps as text/plain): a feed root (``<rss>``, ``<feed>``, ``<rdf:RDF>``) is a feed,
``<urlset>`` a sitemap, ``<sitemapindex>`` a sitemap index, an HTML page is a home page (whose feeds
``discover_feeds`` finds), and text whose lines are http(s) URLs is a URL list.  Gzipped sitemaps
(``sitemap.xml.gz``, served without a Content-Encoding) are inflated here, within the same size cap.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urljoin
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from archive.collect.identity import UrlError, canonical_url, digest
from archive.dateparse import parse_date
from archive.readers.base import ReadError
from archive.readers.feed import feed_entries
from archive.readers.html import HtmlReader

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
MAX_CHILD_SITEMAPS = 50  # child sitemaps of an index read per run (the newest first, by lastmod)
_ISO_DAY = re.compile(r"\s*(\d{4}-\d{2}-\d{2})")
_FIRST_ELEMENT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_GZIP_MAGIC = b"\x1f\x8b"


class ListingError(Exception):
    """A source document that lists nothing we can use; the message says what it is instead."""


@dataclass(frozen=True)
class Item:
    """One article a source points at, with what the source itself says about it."""

    url: str
    title: str | None = None
    published: date | None = None
    author: str | None = None
    text: str = ""  # the feed's own content or summary: the fallback when the page cannot be read
    language: str | None = None
    changed: str | None = None  # the source's own lastmod/updated, when it gives one

    @property
    def fingerprint(self) -> str:
        """Changes when the source says the item changed: then its page is fetched again."""
        return digest(self.title, self.published, self.text, self.changed)


@dataclass
class Listing:
    kind: str  # "feed", "sitemap", "sitemap index", "url list"
    title: str | None = None
    items: list[Item] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)  # children of a sitemap index
    problems: list[str] = field(default_factory=list)


def read_listing(body: bytes, url: str, max_bytes: int) -> Listing:
    """The items listed in a source document fetched from ``url``; raises ListingError."""
    if body.startswith(_GZIP_MAGIC):
        body = _gunzip(body, max_bytes)
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    root = _root_name(head)
    if root in (b"rss", b"feed", b"rdf"):
        return _feed(body, url)
    if root in (b"urlset", b"sitemapindex"):
        return _sitemap(body, url)
    if HtmlReader().sniff(head) or root == b"html":
        raise ListingError("an HTML page, not a feed or sitemap: add the site's home page with 'parley sources add' to find its feeds")
    if head.startswith(b"<"):
        raise ListingError(f"not a feed or sitemap: the document's first element is <{(root or b'?').decode('ascii', 'replace')}>")
    return _url_list(body, url)


def _root_name(head: bytes) -> bytes | None:
    cleaned = re.sub(rb"<\?.*?\?>|<!--.*?-->|<![^>]*>", b"", head, flags=re.S)
    first = _FIRST_ELEMENT.search(cleaned)
    return first.group(1).rsplit(b":", 1)[-1].lower() if first else None


def _gunzip(body: bytes, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, max_bytes + 1)
    except zlib.error as error:
        raise ListingError(f"corrupt gzip file: {error}") from None
    if len(out) > max_bytes:
        raise ListingError(f"gzipped document inflates past the {max_bytes:,}-byte limit")
    return out


def _feed(body: bytes, url: str) -> Listing:
    try:
        title, entries, problems = feed_entries(body, url)
    except ReadError as error:
        raise ListingError(error.reason) from None
    listing = Listing("feed", title=title, problems=list(problems))
    for entry in entries:
        if not entry.url:
            listing.problems.append(f"{entry.label}: no link")
            continue
        listing.items.append(
            Item(url=urljoin(url, entry.url), title=entry.title, published=entry.published, author=entry.author, text=entry.text, language=entry.language)
        )
    return listing


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _child(element: Element, name: str) -> Element | None:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _text(element: Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return " ".join(element.text.split()) or None


def _day(value: str | None) -> date | None:
    if not value:
        return None
    match = _ISO_DAY.match(value)
    try:
        return parse_date(match.group(1) if match else value)
    except ValueError:
        return None


def _sitemap(body: bytes, url: str) -> Listing:
    """A sitemap (``<urlset>``, with Google News' ``news:`` fields when present) or a sitemap index."""
    try:
        root = fromstring(body, forbid_dtd=True)
    except ParseError as error:
        raise ListingError(f"malformed sitemap XML: {error}") from None
    except DefusedXmlException as error:
        raise ListingError(f"sitemap refused for safety: it declares a DTD or entities ({type(error).__name__})") from None
    if _local(root.tag) == "sitemapindex":
        children = []
        for sitemap in root:
            loc = _text(_child(sitemap, "loc"))
            if loc:
                children.append((_text(_child(sitemap, "lastmod")) or "", urljoin(url, loc)))
        children.sort(reverse=True)  # newest first; undated last
        listing = Listing("sitemap index", sitemaps=[loc for _, loc in children[:MAX_CHILD_SITEMAPS]])
        if len(children) > MAX_CHILD_SITEMAPS:
            listing.problems.append(f"{len(children)} child sitemaps: only the {MAX_CHILD_SITEMAPS} newest are read")
        return listing
    listing = Listing("sitemap")
    for entry in root:
        if _local(entry.tag) != "url":
            continue
        loc = _text(_child(entry, "loc"))
        if not loc:
            listing.problems.append("a <url> without <loc>")
            continue
        news = _child(entry, "news")
        title = published = language = None
        if news is not None:
            title = _text(_child(news, "title"))
            published = _day(_text(_child(news, "publication_date")))
            publication = _child(news, "publication")
            if publication is not None:
                language = _text(_child(publication, "language"))
                listing.title = listing.title or _text(_child(publication, "name"))
        lastmod = _text(_child(entry, "lastmod"))
        listing.items.append(Item(url=urljoin(url, loc), title=title, published=published or _day(lastmod), language=language, changed=lastmod))
    return listing


def _url_list(body: bytes, url: str) -> Listing:
    text = body.decode("utf-8", errors="replace")
    listing = Listing("url list")
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not line.lower().startswith(("http://", "https://")):
            raise ListingError(f"not a feed, sitemap or list of URLs: line {number} is {line[:80]!r}")
        listing.items.append(Item(url=line.split()[0]))
    if not listing.items:
        raise ListingError("empty: no URLs, no feed, no sitemap")
    return listing


class _AlternateLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        values = {k.lower(): (v or "") for k, v in attrs}
        rels = values.get("rel", "").lower().split()
        kind = values.get("type", "").lower().split(";")[0].strip()
        if "alternate" in rels and kind in FEED_TYPES and values.get("href"):
            self.found.append((values["href"], values.get("title") or None))


def discover_feeds(body: bytes, url: str) -> list[tuple[str, str | None]]:
    """The feeds a home page announces with ``<link rel="alternate" type="application/rss+xml">`` (or Atom):
    (absolute URL, title) pairs, in page order, without repeats."""
    parser = _AlternateLinks()
    parser.feed(body[:2_000_000].decode("utf-8", errors="replace"))
    seen: dict[str, str | None] = {}
    for href, title in parser.found:
        try:
            absolute = canonical_url(href, base=url)
        except UrlError:
            continue
        seen.setdefault(absolute, title)
    return list(seen.items())
