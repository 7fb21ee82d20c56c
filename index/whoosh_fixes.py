"""Work-arounds for Whoosh 2.7.4 behaviour we measured, applied once on import of ``index``.

1. ``W3PerDocReader._cached_reader`` does not remember that a field has *no* length column (fields
   that are not scorable), so every posting of such a field costs a ``stat()`` of the segment's
   files while indexing: 40% of a rebuild's time in our measurements.  Remember the absence too.
"""

from __future__ import annotations

from whoosh.codec import whoosh3

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


def apply() -> None:
    whoosh3.W3PerDocReader._cached_reader = _cached_reader
