"""How much of the mapped index files a searching process keeps resident: pages let go past a budget.

Searches read the index through memory maps: Whoosh's segment files (its ``CompoundStorage`` maps
each one whole) and our value and postings files (``index.valuefiles``).  A page read through a map
counts in the process's resident set (``RssFile``) for as long as the process keeps it mapped, though it
is a page of the kernel's page cache: shared with every process that reads the file, kept there
whether or not a process maps it, and dropped under memory pressure.  A server under 50 clients at a
million statements had 925 MiB of such pages beside 570 MiB of its own memory (bench/README.md).

Every map a search reads is registered here (weakly: a map is unmapped when nothing reads it any more).
``release_over`` — called after each search, looking at most every ``EVERY`` seconds — reads the process's
resident file pages from ``/proc/self/status`` and, past ``BUDGET``, tells the kernel the process no
longer needs the registered maps' pages (``madvise(MADV_DONTNEED)``).  Their data stays in the page cache
and in the maps: the next read of a page maps it again with a minor fault, no disk read (at a million
statements, letting go every second cost searches 0.89-1.03x their time per kind and 2.5% more CPU).
The maps are read-only and shared (``ACCESS_READ``), so letting go of their pages can never lose or
change what they hold, even while another thread reads them.

Where there is no ``/proc`` (not Linux) or no ``madvise``, nothing is released.
"""

from __future__ import annotations

import mmap
import threading
import time
import weakref

from whoosh.filedb import compound

BUDGET = 256 * 1024 * 1024  # bytes of mapped files a process may keep resident before it lets go of them
EVERY = 1.0  # seconds between two looks at the process's resident size
_STATUS = "/proc/self/status"

_maps: weakref.WeakSet = weakref.WeakSet()
_lock = threading.Lock()
_last = [0.0]
_released = [0]  # how many times pages were let go (for tests and benchmarks)


def register(mapped: mmap.mmap) -> None:
    """Count ``mapped`` among the maps whose pages are let go past the budget."""
    with _lock:
        _maps.add(mapped)


def resident_file_bytes() -> int | None:
    """The process's resident pages of mapped files (``RssFile``), or None where the kernel does not say."""
    try:
        with open(_STATUS, "rb") as status:
            for line in status:
                if line.startswith(b"RssFile:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def release_over(budget: int | None = None, every: float = EVERY) -> bool:
    """Let go of the registered maps' resident pages if the process holds more than ``budget`` bytes
    (default ``BUDGET``) of mapped files; looks at most every ``every`` seconds (one thread at a time;
    the others go on).  Returns whether pages were let go."""
    budget = BUDGET if budget is None else budget
    now = time.monotonic()
    if now - _last[0] < every or not _lock.acquire(blocking=False):
        return False
    try:
        if now - _last[0] < every:
            return False
        _last[0] = now
        held = resident_file_bytes()
        if held is None or held <= budget:
            return False
        release()
        return True
    finally:
        _lock.release()


def release() -> None:
    """Tell the kernel this process no longer needs the registered maps' pages (they stay in the page cache)."""
    advice = getattr(mmap, "MADV_DONTNEED", None)
    if advice is None:
        return
    for mapped in list(_maps):
        try:
            mapped.madvise(advice)
        except (ValueError, OSError):  # closed meanwhile
            continue
    _released[0] += 1


def released() -> int:
    """How many times this process let go of its mapped pages."""
    return _released[0]


def watch_whoosh() -> None:
    """Register every segment file Whoosh maps (``CompoundStorage`` keeps its map in ``_source``)."""
    init = compound.CompoundStorage.__init__
    if getattr(init, "_registers_maps", False):
        return

    def registering_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        if isinstance(getattr(self, "_source", None), mmap.mmap):
            register(self._source)

    registering_init._registers_maps = True
    compound.CompoundStorage.__init__ = registering_init
