"""Where the archive lives by default, and the seed articles a new archive starts with."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from archive.ingest import ingest
from archive.store import DB_NAME, Store
from index.backend import SearchBackend, finish_pending


def default_home() -> Path:
    """``$PARLEY_HOME``, else the Flask instance folder of the ``web`` package."""
    if os.environ.get("PARLEY_HOME"):
        return Path(os.environ["PARLEY_HOME"])
    from flask import Flask

    return Path(Flask("web").instance_path)


def seeds_folder() -> Path | None:
    """The shipped ``seeds/`` folder: beside the packages in a checkout, or under ``share/parley``."""
    for candidate in (Path(__file__).resolve().parents[1] / "seeds", Path(sys.prefix) / "share" / "parley" / "seeds"):
        if candidate.is_dir():
            return candidate
    return None


def seed_if_empty(home: str | os.PathLike[str], backend: SearchBackend) -> int:
    """Ingest (and index) the seed articles into an archive that has none; returns how many were added."""
    folder = seeds_folder()
    with Store(home) as store:
        if folder is None or store.stats()["articles"]:
            return 0
        finish_pending(backend, store)
        feeder = backend.feeder(store)
        added = len(ingest([folder], store, on_added=feeder).added)
        feeder.flush()
        return added


def needs_index(home: str | os.PathLike[str], backend: SearchBackend) -> bool:
    """Whether the archive has articles but no usable index (none yet, or one of an older version)."""
    if not (Path(home) / DB_NAME).exists():
        return False
    with Store(home, readonly=True) as store:
        return not backend.ready() and bool(store.stats()["articles"])


def ensure_index(home: str | os.PathLike[str], backend: SearchBackend) -> bool:
    """Build the search index if the archive has articles but no index yet, else index what a stopped
    ingest left stored but unindexed; True if anything was indexed."""
    with Store(home) as store:
        if backend.ready() or not store.stats()["articles"]:
            return bool(finish_pending(backend, store))
        backend.rebuild(store)
        return True


__all__ = ["DB_NAME", "default_home", "seeds_folder", "seed_if_empty", "needs_index", "ensure_index"]
