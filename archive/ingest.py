"""A batch ingest: read inputs, extract, and keep the articles in the store, each input all or nothing.

Bad inputs never stop the batch (unless ``strict``): each is reported with why and kept in the
store's quarantine table; every good article is added.  What the report lists as added is committed.
Inputs stored one after another share a transaction (``Store.transaction``: one disk sync for up to
``GROUP_INPUTS`` inputs or ``GROUP_SECONDS``), and ``on_added`` hears them once it has committed.

With ``procs`` > 1, worker processes read and extract a few inputs ahead while this process stores
them (and the caller indexes them) in the inputs' order: extraction is most of an ingest's time, and
storing and indexing a batch can go on beside it.  Only this process writes, so what is committed,
and when, is the same as with one process.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, wait
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date

from archive.extract.data import home_folder, use_home
from archive.model import Extraction
from archive.names import storable
from archive.readers import DEFAULT_MAX_BYTES, ReadError, iter_sources, read_path
from archive.store import Store


@dataclass
class Problem:
    source: str
    reason: str


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # kept, but not everything could be done
    statements: int = 0
    inputs: int = 0
    stopped: Problem | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "inputs": self.inputs,
            "added": len(self.added),
            "duplicates": len(self.duplicates),
            "statements": self.statements,
            "rejected": [{"source": p.source, "reason": p.reason} for p in self.rejected],
            "warnings": [{"source": p.source, "reason": p.reason} for p in self.warnings],
            "added_ids": self.added,
            "stopped": {"source": self.stopped.source, "reason": self.stopped.reason} if self.stopped else None,
        }


@dataclass(frozen=True)
class Defaults:
    """Metadata to fill in where an article lacks it."""

    published: date | None = None
    source: str | None = None


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    store: Store,
    *,
    strict: bool = False,
    defaults: Defaults = Defaults(),
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_input: Callable[[str], None] | None = None,
    on_added: Callable[[list[str]], None] | None = None,
    follow_links: bool = False,
    procs: int | None = None,
    on_start: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest every input; ``on_added`` hears the ids each transaction added once it commits (to update an index),
    ``on_start`` how many inputs there are once they are listed, ``on_input`` each one as it is stored.

    ``procs``: processes that read and extract (default: every core from ``PARALLEL_FROM`` inputs up).
    """
    report = IngestReport()
    sources = list(iter_sources(paths, follow_links))
    if on_start:
        on_start(len(sources))
    if procs is None:
        procs = (os.cpu_count() or 1) if len(sources) >= PARALLEL_FROM else 1
    prepared_inputs = _prepared(sources, defaults, max_bytes, procs)
    try:
        _store_all(prepared_inputs, store, report, strict, on_input, on_added)
    finally:
        prepared_inputs.close()  # stops the workers now, not when the generator is collected
    return report


def _store_all(prepared_inputs, store: Store, report: IngestReport, strict: bool, on_input, on_added) -> None:
    done = False
    while not done:
        committed: list[str] = []  # the ids added, told to on_added at once when their transaction commits
        done = True
        with store.transaction():
            opened = time.monotonic()
            for held, (source, prepared, following) in enumerate(prepared_inputs, 1):
                name = source.source if isinstance(source, ReadError) else source
                report.inputs += 1
                if on_input:
                    on_input(name)
                if isinstance(source, ReadError):
                    problem = _reject(store, report, source.source, source.reason)
                else:
                    problem = _keep(source, prepared, store, report, committed)
                if problem and strict:
                    report.stopped = problem
                    break
                waits = following is not None and not _ready(following, opened + GROUP_LINGER - time.monotonic())
                if waits or held >= GROUP_INPUTS or time.monotonic() - opened >= GROUP_SECONDS:
                    done = False
                    break
        if on_added and committed:
            on_added(committed)


# Inputs stored in one transaction (one disk sync for them all): up to GROUP_INPUTS, and committed at
# least every GROUP_SECONDS, so what is reported is never held back longer.  A transaction younger
# than GROUP_LINGER waits for the next input (up to that age); an older one commits before this
# process waits.  Workers hand over an article every few milliseconds, so committing whenever the
# next was not ready yet meant one transaction (and one disk sync, and one message to the indexer)
# per 1.6 articles: 1,359 for 2,160 articles, with 1.3 s of system time in this process.
GROUP_INPUTS = 100
GROUP_SECONDS = 1.0
GROUP_LINGER = 0.25


@dataclass
class _Prepared:
    """One input read and extracted, ready to store: or the reason it could not be read."""

    rejected: tuple[str, str] | None = None  # (source, reason): a ReadError's, which does not pickle
    extractions: list[Extraction] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # the reader's: the input is quarantined
    warnings: list[str] = field(default_factory=list)  # the reader's notes and extractors' failures


def _prepare(source: str, defaults: Defaults, max_bytes: int) -> _Prepared:
    # Imported where it runs: the process that only stores (and every other command) never extracts.
    from archive.extract.pipeline import extract_or_keep

    try:
        result = read_path(source, max_bytes)
    except ReadError as error:
        return _Prepared(rejected=(error.source, error.reason))
    prepared = _Prepared(problems=list(result.problems), warnings=list(result.warnings))
    for article in (_fill(article, defaults) for article in result.articles):
        extraction, failure = extract_or_keep(article)
        prepared.extractions.append(extraction)
        if failure:
            prepared.warnings.append(f"article {article.id} ({article.title or 'untitled'}): {failure}")
    return prepared


# A worker process pays about a second to start and load the extractors' tables: worth it from this
# many inputs on.
PARALLEL_FROM = 50

