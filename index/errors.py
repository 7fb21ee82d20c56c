"""Why the index cannot answer: exceptions the web layer turns into 503, the CLI into a message."""

from __future__ import annotations

REPAIR = "run 'parley reindex' to rebuild it from the archive"


class IndexUnavailable(RuntimeError):
    """The archive has articles but no usable search index: none yet, an older version, or a damaged one."""


class IndexerGone(RuntimeError):
    """An ingest's indexing process ended before its work did: what it had not committed stays listed as
    unindexed in the store, for the next ingest (or serve) to index."""


class SearchTimeout(RuntimeError):
    """A search ran past its time budget and was stopped, so that no request holds a thread for long."""

    def __init__(self, budget: float) -> None:
        super().__init__(
            f"the search took longer than its budget of {budget:g} seconds and was stopped: "
            "narrow the query (fewer fuzzy terms, wildcards or ranges, more letters before * and ~, or a filter)"
        )
        self.budget = budget
