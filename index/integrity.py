"""Whether an index generation can be read: checksums of its files and a full read of every segment.

Whoosh keeps no checksums, so a flipped byte in a segment is read as garbage or fails deep inside a
search.  Segment files never change once written, so each commit records the SHA-256 of every new
one in the generation's ``SUMS`` file; ``damage`` compares them and then reads what searches read
(every posting list, stored document, field length and column), saying in words what failed.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import warnings
from pathlib import Path

from whoosh import index as whoosh_index

SUMS = "SUMS"
# Whoosh's segment and table-of-contents files, and the arrays mapped beside each segment
# (index.valuefiles, index.postingfiles): a flipped byte in those parses and gives wrong counts.
CHECKED_SUFFIXES = (".seg", ".toc", ".values", ".postings")


def _files(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.suffix in CHECKED_SUFFIXES)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_sums(path: Path) -> dict[str, str]:
    try:
        return json.loads((path / SUMS).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def record(path: Path, rewritten: tuple[str, ...] = ()) -> None:
    """Add the checksums of files new since the last record and forget deleted ones (hold the write lock).

    ``rewritten``: suffixes of files that may have been written again since (their sums are taken afresh)."""
    sums = read_sums(path)
    present = {p.name: p for p in _files(path)}
    updated = {name: (None if file.suffix in rewritten else sums.get(name)) or _sha256(file) for name, file in present.items()}
    tmp = path / f"{SUMS}.tmp"
    tmp.write_text(json.dumps(updated, sort_keys=True), encoding="utf-8")
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path / SUMS)


def damage(path: Path, indexnames: tuple[str | None, ...], *, deep: bool = True) -> list[str]:
    """What in the generation at ``path`` cannot be read, in words (empty: all of it reads).

    ``deep=False`` checks the checksums and opens each index without reading every segment through:
    seconds rather than minutes on a large index, for a server deciding between a 500 and a 503."""
    problems = []
    for name, expected in read_sums(path).items():
        try:
            actual = _sha256(path / name)
        except FileNotFoundError:
            continue  # merged away by a commit since the record
        if actual != expected:
            problems.append(f"{name} is damaged: its checksum differs from the one recorded when it was written")
    for indexname in indexnames:
        label = indexname or "statements"
        try:
            ix = whoosh_index.open_dir(path, indexname=indexname or whoosh_index._DEF_INDEX_NAME)
            with ix.reader() as reader:
                for leaf, _offset in reader.leaf_readers() if deep else ():
                    _read_segment(leaf)
        except Exception as error:  # any failure to read is damage, whatever Whoosh raised
            problems.append(f"the {label} index cannot be read ({type(error).__name__}: {str(error)[:200]})")
            forget_open_files(error)
    return problems


def forget_open_files(error: BaseException | None = None) -> None:
    """Close the files Whoosh left open when reading failed half-way (it does not close them itself).

    They are only reachable from the failure's traceback: drop it (and its causes'), then collect.
    """
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        error.__traceback__ = None
        error = error.__cause__ or error.__context__
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def _read_segment(reader) -> None:
    """Touch every byte a search can touch: postings, stored fields, lengths and columns."""
    schema = reader.schema
    for fieldname, text in reader.all_terms():
        if schema[fieldname].format is not None:
            reader.postings(fieldname, text).all_ids()
    for docnum in reader.all_doc_ids():
        reader.stored_fields(docnum)
        for fieldname in reader.indexed_field_names():
            if schema[fieldname].scorable:
                reader.doc_field_length(docnum, fieldname)
    for fieldname in schema.names():
        if schema[fieldname].column_type and reader.has_column(fieldname):
            list(reader.column_reader(fieldname))
