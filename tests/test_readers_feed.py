"""FeedReader: RSS 2.0, RSS 1.0 (RDF) and Atom into articles; hostile, broken and foreign XML refused."""

from __future__ import annotations

import time
import tracemalloc
from datetime import date
from pathlib import Path

import pytest

from archive.readers import read_bytes
from archive.readers.base import ReadError, ReadResult
from archive.readers.feed import FeedReader, feed_date, html_to_text

DATA = Path(__file__).parent / "data" / "feed"
READER = FeedReader()


def read(name: str) -> ReadResult:
    return READER.read((DATA / name).read_bytes(), name)


def rejection(name: str) -> str:
    with pytest.raises(ReadError) as caught:
        read(name)
    assert caught.value.source == name
    return caught.value.reason


# --- metadata, one row per item: (title, url, published, author) -------------------------------

METADATA = [
    (
        "rss2.xml",
        "Frontline Wire",
        [
            ("Kyiv says air defence repelled overnight attack", "https://frontline.example/2025/04/22/air-defence", date(2025, 4, 22), "Olena Hrytsenko"),
            ("Talks in Istanbul & what comes next", "https://frontline.example/2025/04/23/talks", date(2025, 4, 23), "Marta Kowalska"),
            ("Prisoner exchange completed", "https://frontline.example/2025/04/24/exchange", date(2025, 4, 24), None),
        ],
    ),
    (
        "atom.atom",
        "Ceasefire Monitor",
        [
            ("Truce holds along the southern front", "https://ceasefire.example/2025/05/01/truce", date(2025, 5, 1), "Iryna Bondar"),
            ("Grain corridor reopens", "https://ceasefire.example/2025/05/02/grain", date(2025, 5, 2), "Monitor Desk"),
            ("Summary-only entry", "https://ceasefire.example/2025/05/03/summary", date(2025, 5, 3), "Monitor Desk"),
        ],
    ),
    (
        "rdf.rss",
        "Aid Bulletin",
        [
            ("Convoy reaches Kherson", "https://aid.example/convoy", date(2025, 3, 10), "Aid Desk"),
            ("Shelters winterised", "https://aid.example/shelter", date(2025, 3, 11), None),
        ],
    ),
    (
        "windows1252.rss",
        "Café Dispatches",
        [("“We will rebuild” – mayor of Izium", "https://cafe.example/izium", date(2025, 6, 2), None)],
    ),
    (
        "rss091_netscape.rss",
        "Old Wire",
        [("Accord signé", "http://old.example/accord", None, None)],
    ),
]


@pytest.mark.parametrize("name, source, expected", METADATA, ids=[row[0] for row in METADATA])
def test_metadata_of_every_item(name: str, source: str, expected: list[tuple]) -> None:
    result = read(name)
    assert result.problems == []
    assert [(a.title, a.url, a.published, a.author) for a in result.articles] == expected
    assert {a.source for a in result.articles} == {source}
    assert all(a.id and a.text for a in result.articles)


# --- text: content over summary, HTML to paragraphs, entities decoded -----------------------------

TEXTS = [
    # content:encoded wins over description; <script> dropped; list items are paragraphs; UTF-8 kept.
    (
        "rss2.xml",
        0,
        "Ukraine's air force said on Tuesday it had shot down 40 of 54 drones.\n\n"
        '"We held the line," a spokesman said — adding that energy sites were hit.\n\n'
        "Kharkiv (Харків): 3 injured\n\n"
        "Odesa: port damaged",
    ),
    # escaped HTML in description: paragraphs apart, <br> a line break, &quot; decoded
    ("rss2.xml", 1, 'Negotiators met for a second day.\n\nBoth sides called the talks "constructive".\nNo date was set.'),
    # plain-text description: its blank-line paragraphs kept
    ("rss2.xml", 2, "Plain summary from Київ, first paragraph.\n\nSecond paragraph of the plain summary."),
    # Atom xhtml content wins over summary
    ("atom.atom", 0, "Observers reported no shelling for a second night.\n\nThe mission said it would extend patrols."),
    ("atom.atom", 1, "Ships left Odesa on Friday.\n\nInsurers & traders welcomed it."),
    # Atom type="text": taken as written, not as HTML
    ("atom.atom", 2, "Only a plain-text summary, with AT&T kept as written."),
    ("rdf.rss", 1, "Stoves were installed in 40 shelters."),
    ("windows1252.rss", 0, "The mayor said repairs would cost €2m; the café reopened."),
    # HTML entities named by the (never fetched) Netscape DTD; the no-break space folds to a space
    ("rss091_netscape.rss", 0, "Les deux parties ont signé l'accord."),
]


