"""Whoosh queries answered over posting arrays: the same matches and the same scores, without per-posting Python.

Whoosh 2.7.4 walks a query's matcher tree one posting at a time and scores each match through three
or four Python calls; at a million statements two frequent words are 100k+ postings each.  Here each
term's postings in a segment are numpy arrays (``index.postings``), and the query tree is evaluated
as Whoosh's own matchers would evaluate it, node for node:

* a term scores BM25F (or its weight, in unscored fields) with the parameters Whoosh's weighting
  gives it, over the segment's document lengths (``index.ranking.Lengths``);
* ``And`` intersects sorted id arrays and ``Or`` unites them, combining children in the order
  Whoosh's matcher trees combine them (the same weighted tree, the same array-union rule for small
  segments), so that every sum is computed in the same order and scores agree to the last bit;
* a phrase intersects its words first and reads positions only for the documents in all of them;
* ``Not`` inside ``And`` adds Whoosh's constant 1.0, a ``ConstantScoreQuery`` gives its matches its
  score; deleted documents go at the end, per segment.

Anything else (ranges, ``Every``, span queries, other weightings) raises ``Unsupported`` and the
caller uses Whoosh's matchers: the reference path, kept and tested against this one.

Its length is one evaluator per Whoosh query node, each mirroring a Whoosh matcher; they share the segment arrays and the order of additions, so they stay together.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np
from whoosh import query as Q
from whoosh.query.terms import MultiTerm
from whoosh.scoring import BM25FScorer, WeightScorer
from whoosh.searching import Results

from index.budget import Deadline, guard
from index.postingfiles import MappedSegments
from index.postings import PostingsCache, TermPostings, Unsupported, common, flat_positions, member
from index.ranking import Lengths, RankAndNote

_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_SCORES = np.zeros(0, dtype=np.float64)
_ARRAY_UNION_DOCS = 5000  # Whoosh's Or preloads scores into an array (its ArrayUnionMatcher) up to this size
_TOO_MANY_CLAUSES = 1024  # ... and for this many clauses or more at any size


@dataclass(frozen=True)
class Part:
    """One query node's matches in one segment: ids ascending and their scores."""

    ids: np.ndarray
    scores: np.ndarray

    @staticmethod
    def empty() -> Part:
        return Part(_EMPTY_IDS, _EMPTY_SCORES)


@dataclass(frozen=True)
class Ranked:
    """A ranked search: the best ``limit`` (score, docnum) within the allowed set, and every match."""

    top: list[tuple[float, int]]  # score descending, then document number ascending (Whoosh's order)
    matched: np.ndarray  # every match's top-level document number, ascending (deleted ones excluded)


class _Segment:
    """What evaluating a query in one segment needs: its searcher, reader and caches."""

    __slots__ = ("searcher", "reader", "postings", "mapped", "lengths", "weighting", "scored", "deadline")

    def __init__(
        self,
        searcher,
        postings: PostingsCache,
        lengths: Lengths,
        weighting,
        scored: bool = True,
        deadline: Deadline | None = None,
        mapped: MappedSegments | None = None,
    ) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.postings = postings
        self.mapped = mapped
        self.lengths = lengths
        self.weighting = weighting
        self.scored = scored
        self.deadline = deadline

    def term(self, fieldname: str, btext: bytes, with_values: bool = False) -> TermPostings | None:
        if not with_values and self.mapped is not None:  # a frequent word's postings, mapped from the segment's file
            found = self.mapped.get(self.reader, fieldname, btext)
            if found is not None:
                return found
        return self.postings.get(self.reader, fieldname, btext, with_values)

    def score_term(self, fieldname: str, btext: bytes, found: TermPostings) -> np.ndarray:
        """Each posting's score as Whoosh's scorer for this term computes it (same operations, same order)."""
        scorer = self.weighting.scorer(self.searcher, fieldname, btext)
        if isinstance(scorer, BM25FScorer):
            idf, avgfl, B, K1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
            # The scores depend on the segment's postings and the index-wide statistics only: cached
            # under both, they serve every search until a new segment changes idf or the mean length.
            key = ("bm25", self.reader.segment().segment_id(), fieldname, btext, idf, avgfl, B, K1)
            cached = self.postings.get_value(key)
            if cached is not None:
                return cached
            lengths = self.lengths.of(self.reader, fieldname)
            if lengths is None:
                raise Unsupported(f"no length array for {fieldname!r}")
            fl = np.frombuffer(lengths, dtype=np.uint32)[found.ids].astype(np.float64)
            tf = found.weights.astype(np.float64)
            # whoosh.scoring.bm25: idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
            scores = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
            scores.flags.writeable = False
            self.postings.put_value(key, scores)
            return scores
        if type(scorer) is WeightScorer:
            return found.weights.astype(np.float64)
        raise Unsupported(f"scorer {type(scorer).__name__}")


