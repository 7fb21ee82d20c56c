"""A term's postings in one segment as numpy arrays, decoded from Whoosh's own files, and a cache of them.

Whoosh 2.7.4 (codec ``whoosh3``) writes a posting list as a header and blocks of up to 128 postings:
a signed block length (negative for the last block), a pickled info tuple (count, last id, max weight,
compression, min and max length bytes) and the block's data, a pickle (zlib-compressed when the
compression level is set) of ``(id deltas, weights, values)``.  Ids restart their deltas at zero in
every block; weights are ``None`` (all 1.0), one float for all, or one float per posting; values are
the format's encoded payloads (for positional fields: the positions, which only phrases need).
Decoding a block here is two C calls (zlib, pickle); the ids, weights and block starts become arrays
in one pass, so a search never steps through postings one Python call at a time.

Segments never change once written (deletions are kept apart), so a term's arrays are valid for as
long as its segment exists: they are cached per (segment, field, term), shared by every thread, and
bounded by bytes, least recently used going first.
"""

from __future__ import annotations

import pickle
import struct
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from itertools import chain

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermsReader
from whoosh.reading import SegmentReader, TermNotFound

_HEADER = WHOOSH3_HEADER_MAGIC
_INFO_MAX = 128  # bytes: a pickled block info tuple is about 40
_BLOCK_LENGTH = struct.Struct("!i")
_POSITIONS_COUNT = 4  # an encoded position list starts with its count as a 4-byte unsigned int


@dataclass(frozen=True)
class TermPostings:
    """One term's postings in one segment: ids ascending, weights, and (if asked) encoded positions."""

    ids: np.ndarray  # int32, segment document numbers, ascending (a segment holds fewer than 2**31)
    weights: np.ndarray  # float32: the stored weights exactly (Whoosh writes them as float32); scores widen them
    values: tuple[bytes, ...] | None  # encoded payloads, one per posting (positional fields only)
    # or the positions already decoded: each posting's start in a flat array (one more than the
    # postings) and that array of positions, ascending within a posting (mapped postings: postingfiles)
    located: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def nbytes(self) -> int:
        held = self.ids.nbytes + self.weights.nbytes
        if self.values is not None:
            held += sum(map(len, self.values)) + 40 * len(self.values)  # bytes objects' own overhead
        return held


class Unsupported(Exception):
    """A reader or format this module does not decode; the caller falls back to Whoosh's matchers."""


def decode(reader, fieldname: str, btext: bytes, with_values: bool) -> TermPostings | None:
    """The postings of ``btext`` in ``fieldname`` of one segment's reader, None if the term is not there."""
    if not isinstance(reader, SegmentReader) or not isinstance(reader._terms, W3TermsReader):
        raise Unsupported(f"not a whoosh3 segment reader: {type(reader).__name__}")
    try:
        info = reader.term_info(fieldname, btext)
    except TermNotFound:
        return None
    if info.is_inlined():
        ids, weights, values = info.inlined_postings()
        return TermPostings(
            np.asarray(ids, dtype=np.int32),
            np.asarray(weights, dtype=np.float32) if weights else np.ones(len(ids), dtype=np.float32),
            tuple(values) if with_values else None,
        )
    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes keeps struct.unpack's tuple
        length = length[0]
    return _decode_blocks(reader._terms._postfile.get(offset, length), with_values)


def _decode_blocks(data, with_values: bool) -> TermPostings:
    view = memoryview(data)
    if bytes(view[: len(_HEADER)]) != _HEADER:
        raise Unsupported("posting list without whoosh3's header")
    pos, end = len(_HEADER), len(view)
    deltas: list[int] = []
    weights: list[float] = []
    values: list[bytes] = []
    starts: list[int] = []  # index of each block's first posting
    last_ids: list[int] = []  # each block's last id: later blocks' deltas restart from zero
    loads, dumps, decompress, unpack = pickle.loads, pickle.dumps, zlib.decompress, _BLOCK_LENGTH.unpack_from
    while pos < end:
        (size,) = unpack(view, pos)
        pos += 4
        block_end = pos + abs(size)
        # The info tuple was written by ``dumps(info, 2)``: pickle ignores what follows its STOP opcode,
        # and pickling the same tuple again gives its length.
        info = loads(view[pos : min(block_end, pos + _INFO_MAX)])
        count, last_id, _maxweight, compression, _minlen, _maxlen = info
        block = bytes(view[pos + len(dumps(info, 2)) : block_end])
        ids, block_weights, block_values = loads(decompress(block) if compression else block)
        starts.append(len(deltas))
        last_ids.append(last_id)
        deltas.extend(ids)
        if block_weights is None:
            weights.extend([1.0] * count)
        elif isinstance(block_weights, float):
            weights.extend([block_weights] * count)
        else:
            weights.extend(block_weights)
        if with_values:
            if not isinstance(block_values, tuple):
                raise Unsupported("this field's postings carry no variable-length values (no positions)")
            values.extend(block_values)
        pos = block_end
        if size < 0:
            break
    ids_array = np.asarray(deltas, dtype=np.int64)
    if len(starts) > 1:  # make every block's first delta relative to the previous block's last id
        ids_array[starts[1:]] -= np.asarray(last_ids[:-1], dtype=np.int64)
    np.cumsum(ids_array, out=ids_array)
    return TermPostings(ids_array.astype(np.int32), np.asarray(weights, dtype=np.float32), tuple(values) if with_values else None)


