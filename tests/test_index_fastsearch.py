"""The array path ranks exactly as Whoosh's own matchers do: same documents, scores and order.

One real index on disk (several segments, re-indexed articles leaving deletions behind) and a few
hundred queries of every kind the query language makes; the reference is ``RankAndNote`` over
Whoosh's matchers, which search used before the array path and still uses for what it cannot do.
"""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pytest
from index_corpus import WORDS, many_extractions
from whoosh import index as whoosh_index
from whoosh import query as Q

from archive.store import Store
from index import postingfiles, writing
from index.fastsearch import Docs, FastRanker, rank_and_note, top_k
from index.postings import PostingsCache, Unsupported, decode, positions
from index.query import parse
from index.ranking import BM25FMemory, Lengths
from index.request import SearchRequest
from index.search import SearchIndex


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """1,000 statements over a small vocabulary in two segments, then two re-indexings (deletions, small segments).

    The rebuild maps the postings of the words in 30 documents or more of a segment (``postingfiles``):
    the array path reads those from the mapped files and decodes the others and every update's."""
    home = tmp_path_factory.mktemp("fast") / "home"
    rows = many_extractions(200)
    with Store(home) as store, pytest.MonkeyPatch.context() as patch:
        store.add_batch(rows)
        patch.setattr(postingfiles, "MIN_DOCS", 30)
        writing.rebuild(home, store, procs=2)
        ids = [e.article.id for e in rows]
        writing.update(home, store, ids[::9])
        writing.update(home, store, ids[4::25])
    return home


@pytest.fixture(scope="module")
def searcher(archive):
    ix = whoosh_index.open_dir(writing.current_path(archive))
    with ix.searcher(weighting=BM25FMemory(Lengths())) as s:
        yield s
    ix.close()


def _queries(count: int = 40) -> list[str]:
    rnd = random.Random(11)
    texts = [
        "ceasefire",
        '"ceasefire talks"',
        "peace OR war OR drones",
        "moscow NOT kyiv",
        "tal*",
        "ceasefire~1",
        '"peace talks"~3',
        "speaker:zelensky talks",
        "talks^2 ceasefire",
    ]
    for _ in range(count):
        a, b, c = rnd.sample(WORDS, 3)
        texts += [
            a,
            f"{a} {b}",
            f"{a} {b} {c}",
            f'"{a} {b}"',
            f'"{a} {b} {c}"',
            f"{a} OR {b}",
            f"{a} OR {b} OR {c}",
            f"{a} NOT {b}",
            f"({a} OR {b}) {c}",
            f"{a[:3]}*",
            f'"{a} {b}"~4',
            f'"{a} {b} {c}"~3',
        ]
    return texts


def _reference(searcher, query, limit, allowed):
    return rank_and_note(searcher, query, limit, allowed, None)


def test_the_index_has_what_the_comparison_needs(searcher):
    mapped = postingfiles.MappedSegments()
    held = [mapped.of(leaf) for leaf, _ in searcher.reader().leaf_readers()]
    assert sum(m is not None for m in held) == 2 and all(len(m.index) > 10 for m in held if m is not None)  # the rebuild's segments
    leaves = [leaf for leaf, _ in searcher.reader().leaf_readers()]
    assert len(leaves) >= 3
    assert any(leaf.has_deletions() for leaf in leaves)


@pytest.mark.parametrize("text", _queries())
def test_same_matches_scores_and_order_as_whoosh(searcher, text):
    query = parse(text).query
    assert not isinstance(query, Q.Every), text
    fast = FastRanker(searcher.weighting.lengths)
    expected_matches, expected = _reference(searcher, query, 10_000, None)
    ranked = fast.rank(searcher, query, 10_000, None)  # raises Unsupported rather than fall back
    assert set(ranked.matched.tolist()) == expected_matches
    assert [d for _, d in ranked.top] == [d for _, d in expected.top_n]
    np.testing.assert_allclose([s for s, _ in ranked.top], [s for s, _ in expected.top_n], rtol=1e-12, atol=0)


@pytest.mark.parametrize("text", ["ceasefire", "peace war", '"peace talks"', "war OR drones"])
def test_a_page_within_allowed_documents_matches_whoosh(searcher, text):
    query = parse(text).query
    everything = sorted(searcher.docs_for_query(query))
    assert len(everything) > 20
    allowed = set(everything[::3]) | {10**6}  # filters may hold documents the words never match
    fast = FastRanker(searcher.weighting.lengths)
    for limit in (1, 7, 40):
        expected_matches, expected = _reference(searcher, query, limit, allowed)
        matches, results = rank_and_note(searcher, query, limit, allowed, fast)
        assert matches == expected_matches
        assert results.top_n == expected.top_n


def test_deleted_documents_never_match(searcher):
    fast = FastRanker(searcher.weighting.lengths)
    reader = searcher.reader()
    deleted = {base + d for leaf, base in reader.leaf_readers() for d in range(leaf.doc_count_all()) if leaf.is_deleted(d)}
    assert deleted
    for text in ("ceasefire", "peace war", "moscow NOT kyiv", '"peace talks"'):
        matched = set(fast.rank(searcher, parse(text).query, 10, None).matched.tolist())
        assert matched and not matched & deleted


