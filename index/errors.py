"""Why the index cannot answer: exceptions the web layer turns into 503, the CLI into a message."""

from __future__ import annotations

REPAIR = "run 'parley reindex' to rebuild it from the archive"


class IndexUnavailable(RuntimeError):
    """The archive has articles but no usable search index: none yet, an older version, or a damaged one."""
