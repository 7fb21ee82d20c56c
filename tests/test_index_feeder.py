"""The ingest feeder: batches of stored articles indexed by count, by time and at the end."""

from pathlib import Path

from archive.ingest import ingest
from index import writing
from index.backend import Feeder
from index.search import SearchIndex

BATCH = Path(__file__).parent / "data" / "batch"
GOOD = [BATCH / "good.txt", BATCH / "good_no_front_matter.md", BATCH / "mixed_lines.jsonl"]


def test_feeder_indexes_every_so_many_articles_and_at_the_end(home, store):
    batches = []

    def update(store, ids):
        batches.append(list(ids))
        return writing.update(home, store, ids)

    feeder = Feeder(update, store, every=2, seconds=3600)
    report = ingest(GOOD, store, on_added=feeder, procs=1)
    assert len(report.added) >= 3
    assert batches and all(len(batch) >= 2 for batch in batches) and len(feeder.pending) < 2
    feeder.flush()
    assert [i for batch in batches for i in batch] == report.added
    assert store.unindexed() == []
    assert writing.verify(home, store).ok


def test_feeder_indexes_what_came_in_once_its_time_is_up(home, store):
    batches = []
    feeder = Feeder(lambda store, ids: batches.append(list(ids)) or writing.update(home, store, ids), store, every=1000, seconds=0)
    report = ingest(GOOD, store, on_added=feeder, procs=1)
    assert batches and [i for batch in batches for i in batch] == report.added  # each input's articles at once
    assert feeder.pending == []


def test_the_whoosh_feeder_batches_large(home, store):
    feeder = SearchIndex(home).feeder(store)
    assert (feeder.every, feeder.seconds) == (writing.INGEST_BATCH, writing.INGEST_SECONDS)
    report = ingest(GOOD, store, on_added=feeder, procs=1)
    assert store.unindexed() == sorted(report.added)  # stored, listed for the index, not yet indexed
    feeder.flush()
    assert store.unindexed() == [] and writing.verify(home, store).ok
