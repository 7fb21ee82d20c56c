"""Readers: turn files, folders and standard input into articles, one reader per format.

``read_inputs(paths)`` walks the given paths (folders recursively, ``-`` for standard input) and
yields one ``ReadResult`` per input, or a ``ReadError`` saying why an input was rejected; it never
raises for a bad input, so a batch goes on.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from archive.names import storable
from archive.readers.base import Reader, ReadError, ReadResult
from archive.readers.feed import FeedReader
from archive.readers.html import HtmlReader
from archive.readers.jsonl import JsonReader
from archive.readers.text import TextReader

__all__ = ["ReadError", "ReadResult", "Reader", "READERS", "DEFAULT_MAX_BYTES", "read_bytes", "read_path", "read_inputs"]

READERS: tuple[Reader, ...] = (FeedReader(), HtmlReader(), JsonReader(), TextReader())
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
STDIN = "-"


def reader_for(source: str, head: bytes) -> Reader:
    """The reader for an input: by suffix, else by sniffing its first bytes, else plain text."""
    suffix = Path(source).suffix.lower()
    for reader in READERS:
        if suffix in reader.suffixes:
            return reader
    if suffix and source != STDIN:
        raise ReadError(source, f"unknown file type {suffix!r}: Parley reads {', '.join(supported_suffixes())}")
    for reader in READERS:
        if reader.sniff(head):
            return reader
    return _TEXT


def supported_suffixes() -> list[str]:
    return [suffix for reader in READERS for suffix in reader.suffixes]


def read_bytes(data: bytes, source: str) -> ReadResult:
    """Read one input's bytes with the reader its name or content calls for."""
    return reader_for(source, data[:1024].lstrip()).read(data, source)


def read_path(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES) -> ReadResult:
    """Read one file (or ``-``).  Raises ReadError for anything that cannot be read as articles."""
    source = os.fspath(path)
    data = _read_limited(source, max_bytes)
    try:
        result = read_bytes(data, source)
    except ReadError:
        raise
    except RecursionError:
        raise ReadError(source, "nested too deeply to read") from None
    except Exception as error:  # a reader bug must not stop a batch: report it as this input's reason
        raise ReadError(source, f"cannot read ({type(error).__name__}: {error})") from None
    if source != STDIN:
        absolute = storable(str(Path(source).resolve()))
        result.articles = [a if a.path else a.with_metadata(path=absolute) for a in result.articles]
    return result


def read_inputs(paths: Iterable[str | os.PathLike[str]], max_bytes: int = DEFAULT_MAX_BYTES, follow_links: bool = False) -> Iterator[ReadResult | ReadError]:
    """Each input's result, or the error that rejected it; folders are walked recursively in name order."""
    for source in iter_sources(paths, follow_links):
        if isinstance(source, ReadError):
            yield source
            continue
        try:
            yield read_path(source, max_bytes)
        except ReadError as error:
            yield error


def iter_sources(paths: Iterable[str | os.PathLike[str]], follow_links: bool = False) -> Iterator[str | ReadError]:
    """Files to read, in order: each path given, folders expanded (hidden files skipped, symlink loops cut).

    Inside a folder, a symbolic link whose target lies outside that folder is not followed unless
    ``follow_links``: ingesting ``feed/`` must not publish ``/etc/passwd`` through ``feed/x.txt``.
    """
    for path in paths:
        source = os.fspath(path)
        if source == STDIN:
            yield STDIN
        elif os.path.isdir(source):
            yield from _walk(source, follow_links)
        elif os.path.lexists(source) and not os.path.exists(source):
            yield ReadError(source, "broken symbolic link")
        elif not os.path.exists(source):
            yield ReadError(source, "no such file or folder")
        else:
            yield source


def _walk(folder: str, follow_links: bool = False) -> Iterator[str | ReadError]:
    root = os.path.realpath(folder)
    seen: set[tuple[int, int]] = set()
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            info = os.stat(current)
        except OSError as error:
            yield ReadError(current, f"cannot open folder: {error.strerror}")
            continue
        key = (info.st_dev, info.st_ino)
        if key in seen:
            yield ReadError(current, "folder already visited (symbolic link loop): skipped")
            continue
        seen.add(key)
        try:
            entries = sorted(os.scandir(current), key=lambda entry: entry.name)
        except OSError as error:
            yield ReadError(current, f"cannot list folder: {error.strerror}")
            continue
        folders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if not follow_links and entry.is_symlink() and os.path.exists(entry.path) and not _inside(os.path.realpath(entry.path), root):
                yield ReadError(entry.path, "symbolic link to a file outside the folder: not followed (--follow-links reads it)")
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                folders.append(entry.path)
            elif os.path.lexists(entry.path) and not os.path.exists(entry.path):
                yield ReadError(entry.path, "broken symbolic link")
            else:
                yield entry.path
        stack.extend(reversed(folders))


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _read_limited(source: str, max_bytes: int) -> bytes:
    try:
        if source == STDIN:
            data = sys.stdin.buffer.read(max_bytes + 1)
        else:
            if not os.path.isfile(source):
                raise ReadError(source, "not a regular file")
            with open(source, "rb") as handle:
                # Asked for max_bytes + 1 at once, read() allocates that much (20 MB) for every small file.
                size = os.fstat(handle.fileno()).st_size
                data = handle.read(min(size, max_bytes) + 1)
                if len(data) == size + 1 and size < max_bytes:  # it grew while we read: read on to the limit
                    data += handle.read(max_bytes - len(data) + 1)
    except PermissionError:
        raise ReadError(source, "permission denied: cannot read this file") from None
    except OSError as error:
        raise ReadError(source, f"cannot read: {error.strerror or error}") from None
    if len(data) > max_bytes:
        raise ReadError(source, f"too large: over the {max_bytes:,}-byte limit (raise it with --max-bytes)")
    return data


_TEXT = TextReader()
