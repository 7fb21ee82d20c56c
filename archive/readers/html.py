"""HTML pages: one article per page, its main text found by trafilatura and its metadata read
from the most to the least trusted place (JSON-LD, then meta tags, then the page itself).

Main text: ``trafilatura.bare_extraction`` in its default (balanced) mode without comments, on a
tree we parse once and share with the metadata selectors.  One line per block (paragraph, heading,
list item, table row), lines joined by ``\\n``.  On shared/corpus/dev/html this scores maintext
P 0.899, R 0.954, F1 0.926 (``favor_precision`` 0.917/0.935/0.926, ``fast`` 0.919, no tables 0.923,
with comments 0.916); tests/test_readers_html.py keeps a floor of 0.92.

Its length is one reader: main text, and metadata from JSON-LD, meta tags and the page, most trusted first; the text extraction itself is trafilatura's, the decoding ``base.decode_text``.
"""

from __future__ import annotations

import codecs
import json
import re
import warnings
from datetime import date
from typing import TYPE_CHECKING, Any

from dateutil.parser import UnknownTimezoneWarning

from archive.dateparse import parse_date
from archive.model import Article
from archive.readers.base import LINE_BREAK, Reader, ReadError, ReadResult, decode_text

if TYPE_CHECKING:
    from lxml.html import HtmlElement
    from trafilatura.settings import Document

# --- data: what an HTML page looks like --------------------------------------------------------------

SNIFF_SKIP = re.compile(r"\A(?:\s+|<\?xml[^>]*>|<!--.*?-->)*", re.DOTALL)
SNIFF_HTML = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)
HAS_HTML_ROOT = re.compile(r"<html[\s>]", re.IGNORECASE)
MAX_DEPTH = 255  # libxml2 stops building the tree there (a guard we keep against stack overflows)
FIRST_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9:_-]*)")
FEED_ROOTS = {"rss", "feed", "rdf:rdf"}
HTML_TAG = re.compile(
    r"<(?:!doctype\s+html|html|head|body|title|meta|div|p|article|main|section|h[1-6]|span|a|br"
    r"|ul|ol|li|table|script|style|link|header|footer|nav|em|strong|b|i)[\s>/]",
    re.IGNORECASE,
)

# --- data: metadata selectors, most trusted first -------------------------------------------------------

JSONLD = '//script[@type="application/ld+json"]'
ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "blogposting",
    "liveblogposting",
    "scholarlyarticle",
    "report",
    "webpage",
}
PUBLISHED_META = (
    '//meta[@property="article:published_time" or @name="article:published_time"]/@content',
    '//meta[@property="og:article:published_time"]/@content',
    '//meta[@itemprop="datePublished"]/@content',
    '//meta[translate(@name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")'
    ' = "dc.date.issued" or @name="DCTERMS.issued" or @name="dcterms.issued"]/@content',
    '//meta[@name="pubdate" or @name="publishdate" or @name="publish-date" or @name="parsely-pub-date"'
    ' or @name="sailthru.date" or @name="date" or @name="DC.date" or @name="dc.date"]/@content',
)
PUBLISHED_TIME = (
    '//time[@itemprop="datePublished"]/@datetime',
    "//time[@pubdate]/@datetime",
    "//article//time/@datetime",
    "//time/@datetime",
)
TITLE = (
    '//meta[@property="og:title"]/@content',
    '//meta[@name="twitter:title"]/@content',
)
SITE_NAME = ('//meta[@property="og:site_name"]/@content',)
AUTHOR = (
    '//meta[@name="author"]/@content',
    '//meta[@property="article:author"]/@content',
)
URL = (
    '//link[@rel="canonical"]/@href',
    '//meta[@property="og:url"]/@content',
)
LANGUAGE = (
    "/html/@lang",
    "/html/@xml:lang",
    '//meta[@http-equiv="content-language" or @http-equiv="Content-Language"]/@content',
    '//meta[@property="og:locale"]/@content',
)
NOT_AUTHORS = {"updated", "published", "posted", "by", "unknown", "admin", "administrator", "editor", "staff"}
NOT_A_NAME = re.compile(r"^https?:|^www\.|/")
INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
ISO_DATE = re.compile(r"\s*(\d{4}-\d{2}-\d{2})(?:[T\s]|$)")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")

