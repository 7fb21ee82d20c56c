"""The Whoosh search backend: a ``SearchRequest`` in, ``SearchResults`` of plain dataclasses out.

Each thread keeps its own Whoosh searcher (a shared one is not thread-safe), reopened only when
the index changed, with per-version caches built once (``segments``): facet columns, and day
numbers sorted for date ranges (Whoosh's own date ranges are slow).  Facet counts are exact and drill
sideways: each facet's counts ignore that facet's own selection.

Its length is the Whoosh facade's one search path (set algebra, ranking, hydration, facets, histogram, suggestions); the caches, highlighting, export order and array ranking are their own modules.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable
from html import escape
from pathlib import Path

import numpy as np
from cachetools import LRUCache
from whoosh import highlight
from whoosh import query as Q
from whoosh.spelling import ReaderCorrector

from archive.period import Period, day_number, day_to_date
from archive.store import Store
from index import integrity, residency, writing
from index.backend import Feeder, RebuildReport, Verification, register
from index.budget import DEFAULT_BUDGET, Deadline, budget_setting, guard
from index.contexts import context_of
from index.documents import speaker_key
from index.errors import REPAIR, IndexUnavailable, SearchTimeout
from index.fastsearch import FastRanker, as_ids, matching, rank_and_note
from index.highlight import MarkFormatter, mark, words_of
from index.indexer import BackgroundFeeder
from index.matches import match_order
from index.names import RESOLVED_FACETS, NameBook
from index.query import QuerySyntaxError, bound_expansions, fuzzy_words, parse
from index.ranking import BM25FMemory, Lengths
from index.request import MAX_FACET_VALUES, SearchError, SearchRequest
from index.results import (
    ArticleHit,
    Bucket,
    Facet,
    FacetValue,
    Hit,
    MatchOrder,
    SearchResults,
)
from index.segments import (
    NO_DAY,
    TARGET_CONFIG,
    Caches,
    SegmentValues,
    Target,
    View,
    and_all,
    facet_query,
    intersect,
)
from index.writing import current_path, past_toc_race

SUGGEST_MAX_WORD = 40  # characters: longer words get no did-you-mean


class SearchIndex:
    """Search over the archive in ``home``: the Whoosh index for matching, the store for texts."""

    SEGMENTS_KEPT = 64  # segments whose values are remembered (Whoosh keeps an index to a few dozen)

    def __init__(self, home: str | os.PathLike[str], fast: bool = True, budget: float = DEFAULT_BUDGET) -> None:
        self.home = Path(home)
        self.budget = budget  # seconds of query work a search may take before SearchTimeout
        self._local = threading.local()
        # The newest index version any thread has seen: no thread answers from an older one after that,
        # so one client's totals never go back when its requests land on different threads.
        self._newest: tuple[str, int] = ("", -1)
        self._newest_lock = threading.Lock()
        self._caches: dict[tuple[str, tuple[str, int]], Caches] = {}
        self._caches_lock = threading.Lock()
        self._names: tuple[tuple[str, int], NameBook] | None = None  # (index version, its names)
        self._names_lock = threading.Lock()
        self._segments: LRUCache[tuple[str, str], SegmentValues] = LRUCache(self.SEGMENTS_KEPT)  # (index, segment id) -> values
        self._weighting = BM25FMemory(Lengths())  # shared: a segment's lengths are read once for all threads
        # Relevance ranking from cached posting arrays (None: Whoosh's matchers, the reference path)
        self._fast: FastRanker | None = FastRanker(self._weighting.lengths) if fast else None

    # --- per-thread resources -------------------------------------------------------------

    def _view(self, target: str = "statements") -> View | None:
        views = getattr(self._local, "views", None)
        if views is None:
            views = self._local.views = {}
        view: View | None = views.get(target)
        path = current_path(self.home)
        if view is not None and (view.path != path or view.version < self._newest or not view.fresh()):
            view.close()
            view = None
        if view is None and path is not None:
            try:
                view = past_toc_race(lambda: View(path, TARGET_CONFIG[target], self._shared_caches, self._weighting))
            except Exception as error:  # a damaged TOC or segment: no search can run until a rebuild
                integrity.forget_open_files(error)
                raise IndexUnavailable(f"the search index cannot be read ({type(error).__name__}): {REPAIR}") from None
            with self._newest_lock:
                self._newest = max(self._newest, view.version)
        views[target] = view
        if view is None and self._store().stats()["articles"]:
            raise IndexUnavailable(f"the archive has articles but no search index yet (it may be being rebuilt): {REPAIR}")
        return view

    def _shared_caches(self, target: Target, version: tuple[str, int], reader) -> Caches:
        """The caches of one index version, built once (other threads wait rather than build their own)."""
        key = (target.indexname or "statements", version)
        with self._caches_lock:
            cache = self._caches.get(key)
            if cache is None:
                cache = self._caches[key] = Caches(reader, lambda leaf: self._segment_values(target, leaf), target)
                for old in [k for k in self._caches if k[0] == key[0] and k[1] < version]:
                    del self._caches[old]  # threads still on it keep their own reference
            return cache

    def _segment_values(self, target: Target, leaf) -> SegmentValues:
        """A segment's facet values and days, read once (called with ``_caches_lock`` held)."""
        segment = getattr(leaf, "segment", None)
        segment = segment() if segment is not None else None
        if segment is None:  # an empty index (articles without a single statement): no segment to remember
            return SegmentValues(leaf, target)
        key = (target.indexname or "statements", segment.segment_id())
        values = self._segments.get(key)
        if values is None:
            values = self._segments[key] = SegmentValues(leaf, target)  # the least used go first: merged away by now
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

    def names(self) -> NameBook:
        """The archive's speaker, place and topic names: filters resolve through it, near misses come from it.

        One book per index version, shared by every thread and built by one of them; while it builds
        the next, the others go on with the last one (a new name is found a moment later, nothing waits).
        """
        if self._newest[1] < 0:  # no search has opened the index yet: open it, to know its version
            self._view()
        stamp = self._newest
        current = self._names
        if current is not None and current[0] == stamp:
            return current[1]
        if not self._names_lock.acquire(blocking=current is None):
            return current[1]  # type: ignore[index]
        try:
            if self._names is None or self._names[0] != stamp:
                view = self._view()
                reader = view.searcher.reader() if view is not None else None

                def lexicon(name: str) -> list[str]:
                    return [t.decode("utf-8") for t in reader.lexicon(name)] if reader is not None else []

                self._names = (stamp, NameBook(self.speaker_labels(), lexicon("places"), lexicon("topics")))
            return self._names[1]
        finally:
            self._names_lock.release()

    # --- the facade -------------------------------------------------------------------------

    def ready(self) -> bool:
        return current_path(self.home) is not None

    def search(self, request: SearchRequest) -> SearchResults:
        """Find statements (or articles).  Raises QuerySyntaxError for a bad query, SearchError for a bad request."""
        try:
            return self._search(request, request.facet_limit)
        finally:
            residency.release_over()  # a long-lived searcher keeps at most a budget of the index's pages resident

    def _search(self, request: SearchRequest, facet_limit: int) -> SearchResults:
        started = time.perf_counter()
        parsed = parse(request.text, request.target)
        request = request.ordered_for(not parsed.is_everything)
        text, sort, per_page, target = request.text, request.sort, request.per_page, request.target
        filters = self._resolved(request.filters)
        config = TARGET_CONFIG[target]
        offset = request.offset
        day_lo = _max(parsed.day_from, day_number(request.date_from))
        day_hi = _min(parsed.day_to, day_number(request.date_to))
        view = self._view(target)
        if view is None or parsed.is_nothing:  # an empty archive, or only stop words: every list is empty
            return SearchResults.empty(request, filters, parsed.notices)
        searcher = view.searcher
        # Which documents match is set algebra: the words' matches (one pass over their postings), the
        # date range (cached day order) and each facet filter (cached value sets), intersected in C.
        # Whoosh then only ranks the words' matches within that set, so filters never slow its scoring.
        dated = view.days_between(day_lo, day_hi) if (day_lo is not None or day_hi is not None) else None
        passes = {name: view.filtered(config, name, values) for name, values in filters.items()}
        # The budget covers the query's own work (its expansion, matching and ranking), not the caches
        # an index version builds once for every search (those above, and facet columns).
        deadline = Deadline(self.budget)
        query = bound_expansions(parsed.query, searcher.reader(), text, deadline, view.cache.listings)
        results = None
        if sort == "relevance" and not parsed.is_everything:
            # One pass over the words' matches ranks the page and notes every match.
            allowed = intersect([dated, *passes.values()])
            worded, results = rank_and_note(searcher, query, offset + per_page, allowed, self._fast, deadline)
            matched = worded if allowed is None else worded & allowed
        else:
            worded = None if parsed.is_everything else matching(searcher, query, self._fast, deadline)
            constrained = intersect([worded, dated, *passes.values()])
            matched = constrained if constrained is not None else view.cache.live_docs(searcher)
            if matched:  # (an empty filter set would mean no filter to Whoosh)
                sortedby, reverse = {"relevance": (None, False), "newest": ("day", True), "oldest": ("day_last", False)}[sort]
                results = searcher.search(
                    guard(query if worded is not None else and_all(*(facet_query(config, n, v) for n, v in filters.items())), deadline),
                    limit=offset + per_page,
                    filter=None if constrained is None else set(constrained),  # Whoosh takes sets, not our arrays
                    sortedby=sortedby,
                    reverse=reverse,
                    scored=sort == "relevance" or not parsed.is_everything,
                )
        total = len(matched)
        window = []
        if results is not None:
            results.formatter = MarkFormatter()
            results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=80)
            window = [(hit, hit["id"]) for hit in results[offset : offset + per_page]]
        if target == "articles":
            hits = self._hydrate_articles(window, sort)
        else:
            hits = self._hydrate(window, sort, words_of(query, searcher))
        facet_list = tuple(self._facet(view, config, name, worded, passes, filters, dated, matched, facet_limit) for name in request.facets)
        buckets = _histogram(view, matched, request.histogram) if request.histogram else ()
        # Did-you-mean scans the vocabulary: a nicety, so only within what is left of the budget.
        suggestion = self._suggest(view, parsed, text, deadline) if total == 0 and text.strip() else None
        names = self.names().suggest(text) if total == 0 and text.strip() else ()
        return SearchResults(
            query=text,
            hits=hits,
            total=total,
            page=offset // per_page + 1,
            per_page=per_page,
            sort=sort,
            facets=facet_list,
            histogram=buckets,
            next_cursor=request.next_cursor(total),
            suggestion=suggestion,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            filters=filters,
            target=target,
            notices=parsed.notices,
            names=names,
        )

    def _resolved(self, filters):
        """Filters with names resolved as the query language resolves them: "peskov" is Dmitry Peskov."""
        if not any(name in RESOLVED_FACETS for name in filters):
            return filters
        return self.names().resolve_filters(filters)

    def iter_matches(self, request: SearchRequest) -> MatchOrder:
        """Every statement a search matches (no depth limit), in ``search``'s order, lazily: for exports."""
        if request.target != "statements":
            raise SearchError("exports list statements", "target")
        parsed = parse(request.text, "statements")
        if parsed.is_nothing:
            return MatchOrder(0, iter(()))
        run = request.ordered_for(not parsed.is_everything)
        view = self._view("statements")
        day_lo = _max(parsed.day_from, day_number(request.date_from))
        day_hi = _min(parsed.day_to, day_number(request.date_to))
        return match_order(view, run, parsed, day_lo, day_hi, self._resolved(run.filters), Deadline(self.budget))

    def facet_values(self, name: str, request: SearchRequest, prefix: str = "", limit: int = 10) -> Facet:
        """Values of one facet starting with ``prefix`` (any word of the label), within a query: typeahead."""
        if name not in TARGET_CONFIG[request.target].facets:
            raise SearchError(f"unknown facet {name!r}; facets are {', '.join(TARGET_CONFIG[request.target].facets)}", "name")
        try:
            page = self._search(request.replace(facets=(name,), per_page=1, page=1, cursor=None, histogram=None), MAX_FACET_VALUES * 100)
        finally:
            residency.release_over()
        wanted = speaker_key(prefix)
        values = [
            v for v in page.facets[0].values if not wanted or any(word.startswith(wanted) for word in [speaker_key(v.label)] + speaker_key(v.label).split())
        ]
        return Facet(name, tuple(values[:limit]), max(0, len(values) - limit))

    def more_like(self, statement_id: str, limit: int = 10) -> tuple[Hit, ...]:
        """Statements like this one, by the words of its quote."""
        view = self._view()
        found = self._store().statements_by_id([statement_id])
        if view is None or statement_id not in found:
            raise LookupError(f"no statement with id {statement_id[:40]!r}")
        docnum = view.searcher.document_number(id=statement_id)
        if docnum is None:
            raise IndexUnavailable(f"statement {statement_id[:40]!r} is not in the search index yet: {REPAIR}")
        statement = found[statement_id][0]
        results = view.searcher.more_like(docnum, "text", text=statement.quote, top=limit, numterms=10)
        return self._hydrate([(hit, hit["id"]) for hit in results], "relevance", set())

    # --- writing: the Whoosh index under HOME/index -----------------------------------------

    def update(self, store: Store, article_ids: Iterable[str]) -> int:
        return writing.update(self.home, store, article_ids)

    def feeder(self, store: Store) -> Feeder:
        return BackgroundFeeder(self.home, store, every=writing.INGEST_BATCH, seconds=writing.INGEST_SECONDS)

    def rebuild(self, store: Store, *, procs: int | None = None) -> RebuildReport:
        return writing.rebuild(self.home, store, procs=procs)

    def verify(self, store: Store) -> Verification:
        return writing.verify(self.home, store)

    def advice(self) -> list[str]:
        return writing.advice(self.home)

    # --- pieces -----------------------------------------------------------------------------

    def _hydrate(self, window, sort, words: set[str]) -> tuple[Hit, ...]:
        found = self._store().statements_by_id([sid for _, sid in window], with_text=True)
        hits = []
        for hit, sid in window:
            if sid not in found:  # in the index but no longer in the store: verify will say so
                continue
            statement, meta = found[sid]
            quote_html = mark(statement.quote, words)
            context = context_of(meta["text"], statement)
            context_html = mark(context, words)
            score = round(hit.score, 4) if hit.score is not None and sort == "relevance" else None
            hits.append(Hit.stored(sid, statement, meta, score, quote_html, context_html))
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
            docs = intersect([worded, dated, *others])
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

    def _suggest(self, view: View, parsed, text, deadline: Deadline) -> str | None:
        # Edit distances are computed in Python against every word of the archive, in time quadratic in
        # the word's length: no suggestion for words far longer than any real one ("ab" + 400 "?").
        if any(len(word) > SUGGEST_MAX_WORD for word in re.findall(r"\S+", text)):
            return None
        searcher = view.searcher
        try:
            corrector = _BudgetedCorrector(searcher.reader(), "words", deadline, view.cache.listings)
            corrected = searcher.correct_query(parsed.query, text, correctors={"text": corrector}, maxdist=2)
        except SearchTimeout:
            return None
        except Exception:
            return None
        if not corrected.string or corrected.string == text:
            return None
        try:  # a correction can itself be a query we refuse ("cease~2" corrected to "ceas~2")
            query = bound_expansions(parse(corrected.string).query, searcher.reader(), corrected.string, deadline, view.cache.listings)
            found = set(searcher.docs_for_query(guard(query, deadline)))
        except (QuerySyntaxError, SearchTimeout):
            return None
        return corrected.string if found else None


