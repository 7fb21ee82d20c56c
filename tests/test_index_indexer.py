"""The indexing process beside a large ingest (``index.indexer``): real processes, store and index on disk."""

import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.ingest import ingest
from index import indexer, writing
from index.backend import finish_pending
from index.errors import IndexerGone
from index.indexer import BackgroundFeeder
from index.search import SearchIndex

PROJECT = Path(__file__).resolve().parents[1]
BATCH = Path(__file__).parent / "data" / "batch"
GOOD = [BATCH / "good.txt", BATCH / "good_no_front_matter.md", BATCH / "mixed_lines.jsonl"]


def statements_in_store(store) -> int:
    return store.stats()["statements"]


def searchable(home) -> int:
    """How many statements a search finds now."""
    from index.request import SearchRequest

    index = SearchIndex(home)
    return index.search(SearchRequest("", per_page=1)).total if index.ready() else 0


def test_the_indexer_takes_in_everything_stored_and_ends(home, store):
    feeder = BackgroundFeeder(home, store, every=2, seconds=3600)
    report = ingest(GOOD, store, on_added=feeder, procs=1)
    assert len(report.added) >= 3
    process = feeder._process
    assert process is not None and process.is_alive()  # started at `every` articles, not at the end
    feeder.flush()
    assert not process.is_alive() and process.exitcode == 0
    assert feeder.indexed == statements_in_store(store) == report.statements
    assert store.unindexed() == []
    assert writing.verify(home, store).ok
    assert SearchIndex(home).ready()


def test_a_small_ingest_indexes_at_its_end_without_a_process(home, store):
    feeder = BackgroundFeeder(home, store, every=2000, seconds=3600)
    ingest(GOOD, store, on_added=feeder, procs=1)
    assert feeder._process is None and store.unindexed()
    feeder.flush()
    assert store.unindexed() == [] and writing.verify(home, store).ok


def test_a_batch_becomes_searchable_when_its_time_is_up(home, store):
    feeder = BackgroundFeeder(home, store, every=2000, seconds=0.5)
    feeder.last -= 1  # as if the ingest had run for a second: the first ids start the indexer
    report = ingest(GOOD, store, on_added=feeder, procs=1)
    deadline = time.monotonic() + 30
    while searchable(home) < report.statements:  # the indexer commits half a second after its batch began, unasked
        assert time.monotonic() < deadline, "the batch was never committed"
        time.sleep(0.1)
    while store.unindexed():  # the ingest hears what it committed at its next list, or its end
        assert time.monotonic() < deadline, "the ingest never heard what was committed"
        feeder._check()
        time.sleep(0.05)
    assert writing.verify(home, store).ok
    feeder.flush()
    assert feeder.indexed == report.statements


def test_a_batch_is_committed_when_its_time_is_up_while_ids_keep_coming(home, store):
    ids = ingest(GOOD, store, procs=1).added  # stored, and listed as unindexed
    feeder = BackgroundFeeder(home, store, every=2000, seconds=0.3)
    feeder.last -= 1
    feeder(ids[:1])  # starts the indexer, which opens a batch
    message = pickle.dumps((ids[1:2] * 20_000, None, 0))  # (ids, inputs left, ids sent) made once, so sent far faster than the indexer goes through it
    started, committed_after = time.monotonic(), None
    while committed_after is None and time.monotonic() - started < 5:
        for _ in range(50):  # the pipe stays full: the indexer is never idle
            feeder._conn.send_bytes(message)
        feeder._check()  # take in what it said (how many it took), so that its own sends never wait
        if ids[0] not in store.unindexed():
            committed_after = time.monotonic() - started
    assert committed_after is not None, "a batch whose indexer was never idle was never committed"
    feeder(ids[2:])
    feeder.flush()
    assert store.unindexed() == [] and writing.verify(home, store).ok


def test_the_ingest_waits_while_the_indexer_is_more_than_its_lag_behind(home, store, monkeypatch):
    monkeypatch.setattr(indexer, "LAG", 1)
    ids = ingest(GOOD, store, procs=1).added
    assert len(ids) >= 3
    feeder = BackgroundFeeder(home, store, every=2000, seconds=3600)
    feeder.last -= 7200  # the first ids start the indexer (which takes a second to start)
    for article_id in ids:
        feeder([article_id])
        assert feeder._sent - feeder._taken <= 1  # returned only once the indexer had caught up
    feeder.flush()
    assert store.unindexed() == [] and writing.verify(home, store).ok


def test_the_indexer_commits_early_once_few_inputs_are_left(home, store, monkeypatch):
    monkeypatch.setattr(indexer, "EARLY_FROM", 1)
    ids = ingest(GOOD, store, procs=1).added
    feeder = BackgroundFeeder(home, store, every=2000, seconds=3600)
    feeder.last -= 7200
    feeder.inputs_left(1)  # one input still to read: the batch is worth writing while it is
    feeder(ids)
    deadline = time.monotonic() + 30
    while searchable(home) < statements_in_store(store):  # committed unasked, long before `every` articles or `seconds`
        assert time.monotonic() < deadline, "the batch was never committed"
        time.sleep(0.1)
    feeder.flush()
    assert writing.verify(home, store).ok


