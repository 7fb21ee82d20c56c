"""Work-arounds for Whoosh 2.7.4 behaviour we measured, applied once on import of ``index``.

1. ``W3PerDocReader._cached_reader`` does not remember that a field has *no* length column (fields
   that are not scorable), so every posting of such a field costs a ``stat()`` of the segment's
   files while indexing: 40% of a rebuild's time in our measurements.  Remember the absence too.
2. ``W3LeafMatcher.skip_to`` steps through a block one posting at a time (``id()``, ``next()``) to
   reach its target; intersections (two words, phrases) spend most of their time there at a million
   statements (5.4M ``id()`` calls for 60 phrase queries).  A block's ids are sorted: bisect them.
3. ``BufferFile`` (a file inside a segment's compound file, read through ``mmap``) wraps its memory
   in ``BytesIO``, which copies it: every reader that opens copies each segment's term and posting
   files (83 ms per file and hundreds of MB per searcher at a million statements; every thread's
   searcher opens one, and so does every ``delete_by_term`` not given a searcher).  Read the mapped
   memory in place instead, with ``peek`` so that ``pickle.load`` reads a block header in one call.
4. ``W3PerDocReader.doc_field_length`` reads a length byte through three layers of column readers for
   every posting the writer writes (its ``add_postings`` asks for each posting's field length): a
   tenth of a build.  A segment's lengths never change: read each field's bytes once per reader.
"""

from __future__ import annotations

from bisect import bisect_left

from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.filedb import structfile
from whoosh.matching import ReadTooFar
from whoosh.util.numeric import byte_to_length

_ABSENT = object()


def _cached_reader(self, fieldname, column):
    reader = self._readers.get(fieldname, None)
    if reader is _ABSENT:
        return None
    if reader is not None:
        return reader
    if not self.has_column(fieldname):
        self._readers[fieldname] = _ABSENT
        return None
    reader = self._readers[fieldname] = self.column_reader(fieldname, column)
    return reader


_NO_LENGTH = [byte_to_length(b) if b else None for b in range(256)]  # byte 0: no length (Whoosh returns None)


def _doc_field_length(self, docnum, fieldname, default=0):
    """A document's field length, from the field's length bytes read once per reader (as Whoosh's own)."""
    if docnum > self._doccount:
        raise IndexError("Asked for docnum %r of %d" % (docnum, self._doccount))
    table = self.__dict__.setdefault("_length_tables", {})
    lengths = table.get(fieldname)
    if lengths is None:
        reader = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if reader is None:
            return default
        lengths = table[fieldname] = list(map(_NO_LENGTH.__getitem__, reader))
    return lengths[docnum]


def _skip_to(self, targetid):
    """Move to the first posting with an id >= ``targetid`` (as Whoosh's own, without the walk)."""
    if not self.is_active():
        raise ReadTooFar
    if targetid <= self.id():
        return
    while self.is_active() and targetid > self._maxid:  # whole blocks whose ids all fall short
        self._next_block()
    if self.is_active():  # this block's last id reaches the target
        if self._ids is None:
            self._read_ids()
        self._i = bisect_left(self._ids, targetid, self._i)


class _MemoryReader:
    """A read-only file over a ``memoryview``: what ``BufferFile`` reads through, without a copy."""

    __slots__ = ("_buf", "_pos")
    PEEK = 1024  # pickled block headers are a few hundred bytes; more is copied for nothing

    def __init__(self, buf) -> None:
        self._buf = buf
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        start, total = self._pos, len(self._buf)
        end = total if size is None or size < 0 else min(total, start + size)
        self._pos = max(start, end)
        return bytes(self._buf[start:end])

    def peek(self, size: int = 0) -> bytes:
        """Up to ``PEEK`` bytes ahead, without moving: pickle's loader peeks once and then reads what it
        used, where without ``peek`` it reads opcode by opcode (800k calls for 60 searches)."""
        start = self._pos
        return bytes(self._buf[start : start + min(max(size, 1), self.PEEK)])

    def readline(self, size: int | None = -1) -> bytes:
        start, total = self._pos, len(self._buf)
        limit = total if size is None or size < 0 else min(total, start + size)
        end = start
        while end < limit:
            chunk = bytes(self._buf[end : min(limit, end + 256)])
            newline = chunk.find(b"\n")
            if newline != -1:
                end += newline + 1
                break
            end += len(chunk)
        self._pos = end
        return bytes(self._buf[start:end])

    def __iter__(self):
        line = self.readline()
        while line:
            yield line
            line = self.readline()

    def seek(self, offset: int, whence: int = 0) -> int:
        base = 0 if whence == 0 else self._pos if whence == 1 else len(self._buf)
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._buf = b""


def _buffer_file_init(self, buf, name=None, onclose=None):
    self._buf = buf
    self._name = name
    self.file = _MemoryReader(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


def apply() -> None:
    structfile.BufferFile.__init__ = _buffer_file_init
    whoosh3.W3PerDocReader._cached_reader = _cached_reader
    whoosh3.W3PerDocReader.doc_field_length = _doc_field_length
    whoosh3.W3LeafMatcher.skip_to = _skip_to
