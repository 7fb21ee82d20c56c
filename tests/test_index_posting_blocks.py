"""Block and term-table bytes written by ``index.posting_blocks`` are the bytes Whoosh's own writers write."""

from __future__ import annotations

import random

import numpy as np
import pytest
from whoosh import formats
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.filetables import OrderedHashWriter

from index.posting_blocks import EXISTS, FREQ, POSITIONS, add_terms, encode_one, encode_position_runs, encode_positions, encode_short, write_hashes


def term_rows(count: int) -> list[tuple[bytes, bytes]]:
    """Term-table rows as a segment has them: field-number prefix and UTF-8 key, ascending; values of any size."""
    rng = random.Random(count)
    words = sorted({"".join(rng.choice("abcdefghijklmnopqrstuvwxyzéü") for _ in range(rng.randint(1, 12))) for _ in range(count)})
    return [(b"\x00\x01" + word.encode("utf-8"), rng.randbytes(rng.choice([28, 40, 400]))) for word in words]


def test_term_table_bytes_equal_whooshs(tmp_path):
    storage = FileStorage(str(tmp_path))
    for count in (0, 1, 300, 30_000):  # 30,000 rows: key positions past 2**16 retype the key index
        rows = term_rows(count)
        whoosh = OrderedHashWriter(storage.create_file(f"whoosh{count}"))
        for key, value in rows:
            whoosh.add(key, value)
        whoosh.close()
        ours = OrderedHashWriter(storage.create_file(f"ours{count}"))
        ours._write_hashes = lambda ours=ours: write_hashes(ours)
        for at in range(0, len(rows), 4096):  # in pieces, as the segment builder adds them
            add_terms(ours, rows[at : at + 4096])
        ours.close()
        expected = (tmp_path / f"whoosh{count}").read_bytes()
        assert (tmp_path / f"ours{count}").read_bytes() == expected
        assert count < 30_000 or len(expected) > 2**16


def test_a_one_posting_block_is_the_block_encode_short_writes():
    """``encode_one`` pieces the pickle together; it must be byte for byte pickle's, for every kind of field,
    document numbers of every pickled size, weights of one and other, and values long enough to be compressed."""
    rng = random.Random(7)
    lengths = bytes(rng.randrange(256) for _ in range(70_000))
    for doc in (0, 5, 255, 256, 65_535, 65_536, 69_999):
        for boost in (1.0, 2.0, 0.5):
            assert encode_one(doc, None, None, None, boost, EXISTS) == encode_short([doc], None, None, None, boost, EXISTS)
            for freq in (1, 2, 255, 256, 70_000):
                assert encode_one(doc, freq, None, lengths, boost, FREQ) == encode_short([doc], [freq], None, lengths, boost, FREQ)
            for poses in ([0], [3], [300], [70_000], [1, 2], sorted(rng.sample(range(5_000), 60))):
                value = encode_positions(poses)
                expected = encode_short([doc], [len(poses)], [value], lengths, boost, POSITIONS)
                assert encode_one(doc, len(poses), value, lengths, boost, POSITIONS) == expected
                assert encode_one(doc, len(poses), value, None, boost, POSITIONS) == encode_short([doc], [len(poses)], [value], None, boost, POSITIONS)


@pytest.mark.parametrize("scale", [3, 300, 70_000, 2**31 - 9, 2**31 + 9])  # one-, two- and four-byte ints; past them
@pytest.mark.parametrize("longest", [12, 1_001])  # past 1,000 pickle appends in batches
def test_position_runs_are_encoded_as_whoosh_encodes_positions(scale, longest):
    rng = random.Random(scale + longest)
    poses, firsts, runs = [], [], []
    for _ in range(60):
        if rng.random() < 0.3:
            poses.append(rng.randrange(100))  # a posting of one position between the runs
        run, size = [rng.randrange(scale)], rng.choice([2, 3, rng.randint(2, longest), longest])  # deltas up to ``scale``
        while len(run) < size and run[-1] + scale < 2**32:  # positions within 32 bits
            run.append(run[-1] + rng.randint(1, scale))
        if len(run) < 2:
            continue
        firsts.append(len(poses))
        poses.extend(run)
        runs.append(run)
    made = encode_position_runs(np.array(poses, dtype=np.uint32), np.array(firsts), np.array(list(map(len, runs)), dtype=np.uint32))
    assert made == [encode_positions(run) for run in runs] == [formats.Positions().encode(run) for run in runs]
