"""HtmlReader: main text, metadata, charsets and the pages it refuses (one fixture per case)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.model import Article
from archive.readers.base import ReadError, declared_charset
from archive.readers.html import HtmlReader

DATA = Path(__file__).parent / "data" / "html"
READER = HtmlReader()
FIRST_PARAGRAPH = "Ukrainian and Russian negotiators met in Istanbul on Monday"


def read(name: str) -> Article:
    result = READER.read((DATA / name).read_bytes(), name)
    assert result.source == name
    assert len(result.articles) == 1
    return result.articles[0]


def read_bytes(data: bytes) -> Article:
    return READER.read(data, "page.html").articles[0]


# --- published date: JSON-LD, then meta, then <time>, then the byline ------------------------------


@pytest.mark.parametrize(
    ("name", "published"),
    [
        ("jsonld_date.html", date(2025, 4, 21)),  # beats the meta tag, the <time> and a WebSite date
        ("meta_published_time.html", date(2025, 4, 22)),  # beats an "Updated" <time>
        ("time_element.html", date(2025, 4, 23)),  # the article's <time>, not the sidebar's
        ("byline_date.html", date(2025, 4, 24)),  # "Published: April 24, 2025"
        ("undated.html", None),
    ],
)
def test_published_date_sources_in_order(name: str, published: date | None) -> None:
    article = read(name)
    assert article.published == published
    assert FIRST_PARAGRAPH in article.text


def test_metadata_from_jsonld_and_meta_tags() -> None:
    page = b"""<!DOCTYPE html><html lang="uk-UA"><head><meta charset="utf-8">
    <title>Talks resume | Example News</title>
    <meta property="og:title" content="Talks resume in Istanbul">
    <meta property="og:site_name" content="Example News">
    <meta property="og:url" content="https://news.example.org/og-url">
    <link rel="canonical" href="https://news.example.org/2025/04/21/talks">
    <meta name="author" content="Olena Kovalenko">
    </head><body><article><h1>Talks resume in Istanbul</h1>
    <p>Ukrainian and Russian negotiators met in Istanbul on Monday for a third round of talks.</p>
    <p>The talks focused on an exchange of prisoners and on the safety of the nuclear plant.</p>
    </article></body></html>"""
    article = read_bytes(page)
    assert article.title == "Talks resume in Istanbul"
    assert article.source == "Example News"
    assert article.url == "https://news.example.org/2025/04/21/talks"
    assert article.author == "Olena Kovalenko"
    assert article.language == "uk"
    assert article.published is None
    assert article.id  # derived from text and URL by the model


def test_jsonld_author_names_joined() -> None:
    article = read("jsonld_date.html")
    assert article.author == "Olena Kovalenko"
    assert article.title == "Third round of talks ends in Istanbul"
    assert article.language == "en"


def test_byline_word_is_not_an_author() -> None:
    assert read("meta_published_time.html").author is None  # the byline says "Updated"


# --- main text ---------------------------------------------------------------------------------------


def test_boilerplate_left_out_and_paragraphs_kept() -> None:
    text = read("boilerplate.html").text
    paragraphs = [
        "Ukraine's air defence forces shot down most of the drones launched at Kyiv overnight,",
        "Debris from one drone fell on a residential building in the Solomianskyi district,",
        "The attack lasted more than four hours,",
        "Officials urged residents to stay in shelters during alerts",
    ]
    for paragraph in paragraphs:
        assert paragraph in text
    lines = text.split("\n")
    where = [next(i for i, line in enumerate(lines) if line.startswith(p)) for p in paragraphs]
    assert where == sorted(set(where)), "each paragraph on a line of its own, in page order"
    for boilerplate in (
        "SCRIPT-TEXT",
        "STYLE-RULE",
        "cookies",
        "World news section",
        "Politics and elections",
        "Share on Facebook",
        "Email this story",
        "Related stories",
        "blackouts this winter",
        "reader123",
        "comment by a reader",
        "Another reader comment",
        "Copyright 2025",
        "Privacy policy",
        "Terms of use",
    ):
        assert boilerplate not in text


def test_text_is_one_block_per_line_without_blank_lines() -> None:
    text = read("jsonld_date.html").text
    assert "\n\n" not in text and not text.startswith("\n") and not text.endswith("\n")
    assert all(line == line.strip() and line for line in text.split("\n"))


def test_entities_decoded_and_inline_elements_keep_spacing() -> None:
    page = (
        b"<html><body><article><p>The <a href='/k'>Kremlin</a>&#8217;s spokesman said the &#8220;talks&#8221; "
        b"were <em>constructive</em>&nbsp;&amp; would go on, according to a statement published on Monday.</p>"
        b"<p>A second paragraph follows, long enough to be part of the article text on the page.</p>"
        b"</article></body></html>"
    )
    text = read_bytes(page).text
    assert "The Kremlin’s spokesman said the “talks” were constructive & would go on" in text


def test_fragment_without_html_element_is_read() -> None:
    article = read_bytes(b"<p>Negotiators met on Monday for a third round of talks, officials said.</p>")
    assert article.text == "Negotiators met on Monday for a third round of talks, officials said."


# --- charsets --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("latin1_undeclared.html", "Die Außenminister der Europäischen Union haben sich am Montag in Brüssel"),
        ("windows1252_declared.html", "“We will not accept any ceasefire that freezes the front line,” the minister said —"),
        ("windows1252_declared.html", "worth €2.5 billion"),
        ("iso88591_declared_smart_quotes.html", "“We will not accept any ceasefire"),  # ISO-8859-1 read as Windows-1252
        ("utf8_mislabelled_latin1.html", "Die Maßnahmen betreffen vor allem Öl- und Gasexporte"),
        ("utf8_bom.html", "Сили протиповітряної оборони збили більшість дронів, запущених по Києву"),
        ("utf16_bom.html", "Уламки одного з дронів упали на житловий будинок у Солом’янському районі"),
        ("windows1251_declared.html", "Министерство иностранных дел заявило в понедельник"),
        ("windows1251_undeclared.html", "Министерство иностранных дел заявило в понедельник"),
        ("xhtml_xml_declaration.html", "« Nous sommes prêts à poursuivre le dialogue », a déclaré"),
    ],
)
def test_charsets_declared_undeclared_and_boms(name: str, expected: str) -> None:
    article = read(name)
    assert expected in article.text
    assert "\ufeff" not in article.text and "\ufffd" not in article.text


@pytest.mark.parametrize(
    ("head", "codec"),
    [
        (b'<meta charset="utf-8">', "utf-8"),
        (b"<meta charset=ISO-8859-1>", "cp1252"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">', "cp1251"),
        (b"<meta http-equiv='content-type' content='text/html;charset=gb2312'>", "gb18030"),
        (b'<?xml version="1.0" encoding="iso-8859-2"?>', "iso8859-2"),
        (b'<meta charset="utf-16">', "utf-8"),  # a page readable as ASCII is not UTF-16
        (b'<meta charset="no-such-charset">', None),
        (b"<html><head><title>none</title>", None),
    ],
)
def test_declared_charset(head: bytes, codec: str | None) -> None:
    # an XML declaration may only open a document; a <meta> sits in the head
    page = head + b"<!DOCTYPE html>" if head.startswith(b"<?xml") else b"<!DOCTYPE html><html><head>" + head
    assert declared_charset(page) == codec


# --- refusals ----------------------------------------------------------------------------------------------

DEEP = 100_000


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\t ", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "binary file"),
        ((DATA / "no_body.html").read_bytes(), "no article text found in the page: it has no body text"),
        ((DATA / "navigation_only.html").read_bytes(), "no article text found in the page: only links and menus"),
        ((DATA / "feed_saved_as_html.html").read_bytes(), "an RSS/Atom feed (<rss>), not an HTML page"),
        ((DATA / "plain_text.html").read_bytes(), "not HTML: no HTML tags found"),
        (b'{"title": "Talks", "text": "Negotiators met on Monday."}', "not HTML"),
        (b"<html><body>" + b"<div>" * DEEP + b"<p>Deep text.</p>" + b"</div>" * DEEP + b"</body></html>", "nested more than 255 elements deep"),
    ],
    ids=["empty", "blank", "binary", "no_body", "navigation_only", "feed", "plain_text", "json", "deeply_nested"],
)
def test_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ReadError) as raised:
        READER.read(data, "page.html")
    assert raised.value.source == "page.html"
    assert reason in raised.value.reason
    assert str(raised.value) == f"page.html: {raised.value.reason}"


@pytest.mark.parametrize(
    "body",
    [
        b"<div>text " * DEEP,  # unclosed divs, text at every level
        b"<ul><li>item " * DEEP,
        b"<table><tr><td>" * (DEEP // 5),
        b"<p>" + b"<b>bold " * DEEP + b"</p>",
    ],
    ids=["divs", "lists", "tables", "inline"],
)
def test_deeply_nested_pages_read_without_crashing(body: bytes) -> None:
    lead = b"<p>" + b"Negotiators met on Monday for a third round of talks, officials said. " * 5 + b"</p>"
    article = read_bytes(b"<!DOCTYPE html><html><body>" + lead + body + b"</body></html>")
    assert "Negotiators met on Monday" in article.text


def test_deeply_nested_json_ld_is_ignored() -> None:
    page = (
        (DATA / "undated.html").read_bytes().replace(b"</head>", b'<script type="application/ld+json">' + b"[" * 100_000 + b"]" * 100_000 + b"</script></head>")
    )
    assert read_bytes(page).published is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "<html>",
                    "<body>",
                    "<p>",
                    "</p>",
                    "<div>",
                    "</div>",
                    "<a href='x'>",
                    "</a>",
                    "<script>",
                    "</script>",
                    "<!--",
                    "-->",
                    "<meta charset='",
                    "'>",
                    "<time datetime='",
                    '<script type="application/ld+json">{"datePublished": ',
                    "<![CDATA[",
                    "&#",
                    ";",
                    "\x00",
                ]
            ),
            st.text(max_size=40),
        ),
        max_size=40,
    ).map("".join),
    st.sampled_from(["utf-8", "utf-16", "cp1252", "latin-1"]),
)
def test_any_input_gives_an_article_or_a_read_error(markup: str, encoding: str) -> None:
    data = markup.encode(encoding, errors="replace")
    try:
        result = READER.read(data, "fuzz.html")
    except ReadError as error:
        assert error.reason
    else:
        assert result.articles[0].text.strip()


# --- sniffing ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "is_html"),
    [
        (b"<!DOCTYPE html><html>", True),
        (b"<!doctype HTML>\n<html lang=en>", True),
        (b"\xef\xbb\xbf<html>\n<head>", True),
        (b"<html>", True),
        (b"<HEAD><TITLE>x</TITLE>", True),
        (b"<body>", True),
        (b'<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN">', True),
        (b"<!-- saved from url=(0040)https://example.org -->\n<html>", True),
        ("<!DOCTYPE html><html>".encode("utf-16"), True),
        (b'<?xml version="1.0"?><rss version="2.0">', False),
        (b'<feed xmlns="http://www.w3.org/2005/Atom">', False),
        (b'{"title": "x"}', False),
        (b"Ceasefire talks resume in Istanbul", False),
        (b"<htmlish>", False),
        (b"", False),
    ],
)
def test_sniff(head: bytes, is_html: bool) -> None:
    assert READER.sniff(head) is is_html


def test_reader_declares_its_name_and_suffixes() -> None:
    assert READER.name == "html"
    assert READER.suffixes == (".html", ".htm")
