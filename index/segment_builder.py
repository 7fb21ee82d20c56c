"""A Whoosh segment written in bulk: the same files Whoosh's ``SegmentWriter`` writes, several times faster.

Whoosh 2.7.4 indexes a document through one Token object per word, puts one tuple per posting into a
pool it sorts (spilling runs to disk), then hands each posting to its posting writer one Python call
at a time: at a million statements that was 90% of a rebuild.  ``SegmentBuilder`` takes the same
documents and keeps each field's postings per term in compact arrays as it goes (terms come from the
analyzers' memo: ``index.analysis``); when the segment is finished it writes every term's posting list
block by block exactly as Whoosh's ``W3PostingsWriter`` would (pickled, zlib-compressed blocks of 128
postings with their info tuples, the term table through Whoosh's own ``OrderedHashWriter``), and the
per-document files (stored fields, lengths, columns) through Whoosh's own ``W3PerDocWriter``.  The
segment is a plain ``whoosh3`` segment: Whoosh's readers and ours read it unchanged
(``tests/test_index_segment_builder.py`` compares it with one Whoosh wrote, posting by posting).

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
from collections import Counter
from pickle import dumps
from struct import Struct

import numpy as np
from whoosh import analysis, fields, formats
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3TermInfo
from whoosh.system import pack_ushort
from whoosh.util.numeric import length_to_byte

from index.analysis import Memoized

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


def _compress(data: bytes) -> bytes:
    """zlib at Whoosh's level.  ``zlib.compress`` sets up a 32 KB window and its tables for every call, which
    for the many blocks of one or two postings costs 20 times the compressing; a window just larger than
    the data finds the same matches.  Any window decompresses with ``zlib.decompress``, as Whoosh reads."""
    if len(data) > _SMALL:
        return zlib.compress(data, COMPRESSION)
    small = zlib.compressobj(COMPRESSION, zlib.DEFLATED, 9, 1)
    return small.compress(data) + small.flush()


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


class _Field:
    """One indexed field's postings while a segment is built: term -> arrays of ids, freqs, values."""

    __slots__ = ("name", "field", "kind", "boost", "scorable", "analyzer", "regex", "terms", "lengths", "spell_of")

    def __init__(self, name: str, field) -> None:
        self.name = name
        self.field = field
        fmt = field.format
        self.boost = float(fmt.field_boost)
        self.scorable = bool(field.scorable)
        self.analyzer = field.analyzer if hasattr(field, "analyzer") else None
        self.regex = None
        self.spell_of = None
        self.terms: dict = {}
        self.lengths = bytearray()  # per document: its length byte (scorable fields only)
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


_NUMPY_FROM = 48  # postings: longer lists are cut into blocks with array operations
_PACKED = [_UINT.pack(n) for n in range(256)]  # the 4-byte frequency values of ``Frequency`` fields


def _packed(freq: int) -> bytes:
    return _PACKED[freq] if freq < 256 else _UINT.pack(freq)


class _Columns:
    """One term's postings as the encoders take them (lists; ``freqs`` None for fields without)."""

    __slots__ = ("ids", "freqs", "lengths", "boost", "values", "kind", "arrays")

    def __init__(self, ids, freqs, lengths, boost, values, kind, arrays) -> None:
        self.ids, self.freqs, self.lengths, self.boost, self.values, self.kind, self.arrays = ids, freqs, lengths, boost, values, kind, arrays


def _encode(c: _Columns) -> tuple[bytes, int, tuple]:
    """A short posting list (one block, usually one posting), exactly as ``W3PostingsWriter`` writes it."""
    ids = c.ids
    n = len(ids)
    if n > BLOCK:
        raise AssertionError("short lists only")
    deltas = tuple([ids[0]] + [b - a for a, b in zip(ids, ids[1:])]) if n > 1 else (ids[0],)
    boost = c.boost
    if c.freqs is None:  # existence: every weight is the field boost (spelling postings: the int 1)
        if c.kind == _FREQ:
            weight_max, total, mini_weights = 1, n, None
        else:
            weight_max, total = boost, boost * n
            mini_weights = None if boost == 1.0 else boost
    else:
        freqs = c.freqs
        low, high = min(freqs), max(freqs)
        weight_max = high * boost if boost != 1.0 else float(high)
        if low == high:
            total = weight_max * n
            mini_weights = None if weight_max == 1.0 else weight_max
        else:
            weights = [f * boost for f in freqs] if boost != 1.0 else [float(f) for f in freqs]
            total = sum(weights)
            mini_weights = tuple(weights)
    kind = c.kind
    if kind == _EXISTS:
        mini_values = None
    elif kind == _POSITIONS:
        mini_values = tuple(c.values)
    elif c.values is not None:
        mini_values = _EMPTY.join(c.values)
    else:
        mini_values = _EMPTY.join(map(_packed, c.freqs))
    if c.lengths is not None:
        lengths = c.lengths
        if n == 1:
            low_byte = high_byte = lengths[ids[0]]
        else:
            found = list(map(lengths.__getitem__, ids))
            low_byte, high_byte = min(found), max(found)
    else:
        low_byte = high_byte = 0
    data = _compress(dumps((deltas, mini_weights, mini_values), 2))
    info = dumps((n, ids[-1], weight_max, COMPRESSION, low_byte, high_byte), 2)
    return _INT.pack(len(info) + len(data)) + info + data, 0, (n, total, low_byte, high_byte, weight_max, ids[0], ids[-1])


