"""The archive's edges (issue 15, items 5, 6 and 16): symbolic links out of the folder, server paths,
deleting articles, a read-only archive, and a mistyped --home."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.store import Store
from cli.app import cli
from web import create_app

PROJECT = Path(__file__).resolve().parents[1]
SEED = PROJECT / "seeds"


def parley(home: Path, *args: str):
    return CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)


def article(folder: Path, name: str, place: str, url: str | None = None) -> Path:
    path = folder / name
    path.write_text(f"---\ntitle: {place}\n{'url: ' + url + chr(10) if url else ''}---\nDmitry Peskov said on Monday that talks in {place} would continue.\n")
    return path


# --- item 5: symbolic links, paths, delete --------------------------------------------------------


def test_a_symlink_out_of_the_folder_is_not_followed(tmp_path):
    outside = tmp_path / "secret"
    outside.mkdir()
    article(outside, "private.txt", "Minsk")
    folder = tmp_path / "feed"
    folder.mkdir()
    article(folder, "a.txt", "Geneva")
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (folder / "private.txt").symlink_to(outside / "private.txt")
    (folder / "inside.txt").symlink_to(folder / "a.txt")  # stays in the folder: followed (a duplicate)
    (folder / "sub").symlink_to(outside, target_is_directory=True)
    home = tmp_path / "home"
    summary = json.loads(parley(home, "ingest", "--json", str(folder)).stdout)
    assert summary["added"] == 1 and summary["duplicates"] == 1
    rejected = {Path(r["source"]).name: r["reason"] for r in summary["rejected"]}
    assert set(rejected) == {"passwd.txt", "private.txt", "sub"}
    assert all("not followed" in reason for reason in rejected.values())
    with Store(home) as store:
        assert all("root:" not in e.article.text and "Minsk" not in e.article.text for e in store)
    followed = json.loads(parley(tmp_path / "home2", "ingest", "--json", "--follow-links", str(folder / "sub")).stdout)
    assert followed["added"] == 1  # the folder given is itself a link: what it holds is inside it


def test_follow_links_reads_them(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    article(outside, "b.txt", "Minsk")
    folder = tmp_path / "feed"
    folder.mkdir()
    (folder / "b.txt").symlink_to(outside / "b.txt")
    summary = json.loads(parley(tmp_path / "home", "ingest", "--json", "--follow-links", str(folder)).stdout)
    assert summary["added"] == 1 and not summary["rejected"]


def test_the_article_api_names_no_server_folder(tmp_path):
    home = tmp_path / "home"
    parley(home, "ingest", str(SEED))
    client = create_app({"PARLEY_HOME": str(home)}).test_client()
    article_id = client.get("/api/v1/search?per_page=1").get_json()["data"]["hits"][0]["article_id"]
    body = client.get(f"/api/v1/articles/{article_id}").get_data(as_text=True)
    assert str(SEED) not in body and str(PROJECT) not in body
    assert json.loads(body)["data"]["article"]["path"] == next(SEED.glob("*.txt")).name


def test_delete_removes_an_article_from_store_and_index(tmp_path):
    folder = tmp_path / "feed"
    folder.mkdir()
    article(folder, "a.txt", "Geneva")
    article(folder, "b.txt", "Riyadh", url="https://example.org/riyadh")
    article(folder, "c.txt", "Istanbul")
    home = tmp_path / "home"
    ids = json.loads(parley(home, "ingest", "--json", str(folder)).stdout)["added_ids"]
    client = create_app({"PARLEY_HOME": str(home)}).test_client()
    assert client.get("/api/v1/search?q=Riyadh").get_json()["data"]["total"] == 1
    result = parley(home, "delete", ids[0], "--url", "https://example.org/riyadh")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("deleted ") == 2
    with Store(home) as store:
        assert len(store.article_ids()) == 1
        assert store.db.execute("SELECT count(*) FROM statements").fetchone()[0] == store.stats()["statements"] > 0
        assert store.unindexed() == []
    for _ in range(50):  # a searcher notices a new index version within its recheck interval
        if client.get("/api/v1/search?q=Riyadh").get_json()["data"]["total"] == 0:
            break
        time.sleep(0.1)
    assert client.get("/api/v1/search?q=Riyadh").get_json()["data"]["total"] == 0
    assert client.get(f"/api/v1/articles/{ids[0]}").status_code == 404
    assert parley(home, "verify").exit_code == 0
    unknown = parley(home, "delete", "no-such-id")
    assert unknown.exit_code == 1 and "no article no-such-id" in unknown.stderr


# --- item 6: a read-only archive --------------------------------------------------------------------

SETPRIV = shutil.which("setpriv")
NO_OVERRIDE = [SETPRIV or "setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps", "-dac_override,-dac_read_search"]


def as_other_user(*command: str) -> subprocess.CompletedProcess:
    """Run without the right to override file permissions (root in CI; an ordinary user needs nothing)."""
    prefix = NO_OVERRIDE if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *command], capture_output=True, text=True, cwd=PROJECT, timeout=120)


@pytest.mark.skipif(os.geteuid() == 0 and SETPRIV is None, reason="needs setpriv to drop root's override of permissions")
def test_a_read_only_archive_can_be_read_and_says_so_to_writers(tmp_path):
    home = tmp_path / "home"
    assert parley(home, "ingest", str(SEED)).exit_code == 0
    for path in [home, *home.rglob("*")]:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        run = lambda *args: as_other_user(sys.executable, "-m", "cli", "--home", str(home), *args)  # noqa: E731
        stats = run("stats", "--json")
        assert stats.returncode == 0, stats.stderr
        assert json.loads(stats.stdout)["articles"] == 1
        search = run("search", "talks", "--json")
        assert search.returncode == 0 and json.loads(search.stdout)["total"] > 0, search.stderr
        assert run("verify").returncode == 0
        for args in (["ingest", str(SEED)], ["reindex"], ["delete", "x"]):
            refused = run(*args)
            assert refused.returncode == 1 and "read-only" in refused.stderr and "Traceback" not in refused.stderr, (args, refused.stderr)
        app = as_other_user(
            sys.executable,
            "-c",
            f"from web import create_app; c = create_app({{'PARLEY_HOME': {str(home)!r}}}).test_client(); print(c.get('/api/v1/search?q=talks').status_code, c.get('/speakers').status_code)",
        )
        assert app.stdout.split() == ["200", "200"], app.stderr
    finally:
        for path in [home, *home.rglob("*")]:
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


# --- item 16: a mistyped --home ---------------------------------------------------------------------


@pytest.mark.parametrize("command", [["stats"], ["verify"], ["search", "talks"], ["reindex"], ["delete", "x"]])
def test_only_ingest_and_serve_create_an_archive(tmp_path, command):
    typo = tmp_path / "hmoe"
    result = parley(typo, *command)
    assert result.exit_code == 1
    assert "there is no archive in" in result.stderr and "--home" in result.stderr
    assert not typo.exists()
