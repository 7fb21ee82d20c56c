"""The SolrCloud search backend: the same ``SearchRequest`` in and ``SearchResults`` out as Whoosh.

Layout in the cluster: for a configured name ``parley`` (``[search] collection``), the aliases
``parley_statements`` and ``parley_articles`` point at collections ``parley_<target>_v<INDEX_VERSION>_<stamp>``
made from the configset ``parley-v<INDEX_VERSION>-<digest of its files>``.  ``rebuild`` fills new
collections from the store and moves the aliases (searches never stop); ``update`` writes through
the aliases.  The store is written first, always, and lists what the index has yet to take in (its
``unindexed`` table): when Solr cannot take an update, the articles stay listed there, and the next
ingest or ``serve`` (``finish_pending``), any later update, or ``rebuild`` indexes them.

What each search sends: the query translated by ``index.solr.translate``; each facet filter as its
own tagged ``fq`` (OR within a facet), so the JSON Facet API counts each facet with its own filter
excluded (drill sideways) and every other filter applied (AND across); the date range as a filter on
the day field; facet and histogram counts as terms facets over all values (exact on any number of
shards; the histogram's buckets are summed from days here).

Its length is the interface's every method for one engine (search, facets, export, similar, writing, rebuild with aliases, verify); translation, documents, hits and the client are their own modules.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import multiprocessing
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from itertools import repeat
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlencode

from archive.period import Period, day_number, day_to_date
from archive.store import Store
from index.backend import Feeder, RebuildReport, Verification, register
from index.budget import budget_setting
from index.documents import UNDATED, speaker_key
from index.errors import IndexUnavailable
from index.highlight import analysed_word
from index.names import NameBook
from index.query import parse
from index.request import (
    MAX_CURSOR_CHARS,
    MAX_FACET_VALUES,
    SearchError,
    SearchRequest,
    decode_cursor,
)
from index.results import Bucket, Facet, FacetValue, MatchOrder, SearchResults
from index.schema import FACET_FIELDS
from index.solr.bounds import check_complete, check_expansions, time_allowed
from index.solr.client import SolrClient, SolrError, SolrUnavailable, split_urls
from index.solr.documents import solr_article, solr_statements
from index.solr.hits import article_hits, statement_hits
from index.solr.routing import ShardRoutes
from index.solr.similar import key_terms
from index.solr.translate import day_range, quoted, to_solr
from index.writing import INDEX_VERSION, build_procs, write_lock

CONFIGSET = Path(__file__).parent / "configset"
TARGETS = ("statements", "articles")
SORT = {
    "relevance": "score desc,id asc",
    "newest": "day desc,id desc",  # undated statements carry a day far in the past: last
    "oldest": "day_last asc,id asc",  # ... and far in the future here: last again
}
BATCH = 1000  # documents per update request
BULK_BATCH = 2000  # statements per batch of a rebuild (split between the shards' leaders)
SENDERS = 3  # update requests in flight during a rebuild
EXPORT_ROWS = 1000
SUGGEST_MAX_WORD = 40
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}
LOG = logging.getLogger("parley.index.solr")


def _settings_value(settings: Mapping[str, Any], key: str, env: str, default: Any = None) -> Any:
    value = settings.get(key)
    return value if value not in (None, "") else os.environ.get(env, default)


class SolrBackend:
    """Parley's searches on a SolrCloud cluster (thread-safe: one HTTP pool, per-thread stores)."""

    name = "solr"

    def __init__(self, home: os.PathLike[str] | str, settings: Mapping[str, Any] | None = None) -> None:
        settings = settings or {}
        self.home = Path(home)
        urls = split_urls(_settings_value(settings, "solr_url", "PARLEY_SOLR_URL"))
        zk_hosts = str(_settings_value(settings, "zk_hosts", "PARLEY_SOLR_ZK_HOSTS", "")).strip() or None
        self.client = SolrClient(urls, zk_hosts=zk_hosts)
        self.base = str(_settings_value(settings, "collection", "PARLEY_SOLR_COLLECTION", "parley"))
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", self.base):
            raise ValueError(f"[search] collection must be letters, digits, _ or -: {self.base!r}")
        self.shards = int(settings.get("shards") or 2)
        self.replicas = int(settings.get("replicas") or 2)
        self.budget = budget_setting(settings.get("budget"))  # seconds of Solr work per search, as on Whoosh
        self._local = threading.local()
        self._labels: tuple[float, dict[str, str]] | None = None
        self._aliases: tuple[float, dict[str, str]] | None = None

    # --- names ----------------------------------------------------------------------------------
    def alias(self, target: str) -> str:
        return f"{self.base}_{target}"

    def configset_name(self) -> str:
        digest = hashlib.sha1()
        for path in sorted(CONFIGSET.iterdir()):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        return f"{self.base}-v{INDEX_VERSION}-{digest.hexdigest()[:8]}"

    def _collection_prefix(self, target: str) -> str:
        return f"{self.alias(target)}_v{INDEX_VERSION}_"

    def _store(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = Store(self.home, readonly=True)
        return store

    # --- reading --------------------------------------------------------------------------------
    def ready(self) -> bool:
        """Whether both aliases point at collections of this index version (False when Solr is unreachable)."""
        try:
            aliases = self._current_aliases()
        except SolrUnavailable:
            return False
        return all(aliases.get(self.alias(t), "").startswith(self._collection_prefix(t)) for t in TARGETS)

    def _current_aliases(self, max_age: float = 5.0) -> dict[str, str]:
        cached = self._aliases
        if cached is None or time.monotonic() - cached[0] > max_age:
            cached = self._aliases = (time.monotonic(), self.client.aliases())
        return cached[1]

    def search(self, request: SearchRequest) -> SearchResults:
        """Find statements (or articles).  Raises QuerySyntaxError, SearchError, or IndexUnavailable (Solr down)."""
        return self._search(request, request.facet_limit)

    def _search(self, request: SearchRequest, facet_limit: int) -> SearchResults:
        started = time.perf_counter()
        parsed = parse(request.text, request.target)
        request = request.ordered_for(not parsed.is_everything)
        request = request.replace(filters=self.names().resolve_filters(request.filters))  # "peskov" is Dmitry Peskov
        target, sort, per_page = request.target, request.sort, request.per_page
        offset = request.offset
        if parsed.is_nothing:  # only stop words: every list is empty
            return SearchResults.empty(request, request.filters, parsed.notices)
        mark = _cursor_mark(request.cursor, request.key) if request.cursor else ("*" if offset == 0 else None)
        self._check_expansions(target, parsed, request.text)
        params = self._query_params(request, parsed)
        params += [("rows", per_page), ("fl", "id,score"), ("sort", SORT[sort])]
        params += [("cursorMark", mark), ("start", 0)] if mark else [("start", offset)]
        facet_json = self._facet_json(request)
        if facet_json:
            params.append(("json.facet", json.dumps(facet_json)))
        reply = self._select(target, params, bounded=True)
        total = int(reply["response"]["numFound"])
        window = [(doc["id"], doc.get("score")) for doc in reply["response"]["docs"]]
        if target == "articles":
            hits = article_hits(self._store(), window, sort, parsed.query)
        else:
            hits = statement_hits(self._store(), window, sort, parsed.query)
        facets_reply = reply.get("facets", {})
        facet_list = tuple(self._facet(request, name, facets_reply, facet_limit) for name in request.facets)
        buckets = _histogram(facets_reply.get("histogram", {}).get("buckets", []), request.histogram) if request.histogram else ()
        suggestion = self._suggest(request, parsed) if total == 0 and request.text.strip() else None
        names = self.names().suggest(request.text) if total == 0 and request.text.strip() else ()
        next_cursor = request.next_cursor(total)
        if next_cursor and reply.get("nextCursorMark"):
            next_cursor = _with_mark(next_cursor, reply["nextCursorMark"])
        return SearchResults(
            query=request.text,
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
            filters=request.filters,
            target=target,
            notices=parsed.notices,
            names=names,
        )

    def _select(self, target: str, params: list[tuple[str, Any]], *, bounded: bool = False) -> dict:
        """One search request; ``bounded``: within the search budget, or SearchTimeout (``index.solr.bounds``)."""
        if bounded:
            params = [*params, ("timeAllowed", time_allowed(self.budget))]
        try:
            reply = self.client.post(f"/{self.alias(target)}/select", None, params=None, raw=_form(params), content_type="application/x-www-form-urlencoded")
        except SolrError as error:
            self._refused(error)
        return check_complete(reply, self.budget) if bounded else reply

    def _check_expansions(self, target: str, parsed, text: str) -> None:
        try:
            check_expansions(self.client, self.alias(target), parsed.query, text, self.budget)
        except SolrError as error:
            self._refused(error)

    def _refused(self, error: SolrError) -> NoReturn:
        if error.status == 404 or "not found" in str(error).lower() or "Could not find collection" in str(error):
            raise IndexUnavailable(f"no Solr index yet for {self.base!r}: run 'parley reindex'") from None
        raise SearchError(f"the search engine refused this search: {error}") from None

    def _query_params(self, request: SearchRequest, parsed) -> list[tuple[str, Any]]:
        """q and the filters (one tagged fq per facet) for a request: what decides which documents match."""
        params: list[tuple[str, Any]] = [("q", to_solr(parsed.query)), ("q.op", "OR"), ("wt", "json")]
        lo = _max(parsed.day_from, day_number(request.date_from))
        hi = _min(parsed.day_to, day_number(request.date_to))
        dated = day_range(lo, hi, UNDATED)
        if dated:
            params.append(("fq", dated))
        fields = FACET_FIELDS[request.target]
        for name, values in request.filters.items():
            params.append(("fq", f"{{!tag=f_{name}}}" + _facet_filter(fields[name], name, values)))
        return params

    def _facet_json(self, request: SearchRequest) -> dict:
        fields = FACET_FIELDS[request.target]
        facets: dict[str, Any] = {}
        for name in request.facets:
            facet: dict[str, Any] = {"type": "terms", "field": fields[name], "limit": -1, "mincount": 1, "sort": "count desc"}
            if name == "direct":
                facet["mincount"] = 0
            if name in request.filters:  # drill sideways: this facet's counts ignore its own selection
                facet["domain"] = {"excludeTags": [f"f_{name}"]}
            facets[f"f_{name}"] = facet
        if request.histogram:  # counts per day and precision: coarse dates count for their whole month or year
            facets["histogram"] = {
                "type": "terms",
                "field": "day",
                "limit": -1,
                "mincount": 1,
                "sort": "index asc",
                "facet": {"precision": {"type": "terms", "field": "precision", "limit": -1, "mincount": 1}},
            }
        return facets

    def _facet(self, request: SearchRequest, name: str, reply: Mapping[str, Any], limit: int) -> Facet:
        counts: dict[str, int] = {}
        for bucket in reply.get(f"f_{name}", {}).get("buckets", []):
            value = bucket["val"]
            if isinstance(value, bool):
                value = "true" if value else "false"
            counts[str(value)] = int(bucket["count"])
        if name == "direct":  # both values, always, as Whoosh gives them
            counts = {"true": counts.get("true", 0), "false": counts.get("false", 0)}
        chosen = request.filters.get(name, ())
        selected = {speaker_key(v) for v in chosen} if name == "speaker" else set(chosen)
        labels = self.speaker_labels() if name == "speaker" else {}
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        shown = dict(ordered[:limit])
        top = ordered[:limit] + [(v, counts.get(v, 0)) for v in sorted(selected) if v not in shown]
        values = [FacetValue(v, labels.get(v, v), n, v in selected) for v, n in top]
        return Facet(name, tuple(values), max(0, len(ordered) - limit))

    def speaker_labels(self) -> dict[str, str]:
        """Speaker keys to the longest name the store knows for each (refreshed every 30 s)."""
        cached = self._labels
        if cached is None or time.monotonic() - cached[0] > 30:
            labels: dict[str, str] = {}
            for name in sorted(self._store().speaker_names(), key=len, reverse=True):
                labels.setdefault(speaker_key(name), name)
            cached = self._labels = (time.monotonic(), labels)
        return cached[1]

    def names(self) -> NameBook:
        """The archive's speaker, place and topic names (refreshed every 30 s): filters resolve through it."""
        cached = getattr(self, "_names", None)
        if cached is None or time.monotonic() - cached[0] > 30:
            try:
                places, topics = self._values("places"), self._values("topics")
            except IndexUnavailable:
                places, topics = [], []
            cached = self._names = (time.monotonic(), NameBook(self.speaker_labels(), places, topics))
        return cached[1]

    def _values(self, field_name: str) -> list[str]:
        reply = self._select("statements", [("q", "*:*"), ("rows", 0), ("json.facet", json.dumps({"v": {"type": "terms", "field": field_name, "limit": -1}}))])
        return sorted(b["val"] for b in reply.get("facets", {}).get("v", {}).get("buckets", []))

    def _suggest(self, request: SearchRequest, parsed) -> str | None:
        """Did-you-mean: each unknown plain word replaced by Solr's nearest known one, kept only if it finds something."""
        # As Whoosh's correct_query: only words whose term the index does not have at all are corrected,
        # and only in statements' text (an article search gets no suggestion from the Whoosh backend either).
        if request.target != "statements":
            return None
        typed = [w for w in re.findall(r"(?<![\w:])[^\W\d_][\w'-]*(?![\w:*?])", request.text) if w not in OPERATORS]
        if not typed or any(len(w) > SUGGEST_MAX_WORD for w in re.findall(r"\S+", request.text)):
            return None
        terms = {w: analysed_word(w) for w in typed}
        known = self._known_terms(request.target, "text", {t for t in terms.values() if t})
        words = [w for w in typed if terms[w] and terms[w] not in known]
        if not words:
            return None
        try:
            reply = self.client.get(
                f"/{self.alias(request.target)}/select",
                [
                    ("q", "*:*"),
                    ("rows", 0),
                    ("spellcheck", "true"),
                    ("spellcheck.q", " ".join(w.lower() for w in words)),
                    ("spellcheck.dictionary", "default"),
                    ("spellcheck.count", 1),
                    ("wt", "json"),
                ],
            )
        except SolrError:
            return None
        found = reply.get("spellcheck", {}).get("suggestions", [])
        pairs = dict(zip(found[::2], found[1::2], strict=False)) if found and isinstance(found[0], str) else {}
        corrected = request.text
        for word in words:
            options = pairs.get(word.lower(), {}).get("suggestion", [])
            if options:
                best = options[0]["word"] if isinstance(options[0], dict) else options[0]
                corrected = re.sub(rf"(?<![\w:]){re.escape(word)}(?![\w:*?])", best, corrected, count=1)
        if corrected == request.text:
            return None
        try:
            # as Whoosh's did-you-mean: the corrected words find something, whatever the filters
            probe = self._search(
                request.replace(text=corrected, filters={}, date_from=None, date_to=None, facets=(), histogram=None, page=1, cursor=None, per_page=1), 1
            )
        except Exception:  # noqa: BLE001 - a suggestion is a nicety: one that cannot run is none
            return None
        return corrected if probe.total else None

    def _known_terms(self, target: str, field_name: str, terms: set[str]) -> set[str]:
        """Which of these terms the collection's field has (Solr's terms component, over every shard)."""
        if not terms:
            return set()
        reply = self.client.get(
            f"/{self.alias(target)}/terms",
            [("terms.fl", field_name), ("terms.list", ",".join(sorted(terms))), ("terms.limit", -1), ("wt", "json"), ("json.nl", "map")],
        )
        found = reply.get("terms", {}).get(field_name, {})
        return {t for t, n in found.items() if (n.get("df", 0) if isinstance(n, dict) else n)}

    def iter_matches(self, request: SearchRequest) -> MatchOrder:
        """Every statement the request matches, in ``search``'s order, paged through with cursorMark (no depth limit)."""
        if request.target != "statements":
            raise SearchError("exports list statements", "target")
        parsed = parse(request.text, "statements")
        if parsed.is_nothing:
            return MatchOrder(0, iter(()))
        request = request.ordered_for(not parsed.is_everything)
        request = request.replace(filters=self.names().resolve_filters(request.filters))
        self._check_expansions("statements", parsed, request.text)
        params = self._query_params(request, parsed) + [("rows", EXPORT_ROWS), ("fl", "id,score"), ("sort", SORT[request.sort])]
        first = self._select("statements", params + [("cursorMark", "*")], bounded=True)
        scored = request.sort == "relevance"

        def ids() -> Iterator[tuple[str, float | None]]:
            reply, mark = first, "*"
            while True:
                for doc in reply["response"]["docs"]:
                    yield doc["id"], (round(float(doc["score"]), 4) if scored and "score" in doc else None)
                following = reply.get("nextCursorMark")
                if not following or following == mark or not reply["response"]["docs"]:
                    return
                mark = following
                reply = self._select("statements", params + [("cursorMark", mark)], bounded=True)

        return MatchOrder(int(first["response"]["numFound"]), ids())

    def facet_values(self, name: str, request: SearchRequest, prefix: str = "", limit: int = 10) -> Facet:
        """Values of one facet whose label has a word starting with ``prefix``, within a request: typeahead."""
        fields = FACET_FIELDS[request.target]
        if name not in fields:
            raise SearchError(f"unknown facet {name!r}; facets are {', '.join(fields)}", "name")
        page = self._search(request.replace(facets=(name,), per_page=1, page=1, cursor=None, histogram=None), MAX_FACET_VALUES * 100)
        wanted = speaker_key(prefix)
        values = [
            v for v in page.facets[0].values if not wanted or any(word.startswith(wanted) for word in [speaker_key(v.label)] + speaker_key(v.label).split())
        ]
        return Facet(name, tuple(values[:limit]), max(0, len(values) - limit))

    def more_like(self, statement_id: str, limit: int = 10):
        """Statements like this one: the quote's ten most telling words (Whoosh's Bo1 weights), any of them."""
        found = self._store().statements_by_id([statement_id])
        if statement_id not in found:
            raise LookupError(f"no statement with id {statement_id[:40]!r}")
        statement = found[statement_id][0]
        terms = key_terms(self.client, self.alias("statements"), statement.quote, 10)
        if not terms:
            return ()
        query = "(" + " ".join(f"text:{quoted(t)}" for t in terms) + f") -id:{quoted(statement_id)}"
        reply = self._select("statements", [("q", query), ("rows", limit), ("fl", "id,score"), ("sort", SORT["relevance"]), ("wt", "json")], bounded=True)
        window = [(doc["id"], doc.get("score")) for doc in reply["response"]["docs"]]
        return statement_hits(self._store(), window, "relevance", None)

    # --- writing (the store is always written first) --------------------------------------------
    def update(self, store: Store, article_ids: Iterable[str]) -> int:
        """(Re)index these articles, and any the store still lists as unindexed; statements written.

        When Solr cannot be reached this logs why and returns 0: the articles are safe in the store,
        which keeps them listed as unindexed until an update or a rebuild gets them in.
        """
        ids = list(dict.fromkeys([*article_ids, *store.unindexed()]))
        if not ids:
            return 0
        try:
            if not self.ready():
                if len(store.article_ids()) > len(ids):
                    return self.rebuild(store).statements
                with write_lock(self.home):
                    self._new_generation(swap=True)
            with write_lock(self.home):
                written = self._write(ids, store, self.alias("statements"), self.alias("articles"))
                store.mark_indexed(ids)
            return written
        except (SolrUnavailable, SolrError) as error:
            LOG.warning("%d article(s) stored but not indexed yet: %s", len(ids), error)
            return 0

    def feeder(self, store: Store) -> Feeder:
        return Feeder(self.update, store)

    def rebuild(self, store: Store, *, procs: int | None = None) -> RebuildReport:
        """Index the whole store into new collections, then move the aliases onto them.

        The new collections start with one replica per shard, so each document is analysed and indexed
        once; the other replicas are added after the load and copy the finished index (Solr's
        replication), which costs far less than indexing everything twice.  They are loaded under the
        bulk configset (``bulk_config``: no automatic hard commits, whose many small segments and their
        merges were a third of Solr's indexing work), committed once, then moved to the regular
        configset and reloaded before any replica is added or any search sees them.  A large archive is
        read and sent by several processes (``procs``, as the Whoosh rebuild: every core from 1,000 articles).
        """
        started = time.perf_counter()
        report = RebuildReport(procs=build_procs(store, procs))
        with write_lock(self.home):
            pending = store.unindexed()  # what the new collections will have taken in, once swapped
            names = self._new_generation(swap=False, replicas=1, bulk=True)
            try:
                cuts = store.split_ids(report.procs) if report.procs > 1 else []
                slices = list(zip(["", *cuts], [*cuts, None], strict=True))
                if len(slices) == 1:
                    counts = [load_slice(self.client.urls, str(self.home), names, "", None)]
                else:  # each process reads its own slice of the store and posts it (no fork: a server calling us has threads)
                    with ProcessPoolExecutor(len(slices), mp_context=multiprocessing.get_context("spawn")) as workers:
                        counts = list(
                            workers.map(load_slice, repeat(self.client.urls), repeat(str(self.home)), repeat(dict(names)), *zip(*slices, strict=True))
                        )
                report.articles = sum(a for a, _ in counts)
                report.statements = sum(n for _, n in counts)
                LOG.info("rebuild: %d statements sent in %.1f s", report.statements, time.perf_counter() - started)
                for collection in names.values():
                    self.client.get(f"/{collection}/update", {"commit": "true", "wt": "json"}, timeout=600)
                    self.client.collections_admin("MODIFYCOLLECTION", collection=collection, **{"collection.configName": self.configset_name()})
                    self.client.collections_admin("RELOAD", name=collection)
                    for shard in range(1, self.shards + 1):
                        for _ in range(self.replicas - 1):
                            self.client.collections_admin("ADDREPLICA", collection=collection, shard=f"shard{shard}", waitForFinalState="true")
                    LOG.info("rebuild: %s committed, reloaded and replicated at %.1f s", collection, time.perf_counter() - started)
            except BaseException:
                for collection in names.values():
                    try:
                        self.client.delete_collection(collection)
                    except (SolrUnavailable, SolrError):
                        pass
                raise
            self._swap(names)
            store.mark_indexed(pending)
        report.seconds = time.perf_counter() - started
        return report

    def verify(self, store: Store) -> Verification:
        """Compare statement counts per article in the store with those in the collections."""
        result = Verification()
        expected = dict(store.db.execute("SELECT a.id, count(s.id) FROM articles a LEFT JOIN statements s ON s.article_id = a.id GROUP BY a.id"))
        if not self.ready():
            result.no_index = bool(expected)
            result.missing = sorted(expected)
            return result
        reply = self._select(
            "statements", [("q", "*:*"), ("rows", 0), ("json.facet", json.dumps({"a": {"type": "terms", "field": "article_id", "limit": -1}}))]
        )
        indexed = {b["val"]: int(b["count"]) for b in reply.get("facets", {}).get("a", {}).get("buckets", [])}
        articles = set(self._all_ids("articles"))
        result.missing = sorted(i for i, n in expected.items() if indexed.get(i, 0) != n or i not in articles)
        result.stale = sorted((set(indexed) | articles) - set(expected))
        return result

    def advice(self) -> list[str]:
        return []  # Solr merges its own segments

    # --- pieces ---------------------------------------------------------------------------------
    def _write(self, ids: list[str], store: Store, statements: str, articles: str) -> int:
        """Index these articles into the two collections (replacing what they had there), visible when it returns."""
        if not ids:
            return 0
        statement_docs: list[dict] = []
        article_docs: list[dict] = []
        for article_id in ids:
            extraction = store.get(article_id)
            if extraction is None:
                continue
            article_docs.append(solr_article(extraction))
            statement_docs.extend(solr_statements(extraction))
        params = {"wt": "json"}
        terms = ",".join(ids)
        self.client.post(f"/{statements}/update", {"delete": {"query": f"{{!terms f=article_id}}{terms}"}}, params)
        self.client.post(f"/{articles}/update", {"delete": {"query": f"{{!terms f=id}}{terms}"}}, params)
        for start in range(0, len(statement_docs), BATCH):
            self.client.post(f"/{statements}/update", statement_docs[start : start + BATCH], params)
        for start in range(0, len(article_docs), BATCH):
            self.client.post(f"/{articles}/update", article_docs[start : start + BATCH], params)
        for collection in (statements, articles):  # visible to the next search, as after a Whoosh commit
            self.client.get(f"/{collection}/update", {"softCommit": "true", "wt": "json"})
        return len(statement_docs)

    def _new_generation(self, *, swap: bool, replicas: int | None = None, bulk: bool = False) -> dict[str, str]:
        config = self.configset_name()
        present = self.client.configsets()
        if config not in present:
            self.client.upload_configset(config, CONFIGSET)
        if bulk:
            config += "-bulk"
            if config not in present:
                self.client.upload_configset(config, CONFIGSET, bulk_config)
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime()) + f"{time.time_ns() % 1_000_000:06d}"
        names = {t: f"{self._collection_prefix(t)}{stamp}" for t in TARGETS}
        for collection in names.values():
            self.client.create_collection(collection, config, self.shards, replicas or self.replicas)
        if swap:
            self._swap(names)
        return names

    def _swap(self, names: Mapping[str, str]) -> None:
        """Point the aliases at the new collections; drop generations older than the one just replaced."""
        before = self.client.aliases()
        for target, collection in names.items():
            self.client.alias(self.alias(target), collection)
        self._aliases = None
        keep = set(names.values()) | {before.get(self.alias(t), "") for t in TARGETS}
        for collection in self.client.collections():
            if any(collection.startswith(f"{self.alias(t)}_v") for t in TARGETS) and collection not in keep:
                try:
                    self.client.delete_collection(collection)
                except SolrError:
                    pass

    def _all_ids(self, target: str) -> Iterator[str]:
        params = [("q", "*:*"), ("rows", 5000), ("fl", "id"), ("sort", "id asc")]
        mark = "*"
        while True:
            reply = self._select(target, params + [("cursorMark", mark)])
            for doc in reply["response"]["docs"]:
                yield doc["id"]
            following = reply.get("nextCursorMark")
            if not reply["response"]["docs"] or following == mark:
                return
            mark = following


