"""What a commit merges: Whoosh's MERGE_SMALL rule among small segments, never past ``writing.MERGE_BYTES``
(Whoosh's merge goes a posting at a time: large sets took minutes)."""

import pytest
from index_corpus import extractions
from whoosh import index as whoosh_index

from archive.store import Store
from index import writing
from index.request import SearchRequest
from index.search import SearchIndex


def segment_counts(home) -> tuple[int, int]:
    path = writing.current_path(home)
    return tuple(len(whoosh_index.open_dir(path, indexname=name)._segments()) for name in (None, writing.ARTICLES))


def ingest_one_by_one(home) -> tuple[Store, list[str]]:
    store = Store(home)
    store.add_batch(extractions())
    ids = sorted(store.article_ids())
    assert len(ids) >= 6
    for article_id in ids:  # one commit, so one new segment, per article
        writing.update(home, store, [article_id])
    return store, ids


def answers(home) -> list:
    index = SearchIndex(home)
    requests = [SearchRequest(text=t, facets=("speaker", "topic")) for t in ("ceasefire", "Moscow", "")]
    return [(p.total, p.facets, [h.id for h in p.hits]) for p in map(index.search, requests)]


def test_small_segments_are_merged_as_whooshs_rule_says(home):
    store, ids = ingest_one_by_one(home)
    statements, articles = segment_counts(home)
    assert statements < len(ids) and articles < len(ids)  # five or more tiny segments were merged
    assert writing.verify(home, store).ok
    store.close()


def test_segments_past_the_byte_bound_are_never_merged(home, monkeypatch):
    monkeypatch.setattr(writing, "MERGE_BYTES", 1)
    store, ids = ingest_one_by_one(home)
    assert segment_counts(home) == (len(ids), len(ids))  # one segment per commit, none merged
    assert writing.verify(home, store).ok
    store.close()


@pytest.mark.parametrize("bound", [1, writing.MERGE_BYTES])
def test_merged_or_not_every_search_answers_the_same(home, tmp_path, monkeypatch, bound):
    monkeypatch.setattr(writing, "MERGE_BYTES", bound)
    store, _ = ingest_one_by_one(home)
    store.close()
    rebuilt = tmp_path / "rebuilt"
    rebuilt.mkdir()
    with Store(rebuilt) as other:
        other.add_batch(extractions())
        writing.rebuild(rebuilt, other, procs=1)
    assert answers(home) == answers(rebuilt)


def test_past_the_advised_segments_the_index_says_a_reindex_would_help(home, monkeypatch):
    """Segments no commit merges pile up; the backend says so (``parley stats`` and ``ingest`` print it)
    until a rebuild writes the index afresh."""
    monkeypatch.setattr(writing, "MERGE_BYTES", 1)
    store, ids = ingest_one_by_one(home)
    index = SearchIndex(home)
    monkeypatch.setattr(writing, "ADVISED_SEGMENTS", len(ids))
    assert index.advice() == []  # as many segments as advised: nothing to say
    monkeypatch.setattr(writing, "ADVISED_SEGMENTS", len(ids) - 1)
    (note,) = index.advice()
    assert f"in {len(ids)} segments" in note and "parley reindex" in note
    writing.rebuild(home, store, procs=1)
    assert index.advice() == []
    store.close()
