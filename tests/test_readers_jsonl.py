from datetime import date

import pytest
from conftest import DATA

from archive.readers import ReadError, read_bytes, read_path


def test_good_lines_kept_bad_lines_reported():
    result = read_path(DATA / "batch" / "mixed_lines.jsonl")
    titles = [a.title for a in result.articles]
    assert titles == ["Zelenskyy urges allies", "HTML article"]
    first = result.articles[0]
    assert first.published == date(2025, 4, 21)
    assert first.url == "https://example.org/a"
    assert first.source == "Test Wire"
    assert [p.split(":")[0] for p in result.problems] == ["line 2", "line 4", "line 5"]
    assert "invalid JSON" in result.problems[0]
    assert "expected an object" in result.problems[1]
    assert "no 'text' or 'html'" in result.problems[2]


def test_html_field_becomes_text():
    html_article = read_path(DATA / "batch" / "mixed_lines.jsonl").articles[1]
    assert "Dmitry Peskov told Interfax" in html_article.text
    assert "<p>" not in html_article.text


def test_json_list_file():
    data = b'[{"text": "One.", "title": "a"}, {"text": "Two.", "title": "b", "published": "22 April 2025"}]'
    result = read_bytes(data, "batch.json")
    assert [a.title for a in result.articles] == ["a", "b"]
    assert result.articles[1].published == date(2025, 4, 22)


def test_non_string_field_is_reported():
    result = read_bytes(b'{"text": "Fine."}\n{"text": 42}\n', "x.jsonl")
    assert len(result.articles) == 1
    assert result.problems == ["line 2: 'text' must be a string, got int"]


def test_nothing_usable_is_an_error():
    with pytest.raises(ReadError, match="no usable article"):
        read_bytes(b"{broken\n", "x.jsonl")


def test_invalid_json_file():
    with pytest.raises(ReadError, match="invalid JSON at line 1"):
        read_bytes(b'[{"text": "x"', "x.json")


def test_bad_date_kept_unknown():
    result = read_bytes(b'{"text": "Body.", "published": "soon"}', "x.jsonl")
    assert result.articles[0].published is None
    assert "not a date" in result.problems[0]
