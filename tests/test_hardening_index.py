"""An index that is damaged, missing or behind the store (issue 15, items 2, 4 and 7).

``parley verify`` reads what searches read and says in words what is damaged (exit 1, no traceback);
while the index cannot answer, the site answers 503 with what to do, never 500 or a silent empty page;
``parley reindex`` repairs every case; an ingest killed between storing and indexing is finished by
the next run.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.app import cli
from index.writing import current_path
from web import create_app

PROJECT = Path(__file__).resolve().parents[1]
DATA = PROJECT / "tests" / "data"
PAGES = ["/", "/search?q=talks", "/speakers", "/places", "/topics"]
API = ["/api/v1/search?q=said", "/api/v1/speakers", "/api/v1/places", "/api/v1/topics", "/api/v1/facets/speaker", "/api/v1/export?format=csv"]


def parley(home: Path, *args: str):
    return CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def indexed(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("indexed") / "home"
    assert parley(home, "ingest", str(PROJECT / "seeds"), str(DATA / "batch")).exit_code == 0
    return home


@pytest.fixture
def home(indexed, tmp_path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(indexed, copy)
    return copy


def segment(home: Path) -> Path:
    return next(current_path(home).glob("MAIN_*.seg"))


def overwrite(path: Path, offset: int, data: bytes) -> None:
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(data)


def statuses(home: Path) -> dict[str, tuple[int, str]]:
    client = create_app({"PARLEY_HOME": str(home)}).test_client()
    found = {}
    for url in PAGES + API:
        response = client.get(url)
        found[url] = (response.status_code, response.get_data(as_text=True))
    return found


def assert_repaired(home: Path) -> None:
    assert parley(home, "reindex").exit_code == 0
    assert parley(home, "verify").exit_code == 0
    assert all(code == 200 for code, _ in statuses(home).values())


# --- item 2: damage ----------------------------------------------------------------------------

# Whoosh leaves a segment's file open when reading it fails half-way; Python warns when it is collected.
whoosh_leaks = [pytest.mark.filterwarnings("ignore::ResourceWarning"), pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]


@whoosh_leaks[0]
@whoosh_leaks[1]
def test_random_bytes_in_a_segment_are_found_by_verify(home):
    seg = segment(home)
    overwrite(seg, seg.stat().st_size // 2, random.Random(3).randbytes(4096))
    result = parley(home, "verify")
    assert result.exit_code == 1
    assert f"damaged: {seg.name} is damaged" in result.stdout
    assert "Traceback" not in result.output
    report = json.loads(parley(home, "verify", "--json").stdout)
    assert report["ok"] is False and report["damaged"]
    assert_repaired(home)


@pytest.mark.parametrize("damage", ["zeros", "truncated", "no_toc"])
@whoosh_leaks[0]
@whoosh_leaks[1]
def test_gross_damage_is_reported_in_words_and_the_site_answers_503(home, damage):
    seg = segment(home)
    if damage == "zeros":
        overwrite(seg, seg.stat().st_size // 4, bytes(seg.stat().st_size // 2))
    elif damage == "truncated":
        os.truncate(seg, seg.stat().st_size // 3)
    else:
        for toc in current_path(home).glob("_MAIN_*.toc"):
            toc.write_bytes(b"\0" * 64)
    result = parley(home, "verify")
    assert result.exit_code == 1, result.output
    assert "damaged: " in result.stdout and "Traceback" not in result.output
    for url, (code, body) in statuses(home).items():
        assert code == 503, (url, code, body[:300])
        assert "parley reindex" in body, url
    if damage == "no_toc":  # (one repair is enough here: reindex builds a new generation whatever the damage)
        assert_repaired(home)


# --- item 7: no index ----------------------------------------------------------------------------


def test_an_empty_archive_lists_nothing_without_errors(tmp_path):
    client = create_app({"PARLEY_HOME": str(tmp_path / "fresh")}).test_client()
    for url in PAGES + API:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    listing = client.get("/api/v1/speakers").get_json()["data"]
    assert listing["values"] == []


def test_a_missing_index_answers_503_saying_run_reindex(home):
    shutil.rmtree(home / "index")
    for url, (code, body) in statuses(home).items():
        assert code == 503, (url, code, body[:300])
        assert "parley reindex" in body
    assert_repaired(home)


def test_an_index_deleted_while_serving_answers_503(home):
    client = create_app({"PARLEY_HOME": str(home)}).test_client()
    assert client.get("/api/v1/search?q=said").get_json()["data"]["total"] > 0
    shutil.rmtree(home / "index")
    response = client.get("/api/v1/search?q=said")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "parley reindex" in response.get_json()["error"]["message"]


# --- item 4: an ingest killed between storing and indexing -------------------------------------------

KILLED_DURING_FLUSH = """
import os, sys
from index import writing
def die(*args, **kwargs):
    os._exit(9)  # as kill -9 does: no cleanup, nothing flushed
writing.update = die
from cli import main
sys.argv = ["parley", "--home", sys.argv[1], "ingest", "-v", sys.argv[2]]
main()
"""


def make_folder(folder: Path, count: int) -> Path:
    folder.mkdir()
    places = ["Kyiv", "Moscow", "Geneva", "Riyadh", "Istanbul", "Paris"]
    for i in range(count):
        (folder / f"{i:03}.txt").write_text(
            f"---\ntitle: Talks {i}\npublished: 2025-04-{i % 28 + 1:02}\n---\n"
            f"Dmitry Peskov said on Monday that talks in {places[i % 6]} would continue (item {i}).\n"
            f'"We are ready for round {i}," Volodymyr Zelensky told reporters.\n'
        )
    return folder


def test_rerunning_an_ingest_killed_during_its_index_flush_completes_the_index(tmp_path):
    folder = make_folder(tmp_path / "feed", 12)
    home = tmp_path / "home"
    killed = subprocess.run([sys.executable, "-c", KILLED_DURING_FLUSH, str(home), str(folder)], cwd=PROJECT, capture_output=True, text=True)
    assert killed.returncode == 9, killed.stderr[-2000:]
    assert killed.stderr.count("added ") == 12  # all stored, none indexed
    assert parley(home, "verify").exit_code == 1
    again = parley(home, "ingest", "--json", str(folder))
    assert json.loads(again.stdout)["duplicates"] == 12
    assert "indexed 12 article(s) an earlier ingest stored" in again.stderr
    assert parley(home, "verify").exit_code == 0
    client = create_app({"PARLEY_HOME": str(home)}).test_client()
    stats = client.get("/api/v1/stats").get_json()["data"]
    assert client.get("/api/v1/search").get_json()["data"]["total"] == stats["statements"] > 0


def test_serve_finishes_what_a_killed_ingest_left_unindexed(tmp_path):
    from index.search import SearchIndex
    from web.home import ensure_index

    folder = make_folder(tmp_path / "feed", 3)
    home = tmp_path / "home"
    subprocess.run([sys.executable, "-c", KILLED_DURING_FLUSH, str(home), str(folder)], cwd=PROJECT, capture_output=True, check=False)
    assert parley(home, "verify").exit_code == 1
    assert ensure_index(home, SearchIndex(home)) is True  # what `parley serve` runs before it listens
    assert parley(home, "verify").exit_code == 0
