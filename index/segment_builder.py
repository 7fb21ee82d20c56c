"""A Whoosh segment written in bulk: the files Whoosh's ``SegmentWriter`` writes, several times faster.

Whoosh 2.7.4 indexes a document through one Token object per word, puts one tuple per posting into a
pool it sorts (spilling runs to disk), then hands each posting to its posting writer one Python call
at a time: at a million statements that was 90% of a rebuild.  ``SegmentBuilder`` takes the same
documents and appends each field's postings to flat arrays as it goes (term number, document, frequency,
positions), with C-level calls per field value rather than Python per posting (terms come from the
analyzers' memo: ``index.analysis``); when the segment is finished the arrays are sorted by term with
numpy and every term's posting list is written block by block as Whoosh's ``W3PostingsWriter`` writes
it (pickled blocks of up to 128 postings with their info tuples; the term table through Whoosh's own
``OrderedHashWriter``), and the per-document files (stored fields, lengths, columns) through Whoosh's
own ``W3PerDocWriter`` and column writers.  The segment is a plain ``whoosh3`` segment: Whoosh's
readers and ours read it unchanged, and ``tests/test_index_segment_builder.py`` compares it with one
Whoosh wrote: every term, posting, block statistic, length, stored field, column and score.

What differs is below the format: blocks under 128 bytes are stored uncompressed (level 0 in their info
tuple, as Whoosh's writer meant to: see ``_compressed``) and small ones are compressed with a small zlib
window; the postings of a block are the same.

Only the field types of our schemas are built here (``ID``, ``KEYWORD``, ``TEXT``, ``BOOLEAN``,
``COLUMN`` and TEXT's spelling field, with the memoized analyzers or a bare ``RegexTokenizer``);
another type raises ``TypeError`` when the builder is made, so a schema change cannot slip past.

Memory is bounded: past ``CHUNK_POSTINGS`` postings held, every term's postings so far are written as
finished blocks to a temporary run file and the arrays start afresh; at the end each term's pieces
are copied in order (a piece's last block may hold fewer than 128 postings, which Whoosh's readers
take as they take any block).
"""

from __future__ import annotations

import tempfile
import zlib
from array import array
from collections import Counter, defaultdict
from itertools import count, repeat
from pickle import dumps
from struct import Struct

import numpy as np
from whoosh import analysis, columns, fields, formats
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3TermInfo, _lenfield
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.filedb.filetables import _lengths as _ROW_LENGTHS
from whoosh.system import pack_ushort
from whoosh.util.numeric import length_to_byte

from index.analysis import Memoized, shared

BLOCK = 128  # postings per block: W3Codec's blocklimit
COMPRESSION = 3  # W3Codec's zlib level (Whoosh compresses every block, whatever its size)
_INT = Struct("!i")
_EXTENT = Struct("!qi")  # a term info's pointer into the postings file and the list's length (pack_long + pack_int)
_UINT = Struct("!I")
_EMPTY = b""

# Field kinds, by what their postings carry
_EXISTS = 0  # ids only (ID, BOOLEAN): weight = the format's field boost, no value
_FREQ = 1  # ids and frequencies (KEYWORD, TEXT without phrase, the spelling field): value = 4-byte freq
_POSITIONS = 2  # ids, frequencies and encoded positions (TEXT with phrase)


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


class _OnePosition(dict):
    """Encoded ``Positions`` values of a word seen once, by its position (computed once each)."""

    def __missing__(self, pos: int) -> bytes:
        value = self[pos] = _UINT.pack(1) + dumps([pos], 2)
        return value


_ONE = _OnePosition()


def _encode_positions(poses: list[int]) -> bytes:
    """``formats.Positions.encode``: the count, then the pickled deltas."""
    if len(poses) == 1:
        return _ONE[poses[0]]
    deltas = [poses[0]] + [b - a for a, b in zip(poses, poses[1:])]
    return _UINT.pack(len(deltas)) + dumps(deltas, 2)


_PACKED = [_UINT.pack(n) for n in range(256)]  # the 4-byte frequency values of ``Frequency`` fields


def _packed(freq: int) -> bytes:
    return _PACKED[freq] if freq < 256 else _UINT.pack(freq)


