"""A segment's column values, taken document by document by ``index.segment_builder`` and given to Whoosh's
column writers in runs: the bytes and writer state each writer reaches when given each value in turn
(``W3PerDocWriter.add_column_value``), at one write per run instead of a few calls per value."""

from __future__ import annotations

from array import array
from itertools import accumulate
from struct import Struct

from whoosh import columns

from index.posting_blocks import extend

RUN = 4096  # values held per column before they go to its writer (values are objects: memory stays small)


class ColumnValues:
    """One column's values not yet written: the documents that had one (ascending) and their field values."""

    __slots__ = ("field", "writer", "docs", "values")

    def __init__(self, field, writer) -> None:
        self.field = field
        self.writer = writer
        self.docs = array("I")
        self.values: list = []

    def flush(self) -> None:
        """Give the writer every value held, as its ``add`` would take them one by one."""
        docs, writer = self.docs, self.writer
        if not docs:
            return
        values = list(map(self.field.to_column_value, self.values))
        # No gap between documents, none written before them (Numeric writers leave trailing defaults out).
        runs_on = docs[-1] - docs[0] == len(docs) - 1 and docs[0] >= writer._count
        if runs_on and type(writer) is columns.VarBytesColumn.Writer:
            _var_bytes(writer, docs[0], values)
        elif runs_on and type(writer) is columns.NumericColumn.Writer:
            _numbers(writer, docs[0], values)
        else:
            for docnum, value in zip(docs, values):
                writer.add(docnum, value)
        self.docs = array("I")
        self.values = []


def _var_bytes(writer: columns.VarBytesColumn.Writer, first: int, values: list[bytes]) -> None:
    """``add`` for documents ``first``, ``first`` + 1…: the documents skipped before take length 0 (``fill``),
    then the values end to end, and per document its length and offset."""
    base = writer._offset_base
    skipped = first - writer._count
    lengths = [0] * skipped + list(map(len, values))
    offsets = list(accumulate(lengths[skipped:], initial=base))
    writer._dbfile.write(b"".join(values))
    extend(writer._lengths, lengths)
    extend(writer._offsets, [base] * skipped + offsets[:-1])
    writer._offset_base = offsets[-1]
    writer._count = first + len(values)


def _numbers(writer: columns.NumericColumn.Writer, first: int, values: list) -> None:
    """``add`` for documents ``first``, ``first`` + 1…: a value equal to the default is not written, but the
    defaults before a later value are (``fill``); so the column holds every document up to the last one
    off the default."""
    default = writer._default
    end = len(values)
    while end and values[end - 1] == default:
        end -= 1
    if not end:
        return
    shape = writer._pack.__self__.format  # "!" and the type code
    numbers = [default] * (first - writer._count) + [default if value == default else value for value in values[:end]]
    writer._dbfile.write(Struct(f"{shape[0]}{len(numbers)}{shape[1:]}").pack(*numbers))
    writer._count = first + end