def evaluate(query: Q.Query, seg: _Segment) -> Part:
    """The matches of ``query`` in one segment, with Whoosh's scores (deleted documents not yet removed)."""
    if seg.deadline is not None:  # each node is array work: checking before each bounds a search to about one node past its budget
        seg.deadline.check()
    kind = type(query)
    if kind is Q.Term:
        return _term(query, seg)
    if kind is Q.And:
        return _compound(query, seg, intersect=True)
    if kind is Q.Or and not query.scale:
        return _or(query, seg)
    if kind is Q.AndNot:
        return _and_not(query, seg)
    if kind is Q.Not:
        return _not(query, seg)
    if kind is Q.Phrase:
        return _phrase(query, seg)
    if kind is Q.ConstantScoreQuery:
        return _constant(query, seg)
    if isinstance(query, MultiTerm) and type(query).matcher in (MultiTerm.matcher, Q.PatternQuery.matcher, Q.Prefix.matcher, Q.Wildcard.matcher):
        if kind in (Q.Prefix, Q.Wildcard) and query.text in ("", "*"):
            raise Unsupported("a pattern that matches every document")
        return _multi_term(query, seg)
    raise Unsupported(f"query {kind.__name__}")


def _term(query: Q.Term, seg: _Segment) -> Part:
    fieldname = query.fieldname
    if fieldname not in seg.reader.schema:
        return Part.empty()
    try:
        btext = seg.reader.schema[fieldname].to_bytes(query.text)
    except ValueError:
        return Part.empty()
    found = seg.term(fieldname, btext)
    if found is None or not len(found.ids):
        return Part.empty()
    if not seg.scored:
        return Part(found.ids, np.ones(len(found.ids)))
    scores = seg.score_term(fieldname, btext, found)
    if query.boost != 1.0:
        scores = scores * query.boost
    return Part(found.ids, scores)


def _combine(a: Part, b: Part, intersect: bool) -> Part:
    """Whoosh's IntersectionMatcher / UnionMatcher over two parts: scores add, left first."""
    if intersect:  # the shorter list's ids looked up in the longer one (binary searches, in C)
        if len(a.ids) <= len(b.ids):
            ia = np.flatnonzero(member(a.ids, b.ids))
            ids = a.ids[ia]
            ib = np.searchsorted(b.ids, ids)
        else:
            ib = np.flatnonzero(member(b.ids, a.ids))
            ids = b.ids[ib]
            ia = np.searchsorted(a.ids, ids)
        return Part(ids, a.scores[ia] + b.scores[ib])
    ids = np.union1d(a.ids, b.ids)
    in_a = np.searchsorted(a.ids, ids)
    in_b = np.searchsorted(b.ids, ids)
    has_a = (in_a < len(a.ids)) & (a.ids[np.minimum(in_a, len(a.ids) - 1)] == ids) if len(a.ids) else np.zeros(len(ids), bool)
    has_b = (in_b < len(b.ids)) & (b.ids[np.minimum(in_b, len(b.ids) - 1)] == ids) if len(b.ids) else np.zeros(len(ids), bool)
    scores = np.empty(len(ids))
    both = has_a & has_b
    only_a = has_a & ~has_b
    only_b = has_b & ~has_a
    scores[both] = a.scores[in_a[both]] + b.scores[in_b[both]]
    scores[only_a] = a.scores[in_a[only_a]]
    scores[only_b] = b.scores[in_b[only_b]]
    return Part(ids, scores)


def _weighted_tree(weighted: list[tuple[int, Part]], intersect: bool) -> Part:
    """``whoosh.util.make_weighted_tree``: sort by weight (ties keep their order, as matchers never
    compare less than each other), then repeatedly join the two lightest, inserting after equals."""
    items = sorted(weighted, key=lambda item: item[0])
    while len(items) > 1:
        (wa, a), (wb, b) = items.pop(0), items.pop(0)
        insort(items, (wa + wb, _combine(a, b, intersect)), key=lambda item: item[0])
    return items[0][1]