class _Field:
    """One indexed field's postings while a segment is built, as flat arrays in the order they came:
    term number, document number, frequency and (positional fields) the encoded positions."""

    __slots__ = ("name", "field", "kind", "boost", "scorable", "analyzer", "regex", "lengths", "spell_of",
                 "vocab", "tids", "docs", "freqs", "values", "spelled", "total")

    def __init__(self, name: str, field) -> None:
        self.name = name
        self.field = field
        fmt = field.format
        self.boost = float(fmt.field_boost)
        self.scorable = bool(field.scorable)
        self.analyzer = shared(getattr(field, "analyzer", None))
        self.regex = None
        self.spell_of = None
        self.lengths = bytearray()  # per document: its length byte (scorable fields only)
        self.total = 0  # the field's length summed over the segment's documents
        self.spelled: dict[str, list] = {}  # spelling fields: word -> the values of its postings
        self.clear()
        if type(fmt) is formats.Existence:
            self.kind = _EXISTS
        elif type(fmt) is formats.Frequency:
            self.kind = _FREQ
        elif type(fmt) is formats.Positions:
            self.kind = _POSITIONS
        else:
            raise TypeError(f"field {name!r}: the segment builder does not write {type(fmt).__name__} postings")
        if self.kind == _EXISTS and self.scorable:
            raise TypeError(f"field {name!r}: a scorable field without frequencies is not built here")
        if isinstance(field, (fields.BOOLEAN, fields.SpellField)):
            return
        analyzer = self.analyzer
        if isinstance(field, fields.ID) and type(analyzer) is analysis.IDTokenizer:
            return
        if isinstance(field, (fields.KEYWORD, fields.TEXT)) and isinstance(analyzer, Memoized):
            return
        if isinstance(field, fields.KEYWORD) and type(analyzer) is analysis.RegexTokenizer and not analyzer.gaps:
            self.regex = analyzer.expression
            return
        raise TypeError(f"field {name!r}: the segment builder does not index {type(field).__name__} with {analyzer!r}")

    def clear(self) -> None:
        self.vocab: defaultdict[str, int] = defaultdict(count().__next__)  # term -> its number, new ones numbered in C
        self.tids = array("I")
        self.docs = array("I")
        self.freqs = array("I")
        self.values: list[bytes] = []

    def __len__(self) -> int:
        return len(self.docs) + len(self.spelled)

    def grouped(self) -> tuple[dict[str, tuple[int, int]], _Sorted]:
        """The postings sorted by term (documents stay in order within a term) and each term's span."""
        tids = np.frombuffer(self.tids, dtype=np.uint32)
        order = np.argsort(tids, kind="stable")
        ordered = tids[order]
        bounds = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
        starts = np.concatenate(([0], bounds))
        ends = np.concatenate((bounds, [len(ordered)]))
        names = [""] * len(self.vocab)
        for term, number in self.vocab.items():
            names[number] = term
        spans = {names[t]: (s, e) for t, s, e in zip(ordered[starts].tolist(), starts.tolist(), ends.tolist())}
        docs = np.frombuffer(self.docs, dtype=np.uint32)[order].astype(np.int64)
        freqs = np.frombuffer(self.freqs, dtype=np.uint32)[order] if self.kind != _EXISTS else None
        order_list = order.tolist()
        values = list(map(self.values.__getitem__, order_list)) if self.kind == _POSITIONS else None
        return spans, _Sorted(docs, freqs, values)


class _Sorted:
    """A field's postings in term order, as arrays (long lists) and lists (short ones)."""

    __slots__ = ("docs", "freqs", "values", "doc_list", "freq_list")

    def __init__(self, docs, freqs, values) -> None:
        self.docs, self.freqs, self.values = docs, freqs, values
        self.doc_list = docs.tolist()
        self.freq_list = freqs.tolist() if freqs is not None else None


