"""Search behind a small facade: plain arguments in, a ``SearchPage`` of dataclasses out.

Each thread keeps its own Whoosh searcher (a shared one is not thread-safe), reopened only when
the index changed, with per-searcher caches built once: facet columns, and day numbers sorted for
date ranges (Whoosh's own date ranges are slow).  Facet counts are exact and drill sideways: each
facet's counts ignore that facet's own selection.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
import os
import re
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from html import escape
from itertools import chain
from pathlib import Path

from whoosh import highlight
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.collectors import ScoredCollector

from archive.model import Statement
from archive.store import Store
from index.documents import day_number, day_to_date, sentence_of, speaker_key
from index.query import QuerySyntaxError, parse
from index.fastsearch import FastRanker, rank_and_note
from index.ranking import BM25FMemory, Lengths
from index.schema import (
    ARTICLE_MULTI,
    ARTICLE_SINGLE,
    STATEMENT_MULTI,
    STATEMENT_SINGLE,
    WORDS,
)
from index.writing import ARTICLES, current_path, past_toc_race

MAX_PER_PAGE = 100
MAX_DEPTH = 10_000
SUGGEST_MAX_WORD = 40  # characters: longer words get no did-you-mean
MAX_FACET_VALUES = 100
SORTS = ("relevance", "newest", "oldest")
HISTOGRAM_STEPS = ("day", "week", "month", "year")
TARGETS = ("statements", "articles")


@dataclass(frozen=True)
class _Target:
    """One searchable index: its name in a generation, its facet columns, and the facets users see."""

    indexname: str | None
    single: tuple[str, ...]
    multi: tuple[str, ...]
    facets: Mapping[str, str]  # facet name users see -> index field


_TARGETS = {
    "statements": _Target(
        None,
        STATEMENT_SINGLE,
        STATEMENT_MULTI,
        {"speaker": "speaker_id", "kind": "kind", "type": "type", "source": "source", "place": "places", "country": "countries", "topic": "topics", "direct": "direct"},
    ),
    "articles": _Target(
        ARTICLES,
        ARTICLE_SINGLE,
        ARTICLE_MULTI,
        {"speaker": "speakers", "source": "source", "place": "places", "country": "countries", "topic": "topics"},
    ),
}
FACET_FIELDS = _TARGETS["statements"].facets
class SearchError(ValueError):
    """A request we cannot answer as asked (bad paging, unknown facet…); the message says why."""


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass(frozen=True)
class Facet:
    name: str
    values: tuple[FacetValue, ...]
    other: int = 0  # values beyond those listed


@dataclass(frozen=True)
class Bucket:
    start: str  # ISO date of the bucket's first day
    count: int


@dataclass(frozen=True)
class Hit:
    id: str
    article_id: str
    score: float | None
    statement: Statement
    title: str | None
    published: str | None
    source: str | None
    url: str | None
    quote_html: str  # escaped, with <mark> around matched words
    context_html: str | None


@dataclass(frozen=True)
class ArticleHit:
    id: str
    score: float | None
    title: str | None
    published: str | None
    source: str | None
    url: str | None
    statements: int
    snippet_html: str  # escaped, with <mark> around matched words


@dataclass(frozen=True)
class SearchPage:
    query: str
    hits: tuple[Hit, ...] | tuple[ArticleHit, ...]
    total: int
    page: int
    per_page: int
    sort: str
    facets: tuple[Facet, ...] = ()
    histogram: tuple[Bucket, ...] = ()
    next_cursor: str | None = None
    suggestion: str | None = None
    took_ms: float = 0.0
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    target: str = "statements"

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, MAX_DEPTH) // self.per_page))


class _MarkFormatter(highlight.Formatter):
    """Escapes everything, wraps matched words in <mark>."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return f"<mark>{escape(highlight.get_text(text, token, replace))}</mark>"

    def format_fragment(self, fragment, replace=False):
        output = []
        index = fragment.startchar
        text = fragment.text
        for t in fragment.matches:
            if t.startchar is None or t.startchar < index:
                continue
            output.append(escape(text[index : t.startchar]))
            output.append(self.format_token(text, t, replace))
            index = t.endchar
        output.append(escape(text[index : fragment.endchar]))
        return "".join(output)