def test_what_the_arrays_cannot_do_falls_back_to_whoosh(searcher):
    fast = FastRanker(searcher.weighting.lengths)
    query = Q.And([Q.Term("text", "talk"), Q.DisjunctionMax([Q.Term("text", "peac"), Q.Term("text", "war")])])
    with pytest.raises(Unsupported):
        fast.rank(searcher, query, 10, None)
    assert rank_and_note(searcher, query, 10, None, fast)[1].top_n == _reference(searcher, query, 10, None)[1].top_n


def test_postings_decode_to_what_whooshs_matcher_reads(searcher):
    leaf = searcher.reader().leaf_readers()[0][0]
    fmt = leaf.schema["text"].format
    terms = list(leaf.lexicon("text"))
    assert len(terms) > 50
    for term in terms:
        found = decode(leaf, "text", term, with_values=True)
        matcher = leaf._terms.matcher("text", term, fmt)  # the segment's own postings, deletions included
        ids, weights, values = [], [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            values.append(matcher.value())
            matcher.next()
        assert found.ids.tolist() == ids
        assert found.weights.tolist() == weights
        assert list(found.values) == values
        assert positions(values[-1]).tolist() == fmt.decode_positions(values[-1])
    assert decode(leaf, "text", b"zzznotaword", with_values=False) is None


def test_the_cache_keeps_to_its_budget(searcher):
    leaf = searcher.reader().leaf_readers()[0][0]
    cache = PostingsCache(budget=64 * 1024)
    terms = list(leaf.lexicon("text"))
    for term in terms:
        assert cache.get(leaf, "text", term, True) is not None
        assert cache.held <= cache.budget
    first = terms[-1]
    cache.get(leaf, "text", first, True)
    assert cache.hits >= 1
    assert cache.misses >= len(terms)


def test_top_k_breaks_ties_by_document_number_like_whoosh():
    ids = np.arange(10, dtype=np.int64)
    scores = np.array([1.0, 3.0, 2.0, 3.0, 2.0, 2.0, 0.5, 3.0, 2.0, 1.0])
    assert top_k(ids, scores, 5) == [(3.0, 1), (3.0, 3), (3.0, 7), (2.0, 2), (2.0, 4)]
    assert top_k(ids, scores, 100) == sorted(zip(scores.tolist(), ids.tolist()), key=lambda p: (-p[0], p[1]))
    assert top_k(ids[:0], scores[:0], 5) == []


SEARCHES = [
    dict(text="ceasefire"),
    dict(text="peace talks", facets=("speaker", "kind", "place")),
    dict(text='"peace talks"', filters={"kind": ["warning", "claim"]}),
    dict(text="war OR drones", date_from=date(2025, 3, 1), date_to=date(2025, 8, 31), filters={"place": ["Kyiv"]}, facets=("kind",)),
    dict(text="moscow NOT kyiv", per_page=5, page=3),
    dict(text="tal*", histogram="month"),
    dict(text="peace", page=12, per_page=20),
    dict(text="the"),
    dict(text="peace talks", sort="newest", facets=("kind", "direct"), histogram="week"),
    dict(text='"peace talks"', sort="oldest", filters={"speaker": ["Dmitry Peskov"]}, page=2, per_page=5),
    dict(text="ceasefire", target="articles"),
]


@pytest.mark.parametrize("request_", SEARCHES, ids=[str(s) for s in SEARCHES])
def test_search_pages_equal_the_reference_path(archive, request_):
    fast, reference = SearchIndex(archive), SearchIndex(archive, fast=False)
    got, expected = fast.search(SearchRequest(**request_)), reference.search(SearchRequest(**request_))
    assert got.total == expected.total
    assert got.hits == expected.hits  # whole hits: ids, scores, highlights, snippets
    assert got.facets == expected.facets
    assert got.histogram == expected.histogram
    assert got.next_cursor == expected.next_cursor


def test_docs_behave_as_the_sets_search_takes_them_for():
    docs = Docs(np.array([2, 5, 9, 14], dtype=np.int64))
    assert len(docs) == 4 and list(docs) == [2, 5, 9, 14] and all(type(d) is int for d in docs)
    assert 9 in docs and 3 not in docs
    assert docs == {2, 5, 9, 14}
    both = docs & {5, 14, 99}
    assert isinstance(both, Docs) and list(both) == [5, 14]
    assert list({1, 2, 9} & docs) == [2, 9]
    assert list(docs & Docs(np.array([9, 10], dtype=np.int64))) == [9]
    assert len(docs & set()) == 0
    assert docs | {1} == {1, 2, 5, 9, 14}
    held = {2, 3}
    held &= docs  # a set narrowed by Docs (segments.intersect does this)
    assert list(held) == [2]
