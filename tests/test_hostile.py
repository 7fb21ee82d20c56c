"""Hostile files: each is rejected quickly, with a clear reason and bounded memory, and a batch goes on past it.

Small fixtures live in tests/data/hostile/ (one per case); the big ones (100 MB, 100,000 levels of
nesting) are made at test time in tmp_path.  Run this module as a script to print each case's
time and peak memory (the numbers in docs/reliability.md):

    .venv/bin/python tests/test_hostile.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from archive.readers import DEFAULT_MAX_BYTES, ReadError, read_path

HERE = Path(__file__).resolve().parent
HOSTILE = HERE / "data" / "hostile"
PROJECT = HERE.parent
PARLEY = [sys.executable, "-m", "cli"]
SECONDS = 5.0  # loose: every case here takes well under a second on 2 shared cores


def measure(path: Path, max_bytes: int = DEFAULT_MAX_BYTES):
    """(result or ReadError, seconds, peak traced bytes) of reading one path."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        outcome = read_path(path, max_bytes)
    except ReadError as error:
        outcome = error
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return outcome, seconds, peak


# --- makers for the big cases (in tmp_path, never committed) ------------------------------------------


def make_huge(folder: Path, size: int = 100 * 1024 * 1024) -> Path:
    """A 100 MB .txt file, sparse: no disk space used, but read() returns every byte."""
    path = folder / "huge.txt"
    with open(path, "wb") as handle:
        handle.write(b"---\ntitle: Huge\n---\nOfficials said ")
        handle.truncate(size)
    return path


def make_nested_html(folder: Path, depth: int = 100_000, tag: str = "div") -> Path:
    path = folder / f"nested_{tag}.html"
    path.write_text(f"<html><body>{f'<{tag}>' * depth}Officials in Kyiv said it was quiet.{f'</{tag}>' * depth}</body></html>")
    return path


def make_nested_feed(folder: Path, depth: int = 100_000) -> Path:
    path = folder / "nested.rss"
    path.write_text(
        f"<rss><channel><item><title>Deep</title><description>Officials said x.</description>{'<x>' * depth}{'</x>' * depth}</item></channel></rss>"
    )
    return path


def make_symlink_loop(folder: Path) -> Path:
    root = folder / "loop"
    (root / "inner").mkdir(parents=True)
    (root / "inner" / "article.txt").write_text("Officials in Kyiv said the loop is cut.\n")
    (root / "inner" / "back").symlink_to(root, target_is_directory=True)
    (root / "self").symlink_to(root / "self")  # a link to itself: ELOOP on stat
    return root


# --- feeds that declare entities: refused before anything expands -----------------------------------------