# trafilatura's settings: balanced (fast=False), comments left out; see tests/test_readers_html.py.
EXTRACT_OPTIONS: dict[str, Any] = {
    "fast": False,
    "include_comments": False,
    "include_tables": True,
    "favor_precision": False,
    "favor_recall": False,
    "with_metadata": True,
    # the byline fallback for dates: htmldate on date-like elements and the URL, not free text
    "date_extraction_params": {"extensive_search": False, "original_date": True},
}


class HtmlReader(Reader):
    """A web page as crawled: any charset, boilerplate and all."""

    name = "html"
    suffixes = (".html", ".htm")

    def sniff(self, head: bytes) -> bool:
        text = _head_text(head)
        text = SNIFF_SKIP.sub("", text, count=1)
        return SNIFF_HTML.match(text) is not None

    def read(self, data: bytes, source: str) -> ReadResult:
        notes: list[str] = []
        text = decode_text(data, source, notes=notes, html=True)
        check_html(text, source)
        tree = _parse(text, source)
        if not _body_text(tree):
            raise _no_text(tree, source, "it has no body text")
        document = _extract(tree, source)
        body = _clean_text(document.text or "") if document else ""
        if not body or _only_links(body, tree):
            raise _no_text(tree, source, "only links and menus" if body else "")
        jsonld = jsonld_objects(tree)
        article = Article(
            text=body,
            title=_first(tree, TITLE) or _jsonld_field(jsonld, "headline") or _clean(document.title),
            published=published_date(tree, jsonld, document.date),
            source=_first(tree, SITE_NAME) or _clean(document.sitename),
            url=_first(tree, URL) or _clean(document.url),
            author=_author(document.author) or _author(_jsonld_author(jsonld)) or _author(_first(tree, AUTHOR)),
            language=_language(tree),
        )
        return ReadResult(source=source, articles=[article], warnings=notes)


# --- sniffing -----------------------------------------------------------------------------------------


def _head_text(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="ignore")
    return head.removeprefix(codecs.BOM_UTF8).decode("latin-1")


def check_html(text: str, source: str) -> None:
    """Raise ReadError unless ``text`` is an HTML page (a feed or plain text saved as .html is not)."""
    start = SNIFF_SKIP.sub("", text[:65536].lstrip("\ufeff"), count=1)
    first = FIRST_TAG.match(start)
    if first and first.group(1).lower() in FEED_ROOTS:
        raise ReadError(source, f"an RSS/Atom feed (<{first.group(1)}>), not an HTML page: name it .rss or .xml")
    if not HTML_TAG.search(text[:1_000_000]):
        raise ReadError(source, "not HTML: no HTML tags found")


# --- parsing and extraction -----------------------------------------------------------------------------


def _parse(text: str, source: str) -> HtmlElement:
    import trafilatura  # here, not at the top: a quarter of a second to import, and most ingests read no HTML

    if not HAS_HTML_ROOT.search(text[:65536]):
        text = f"<html>{text}</html>"  # a fragment: trafilatura only takes whole documents
    try:
        tree = trafilatura.load_html(text)
    except Exception as error:  # lxml and trafilatura raise many kinds; none may escape
        raise ReadError(source, f"cannot parse the HTML: {error}") from error
    if tree is None:
        raise ReadError(source, "cannot parse the HTML")
    return tree


def _no_text(tree: HtmlElement, source: str, detail: str = "") -> ReadError:
    """The error for a page without article text, saying why when we can tell."""
    if _depth(tree) >= MAX_DEPTH:
        detail = f"it is nested more than {MAX_DEPTH} elements deep, and what lies deeper is not read"
    return ReadError(source, "no article text found in the page" + (f": {detail}" if detail else ""))


def _body_text(tree: HtmlElement) -> bool:
    body = tree.find(".//body") if tree.tag != "body" else tree
    return body is not None and any(t.strip() for t in body.itertext())


def _depth(tree: HtmlElement) -> int:
    """How deep the parsed tree goes (without recursion: the parser stops near 256)."""
    deepest, stack = 0, [(tree, 0)]
    while stack:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in element)
    return deepest


def _only_links(text: str, tree: HtmlElement) -> bool:
    """Every line of the text is the whole text of a link: a menu, not an article."""
    links = {" ".join(a.text_content().split()) for a in tree.iter("a")}
    return all(line in links for line in text.split("\n"))


