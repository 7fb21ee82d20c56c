"""A Whoosh segment written in bulk: the files Whoosh's ``SegmentWriter`` writes, several times faster.

Whoosh 2.7.4 indexes a document through one Token object per word, puts one tuple per posting into a
pool it sorts (spilling runs to disk), then hands each posting to its posting writer one Python call
at a time: at a million statements that was 90% of a rebuild.  ``SegmentBuilder`` takes the same
documents and appends each field's postings to flat arrays as it goes (term number, document, frequency;
a positional field's tokens with their positions, made postings at the end), with C-level calls per field value rather than Python per posting (terms come from the
analyzers' memo: ``index.analysis``); when the segment is finished the arrays are sorted by term with
numpy and every term's posting list is written block by block as Whoosh's ``W3PostingsWriter`` writes
it (pickled blocks of up to 128 postings with their info tuples; the term table through Whoosh's own
``OrderedHashWriter``), and the per-document files (stored fields, lengths, columns) through Whoosh's
own ``W3PerDocWriter`` and column writers (column values given in runs: ``index.segment_columns``).  The segment is a plain ``whoosh3`` segment: Whoosh's
readers and ours read it unchanged, and ``tests/test_index_segment_builder.py`` compares it with one
Whoosh wrote: every term, posting, block statistic, length, stored field, column and score.

What differs is below the format: blocks under 128 bytes are stored uncompressed (level 0 in their info
tuple, as Whoosh's writer meant to: see ``_compressed``) and small ones are compressed with a small zlib
window; the postings of a block are the same.

Only the field types of our schemas are built here (``ID``, ``KEYWORD``, ``TEXT``, ``BOOLEAN``,
``COLUMN`` and TEXT's spelling field, with the memoized analyzers or a bare ``RegexTokenizer``);
another type raises ``TypeError`` when the builder is made, so a schema change cannot slip past.

One module (past 400 lines) because documents in and segment files out share the arrays' layout;
the block and term-row bytes are ``index.posting_blocks``.

Memory is bounded: past ``CHUNK_POSTINGS`` postings held, every term's postings so far are written as
finished blocks to a temporary run file and the arrays start afresh; at the end each term's pieces
are copied in order (a piece's last block may hold fewer than 128 postings, which Whoosh's readers
take as they take any block).
"""

from __future__ import annotations

import tempfile
from array import array
from collections import defaultdict
from itertools import compress, count
from struct import Struct

import numpy as np
from whoosh import analysis, columns, fields, formats
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3TermInfo, _lenfield
from whoosh.system import pack_ushort
from whoosh.util.numeric import length_to_byte

from index.analysis import Memoized, shared
from index.posting_blocks import (
    BLOCK,
    EMPTY,
    EXISTS,
    EXTENT,
    FREQ,
    ONE,
    POSITIONS,
    add_terms,
    combined,
    continued,
    encode_long,
    encode_one,
    encode_position_runs,
    encode_positions,
    encode_short,
    ended,
    one_block,
    packed,
    write_hashes,
)
from index.segment_columns import RUN as COLUMN_RUN
from index.segment_columns import ColumnValues

_NUMPY_FROM = BLOCK  # postings: longer lists are cut into blocks with array operations (one block costs less as lists)