def bulk_config(name: str, data: bytes) -> bytes:
    """A configset file as the bulk configset has it: solrconfig.xml without automatic hard commits
    (the rebuild commits once at the end) and without the update log.  The log is for replicas
    catching up and for replaying what was sent since the last commit; a new collection has one
    replica per shard and nothing to replay (a rebuild that fails is dropped and done again), and
    writing each document to it again was work for nothing.  The regular configset, switched to
    before any replica is added, has both."""
    if name != "solrconfig.xml":
        return data
    text = data.decode("utf-8")
    regular = "${solr.autoCommit.maxTime:15000}"
    log = re.search(r"<updateLog>.*?</updateLog>", text, re.DOTALL)
    if regular not in text or log is None:
        raise ValueError(f"solrconfig.xml has no {regular} and <updateLog> to turn off for bulk loading")
    text = text[: log.start()] + "<!-- no update log while loading -->" + text[log.end() :]
    return text.replace(regular, "-1").encode("utf-8")


def load_slice(urls: list[str], home: str, names: Mapping[str, str], after: str, upto: str | None) -> tuple[int, int]:
    """Post the articles with ids in (after, upto] and their statements to new collections; (articles, statements).

    Each document goes to the leader of its shard (``index.solr.routing``: no node forwards it again),
    in requests sent on ``SENDERS`` threads while the next batch is made, so the nodes index in parallel.
    """
    client = SolrClient(urls)
    status = client.collections_admin("CLUSTERSTATUS")
    routes = {collection: ShardRoutes.from_status(status, collection) for collection in names.values()}
    store = Store(home, readonly=True)
    articles = statements = 0
    in_flight: list = []

    def post(collection: str, docs: list[dict]) -> None:
        route = routes[collection]
        if route is None:
            client.post(f"/{collection}/update", docs, {"wt": "json"})
            return
        for core, part in route.split(docs).items():
            client.post_to_core(core, "/update", part, {"wt": "json"}, fallback=f"/{collection}/update")

    try:
        with ThreadPoolExecutor(SENDERS) as pool:
            statement_docs: list[dict] = []
            article_docs: list[dict] = []
            for extraction in store.extractions(after, upto):
                article_docs.append(solr_article(extraction))
                statement_docs.extend(solr_statements(extraction))
                if len(statement_docs) >= BULK_BATCH:
                    in_flight += [pool.submit(post, names["statements"], statement_docs), pool.submit(post, names["articles"], article_docs)]
                    articles, statements = articles + len(article_docs), statements + len(statement_docs)
                    statement_docs, article_docs = [], []
                    while len(in_flight) > 2 * SENDERS:  # a bounded queue: memory stays flat
                        in_flight.pop(0).result()
            for collection, docs in ((names["statements"], statement_docs), (names["articles"], article_docs)):
                if docs:
                    in_flight.append(pool.submit(post, collection, docs))
            articles, statements = articles + len(article_docs), statements + len(statement_docs)
            for future in in_flight:
                future.result()
    finally:
        store.close()
    return articles, statements


