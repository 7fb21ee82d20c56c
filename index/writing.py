"""Building and updating the Whoosh index from the store.

The index lives in ``HOME/index/`` as generations (``gen-…`` folders); the file ``CURRENT`` names
the one in use.  ``update`` writes into the current generation; ``rebuild`` builds a new one aside
from the store and swaps ``CURRENT`` atomically, so searches go on meanwhile.  One process writes at
a time (``HOME/index/write.lock``); searchers never lock.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import TypeVar

from whoosh import index as whoosh_index
from whoosh.reading import SegmentReader
from whoosh.util import fib
from whoosh.writing import SegmentWriter

from archive.store import Store
from index import integrity, valuefiles
from index.backend import RebuildReport, Verification
from index.documents import article_document, statement_documents
from index.schema import article_schema, statement_schema
from index.segment_builder import SegmentBuilder

T = TypeVar("T")

INDEX_DIR = "index"
ARTICLES = "articles"  # the article index's name inside a generation (statements use Whoosh's default)
CURRENT = "CURRENT"
RETIRED = "RETIRED"
GRACE = 120.0  # seconds a replaced generation stays on disk for searches still reading it
# Bump when the schema or an analyzer changes: an index of another version counts as missing, and is
# rebuilt from the store (by serve, by the next ingest, or by `parley reindex`).
INDEX_VERSION = "7"
VERSION_FILE = "VERSION"


# An ingest's indexer (``index.indexer``) commits a batch every INGEST_BATCH articles, INGEST_SECONDS after
# the batch began, and at the ingest's end: an article is searchable that long after it is stored (it is
# safe from the moment it is stored: the store lists what the index has yet to take in).  A segment's
# term table costs about as much as its postings: one of 2,000 articles costs a third less per article
# than one of 200.
INGEST_BATCH = 2000
INGEST_SECONDS = 30.0
# An update writes the mapped files (``index.valuefiles``) of the segments its commit leaves without them
# from this many documents up.  A searcher without them decodes a frequent word's postings from Whoosh's
# blocks at every search: at a million statements, after re-indexing 4% of the articles into one new
# segment, searches took 1.07-1.31x as long as on the untouched archive without its files, and
# 0.98-1.14x with them (bench/deleted_bench.py, the same queries in turns).  Smaller segments are cheap
# to decode.
MAPPED_FROM = 10_000


def index_root(home: str | os.PathLike[str]) -> Path:
    return Path(home) / INDEX_DIR


# The last generation found per index root, with the stat of CURRENT and of its VERSION file then: every
# search asks, and while neither file changed the answer stands (the full check reads the TOC).
_FOUND: dict[Path, tuple[tuple[int, int, int], Path, tuple[int, int, int]]] = {}


def _stamp(path: Path) -> tuple[int, int, int]:
    stat = os.stat(path)
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def current_path(home: str | os.PathLike[str]) -> Path | None:
    """The generation in use, or None when there is no index yet."""
    root = index_root(home)
    found = _FOUND.get(root)
    if found is not None:
        try:
            if _stamp(root / CURRENT) == found[0] and _stamp(found[1] / VERSION_FILE) == found[2]:
                return found[1]
        except FileNotFoundError:
            pass
    try:
        current_stamp = _stamp(root / CURRENT)
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    path = root / name
    try:
        version_stamp = _stamp(path / VERSION_FILE)
        version = (path / VERSION_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if version != INDEX_VERSION:
        return None
    try:
        exists = past_toc_race(lambda: whoosh_index.exists_in(path))
    except FileNotFoundError:  # still racing commits: the generation is there, whatever its TOC
        return path
    except Exception:  # a damaged TOC: the generation is in use, and opening it says what is wrong
        return path
    if not exists:
        return None
    _FOUND[root] = (current_stamp, path, version_stamp)
    return path


def past_toc_race(action: Callable[[], T], attempts: int = 5) -> T:
    """``action()``, run again when it fails because a commit replaced the TOC Whoosh had just listed.

    Whoosh lists a generation's TOC files, then opens the newest; a commit in between deletes it.
    The next TOC is already there, so looking again succeeds.
    """
    for attempt in range(attempts):
        try:
            return action()
        except FileNotFoundError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.01)
    raise AssertionError("unreachable")


@contextmanager
def write_lock(home: str | os.PathLike[str]):
    """Held by whoever writes the index (an ingest step or a rebuild); waits for the other."""
    root = index_root(home)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "write.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _new_generation(home: str | os.PathLike[str]) -> Path:
    root = index_root(home)
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"gen-{time.time_ns()}"
    path.mkdir()
    whoosh_index.create_in(path, statement_schema())
    whoosh_index.create_in(path, article_schema(), indexname=ARTICLES)
    (path / VERSION_FILE).write_text(INDEX_VERSION, encoding="utf-8")
    return path


def _swap(home: str | os.PathLike[str], path: Path) -> None:
    root = index_root(home)
    tmp = root / f"{CURRENT}.tmp"
    tmp.write_text(path.name, encoding="utf-8")
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, root / CURRENT)
    for old in root.glob("gen-*"):
        # The one replaced, and any left by a rebuild that was killed (we hold the write lock: none is in progress).
        if old != path and not (old / RETIRED).exists():
            (old / RETIRED).write_text(str(time.time()), encoding="utf-8")
    _remove_retired(root)


def _remove_retired(root: Path) -> None:
    """Delete generations retired over ``GRACE`` seconds ago: searches still open on them have moved on."""
    for old in root.glob("gen-*"):
        marker = old / RETIRED
        try:
            if time.time() - marker.stat().st_mtime > GRACE:
                shutil.rmtree(old, ignore_errors=True)
        except FileNotFoundError:
            continue


def open_for_writing(home: str | os.PathLike[str]) -> Path:
    """The current generation, created (empty) if there is none."""
    path = current_path(home)
    if path is None:
        path = _new_generation(home)
        _swap(home, path)
    return path


def update(home: str | os.PathLike[str], store: Store, article_ids: Iterable[str]) -> int:
    """(Re)index these articles and their statements; returns how many statement documents were written."""
    ids = list(article_ids)
    if not ids:
        return 0
    if needs_rebuild(home, store):
        return rebuild(home, store).statements  # no usable index (none yet, or an older version): build it all
    batch = Batch(home)
    try:
        written = batch.add(store, ids)
    except BaseException:
        batch.cancel()
        raise
    batch.commit(store)
    return written


def needs_rebuild(home: str | os.PathLike[str], store: Store) -> bool:
    """Whether indexing must build the whole index: there is none usable (none yet, or an older
    version), and the store holds articles an index had taken in (a new archive's are all still listed as
    unindexed: they come in batch by batch)."""
    return current_path(home) is None and store.any_indexed()


class Batch:
    """One update of the current generation, taken in a piece at a time (``add``) and made visible at once
    (``commit``): deletions through Whoosh's writers (with their merge policy), the new documents into one
    new segment per index written by the bulk builder, which the commit adds to the table of contents.
    Holds the index's write lock from its making to its commit (or ``cancel``)."""

    def __init__(self, home: str | os.PathLike[str]) -> None:
        self._lock = write_lock(home)
        self._lock.__enter__()
        try:
            self.path = open_for_writing(home)
            statement_ix, article_ix = whoosh_index.open_dir(self.path), whoosh_index.open_dir(self.path, indexname=ARTICLES)
            self._statements, self._articles = statement_ix.writer(timeout=60), article_ix.writer(timeout=60)
            self._new_statements, self._new_articles = SegmentBuilder(statement_ix), SegmentBuilder(article_ix)
            # One searcher per index for all the deletions: Whoosh opens a reader of every segment per call
            # otherwise (re-indexing 20 articles of a million statements took 15.6 s; now 0.6 s).
            self._searchers = (self._statements.searcher(), self._articles.searcher())
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        self.ids: dict[str, None] = {}  # the articles taken in, in order (each once)

    def add(self, store: Store, article_ids: Iterable[str]) -> int:
        """Delete these articles from the index and add them as the store has them now (articles no
        longer stored are only deleted); returns how many statement documents were written."""
        written = 0
        statement_searcher, article_searcher = self._searchers
        for article_id in article_ids:
            if article_id in self.ids:
                continue
            self.ids[article_id] = None
            self._statements.delete_by_term("article_id", article_id, searcher=statement_searcher)
            self._articles.delete_by_term("id", article_id, searcher=article_searcher)
            extraction = store.get(article_id)
            if extraction is None:
                continue
            self._new_articles.add_document(**article_document(extraction))
            for doc in statement_documents(extraction):
                self._new_statements.add_document(**doc)
                written += 1
        return written

    def commit(self, store: Store, *, mark: bool = True) -> None:
        """Write the new segments, commit both indexes, and take the articles off the store's unindexed list
        (unless ``mark`` is False: then the caller must, once the commit has returned)."""
        try:
            statement_segment, article_segment = self._new_statements.finish(), self._new_articles.finish()
        except BaseException:
            self.cancel()
            raise
        try:
            self._close_searchers()
            self._statements.commit(mergetype=_merging_small_and_adding(statement_segment))
            self._articles.commit(mergetype=_merging_small_and_adding(article_segment))
            valuefiles.write_missing(self.path, procs=1, min_docs=MAPPED_FROM)
            integrity.record(self.path)
            if mark:
                store.mark_indexed(self.ids)
        finally:
            self._lock.__exit__(None, None, None)

    def cancel(self) -> None:
        """Give the batch up: nothing of it reaches the index (its articles stay on the unindexed list)."""
        try:
            self._new_statements.cancel()
            self._new_articles.cancel()
            self._statements.cancel()
            self._articles.cancel()
            self._close_searchers()
        finally:
            self._lock.__exit__(None, None, None)

    def _close_searchers(self) -> None:
        for searcher in self._searchers:
            searcher.close()