class _Field:
    """One indexed field's postings while a segment is built, as flat arrays in the order they came:
    term number, document number and frequency; a positional field keeps its tokens instead (term number,
    document number, position), made postings by ``grouped``."""

    __slots__ = (
        "name",
        "field",
        "kind",
        "boost",
        "scorable",
        "analyzer",
        "regex",
        "lengths",
        "spell_of",
        "vocab",
        "tids",
        "docs",
        "sizes",
        "poses",
        "spelled",
        "total",
        "empty_has_none",
    )

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
        self.empty_has_none = False  # whether an empty value has no terms (then it is skipped at once)
        self.clear()
        if type(fmt) is formats.Existence:
            self.kind = EXISTS
        elif type(fmt) is formats.Frequency:
            self.kind = FREQ
        elif type(fmt) is formats.Positions:
            self.kind = POSITIONS
        else:
            raise TypeError(f"field {name!r}: the segment builder does not write {type(fmt).__name__} postings")
        if self.kind == EXISTS and self.scorable:
            raise TypeError(f"field {name!r}: a scorable field without frequencies is not built here")
        if isinstance(field, (fields.BOOLEAN, fields.SpellField)):
            return
        analyzer = self.analyzer
        if isinstance(field, fields.ID) and type(analyzer) is analysis.IDTokenizer:
            return
        if isinstance(field, (fields.KEYWORD, fields.TEXT)) and isinstance(analyzer, Memoized):
            self.empty_has_none = analyzer.items[0].expression.search("") is None  # the tokenizer finds no word in ""
            return
        if isinstance(field, fields.KEYWORD) and type(analyzer) is analysis.RegexTokenizer and not analyzer.gaps:
            self.regex = analyzer.expression
            self.empty_has_none = self.regex.search("") is None
            return
        raise TypeError(f"field {name!r}: the segment builder does not index {type(field).__name__} with {analyzer!r}")

    def clear(self) -> None:
        self.vocab: defaultdict[str, int] = defaultdict(count().__next__)  # term -> its number, new ones numbered in C
        self.tids = array("I")  # per token (an ID's or BOOLEAN's value is one token, and one posting)
        self.docs = array("I")  # per value: its document
        self.sizes = array("I")  # per value of a field with frequencies: its tokens
        self.poses = array("I")  # per token of a positional field: its position

    def __len__(self) -> int:
        return len(self.docs) + len(self.spelled)

    def grouped(self) -> _Sorted:
        """The postings sorted by term (documents stay in order within a term) and each term's span.

        Tokens came document by document, so sorting them by term alone (stably) puts a term's tokens in
        document order and, within a document, in position order: each run of one term in one document is
        a posting, its frequency the run's length and (positional fields) its value the run's positions
        encoded as ``formats.Positions`` does."""
        tids = np.frombuffer(self.tids, dtype=np.uint32)
        order = np.argsort(tids, kind="stable")
        ordered_tids = tids[order]
        if self.kind == EXISTS:
            return _Sorted(*self._spans(ordered_tids), np.frombuffer(self.docs, dtype=np.uint32)[order].astype(np.int64), None, None)
        ordered_docs = np.repeat(np.frombuffer(self.docs, dtype=np.uint32), np.frombuffer(self.sizes, dtype=np.uint32))[order]
        new = np.empty(len(order), dtype=bool)
        new[0] = True
        np.not_equal(ordered_tids[1:], ordered_tids[:-1], out=new[1:])
        new[1:] |= ordered_docs[1:] != ordered_docs[:-1]
        starts = np.flatnonzero(new)
        freqs = np.diff(starts, append=len(order)).astype(np.uint32)
        values = self._position_values(order, starts, freqs) if self.kind == POSITIONS else None
        return _Sorted(*self._spans(ordered_tids[starts]), ordered_docs[starts].astype(np.int64), freqs, values)

    def _position_values(self, order: np.ndarray, starts: np.ndarray, freqs: np.ndarray) -> list[bytes]:
        """Each posting's encoded positions (tokens in ``order``, postings from ``starts``)."""
        poses = np.frombuffer(self.poses, dtype=np.uint32)[order]
        values = list(map(ONE.__getitem__, poses[starts].tolist()))
        several = np.flatnonzero(freqs > 1)
        if len(several):
            for i, value in zip(several.tolist(), encode_position_runs(poses, starts[several], freqs[several])):
                values[i] = value
        return values

    def _spans(self, ordered: np.ndarray) -> tuple[dict[str, int], np.ndarray]:
        """Each term's number among the spans of postings sorted by term number (``ordered``: their term
        numbers), and where each span starts."""
        starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
        names = list(self.vocab)  # terms were numbered as they were added: in the dict's order
        return dict(zip(map(names.__getitem__, ordered[starts].tolist()), range(len(starts)))), starts


def _last_posting_value(terms: list[str], poses: list[int] | None) -> bytes:
    """The value of a field value's last posting as Whoosh's writer adds them (by term, in the order terms
    first appear): that term's frequency, or its encoded positions."""
    last = next(reversed(dict.fromkeys(terms)))
    if poses is None:
        return packed(terms.count(last))
    return encode_positions(list(compress(poses, map(last.__eq__, terms))))


class _Run:
    """What one chunk wrote of a field to the run file: its terms in order and, per term, the piece's
    offset, size, last block's start and statistics (in arrays: a few bytes a term, not objects)."""

    __slots__ = ("terms", "numbers", "weights")

    def __init__(self, terms: list[str], numbers: array, weights: array) -> None:
        self.terms, self.numbers, self.weights = terms, numbers, weights

    def piece(self, i: int) -> tuple:
        offset, size, last_at, df, low, high, first, last = self.numbers[8 * i : 8 * i + 8]
        total, weight_max = self.weights[2 * i : 2 * i + 2]
        return offset, size, last_at, (df, total, low, high, weight_max, first, last)