REFUSED = {
    "billion_laughs.rss": "feed declares XML entities (DTD): refused for safety",
    "quadratic.xml": "feed declares XML entities (DTD): refused for safety",
    "xxe_file.xml": "feed declares XML entities (DTD): refused for safety",
    "xxe_parameter.atom": "feed declares XML entities (DTD): refused for safety",
    "external_dtd.rss": "feed refers to an external DTD or entity (http://127.0.0.1:9/rss.dtd): refused for safety",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_entity_declarations_and_external_references_are_refused(name):
    outcome, seconds, peak = measure(HOSTILE / name)
    assert isinstance(outcome, ReadError)
    assert outcome.reason == REFUSED[name]
    # read(cap + 1) reserves a cap-sized buffer for every file (untouched pages, so not RSS): the
    # bound that matters is that nothing beyond it is allocated while refusing.
    assert seconds < SECONDS and peak < DEFAULT_MAX_BYTES + 4 * 1024 * 1024


def test_entities_in_an_html_page_are_never_expanded():
    outcome, seconds, _peak = measure(HOSTILE / "entity_bomb.html")
    # lxml's HTML parser ignores the internal subset: the article is read, the entities stay unexpanded
    text = outcome.articles[0].text if not isinstance(outcome, ReadError) else ""
    assert "aaaaaaaaaaaaaaaaaaaa" not in text
    assert len(text) < 1000 and seconds < SECONDS


# --- size, nesting, encodings ------------------------------------------------------------------------------


def test_a_100_mb_file_is_refused_by_the_size_cap_quickly_with_bounded_memory(tmp_path):
    path = make_huge(tmp_path)
    assert path.stat().st_size == 100 * 1024 * 1024
    outcome, seconds, peak = measure(path)
    assert isinstance(outcome, ReadError)
    assert outcome.reason.startswith("too large: over the 20,971,520-byte limit")
    # The cap bounds memory: the reader holds at most cap + 1 bytes, never the file.
    assert peak < DEFAULT_MAX_BYTES + 8 * 1024 * 1024
    assert seconds < SECONDS


def test_a_small_cap_bounds_memory_to_the_cap(tmp_path):
    outcome, _seconds, peak = measure(make_huge(tmp_path), max_bytes=1024 * 1024)
    assert isinstance(outcome, ReadError) and "1,048,576-byte limit" in outcome.reason
    assert peak < 4 * 1024 * 1024


@pytest.mark.parametrize("tag", ["div", "b"])
def test_html_nested_100k_levels_is_read_or_refused_quickly(tmp_path, tag):
    outcome, seconds, _peak = measure(make_nested_html(tmp_path, tag=tag))
    assert seconds < SECONDS
    if isinstance(outcome, ReadError):
        assert "nested more than 255 elements deep" in outcome.reason
    else:  # inline tags: libxml2 keeps the text it reached
        assert "Officials in Kyiv said" in outcome.articles[0].text


def test_feed_nested_100k_levels_is_read_quickly(tmp_path):
    outcome, seconds, _peak = measure(make_nested_feed(tmp_path))
    assert seconds < SECONDS
    assert not isinstance(outcome, ReadError) and outcome.articles[0].text == "Officials said x."


@pytest.mark.parametrize("content", [b"[" * 100_000 + b"]" * 100_000, b"7" * 5000], ids=["nested", "huge_int"])
def test_hostile_json_is_a_read_error(tmp_path, content):
    path = tmp_path / "hostile.json"
    path.write_bytes(content)
    outcome, seconds, _peak = measure(path)
    assert isinstance(outcome, ReadError) and seconds < SECONDS


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty.txt", "empty file: nothing to read"),
        ("only_whitespace.md", "empty file: nothing to read"),
        ("nul_bytes.txt", "binary file: not text, HTML, a feed or JSON"),
    ],
)
def test_empty_and_binary_files_are_refused(name, reason):
    outcome, seconds, _peak = measure(HOSTILE / name)
    assert isinstance(outcome, ReadError) and outcome.reason == reason and seconds < SECONDS


def test_invalid_utf8_is_read_as_windows_1252_or_latin_1():
    outcome, _seconds, _peak = measure(HOSTILE / "invalid_utf8.txt")
    assert not isinstance(outcome, ReadError)
    assert outcome.articles[0].text.startswith("Officials in Kyiv said ")


def test_a_lone_surrogate_in_json_rejects_that_line_with_a_reason():
    outcome, _seconds, _peak = measure(HOSTILE / "lone_surrogate.jsonl")
    assert isinstance(outcome, ReadError) and "surrogates not allowed" in outcome.reason


def test_a_path_field_in_json_is_ignored(tmp_path):
    outcome, _seconds, _peak = measure(HOSTILE / "path_traversal.jsonl")
    article = outcome.articles[0]
    assert article.path == str((HOSTILE / "path_traversal.jsonl").resolve())


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    outcome, seconds, _peak = measure(fifo)
    assert isinstance(outcome, ReadError) and outcome.reason == "not a regular file" and seconds < SECONDS


# --- a batch of all of it: the rest goes on, nothing is written outside the home ------------------------


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            path = Path(root) / name
            info = path.lstat()
            found[str(path)] = (info.st_size, info.st_mtime_ns)
    return found