def _compound(query: Q.CompoundQuery, seg: _Segment, intersect: bool) -> Part:
    subs = query.subqueries
    if not subs:
        return Part.empty()
    if len(subs) == 1:  # CompoundQuery.matcher: the only child's matcher, without this query's boost
        return evaluate(subs[0], seg)
    if intersect:
        weights = [0 - q.estimate_size(seg.reader) for q in subs]
    else:
        weights = [q.estimate_size(seg.reader) for q in subs]
    part = _weighted_tree([(w, evaluate(q, seg)) for w, q in zip(weights, subs)], intersect)
    if query.boost != 1.0:
        part = Part(part.ids, part.scores * query.boost)
    return part


def _or(query: Q.Or, seg: _Segment) -> Part:
    subs = query.subqueries
    # Or._matcher chooses by clause count and segment size (the collector never needs the current match).
    if len(subs) <= 2 or (len(subs) < _TOO_MANY_CLAUSES and seg.reader.doc_count_all() > _ARRAY_UNION_DOCS):
        return _compound(query, seg, intersect=False)
    return _array_union([evaluate(q, seg) for q in subs], query.boost, seg.scored)


def _array_union(parts: list[Part], boost: float, scored: bool) -> Part:
    """ArrayUnionMatcher: each child's score times the boost, added in child order into zeros; a
    document matches when its sum is above zero (unscored: every match counts 1)."""
    nonempty = [p for p in parts if len(p.ids)]
    if not nonempty:
        return Part.empty()
    ids = np.unique(np.concatenate([p.ids for p in nonempty]))
    sums = np.zeros(len(ids))
    for part in nonempty:
        where = np.searchsorted(ids, part.ids)
        if scored:
            sums[where] += part.scores * boost
        else:
            sums[where] = 1.0
    keep = sums > 0
    return Part(ids[keep], sums[keep])


def _and_not(query: Q.AndNot, seg: _Segment) -> Part:
    positive = evaluate(query.a, seg)
    negative = evaluate(query.b, seg)
    keep = ~member(positive.ids, negative.ids)
    return Part(positive.ids[keep], positive.scores[keep])


def _not(query: Q.Not, seg: _Segment) -> Part:
    """InverseMatcher: every document not matched by the child, each scoring 1.0 (deleted ones go later)."""
    excluded = evaluate(query.query, seg).ids
    every = np.arange(seg.reader.doc_count_all(), dtype=np.int64)
    ids = np.setdiff1d(every, excluded, assume_unique=True)
    return Part(ids, np.ones(len(ids)))


def _constant(query: Q.ConstantScoreQuery, seg: _Segment) -> Part:
    """ConstantScoreQuery (prefixes over surface words): the child's matches, each scoring the query's
    score, as the ListMatcher Whoosh makes of them (whose weight is 1.0 when that score is 0)."""
    part = evaluate(query.child, seg)
    return Part(part.ids, np.full(len(part.ids), float(query.score or 1.0)))


def _multi_term(query: MultiTerm, seg: _Segment) -> Part:
    """MultiTerm.matcher: one term as a plain term (no boost); several as an Or, unscored in the array
    union when the query asks for constant scores, as Whoosh's context then carries no weighting."""
    fieldname = query.field()
    words = [w for w in query._btexts(seg.reader) if w]
    if not words:
        return Part.empty()
    terms = [Q.Term(fieldname, w) for w in words]
    if len(terms) == 1:
        return evaluate(terms[0], seg)
    union = Q.Or(terms, boost=query.boost)
    if query.constantscore and not (len(terms) <= 2 or (len(terms) < _TOO_MANY_CLAUSES and seg.reader.doc_count_all() > _ARRAY_UNION_DOCS)):
        return _array_union([evaluate(t, seg) for t in terms], query.boost, scored=False)
    return _or(union, seg)