def _extract(tree: HtmlElement, source: str) -> Document | None:
    """trafilatura's main text and metadata, or None when it finds no main text."""
    import trafilatura
    from trafilatura.settings import Document

    try:
        document = trafilatura.bare_extraction(tree, **EXTRACT_OPTIONS)
    except RecursionError:
        raise ReadError(source, "the page is nested too deeply to read") from None
    except Exception as error:  # trafilatura, lxml and htmldate raise many kinds; none may escape
        raise ReadError(source, f"cannot extract the main text: {type(error).__name__}: {error}") from error
    return document if isinstance(document, Document) else None


def _clean_text(text: str) -> str:
    """Lines stripped, runs of blank lines dropped: one block per line (``base.LINE_BREAK`` says why)."""
    lines = (" ".join(line.split()) for line in text.replace("\r", "\n").split("\n"))
    return LINE_BREAK.join(line for line in lines if line)


# --- metadata ---------------------------------------------------------------------------------


def published_date(tree: HtmlElement, jsonld: list[dict[str, Any]], byline: str | None = None) -> date | None:
    """JSON-LD ``datePublished``, then published-time meta tags, then ``<time datetime>``, then the
    byline date ``byline`` (found by htmldate in date-like elements and the URL)."""
    candidates = [_jsonld_field(jsonld, "datePublished")]
    candidates += [value for xpath in PUBLISHED_META + PUBLISHED_TIME for value in _values(tree, xpath)[:1]]
    candidates.append(byline)
    for candidate in candidates:
        if candidate:
            try:
                return _to_date(candidate)
            except ValueError:
                continue
    return None


def _to_date(value: str) -> date:
    iso = ISO_DATE.match(value)
    if iso:
        return parse_date(iso.group(1))
    with warnings.catch_warnings():
        # "10:00 EST": dateutil warns that it cannot place the zone; only the day matters here
        warnings.simplefilter("ignore", UnknownTimezoneWarning)
        return parse_date(value)


def jsonld_objects(tree: HtmlElement) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page (at most 1000), article-like ones first."""
    found: list[dict[str, Any]] = []
    for script in tree.xpath(JSONLD):
        try:
            data = json.loads(script.text or "", strict=False)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack and len(found) < 1000:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                found.append(item)
                if "@graph" in item:
                    stack.append(item["@graph"])
    found.sort(key=lambda obj: not (_types(obj) & ARTICLE_TYPES))
    return found


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower() for k in kinds if isinstance(k, str)}


def _jsonld_field(jsonld: list[dict[str, Any]], key: str) -> str | None:
    for obj in jsonld:
        value = _clean(obj.get(key))
        if value:
            return value
    return None


def _jsonld_author(jsonld: list[dict[str, Any]]) -> str | None:
    for obj in jsonld:
        authors = obj.get("author")
        authors = authors if isinstance(authors, list) else [authors]
        names = [_clean(a.get("name") if isinstance(a, dict) else a) for a in authors]
        names = [n for n in names if n]
        if names:
            return "; ".join(dict.fromkeys(names))
    return None


def _language(tree: HtmlElement) -> str | None:
    for xpath in LANGUAGE:
        for value in _values(tree, xpath):
            tag = value.strip().replace("_", "-")
            if LANGUAGE_TAG.match(tag):
                return tag.split("-")[0].lower()
    return None


def _values(tree: HtmlElement, xpath: str) -> list[str]:
    return [str(v) for v in tree.xpath(xpath) if str(v).strip()]


def _first(tree: HtmlElement, xpaths: tuple[str, ...]) -> str | None:
    for xpath in xpaths:
        for value in _values(tree, xpath):
            cleaned = _clean(value)
            if cleaned:
                return cleaned
    return None


def _author(author: str | None) -> str | None:
    """A name, not a byline word ("Updated") or a profile link."""
    cleaned = _clean(author)
    if cleaned and cleaned.casefold() not in NOT_AUTHORS and not NOT_A_NAME.search(cleaned):
        return cleaned
    return None


def _clean(value: Any) -> str | None:
    """A metadata string with whitespace collapsed and invisible characters (soft hyphens, ZWSP) gone."""
    if not isinstance(value, str):
        return None
    cleaned = " ".join(INVISIBLE.sub("", value).split())
    return cleaned or None