def _hostile_folder(tmp_path: Path) -> Path:
    batch = tmp_path / "batch"
    batch.mkdir()
    for fixture in HOSTILE.iterdir():
        (batch / fixture.name).write_bytes(fixture.read_bytes())
    make_huge(batch)
    make_nested_html(batch)
    make_nested_feed(batch)
    make_symlink_loop(batch)
    os.mkfifo(batch / "pipe.txt")
    (batch / "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd.txt").write_text("---\ntitle: Odd name\n---\nOfficials in Kyiv said the file name is odd.\n")
    (batch / "..%2F..%2Fetc").write_text("Officials in Kyiv said a hidden name is skipped.\n")  # starts with '.': hidden, skipped
    (batch / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    for i in range(3):
        (batch / f"good_{i}.txt").write_text(f"---\ntitle: Good {i}\npublished: 2025-04-2{i}\n---\nOfficials in Kyiv said report {i} was ready.\n")
    return batch


def test_parley_ingest_of_a_hostile_folder_goes_on_and_writes_only_in_home(tmp_path):
    batch = _hostile_folder(tmp_path)
    home = tmp_path / "home"
    before = _tree(tmp_path)
    started = time.perf_counter()
    result = subprocess.run(
        [*PARLEY, "--home", str(home), "ingest", "--json", str(batch)], check=False, capture_output=True, text=True, cwd=PROJECT, timeout=120
    )
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout)
    reasons = {Path(p["source"]).name: p["reason"] for p in summary["rejected"]}
    assert summary["added"] == 9, summary  # 3 good, odd name, traversal, invalid UTF-8, entity page, nested feed, the article behind the loop
    assert reasons["billion_laughs.rss"].endswith("refused for safety")
    assert reasons["xxe_file.xml"].endswith("refused for safety")
    assert reasons["huge.txt"].startswith("too large")
    assert reasons["nested_div.html"].startswith("no article text found in the page: it is nested more than 255")
    assert reasons["empty.txt"] == "empty file: nothing to read"
    assert reasons["nul_bytes.txt"].startswith("binary file")
    assert reasons["pipe.txt"] == "not a regular file"
    assert reasons["dangling.txt"] == "broken symbolic link"
    assert reasons["back"] == "folder already visited (symbolic link loop): skipped"
    assert reasons["self"] == "broken symbolic link"  # a link to itself (ELOOP)
    assert not any("..%2F..%2Fetc" in p["source"] for p in summary["rejected"])  # hidden: skipped, as documented
    assert seconds < 60
    # Nothing was written outside the home folder (the batch folder is untouched; no file appeared elsewhere).
    after = _tree(tmp_path)
    outside = {p for p in set(after) - set(before) if not p.startswith(str(home))}
    changed = {p for p in set(before) & set(after) if before[p] != after[p] and not p.startswith(str(home))}
    assert not outside and not changed, (outside, changed)
    assert not Path("/etc/passwd.txt").exists()
    # The quarantine keeps each rejection; the store keeps the JSON file's own path, not its "path" field.
    from archive.store import Store

    with Store(home) as store:
        paths = {row[0] for row in store.db.execute("SELECT path FROM articles")}
        assert all(p and p.startswith(str(batch)) for p in paths), paths
        assert store.stats()["rejected"] >= len(summary["rejected"]) - 1


def test_parley_ingest_goes_on_past_hostile_json(tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "a_nested.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    (batch / "b_huge_int.json").write_bytes(b"7" * 5000)
    (batch / "c_good.txt").write_text("Officials in Kyiv said the batch goes on.\n")
    result = subprocess.run(
        [*PARLEY, "--home", str(tmp_path / "home"), "ingest", "--json", str(batch)], check=False, capture_output=True, text=True, cwd=PROJECT, timeout=60
    )
    assert result.returncode == 0, result.stderr[-500:]
    summary = json.loads(result.stdout)
    assert summary["added"] == 1 and len(summary["rejected"]) == 2


# --- numbers for docs/reliability.md -----------------------------------------------------------------------


def _report() -> None:  # pragma: no cover - run by hand
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = [HOSTILE / name for name in sorted(os.listdir(HOSTILE))]
        cases += [make_huge(folder), make_nested_html(folder), make_nested_html(folder, tag="b"), make_nested_feed(folder)]
        deep = folder / "nested.json"
        deep.write_bytes(b"[" * 100_000 + b"]" * 100_000)
        cases.append(deep)
        print(f"{'file':<28} {'size':>11} {'seconds':>8} {'peak MiB':>9}  outcome")
        for path in cases:
            try:
                outcome, seconds, peak = measure(path)
                text = f"rejected: {outcome.reason}" if isinstance(outcome, ReadError) else f"read: {len(outcome.articles)} article(s)"
            except BaseException as error:  # noqa: BLE001 - this is what the report is for
                tracemalloc.stop()
                outcome, seconds, peak, text = None, float("nan"), 0, f"ESCAPED {type(error).__name__}"
            print(f"{path.name:<28} {path.stat().st_size:>11,} {seconds:>8.3f} {peak / 2**20:>9.1f}  {text[:90]}")


if __name__ == "__main__":
    _report()
