"""The indexing process beside a large ingest: the index takes articles in while extraction goes on.

An ingest process stores articles (its workers read and extract them); indexing them in the same
process stopped it storing, and so its workers extracting, for as long as each batch took, and made
the ingest's last batch wait for all the rest.  Past ``START_FROM`` articles (or ``seconds``) the
``BackgroundFeeder`` starts one process that takes each stored article's id as soon as its
transaction commits, adds its documents to the batch it has open (``writing.Batch``: holding the
index's write lock) and commits the batch every ``every`` articles, ``seconds`` after it opened, and at
the end: a segment of a few thousand articles costs a third less per article than one of 200, and
only the last batch's segment writing is left when the ingest has stored its last article.

The indexer says how many articles it has taken in after each list of ids, and the ingest waits (stops
storing, so its workers stop once they are a few inputs ahead) while more than ``LAG`` articles are
stored but not taken in.  The indexer is the one process every article passes through, and it can use
at most one core: on two cores at equal priority the ingest's four processes shared them evenly and
the indexer fell behind (an ingest of 540 articles had stored its last one at 7.3 s and then waited
6.3 s with one core idle while the indexer caught up).  The workers extract at a lower priority
(``archive.ingest.WORKER_NICE``), so the indexer gets the core it needs as articles come; ``LAG``
bounds what is left for the end if it is slower than they are all the same.  It is large enough to
let the ingest go on storing while the indexer writes a batch's segments (about 3 ms of CPU per
article of the batch), which a small bound turned into seconds with one core idle.

The store stays the record: every article is on its ``unindexed`` list until the batch holding it
commits, so a killed ingest (its indexer ends within half a second of it) or indexer loses nothing;
the next ingest or ``serve`` indexes what is listed.  The ingest takes the articles off the list when
the indexer says it committed them: the ingest writes the store in transactions back to back, and an
indexer waiting for SQLite's write lock between them waited 0.5-1.4 s at each commit (a third of an
ingest of 540 articles), taking nothing in meanwhile.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import threading
import time
from collections import deque
from pathlib import Path

from archive.store import Store
from index import writing
from index.backend import Feeder
from index.errors import IndexerGone

START_FROM = 200  # articles: below this an ingest indexes at its end, in its own process (no start-up to pay)
LAG = 500  # articles stored but not yet taken in by the indexer, past which the ingest waits for it
# What the indexer has not done when the ingest stores its last article is all that is left to wait
# for, on one core with the other idle: the articles sent but not yet taken in (about 3 ms of CPU each)
# and the open batch's segments (about 3 ms per article: bench/index_cpu.py).  While inputs are still to be read, the
# indexer commits its batch early once it holds FINISH_AHEAD times as many articles as are still to
# come: those it has not taken in yet (sent, as the ingest says with every list) and the inputs still to
# read (and EARLY_FROM or more): each such segment is written while the rest are extracted, and the
# batches shrink as the end nears.  Once every input is read, extraction is over and whatever is left
# is one batch: more commits would only add their own costs.  Under the rule before (twice the inputs
# still to read, the untaken not counted), a batch of 1,475 was committed with 191 articles untaken
# behind it, and two more after the last input (2,160 articles).  A simulation of the two cores at the measured costs puts
# the rules within 1% of each other (what a commit holds up, the workers get), so the simplest sound
# one stays; committing only at 2,000 articles and the end is 8% slower.
FINISH_AHEAD = 1
EARLY_FROM = 100
INBOX = 256  # messages read ahead of the one in hand (an ingest's hold about 20 ids each: LAG's 500 and more)


class BackgroundFeeder(Feeder):
    """A ``Feeder`` that hands ids to an indexing process once the ingest is large enough to pay for one."""

    def __init__(self, home: str | os.PathLike[str], store: Store, every: int, seconds: float) -> None:
        super().__init__(lambda store, ids: writing.update(home, store, ids), store, every, seconds)
        self.home = str(home)
        self._process = None
        self._conn = None
        self._sent = 0  # articles handed to the indexer
        self._taken = 0  # of which it has said it took in
        self._left: int | None = None  # inputs the ingest has yet to read, when it says
        self._unmarked: list[str] = []  # committed by the indexer, still on the unindexed list

    def __call__(self, article_ids: list[str]) -> None:
        if self._process is None:
            self.pending.extend(article_ids)
            if len(self.pending) >= min(START_FROM, self.every) or time.monotonic() - self.last >= self.seconds:
                self._start()
            return
        self._check()
        self._sent += len(article_ids)
        self._send((list(article_ids), self._left, self._sent))
        while self._sent - self._taken > LAG:
            self._receive()  # wait for the indexer to catch up

    def inputs_left(self, count: int) -> None:
        self._left = max(0, count)

    def flush(self) -> None:
        """Index what is left and wait until the index has it all (the indexer commits and ends)."""
        if self._process is None:
            super().flush()
            return
        self._send(None)
        try:
            while True:
                kind, value = self._conn.recv()
                if kind == "indexed":
                    self._mark(value)
                elif kind != "took":
                    break
        except (EOFError, OSError):  # it died: the pipe is closed, or reset
            raise self._gone() from None
        finally:
            self._stop()
        if kind == "error":
            raise value
        if self._unmarked:  # the store was locked when they were committed: one more try
            self._mark([])
        self.indexed += value

    def _start(self) -> None:
        if writing.needs_rebuild(self.home, self.store):  # no usable index: built here, with every core
            super().flush()
            return
        with writing.write_lock(self.home):
            writing.open_for_writing(self.home)  # a new archive's empty index, so the indexer never thinks it must rebuild
        spawn = multiprocessing.get_context("spawn")  # no fork: the caller may hold threads and open databases
        self._conn, child = spawn.Pipe()
        self._process = spawn.Process(
            target=_serve, args=(self.home, child, self.every, self.seconds, os.getpid(), EARLY_FROM), name="parley-indexer", daemon=True
        )
        self._process.start()
        child.close()
        pending, self.pending = self.pending, []
        self._sent += len(pending)
        self._send((pending, self._left, self._sent))

    def _send(self, message: tuple[list[str], int | None, int] | None) -> None:
        """Ids with how many inputs are left and how many ids were sent in all (see ``_serve``), or None: commit and end."""
        try:
            self._conn.send(message)
        except (BrokenPipeError, ConnectionResetError, EOFError):
            self._stop()
            raise self._gone() from None

    def _check(self) -> None:
        """Take in what the indexer said so far; raise what went wrong in it as soon as it says so."""
        while self._conn.poll():
            self._receive()

    def _receive(self) -> None:
        """One message from the indexer (waiting for it): how many articles it took in, or what went wrong."""
        try:
            kind, value = self._conn.recv()
        except (EOFError, OSError):  # it died: the pipe is closed, or reset
            self._stop()
            raise self._gone() from None
        if kind == "took":
            self._taken += value
            return
        if kind == "indexed":
            self._mark(value)
            return
        self._stop()
        raise value if kind == "error" else self._gone()

    def _mark(self, article_ids: list[str]) -> None:
        """Take what the indexer committed off the store's unindexed list.  While another process holds the
        store's write lock past its wait, they stay listed (tried again with the next ones): the next ingest
        or ``serve`` would index them again, which costs time but loses nothing."""
        self._unmarked.extend(article_ids)
        try:
            self.store.mark_indexed(self._unmarked)
        except sqlite3.OperationalError:
            return
        self._unmarked = []

    def _gone(self) -> IndexerGone:
        code = self._process.exitcode if self._process is not None else None
        return IndexerGone(
            f"the indexing process ended unexpectedly (exit code {code}): the articles stored are kept, and the next ingest (or serve) indexes them"
        )

    def _stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._process is not None:
            self._process.join(timeout=10)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
        self._conn = None


def _serve(home: str, conn, every: int, seconds: float, parent: int, early_from: int = EARLY_FROM) -> None:
    """The indexer: lists of ids in (each with how many inputs the ingest has yet to read, or None, and how
    many ids it has sent in all), one ``writing.Batch`` open at a time; ("took", articles) out after each
    list, ("indexed", ids) after each commit, and ("done", statements written) or ("error", exception)
    when told to finish (``None``)."""
    _watch(parent)
    store = Store(Path(home))
    batch: writing.Batch | None = None
    opened = 0.0
    written = 0
    inbox: deque = deque()  # messages read off the pipe, not yet handled: the newest says what is to come
    newest: tuple[int | None, int] = (None, 0)  # its inputs left to read and ids sent in all
    taken = 0  # ids handled

    def read(timeout: float | None) -> None:
        """Move what the pipe holds into the inbox (up to ``INBOX`` messages: a sender never starves the
        indexer), waiting up to ``timeout`` (None: for ever) for the first."""
        nonlocal newest
        while len(inbox) < INBOX and (not inbox or inbox[-1] is not None) and conn.poll(timeout):
            try:
                message = conn.recv()
            except EOFError:  # the ingest let go of us without finishing: keep what is done
                message = None
            inbox.append(message)
            if message is not None:
                newest = message[1:]
            timeout = 0

    try:
        while True:
            read(None if batch is None and not inbox else 0)
            if not inbox:
                read(max(0.0, opened + seconds - time.monotonic()))
                if not inbox:
                    _commit(batch, store, conn)  # its time is up: what it holds becomes searchable
                    batch = None
                    continue
            message = inbox.popleft()
            if message is None:
                if batch is not None:
                    _commit(batch, store, conn)
                conn.send(("done", written))
                return
            ids = message[0]
            taken += len(ids)
            if not ids:
                continue
            if batch is None:
                if writing.needs_rebuild(home, store):  # the index went away meanwhile: build it all
                    written += writing.rebuild(home, store, procs=1).statements  # (a daemon process starts none)
                    conn.send(("took", len(ids)))
                    continue
                batch, opened = writing.Batch(home), time.monotonic()
            written += batch.add(store, ids)
            conn.send(("took", len(ids)))
            held = len(batch.ids)
            read(0)
            left, sent = newest
            to_come = sent - taken + left if left else None  # sent but not taken in, and inputs still to read
            nearly_done = to_come is not None and held >= early_from and held >= FINISH_AHEAD * to_come
            if held >= every or time.monotonic() - opened >= seconds or nearly_done:  # ids keep coming: the clock still counts
                _commit(batch, store, conn)
                batch = None
    except BaseException as error:
        if batch is not None:
            batch.cancel()
        try:
            conn.send(("error", error))
        except Exception:
            conn.send(("error", RuntimeError(f"indexing failed: {type(error).__name__}: {error}")))
    finally:
        store.close()


def _commit(batch: writing.Batch, store: Store, conn) -> None:
    """Commit ``batch`` and tell the ingest which articles it may take off the unindexed list."""
    batch.commit(store, mark=False)
    conn.send(("indexed", list(batch.ids)))


def _watch(parent: int) -> None:
    """End this process within half a second of the ingest's death (a kill -9 leaves it no time to say so)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="indexer-parent-watch", daemon=True).start()