def _words_of(query: Q.Query, searcher) -> set[str]:
    """The indexed words a query matches in the text fields (wildcards and fuzzy terms expanded)."""
    try:
        found = query.existing_terms(searcher.reader(), phrases=True, expand=True)
    except Exception:  # noqa: BLE001 - highlighting is a nicety; a query Whoosh cannot expand gets none
        return set()
    return {t.decode("utf-8") if isinstance(t, bytes) else str(t) for field_name, t in found if field_name == "text"}


_TOKEN = re.compile(r"\w+(?:\.?\w+)*")


@lru_cache(maxsize=65536)
def _analysed(token: str) -> str | None:
    """A token as the index stores it (folded, stemmed), or None for a stop word."""
    for t in WORDS(token):
        return t.text
    return None


def mark(text: str, words: set[str]) -> str:
    """``text`` escaped, with the words a query matched (as the index analyses them) in <mark>."""
    if not words or not text:
        return escape(text)
    out, last = [], 0
    for match in _TOKEN.finditer(text):
        if _analysed(match.group()) in words:
            out.append(escape(text[last : match.start()]))
            out.append(f"<mark>{escape(match.group())}</mark>")
            last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


class _SegmentValues:
    """Facet values and days of one segment's documents, by the segment's own document numbers.

    A segment never changes once written (only deletions are added, and searches leave deleted
    documents out), so these are read once per segment and reused by every later version of the
    index: after an ingest adds a small segment, only that one is read, not the million documents
    before it (a first search at 1M statements took 10 s when every version read everything).
    """

    def __init__(self, reader, target: _Target) -> None:
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


class _Caches:
    """What a search needs from one version of an index beyond the searcher: facet values and days per document.

    Immutable once built, and shared by every thread's searcher of that version (document numbers are
    the same for all of them): built once, not once per thread, from its segments' values (``segments``
    returns them, remembered across versions).
    """

    def __init__(self, reader, segments: Callable[[object], _SegmentValues], target: _Target) -> None:
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
        self.value_docs: dict[tuple[str, object], frozenset[int]] = {}
        self.value_docs_held = 0
        self.live: frozenset[int] | None = None  # every document not deleted
        self.lock = threading.Lock()

    VALUE_DOCS_LIMIT = 2_000_000  # document numbers kept in value sets (~140 MB at most)

    def docs_with(self, searcher, field_name: str, value) -> frozenset[int]:
        key = (field_name, value)
        docs = self.value_docs.get(key)
        if docs is None:
            docs = frozenset(searcher.docs_for_query(Q.Term(field_name, value)))
            with self.lock:
                while self.value_docs and self.value_docs_held + len(docs) > self.VALUE_DOCS_LIMIT:
                    self.value_docs_held -= len(self.value_docs.pop(next(iter(self.value_docs))))
                if key not in self.value_docs:
                    self.value_docs[key] = docs
                    self.value_docs_held += len(docs)
        return docs

    def live_docs(self, searcher) -> frozenset[int]:
        if self.live is None:
            self.live = frozenset(searcher.docs_for_query(Q.Every()))
        return self.live


class _View:
    """One thread's searcher over one version of an index, with that version's shared caches."""

    def __init__(self, path: Path, target: _Target, caches, weighting) -> None:
        self.path = path
        self.ix = whoosh_index.open_dir(path, indexname=target.indexname)
        self.searcher = self.ix.searcher(weighting=weighting)
        self.checked = time.monotonic()
        # Orders views of one index across threads: generation folders are named by creation time.
        self.version = (path.name, self.searcher.reader().generation())
        self.cache: _Caches = caches(target, self.version, self.searcher.reader())

    def filtered(self, config: _Target, name: str, values: Sequence[str]) -> set[int]:
        """The documents a facet filter lets through: any of ``values`` (from the shared value sets)."""
        docs: set[int] = set()
        for term in _facet_query(config, name, values).subqueries:
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


