"""Whoosh's ``whoosh3`` posting blocks and term table rows, written from lists and arrays.

``W3PostingsWriter`` writes a posting list as a 4-byte header and blocks of up to 128 postings, each a
signed length (negative for the list's last), a pickled info tuple (count, last id, max weight,
compression level, min and max length bytes) and the pickled, zlib-compressed ``(id deltas, weights,
values)``; ``W3TermInfo`` and ``OrderedHashWriter`` rows point to the lists, and the term table ends with
hash tables of its keys.  The functions here write those same bytes from a term's postings in one call,
and the term table's rows and hash tables in a few writes, for ``index.segment_builder``.
"""

from __future__ import annotations

import zlib
from array import array
from hashlib import md5
from pickle import dumps
from struct import Struct

import numpy as np
from whoosh.filedb.filetables import HashWriter, OrderedHashWriter, md5_hash
from whoosh.filedb.filetables import _lengths as _ROW_LENGTHS
from whoosh.util.numlists import GrowableArray

BLOCK = 128  # postings per block: W3Codec's blocklimit
COMPRESSION = 3  # W3Codec's zlib level (Whoosh compresses every block, whatever its size)
INT = Struct("!i")
EXTENT = Struct("!qi")  # a term info's pointer into the postings file and the list's length (pack_long + pack_int)
UINT = Struct("!I")
EMPTY = b""

# Field kinds, by what their postings carry
EXISTS = 0  # ids only (ID, BOOLEAN): weight = the format's field boost, no value
FREQ = 1  # ids and frequencies (KEYWORD, TEXT without phrase, the spelling field): value = 4-byte freq
POSITIONS = 2  # ids, frequencies and encoded positions (TEXT with phrase)


def _compressed(data: bytes) -> tuple[bytes, int]:
    """A block's pickled data as stored, and the compression level its info tuple records.

    Below ``_RAW_BELOW`` bytes the pickle is stored as it is (level 0, which Whoosh's reader and ours read
    without zlib): zlib saves little or nothing on such data, and ``W3PostingsWriter`` meant to skip it ("if the pickle
    is less than 20 bytes, don't bother compressing") but sets the level again on the next line.  Above,
    zlib at Whoosh's level.  ``zlib.compress`` sets up a 32 KB window and its tables for every call, which
    for small blocks costs 20 times the compressing; a window just larger than the data finds the same
    matches, and any window decompresses with ``zlib.decompress``."""
    size = len(data)
    if size < _RAW_BELOW:
        return data, 0
    if size <= _SMALL:
        sized = zlib.compressobj(COMPRESSION, zlib.DEFLATED, 9, 1)
    else:  # the window holds the whole block (as 32 KB does); 2**13 hash heads, not 2**15, to clear
        sized = zlib.compressobj(COMPRESSION, zlib.DEFLATED, min(15, (size - 1).bit_length()), 6)
    return sized.compress(data) + sized.flush(), COMPRESSION


_RAW_BELOW = 128  # bytes: a block of one posting (what most terms have) pickles to 20-100
_SMALL = 512  # bytes: the smallest zlib window (wbits 9)


class OnePosition(dict):
    """Encoded ``Positions`` values of a word seen once, by its position (computed once each)."""

    def __missing__(self, pos: int) -> bytes:
        value = self[pos] = UINT.pack(1) + dumps([pos], 2)
        return value


ONE = OnePosition()


def encode_positions(poses: list[int]) -> bytes:
    """``formats.Positions.encode``: the count, then the pickled deltas."""
    if len(poses) == 1:
        return ONE[poses[0]]
    deltas = [poses[0]] + [b - a for a, b in zip(poses, poses[1:])]
    return UINT.pack(len(deltas)) + dumps(deltas, 2)


