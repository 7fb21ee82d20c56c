"""Shared fixtures: real stores on temporary home folders, paths to test data and ../shared."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from archive.store import Store

DATA = Path(__file__).parent / "data"


def word_list_home(base: Path, word_lists: list[str]) -> Path:
    """An archive of one article per word list ("Dmitry Peskov said that WORDS was the list."), ingested
    through the CLI from files under ``base``; its home.  For queries whose expansions must be bounded."""
    from click.testing import CliRunner

    from cli.app import cli

    folder = base / "feed"
    folder.mkdir()
    for part, words in enumerate(word_lists):
        (folder / f"{part}.txt").write_text(f"---\ntitle: Words {part}\n---\nDmitry Peskov said that {words} was the list.\n")
    home = base / "home"
    assert CliRunner().invoke(cli, ["--home", str(home), "ingest", str(folder)]).exit_code == 0
    return home


PROJECT = Path(__file__).resolve().parents[1]


def shared_folder() -> Path | None:
    """The read-only ../shared folder beside the checkout (CI has it), or None."""
    for candidate in (PROJECT.parent / "shared", Path(os.environ.get("PARLEY_SHARED", "/nonexistent")), Path("/work/shared")):
        if (candidate / "eval" / "score.py").exists():
            return candidate
    return None


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def store(home: Path):
    with Store(home) as s:
        yield s


@pytest.fixture
def shared() -> Path:
    folder = shared_folder()
    if folder is None:
        pytest.skip("../shared (gold corpora and scorer) is not beside this checkout")
    return folder


@contextmanager
def served(home: Path, *extra: str, stderr=subprocess.DEVNULL):
    """`parley serve` on a free loopback port in its own process; yields its base URL once it answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "--home", str(home), "serve", "--no-seed", "--port", str(port), *extra],
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        cwd=PROJECT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/api/v1/stats", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError(f"parley serve exited with status {server.returncode}") from None
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def build_archive(home: Path, extractions) -> Path:
    """A real archive in ``home``: these extractions stored, and indexed by the default engine."""
    from index.search import SearchIndex

    with Store(home) as store:
        store.add_batch(list(extractions))
        SearchIndex(home).update(store, store.article_ids())
    return home


@pytest.fixture
def make_app(home: Path):
    """Build the site over an archive of the test corpus (plus ``extra`` extractions) in ``home``."""
    from index_corpus import extractions

    from web import create_app

    def make(extra=(), **config):
        build_archive(home, [*extractions(), *extra])
        return create_app({"PARLEY_HOME": str(home), "TESTING": True, **config})

    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def module_client(tmp_path_factory):
    """One client for a whole module whose tests only read (the archive is built once)."""
    from index_corpus import extractions

    from web import create_app

    home = build_archive(tmp_path_factory.mktemp("archive") / "home", extractions())
    return create_app({"PARLEY_HOME": str(home), "TESTING": True}).test_client()


@pytest.fixture(scope="session")
def solr_cluster(tmp_path_factory):
    """A 2-node SolrCloud for the whole run (started on first use; skips when its launcher is not built)."""
    from solr_harness import Cluster

    cluster = Cluster(tmp_path_factory.mktemp("solr"))
    yield cluster
    cluster.close()