class SearchIndex:
    """Search over the archive in ``home``: the Whoosh index for matching, the store for texts."""

    SEGMENTS_KEPT = 64  # segments whose values are remembered (Whoosh keeps an index to a few dozen)

    def __init__(self, home: str | os.PathLike[str], fast: bool = True) -> None:
        self.home = Path(home)
        self._local = threading.local()
        # The newest index version any thread has seen: no thread answers from an older one after that,
        # so one client's totals never go back when its requests land on different threads.
        self._newest: tuple[str, int] = ("", -1)
        self._newest_lock = threading.Lock()
        self._caches: dict[tuple[str, tuple[str, int]], _Caches] = {}
        self._caches_lock = threading.Lock()
        self._segments: dict[tuple[str, str], _SegmentValues] = {}  # (index, segment id) -> its values
        self._weighting = BM25FMemory(Lengths())  # shared: a segment's lengths are read once for all threads
        # Relevance ranking from cached posting arrays (None: Whoosh's matchers, the reference path)
        self._fast: FastRanker | None = FastRanker(self._weighting.lengths) if fast else None

    # --- per-thread resources -------------------------------------------------------------

    def _view(self, target: str = "statements") -> _View | None:
        views = getattr(self._local, "views", None)
        if views is None:
            views = self._local.views = {}
        view: _View | None = views.get(target)
        path = current_path(self.home)
        if view is not None and (view.path != path or view.version < self._newest or not view.fresh()):
            view.close()
            view = None
        if view is None and path is not None:
            view = past_toc_race(lambda: _View(path, _TARGETS[target], self._shared_caches, self._weighting))
            with self._newest_lock:
                self._newest = max(self._newest, view.version)
        views[target] = view
        return view

    def _shared_caches(self, target: _Target, version: tuple[str, int], reader) -> _Caches:
        """The caches of one index version, built once (other threads wait rather than build their own)."""
        key = (target.indexname or "statements", version)
        with self._caches_lock:
            cache = self._caches.get(key)
            if cache is None:
                cache = self._caches[key] = _Caches(reader, lambda leaf: self._segment_values(target, leaf), target)
                for old in [k for k in self._caches if k[0] == key[0] and k[1] < version]:
                    del self._caches[old]  # threads still on it keep their own reference
            return cache

    def _segment_values(self, target: _Target, leaf) -> _SegmentValues:
        """A segment's facet values and days, read once (called with ``_caches_lock`` held)."""
        segment = getattr(leaf, "segment", None)
        if segment is None:  # an empty index: no segment to remember
            return _SegmentValues(leaf, target)
        key = (target.indexname or "statements", segment().segment_id())
        values = self._segments.get(key)
        if values is None:
            values = self._segments[key] = _SegmentValues(leaf, target)
            while len(self._segments) > self.SEGMENTS_KEPT:
                self._segments.pop(next(iter(self._segments)))  # the oldest read: merged away by now
        return values

    def _store(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = Store(self.home, readonly=True)
        return store

    def speaker_labels(self) -> dict[str, str]:
        names = getattr(self._local, "speakers", None)
        if self._newest[1] < 0:  # no search has opened the index yet: open it, to know its version
            self._view()
        stamp = self._newest  # labels cover the speakers of the newest index version any search has seen
        if names is None or names[0] != stamp:
            labels: dict[str, str] = {}
            for name in sorted(self._store().speaker_names(), key=len, reverse=True):
                labels.setdefault(speaker_key(name), name)
            names = self._local.speakers = (stamp, labels)
        return names[1]

    # --- the facade -------------------------------------------------------------------------

    def search(
        self,
        text: str = "",
        filters: Mapping[str, Sequence[str]] | None = None,
        facets: Sequence[str] = (),
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 20,
        cursor: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        histogram: str | None = None,
        facet_limit: int = 10,
        target: str = "statements",
    ) -> SearchPage:
        """Find statements (or articles).  Raises QuerySyntaxError for a bad query, SearchError for a bad request."""
        started = time.perf_counter()
        if target not in _TARGETS:
            raise SearchError(f"unknown target {target!r}; search {' or '.join(TARGETS)}")
        config = _TARGETS[target]
        filters = {k: tuple(dict.fromkeys(v)) for k, v in (filters or {}).items() if v}
        self._check(config, filters, facets, sort, per_page, histogram, facet_limit)
        parsed = parse(text, target)
        offset = self._offset(page, per_page, cursor, text, filters, sort, target)
        if offset + per_page > MAX_DEPTH:
            raise SearchError(f"results are available to a depth of {MAX_DEPTH:,}: narrow the query instead of paging further")
        day_lo = _max(parsed.day_from, day_number(date_from))
        day_hi = _min(parsed.day_to, day_number(date_to))
        view = self._view(target)
        if view is None:
            return SearchPage(text, (), 0, offset // per_page + 1, per_page, sort, filters=filters, target=target)
        searcher = view.searcher
        # Which documents match is set algebra: the words' matches (one pass over their postings), the
        # date range (cached day order) and each facet filter (cached value sets), intersected in C.
        # Whoosh then only ranks the words' matches within that set, so filters never slow its scoring.
        dated = view.days_between(day_lo, day_hi) if (day_lo is not None or day_hi is not None) else None
        passes = {name: view.filtered(config, name, values) for name, values in filters.items()}
        results = None
        if sort == "relevance" and not parsed.is_everything:
            # One pass over the words' matches ranks the page and notes every match.
            allowed = _intersect([dated, *passes.values()])
            worded, results = rank_and_note(searcher, parsed.query, offset + per_page, allowed, self._fast)
            matched = worded if allowed is None else worded & allowed
        else:
            worded = None if parsed.is_everything else set(searcher.docs_for_query(parsed.query))
            constrained = _intersect([worded, dated, *passes.values()])
            matched = constrained if constrained is not None else view.cache.live_docs(searcher)
            if matched:  # (an empty filter set would mean no filter to Whoosh)
                sortedby, reverse = {"relevance": (None, False), "newest": ("day", True), "oldest": ("day_last", False)}[sort]
                results = searcher.search(
                    parsed.query if worded is not None else _and(*(_facet_query(config, n, v) for n, v in filters.items())),
                    limit=offset + per_page,
                    filter=constrained,
                    sortedby=sortedby,
                    reverse=reverse,
                    scored=sort == "relevance" or not parsed.is_everything,
                )
        total = len(matched)
        window = []
        if results is not None:
            results.formatter = _MarkFormatter()
            results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=80)
            window = [(hit, hit["id"]) for hit in results[offset : offset + per_page]]
        if target == "articles":
            hits = self._hydrate_articles(window, sort)
        else:
            hits = self._hydrate(window, sort, _words_of(parsed.query, searcher))
        facet_list = tuple(self._facet(view, config, name, worded, passes, filters, dated, matched, facet_limit) for name in facets)
        buckets = _histogram(view, matched, histogram) if histogram else ()
        next_offset = offset + per_page
        next_cursor = _cursor(next_offset, text, filters, sort, target) if next_offset < min(total, MAX_DEPTH) else None
        suggestion = self._suggest(searcher, parsed, text) if total == 0 and text.strip() else None
        return SearchPage(
            query=text,
            hits=hits,
            total=total,
            page=offset // per_page + 1,
            per_page=per_page,
            sort=sort,
            facets=facet_list,
            histogram=buckets,
            next_cursor=next_cursor,
            suggestion=suggestion,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            filters=filters,
            target=target,
        )

    def iter_matches(
        self, text: str = "", filters: Mapping[str, Sequence[str]] | None = None, sort: str = "relevance", date_from: date | None = None, date_to: date | None = None
    ) -> MatchOrder:
        """Every statement a search matches (no depth limit), in ``search``'s order, lazily: for exports."""
        return _match_order(self, text, filters or {}, sort, date_from, date_to)

    def facet_values(
        self, name: str, prefix: str = "", text: str = "", filters: Mapping[str, Sequence[str]] | None = None, limit: int = 10, target: str = "statements"
    ) -> Facet:
        """Values of one facet starting with ``prefix`` (any word of the label), within a query: typeahead."""
        if name not in _TARGETS.get(target, _TARGETS["statements"]).facets:
            raise SearchError(f"unknown facet {name!r}; facets are {', '.join(_TARGETS['statements'].facets)}")
        page = self.search(text, filters=filters, facets=(name,), per_page=1, facet_limit=MAX_FACET_VALUES * 100, target=target)
        wanted = speaker_key(prefix)
        values = [
            v
            for v in page.facets[0].values
            if not wanted or any(word.startswith(wanted) for word in [speaker_key(v.label)] + speaker_key(v.label).split())
        ]
        return Facet(name, tuple(values[:limit]), max(0, len(values) - limit))

    def more_like(self, statement_id: str, limit: int = 10) -> tuple[Hit, ...]:
        """Statements like this one, by the words of its quote."""
        view = self._view()
        found = self._store().statements_by_id([statement_id])
        if view is None or statement_id not in found:
            raise SearchError(f"no statement with id {statement_id[:40]!r}")
        docnum = view.searcher.document_number(id=statement_id)
        if docnum is None:
            raise SearchError(f"statement {statement_id!r} is not in the index: run 'parley reindex'")
        statement = found[statement_id][0]
        results = view.searcher.more_like(docnum, "text", text=statement.quote, top=limit, numterms=10)
        return self._hydrate([(hit, hit["id"]) for hit in results], "relevance", set())

    # --- pieces -----------------------------------------------------------------------------

    def _check(self, config, filters, facets, sort, per_page, histogram, facet_limit) -> None:
        if sort not in SORTS:
            raise SearchError(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise SearchError(f"per_page must be between 1 and {MAX_PER_PAGE}")
        if histogram is not None and histogram not in HISTOGRAM_STEPS:
            raise SearchError(f"unknown histogram step {histogram!r}; use one of {', '.join(HISTOGRAM_STEPS)}")
        if not 1 <= facet_limit <= MAX_FACET_VALUES * 100:
            raise SearchError(f"facet_limit must be between 1 and {MAX_FACET_VALUES}")
        for name in list(filters) + list(facets):
            if name not in config.facets:
                raise SearchError(f"unknown facet {name!r}; facets are {', '.join(config.facets)}")
        if len(facets) > len(config.facets) or sum(len(v) for v in filters.values()) > 50:
            raise SearchError("too many facets or filter values (at most 50 values)")

    def _offset(self, page, per_page, cursor, text, filters, sort, target) -> int:
        if cursor:
            try:
                data = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii") + b"=="))
                offset, key = int(data["o"]), data["k"]
            except (ValueError, KeyError, TypeError, UnicodeError):
                raise SearchError("invalid cursor: use the next_cursor of a previous page") from None
            if key != _query_key(text, filters, sort, target) or offset < 0:
                raise SearchError("this cursor belongs to another query: start again from the first page")
            return offset
        if page < 1:
            raise SearchError("page starts at 1")
        return (page - 1) * per_page

    def _hydrate(self, window, sort, words: set[str]) -> tuple[Hit, ...]:
        found = self._store().statements_by_id([sid for _, sid in window], with_text=True)
        hits = []
        for hit, sid in window:
            if sid not in found:  # in the index but no longer in the store: verify will say so
                continue
            statement, meta = found[sid]
            quote_html = mark(statement.quote, words)
            context = sentence_of(meta["text"], statement)
            context_html = mark(context, words)
            hits.append(
                Hit(
                    id=sid,
                    article_id=meta["article_id"],
                    score=round(hit.score, 4) if hit.score is not None and sort == "relevance" else None,
                    statement=statement,
                    title=meta["title"],
                    published=meta["published"],
                    source=meta["source"],
                    url=meta["url"],
                    quote_html=quote_html,
                    context_html=context_html,
                )
            )
        return tuple(hits)

    def _hydrate_articles(self, window, sort) -> tuple[ArticleHit, ...]:
        store = self._store()
        hits = []
        for hit, article_id in window:
            row = store.article_summary(article_id)
            if row is None:
                continue
            snippet = hit.highlights("body", text=row["text"], top=2) or escape(row["text"][:240])
            hits.append(
                ArticleHit(
                    id=article_id,
                    score=round(hit.score, 4) if hit.score is not None and sort == "relevance" else None,
                    title=row["title"],
                    published=row["published"],
                    source=row["source"],
                    url=row["url"],
                    statements=row["statements"],
                    snippet_html=snippet,
                )
            )
        return tuple(hits)

    def _facet(self, view, config, name, worded, passes, filters, dated, matched, limit) -> Facet:
        field_name = config.facets[name]
        docs = matched
        if name in passes:  # drill sideways: this facet's counts ignore its own selection
            others = [docs for other, docs in passes.items() if other != name]
            docs = _intersect([worded, dated, *others])
            if docs is None:
                docs = view.cache.live_docs(view.searcher)
        counts = view.count(field_name, docs)
        chosen = filters.get(name, ())
        selected = {speaker_key(v) for v in chosen} if name == "speaker" else set(chosen)
        labels = self.speaker_labels() if name == "speaker" else {}
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        top = ordered[:limit] + [(v, counts.get(v, 0)) for v in sorted(selected) if v not in dict(ordered[:limit])]
        values = [FacetValue(v, labels.get(v, v), n, v in selected) for v, n in top]
        return Facet(name, tuple(values), max(0, len(ordered) - limit))

    def _suggest(self, searcher, parsed, text) -> str | None:
        # Edit distances are computed in Python against every word of the archive, in time quadratic in
        # the word's length: no suggestion for words far longer than any real one ("ab" + 400 "?").
        if any(len(word) > SUGGEST_MAX_WORD for word in re.findall(r"\S+", text)):
            return None
        try:
            corrected = searcher.correct_query(parsed.query, text, correctors={"text": searcher.corrector("words")}, maxdist=2)
        except Exception:
            return None
        if corrected.string and corrected.string != text and set(searcher.docs_for_query(parse(corrected.string).query)):
            return corrected.string
        return None


@dataclass
class MatchOrder:
    """The statement ids a search matches, in its order, produced lazily; ``total`` is known up front."""

    total: int
    ids: Iterator[tuple[str, float | None]]  # (statement id, relevance score or None)


def _match_order(index: SearchIndex, text: str, filters: Mapping[str, Sequence[str]], sort: str, date_from=None, date_to=None) -> MatchOrder:
    """Every match of a statement search, in the order ``SearchIndex.search`` pages through them.

    Memory: for ``newest``/``oldest`` (and relevance without query words or filters, where all score
    alike) one byte per indexed statement (which ones match), walking the searcher's cached day order
    or document order; for ``relevance`` one int (score and document) per match, since ordering by
    score needs them all.  Documents' ids are read from the index as they are reached.
    """
    config = _TARGETS["statements"]
    filters = {k: tuple(dict.fromkeys(v)) for k, v in filters.items() if v}
    index._check(config, filters, (), sort, 1, None, 1)
    parsed = parse(text, "statements")
    lo = _max(parsed.day_from, day_number(date_from))
    hi = _min(parsed.day_to, day_number(date_to))
    view = index._view("statements")
    if view is None:
        return MatchOrder(0, iter(()))
    searcher = view.searcher
    query = _and(parsed.query, *(_facet_query(config, name, values) for name, values in filters.items()))
    days = view.cache.days
    dated = lo is not None or hi is not None

    def in_range(docnum: int) -> bool:
        day = days[docnum]
        return day is not None and (lo is None or day >= lo) and (hi is None or day <= hi)

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
        order = reversed(view.cache.sorted_docs) if sort == "newest" else iter(view.cache.sorted_docs)
        undated = range(view.cache.doccount - 1, -1, -1) if sort == "newest" else range(view.cache.doccount)
        for docnum in order:
            if matched[docnum]:
                yield stored_id(docnum)["id"], None
        if not dated:
            for docnum in undated:
                if matched[docnum] and days[docnum] is None:
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


def _facet_query(config: _Target, name: str, values: Sequence[str]) -> Q.Query:
    field_name = config.facets[name]
    if field_name == "direct":
        return Q.Or([Q.Term("direct", v.lower() in ("true", "1", "yes", "t")) for v in values])
    if name == "speaker":
        values = [speaker_key(v) for v in values]
    return Q.Or([Q.Term(field_name, v) for v in values])


def _intersect(sets: Sequence[set[int] | frozenset[int] | None]) -> set[int] | None:
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


def _and(*queries: Q.Query) -> Q.Query:
    parts = [q for q in queries if not isinstance(q, Q.Every)]
    if not parts:
        return Q.Every()
    return parts[0] if len(parts) == 1 else Q.And(parts)


def _histogram(view: _View, matched: set[int], step: str) -> tuple[Bucket, ...]:
    counts: Counter[int] = Counter()
    for docnum in matched:
        day = view.cache.days[docnum] if docnum < len(view.cache.days) else None
        if day is not None:
            counts[_bucket_start(day, step)] += 1
    return tuple(Bucket(day_to_date(d).isoformat(), n) for d, n in sorted(counts.items()))


def _bucket_start(day: int, step: str) -> int:
    if step == "day":
        return day
    when = day_to_date(day)
    if step == "week":
        return day - when.weekday()
    if step == "month":
        return day_number(when.replace(day=1))  # type: ignore[return-value]
    return day_number(when.replace(month=1, day=1))  # type: ignore[return-value]


def _query_key(text: str, filters: Mapping[str, Sequence[str]], sort: str, target: str) -> str:
    blob = json.dumps([text, sorted((k, sorted(v)) for k, v in filters.items()), sort, target])
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()[:12]


def _cursor(offset: int, text: str, filters, sort: str, target: str) -> str:
    raw = json.dumps({"o": offset, "k": _query_key(text, filters, sort, target)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode("ascii")).decode("ascii").rstrip("=")


def _max(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def _min(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


__all__ = ["SearchIndex", "SearchPage", "MatchOrder", "Hit", "ArticleHit", "TARGETS", "Facet", "FacetValue", "Bucket", "SearchError", "QuerySyntaxError", "FACET_FIELDS"]