def _encode_short(ids: list[int], freqs: list[int] | None, values, lengths, boost: float, kind: int, spell: bool = False):
    """A posting list of one block (most hold one posting), exactly as ``W3PostingsWriter`` writes it.

    Returns the block (its length positive), where it starts (0) and the term's statistics."""
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
    if kind == _EXISTS:
        mini_values = None
    elif kind == _POSITIONS:
        mini_values = tuple(values)
    elif values is not None:
        mini_values = _EMPTY.join(values)
    else:
        mini_values = _EMPTY.join(map(_packed, freqs))
    if lengths is not None:
        if n == 1:
            low_byte = high_byte = lengths[ids[0]]
        else:
            found = list(map(lengths.__getitem__, ids))
            low_byte, high_byte = min(found), max(found)
    else:
        low_byte = high_byte = 0
    data, level = _compressed(dumps((deltas, mini_weights, mini_values), 2))
    info = dumps((n, ids[-1], weight_max, level, low_byte, high_byte), 2)
    return _INT.pack(len(info) + len(data)) + info + data, 0, (n, total, low_byte, high_byte, weight_max, ids[0], ids[-1])


def _encode_long(ids_array: np.ndarray, freqs: np.ndarray | None, values, lengths, boost: float, kind: int):
    """A long posting list cut into 128-posting blocks with array operations (the blocks ``_encode_short``
    would write for each 128 in turn)."""
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
        if kind == _FREQ:
            packed = list(map(_packed, freqs.tolist()))
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
        if kind == _EXISTS:
            mini_values = None
        elif kind == _POSITIONS:
            mini_values = tuple(values[s:e])
        else:
            mini_values = _EMPTY.join(packed[s:e])
        data, level = _compressed(dumps((tuple(deltas[s:e]), mini[i], mini_values), 2))
        info = dumps((min(BLOCK, n - s), ids[min(e, n) - 1], weight_max[i], level, low_bytes[i], high_bytes[i]), 2)
        last_at = at
        block = _INT.pack(len(info) + len(data)) + info + data
        out.append(block)
        at += len(block)
    total = 0.0
    for block_sum in sums:
        total += block_sum
    stats = (n, total, min(low_bytes), max(high_bytes), max(weight_max), ids[0], ids[-1])
    return b"".join(out), last_at, stats


def _combined(stats: list[tuple]) -> tuple:
    """The statistics of consecutive pieces of one posting list as one (``W3TermInfo.add_block``'s sums)."""
    total = 0
    for piece in stats:
        total += piece[1]
    low = [piece[2] for piece in stats if piece[2]]
    return (sum(p[0] for p in stats), total, min(low) if low else 0, max(p[3] for p in stats), max(p[4] for p in stats), stats[0][5], stats[-1][6])


def _add_terms(tindex: OrderedHashWriter, entries: list[tuple[bytes, bytes]]) -> None:
    """``tindex.add(key, value)`` for each entry (keys ascending), with one file write for all of them:
    the same rows, hash buckets and key positions as Whoosh's ``OrderedHashWriter.add`` makes."""
    dbfile, hashfn, buckets, index = tindex.dbfile, tindex.hashfn, tindex.buckets, tindex.index
    position = dbfile.tell()
    last = tindex.lastkey
    rows = []
    for key, value in entries:
        if key <= last:
            raise ValueError(f"Keys must increase: {last!r}..{key!r}")
        index.append(position)
        row = _ROW_LENGTHS.pack(len(key), len(value)) + key + value
        rows.append(row)
        h = hashfn(key)
        buckets[h & 255].append((h, position))
        position += len(row)
        last = key
    dbfile.write(b"".join(rows))
    tindex.lastkey = last


_NUMPY_FROM = 48  # postings: longer lists are cut into blocks with array operations