def _combined(stats: list[tuple]) -> tuple:
    """The statistics of consecutive pieces of one posting list as one (``W3TermInfo.add_block``'s sums)."""
    total = 0
    for piece in stats:
        total += piece[1]
    low = [piece[2] for piece in stats if piece[2]]
    return (sum(p[0] for p in stats), total, min(low) if low else 0, max(p[3] for p in stats), max(p[4] for p in stats), stats[0][5], stats[-1][6])


def _encode_long(built: _Field, entry) -> tuple[bytes, int, tuple]:
    """A long posting list, cut into 128-posting blocks with array operations (same bytes as ``_encode``'s)."""
    kind = built.kind
    ids_array = np.frombuffer(entry if kind == _EXISTS else entry[0], dtype=np.uint32).astype(np.int64)
    n = len(ids_array)
    starts = np.arange(0, n, BLOCK)
    ids = ids_array.tolist()
    deltas_array = np.diff(ids_array, prepend=0)
    deltas_array[starts] = ids_array[starts]  # every block's ids restart from zero
    deltas = deltas_array.tolist()
    boost = built.boost
    if kind == _EXISTS:
        weight_max = [boost] * len(starts)
        sums = [boost * len(ids[s : s + BLOCK]) for s in starts.tolist()]
        mini = [None if boost == 1.0 else boost] * len(starts)
    else:
        weights = np.frombuffer(entry[1], dtype=np.uint32).astype(np.float64) * boost
        weight_max = np.maximum.reduceat(weights, starts).tolist()
        weight_min = np.minimum.reduceat(weights, starts).tolist()
        sums = np.add.reduceat(weights, starts).tolist()  # integers times the boost: exact in any order
        mini = []
        for i, s in enumerate(starts.tolist()):
            if weight_min[i] == weight_max[i]:
                mini.append(None if weight_max[i] == 1.0 else weight_max[i])
            else:
                mini.append(tuple(weights[s : s + BLOCK].tolist()))
    if built.scorable:
        lengths = np.frombuffer(built.lengths, dtype=np.uint8)[ids_array]
        low_bytes = np.minimum.reduceat(lengths, starts).tolist()
        high_bytes = np.maximum.reduceat(lengths, starts).tolist()
    else:
        low_bytes = high_bytes = [0] * len(starts)
    if kind == _FREQ:
        packed = list(map(_packed, entry[1]))
    out = []
    at = last_at = 0
    for i, s in enumerate(starts.tolist()):
        e = s + BLOCK
        if kind == _EXISTS:
            mini_values = None
        elif kind == _POSITIONS:
            mini_values = tuple(entry[2][s:e])
        else:
            mini_values = _EMPTY.join(packed[s:e])
        block_ids = ids[s:e]
        data = _compress(dumps((tuple(deltas[s:e]), mini[i], mini_values), 2))
        info = dumps((len(block_ids), block_ids[-1], weight_max[i], COMPRESSION, low_bytes[i], high_bytes[i]), 2)
        last_at = at
        block = _INT.pack(len(info) + len(data)) + info + data
        out.append(block)
        at += len(block)
    total = 0.0
    for block_sum in sums:
        total += block_sum
    stats = (n, total, min(low_bytes), max(high_bytes), max(weight_max), ids[0], ids[-1])
    return b"".join(out), last_at, stats



