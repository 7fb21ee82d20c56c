"""Ranking: Whoosh's BM25F with document lengths read from memory, and a one-pass ranking collector.

At a million statements a one-word query matches tens of thousands of them, and Whoosh scores every
match (block-quality skipping rarely applies to short documents: profiled, 2.07M of 2.1M matches
were scored).  Two thirds of each score went to reading the document's field length through three
layers of column readers.  The lengths of a segment never change once it is written, so they are
read once per segment and field into an array, and BM25F looks them up there: the same numbers, the
same scores, a fraction of the work.
"""

from __future__ import annotations

import threading
from array import array

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.collectors import TopCollector
from whoosh.columns import NumericColumn
from whoosh.scoring import BM25F, WeightLengthScorer
from whoosh.util.numeric import byte_to_length

_BYTE_TO_LENGTH = [byte_to_length(b) if b else 1 for b in range(256)]  # 0: no length kept; Whoosh's default is 1
_LENGTH_TABLE = np.array(_BYTE_TO_LENGTH, dtype=np.uint32)


class Lengths:
    """Field lengths per (segment, field), read once; shared by every thread's searcher."""

    LIMIT = 64  # arrays kept (segments x scored fields); the oldest goes first

    def __init__(self) -> None:
        self._arrays: dict[tuple[str, str], array | None] = {}
        self._lock = threading.Lock()

    def of(self, reader, fieldname: str) -> array | None:
        """The lengths of ``fieldname`` in a segment's reader, by segment docnum (None if not available)."""
        segment = getattr(reader, "segment", None)
        perdoc = getattr(reader, "_perdoc", None)
        if segment is None or perdoc is None:
            return None
        key = (segment().segment_id(), fieldname)
        lengths = self._arrays.get(key, False)
        if lengths is False:
            column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            lengths = None if column is None else _decoded(column, reader.doc_count_all())
            with self._lock:
                while len(self._arrays) >= self.LIMIT:
                    self._arrays.pop(next(iter(self._arrays)))
                self._arrays[key] = lengths
        return lengths


def _decoded(column, doccount: int) -> array:
    """A length column's bytes as lengths: in one read when it is Whoosh's fixed-width column, else byte by byte."""
    if isinstance(column, NumericColumn.Reader) and column._typecode == "B" and column._count <= doccount:
        stored = np.frombuffer(bytes(column._dbfile.get(column._basepos, column._count)), dtype=np.uint8)
        codes = np.full(doccount, column._default, dtype=np.uint8)
        codes[: len(stored)] = stored
        lengths = array("I")
        lengths.frombytes(_LENGTH_TABLE[codes].tobytes())
        return lengths
    return array("I", map(_BYTE_TO_LENGTH.__getitem__, column))


class BM25FMemory(BM25F):
    """BM25F whose scorers look document lengths up in ``Lengths`` instead of the segment's columns."""

    def __init__(self, lengths: Lengths, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lengths = lengths

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, WeightLengthScorer):
            lengths = self.lengths.of(searcher.reader(), fieldname)
            if lengths is not None:
                scorer.dfl = lengths.__getitem__
        return scorer


class RankAndNote(TopCollector):
    """Ranks the best ``limit`` matches within ``allowed`` (None: all) and notes every match on the way.

    A search needs both the page and the exact set of matches (total, facets, histogram); Whoosh's
    way is two passes over the matcher, which for phrases means decoding positions twice.  Every match
    is visited, so no block-quality skipping and no matcher replacement (either could skip matches).
    """

    def __init__(self, limit: int, allowed: set[int] | None) -> None:
        super().__init__(limit=limit, usequality=False, replace=0)
        self.allowed = allowed
        self.noted: list[int] = []

    def collect_matches(self):
        offset, noted, allowed, collect = self.offset, self.noted, self.allowed, self.collect
        for sub_docnum in self.matches():
            docnum = offset + sub_docnum
            noted.append(docnum)
            if allowed is None or docnum in allowed:
                collect(sub_docnum)
