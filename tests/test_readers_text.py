from datetime import date

import pytest
from conftest import DATA, PROJECT

from archive.readers import ReadError, read_path
from archive.readers.text import TextReader, headline, split_front_matter

BATCH = DATA / "batch"


def test_front_matter_fields_and_verbatim_body():
    article = read_path(BATCH / "good.txt").articles[0]
    assert article.title == "Air force reports overnight drone attack"
    assert article.published == date(2025, 4, 22)
    assert article.source == "Test Wire"
    assert article.url == "https://example.org/drones"
    assert article.text.startswith("Ukraine's air force reported")
    raw = (BATCH / "good.txt").read_text(encoding="utf-8")
    assert raw.endswith(article.text)


def test_seed_body_is_byte_for_byte_and_dated():
    article = read_path(PROJECT / "seeds" / "000_57fd264df8e55351.txt").articles[0]
    assert article.published == date(2025, 4, 22)
    assert article.text.startswith("Russian President Vladimir Putin has expressed")
    assert article.text.endswith("hurdles to a lasting ceasefire.\n")
    assert len(article.text) == 2966


def test_without_front_matter_title_from_headline_and_no_date():
    article = read_path(BATCH / "good_no_front_matter.md").articles[0]
    assert article.title == "Barrot doubts Kremlin intentions"
    assert article.published is None
    assert article.text.startswith("Barrot doubts")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Kyiv hit by drones\n\nThe city was attacked.", "Kyiv hit by drones"),
        ("A long first paragraph that ends like a sentence.\nMore.", None),
        ("Only one line", None),
        ("# Markdown headline\nbody", "Markdown headline"),
        ("x" * 200 + "\nbody", None),
    ],
)
def test_headline(body, expected):
    assert headline(body) == expected


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("latin1.txt", "Café owners in Kharkiv"),
        ("windows1252.txt", "minister’s aide said the “ceasefire” would hold – for now"),
        ("utf8_bom.txt", "The mayor of Odesa"),
    ],
)
def test_encodings(name, needle):
    article = read_path(BATCH / name).articles[0]
    assert needle in article.text
    assert not article.text.startswith("\ufeff")


@pytest.mark.parametrize(
    ("name", "reason"),
    [("empty.txt", "empty file"), ("binary.txt", "binary file")],
)
def test_rejected_with_reason(name, reason):
    with pytest.raises(ReadError) as caught:
        read_path(BATCH / name)
    assert reason in caught.value.reason
    assert name in str(caught.value)


def test_bad_published_is_reported_not_fatal():
    result = TextReader().read(b"---\npublished: someday\n---\nText of the article.\n", "x.txt")
    assert result.articles[0].published is None
    assert result.problems == ["published 'someday' is not a date: kept as unknown"]


def test_unclosed_front_matter_is_an_error():
    with pytest.raises(ReadError, match="no closing"):
        TextReader().read(b"---\ntitle: x\nText without a closing fence\n", "x.txt")


def test_front_matter_only_is_an_error():
    with pytest.raises(ReadError, match="no article text"):
        TextReader().read(b"---\ntitle: x\n---\n\n", "x.txt")


def test_split_front_matter_crlf_and_quotes():
    meta, body = split_front_matter('---\ntitle: "Quoted: title"\nurl: \n---\nBody\n')
    assert meta == {"title": "Quoted: title", "url": ""}
    assert body == "Body\n"
