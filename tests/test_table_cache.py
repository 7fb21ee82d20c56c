"""The per-user table cache, and the gazetteer read through it: equal to a fresh build, rebuilt when its sources change."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT

from archive.extract import gazetteer as gazetteer_module
from archive.extract import table_cache
from archive.extract.gazetteer import Gazetteer, source_key
from archive.extract.table_cache import cached, table_key


def _never() -> dict:
    raise AssertionError("built although the cache holds the table")


@pytest.fixture(scope="module")
def draft() -> gazetteer_module._Draft:
    return gazetteer_module._build()


@pytest.fixture(scope="module")
def fresh(draft: gazetteer_module._Draft) -> dict:
    return draft.table()


def test_cached_gazetteer_table_equals_the_freshly_built_one(tmp_path: Path, fresh: dict) -> None:
    key = source_key()
    written = cached("gazetteer", key, lambda: fresh, folder=tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [f"gazetteer-{key}.marshal"]
    read = cached("gazetteer", key, _never, folder=tmp_path)
    assert read == fresh and written is fresh
    assert read["entries"] and len(read["aliases"]) > 100_000
    assert gazetteer_module.gazetteer().keys() == list(fresh["aliases"])  # this process's gazetteer, however it came


def test_gazetteer_read_from_a_table_answers_as_the_draft_it_was_made_from(draft: gazetteer_module._Draft, fresh: dict) -> None:
    gaz = Gazetteer(marshal.loads(marshal.dumps(fresh)))
    assert sorted(gaz.keys()) == sorted(draft.aliases)
    assert all(word in gaz.first_tokens for word in draft.first_tokens) and gaz.words == draft.words
    later = {w for k in draft.aliases for w in k.split(" ")[1:]} - draft.first_tokens
    assert later and not any(word in gaz.first_tokens for word in later)
    assert gaz.countries == draft.countries and gaz.states == draft.states
    for folded, built in draft.aliases.items():
        alias = gaz.lookup(folded)
        assert alias.entries == built.entries, folded
        assert (alias.lower_ok, alias.acronym, alias.comma, alias.period, alias.after_comma) == (
            built.lower_ok,
            built.acronym,
            built.comma,
            built.period,
            built.after_comma,
        ), folded
    stems = {" ".join(k.split(" ")[:n]) for k in draft.aliases for n in range(1, k.count(" ") + 1)}
    assert gaz.stems() == stems
    assert gaz.lookup("no such place at all") is None


def test_an_entry_is_one_object_whatever_name_leads_to_it(fresh: dict) -> None:
    gaz = Gazetteer(marshal.loads(marshal.dumps(fresh)))
    (kyiv,) = [e for e in gaz.lookup("kyiv").entries if e.prior > 0]  # the curated entry, with "Kiev" among its aliases
    assert any(e is kyiv for e in gaz.lookup("kiev").entries)
    assert gaz.lookup("kyiv") is gaz.lookup("kyiv")


def test_key_changes_with_any_source_byte_or_version(tmp_path: Path) -> None:
    source = tmp_path / "places.toml"
    source.write_text("a = 1\n")
    first = table_key([source], ["pkg 1.0"])
    assert table_key([source], ["pkg 1.0"]) == first
    assert table_key([source], ["pkg 1.1"]) != first
    source.write_text("a = 2\n")
    assert table_key([source], ["pkg 1.0"]) != first


def test_a_changed_data_file_rebuilds_the_table(tmp_path: Path) -> None:
    source = tmp_path / "words.txt"
    source.write_text("kyiv\n")

    def build() -> dict:
        return {"words": tuple(source.read_text().split())}

    folder = tmp_path / "cache"
    assert cached("words", table_key([source]), build, folder=folder) == {"words": ("kyiv",)}
    source.write_text("kyiv\nkharkiv\n")
    assert cached("words", table_key([source]), build, folder=folder) == {"words": ("kyiv", "kharkiv")}
    assert cached("words", table_key([source]), _never, folder=folder) == {"words": ("kyiv", "kharkiv")}


def test_an_unwritable_cache_folder_builds_in_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    assert cached("t", "k", lambda: {"x": 1}, folder=blocker / "cache") == {"x": 1}
    assert blocker.read_text() == "a file where the cache folder should be"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_cache_folder_builds_in_memory(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        assert cached("t", "k", lambda: {"x": 1}, folder=folder) == {"x": 1}
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_a_damaged_cache_file_is_rebuilt(tmp_path: Path, damage: str) -> None:
    assert cached("t", "k", lambda: {"x": list(range(100))}, folder=tmp_path) == {"x": list(range(100))}
    path = tmp_path / "t-k.marshal"
    data = path.read_bytes()
    path.write_bytes({"truncate": data[:-7], "garbage": data[:30] + b"\xff" * (len(data) - 30), "empty": b""}[damage])
    assert cached("t", "k", lambda: {"x": "rebuilt"}, folder=tmp_path) == {"x": "rebuilt"}
    assert cached("t", "k", _never, folder=tmp_path) == {"x": "rebuilt"}


def test_only_the_newest_versions_of_a_table_are_kept(tmp_path: Path) -> None:
    for n in range(table_cache.KEEP + 3):
        cached("t", f"k{n}", lambda n=n: n, folder=tmp_path)
        os.utime(tmp_path / f"t-k{n}.marshal", (n, n))  # distinct ages, whatever the clock's resolution
    kept = sorted(p.name for p in tmp_path.glob("t-*.marshal"))
    assert len(kept) == table_cache.KEEP and "t-k0.marshal" not in kept


def test_cache_folder_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PARLEY_CACHE_DIR", str(tmp_path / "c"))
    assert table_cache.cache_dir() == tmp_path / "c"
    monkeypatch.setenv("PARLEY_CACHE_DIR", "")
    assert table_cache.cache_dir() is None
    assert cached("t", "k", lambda: 5) == 5 and not list(tmp_path.iterdir())
    monkeypatch.delenv("PARLEY_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert table_cache.cache_dir() == tmp_path / "xdg" / "parley"


def test_parley_extract_fills_the_cache_then_reads_it(tmp_path: Path) -> None:
    """Two cold `parley extract` runs: the first writes the gazetteer table, the second finds the same places with it."""
    env = {**os.environ, "PARLEY_CACHE_DIR": str(tmp_path / "cache")}
    article = tmp_path / "a.txt"
    article.write_text("Russian missiles hit Kharkiv and Odesa, the governor of the Kharkiv region said.\n")
    command = [sys.executable, "-m", "cli", "extract", "--json", str(article)]
    first = subprocess.run(command, capture_output=True, text=True, env=env, cwd=PROJECT, check=True).stdout
    assert len(list((tmp_path / "cache").glob("gazetteer-*.marshal"))) == 1
    second = subprocess.run(command, capture_output=True, text=True, env=env, cwd=PROJECT, check=True).stdout
    assert first == second and '"name": "Odesa"' in first
