"""A segment's words, sorted, as one mapped array: the words under a prefix without walking Whoosh's term tables.

Fuzzy terms (``cease~1``) and did-you-mean compare a word with every word of the index that shares
its first letter.  Listing those through Whoosh costs a Python call per word per segment (about a
second per letter at 100k statements on a busy machine); the sorted words of a segment, kept in its
value file (``index.valuefiles``) as their bytes end to end with their offsets, give a letter's
words with two binary searches and one decode.  The listings are kept per index version
(``WordListings``), and equal Whoosh's: every word of every segment, deleted documents' included,
in byte order.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from contextlib import suppress

import numpy as np
from cachetools import LRUCache

FIELDS = ("text", "words")  # the fields fuzzy terms and did-you-mean list the words of


def lexicon_arrays(reader) -> dict[str, np.ndarray]:
    """The sorted words of each of ``FIELDS`` in one segment's reader, as arrays for its value file."""
    arrays = {}
    for field in FIELDS:
        if field not in reader.schema:
            continue
        words = list(reader.lexicon(field))  # bytes, ascending
        arrays[f"lexicon.{field}"] = np.frombuffer(b"".join(words), dtype=np.uint8)
        arrays[f"lexicon_offsets.{field}"] = np.concatenate(([0], np.cumsum([len(w) for w in words], dtype=np.int64))).astype(np.int64)
    return arrays


class Lexicon:
    """One field's sorted words in one segment, read from its arrays."""

    def __init__(self, blob: np.ndarray, offsets: np.ndarray) -> None:
        self.blob = memoryview(blob)
        self.offsets = offsets
        self.count = len(offsets) - 1

    def _word(self, n: int) -> bytes:
        return bytes(self.blob[int(self.offsets[n]) : int(self.offsets[n + 1])])

    def under(self, prefix: bytes) -> list[bytes]:
        """The words starting with ``prefix``, ascending."""
        lo = bisect_left(range(self.count), prefix, key=self._word)
        hi = bisect_left(range(self.count), prefix + b"\xff", key=self._word)  # no UTF-8 text holds 0xFF
        if hi <= lo:
            return []
        starts = self.offsets[lo : hi + 1] - self.offsets[lo]
        chunk = bytes(self.blob[int(self.offsets[lo]) : int(self.offsets[hi])])
        return [chunk[a:b] for a, b in zip(starts[:-1].tolist(), starts[1:].tolist())]


def lexicons_of(arrays: dict[str, np.ndarray]) -> dict[str, Lexicon]:
    return {f: Lexicon(arrays[f"lexicon.{f}"], arrays[f"lexicon_offsets.{f}"]) for f in FIELDS if f"lexicon_offsets.{f}" in arrays}


class WordListings:
    """Word listings per (field, prefix) of one index version: from the segments' lexicons when every
    segment has one, else listed by the caller and kept; bounded by the words held; shared by threads."""

    WORDS_LIMIT = 600_000  # words kept over all listings (~40 MB)

    def __init__(self, segments: list[dict[str, Lexicon]] | None = None) -> None:
        self._segments = segments or []
        self._held: LRUCache[tuple[str, str], list[str]] = LRUCache(self.WORDS_LIMIT, getsizeof=lambda words: max(1, len(words)))
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> list[str] | None:
        with self._lock:
            words = self._held.get(key)
        if words is None:
            words = self._from_lexicons(*key)
            if words is not None:
                self[key] = words
        return words

    def __setitem__(self, key: tuple[str, str], words: list[str]) -> None:
        with self._lock, suppress(ValueError):  # a listing larger than the whole budget is not kept
            self._held[key] = words

    def _from_lexicons(self, field: str, prefix: str) -> list[str] | None:
        if not self._segments or not all(field in lexicons for lexicons in self._segments):
            return None
        start = prefix.encode("utf-8")
        found = [lexicons[field].under(start) for lexicons in self._segments]
        merged = found[0] if len(found) == 1 else sorted(set().union(*found))
        return [word.decode("utf-8") for word in merged]
