"""Ranking from lengths held in memory gives Whoosh's own BM25F scores, over several segments."""

from __future__ import annotations

import pytest
from index_corpus import extractions
from whoosh import index as whoosh_index

from archive.store import Store
from index import writing
from index.query import parse
from index.ranking import BM25FMemory, Lengths, RankAndNote
from index.request import SearchRequest
from index.search import SearchIndex

QUERIES = ("ceasefire", "ceasefire OR moscow OR drones", '"lasting ceasefire"', "speaker:zelensky", "president OR role:minister", "kyiv")


@pytest.fixture
def segmented(home):
    """An index of three segments (one per update), so per-segment lengths and offsets matter."""
    rows = extractions()
    with Store(home) as store:
        store.add_batch(rows)
        ids = [e.article.id for e in rows]
        for part in (ids[:3], ids[3:5], ids[5:]):
            writing.update(home, store, part)
    path = writing.current_path(home)
    assert len(list(path.glob("MAIN_*.seg"))) + len(list(path.glob("MAIN_*.pst"))) >= 2
    return path


@pytest.mark.parametrize("text", QUERIES)
def test_scores_equal_whooshs_own(segmented, text):
    query = parse(text, "statements").query
    ix = whoosh_index.open_dir(segmented)
    with ix.searcher() as plain, ix.searcher(weighting=BM25FMemory(Lengths())) as memory:
        expected = [(hit.docnum, round(hit.score, 9)) for hit in plain.search(query, limit=None)]
        assert expected, text
        assert [(hit.docnum, round(hit.score, 9)) for hit in memory.search(query, limit=None)] == expected


@pytest.mark.parametrize("text", QUERIES)
def test_rank_and_note_sees_every_match_and_ranks_the_allowed(segmented, text):
    query = parse(text, "statements").query
    ix = whoosh_index.open_dir(segmented)
    with ix.searcher() as searcher:
        everything = sorted(searcher.docs_for_query(query))
        ranked = [hit.docnum for hit in searcher.search(query, limit=None)]
        allowed = set(everything[::2])
        collector = RankAndNote(3, allowed)
        searcher.search_with_collector(query, collector)
        assert sorted(collector.noted) == everything
        assert [hit.docnum for hit in collector.results()] == [d for d in ranked if d in allowed][:3]


def test_lengths_are_read_once_per_segment_and_field(segmented):
    lengths = Lengths()
    index = SearchIndex(segmented.parent.parent)
    index._weighting = BM25FMemory(lengths)
    index.search(SearchRequest("ceasefire"))
    held = dict(lengths._arrays)
    assert held and all(key[1] == "text" for key in held)
    index.search(SearchRequest("moscow"))
    assert lengths._arrays == held  # the same arrays, not read again