def _phrase(query: Q.Phrase, seg: _Segment) -> Part:
    fieldname = query.fieldname
    schema = seg.reader.schema
    if fieldname not in schema:
        return Part.empty()
    field = schema[fieldname]
    if not field.format or not field.format.supports("positions"):
        raise Unsupported(f"phrase over {fieldname!r} without positions")  # Whoosh raises; let it
    words = []
    for word in query.words:
        try:
            btext = field.to_bytes(word)
        except ValueError:
            return Part.empty()
        # a frequent word's postings and positions are mapped from the segment's file; the others decoded
        found = seg.mapped.get(seg.reader, fieldname, btext) if seg.mapped is not None else None
        if found is None:
            found = seg.term(fieldname, btext, with_values=True)
        if found is None:
            return Part.empty()
        words.append((btext, found))
    if not words:
        return Part.empty()
    # SpanNear2: a binary tree of intersections of the words' term matchers, scored as their sum
    parts = [Part(found.ids, seg.score_term(fieldname, btext, found) if seg.scored else np.ones(len(found.ids))) for btext, found in words]
    candidates = _binary_tree(parts)
    if len(candidates.ids):
        if seg.deadline is not None:
            seg.deadline.check()
        keep = _near(candidates.ids, [found for _, found in words], query.slop)
        candidates = Part(candidates.ids[keep], candidates.scores[keep])
    if query.boost != 1.0:
        candidates = Part(candidates.ids, candidates.scores * query.boost)
    return candidates


def _binary_tree(parts: list[Part]) -> Part:
    """``whoosh.util.make_binary_tree`` of intersections."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return _combine(_binary_tree(parts[:half]), _binary_tree(parts[half:]), intersect=True)


def _positions_of(found: TermPostings, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the term in each of ``docs`` as flat arrays: (index into docs, position).

    Mapped postings hold them decoded: gathered with one index array.  Otherwise the candidates'
    encoded values are decoded together (``flat_positions``: one ``pickle.loads`` for them all)."""
    index = np.searchsorted(found.ids, docs)
    if found.located is not None:
        starts, flat = found.located
        first = starts[index]
        counts = (starts[index + 1] - first).astype(np.int64)
        held = int(counts.sum())
        runs = np.repeat(first - (np.cumsum(counts) - counts), counts) + np.arange(held)  # each document's run in flat
        positions = flat[runs].astype(np.int64)
    else:
        values = found.values
        counts, positions = flat_positions([values[i] for i in index.tolist()])
    return np.repeat(np.arange(len(docs), dtype=np.int64), counts), positions


def _near(docs: np.ndarray, words: list[TermPostings], slop: int) -> np.ndarray:
    """Which candidate documents hold the words in order, each 1 to ``slop`` positions after the one
    before (SpanNear2, ordered, mindist 1: a span grows by a next word within ``slop`` of its end and
    never overlapping it).  Positions are keyed with their document's index in the high bits, so one
    ``isin`` per word and distance tests every candidate at once."""
    ends = None
    for owner, positions in (_positions_of(found, docs) for found in words):
        keys = (owner << 32) | positions
        if ends is None:
            ends = keys
            continue
        reachable = np.sort(np.concatenate([ends + step for step in range(1, slop + 1)])) if slop >= 1 else ends[:0]
        ends = keys[member(keys, reachable)]
    keep = np.zeros(len(docs), dtype=bool)
    keep[ends >> 32] = True
    return keep


