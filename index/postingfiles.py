"""The frequent words' postings of a segment as arrays in a file beside it, mapped instead of decoded.

Decoding a posting list from Whoosh's blocks costs about 2 µs per posting (a pickle per 128), so
the first search for a common word at a million statements spent a few hundred milliseconds before
ranking began, and the decoded arrays of a few hundred such words do not fit a bounded cache.  The
words of the ``text`` field found in at least ``MIN_DOCS`` documents of a segment are written once
by a writer (a rebuild, ``python -m index.valuefiles``) as one array of document numbers (int32), one of weights (float32, as
Whoosh stores them) and their positions (int32, with each posting's start), sliced per word: a
search maps the slices, with nothing decoded and nothing held in the process's own memory, and a
phrase gathers its candidates' positions with one index array.

The file is ``<segment id>.postings``, kept and deleted with its segment as value files are
(``index.valuefiles``, whose container format it shares); a segment without one, or with one that
cannot be read, is decoded as before.  A process looks for a segment's file once, when it first
searches the segment.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from index import valuefiles
from index.postings import TermPostings, decode, flat_positions

SUFFIX = "postings"
FIELD = "text"
MIN_DOCS = 500  # documents a word must be in, in one segment, for its postings to be written
ARRAYS = ("ids", "weights", "starts", "position_starts", "positions")


def file_name(segment_id: str) -> str:
    return f"{segment_id}.{SUFFIX}"


def write(reader, path: Path) -> bool:
    """Write the frequent words' postings of one segment's ``reader`` to ``path``; False if none qualify."""
    if FIELD not in reader.schema:
        return False
    words = [term for term, info in reader.iter_field(FIELD) if info.doc_frequency() >= MIN_DOCS]
    if not words:
        return False
    ids, weights, starts, counts, positions = [], [], [0], [], []
    for term in words:
        found = decode(reader, FIELD, term, True)
        ids.append(found.ids)
        weights.append(found.weights)
        starts.append(starts[-1] + len(found.ids))
        held, flat = flat_positions(found.values)
        counts.append(held)
        positions.append(flat)
    arrays = {
        "ids": np.concatenate(ids).astype(np.int32),
        "weights": np.concatenate(weights).astype(np.float32),
        "starts": np.asarray(starts, dtype=np.int64),
        "position_starts": _narrow(np.concatenate(([0], np.cumsum(np.concatenate(counts))))),
        "positions": np.concatenate(positions).astype(np.int32),
    }
    valuefiles.save(path, reader.doc_count_all(), arrays, {"words": [t.decode("utf-8") for t in words]})
    return True


def _narrow(starts: np.ndarray) -> np.ndarray:
    """Offsets as uint32 when they fit (they do for any segment Whoosh writes in practice), else int64."""
    return starts.astype(np.uint32) if starts[-1] < 2**32 else starts.astype(np.int64)


class Mapped:
    """One segment's mapped postings: a word's document numbers and weights as views of the file."""

    def __init__(self, arrays: dict[str, np.ndarray], words: list[str]) -> None:
        self.ids, self.weights, self.starts = arrays["ids"], arrays["weights"], arrays["starts"]
        self.position_starts, self.positions = arrays["position_starts"], arrays["positions"]
        self.index = {word.encode("utf-8"): n for n, word in enumerate(words)}

    def get(self, btext: bytes) -> TermPostings | None:
        n = self.index.get(btext)
        if n is None:
            return None
        lo, hi = int(self.starts[n]), int(self.starts[n + 1])
        return TermPostings(self.ids[lo:hi], self.weights[lo:hi], None, (self.position_starts[lo : hi + 1], self.positions))


class MappedSegments:
    """The mapped postings files of the segments searched, opened once per segment; shared by threads."""

    KEPT = 64  # segments remembered (Whoosh keeps an index to a few dozen)

    def __init__(self) -> None:
        self._open: dict[str, Mapped | None] = {}
        self._lock = threading.Lock()

    def of(self, reader) -> Mapped | None:
        """The mapped postings of a segment's reader (None: it has no usable file)."""
        segment = getattr(reader, "segment", None)
        if segment is None:
            return None
        key = segment().segment_id()
        found = self._open.get(key, False)
        if found is not False:
            return found
        mapped = None
        folder = valuefiles.folder_of(reader)
        if folder is not None:
            loaded = valuefiles.load(folder / file_name(key), reader.doc_count_all())
            if loaded is not None and set(ARRAYS) <= loaded[0].keys() and "words" in loaded[1]:
                mapped = Mapped(loaded[0], loaded[1]["words"])
        with self._lock:
            while len(self._open) >= self.KEPT:
                self._open.pop(next(iter(self._open)))
            self._open[key] = mapped
        return mapped

    def get(self, reader, fieldname: str, btext: bytes) -> TermPostings | None:
        """A frequent word's postings mapped from the segment's file; None when they must be decoded."""
        if fieldname != FIELD:
            return None
        mapped = self.of(reader)
        return mapped.get(btext) if mapped is not None else None