# Workers extract at a lower priority than the process that stores (and whatever indexes beside it):
# every article passes through that one process, and the one indexing, each using at most a core,
# while extraction is spread over as many workers as there are cores.  At equal priority four
# processes shared two cores evenly and the indexer, the costliest per article, fell behind, to catch
# up alone at the end with the other core idle (index.indexer).
WORKER_NICE = 10

# Inputs each worker may have read and extracted ahead of the store: enough to keep it busy while
# this process stores, few enough that memory does not grow with the batch.
_AHEAD = 4


def _worker(home: str, parent: int) -> None:
    """A worker's start: the ingest's home folder for the extractors' vocabularies, and a watch on the ingest.

    A worker waits for its next input on a lock it never gives up, so one whose ingest was killed
    (kill -9, an out-of-memory kill) would wait forever, holding the ingest's stderr open; the watch
    ends it within half a second of its parent's death."""
    use_home(home)
    with suppress(OSError):  # raising one's own nice value needs no privilege; where it fails, the worker runs as it is
        os.nice(WORKER_NICE)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="ingest-parent-watch", daemon=True).start()


def _prepared(sources: list, defaults: Defaults, max_bytes: int, procs: int) -> Iterator[tuple[object, _Prepared | None, Future | None]]:
    """Each source with its read and extracted input, in the sources' order, and the next input's work
    while a worker prepares it (None when the next is at hand: taking it would not wait)."""
    if procs <= 1 or len(sources) < 2:
        for source in sources:
            yield source, None if isinstance(source, ReadError) else _prepare(source, defaults, max_bytes), None
        return
    spawn = multiprocessing.get_context("spawn")  # no fork: the caller may hold threads and open databases
    with ProcessPoolExecutor(procs, mp_context=spawn, initializer=_worker, initargs=(home_folder(), os.getpid())) as pool:
        pending: deque[tuple[object, Future | _Prepared | None]] = deque()
        queue = iter(sources)
        try:
            while True:
                while len(pending) < procs * _AHEAD:
                    source = next(queue, None)
                    if source is None:
                        break
                    pending.append(_start(pool, source, defaults, max_bytes))
                if not pending:
                    return
                source, work = pending.popleft()
                result = work.result() if isinstance(work, Future) else work
                if len(pending) < procs * _AHEAD:  # the next to start, so that its readiness is known
                    source_next = next(queue, None)
                    if source_next is not None:
                        pending.append(_start(pool, source_next, defaults, max_bytes))
                following = pending[0][1] if pending else None
                yield source, result, following if isinstance(following, Future) and not following.done() else None
        finally:
            for _, work in pending:
                if isinstance(work, Future):
                    work.cancel()


def _ready(work: Future, timeout: float) -> bool:
    """Whether ``work`` is done, waiting for it up to ``timeout`` seconds."""
    if not work.done() and timeout > 0:
        wait((work,), timeout)
    return work.done()


def _start(pool: ProcessPoolExecutor, source, defaults: Defaults, max_bytes: int) -> tuple[object, Future | _Prepared | None]:
    if isinstance(source, ReadError):
        return source, None
    if source == "-":  # standard input belongs to this process
        return source, _prepare(source, defaults, max_bytes)
    return source, pool.submit(_prepare, source, defaults, max_bytes)


def _keep(source: str, prepared: _Prepared, store: Store, report: IngestReport, committed: list[str]) -> Problem | None:
    if prepared.rejected is not None:
        return _reject(store, report, *prepared.rejected)
    extractions = prepared.extractions
    outcome = store.add_batch(extractions)
    report.added += outcome.added
    report.duplicates += outcome.duplicates
    added = set(outcome.added)
    report.statements += sum(len(e.statements) for e in extractions if e.article.id in added)
    committed.extend(outcome.added)
    first_problem = None
    for reason in prepared.problems:
        # A file that gave articles was kept: its bad parts are warnings (quarantined all the same, and
        # fatal under --strict); a file that gave nothing is rejected.
        problem = _reject(store, report, source, reason, kept=bool(extractions))
        first_problem = first_problem or problem
    for note in prepared.warnings:
        report.warnings.append(Problem(storable(source), note))
    return first_problem


def _reject(store: Store, report: IngestReport, source: str, reason: str, kept: bool = False) -> Problem:
    problem = Problem(storable(source), storable(reason))
    (report.warnings if kept else report.rejected).append(problem)
    data = None
    if source != "-" and os.path.isfile(source):
        try:
            with open(source, "rb") as handle:
                data = handle.read(DEFAULT_MAX_BYTES)
        except OSError:
            data = None
    store.quarantine(source, reason, data)
    return problem


def _fill(article, defaults: Defaults):
    changes = {}
    if article.published is None and defaults.published is not None:
        changes["published"] = defaults.published
    if not article.source and defaults.source:
        changes["source"] = defaults.source
    return article.with_metadata(**changes) if changes else article


def reextract(store: Store, on_article: Callable[[str], None] | None = None) -> list[Problem]:
    """Run today's extractors again over every stored article text (after an upgrade or a fix).

    Each article is replaced in its own transaction; failures keep the article with nothing
    extracted and are returned.  The index must be rebuilt afterwards.
    """
    from archive.extract.pipeline import extract_or_keep

    problems = []
    for article_id in sorted(store.article_ids()):
        stored = store.get(article_id)
        if stored is None:
            continue
        extraction, failure = extract_or_keep(stored.article)
        store.replace_extraction(extraction)
        if failure:
            problems.append(Problem(stored.article.path or article_id, failure))
        if on_article:
            on_article(article_id)
    return problems
