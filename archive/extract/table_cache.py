"""A per-user cache of tables built from data files: a new process reads a table instead of building it.

A *table* is plain data (dicts, lists, tuples, sets, strings, numbers, None) that a builder makes
from data files, such as the gazetteer's names.  It is written with :mod:`marshal`, which reads
back plain data many times faster than the builder makes it, under a name that hashes everything
it was built from: the bytes of the source files (the builder's own module among them), the
versions of the packages it reads, Python's version (marshal's format may change between versions)
and :data:`FORMAT`.  A change to any of them names another file, so the table is built again.  The
newest :data:`KEEP` files of a table are kept, so that two installs of different versions side by
side do not rebuild each other's table on every start.

The cache is only ever a shortcut.  A missing, unreadable or corrupt file, or a folder that cannot
be written, means the table is built in memory as if there were no cache; nothing here raises.

Where: ``PARLEY_CACHE_DIR`` if set (an empty value turns the cache off), else
``$XDG_CACHE_HOME/parley``, else ``~/.cache/parley``.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

__all__ = ["FORMAT", "KEEP", "cache_dir", "cached", "table_key"]

# Raised whenever the layout of the cache files (not of one table) changes.
FORMAT = 1
KEEP = 4  # files kept per table name; older ones are removed when a new one is written
_MAGIC = b"parley-table\n"


def cache_dir() -> Path | None:
    """The cache folder, or None when ``PARLEY_CACHE_DIR`` is set empty (no cache)."""
    configured = os.environ.get("PARLEY_CACHE_DIR")
    if configured is not None:
        return Path(configured).expanduser() if configured.strip() else None
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "parley"


def table_key(sources: Iterable[Path], versions: Iterable[str] = ()) -> str:
    """A hash of what a table is built from: the source files' bytes and the given version strings."""
    digest = hashlib.sha256(f"{FORMAT} {sys.version_info[:2]} {marshal.version}".encode())
    for version in versions:
        digest.update(b"\0version\0" + version.encode())
    for path in sources:
        digest.update(b"\0file\0" + Path(path).name.encode() + b"\0")
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:24]


def cached(name: str, key: str, build: Callable[[], Any], folder: Path | None = None) -> Any:
    """The table ``name`` built from what ``key`` hashes: read from the cache, else built and written there.

    ``folder`` defaults to :func:`cache_dir`.
    """
    folder = cache_dir() if folder is None else folder
    if folder is None:
        return build()
    path = folder / f"{name}-{key}.marshal"
    table = _read(path)
    if table is not None:
        return table
    table = build()
    _write(folder, name, path, table)
    return table


def _read(path: Path) -> Any:
    """The table in ``path``, or None if there is none or it is not a whole cache file."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    header = len(_MAGIC) + 8
    if not data.startswith(_MAGIC) or len(data) < header:
        return None
    size = int.from_bytes(data[len(_MAGIC) : header], "little")
    if size != len(data) - header:
        return None  # cut short or grown: not written by _write
    try:
        return marshal.loads(memoryview(data)[header:])
    except (EOFError, ValueError, TypeError):
        return None


def _write(folder: Path, name: str, path: Path, table: Any) -> None:
    """Write ``table`` to ``path`` whole (a temporary file renamed over it); keep the newest :data:`KEEP` of ``name``."""
    try:
        payload = marshal.dumps(table)
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{name}-", delete=False) as fh:
            temporary = Path(fh.name)
            try:
                fh.write(_MAGIC + len(payload).to_bytes(8, "little") + payload)
            except BaseException:
                fh.close()
                temporary.unlink(missing_ok=True)
                raise
        os.replace(temporary, path)
        versions = sorted(folder.glob(f"{name}-*.marshal"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in versions[KEEP:]:
            old.unlink(missing_ok=True)
    except (OSError, ValueError):
        return  # a read-only or full disk, or a table marshal cannot write: the table stays in memory only