@pytest.mark.parametrize(
    "inputs_left",
    [
        pytest.param(lambda held: 2 * held, id="more still to come than it holds: not yet"),
        pytest.param(lambda held: 0, id="every input read: extraction is over and the rest is one batch"),
    ],
)
def test_the_indexer_keeps_its_batch_open(home, store, monkeypatch, inputs_left):
    monkeypatch.setattr(indexer, "EARLY_FROM", 1)
    ids = ingest(GOOD, store, procs=1).added
    feeder = BackgroundFeeder(home, store, every=2000, seconds=3600)
    feeder.last -= 7200
    feeder.inputs_left(inputs_left(len(ids)))
    feeder(ids)
    while feeder._taken < len(ids):
        feeder._receive()
    time.sleep(0.5)
    assert set(ids) <= set(store.unindexed())  # taken in, not committed
    feeder.flush()
    assert store.unindexed() == [] and writing.verify(home, store).ok


def test_an_indexer_that_died_is_reported_and_its_articles_stay_listed(home, store):
    feeder = BackgroundFeeder(home, store, every=1000, seconds=3600)
    feeder.last -= 7200
    report = ingest(GOOD[:1], store, on_added=feeder, procs=1)
    feeder._process.kill()
    feeder._process.join()
    with pytest.raises(IndexerGone, match="ended unexpectedly"):
        ingest(GOOD[1:], store, on_added=feeder, procs=1)
        feeder.flush()
    assert set(report.added) <= set(store.unindexed())  # nothing lost: the next ingest indexes them
    assert finish_pending(SearchIndex(home), store) == len(store.article_ids())
    assert writing.verify(home, store).ok


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_the_indexer_ends_when_its_ingest_is_killed(home, store):
    script = (
        "import sys, time\n"
        "from archive.store import Store\n"
        "from index.indexer import BackgroundFeeder\n"
        "store = Store(sys.argv[1])\n"
        "feeder = BackgroundFeeder(sys.argv[1], store, every=1000, seconds=3600)\n"
        "feeder.last -= 7200\n"
        "feeder([])\n"
        "print(feeder._process.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(home)], stdout=subprocess.PIPE, cwd=PROJECT, env={**os.environ, "PYTHONPATH": str(PROJECT)})
    indexer = int(proc.stdout.readline())  # type: ignore[union-attr]
    assert Path(f"/proc/{indexer}").exists()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()  # type: ignore[union-attr]
    deadline = time.monotonic() + 15
    while Path(f"/proc/{indexer}").exists() and "Z" not in Path(f"/proc/{indexer}/stat").read_text().rsplit(")", 1)[1].split()[0]:
        assert time.monotonic() < deadline, "the indexer outlived its ingest"
        time.sleep(0.1)


def test_ids_sent_but_not_yet_taken_in_count_as_still_to_come(home, store, monkeypatch):
    """With one input left to read, the first list's articles are not committed alone while the next
    list waits in the pipe: one commit for both (each commit stops the intake)."""
    from whoosh import index as whoosh_index

    monkeypatch.setattr(indexer, "EARLY_FROM", 1)
    ids = ingest([BATCH], store, procs=1).added
    assert len(ids) >= 5
    with writing.write_lock(home):
        path = writing.open_for_writing(home)
    before = whoosh_index.open_dir(path).latest_generation()
    feeder = BackgroundFeeder(home, store, every=2000, seconds=3600)
    feeder.last -= 7200
    feeder.inputs_left(1)
    feeder(ids[:1])  # starts the indexer (a second of imports): the next list is in the pipe long before
    feeder(ids[1:])
    feeder.flush()
    assert whoosh_index.open_dir(path).latest_generation() == before + 1
    assert store.unindexed() == [] and writing.verify(home, store).ok


def test_the_indexer_never_waits_for_the_stores_write_lock(home, store):
    """The ingest stores in transactions back to back: the indexer commits and goes on taking articles
    in whoever holds the store's write lock, and the ingest takes what it committed off the unindexed list."""
    import sqlite3

    ids = ingest(GOOD, store, procs=1).added
    feeder = BackgroundFeeder(home, store, every=2000, seconds=0.3)
    feeder.last -= 1
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # as the ingest's next transaction holds it
    try:
        feeder(ids[:1])
        deadline = time.monotonic() + 30
        while searchable(home) == 0:
            assert time.monotonic() < deadline, "the first batch was never committed"
            time.sleep(0.05)
        feeder._sent = len(ids)
        feeder._send((ids[1:], None, feeder._sent))  # as feeder(ids[1:]) sends it, without hearing back yet
        deadline = time.monotonic() + 5  # well inside the store's 10 s wait for its lock
        while searchable(home) < statements_in_store(store):
            assert time.monotonic() < deadline, "the indexer waited for the store"
            time.sleep(0.05)
    finally:
        other.rollback()
        other.close()
    feeder.flush()
    assert store.unindexed() == [] and writing.verify(home, store).ok


def test_a_store_locked_by_another_process_leaves_committed_articles_listed_not_an_error(home, store):
    """Marking what the indexer committed waits for the store's write lock; when another writer holds it
    past that wait, the ingest ends all the same and the articles stay listed for the next run."""
    import sqlite3

    ids = ingest(GOOD, store, procs=1).added
    store.db.execute("PRAGMA busy_timeout = 100")  # the store waits 10 s; the test need not
    feeder = BackgroundFeeder(home, store, every=2000, seconds=3600)
    feeder.last -= 7200
    feeder(ids)
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        feeder.flush()  # the indexer commits; the ingest cannot mark, and says nothing of it
    finally:
        other.rollback()
        other.close()
    assert searchable(home) == statements_in_store(store)
    assert sorted(store.unindexed()) == sorted(ids)
    assert finish_pending(SearchIndex(home), store) == len(ids) and store.unindexed() == []