def encode_position_runs(poses: np.ndarray, firsts: np.ndarray, counts: np.ndarray) -> list[bytes]:
    """``encode_positions`` of each run ``poses[first : first + count]`` (counts of 2 or more), written for
    all runs at once with array operations: the bytes ``pickle.dumps(deltas, 2)`` gives a list of small
    ints (``]q\\x00(`` then per int ``K`` and 1 byte below 256, ``M`` and 2 below 65536, else ``J`` and 4,
    then ``e.``), after the count.  Runs pickle would write in batches (over 1000 deltas) or with a delta
    beyond ``J`` are made by ``encode_positions``."""
    counts = counts.astype(np.int64)
    run_ends = np.cumsum(counts)
    run_starts = run_ends - counts  # each run's first token among all runs' tokens
    tokens = np.repeat(firsts.astype(np.int64) - run_starts, counts) + np.arange(int(run_ends[-1]) if len(counts) else 0)
    found = poses[tokens].astype(np.int64)
    deltas = np.diff(found, prepend=0)
    deltas[run_starts] = found[run_starts]
    if not len(counts) or counts.max() > _PICKLE_BATCH or deltas.max() > _BININT_MAX:
        pos_list = poses.tolist()
        return [encode_positions(pos_list[s : s + n]) for s, n in zip(firsts.tolist(), counts.tolist())]
    widths = np.where(deltas <= 0xFF, 2, np.where(deltas <= 0xFFFF, 3, 5))
    sizes = np.add.reduceat(widths, run_starts) + len(_RUN_HEAD) + len(_RUN_TAIL) + UINT.size
    ends = np.cumsum(sizes)
    begins = ends - sizes
    out = np.zeros(int(ends[-1]), dtype=np.uint8)
    for k in range(UINT.size):  # the count, big-endian
        out[begins + k] = (counts >> (8 * (UINT.size - 1 - k))) & 0xFF
    head = begins + UINT.size
    for k, byte in enumerate(_RUN_HEAD):
        out[head + k] = byte
    for k, byte in enumerate(_RUN_TAIL):
        out[ends - len(_RUN_TAIL) + k] = byte
    written = np.cumsum(widths) - widths  # the bytes of ints before each, over all runs
    at = np.repeat(head + len(_RUN_HEAD) - written[run_starts], counts) + written
    out[at] = np.where(widths == 2, ord("K"), np.where(widths == 3, ord("M"), ord("J")))
    for k in range(4):  # little-endian, as many bytes as the opcode takes
        wide = widths > k + 1
        out[at[wide] + 1 + k] = (deltas[wide] >> (8 * k)) & 0xFF
    data = out.tobytes()
    return [data[b:e] for b, e in zip(begins.tolist(), ends.tolist())]


_RUN_HEAD = b"\x80\x02]q\x00("  # protocol 2, an empty list memoized as 0, a mark
_RUN_TAIL = b"e."  # appends, stop
_PICKLE_BATCH = 1000  # pickle appends a list's items in batches of this many
_BININT_MAX = 0x7FFFFFFF


_PACKED = [UINT.pack(n) for n in range(256)]  # the 4-byte frequency values of ``Frequency`` fields


def packed(freq: int) -> bytes:
    return _PACKED[freq] if freq < 256 else UINT.pack(freq)


def encode_short(ids: list[int], freqs: list[int] | None, values, lengths, boost: float, kind: int, spell: bool = False, last: bool = True):
    """A posting list of one block, exactly as ``W3PostingsWriter`` writes it.

    Returns the block (its length negative when it is the ``last`` of its list), where it starts (0) and the
    term's statistics."""
    n = len(ids)
    deltas = tuple([ids[0]] + [b - a for a, b in zip(ids, ids[1:])]) if n > 1 else (ids[0],)
    if spell:  # Whoosh's spelling postings: weight the int 1
        weight_max, total, mini_weights = 1, n, None
    elif freqs is None:  # existence: every weight is the field boost
        weight_max, total = boost, boost * n
        mini_weights = None if boost == 1.0 else boost
    else:
        low, high = min(freqs), max(freqs)
        weight_max = high * boost
        if low == high:
            total = weight_max * n
            mini_weights = None if weight_max == 1.0 else weight_max
        else:
            weights = [f * boost for f in freqs]
            total = sum(weights)
            mini_weights = tuple(weights)
    if kind == EXISTS:
        mini_values = None
    elif kind == POSITIONS:
        mini_values = tuple(values)
    elif values is not None:
        mini_values = EMPTY.join(values)
    else:
        mini_values = EMPTY.join(map(packed, freqs))
    if lengths is not None:
        if n == 1:
            low_byte = high_byte = lengths[ids[0]]
        else:
            found = list(map(lengths.__getitem__, ids))
            low_byte, high_byte = min(found), max(found)
    else:
        low_byte = high_byte = 0
    return one_block(deltas, mini_weights, mini_values, ids[0], ids[-1], weight_max, total, low_byte, high_byte, last)


def one_block(deltas: tuple, weights, values, first: int, last_id: int, weight_max, total, low_byte: int, high_byte: int, last: bool = True):
    """``encode_short``'s block and statistics from the block's parts: the id deltas, the weights and
    values as the block holds them (None, one for all, or one each), and the statistics."""
    data, level = _compressed(dumps((deltas, weights, values), 2))
    n = len(deltas)
    info = dumps((n, last_id, weight_max, level, low_byte, high_byte), 2)
    size = len(info) + len(data)
    return INT.pack(-size if last else size) + info + data, 0, (n, total, low_byte, high_byte, weight_max, first, last_id)