class FastRanker:
    """Ranks a query over every segment of a searcher from posting arrays, or says it cannot."""

    def __init__(self, lengths: Lengths, postings: PostingsCache | None = None, mapped: MappedSegments | None = None) -> None:
        self.lengths = lengths
        self.postings = postings or PostingsCache()
        self.mapped = mapped if mapped is not None else MappedSegments()

    def _deleted(self, reader) -> np.ndarray:
        """A segment's deleted documents as a boolean mask; deletions only grow, so their count keys it."""
        count = reader.doc_count_all() - reader.doc_count()
        key = ("deleted", reader.segment().segment_id(), count)
        mask = self.postings.get_value(key)
        if mask is None:
            mask = np.zeros(reader.doc_count_all(), dtype=bool)
            mask[np.fromiter(reader._perdoc.deleted_docs(), dtype=np.int64)] = True
            mask.flags.writeable = False
            self.postings.put_value(key, mask)
        return mask

    def matches(self, searcher, query: Q.Query, deadline: Deadline | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Every match (top-level document numbers, ascending) and its score; raises Unsupported (or SearchTimeout)."""
        weighting = searcher.weighting
        all_ids, all_scores = [], []
        for subsearcher, offset in searcher.leaf_searchers():
            if subsearcher.reader().doc_count_all() == 0:  # an index with no segment yet matches nothing
                continue
            part = evaluate(query, _Segment(subsearcher, self.postings, self.lengths, weighting, deadline=deadline, mapped=self.mapped))
            ids, scores = part.ids, part.scores
            reader = subsearcher.reader()
            if len(ids) and reader.has_deletions():
                keep = ~self._deleted(reader)[ids]
                ids, scores = ids[keep], scores[keep]
            all_ids.append(ids + offset)
            all_scores.append(scores)
        if not all_ids:
            return _EMPTY_IDS, _EMPTY_SCORES
        return np.concatenate(all_ids), np.concatenate(all_scores)

    def rank(self, searcher, query: Q.Query, limit: int, allowed, deadline: Deadline | None = None) -> Ranked:
        """The best ``limit`` matches within ``allowed`` (None: all) and every match; raises Unsupported."""
        ids, scores = self.matches(searcher, query, deadline)
        if allowed is not None:
            keep = member(ids, as_ids(allowed))
            ranked_ids, ranked_scores = ids[keep], scores[keep]
        else:
            ranked_ids, ranked_scores = ids, scores
        return Ranked(top_k(ranked_ids, ranked_scores, limit), ids)


def top_k(ids: np.ndarray, scores: np.ndarray, limit: int) -> list[tuple[float, int]]:
    """The ``limit`` best (score, docnum): score descending, then docnum ascending, as Whoosh's TopCollector.

    Only the candidates at or above the limit-th best score are sorted (``argpartition`` finds it),
    so a deep page sorts a few thousand matches, not all of them."""
    if limit <= 0 or not len(ids):
        return []
    if len(ids) > limit:
        threshold = scores[np.argpartition(-scores, limit - 1)[limit - 1]]
        near = np.flatnonzero(scores >= threshold)
        ids, scores = ids[near], scores[near]
    order = np.lexsort((ids, -scores))[:limit]
    return list(zip(scores[order].tolist(), ids[order].tolist()))


class Docs(AbstractSet):
    """A set of document numbers held as a sorted numpy array: what a search's matches are.

    A search mostly needs only how many match; making a Python set of 100k numbers costs more than
    ranking them.  Intersections with other ``Docs`` or with sets stay arrays; iterating (facet
    counts, histograms) yields plain ints; anything else works through a set made once."""

    __slots__ = ("ids", "_set")

    def __init__(self, ids: np.ndarray) -> None:
        self.ids = ids
        self._set: set[int] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self):
        return iter(self.ids.tolist())

    def __contains__(self, docnum) -> bool:
        if self._set is None:
            self._set = set(self.ids.tolist())
        return docnum in self._set

    @classmethod
    def _from_iterable(cls, iterable):  # unions and differences (rare) become plain sets
        return set(iterable)

    def __and__(self, other):
        if isinstance(other, Docs):
            return Docs(common(self.ids, other.ids))
        if isinstance(other, (set, frozenset)):
            if not other or not len(self.ids):
                return Docs(_EMPTY_IDS)
            return Docs(self.ids[member(self.ids, as_ids(other))])
        return NotImplemented

    __rand__ = __and__


def as_ids(docs) -> np.ndarray:
    """Document numbers as a sorted int64 array, from ``Docs``, an array (sorted already) or a set."""
    if isinstance(docs, Docs):
        return docs.ids
    if isinstance(docs, np.ndarray):
        return docs
    ids = np.fromiter(docs, dtype=np.int64, count=len(docs))
    ids.sort()
    return ids


def matching(searcher, query: Q.Query, fast: FastRanker | None, deadline: Deadline | None = None):
    """Every document ``query`` matches (for searches sorted by date): from the arrays when they can."""
    if fast is not None:
        try:
            return Docs(fast.matches(searcher, query, deadline)[0])
        except Unsupported:
            pass
    return set(searcher.docs_for_query(guard(query, deadline)))


def rank_and_note(searcher, query: Q.Query, limit: int, allowed: set[int] | None, fast: FastRanker | None, deadline: Deadline | None = None):
    """``(every match, results of the best limit within allowed)`` for a relevance search.

    From posting arrays when ``fast`` is given and handles the query; otherwise (and for the tests'
    reference) through Whoosh's matchers with ``RankAndNote``.  Both give the same matches, scores
    and order.
    """
    if fast is not None:
        try:
            ranked = fast.rank(searcher, query, limit, allowed, deadline)
        except Unsupported:
            pass
        else:
            return Docs(ranked.matched), Results(searcher, query, ranked.top)
    collector = RankAndNote(limit, allowed)
    searcher.search_with_collector(guard(query, deadline), collector)
    return set(collector.noted), collector.results()
