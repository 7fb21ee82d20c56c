"""Our work-arounds for Whoosh 2.7.4 behave exactly as the code they replace."""

from __future__ import annotations

import random

import pytest
from whoosh import index as whoosh_index
from whoosh.codec import whoosh3
from whoosh.fields import ID, TEXT, Schema
from whoosh.matching import ReadTooFar

import index  # noqa: F401 - applies the fixes
from index import whoosh_fixes


def walking_skip_to(self, targetid):
    """Whoosh 2.7.4's own W3LeafMatcher.skip_to, verbatim in behaviour."""
    if not self.is_active():
        raise ReadTooFar
    if targetid <= self.id():
        return
    block_max_id = self.block_max_id
    if targetid > block_max_id():
        self._skip_to_block(lambda: targetid > block_max_id())
    while self.is_active() and self.id() < targetid:
        self.next()


@pytest.fixture(scope="module")
def postings(tmp_path_factory):
    """A term in 1,500 of 3,000 documents, over several 128-posting blocks and two segments."""
    path = tmp_path_factory.mktemp("ix")
    ix = whoosh_index.create_in(path, Schema(id=ID(stored=True), text=TEXT))
    picked = random.Random(5)
    for part in range(2):
        writer = ix.writer()
        for n in range(1500):
            writer.add_document(id=f"{part}-{n}", text="alpha beta" if picked.random() < 0.5 else "beta")
        writer.commit(merge=False)
    return ix


def positions(ix, skip_to, targets):
    seen = []
    with ix.searcher() as searcher:
        for reader in [r for r, _ in searcher.reader().leaf_readers()]:
            matcher = reader.postings("text", "alpha")
            for target in targets:
                if not matcher.is_active():
                    break
                skip_to(matcher, target)
                seen.append(matcher.id() if matcher.is_active() else None)
    return seen


@pytest.mark.parametrize("seed", range(5))
def test_bisecting_skip_to_lands_where_the_walk_does(postings, seed):
    rng = random.Random(seed)
    targets = sorted(rng.sample(range(1600), 120))
    assert positions(postings, whoosh_fixes._skip_to, targets) == positions(postings, walking_skip_to, targets)


def test_the_fix_is_applied_and_past_the_end_stays_an_error(postings):
    assert whoosh3.W3LeafMatcher.skip_to is whoosh_fixes._skip_to
    with postings.searcher() as searcher:
        reader = [r for r, _ in searcher.reader().leaf_readers()][0]
        matcher = reader.postings("text", "alpha")
        matcher.skip_to(10**9)
        assert not matcher.is_active()
        with pytest.raises(ReadTooFar):
            matcher.skip_to(10**9 + 1)


def test_memory_reader_reads_like_bytesio():
    """``_MemoryReader`` answers every read, readline, seek and tell as ``BytesIO`` does."""
    import io

    rng = random.Random(5)
    for _ in range(200):
        data = bytes(rng.choice(b"ab\n\x00\xff") for _ in range(rng.randrange(0, 700)))
        ours, theirs = whoosh_fixes._MemoryReader(memoryview(data)), io.BytesIO(data)
        for _ in range(40):
            op = rng.choice(("read", "readline", "seek", "seek_end", "tell", "peek"))
            size = rng.choice((-1, None, 0, 1, 7, 300, 1000))
            if op == "read":
                assert ours.read(size) == theirs.read(size)
            elif op == "readline":
                assert ours.readline(size) == theirs.readline(size)
            elif op == "seek":
                at = rng.randrange(0, len(data) + 5)
                assert ours.seek(at) == theirs.seek(at)
            elif op == "peek":
                ahead = ours.peek(size or 0)
                assert data[theirs.tell() :].startswith(ahead) and (ahead or theirs.tell() >= len(data))
            elif op == "seek_end":
                back = rng.randrange(0, len(data) + 1)
                assert ours.seek(-back, 2) == theirs.seek(-back, 2)
            assert ours.tell() == theirs.tell()
        assert list(whoosh_fixes._MemoryReader(memoryview(data))) == list(io.BytesIO(data))


def test_buffer_files_read_the_mapped_memory_in_place():
    """A file inside a compound segment file is read from the mapped memory, not from a copy of it."""
    from whoosh.filedb.structfile import BufferFile

    memory = bytearray(b"first line\nsecond")
    f = BufferFile(memoryview(memory), name="x")
    memory[:5] = b"FIRST"  # a copy made on opening would not see this
    assert f.read(5) == b"FIRST" and f.file.readline() == b" line\n" and f.get(11, 6) == b"second"


def test_pickles_load_from_mapped_memory_as_from_a_file():
    """Whoosh reads block headers with ``pickle.load``: through the in-place reader (which it peeks
    into) every object and every position after it are those a ``BytesIO`` gives."""
    import io
    import pickle

    from whoosh.filedb.structfile import BufferFile

    objects = [(1, 2.5, "x" * n, list(range(n))) for n in (0, 3, 700, 2000)] + [None, b"\x00" * 5000]
    data = b"".join(pickle.dumps(o, 2) for o in objects)
    ours, theirs = BufferFile(memoryview(data)), io.BytesIO(data)
    for expected in objects:
        assert ours.read_pickle() == pickle.load(theirs) == expected
        assert ours.tell() == theirs.tell()


def whooshs_doc_field_length(self, docnum, fieldname, default=0):
    """Whoosh 2.7.4's own W3PerDocReader.doc_field_length, verbatim in behaviour."""
    if docnum > self._doccount:
        raise IndexError("Asked for docnum %r of %d" % (docnum, self._doccount))
    reader = self._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
    if reader is None:
        return default
    lbyte = reader[docnum]
    if lbyte:
        return whoosh_fixes.byte_to_length(lbyte)


def test_field_lengths_read_once_equal_whooshs_per_posting_reads(tmp_path):
    """Short, long, empty and absent fields: the same lengths (None for none kept, the default for no column)."""
    ix = whoosh_index.create_in(tmp_path, Schema(id=ID(stored=True), text=TEXT, other=TEXT))
    writer = ix.writer()
    picked = random.Random(3)
    for n in range(400):
        words = " ".join(picked.choice(["alpha", "beta", "gamma"]) for _ in range(picked.choice([0, 1, 2, 7, 40, 300, 5000])))
        writer.add_document(id=str(n), text=words, **({"other": "delta"} if n % 3 == 0 else {}))
    writer.commit()
    assert whoosh3.W3PerDocReader.doc_field_length is whoosh_fixes._doc_field_length
    with ix.reader() as reader:
        perdoc = reader._perdoc
        for field_name in ("text", "other", "id"):
            for docnum in range(reader.doc_count_all()):
                assert perdoc.doc_field_length(docnum, field_name) == whooshs_doc_field_length(perdoc, docnum, field_name)
        with pytest.raises(IndexError):
            perdoc.doc_field_length(10_000, "text")