class SegmentBuilder:
    """Writes one new segment of the index ``ix`` from documents given one by one (``add_document``).

    ``finish()`` writes the segment's files and returns the segment (None if no document was added)
    for the caller to commit in a table of contents (``writing._join``).
    """

    CHUNK_POSTINGS = 8_000_000  # postings held in memory before they go to a run file (~150 MB)

    def __init__(self, ix, *, chunk_postings: int | None = None) -> None:
        self.schema = ix.schema
        self.storage = ix.storage
        self.codec = W3Codec()
        self.docnum = 0
        self.chunk_postings = chunk_postings or self.CHUNK_POSTINGS
        self._held = 0
        self._fields: dict[str, _Field] = {}
        self._spells: dict[str, _Field] = {}  # field name -> its spelling field
        for name, field in self.schema.items():
            if field.indexed and field.format is not None:
                self._fields[name] = _Field(name, field)
                if field.separate_spelling():
                    spell_name = field.spelling_fieldname(name)
                    spell = self._spells[name] = _Field(spell_name, self.schema[spell_name])
                    spell.spell_of = name
            if field.vector:
                raise TypeError(f"field {name!r}: the segment builder writes no term vectors")
        self.segment = self.codec.new_segment(self.storage, ix.indexname)  # (files opened once the fields passed)
        self.perdoc = self.codec.per_document_writer(self.storage, self.segment)
        # Per field name: (field, its postings, whether the whole value is its one term, its spelling field,
        # stored, column type), looked up once per field value.
        self._plans = {
            name: (
                field,
                self._fields.get(name),
                name in self._fields and type(field) is fields.ID and type(field.analyzer) is analysis.IDTokenizer,
                self._spells.get(name),
                bool(field.stored),
                field.column_type,
            )
            for name, field in self.schema.items()
        }
        self._columns: dict = {}  # field name -> its column writer (Whoosh's, inside the per-document writer)
        self._runs = None  # the temporary run file, once a chunk has been written
        self._pieces: dict[tuple[str, str], list] = {}  # (field, term) -> [(offset, size, last_block_at, stats)]

    # --- documents ---------------------------------------------------------------------------

    def add_document(self, **values) -> None:
        """Index one document, as ``whoosh.writing.SegmentWriter.add_document`` would."""
        perdoc = self.perdoc
        docnum = self.docnum
        plans = self._plans
        perdoc.start_doc(docnum)
        last_value = None  # the last posting value of the last field indexed: Whoosh's spelling postings carry it
        for name in sorted(values):
            value = values[name]
            if value is None:
                continue
            plan = plans.get(name)
            if plan is None:
                raise ValueError(f"{name!r}: not a field of this index's schema (boosts and stored overrides are not built here)")
            field, built, whole, spell, stored, column = plan
            if whole:  # an ID: the whole value is the one term (an empty value too: Whoosh indexes b"")
                if not isinstance(value, str):
                    raise ValueError(f"{value!r} is not unicode or sequence")
                built.tids.append(built.vocab[value])
                built.docs.append(docnum)
                self._held += 1
                last_value = _EMPTY
            elif built is not None:
                value_last = self._index(built, value, docnum)
                if value_last is not None:
                    last_value = value_last
                if spell is not None:
                    self._spell(spell, field, value, last_value)
            if stored:
                perdoc.add_field(name, field, value, 0)  # lengths: written whole by ``finish``
            if column:
                writer = self._columns.get(name)
                if writer is None:  # created on first use, as Whoosh's per-document writer does
                    perdoc._create_column(name, column)
                    writer = self._columns[name] = perdoc._get_column(name)
                writer.add(docnum, field.to_column_value(value))
        perdoc.finish_doc()
        self.docnum += 1
        if self._held >= self.chunk_postings:
            self._write_chunk()

    def _index(self, built: _Field, value, docnum: int) -> bytes | None:
        """Add one field value's postings; returns the last posting value (in Whoosh's order), if any."""
        kind = built.kind
        if kind == _EXISTS:
            if isinstance(built.field, fields.BOOLEAN):  # BOOLEAN.index: a string is true if it is one of its trues
                term = "t" if (value.lower() in built.field.trues if isinstance(value, str) else bool(value)) else "f"
            else:  # ID: the whole value is the one term (an empty value too: Whoosh indexes b"")
                if not isinstance(value, str):
                    raise ValueError(f"{value!r} is not unicode or sequence")
                term = value
            built.tids.append(built.vocab[term])
            built.docs.append(docnum)
            self._held += 1
            return _EMPTY
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not unicode or sequence")
        if kind == _POSITIONS:
            found = built.analyzer.memo_positions(value)
            if found is None:  # words the chain splits or multiplies: the chain's own tokens
                tokens = [(t.text, t.pos) for t in built.analyzer(value, mode="index", positions=True, boosts=True) if not t.stopped]
                found = [t for t, _ in tokens], [p for _, p in tokens]
            terms, poses = found
            if not terms:
                return None
            if len(set(terms)) == len(terms):  # every word once (most statements): no grouping
                built.tids.extend(map(built.vocab.__getitem__, terms))
                built.freqs.extend(repeat(1, len(terms)))
                built.values.extend(map(_ONE.__getitem__, poses))
                postings = len(terms)
            else:
                groups: dict[str, list[int]] = {}
                for term, pos in zip(terms, poses):
                    group = groups.get(term)
                    if group is None:
                        groups[term] = [pos]
                    else:
                        group.append(pos)
                built.tids.extend(map(built.vocab.__getitem__, groups))
                built.freqs.extend(map(len, groups.values()))
                one = _ONE
                built.values.extend([one[g[0]] if len(g) == 1 else _encode_positions(g) for g in groups.values()])
                postings = len(groups)
            built.docs.extend(repeat(docnum, postings))
            encoded = built.values[-1]
        else:
            if built.regex is not None:
                terms = built.regex.findall(value)
            else:
                terms = built.analyzer.memo_terms(value)
                if terms is None:
                    terms = [t.text for t in built.analyzer(value, mode="index", boosts=True) if not t.stopped]
            if not terms:
                return None
            counts = Counter(terms)
            postings = len(counts)
            built.tids.extend(map(built.vocab.__getitem__, counts))
            built.docs.extend(repeat(docnum, postings))
            built.freqs.extend(counts.values())
            encoded = _packed(built.freqs[-1])
        self._held += postings
        length = len(terms)
        if built.scorable:
            lengths = built.lengths
            if len(lengths) < docnum:
                lengths.extend(bytes(docnum - len(lengths)))
            lengths.append(length_to_byte(length))
            built.total += length
        return encoded

    def _spell(self, spell: _Field, field, value, last_value: bytes | None) -> None:
        """Whoosh's spelling postings: each unstemmed word once per document, all on document 0, with the
        posting value last written for the document (what ``SegmentWriter.add_document`` leaves them)."""
        for word in field.spellable_words(value):
            entry = spell.spelled.get(word)
            if entry is None:
                entry = spell.spelled[word] = []
            entry.append(last_value)
            self._held += 1

    # --- writing -----------------------------------------------------------------------------

    def _encoder(self, built: _Field):
        """A function from a term to its blocks, where the last block starts, and its statistics."""
        if built.spell_of is not None:  # Whoosh's pool sorts them by value; they carry weight 1 (an int)
            def spelled(term: str):
                values = sorted(built.spelled[term])
                pieces = [_encode_short([0] * len(v), None, v, None, 1.0, _FREQ, spell=True) for v in (values[s : s + BLOCK] for s in range(0, len(values), BLOCK))]
                last_at = sum(len(data) for data, _, _ in pieces[:-1])
                return b"".join(data for data, _, _ in pieces), last_at, _combined([stats for _, _, stats in pieces])

            return set(built.spelled), spelled
        if not built.docs:
            return set(), None
        spans, ordered = built.grouped()
        lengths = bytes(built.lengths) if built.scorable else None
        boost, kind = built.boost, built.kind

        def encode(term: str):
            s, e = spans[term]
            if e - s > _NUMPY_FROM:
                return _encode_long(ordered.docs[s:e], None if ordered.freqs is None else ordered.freqs[s:e],
                                    None if ordered.values is None else ordered.values[s:e], lengths, boost, kind)
            return _encode_short(ordered.doc_list[s:e], None if ordered.freq_list is None else ordered.freq_list[s:e],
                                 None if ordered.values is None else ordered.values[s:e], lengths, boost, kind)

        return set(spans), encode

    def _write_chunk(self) -> None:
        """Write every term's postings so far to the run file and start the arrays afresh."""
        if self._runs is None:
            self._runs = tempfile.TemporaryFile(dir=getattr(self.storage, "folder", None))
        runs = self._runs
        # Spelling postings stay in memory (a few per article): Whoosh sorts all of a word's by value.
        for built in self._fields.values():
            self._pad_lengths(built)
            terms, encode = self._encoder(built)
            for term in sorted(terms):
                data, last_at, stats = encode(term)
                offset = runs.tell()
                runs.write(data)
                self._pieces.setdefault((built.name, term), []).append((offset, len(data), last_at, stats))
            built.clear()
        self._held = sum(map(len, self._spells.values()))

    def _pad_lengths(self, built: _Field) -> None:
        if built.scorable and len(built.lengths) < self.docnum:
            built.lengths.extend(bytes(self.docnum - len(built.lengths)))

    def finish(self):
        """Write the segment's files and return the segment, or None when no document was added."""
        self._write_lengths()
        self.perdoc.close()
        if not self.docnum:
            self._close_runs()
            return None
        writer = W3FieldWriter(self.codec, self.storage, self.segment)
        try:
            self._write_terms(writer)
        finally:
            writer.close()
            self._close_runs()
        self.segment.set_doc_count(self.docnum)
        self.segment.create_compound_file(self.storage)
        return self.segment

    def _write_lengths(self) -> None:
        """Each scorable field's length column and total, as ``W3PerDocWriter.add_field`` leaves them: the
        column holds one length byte per document and exists once a document had the field."""
        perdoc = self.perdoc
        for name in sorted(self._fields):
            built = self._fields[name]
            if not built.scorable or not built.total:
                continue
            self._pad_lengths(built)
            perdoc._create_column(_lenfield(name), LENGTHS_COLUMN)
            writer = perdoc._get_column(_lenfield(name))
            assert isinstance(writer, columns.NumericColumn.Writer) and writer._fixedlen == 1 and writer._count == 0
            writer._dbfile.write(bytes(built.lengths))  # the bytes its add() would write, in one call
            writer._count = len(built.lengths)
            perdoc._fieldlengths[name] += built.total

    def _write_terms(self, writer: W3FieldWriter) -> None:
        """Every term's posting list into the postings file, and its term info into the term table,
        in Whoosh's order: fields by name, terms by their UTF-8 bytes (which is str order)."""
        tindex, postfile, fieldmap = writer._tindex, writer._postfile, writer._fieldmap
        by_name = {built.name: built for built in (*self._fields.values(), *self._spells.values())}
        held: dict[str, set[str]] = {}
        for field_name, term in self._pieces:
            held.setdefault(field_name, set()).add(term)
        position = postfile.tell()
        pending: list[bytes] = []  # written to the file in large pieces; ``position`` follows them
        entries: list[tuple[bytes, bytes]] = []  # term table rows not yet added
        pack_info, pack_extent = W3TermInfo._struct.pack, _EXTENT.pack
        for name in sorted(by_name):
            built = by_name[name]
            self._pad_lengths(built)
            fresh, encode = self._encoder(built)
            terms = held.get(name, set()) | fresh
            if not terms:
                continue
            fieldmap[name] = len(fieldmap)
            prefix = pack_ushort(fieldmap[name])
            for term in sorted(terms):
                pieces = self._pieces.get((name, term))
                if pieces is None:  # all in memory (the usual case): one piece
                    data, last_at, stats = encode(term)
                    (size,) = _INT.unpack_from(data, last_at)  # the list's last block says so with a negative length
                    body = [WHOOSH3_HEADER_MAGIC, data[:last_at], _INT.pack(-size), data[last_at + 4 :]]
                else:
                    pieces = list(pieces)
                    if term in fresh:
                        data, last_at, stats = encode(term)
                        pieces.append((None, data, last_at, stats))
                    body = [WHOOSH3_HEADER_MAGIC]
                    for i, (offset, data, last_at, _stats) in enumerate(pieces):
                        if offset is not None:
                            self._runs.seek(offset)
                            data = self._runs.read(data)
                        if i == len(pieces) - 1:
                            (size,) = _INT.unpack_from(data, last_at)
                            data = data[:last_at] + _INT.pack(-size) + data[last_at + 4 :]
                        body.append(data)
                    stats = _combined([p[3] for p in pieces])
                length = sum(map(len, body))
                pending.extend(body)
                df, weight, low, high, weight_max, first, last = stats
                entries.append((prefix + term.encode("utf-8"), pack_info(0, weight, df, low, high, weight_max, first, last) + pack_extent(position, length)))
                position += length
                if len(pending) > 4096:
                    postfile.write(b"".join(pending))
                    pending = []
                    _add_terms(tindex, entries)
                    entries = []
        postfile.write(b"".join(pending))
        _add_terms(tindex, entries)

    def _close_runs(self) -> None:
        if self._runs is not None:
            self._runs.close()
            self._runs = None

    def cancel(self) -> None:
        """Give up the segment: close its files (a commit's clean-up deletes what no segment names)."""
        if not self.perdoc.is_closed:
            self.perdoc.close()
        self._close_runs()
