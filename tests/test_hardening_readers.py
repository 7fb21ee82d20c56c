"""Readers under hostile or careless input (issue 15, items 8, 9 and 12): undeclared encodings, very
large prose, and feed text with markup inside."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.readers import read_path
from cli.app import cli

RUSSIAN = "Песков заявил в понедельник, что переговоры в Стамбуле продолжатся. «Мы готовы», сказал он.\n"
UKRAINIAN = "Зеленський заявив, що Україна готова до перемир'я. Київ чекає відповіді від Москви.\n"


def parley(home: Path, *args: str):
    return CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)


# --- item 8: undeclared encodings ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (RUSSIAN.replace("«", '"').replace("»", '"'), "cp1251"),
        (RUSSIAN.replace("«", '"').replace("»", '"'), "koi8_r"),
        (UKRAINIAN, "cp1251"),
        (UKRAINIAN, "koi8_u"),
    ],
)
@pytest.mark.parametrize("suffix", [".txt", ".jsonl"])
def test_undeclared_cyrillic_is_detected_and_named(tmp_path, text, encoding, suffix):
    path = tmp_path / f"article{suffix}"
    body = text if suffix == ".txt" else json.dumps({"title": "Talks", "text": text}, ensure_ascii=False) + "\n"
    path.write_bytes(body.encode(encoding))
    result = read_path(path)
    assert result.articles[0].text == text
    assert result.warnings == [f"no encoding declared and not UTF-8: read as {encoding} (detected)"]


def test_mixed_utf8_and_latin1_lines_are_each_read_right(tmp_path):
    path = tmp_path / "mixed.txt"
    utf8 = "Jean-Noël Barrot said the truce was a public relations move.\nThe Élysée said nothing.\n".encode()
    latin1 = "Noël Barrot added that Paris would wait.\n".encode("latin-1")
    path.write_bytes(utf8 + latin1)
    result = read_path(path)
    assert "Ã" not in result.articles[0].text
    assert result.articles[0].text.endswith("Noël Barrot added that Paris would wait.\n")
    assert result.warnings == ["mixed encodings: 1 line(s) are not UTF-8 and were read as cp1252 (detected)"]


def test_ingest_reports_the_encoding_it_guessed(tmp_path):
    folder = tmp_path / "feed"
    folder.mkdir()
    (folder / "ru.txt").write_bytes(RUSSIAN.encode("cp1251"))
    (folder / "en.txt").write_text("Officials in Kyiv said the talks would go on.\n", encoding="utf-8")
    summary = json.loads(parley(tmp_path / "home", "ingest", "--json", str(folder)).stdout)
    assert summary["added"] == 2
    assert summary["warnings"] == [{"source": str(folder / "ru.txt"), "reason": "no encoding declared and not UTF-8: read as cp1251 (detected)"}]


# --- item 12: feed text with elements inside ---------------------------------------------------------

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>
<entry><title>Lavrov</title><id>urn:x:1</id><updated>2025-04-22T10:00:00Z</updated>
<summary>Lavrov said <b>"no deal"</b> was possible before <i>May</i>, and left.</summary></entry>
</feed>"""
RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire</title>
<item><title>Lavrov</title><description>Lavrov said <b>"no deal"</b> was possible before <i>May</i>, and left.</description></item>
</channel></rss>"""


@pytest.mark.parametrize(("name", "feed"), [("a.atom", ATOM), ("b.rss", RSS)])
def test_feed_text_with_child_elements_is_kept_whole(tmp_path, name, feed):
    path = tmp_path / name
    path.write_text(feed, encoding="utf-8")
    text = read_path(path).articles[0].text
    assert " ".join(text.split()) == 'Lavrov said "no deal" was possible before May, and left.'


# --- item 9: a very large article ---------------------------------------------------------------------


def test_a_6_mb_prose_file_is_extracted_only_up_to_the_cap_with_a_warning(tmp_path):
    from archive.extract.pipeline import MAX_EXTRACT_CHARS, extract_or_keep

    seed = next((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))
    body = read_path(seed).articles[0].text
    path = tmp_path / "huge.txt"
    path.write_text("---\ntitle: Huge\n---\n" + body * (6_000_000 // len(body) + 1), encoding="utf-8")
    article = read_path(path).articles[0]
    assert len(article.text) > 6_000_000
    extraction, note = extract_or_keep(article)
    assert note is not None and "were looked for in the first" in note
    assert extraction.article.text == article.text  # stored whole
    assert extraction.statements and all(s.end <= MAX_EXTRACT_CHARS for s in extraction.statements)
    assert len(extraction.statements) < 2_000