def encode_one(doc: int, freq: int | None, value: bytes | None, lengths, boost: float, kind: int):
    """A posting list of one posting (what most terms have): ``encode_short``'s block and statistics, with
    the pickle of ``(deltas, weights, values)`` put together from its pieces (the same bytes: the pieces
    are pickle's own, and a pickle of one posting refers to no earlier object)."""
    weight = boost if freq is None else freq * boost
    if kind == EXISTS:
        tail = _NO_VALUES
    elif kind == FREQ:
        tail = _FREQ_TAILS[packed(freq)]
    else:
        tail = _POSITION_TAILS[value]
    head = _PROTOCOL + _small_int(doc) + _TUPLE1
    data = head + _NO_WEIGHTS + tail if weight == 1.0 else head + b"G" + _DOUBLE.pack(weight) + tail
    data, level = _compressed(data)
    byte = lengths[doc] if lengths is not None else 0
    info = dumps((1, doc, weight, level, byte, byte), 2)
    return INT.pack(-len(info) - len(data)) + info + data, 0, (1, weight, byte, byte, weight, doc, doc)


def _small_int(number: int) -> bytes:
    """Pickle's opcode for an int of 0 to 2**31 - 1 (a document number)."""
    if number < 256:
        return b"K" + bytes((number,))
    if number < 65536:
        return b"M" + number.to_bytes(2, "little")
    return b"J" + number.to_bytes(4, "little")


class _Tails(dict):
    """The end of the pickle of a one-posting block's ``((doc,), weights, values)`` after its weights, by the
    posting's value (memo numbering is the same for every such block).  Kept for short values (a frequency,
    one position: they repeat), up to ``_TAILS_KEPT`` of them; others are made each time."""

    def __init__(self, kind: int) -> None:
        super().__init__()
        self.kind = kind

    def __missing__(self, value: bytes) -> bytes:
        made = dumps(((0,), None, (value,) if self.kind == POSITIONS else value), 2)[len(_ZERO_HEAD) :]
        if len(value) <= _SHORT_VALUE and len(self) < _TAILS_KEPT:
            self[value] = made
        return made


_PROTOCOL = b"\x80\x02"
_TUPLE1 = b"\x85q\x00"  # the deltas' one-tuple, memoized first
_ZERO_HEAD = dumps(((0,), None, None), 2)[: len(_PROTOCOL) + 2 + len(_TUPLE1) + 1]  # up to the weights (None)
_NO_WEIGHTS = b"N"
_NO_VALUES = dumps(((0,), None, None), 2)[len(_ZERO_HEAD) :]
_DOUBLE = Struct(">d")  # pickle's BINFLOAT
_TAILS_KEPT = 1 << 16
_SHORT_VALUE = 24  # bytes: a frequency (4), one position (16 at most below 2**31)
_FREQ_TAILS = _Tails(FREQ)
_POSITION_TAILS = _Tails(POSITIONS)


def continued(data: bytes, last_at: int) -> bytes:
    """A posting list's blocks with the last one's length made positive: more blocks of the list follow."""
    (size,) = INT.unpack_from(data, last_at)
    return data[:last_at] + INT.pack(abs(size)) + data[last_at + 4 :]


def ended(data: bytes, last_at: int) -> bytes:
    """A posting list's blocks with the last one's length made negative: the list ends there."""
    (size,) = INT.unpack_from(data, last_at)
    return data[:last_at] + INT.pack(-abs(size)) + data[last_at + 4 :]


