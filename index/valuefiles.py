"""A segment's facet values and days as arrays in one file beside the segment, read by memory mapping.

Reading them from Whoosh means a Python call per document and column (a cold process needed 10 s at
a million statements before its first answer); the same arrays mapped from a file cost a few
milliseconds, and processes share their pages through the page cache.

A segment never changes once written (deletions are kept apart), so its file is keyed by the
segment's name: ``<index>_<segment id>.values``.  That name matches Whoosh's own pattern for a
segment's files, so Whoosh's clean-up after each commit deletes it with its segment.  The file is
written whole to a temporary name and renamed into place; a file that is missing, truncated or of
another format version is ignored (the reader computes the arrays from the segment instead).

Layout: 8 magic bytes, a little-endian u32 header length, a JSON header (document count, each
array's dtype, shape and offset, the vocabularies), then the arrays, each at a 64-byte boundary.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
from contextlib import suppress
from pathlib import Path

import numpy as np

from index import residency

MAGIC = b"PRLYVAL1"
FORMAT = 1
SUFFIX = "values"
_ALIGN = 64
_LENGTH = struct.Struct("<I")


def file_name(segment_id: str) -> str:
    """``segment_id`` is Whoosh's ``<index>_<random>``; the file is ``<index>_<random>.values``."""
    return f"{segment_id}.{SUFFIX}"


def save(path: Path, doccount: int, arrays: dict[str, np.ndarray], vocab: dict[str, list[str]]) -> None:
    """Write the arrays and vocabularies of one segment to ``path`` (atomically: whole or not at all)."""
    header: dict = {"format": FORMAT, "doccount": doccount, "arrays": {}, "vocab": vocab}
    offset = 0
    layout = []
    for name, array in arrays.items():
        array = np.ascontiguousarray(array)
        offset = -(-offset // _ALIGN) * _ALIGN
        header["arrays"][name] = [array.dtype.str, list(array.shape), offset]
        layout.append((offset, array))
        offset += array.nbytes
    head = json.dumps(header, ensure_ascii=False).encode("utf-8")
    start = -(-(len(MAGIC) + _LENGTH.size + len(head)) // _ALIGN) * _ALIGN  # where the arrays begin
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as out:
            out.write(MAGIC + _LENGTH.pack(len(head)) + head)
            written = len(MAGIC) + _LENGTH.size + len(head)
            for at, array in layout:
                out.write(b"\0" * (start + at - written))
                out.write(array.tobytes())
                written = start + at + array.nbytes
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def load(path: Path, doccount: int) -> tuple[dict[str, np.ndarray], dict[str, list[str]]] | None:
    """The arrays (read-only views of the mapped file) and vocabularies in ``path``, or None when the file
    is missing or not one this version wrote for a segment of ``doccount`` documents."""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size < len(MAGIC) + _LENGTH.size:
                return None
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (FileNotFoundError, PermissionError, ValueError):
        return None
    residency.register(mapped)
    try:
        if mapped[: len(MAGIC)] != MAGIC:
            return None
        (length,) = _LENGTH.unpack_from(mapped, len(MAGIC))
        begin = len(MAGIC) + _LENGTH.size
        header = json.loads(mapped[begin : begin + length].decode("utf-8"))
        if header.get("format") != FORMAT or header.get("doccount") != doccount:
            return None
        start = -(-(begin + length) // _ALIGN) * _ALIGN
        arrays = {}
        for name, (dtype, shape, offset) in header["arrays"].items():
            count = int(np.prod(shape)) if shape else 1
            if start + offset + count * np.dtype(dtype).itemsize > size:
                return None  # truncated
            arrays[name] = np.frombuffer(mapped, dtype=dtype, count=count, offset=start + offset).reshape(shape)
        return arrays, header["vocab"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None


def folder_of(reader) -> Path | None:
    """The folder holding a segment reader's files (a compound segment reads through an overlay)."""
    storage = getattr(reader, "_storage", None)
    for candidate in (storage, getattr(storage, "b", None)):
        folder = getattr(candidate, "folder", None)
        if folder:
            return Path(folder)
    return None


PARALLEL_FROM = 200_000  # documents; below this, starting a process per segment costs more than it saves


def write_missing(generation: Path, procs: int | None = None, min_docs: int = 1) -> int:
    """Write the value and postings files (``index.postingfiles``) of every segment of at least
    ``min_docs`` documents in the index generation at ``generation`` that lacks them (or holds one that
    cannot be read) (a rebuild calls this before swapping the generation in, an update after its
    commit); returns how many files were written.  A large index's segments are written by a process each
    (up to ``procs``, every core by default).

    Best effort: a file that cannot be written is computed (values) or decoded (postings) by the
    searchers instead."""
    from whoosh import index as whoosh_index

    from index.segments import TARGET_CONFIG

    tasks: list[tuple[str | None, str, int]] = []  # (index name, segment id, documents)
    for name, target in TARGET_CONFIG.items():
        try:
            ix = whoosh_index.open_dir(generation, indexname=target.indexname)
        except Exception:  # noqa: BLE001 - no such index in this generation: nothing to write
            continue
        with ix.reader() as reader:
            for leaf, _base in reader.leaf_readers():
                segment = getattr(leaf, "segment", None)
                if segment is not None and leaf.doc_count_all() >= max(min_docs, 1):
                    tasks.append((name, segment().segment_id(), leaf.doc_count_all()))
        ix.close()
    procs = min(procs or os.cpu_count() or 1, len(tasks))
    if procs > 1 and sum(docs for _, _, docs in tasks) >= PARALLEL_FROM:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        tasks.sort(key=lambda task: -task[2])  # the largest first, so that the processes finish together
        with ProcessPoolExecutor(procs, mp_context=multiprocessing.get_context("spawn")) as pool:
            return sum(pool.map(_write_segment, [generation] * len(tasks), [t[0] for t in tasks], [t[1] for t in tasks]))
    return sum(_write_segment(generation, name, segment_id) for name, segment_id, _ in tasks)


def _write_segment(generation: Path, target_name: str, segment_id: str) -> int:
    """Write the missing files of one segment; how many were written."""
    from whoosh import index as whoosh_index

    from index import postingfiles
    from index.segments import TARGET_CONFIG, SegmentValues

    target = TARGET_CONFIG[target_name]
    written = 0
    ix = whoosh_index.open_dir(generation, indexname=target.indexname)
    with ix.reader() as reader:
        for leaf, _base in reader.leaf_readers():
            if leaf.segment().segment_id() != segment_id:
                continue
            # (a file that is there but cannot be read is written again)
            written += SegmentValues(leaf, target, folder=generation, save=True).saved
            postings = generation / postingfiles.file_name(segment_id)
            if target.indexname is None and load(postings, leaf.doc_count_all()) is None:
                with suppress(OSError):
                    written += postingfiles.write(leaf, postings)
    ix.close()
    return written


if __name__ == "__main__":  # python -m index.valuefiles HOME: write the files an older index lacks
    import sys

    from index import integrity, postingfiles
    from index.writing import current_path, write_lock

    for home in sys.argv[1:]:
        with write_lock(home):  # no ingest merges segments away meanwhile
            path = current_path(home)
            print(f"{home}: {write_missing(path) if path is not None else 'no index'} file(s) written")
            if path is not None:  # their checksums, for verify (a damaged file may have been written again)
                integrity.record(path, rewritten=(f".{SUFFIX}", f".{postingfiles.SUFFIX}"))