# Whoosh merges segments through its own writer, a posting at a time: about half a second of CPU per MB
# of segment (12.4 MB of statements in 5.8 s, 8.8 MB of articles in 4.2 s, on a shared machine).  Its
# MERGE_SMALL rule, applied at every commit, takes in ever larger sets as segments pile up: after an
# ingest's 2,000-article batches it would have merged 20 article segments (40k articles: minutes) at
# the 20th commit, and 27 statement segments (860k statements: about ten minutes) at the 27th, with the
# write lock held and the ingest waiting.  So a commit merges by that rule only among segments that
# together hold at most MERGE_BYTES (the small ones that frequent small ingests leave, ``parley watch``'s);
# larger ones stay as they are until ``parley reindex`` builds the index afresh.
MERGE_BYTES = 4 * 1024 * 1024


def _merging_small_and_adding(segment):
    """Whoosh's default merge rule, bounded by ``MERGE_BYTES`` (small segments merged into the writer's
    own), then ``segment``."""

    def policy(writer, segments):
        return [*_merge_small(writer, segments), *([segment] if segment is not None else [])]

    return policy


def _merge_small(writer, segments: list) -> list:
    """``whoosh.writing.MERGE_SMALL``: the smallest segments, up to the first point past four where they
    hold fewer documents than fib(i + 5), merged into the writer's segment; but only as many as hold at
    most ``MERGE_BYTES`` together (none, if the point lies beyond).  Returns the segments left as they are."""
    chosen, documents, size = [], 0, 0
    sizes = _file_sizes(writer.storage)
    for i, seg in enumerate(sorted(segments, key=lambda s: s.doc_count_all())):
        size += sum(length for name, length in sizes.items() if name.startswith(seg.segment_id() + "."))
        if size > MERGE_BYTES:
            return segments
        documents += max(0, seg.doc_count_all())
        chosen.append(seg)
        if i > 3 and documents < fib(i + 5):
            break
    else:
        return segments
    for seg in chosen:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [seg for seg in segments if all(seg is not c for c in chosen)]


