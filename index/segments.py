"""What the Whoosh backend keeps per index version beside its searchers: facet values, days, value sets.

Segments never change once written (only deletions are added, and searches leave deleted documents
out), so a segment's values are read once and shared by every later version and every thread.
Filters, date ranges and facet counts are then set algebra over document numbers, in C.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from cachetools import LRUCache
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.columns import NumericColumn, VarBytesColumn

from index import valuefiles
from index.documents import speaker_key
from index.fastsearch import Docs, as_ids
from index.lexicons import WordListings, lexicon_arrays, lexicons_of
from index.postings import Unsupported, common, decode, member
from index.schema import (
    ARTICLE_MULTI,
    ARTICLE_SINGLE,
    FACET_FIELDS,
    STATEMENT_MULTI,
    STATEMENT_SINGLE,
)
from index.writing import ARTICLES


@dataclass(frozen=True)
class Target:
    """One searchable index: its name in a generation, its facet columns, and the facets users see."""

    indexname: str | None
    single: tuple[str, ...]
    multi: tuple[str, ...]
    facets: Mapping[str, str]  # facet name users see -> index field


TARGET_CONFIG = {
    "statements": Target(None, STATEMENT_SINGLE, STATEMENT_MULTI, FACET_FIELDS["statements"]),
    "articles": Target(ARTICLES, ARTICLE_SINGLE, ARTICLE_MULTI, FACET_FIELDS["articles"]),
}


class SegmentValues:
    """Facet values and days of one segment's documents, as arrays by the segment's document numbers.

    A segment never changes once written (only deletions are added, and searches leave deleted
    documents out), so these are read once per segment and reused by every later version of the
    index: after an ingest adds a small segment, only that one is read, not the million documents
    before it.  They come from the segment's value file (``index.valuefiles``) when it has one;
    otherwise they are computed from the segment (an update's new segment, an index written by an
    older version).  Only writers save files (``save=True``: a rebuild, ``python -m index.valuefiles``):
    a search never changes the index folder, whose state is part of the site's ETags.

    * ``columns[name]``: (each document's value code, the values): single-valued facets;
    * ``multi[name]``: (offsets, codes, the values): document ``n``'s codes are ``codes[offsets[n]:offsets[n + 1]]``;
    * ``direct``: the documents whose ``direct`` is true; ``days``: day numbers (``NO_DAY`` for none);
    * ``order``: the dated documents by (day, document number).
    """

    def __init__(self, reader, target: Target, folder: Path | None = None, save: bool = False) -> None:
        self.doccount = reader.doc_count_all()
        self.saved = 0
        folder = folder if folder is not None else valuefiles.folder_of(reader)
        segment = getattr(reader, "segment", None)
        name = valuefiles.file_name(segment().segment_id()) if segment is not None and folder is not None else None
        loaded = valuefiles.load(folder / name, self.doccount) if name is not None else None
        if loaded is not None and _complete(loaded, target):
            arrays, vocab = loaded
        else:
            arrays, vocab = _compute(reader, target, self.doccount, lexicons=save)
            if save and name is not None and self.doccount:
                with suppress(OSError):
                    valuefiles.save(folder / name, self.doccount, arrays, vocab)
                    self.saved = 1
        self.columns = {n: (arrays[f"column.{n}"], vocab[n]) for n in target.single}
        self.multi = {n: (arrays[f"offsets.{n}"], arrays[f"codes.{n}"], vocab[n]) for n in target.multi}
        self.direct = arrays["direct"]
        self.days = arrays["days"]
        self.order = arrays["order"]
        self.lexicons = lexicons_of(arrays)  # sorted words per field (absent from files of older versions)


NO_DAY = np.iinfo(np.int32).min  # a document without a usable day number


def _complete(loaded, target: Target) -> bool:
    arrays, vocab = loaded
    names = {"direct", "days", "order", *(f"column.{n}" for n in target.single)}
    names |= {f"{kind}.{n}" for n in target.multi for kind in ("offsets", "codes")}
    return names <= arrays.keys() and all(n in vocab for n in (*target.single, *target.multi))


def _compute(reader, target: Target, doccount: int, lexicons: bool = True) -> tuple[dict[str, np.ndarray], dict[str, list[str]]]:
    """The arrays of ``SegmentValues`` from the segment itself: columns read in bulk, multi-valued
    fields and ``direct`` from their posting lists (deleted documents included, as in the columns),
    and (``lexicons``: for a file, as listing them walks every word) the sorted words of the segment."""
    arrays: dict[str, np.ndarray] = {}
    vocab: dict[str, list[str]] = {}
    for name in target.single:
        codes, values = _column_codes(reader, name, doccount)
        arrays[f"column.{name}"], vocab[name] = codes, values
    for name in target.multi:
        labels, owners, codes = [], [], []
        if name in reader.schema:
            for term in reader.lexicon(name):
                ids = _posting_ids(reader, name, term)
                if not len(ids):
                    continue
                owners.append(ids)
                codes.append(np.full(len(ids), len(labels), dtype=np.int32))
                labels.append(term.decode("utf-8"))
        owner = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)
        code = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int32)
        by_doc = np.argsort(owner, kind="stable")  # a document's values in lexicon order
        arrays[f"codes.{name}"] = code[by_doc]
        arrays[f"offsets.{name}"] = np.concatenate(([0], np.cumsum(np.bincount(owner, minlength=doccount)))).astype(np.int64)
        vocab[name] = labels
    arrays["direct"] = _posting_ids(reader, "direct", b"t") if "direct" in reader.schema else np.zeros(0, dtype=np.int64)
    days = np.full(doccount, NO_DAY, dtype=np.int32)
    if reader.has_column("day"):
        raw = _numbers(reader, "day", doccount)
        usable = (raw > -100_000) & (raw < 1_000_000)
        days[usable] = raw[usable]
    arrays["days"] = days
    arrays["order"] = _day_order(days)
    if lexicons:
        arrays.update(lexicon_arrays(reader))
    return arrays, vocab


def _posting_ids(reader, fieldname: str, btext: bytes) -> np.ndarray:
    """The documents of one term's postings (deleted ones included), decoded as arrays where the format allows."""
    try:
        found = decode(reader, fieldname, btext, False)
    except Unsupported:
        if (fieldname, btext) not in reader:
            return np.zeros(0, dtype=np.int64)
        return np.fromiter(reader.postings(fieldname, btext).all_ids(), dtype=np.int64)
    return found.ids if found is not None else np.zeros(0, dtype=np.int64)


def _day_order(days: np.ndarray) -> np.ndarray:
    dated = np.flatnonzero(days != NO_DAY)
    return dated[np.argsort(days[dated], kind="stable")].astype(np.int64)


def _numbers(reader, name: str, doccount: int) -> np.ndarray:
    """A numeric column as an int64 array: in one read when it is Whoosh's fixed-width ``i`` column."""
    column = reader.column_reader(name, translate=False)
    if isinstance(column, NumericColumn.Reader) and column._typecode == "i" and column._count <= doccount:
        stored = np.frombuffer(bytes(column._dbfile.get(column._basepos, column._count * 4)), dtype=">i4")
        raw = np.full(doccount, column._default, dtype=np.int64)
        raw[: len(stored)] = stored
        return raw
    return np.fromiter(reader.column_reader(name), dtype=np.int64, count=doccount)


def _column_codes(reader, name: str, doccount: int) -> tuple[np.ndarray, list[str]]:
    """Each document's value of a single-valued column as a code into its distinct values ("" when none)."""
    if not reader.has_column(name):
        return np.zeros(doccount, dtype=np.int32), [""]
    values: dict[object, int] = {}
    setdefault = values.setdefault
    codes = np.fromiter((setdefault(v, len(values)) for v in _column_bytes(reader, name)), dtype=np.int32, count=doccount)
    field = reader.schema[name]
    return codes, [field.from_column_value(v) if isinstance(v, bytes) else v for v in values]


def _column_bytes(reader, name: str):
    """A column's raw values in document order: a variable-length column in one read, else one by one."""
    column = reader.column_reader(name, translate=False)
    lengths = getattr(column, "_lengths", None)
    dbfile = getattr(column, "_dbfile", None)
    if not isinstance(column, VarBytesColumn.Reader) or lengths is None or dbfile is None:
        yield from column
        return
    data = bytes(dbfile.get(column._basepos, sum(lengths)))
    position = 0
    for length in lengths:
        yield data[position : position + length]
        position += length


class Caches:
    """What a search needs from one version of an index beyond the searcher: facet values and days per document.

    Immutable once built, and shared by every thread's searcher of that version (document numbers are
    the same for all of them): built once, not once per thread, from its segments' values (``segments``
    returns them, remembered across versions).  Values are codes into one vocabulary per facet, so
    counting a facet over any set of documents is one ``bincount``.
    """

    def __init__(self, reader, segments: Callable[[object], SegmentValues], target: Target) -> None:
        self.doccount = reader.doc_count_all()
        leaves = list(reader.leaf_readers())
        parts = [(segments(leaf), base) for leaf, base in leaves]
        self.columns: dict[str, tuple[np.ndarray, list[str]]] = {}
        for name in target.single:
            vocab, codes = _joined([(p.columns[name][1], p.columns[name][0]) for p, _ in parts])
            self.columns[name] = (codes, vocab)
        self.multi: dict[str, tuple[np.ndarray, np.ndarray, list[str]]] = {}
        for name in target.multi:
            vocab, codes = _joined([(p.multi[name][2], p.multi[name][1]) for p, _ in parts])
            offsets = [parts[0][0].multi[name][0]] if parts else [np.zeros(1, dtype=np.int64)]
            for p, _ in parts[1:]:
                offsets.append(p.multi[name][0][1:] + offsets[-1][-1])
            self.multi[name] = (np.concatenate(offsets), codes, vocab)
        self.direct = np.concatenate([p.direct + base for p, base in parts]) if parts else np.zeros(0, dtype=np.int64)
        self.days = np.concatenate([p.days for p, _ in parts]) if parts else np.zeros(0, dtype=np.int32)
        order = parts[0][0].order if len(parts) == 1 else _day_order(self.days)
        self.sorted_docs = order
        self.sorted_days = self.days[order]
        deleted = np.zeros(self.doccount, dtype=bool)
        for leaf, base in leaves:
            if leaf.has_deletions():
                deleted[np.fromiter(leaf.segment().deleted_docs(), dtype=np.int64) + base] = True
        self.live = Docs(np.flatnonzero(~deleted))  # every document not deleted
        self.deleted = deleted
        # Documents holding one facet value (deletions excluded): filters become intersections.
        # Bounded by the document numbers held, oldest dropped first.
        self.value_docs: LRUCache[tuple[str, object], np.ndarray] = LRUCache(self.VALUE_DOCS_LIMIT, getsizeof=len)
        self.lock = threading.Lock()
        # The words of a field under a prefix, as fuzzy terms and did-you-mean list them (each listing
        # walks Whoosh's term tables in Python: about a second per letter at a million statements).
        self.listings = WordListings([p.lexicons for p, _ in parts])

    VALUE_DOCS_LIMIT = 8_000_000  # document numbers kept in value arrays (64 MB at most)

    def docs_with(self, searcher, field_name: str, value) -> np.ndarray:
        """The live documents whose ``field_name`` holds ``value`` (as Whoosh's Term query finds them), ascending."""
        key = (field_name, value)
        with self.lock:  # an LRU cache reorders itself on every read
            docs = self.value_docs.get(key)
        if docs is None:
            docs = self._with_value(field_name, value)
            if docs is None:
                docs = np.fromiter(searcher.docs_for_query(Q.Term(field_name, value)), dtype=np.int64)
                docs.sort()
            else:
                docs = docs[~self.deleted[docs]]
            docs.flags.writeable = False
            with self.lock, suppress(ValueError):  # an array larger than the whole budget is not kept
                self.value_docs[key] = docs
        return docs

    def _with_value(self, field_name: str, value) -> np.ndarray | None:
        """From the value arrays: a column's or a multi-valued field's documents holding ``value`` (None: ask Whoosh)."""
        if not isinstance(value, str) or not value:
            return None
        if field_name in self.columns:
            codes, vocab = self.columns[field_name]
            return np.flatnonzero(codes == vocab.index(value)) if value in vocab else np.zeros(0, dtype=np.int64)
        if field_name in self.multi:
            offsets, codes, vocab = self.multi[field_name]
            if value not in vocab:
                return np.zeros(0, dtype=np.int64)
            at = np.flatnonzero(codes == vocab.index(value))
            return np.unique(np.searchsorted(offsets, at, side="right") - 1)
        return None

    def live_docs(self, searcher=None) -> Docs:
        return self.live


def _joined(parts: list[tuple[list[str], np.ndarray]]) -> tuple[list[str], np.ndarray]:
    """Segments' codes, each into its own vocabulary, as codes into one vocabulary for them all."""
    if not parts:
        return [""], np.zeros(0, dtype=np.int32)
    if len(parts) == 1:
        return list(parts[0][0]), parts[0][1]
    vocab: dict[str, int] = {}
    joined = []
    for labels, codes in parts:
        remap = np.fromiter((vocab.setdefault(label, len(vocab)) for label in labels), dtype=np.int32, count=len(labels))
        joined.append(remap[codes] if len(codes) else codes.astype(np.int32))
    return list(vocab), np.concatenate(joined)


class View:
    """One thread's searcher over one version of an index, with that version's shared caches."""

    def __init__(self, path: Path, target: Target, caches, weighting) -> None:
        self.path = path
        self.ix = whoosh_index.open_dir(path, indexname=target.indexname)
        self.searcher = self.ix.searcher(weighting=weighting)
        self.checked = time.monotonic()
        # Orders views of one index across threads: generation folders are named by creation time.
        # (an index with no segment yet, as of an archive without a statement, has no generation: -1)
        generation = self.searcher.reader().generation()
        self.version = (path.name, -1 if generation is None else generation)
        self.cache: Caches = caches(target, self.version, self.searcher.reader())

    def filtered(self, config: Target, name: str, values: Sequence[str]) -> Docs:
        """The documents a facet filter lets through: any of ``values`` (from the shared value arrays)."""
        found = [self.cache.docs_with(self.searcher, term.fieldname, term.text) for term in facet_query(config, name, values).subqueries]
        if len(found) == 1:
            return Docs(found[0])
        return Docs(_ascending(np.concatenate(found), self.cache.doccount) if found else np.zeros(0, dtype=np.int64))

    def fresh(self) -> bool:
        """Whether this view still shows the index (checked at most twice a second)."""
        now = time.monotonic()
        if now - self.checked < 0.5:
            return True
        self.checked = now
        return self.searcher.up_to_date()

    def days_between(self, lo: int | None, hi: int | None) -> Docs:
        days = self.cache.sorted_days
        left = 0 if lo is None else int(np.searchsorted(days, lo, side="left"))
        right = len(days) if hi is None else int(np.searchsorted(days, hi, side="right"))
        return Docs(_ascending(self.cache.sorted_docs[left:right], self.cache.doccount))

    def count(self, facet_field: str, docs) -> Counter[str]:
        """How many of ``docs`` have each value of a facet (one gather and one ``bincount``)."""
        ids = as_ids(docs)
        if facet_field == "direct":
            direct = int(np.count_nonzero(member(ids, self.cache.direct)))
            return Counter({"true": direct, "false": len(ids) - direct})
        if facet_field in self.cache.multi:
            offsets, codes, vocab = self.cache.multi[facet_field]
            starts = offsets[ids]
            lengths = offsets[ids + 1] - starts
            held = int(lengths.sum())
            if not held:
                return Counter()
            # the positions of every document's codes: a run per document, each from its start
            runs = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(held)
            counted = np.bincount(codes[runs], minlength=len(vocab))
        else:
            codes, vocab = self.cache.columns[facet_field]
            counted = np.bincount(codes[ids], minlength=len(vocab))
        counts = Counter({vocab[i]: n for i, n in zip(np.flatnonzero(counted).tolist(), counted[counted > 0].tolist())})
        counts.pop("", None)
        return counts

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()


def _ascending(docs: np.ndarray, doccount: int) -> np.ndarray:
    """Distinct document numbers in ascending order: sorted when few, through a mask over every
    document when many (a pass over a million bytes beats sorting a few hundred thousand numbers)."""
    if len(docs) * 16 < doccount:
        return np.unique(docs)
    seen = np.zeros(doccount, dtype=bool)
    seen[docs] = True
    return np.flatnonzero(seen)


def facet_query(config: Target, name: str, values: Sequence[str]) -> Q.Query:
    field_name = config.facets[name]
    if field_name == "direct":
        return Q.Or([Q.Term("direct", v.lower() in ("true", "1", "yes", "t")) for v in values])
    if name == "speaker":
        values = [speaker_key(v) for v in values]
    return Q.Or([Q.Term(field_name, v) for v in values])


def intersect(sets) -> Docs | None:
    """The intersection of the given document sets, smallest first; None stands for no constraint (so may the result)."""
    given = sorted((s for s in sets if s is not None), key=len)
    if not given:
        return None
    ids = as_ids(given[0])
    for other in given[1:]:
        if not len(ids):
            break
        ids = common(ids, as_ids(other))
    return Docs(ids)


def and_all(*queries: Q.Query) -> Q.Query:
    parts = [q for q in queries if not isinstance(q, Q.Every)]
    if not parts:
        return Q.Every()
    return parts[0] if len(parts) == 1 else Q.And(parts)