@pytest.mark.parametrize("name, index, text", TEXTS)
def test_text_of_item(name: str, index: int, text: str) -> None:
    assert read(name).articles[index].text == text


def test_language_from_channel_or_xml_lang() -> None:
    assert {a.language for a in read("rss2.xml").articles} == {"en-gb"}
    assert {a.language for a in read("atom.atom").articles} == {"en"}
    assert {a.language for a in read("rss091_netscape.rss").articles} == {"fr"}


HTML_TO_TEXT = [
    ("<p>One</p><p>Two</p>", "One\n\nTwo"),
    ("<div>Line one<br>line two</div>", "Line one\nline two"),
    ("<h2>Head</h2>body <b>bold</b> &amp; <i>it</i>", "Head\n\nbody bold & it"),
    ("<p>Kept</p><style>p { color: red }</style><script>alert(1)</script><!-- note -->", "Kept"),
    ("Fish &amp;amp; chips &#8212; R&D &notanentity", "Fish &amp; chips — R&D &notanentity"),
    ("https://example.org/story.html", "https://example.org/story.html"),
    ("<?xml version='1.0'?><p>after a stray declaration</p>", "after a stray declaration"),
    ("<div>" * 3000 + "deep" + "</div>" * 3000, "deep"),
    ("", ""),
]