def _file_sizes(storage) -> dict[str, int]:
    """The generation's files and their bytes, listed once per commit: a segment's are its compound file
    (or its parts) and the arrays beside it, all named ``<segment id>.<suffix>``."""
    return {name: storage.file_length(name) for name in storage.list()}


# Past this many segments in an index, searches pay for each (about 0.1 ms per segment and query:
# 20 segments of 1,700 statements answered in 0.4-3 ms more than one), and ``advice`` says so.
# Large ingests leave one segment per INGEST_BATCH articles that no commit merges (MERGE_BYTES).
ADVISED_SEGMENTS = 16
REBUILD_PER_MINUTE = 250_000  # statements a two-core rebuild writes in a minute (4,343/s measured at 1M)


def advice(home: str | os.PathLike[str]) -> list[str]:
    """What would make the index at ``home`` answer better, in words (empty: nothing)."""
    path = current_path(home)
    if path is None:
        return []
    statements = whoosh_index.open_dir(path)
    segments = max(len(statements._segments()), len(whoosh_index.open_dir(path, indexname=ARTICLES)._segments()))
    if segments <= ADVISED_SEGMENTS:
        return []
    minutes = max(1, round(statements.doc_count() / REBUILD_PER_MINUTE))
    return [
        f"the index is in {segments} segments (large ingests add one per {INGEST_BATCH:,} articles), and each makes searches"
        f" slower: `parley reindex` writes it afresh in a few (about {minutes} min; searches go on meanwhile)"
    ]


PARALLEL_FROM = 1000  # articles; below this, starting worker processes costs more than it saves
MAX_PROCS = 8
ORPHAN_CHECK_EVERY = 50  # articles between a worker's checks that its rebuild still runs


def build_procs(store: Store, procs: int | None = None) -> int:
    """How many processes a rebuild uses: ``procs`` if given, else every core for a large archive."""
    if procs is not None:
        return max(1, min(procs, MAX_PROCS))
    articles = store.db.execute("SELECT count(*) FROM articles").fetchone()[0]
    return min(os.cpu_count() or 1, MAX_PROCS) if articles >= PARALLEL_FROM else 1