def _facet_filter(field_name: str, name: str, values: Iterable[str]) -> str:
    """One facet's filter: any of its values (OR within a facet)."""
    if field_name == "direct":
        wanted = {v.lower() in ("true", "1", "yes", "t") for v in values}
        return "(" + " ".join(f"direct:{'true' if w else 'false'}" for w in sorted(wanted)) + ")"
    if name == "speaker":
        values = [speaker_key(v) for v in values]
    return "(" + " ".join(f"{field_name}:{quoted(v)}" for v in values) + ")"


_COARSER = {"day": ("month", "year"), "week": ("month", "year"), "month": ("year",), "year": ()}


def _histogram(buckets: list[Mapping[str, Any]], step: str) -> tuple[Bucket, ...]:
    """Counts per step from counts per day and precision, as the Whoosh backend makes them: a statement
    dated only to a month or year, coarser than the step, counts for its whole period."""
    coarser = _COARSER[step]
    counts: Counter[tuple[str, str | None]] = Counter()
    for bucket in buckets:
        day = int(bucket["val"])
        if day == UNDATED:
            continue
        total = int(bucket["count"])
        for sub in bucket.get("precision", {}).get("buckets", []) if coarser else []:
            if sub["val"] in coarser:
                counts[(Period.containing(day_to_date(day), sub["val"]).first.isoformat(), sub["val"])] += int(sub["count"])
                total -= int(sub["count"])
        if total:
            counts[(Period.containing(day_to_date(day), step).first.isoformat(), None)] += total
    return tuple(Bucket(start, n, span) for (start, span), n in sorted(counts.items(), key=lambda item: (item[0][0], item[0][1] or "")))


def _cursor_mark(cursor: str, key: str) -> str | None:
    """Solr's cursorMark carried inside Parley's cursor (None: an offset-only cursor)."""
    decode_cursor(cursor, key)  # validates, and raises SearchError for a foreign or broken cursor
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii") + b"=="))
    except ValueError:
        return None
    mark = data.get("c")
    return mark if isinstance(mark, str) and mark else None


def _with_mark(cursor: str, mark: str) -> str:
    """Parley's cursor with Solr's cursorMark added (kept only while it fits the cursor length limit)."""
    data = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii") + b"=="))
    data["c"] = mark
    raw = json.dumps(data, separators=(",", ":"))
    extended = base64.urlsafe_b64encode(raw.encode("ascii")).decode("ascii").rstrip("=")
    return extended if len(extended) <= MAX_CURSOR_CHARS else cursor


def _form(params: list[tuple[str, Any]]) -> bytes:
    return urlencode([(k, v) for k, v in params if v is not None]).encode("utf-8")


def _max(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def _min(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


register("solr", lambda home, settings: SolrBackend(home, settings))