def member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Which of ``values`` are in ``sorted_set`` (ascending): a binary search each, in C.

    (``np.isin`` hashes or sorts both arrays on every call: several times slower on the sorted
    document numbers searches intersect, and far slower on the small arrays of one posting block.)"""
    if not len(sorted_set) or not len(values):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(sorted_set, values)
    np.minimum(at, len(sorted_set) - 1, out=at)
    return sorted_set[at] == values


def common(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The values in both of two ascending arrays of distinct values, ascending: the shorter searched in the longer."""
    if len(a) > len(b):
        a, b = b, a
    return a[member(a, b)]


def flat_positions(values) -> tuple[np.ndarray, np.ndarray]:
    """The positions held by encoded ``Positions`` values: how many each holds, and all of them in one
    array (each value's ascending, one value after the other).

    Each value is a 4-byte count and a protocol-2 pickle of the position deltas (PROTO, a list, its
    items; the STOP opcode sometimes trimmed).  Without their PROTO and STOP, the lists of all the
    values join into one pickle of a list of lists: one ``pickle.loads`` for them all."""
    bodies = [value[6:-1] if value.endswith(b".") else value[6:] for value in values]
    lists = pickle.loads(b"\x80\x02]" + b"a".join(bodies) + b"a.")
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    found = np.cumsum(np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(counts.sum())))
    ends = np.cumsum(counts)
    before = np.concatenate(([0], found[ends[:-1] - 1]))  # the running sum where each value starts
    found -= np.repeat(before, counts)
    return counts, found


def positions(value: bytes) -> np.ndarray:
    """Positions from a ``Positions`` format value: a 4-byte count, then a pickled list of deltas."""
    if not value.endswith(b"."):  # Whoosh trims the pickle's STOP opcode when it stores a value
        value += b"."
    return np.cumsum(np.asarray(pickle.loads(value[_POSITIONS_COUNT:]), dtype=np.int64))


class PostingsCache:
    """Decoded postings per (segment, field, term) and arrays derived from them, bounded by bytes; shared by threads."""

    # Bytes of arrays held: at a million statements the commonest words' posting lists (with positions,
    # for phrases) are 10-40 MB each; the budget keeps the few hundred words most searched.
    BUDGET = 192 * 1024 * 1024

    def __init__(self, budget: int | None = None) -> None:
        self.budget = self.BUDGET if budget is None else budget
        self._entries: OrderedDict[tuple, object] = OrderedDict()  # TermPostings, None (no such term) or arrays
        self._sizes: dict[tuple, int] = {}
        self._held = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, reader, fieldname: str, btext: bytes, with_values: bool) -> TermPostings | None:
        segment = reader.segment().segment_id()
        key = (segment, fieldname, btext, with_values)
        with self._lock:
            # postings decoded with their positions serve searches that need none just as well
            for held in (key,) if with_values else ((segment, fieldname, btext, True), key):
                if held in self._entries:
                    self._entries.move_to_end(held)
                    self.hits += 1
                    return self._entries[held]
        self.misses += 1
        found = decode(reader, fieldname, btext, with_values)
        self._add(key, found, 64 if found is None else found.nbytes + 64)
        return found

    def get_value(self, key: tuple) -> np.ndarray | None:
        """An array derived from a segment (scores, deletion masks), put under a key that says all it depends on."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put_value(self, key: tuple, value: np.ndarray) -> None:
        self._add(key, value, value.nbytes + 64)

    def _add(self, key: tuple, value, size: int) -> None:
        if size > self.budget // 4:  # one huge entry would push out everything else: recompute it each time
            return
        with self._lock:
            if key not in self._entries:
                self._entries[key] = value
                self._sizes[key] = size
                self._held += size
                while self._held > self.budget and self._entries:
                    old, _ = self._entries.popitem(last=False)
                    self._held -= self._sizes.pop(old)

    @property
    def held(self) -> int:
        return self._held
