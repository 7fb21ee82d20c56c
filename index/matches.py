"""Every match of a statement search, in the order the Whoosh backend pages through them: for exports.

Memory: for ``newest``/``oldest`` (and relevance without query words or filters, where all score
alike) one byte per indexed statement (which ones match), walking the cached day order or document
order; for ``relevance`` one int (score and document) per match, since ordering by score needs them
all.  Documents' ids are read from the index as they are reached.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator

from whoosh import query as Q
from whoosh.collectors import ScoredCollector

from index.budget import Deadline
from index.query import ParsedQuery, bound_expansions
from index.request import SearchRequest
from index.results import MatchOrder
from index.segments import NO_DAY, TARGET_CONFIG, View, and_all, facet_query


def match_order(
    view: View | None,
    request: SearchRequest,
    parsed: ParsedQuery,
    lo: int | None,
    hi: int | None,
    filters=None,
    deadline: Deadline | None = None,
) -> MatchOrder:
    """Every match of ``request`` (its words ``parsed``) on ``view`` (None: no index), in the order its
    pages show them; ``lo``/``hi`` are the day bounds of the request and its query together.

    ``filters``: the request's filters as the names resolved them (the request's own when None).
    ``deadline`` bounds the query's expansion; the export itself streams on (exports are few at once).
    """
    config = TARGET_CONFIG["statements"]
    sort, filters = request.sort, request.filters if filters is None else filters
    if view is None:
        return MatchOrder(0, iter(()))
    searcher = view.searcher
    expanded = bound_expansions(parsed.query, searcher.reader(), request.text, deadline, view.cache.listings)
    query = and_all(expanded, *(facet_query(config, name, values) for name, values in filters.items()))
    days = view.cache.days
    dated = lo is not None or hi is not None

    def in_range(docnum: int) -> bool:
        day = days[docnum]
        return day != NO_DAY and (lo is None or day >= lo) and (hi is None or day <= hi)

    stored_id = searcher.reader().stored_fields
    constant: float | None = None
    if sort == "relevance" and isinstance(query, Q.Every):  # every document scores the same: document order
        top = searcher.search(query, limit=1)
        constant = round(top.score(0), 4) if len(top) else None
    elif sort == "relevance":
        collector = _AllScores(in_range if dated else None)
        searcher.search_with_collector(query, collector)
        keys = sorted(collector.keys, reverse=True)  # score descending, then document number ascending
        del collector

        def scored() -> Iterator[tuple[str, float | None]]:
            for key in keys:
                docnum = _LOW - (key & _LOW)
                yield stored_id(docnum)["id"], round(_unpack_score(key >> 32), 4)

        return MatchOrder(len(keys), scored())

    matched = bytearray(view.cache.doccount)
    total = 0
    for docnum in searcher.docs_for_query(query):
        if not dated or in_range(docnum):
            matched[docnum] = 1
            total += 1

    def by_document() -> Iterator[tuple[str, float | None]]:
        for docnum in range(view.cache.doccount):
            if matched[docnum]:
                yield stored_id(docnum)["id"], constant

    def by_day() -> Iterator[tuple[str, float | None]]:
        # Search sorts newest by (day, docnum) descending and oldest by (day, docnum) ascending, undated last.
        ordered = view.cache.sorted_docs.tolist()
        order = reversed(ordered) if sort == "newest" else iter(ordered)
        undated = range(view.cache.doccount - 1, -1, -1) if sort == "newest" else range(view.cache.doccount)
        for docnum in order:
            if matched[docnum]:
                yield stored_id(docnum)["id"], None
        if not dated:
            for docnum in undated:
                if matched[docnum] and days[docnum] == NO_DAY:
                    yield stored_id(docnum)["id"], None

    return MatchOrder(total, by_document() if sort == "relevance" else by_day())


_LOW = 0xFFFFFFFF


def _pack_score(score: float) -> int:
    """A float's bits as an int that sorts as the float does (negative scores included)."""
    bits = struct.unpack(">q", struct.pack(">d", score))[0]
    return bits if bits >= 0 else bits ^ 0x7FFFFFFFFFFFFFFF


def _unpack_score(packed: int) -> float:
    bits = packed if packed >= 0 else packed ^ 0x7FFFFFFFFFFFFFFF
    return struct.unpack(">d", struct.pack(">q", bits))[0]


class _AllScores(ScoredCollector):
    """Scores every match as Whoosh's own collectors do; keeps one int per match: (score, docnum) packed."""

    def __init__(self, keep: Callable[[int], bool] | None) -> None:
        super().__init__()
        self.keep = keep
        self.keys: list[int] = []

    def _collect(self, global_docnum: int, score: float):
        if self.keep is None or self.keep(global_docnum):
            self.keys.append((_pack_score(score) << 32) | (_LOW - global_docnum))
        return 0 - score

    def results(self):  # the keys are the result
        return None