class _BudgetedCorrector(ReaderCorrector):
    """Whoosh's corrector for a field, scanning the vocabulary with the clock checked and without the
    words whose length alone puts them too far."""

    def __init__(self, reader, fieldname: str, deadline: Deadline, listings) -> None:
        super().__init__(reader, fieldname, reader.schema[fieldname])
        self.deadline = deadline
        self.listings = listings

    def _suggestions(self, text, maxdist, prefix):
        freq = self.reader.frequency
        for word in fuzzy_words(Q.FuzzyTerm(self.fieldname, text, maxdist=maxdist, prefixlength=prefix), self.reader, self.deadline, self.listings):
            yield 0 - (maxdist + (1.0 / (freq(self.fieldname, word) or 1) * 0.5)), word  # Whoosh's own score


register("whoosh", lambda home, settings: SearchIndex(home, budget=budget_setting(settings.get("budget"))))


_COARSER = {"day": ("month", "year"), "week": ("month", "year"), "month": ("year",), "year": ()}


def _histogram(view: View, matched, step: str) -> tuple[Bucket, ...]:
    """Counts per step; a statement dated only to a month or year, coarser than the step, is counted for its whole period.

    (Its day is its period's first: drawn per day it would pile up on the 1st of January.)
    """
    ids = as_ids(matched)
    days = view.cache.days[ids]
    dated = days != NO_DAY
    ids, days = ids[dated], days[dated].astype(np.int64)
    coarser = _COARSER[step]
    spans: list[str | None] = [None]
    kinds = np.zeros(len(ids), dtype=np.int64)
    if coarser and "precision" in view.cache.columns:
        codes, labels = view.cache.columns["precision"]
        span_of = np.array([(1 + coarser.index(label)) if label in coarser else 0 for label in labels], dtype=np.int64)
        spans += list(coarser)
        kinds = span_of[codes[ids]]
    keys, counts = np.unique(days * 4 + kinds, return_counts=True)  # (day, span) per distinct pair, not per document
    buckets: Counter[tuple[str, str | None]] = Counter()
    for key, n in zip(keys.tolist(), counts.tolist()):
        day, span = divmod(key, 4)
        buckets[(Period.containing(day_to_date(day), spans[span] or step).first.isoformat(), spans[span])] += n
    return tuple(Bucket(start, n, span) for (start, span), n in sorted(buckets.items(), key=lambda item: (item[0][0], item[0][1] or "")))


def _max(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def _min(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


__all__ = ["SearchIndex", "QuerySyntaxError", "SearchError"]
