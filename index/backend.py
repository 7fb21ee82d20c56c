"""The search backend interface: what an engine must answer for Parley, and how one is chosen.

Two engines implement it: Whoosh, embedded, the default (``index.search.SearchIndex``), and SolrCloud
for archives past one machine.  Everything above ``index`` (site, API, CLI, feeds) talks to a
``SearchBackend`` only, with a ``SearchRequest`` in and ``SearchResults`` out; no engine type crosses
this line.  The store stays the source of truth for every engine: ``rebuild`` builds an engine's index
from it and ``verify`` compares the two.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from archive.store import Store
from index.errors import IndexUnavailable
from index.request import SearchRequest
from index.results import Facet, Hit, MatchOrder, SearchResults

DEFAULT_BACKEND = "whoosh"


@dataclass
class RebuildReport:
    articles: int = 0
    statements: int = 0
    seconds: float = 0.0
    procs: int = 1


@dataclass
class Verification:
    """How the store and the index differ (empty lists: they agree)."""

    missing: list[str] = field(default_factory=list)  # articles in the store, not (fully) in the index
    stale: list[str] = field(default_factory=list)  # articles in the index, not in the store
    no_index: bool = False
    damaged: list[str] = field(default_factory=list)  # what in the index cannot be read, in words

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.no_index or self.damaged)


class Feeder:
    """Collects ids of newly stored articles and indexes them in batches: every ``every`` articles, or
    (with ``seconds``) the first time articles come in ``seconds`` or more after the last batch, and at the end.

    Batching keeps a bulk ingest from writing one index segment (or one engine request) per file.
    Anything stored but not yet indexed when a process dies stays listed in the store's ``unindexed``
    table: the next ingest (or ``serve``) indexes it first (``finish_pending``), and ``rebuild`` takes
    it in too.
    """

    def __init__(self, update: Callable[[Store, list[str]], int], store: Store, every: int = 200, seconds: float | None = None) -> None:
        self.update = update
        self.store = store
        self.every = every
        self.seconds = seconds
        self.pending: list[str] = []
        self.indexed = 0
        self.last = time.monotonic()  # when the last batch was indexed (or the feeder made)

    def __call__(self, article_ids: list[str]) -> None:
        self.pending.extend(article_ids)
        if len(self.pending) >= self.every or (self.seconds is not None and time.monotonic() - self.last >= self.seconds):
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.indexed += self.update(self.store, self.pending)
            self.pending = []
        self.last = time.monotonic()

    def inputs_left(self, count: int) -> None:
        """How many inputs the ingest has yet to read: a hint for when to commit (this feeder needs none)."""


@runtime_checkable
class SearchBackend(Protocol):
    """What a search engine must answer.  Implementations are safe to share between threads."""

    name: str

    # --- reading ------------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResults:
        """One page of hits with facets, histogram and did-you-mean.  Raises QuerySyntaxError or SearchError."""
        ...

    def iter_matches(self, request: SearchRequest) -> MatchOrder:
        """Every statement the request matches, in its order, lazily and without depth limit (exports)."""
        ...

    def facet_values(self, name: str, request: SearchRequest, prefix: str = "", limit: int = 10) -> Facet:
        """Values of one facet, within a request, whose label has a word starting with ``prefix`` (typeahead)."""
        ...

    def more_like(self, statement_id: str, limit: int = 10) -> tuple[Hit, ...]:
        """Statements like this one.  Raises LookupError for an unknown statement."""
        ...

    def ready(self) -> bool:
        """Whether there is an index to search (False: nothing built yet, or an older version)."""
        ...

    # --- writing (the store is always written first) --------------------------------------
    def update(self, store: Store, article_ids: Iterable[str]) -> int:
        """(Re)index these articles from the store (deleting those gone from it); statements written."""
        ...

    def feeder(self, store: Store) -> Feeder:
        """A batching ``update`` for ingest."""
        ...

    def rebuild(self, store: Store, *, procs: int | None = None) -> RebuildReport:
        """A new index from the whole store, swapped in so searches go on meanwhile."""
        ...

    def verify(self, store: Store) -> Verification:
        """How the index differs from the store."""
        ...

    def advice(self) -> list[str]:
        """What the user could do to make the index answer better, in words (empty: nothing)."""
        ...


def finish_pending(backend: SearchBackend, store: Store) -> int:
    """Index what an earlier ingest stored but was stopped before indexing (the store lists it in the
    transaction that stores an article); returns how many articles were taken in."""
    pending = store.unindexed()
    if pending:
        backend.update(store, pending)
    return len(pending)


_BACKENDS: dict[str, Callable[[os.PathLike[str] | str, Mapping[str, Any]], SearchBackend]] = {}


def register(name: str, factory: Callable[[os.PathLike[str] | str, Mapping[str, Any]], SearchBackend]) -> None:
    """Make an engine available under ``name`` for the ``[search] backend`` setting."""
    _BACKENDS[name] = factory


def search_settings(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``[search]`` table of the settings (``PARLEY_SEARCH``), with ``PARLEY_SEARCH_*`` variables over it.

    ``settings`` is the flat mapping the app and the CLI read from ``parley.toml`` and the environment
    (a table ``[search]`` arrives as ``PARLEY_SEARCH``; ``PARLEY_SEARCH_BACKEND=solr`` as its own key).
    """
    settings = settings or {}
    table = settings.get("PARLEY_SEARCH")
    found = dict(table) if isinstance(table, Mapping) else {}
    for key, value in settings.items():
        if key.startswith("PARLEY_SEARCH_"):
            found[key.removeprefix("PARLEY_SEARCH_").lower()] = value
    return found


def open_backend(home: os.PathLike[str] | str, settings: Mapping[str, Any] | None = None) -> SearchBackend:
    """The engine the settings' ``[search]`` table names (Whoosh when none), over the archive in ``home``."""
    search = search_settings(settings)
    name = str(search.get("backend") or DEFAULT_BACKEND)
    if name == "whoosh" and name not in _BACKENDS:
        import index.search  # noqa: F401 - registers itself
    elif name == "solr" and name not in _BACKENDS:
        try:
            import index.solr  # noqa: F401 - registers itself
        except ImportError as error:
            raise ValueError(f"the solr backend is not available here: {error}") from None
    if name not in _BACKENDS:
        raise ValueError(f"unknown search backend {name!r}; use one of {', '.join(sorted(_BACKENDS) or ['whoosh'])}")
    return _BACKENDS[name](home, search)


__all__ = [
    "DEFAULT_BACKEND",
    "Feeder",
    "IndexUnavailable",
    "RebuildReport",
    "SearchBackend",
    "Verification",
    "finish_pending",
    "open_backend",
    "register",
    "search_settings",
]