class _Sorted:
    """A field's postings in term order, as arrays (long lists) and lists (short ones), and each term's
    number (``spans``) and where its postings start and end."""

    __slots__ = ("spans", "starts", "ends", "docs", "freqs", "values", "doc_list", "freq_list")

    def __init__(self, spans: dict[str, int], starts: np.ndarray, docs, freqs, values) -> None:
        self.spans, self.docs, self.freqs, self.values = spans, docs, freqs, values
        self.starts = starts.tolist()
        self.ends = self.starts[1:] + [len(docs)]
        self.doc_list = docs.tolist()
        self.freq_list = freqs.tolist() if freqs is not None else None

    def statistics(self, lengths: bytes | None) -> tuple[list, list, list, list, list]:
        """Per term (for its one block, when it has one): the id deltas of its postings (per posting),
        the least and greatest frequency, and the least and greatest length byte of its documents."""
        starts = np.asarray(self.starts)
        deltas = np.diff(self.docs, prepend=0)
        deltas[starts] = self.docs[starts]  # a list's ids start from zero
        if self.freqs is None:
            low = high = None
        else:
            low, high = np.minimum.reduceat(self.freqs, starts).tolist(), np.maximum.reduceat(self.freqs, starts).tolist()
        if lengths is None:
            low_bytes = high_bytes = [0] * len(self.starts)
        else:
            found = np.frombuffer(lengths, dtype=np.uint8)[self.docs]
            low_bytes, high_bytes = np.minimum.reduceat(found, starts).tolist(), np.maximum.reduceat(found, starts).tolist()
        return deltas.tolist(), low, high, low_bytes, high_bytes