def rebuild(home: str | os.PathLike[str], store: Store, *, procs: int | None = None) -> RebuildReport:
    """Build a new index from the store, aside, then swap it in atomically.

    With several processes each one reads its own slice of the store and writes its own segments of
    both indexes; the parent only joins the segments into the new generation's table of contents.
    (Whoosh's ``procs=`` writer analyses in workers but leaves reading, documents and the article
    index to the parent, which then becomes the bottleneck.)
    """
    started = time.perf_counter()
    procs = build_procs(store, procs)
    with write_lock(home):
        pending = store.unindexed()  # what the new index will have taken in, once swapped
        path = _new_generation(home)
        try:
            cuts = store.split_ids(procs) if procs > 1 else []
            slices = list(zip(["", *cuts], [*cuts, None]))
            if len(slices) == 1:
                parts = [_build_slice(home, path, "", None)]
            else:
                spawn = multiprocessing.get_context("spawn")  # no fork: a server calling us has threads
                with ProcessPoolExecutor(len(slices), mp_context=spawn) as pool:
                    parts = list(pool.map(_build_slice, repeat(str(home)), repeat(path), *zip(*slices), repeat(os.getpid())))
            _join(whoosh_index.open_dir(path), [p.statement_segment for p in parts if p.statement_segment])
            _join(whoosh_index.open_dir(path, indexname=ARTICLES), [p.article_segment for p in parts if p.article_segment])
            valuefiles.write_missing(path)  # searchers map each segment's facet values and days instead of reading them
            integrity.record(path)
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        _swap(home, path)
        store.mark_indexed(pending)
    return RebuildReport(
        articles=sum(p.articles for p in parts),
        statements=sum(p.statements for p in parts),
        seconds=time.perf_counter() - started,
        procs=len(slices),
    )


@dataclass
class _Slice:
    """What one rebuild process wrote: a segment of each index (None if empty) and its counts."""

    statement_segment: object
    article_segment: object
    articles: int
    statements: int


def _build_slice(home: str, path: Path, after: str, upto: str | None, parent: int | None = None) -> _Slice:
    """Index the articles with ids in (after, upto] into new segments of the generation at ``path``.

    A worker (``parent`` given) stops when the rebuild that started it is gone: killed, that process
    can no longer clean up or swap, and a worker left running would spend minutes on a dead build."""
    store = Store(home, readonly=True)
    statements = SegmentBuilder(whoosh_index.open_dir(path))
    articles = SegmentBuilder(whoosh_index.open_dir(path, indexname=ARTICLES))
    counts = [0, 0]
    try:
        for extraction in store.extractions(after, upto):
            if parent is not None and counts[0] % ORPHAN_CHECK_EVERY == 0 and os.getppid() != parent:
                print(f"rebuild worker {os.getpid()}: the rebuild (process {parent}) is gone; stopping", file=sys.stderr)
                os._exit(1)  # not SystemExit: the pool's worker loop would catch it and wait for more work
            articles.add_document(**article_document(extraction))
            counts[0] += 1
            for doc in statement_documents(extraction):
                statements.add_document(**doc)
                counts[1] += 1
        return _Slice(statements.finish(), articles.finish(), *counts)
    except BaseException:
        statements.cancel()
        articles.cancel()
        raise
    finally:
        store.close()


def _join(ix, segments: list) -> None:
    """Commit the slices' segments as the index's content (the generation is new: it has no other)."""
    writer = SegmentWriter(ix)
    writer._close_segment()
    writer._commit_toc(segments)  # also deletes files no segment names (the empty segment just closed)
    writer._finish()


def verify(home: str | os.PathLike[str], store: Store) -> Verification:
    """Read the whole index as searches do (see ``integrity``), then compare statement counts per article
    in the store with those in the index."""
    result = Verification()
    expected = dict(store.db.execute("SELECT a.id, count(s.id) FROM articles a LEFT JOIN statements s ON s.article_id = a.id GROUP BY a.id"))
    try:
        path = current_path(home)
    except Exception as error:  # a TOC too damaged for Whoosh to list
        path, result.damaged = None, [f"the index cannot be opened ({type(error).__name__}: {str(error)[:200]})"]
    if path is not None:
        result.damaged = integrity.damage(path, (None, ARTICLES))
    if result.damaged:
        return result  # counts read from a damaged index mean nothing
    if path is None:
        result.no_index = bool(expected)
        result.missing = sorted(expected)
        return result
    indexed: dict[str, int] = {}
    with whoosh_index.open_dir(path).searcher() as searcher:
        for _docnum, stored in searcher.reader().iter_docs():  # skips deleted documents
            indexed[stored["article_id"]] = indexed.get(stored["article_id"], 0) + 1
    with whoosh_index.open_dir(path, indexname=ARTICLES).searcher() as searcher:
        articles = {stored["id"] for _docnum, stored in searcher.reader().iter_docs()}
    result.missing = sorted(i for i, n in expected.items() if indexed.get(i, 0) != n or i not in articles)
    result.stale = sorted((set(indexed) | articles) - set(expected))
    return result
