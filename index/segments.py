"""What the Whoosh backend keeps per index version beside its searchers: facet values, days, value sets.

Segments never change once written (only deletions are added, and searches leave deleted documents
out), so a segment's values are read once and shared by every later version and every thread.
Filters, date ranges and facet counts are then set algebra over document numbers, in C.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from cachetools import LRUCache
from whoosh import index as whoosh_index
from whoosh import query as Q

from index.documents import speaker_key
from index.schema import (
    ARTICLE_MULTI,
    ARTICLE_SINGLE,
    FACET_FIELDS,
    STATEMENT_MULTI,
    STATEMENT_SINGLE,
)
from index.writing import ARTICLES


@dataclass(frozen=True)
class Target:
    """One searchable index: its name in a generation, its facet columns, and the facets users see."""

    indexname: str | None
    single: tuple[str, ...]
    multi: tuple[str, ...]
    facets: Mapping[str, str]  # facet name users see -> index field


TARGET_CONFIG = {
    "statements": Target(None, STATEMENT_SINGLE, STATEMENT_MULTI, FACET_FIELDS["statements"]),
    "articles": Target(ARTICLES, ARTICLE_SINGLE, ARTICLE_MULTI, FACET_FIELDS["articles"]),
}


class SegmentValues:
    """Facet values and days of one segment's documents, by the segment's own document numbers.

    A segment never changes once written (only deletions are added, and searches leave deleted
    documents out), so these are read once per segment and reused by every later version of the
    index: after an ingest adds a small segment, only that one is read, not the million documents
    before it (a first search at 1M statements took 10 s when every version read everything).
    """

    def __init__(self, reader, target: Target) -> None:
        self.doccount = reader.doc_count_all()
        self.columns: dict[str, list] = {}
        for name in target.single:
            self.columns[name] = list(reader.column_reader(name)) if reader.has_column(name) else [""] * self.doccount
        self.multi: dict[str, list[tuple[str, ...]]] = {}
        for name in target.multi:
            values: list[list[str]] = [[] for _ in range(self.doccount)]
            for term in reader.lexicon(name):
                label = term.decode("utf-8")
                for docnum in reader.postings(name, term).all_ids():
                    values[docnum].append(label)
            self.multi[name] = [tuple(v) for v in values]
        self.direct = list(reader.postings("direct", b"t").all_ids()) if "direct" in reader.schema and ("direct", b"t") in reader else []
        days = list(reader.column_reader("day")) if reader.has_column("day") else [None] * self.doccount
        self.days = [d if d is not None and -100_000 < d < 1_000_000 else None for d in days]
        self.order = sorted((d, n) for n, d in enumerate(self.days) if d is not None)  # (day, docnum), by day


class Caches:
    """What a search needs from one version of an index beyond the searcher: facet values and days per document.

    Immutable once built, and shared by every thread's searcher of that version (document numbers are
    the same for all of them): built once, not once per thread, from its segments' values (``segments``
    returns them, remembered across versions).
    """

    def __init__(self, reader, segments: Callable[[object], SegmentValues], target: Target) -> None:
        self.doccount = reader.doc_count_all()
        parts = [(segments(leaf), base) for leaf, base in reader.leaf_readers()]
        self.columns = {name: list(chain.from_iterable(p.columns[name] for p, _ in parts)) for name in target.single}
        self.multi = {name: list(chain.from_iterable(p.multi[name] for p, _ in parts)) for name in target.multi}
        self.direct = {base + n for p, base in parts for n in p.direct}
        self.days = list(chain.from_iterable(p.days for p, _ in parts))
        if len(parts) == 1:
            order = parts[0][0].order
        else:  # each segment's list is sorted already: Timsort merges the runs
            order = sorted(chain.from_iterable([(d, base + n) for d, n in p.order] for p, base in parts))
        self.sorted_days = [d for d, _ in order]
        self.sorted_docs = [n for _, n in order]
        # Documents holding one facet value, as read from the postings (deletions excluded): filters
        # become set intersections.  Bounded by the document numbers held, oldest dropped first.
        self.value_docs: LRUCache[tuple[str, object], frozenset[int]] = LRUCache(self.VALUE_DOCS_LIMIT, getsizeof=len)
        self.live: frozenset[int] | None = None  # every document not deleted
        self.lock = threading.Lock()

    VALUE_DOCS_LIMIT = 2_000_000  # document numbers kept in value sets (~140 MB at most)

    def docs_with(self, searcher, field_name: str, value) -> frozenset[int]:
        key = (field_name, value)
        with self.lock:  # an LRU cache reorders itself on every read
            docs = self.value_docs.get(key)
        if docs is None:
            docs = frozenset(searcher.docs_for_query(Q.Term(field_name, value)))
            with self.lock, suppress(ValueError):  # a set larger than the whole budget is not kept
                self.value_docs[key] = docs
        return docs

    def live_docs(self, searcher) -> frozenset[int]:
        if self.live is None:
            self.live = frozenset(searcher.docs_for_query(Q.Every()))
        return self.live


class View:
    """One thread's searcher over one version of an index, with that version's shared caches."""

    def __init__(self, path: Path, target: Target, caches, weighting) -> None:
        self.path = path
        self.ix = whoosh_index.open_dir(path, indexname=target.indexname)
        self.searcher = self.ix.searcher(weighting=weighting)
        self.checked = time.monotonic()
        # Orders views of one index across threads: generation folders are named by creation time.
        # (an index with no segment yet, as of an archive without a statement, has no generation: -1)
        generation = self.searcher.reader().generation()
        self.version = (path.name, -1 if generation is None else generation)
        self.cache: Caches = caches(target, self.version, self.searcher.reader())

    def filtered(self, config: Target, name: str, values: Sequence[str]) -> set[int]:
        """The documents a facet filter lets through: any of ``values`` (from the shared value sets)."""
        docs: set[int] = set()
        for term in facet_query(config, name, values).subqueries:
            docs |= self.cache.docs_with(self.searcher, term.fieldname, term.text)
        return docs

    def fresh(self) -> bool:
        """Whether this view still shows the index (checked at most twice a second)."""
        now = time.monotonic()
        if now - self.checked < 0.5:
            return True
        self.checked = now
        return self.searcher.up_to_date()

    def days_between(self, lo: int | None, hi: int | None) -> set[int]:
        left = 0 if lo is None else bisect.bisect_left(self.cache.sorted_days, lo)
        right = len(self.cache.sorted_days) if hi is None else bisect.bisect_right(self.cache.sorted_days, hi)
        return set(self.cache.sorted_docs[left:right])

    def count(self, facet_field: str, docs: set[int]) -> Counter[str]:
        """How many of ``docs`` have each value of a facet (C-speed loops: map and chain)."""
        if facet_field == "direct":
            direct = len(docs & self.cache.direct)
            return Counter({"true": direct, "false": len(docs) - direct})
        if facet_field in self.cache.multi:
            return Counter(chain.from_iterable(map(self.cache.multi[facet_field].__getitem__, docs)))
        counts = Counter(map(self.cache.columns[facet_field].__getitem__, docs))
        counts.pop("", None)
        return counts

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()


def facet_query(config: Target, name: str, values: Sequence[str]) -> Q.Query:
    field_name = config.facets[name]
    if field_name == "direct":
        return Q.Or([Q.Term("direct", v.lower() in ("true", "1", "yes", "t")) for v in values])
    if name == "speaker":
        values = [speaker_key(v) for v in values]
    return Q.Or([Q.Term(field_name, v) for v in values])


def intersect(sets: Sequence[set[int] | frozenset[int] | None]) -> set[int] | None:
    """The intersection of the given sets, smallest first; None stands for no constraint (so may the result)."""
    given = sorted((s for s in sets if s is not None), key=len)
    if not given:
        return None
    result = set(given[0])
    for other in given[1:]:
        if not result:
            break
        result &= other
    return result


def and_all(*queries: Q.Query) -> Q.Query:
    parts = [q for q in queries if not isinstance(q, Q.Every)]
    if not parts:
        return Q.Every()
    return parts[0] if len(parts) == 1 else Q.And(parts)