class SegmentBuilder:
    """Writes one new segment of the index ``ix`` from documents given one by one (``add_document``).

    ``finish()`` writes the segment's files and returns the segment (None if no document was added)
    for the caller to commit in a table of contents (``writing._join``).
    """

    CHUNK_POSTINGS = 4_000_000  # postings held in memory before they go to a run file (~100 MB, twice that while sorting)

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
        self._orders: dict[tuple[str, ...], list] = {}  # a document's field names -> ``_order``
        self._columns: dict[str, ColumnValues] = {}  # field name -> its values not yet given to its (Whoosh's) column writer
        self._runs = None  # the temporary run file, once a chunk has been written
        self._chunks: dict[str, list[_Run]] = {}  # field name -> what each chunk wrote of it, in order

    # --- documents ---------------------------------------------------------------------------

    def add_document(self, **values) -> None:
        """Index one document, as ``whoosh.writing.SegmentWriter.add_document`` would."""
        perdoc = self.perdoc
        docnum = self.docnum
        order = self._orders.get(tuple(values))
        if order is None:
            order = self._order(values)
        perdoc.start_doc(docnum)
        last_value = None  # the last posting value of the last field indexed: Whoosh's spelling postings carry it
        for name, (field, built, whole, spell, stored, column) in order:
            value = values[name]
            if value is None:
                continue
            if whole:  # an ID: the whole value is the one term (an empty value too: Whoosh indexes b"")
                if not isinstance(value, str):
                    raise ValueError(f"{value!r} is not unicode or sequence")
                built.tids.append(built.vocab[value])
                built.docs.append(docnum)
                self._held += 1
                last_value = EMPTY
            elif built is not None:
                value_last = self._index(built, value, docnum)
                if value_last is not None:
                    last_value = value_last
                if spell is not None:
                    self._spell(spell, field, value, last_value)
            if stored:
                perdoc.add_field(name, field, value, 0)  # lengths: written whole by ``finish``
            if column:
                held = self._columns.get(name)
                if held is None:  # created on first use, as Whoosh's per-document writer does
                    perdoc._create_column(name, column)
                    held = self._columns[name] = ColumnValues(field, perdoc._get_column(name))
                held.docs.append(docnum)
                held.values.append(value)
        perdoc.finish_doc()
        self.docnum += 1
        if not self.docnum % COLUMN_RUN:
            self._flush_columns()
        if self._held >= self.chunk_postings:
            self._write_chunk()

    def _order(self, values: dict) -> list[tuple[str, tuple]]:
        """The plans of a document's fields, in Whoosh's order (by name), kept for documents with the same
        names in the same order (a document maker's are all alike)."""
        for name in values:
            if name not in self._plans:
                raise ValueError(f"{name!r}: not a field of this index's schema (boosts and stored overrides are not built here)")
        if len(self._orders) >= 64:
            self._orders.clear()
        order = self._orders[tuple(values)] = [(name, self._plans[name]) for name in sorted(values)]
        return order

    def _flush_columns(self) -> None:
        for held in self._columns.values():
            held.flush()

    def _index(self, built: _Field, value, docnum: int) -> bytes | tuple | None:
        """Add one field value's postings; returns the last posting value (in Whoosh's order), if any, or
        the terms and positions it comes from (see ``_last_posting_value``)."""
        kind = built.kind
        if kind == EXISTS:
            if isinstance(built.field, fields.BOOLEAN):  # BOOLEAN.index: a string is true if it is one of its trues
                term = "t" if (value.lower() in built.field.trues if isinstance(value, str) else bool(value)) else "f"
            else:  # ID: the whole value is the one term (an empty value too: Whoosh indexes b"")
                if not isinstance(value, str):
                    raise ValueError(f"{value!r} is not unicode or sequence")
                term = value
            built.tids.append(built.vocab[term])
            built.docs.append(docnum)
            self._held += 1
            return EMPTY
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not unicode or sequence")
        if not value and built.empty_has_none:  # most statements' channel, role, place, topics…
            return None
        if kind == POSITIONS:
            found = built.analyzer.memo_positions(value)
            if found is None:  # words the chain splits or multiplies: the chain's own tokens
                tokens = [(t.text, t.pos) for t in built.analyzer(value, mode="index", positions=True, boosts=True) if not t.stopped]
                found = [t for t, _ in tokens], [p for _, p in tokens]
            terms, poses = found
            if not terms:
                return None
            built.poses.fromlist(poses)  # (``extend`` takes a list item by item, as any iterable)
        else:
            poses = None
            if built.regex is not None:
                terms = built.regex.findall(value)
            else:
                terms = built.analyzer.memo_terms(value)
                if terms is None:
                    terms = [t.text for t in built.analyzer(value, mode="index", boosts=True) if not t.stopped]
            if not terms:
                return None
        built.tids.extend(map(built.vocab.__getitem__, terms))
        built.docs.append(docnum)
        built.sizes.append(len(terms))
        postings = len(set(terms))
        self._held += postings
        length = len(terms)
        if built.scorable:
            lengths = built.lengths
            if len(lengths) < docnum:
                lengths.extend(bytes(docnum - len(lengths)))
            lengths.append(length_to_byte(length))
            built.total += length
        return terms, poses  # the last posting's value, made only if a spelling field needs it (``_spell``)

    def _spell(self, spell: _Field, field, value, last_value: bytes | tuple | None) -> None:
        """Whoosh's spelling postings: each unstemmed word once per document, all on document 0, with the
        posting value last written for the document (what ``SegmentWriter.add_document`` leaves them)."""
        if isinstance(last_value, tuple):
            last_value = _last_posting_value(*last_value)
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
                pieces = [
                    encode_short([0] * len(values[s : s + BLOCK]), None, values[s : s + BLOCK], None, 1.0, FREQ, spell=True, last=s + BLOCK >= len(values))
                    for s in range(0, len(values), BLOCK)
                ]
                last_at = sum(len(data) for data, _, _ in pieces[:-1])
                return b"".join(data for data, _, _ in pieces), last_at, combined([stats for _, _, stats in pieces])

            return set(built.spelled), spelled
        if not built.docs:
            return set(), None
        ordered = built.grouped()
        lengths = bytes(built.lengths) if built.scorable else None
        boost, kind = built.boost, built.kind
        spans, starts, ends = ordered.spans, ordered.starts, ordered.ends
        doc_list, freq_list, values = ordered.doc_list, ordered.freq_list, ordered.values
        deltas, low_freqs, high_freqs, low_bytes, high_bytes = ordered.statistics(lengths)
        if kind == FREQ:
            packed_freqs = ordered.freqs.astype(">u4").tobytes()  # each posting's value: its 4-byte frequency
        if kind == EXISTS:  # every weight is the field boost
            weights = None if boost == 1.0 else boost

        def encode(term: str):
            k = spans[term]
            s, e = starts[k], ends[k]
            if e - s == 1:
                return encode_one(doc_list[s], None if freq_list is None else freq_list[s], None if values is None else values[s], lengths, boost, kind)
            if e - s > _NUMPY_FROM:
                return encode_long(
                    ordered.docs[s:e],
                    None if ordered.freqs is None else ordered.freqs[s:e],
                    None if values is None else values[s:e],
                    lengths,
                    boost,
                    kind,
                )
            # One block, as ``encode_short`` writes it, from the statistics worked out for all terms at once
            n = e - s
            if kind == EXISTS:
                return one_block(tuple(deltas[s:e]), weights, None, doc_list[s], doc_list[e - 1], boost, boost * n, 0, 0)
            low, high = low_freqs[k], high_freqs[k]
            weight_max = high * boost
            if low == high:
                mini_weights, total = (None if weight_max == 1.0 else weight_max), weight_max * n
            else:
                mini_weights = tuple([f * boost for f in freq_list[s:e]])
                total = sum(mini_weights)
            mini_values = tuple(values[s:e]) if kind == POSITIONS else packed_freqs[4 * s : 4 * e]
            return one_block(tuple(deltas[s:e]), mini_weights, mini_values, doc_list[s], doc_list[e - 1], weight_max, total, low_bytes[k], high_bytes[k])

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
            ordered = sorted(terms)
            numbers = array("q")
            weights = array("d")
            for term in ordered:
                data, last_at, (df, total, low, high, weight_max, first, last) = encode(term)
                numbers.extend((runs.tell(), len(data), last_at, df, low, high, first, last))
                weights.extend((total, weight_max))
                runs.write(continued(data, last_at))  # the list goes on in a later chunk's piece or the last
            if ordered:
                self._chunks.setdefault(built.name, []).append(_Run(ordered, numbers, weights))
            built.clear()
        self._held = sum(map(len, self._spells.values()))

    def _pad_lengths(self, built: _Field) -> None:
        if built.scorable and len(built.lengths) < self.docnum:
            built.lengths.extend(bytes(self.docnum - len(built.lengths)))

    def finish(self):
        """Write the segment's files and return the segment, or None when no document was added."""
        self._flush_columns()
        self._write_lengths()
        self.perdoc.close()
        if not self.docnum:
            self._close_runs()
            return None
        writer = W3FieldWriter(self.codec, self.storage, self.segment)
        tindex = writer._tindex
        tindex._write_hashes = lambda: write_hashes(tindex)  # its close() writes the same tables, a write per table
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
        position = postfile.tell()
        pending: list[bytes] = []  # written to the file in large pieces; ``position`` follows them
        entries: list[tuple[bytes, bytes]] = []  # term table rows not yet added

        def spill() -> None:
            postfile.write(b"".join(pending))
            pending.clear()
            add_terms(tindex, entries)
            entries.clear()

        pack_row = Struct(W3TermInfo._struct.format + EXTENT.format.lstrip("!")).pack  # the term info, then its extent
        for name in sorted(by_name):
            built = by_name[name]
            self._pad_lengths(built)
            fresh, encode = self._encoder(built)
            runs = self._chunks.get(name, [])
            terms = fresh.union(*(run.terms for run in runs))
            if not terms:
                continue
            at = [0] * len(runs)  # each run's next term: runs and the union are in the same order
            fieldmap[name] = len(fieldmap)
            prefix = pack_ushort(fieldmap[name])
            if not runs:  # all in memory (the usual case): each list one piece, its last block's length negative
                for term in sorted(terms):
                    data, _, (df, weight, low, high, weight_max, first, last) = encode(term)
                    length = len(WHOOSH3_HEADER_MAGIC) + len(data)
                    pending.append(WHOOSH3_HEADER_MAGIC)
                    pending.append(data)
                    entries.append((prefix + term.encode("utf-8"), pack_row(0, weight, df, low, high, weight_max, first, last, position, length)))
                    position += length
                    if len(pending) > 4096:
                        spill()
                continue
            for term in sorted(terms):
                pieces = []
                for i, run in enumerate(runs):
                    if at[i] < len(run.terms) and run.terms[at[i]] == term:
                        pieces.append(run.piece(at[i]))
                        at[i] += 1
                if term in fresh:  # its last piece, its last block's length negative
                    data, last_at, stats = encode(term)
                    pieces.append((None, data, last_at, stats))
                body = [WHOOSH3_HEADER_MAGIC]
                for i, (offset, data, last_at, _stats) in enumerate(pieces):
                    if offset is not None:  # written as continued (see ``_write_chunk``)
                        self._runs.seek(offset)
                        data = self._runs.read(data)
                        if i == len(pieces) - 1:
                            data = ended(data, last_at)
                    body.append(data)
                df, weight, low, high, weight_max, first, last = combined([p[3] for p in pieces])
                length = sum(map(len, body))
                pending.extend(body)
                entries.append((prefix + term.encode("utf-8"), pack_row(0, weight, df, low, high, weight_max, first, last, position, length)))
                position += length
                if len(pending) > 4096:
                    spill()
        spill()

    def _close_runs(self) -> None:
        if self._runs is not None:
            self._runs.close()
            self._runs = None

    def cancel(self) -> None:
        """Give up the segment: close its files (a commit's clean-up deletes what no segment names)."""
        if not self.perdoc.is_closed:
            self.perdoc.close()
        self._close_runs()