def encode_long(ids_array: np.ndarray, freqs: np.ndarray | None, values, lengths, boost: float, kind: int):
    """A long posting list cut into 128-posting blocks with array operations (the blocks ``encode_short``
    would write for each 128 in turn, the last one's length negative)."""
    n = len(ids_array)
    starts = np.arange(0, n, BLOCK)
    start_list = starts.tolist()
    ids = ids_array.tolist()
    deltas_array = np.diff(ids_array, prepend=0)
    deltas_array[starts] = ids_array[starts]  # every block's ids restart from zero
    deltas = deltas_array.tolist()
    if freqs is None:
        weight_max = [boost] * len(start_list)
        sums = [boost * len(ids[s : s + BLOCK]) for s in start_list]
        mini = [None if boost == 1.0 else boost] * len(start_list)
    else:
        weights = freqs.astype(np.float64) * boost
        weight_max = np.maximum.reduceat(weights, starts).tolist()
        weight_min = np.minimum.reduceat(weights, starts).tolist()
        sums = np.add.reduceat(weights, starts).tolist()  # integers times the boost: exact in any order
        mini = [
            (None if high == 1.0 else high) if low == high else tuple(weights[s : s + BLOCK].tolist())
            for s, low, high in zip(start_list, weight_min, weight_max)
        ]
        if kind == FREQ:
            packed_freqs = list(map(packed, freqs.tolist()))
    if lengths is not None:
        found = np.frombuffer(lengths, dtype=np.uint8)[ids_array]
        low_bytes = np.minimum.reduceat(found, starts).tolist()
        high_bytes = np.maximum.reduceat(found, starts).tolist()
    else:
        low_bytes = high_bytes = [0] * len(start_list)
    out = []
    at = last_at = 0
    for i, s in enumerate(start_list):
        e = s + BLOCK
        if kind == EXISTS:
            mini_values = None
        elif kind == POSITIONS:
            mini_values = tuple(values[s:e])
        else:
            mini_values = EMPTY.join(packed_freqs[s:e])
        data, level = _compressed(dumps((tuple(deltas[s:e]), mini[i], mini_values), 2))
        info = dumps((min(BLOCK, n - s), ids[min(e, n) - 1], weight_max[i], level, low_bytes[i], high_bytes[i]), 2)
        last_at = at
        size = len(info) + len(data)
        block = INT.pack(-size if e >= n else size) + info + data
        out.append(block)
        at += len(block)
    total = 0.0
    for block_sum in sums:
        total += block_sum
    stats = (n, total, min(low_bytes), max(high_bytes), max(weight_max), ids[0], ids[-1])
    return b"".join(out), last_at, stats


def combined(stats: list[tuple]) -> tuple:
    """The statistics of consecutive pieces of one posting list as one (``W3TermInfo.add_block``'s sums)."""
    total = 0
    for piece in stats:
        total += piece[1]
    low = [piece[2] for piece in stats if piece[2]]
    return (sum(p[0] for p in stats), total, min(low) if low else 0, max(p[3] for p in stats), max(p[4] for p in stats), stats[0][5], stats[-1][6])


def add_terms(tindex: OrderedHashWriter, entries: list[tuple[bytes, bytes]]) -> None:
    """``tindex.add(key, value)`` for each entry (keys ascending), with one file write for all of them:
    the same rows, hash buckets and key positions as Whoosh's ``OrderedHashWriter.add`` makes."""
    dbfile, hashfn, buckets = tindex.dbfile, tindex.hashfn, tindex.buckets
    if hashfn is md5_hash:  # the same number: the digest's last four bytes, without its hex text
        hashfn = _md5_low
    position = dbfile.tell()
    last = tindex.lastkey
    rows = []
    positions = []
    pack = _ROW_LENGTHS.pack
    for key, value in entries:
        if key <= last:
            raise ValueError(f"Keys must increase: {last!r}..{key!r}")
        positions.append(position)
        row = pack(len(key), len(value)) + key + value
        rows.append(row)
        h = hashfn(key)
        buckets[h & 255].append((h, position))
        position += len(row)
        last = key
    dbfile.write(b"".join(rows))
    tindex.lastkey = last
    extend(tindex.index, positions)


def _md5_low(key: bytes) -> int:
    return int.from_bytes(md5(key).digest()[12:], "big")


def extend(grown: GrowableArray, numbers: list[int]) -> None:
    """``grown.extend(numbers)``: at once when they fit its array's type, else one by one (it retypes)."""
    if isinstance(grown.array, array):
        try:
            grown.array.extend(array(grown.array.typecode, numbers))
            return
        except OverflowError:
            pass
    grown.extend(numbers)


_SLOT = np.dtype([("hash", ">u4"), ("position", ">i8")])  # ``filetables._pointer``: "!Iq"


def write_hashes(tindex: HashWriter) -> None:
    """``HashWriter._write_hashes``: each key's hash and position in one of 256 open-addressing tables
    (twice as many slots as keys, linear probing, empty slots zero), each table in one write."""
    dbfile = tindex.dbfile
    for entries in tindex.buckets:
        numslots = 2 * len(entries)
        tindex.directory.append((dbfile.tell(), numslots))
        if not numslots:
            continue
        hashes = [0] * numslots
        positions = [0] * numslots  # a key's position is never 0 (the file starts with a header)
        for h, position in entries:
            slot = (h >> 8) % numslots
            while positions[slot]:
                slot = (slot + 1) % numslots
            hashes[slot] = h
            positions[slot] = position
        table = np.empty(numslots, _SLOT)
        table["hash"] = hashes
        table["position"] = positions
        dbfile.write(table.tobytes())