class SegmentBuilder:
    """Writes one new segment of the index ``ix`` from documents given one by one (``add_document``).

    ``finish()`` writes the segment's files and returns the segment (None if no document was added)
    for the caller to commit in a table of contents (``writing._join``).
    """

    CHUNK_POSTINGS = 8_000_000  # postings held in memory before they go to a run file (~250 MB)

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
        self._runs = None  # the temporary run file, once a chunk has been written
        self._pieces: dict[tuple[str, str], list] = {}  # (field, term) -> [(offset, size, last_block_at, stats)]

    # --- documents ---------------------------------------------------------------------------

    def add_document(self, **values) -> None:
        """Index one document, as ``whoosh.writing.SegmentWriter.add_document`` would."""
        perdoc = self.perdoc
        docnum = self.docnum
        perdoc.start_doc(docnum)
        last_value = None  # the last posting value of the last field indexed: Whoosh's spelling postings carry it
        for name in sorted(values):
            value = values[name]
            if value is None:
                continue
            if name.startswith("_"):
                raise ValueError(f"{name!r}: boosts and stored overrides are not supported by the segment builder")
            field = self.schema[name]
            length = 0
            built = self._fields.get(name)
            if built is not None:
                length, value_last = self._index(built, value, docnum)
                if value_last is not None:
                    last_value = value_last
                spell = self._spells.get(name)
                if spell is not None:
                    self._spell(spell, field, value, last_value)
            perdoc.add_field(name, field, value if field.stored else None, length)
            column = field.column_type
            if column:
                perdoc.add_column_value(name, column, field.to_column_value(value))
        perdoc.finish_doc()
        self.docnum += 1
        if self._held >= self.chunk_postings:
            self._write_chunk()

    def _index(self, built: _Field, value, docnum: int) -> tuple[int, bytes | None]:
        """Add one field value's postings; returns the field length and the last posting value (Whoosh's order)."""
        kind = built.kind
        table = built.terms
        if kind == _EXISTS:
            if isinstance(built.field, fields.BOOLEAN):  # BOOLEAN.index: a string is true if it is one of its trues
                words = ["t" if (value.lower() in built.field.trues if isinstance(value, str) else bool(value)) else "f"]
            else:  # ID: the whole value is the one term (an empty value too: Whoosh indexes b"")
                if not isinstance(value, str):
                    raise ValueError(f"{value!r} is not unicode or sequence")
                words = [value]
            for word in words:
                ids = table.get(word)
                if ids is None:
                    ids = table[word] = array("I")
                ids.append(docnum)
            self._held += len(words)
            return 0, _EMPTY
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not unicode or sequence")
        if kind == _POSITIONS:
            found = built.analyzer.memo_positions(value)
            if found is None:  # words the chain splits or multiplies: the chain's own tokens
                tokens = [(t.text, t.pos) for t in built.analyzer(value, mode="index", positions=True, boosts=True) if not t.stopped]
                found = [t for t, _ in tokens], [p for _, p in tokens]
            terms, poses = found
            encoded = None
            if len(set(terms)) == len(terms):  # every word once (most statements): no grouping
                one = _ONE
                for term, pos in zip(terms, poses):
                    entry = table.get(term)
                    if entry is None:
                        entry = table[term] = (array("I"), array("I"), [])
                    entry[0].append(docnum)
                    entry[1].append(1)
                    entry[2].append(one[pos])
                if terms:
                    encoded = one[poses[-1]]
                self._held += len(terms)
            else:
                groups: dict[str, list[int]] = {}
                for term, pos in zip(terms, poses):
                    group = groups.get(term)
                    if group is None:
                        groups[term] = [pos]
                    else:
                        group.append(pos)
                for term, group in groups.items():
                    entry = table.get(term)
                    if entry is None:
                        entry = table[term] = (array("I"), array("I"), [])
                    entry[0].append(docnum)
                    entry[1].append(len(group))
                    encoded = _ONE[group[0]] if len(group) == 1 else _encode_positions(group)
                    entry[2].append(encoded)
                self._held += len(groups)
            length = len(terms)
        else:
            if built.regex is not None:
                terms = [m.group() for m in built.regex.finditer(value)]
            else:
                terms = built.analyzer.memo_terms(value)
                if terms is None:
                    terms = [t.text for t in built.analyzer(value, mode="index", boosts=True) if not t.stopped]
            counts = Counter(terms)
            for term, freq in counts.items():
                entry = table.get(term)
                if entry is None:
                    entry = table[term] = (array("I"), array("I"))
                entry[0].append(docnum)
                entry[1].append(freq)
            encoded = _UINT.pack(freq) if counts else None
            length = len(terms)
            self._held += len(counts)
        if built.scorable:
            if len(built.lengths) < docnum:
                built.lengths.extend(bytes(docnum - len(built.lengths)))
            built.lengths.append(length_to_byte(length) if length else 0)
        return (length if built.scorable else 0), encoded

    def _spell(self, spell: _Field, field, value, last_value: bytes | None) -> None:
        """Whoosh's spelling postings: each unstemmed word once per document, all on document 0, with the
        posting value last written for the document (what ``SegmentWriter.add_document`` leaves them)."""
        for word in field.spellable_words(value):
            entry = spell.terms.get(word)
            if entry is None:
                entry = spell.terms[word] = []
            entry.append(last_value)
            self._held += 1

    # --- writing -----------------------------------------------------------------------------

    def _blocks(self, built: _Field, term: str) -> tuple[bytes, int, tuple]:
        """The term's postings as ``W3PostingsWriter`` blocks (every length positive), where the last
        block's length sits, and the term's statistics (as ``W3TermInfo.add_block`` sums them)."""
        entry = built.terms[term]
        if built.spell_of is not None:  # Whoosh's pool sorts them by value; they carry weight 1 (an int)
            values = sorted(entry)
            pieces = [_encode(_Columns([0] * len(v), None, None, 1, v, _FREQ, None)) for v in (values[s : s + BLOCK] for s in range(0, len(values), BLOCK))]
            last_at = sum(len(data) for data, _, _ in pieces[:-1])
            return b"".join(data for data, _, _ in pieces), last_at, _combined([stats for _, _, stats in pieces])
        ids = entry if built.kind == _EXISTS else entry[0]
        if len(ids) > _NUMPY_FROM:
            return _encode_long(built, entry)
        freqs = None if built.kind == _EXISTS else entry[1]
        values = entry[2] if built.kind == _POSITIONS else None
        return _encode(_Columns(ids.tolist(), freqs, built.lengths if built.scorable else None, built.boost, values, built.kind, None))

    def _write_chunk(self) -> None:
        """Write every term's postings so far to the run file and start the arrays afresh."""
        if self._runs is None:
            self._runs = tempfile.TemporaryFile(dir=getattr(self.storage, "folder", None))
        runs = self._runs
        # Spelling postings stay in memory (a few per article): Whoosh sorts all of a word's by value.
        for built in self._fields.values():
            for term in built.terms:
                data, last_at, stats = self._blocks(built, term)
                offset = runs.tell()
                runs.write(data)
                self._pieces.setdefault((built.name, term), []).append((offset, len(data), last_at, stats))
            built.terms = {}
        self._held = 0

    def finish(self):
        """Write the segment's files and return the segment, or None when no document was added."""
        self.perdoc.close()
        if not self.docnum:
            self._close_runs()
            return None
        by_name = {built.name: built for built in (*self._fields.values(), *self._spells.values())}
        for built in by_name.values():
            if built.scorable and len(built.lengths) < self.docnum:
                built.lengths.extend(bytes(self.docnum - len(built.lengths)))
        writer = W3FieldWriter(self.codec, self.storage, self.segment)
        try:
            self._write_terms(writer, by_name)
        finally:
            writer.close()
            self._close_runs()
        self.segment.set_doc_count(self.docnum)
        self.segment.create_compound_file(self.storage)
        return self.segment

    def _write_terms(self, writer: W3FieldWriter, by_name: dict[str, _Field]) -> None:
        """Every term's posting list into the postings file, and its term info into the term table,
        in Whoosh's order: fields by name, terms by their UTF-8 bytes (which is str order)."""
        tindex, postfile, fieldmap = writer._tindex, writer._postfile, writer._fieldmap
        held: dict[str, set[str]] = {}
        for field_name, term in self._pieces:
            held.setdefault(field_name, set()).add(term)
        position = postfile.tell()
        pending: list[bytes] = []  # written to the file in large pieces; ``position`` follows them
        pack_info, pack_extent = W3TermInfo._struct.pack, _EXTENT.pack
        for name in sorted(set(held) | {n for n, b in by_name.items() if b.terms}):
            built = by_name[name]
            terms = held.get(name, set()) | set(built.terms)
            if not terms:
                continue
            fieldmap[name] = len(fieldmap)
            prefix = pack_ushort(fieldmap[name])
            for term in sorted(terms):
                pieces = self._pieces.get((name, term))
                if pieces is None:  # all in memory (the usual case): one piece
                    data, last_at, stats = self._blocks(built, term)
                    (size,) = _INT.unpack_from(data, last_at)  # the list's last block says so with a negative length
                    body = [WHOOSH3_HEADER_MAGIC, data[:last_at], _INT.pack(-size), data[last_at + 4 :]]
                else:
                    pieces = list(pieces)
                    if term in built.terms:
                        data, last_at, stats = self._blocks(built, term)
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
                tindex.add(prefix + term.encode("utf-8"), pack_info(0, weight, df, low, high, weight_max, first, last) + pack_extent(position, length))
                position += length
                if len(pending) > 4096:
                    postfile.write(b"".join(pending))
                    pending = []
        postfile.write(b"".join(pending))

    def _close_runs(self) -> None:
        if self._runs is not None:
            self._runs.close()
            self._runs = None

    def cancel(self) -> None:
        """Give up the segment: close its files (a commit's clean-up deletes what no segment names)."""
        if not self.perdoc.is_closed:
            self.perdoc.close()
        self._close_runs()