@pytest.mark.parametrize("markup, text", HTML_TO_TEXT)
def test_html_to_text(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


FEED_DATES = [
    ("Tue, 22 Apr 2025 23:30:00 -0500", date(2025, 4, 22)),  # the publisher's calendar day, not UTC's
    ("Wed, 23 Apr 2025 22:15:00 EDT", date(2025, 4, 23)),
    ("Wed, 23 Apr 2025 08:15:00 CEST", date(2025, 4, 23)),  # zone name unknown to both parsers
    ("2025-05-01T22:10:00+03:00", date(2025, 5, 1)),
    ("2025-03-11", date(2025, 3, 11)),
]


@pytest.mark.parametrize("value, expected", FEED_DATES)
def test_feed_date(value: str, expected: date) -> None:
    assert feed_date(value) == expected


def test_unreadable_feed_date_raises_value_error() -> None:
    with pytest.raises(ValueError, match="sometime"):
        feed_date("sometime last week")


# --- problems: items without text, bad dates, truncation ---------------------------------------


def test_items_without_text_are_skipped_and_reported() -> None:
    result = read("item_without_text.rss")
    assert [a.title for a in result.articles] == ["First report", "Last report"]
    assert result.problems == [
        "item 2 ('Photo: damaged bridge'): no text",
        "item 3 ('Headline only'): no text",
        "item 4 ('Last report'): unreadable date 'sometime last week', left unknown",
    ]
    assert result.articles[1].published is None


def test_truncated_feed_keeps_complete_items() -> None:
    result = read("truncated.rss")
    assert [a.title for a in result.articles] == ["Complete item one", "Complete item two"]
    assert [a.text for a in result.articles] == ["The first item is whole.", "The second item is whole too."]
    assert {a.source for a in result.articles} == {"Cut Short News"}
    assert result.problems == ["feed is truncated or malformed at line 18, column 58 (no element found): kept 2 complete items"]


def test_truncated_feed_without_a_complete_item_is_rejected() -> None:
    assert rejection("truncated_no_item.rss") == "feed is truncated or malformed at line 8, column 1 (no element found): no complete item"


def test_every_cut_keeps_exactly_the_items_completed_before_it() -> None:
    """A feed cut anywhere gives the whole items before the cut (equal to an uncut read), or a ReadError."""
    data = (DATA / "rss2.xml").read_bytes()
    whole = READER.read(data, "rss2.xml").articles
    outcomes = set()
    for cut in range(1, len(data)):  # every byte, so cuts inside multi-byte characters too
        try:
            result = READER.read(data[:cut], "cut.xml")
        except ReadError as error:
            assert error.reason.startswith(("feed is truncated or malformed", "not a feed", "empty file"))
            outcomes.add(0)
            continue
        kept = len(result.articles)
        assert result.articles == whole[:kept]
        if data[:cut].rstrip() == data.rstrip():
            assert result.problems == []
        else:
            assert len(result.problems) == 1 and result.problems[0].startswith("feed is truncated or malformed")
            assert result.problems[0].endswith(f"kept {kept} complete item{'s' if kept > 1 else ''}")
        outcomes.add(kept)
    assert outcomes == {0, 1, 2, 3}


def test_feed_with_no_items_is_read_with_a_problem() -> None:
    result = READER.read(b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>', "quiet.rss")
    assert result.articles == [] and result.problems == ["RSS 2.0 feed has no items"]


# --- security: refused at once, nothing expanded or fetched ------------------------------------

HOSTILE = [
    ("bomb.xml", "feed declares XML entities (DTD): refused for safety"),
    ("quadratic.xml", "feed declares XML entities (DTD): refused for safety"),
    ("external_entity.xml", "feed declares XML entities (DTD): refused for safety"),
    ("external_dtd.xml", "feed refers to an external DTD or entity (http://attacker.example/evil.dtd): refused for safety"),
]


@pytest.mark.parametrize("name, reason", HOSTILE, ids=[row[0] for row in HOSTILE])
def test_hostile_feed_is_refused(name: str, reason: str) -> None:
    assert rejection(name) == reason


@pytest.mark.parametrize("name", ["bomb.xml", "quadratic.xml"])
def test_entity_blowup_is_refused_in_bounded_time_and_memory(name: str) -> None:
    data = (DATA / name).read_bytes()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ReadError, match="refused for safety"):
            READER.read(data, name)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 5  # sanity bound only: expanded, these would be gigabytes
    assert peak < 50 * 1024 * 1024


def test_hostile_feed_is_refused_when_sniffed_from_standard_input() -> None:
    data = (DATA / "bomb.xml").read_bytes()
    assert READER.sniff(data[:1024].lstrip())
    with pytest.raises(ReadError, match="refused for safety"):
        read_bytes(data, "-")


# --- not feeds ----------------------------------------------------------------------------------

NOT_FEEDS = [
    ("not_a_feed.xml", "not a feed: the document is <catalog>; expected <rss>, <feed> (Atom) or <rdf:RDF> (RSS 1.0)"),
    ("html_page.xml", "not a feed: the document is an HTML page (<!DOCTYPE html>); expected <rss>, <feed> (Atom) or <rdf:RDF> (RSS 1.0)"),
]


@pytest.mark.parametrize("name, reason", NOT_FEEDS, ids=[row[0] for row in NOT_FEEDS])
def test_not_a_feed_is_rejected(name: str, reason: str) -> None:
    assert rejection(name) == reason


BAD_BYTES = [
    (b"", "empty file: nothing to read"),
    (b"  \n\t", "empty file: nothing to read"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file: not text, HTML, a feed or JSON"),
    (b"just some words", "not a feed: not well-formed XML at line 1, column 1 (syntax error)"),
    (b'<rss version="2.0"><body/></rss>', "not a feed: <rss> has no <channel>"),
]


@pytest.mark.parametrize("data, reason", BAD_BYTES)
def test_unreadable_bytes_are_rejected(data: bytes, reason: str) -> None:
    with pytest.raises(ReadError) as caught:
        READER.read(data, "input.xml")
    assert caught.value.reason == reason


# --- sniffing -----------------------------------------------------------------------------------

SNIFF = [
    (b'<?xml version="1.0"?>\n<rss version="2.0">', True),
    (b'<?xml version="1.0"?><!-- generated --><feed xmlns="http://www.w3.org/2005/Atom">', True),
    (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">', True),
    (b"<rss>", True),
    (b"<feed>", True),
    (b'\xef\xbb\xbf<?xml version="1.0"?><rss>', True),
    ('<?xml version="1.0" encoding="utf-16"?><feed>'.encode("utf-16"), True),
    (b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "' + b"x" * 2000, True),
    (b'<?xml version="1.0"?><catalog><rss/></catalog>', False),
    (b"<!DOCTYPE html><html><body>feed</body></html>", False),
    (b"rss feed of the day", False),
    (b'{"rss": 1}', False),
    (b"", False),
]


@pytest.mark.parametrize("head, expected", SNIFF)
def test_sniff(head: bytes, expected: bool) -> None:
    assert READER.sniff(head) is expected


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.iterdir()))
def test_fixture_is_sniffed_as_feed_unless_it_is_not_one(name: str) -> None:
    head = (DATA / name).read_bytes()[:1024].lstrip()
    assert READER.sniff(head) is (name not in ("not_a_feed.xml", "html_page.xml"))


def test_reader_registration() -> None:
    assert READER.name == "feed"
    assert READER.suffixes == (".rss", ".atom", ".xml")
