"""Column values given to Whoosh's column writers in runs make the files those writers make value by value."""

from __future__ import annotations

import random

import pytest
from whoosh import columns, fields
from whoosh.filedb.filestore import FileStorage

from index.segment_columns import ColumnValues

KINDS = {
    "ids": (fields.ID(sortable=True), lambda rng: rng.choice(["", "claim", "appeal", "Zelenskyy", "é" * rng.randrange(300)])),
    "days": (fields.COLUMN(columns.NumericColumn("i", default=0)), lambda rng: rng.choice([0, 0, -2_000_000, 20_000, 2_000_000])),
}


def documents(rng: random.Random, count: int, gaps: bool, make) -> list[tuple[int, object]]:
    """(document, value) pairs in document order: every document, or some left without a value."""
    return [(doc, make(rng)) for doc in range(count) if not gaps or rng.random() < 0.7]


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("gaps", [False, True], ids=["every document", "gaps"])
def test_runs_write_what_the_writer_writes_value_by_value(tmp_path, kind, gaps):
    field, make = KINDS[kind]
    storage = FileStorage(str(tmp_path))
    rng = random.Random(f"{kind}{gaps}")
    for case in range(40):
        count = rng.choice([1, 5, 100, 40_000])  # 40,000: VarBytes writes offsets past 2**15 documents
        pairs = documents(rng, count, gaps, make)
        if case % 5 == 0:  # defaults first and last: Numeric writers leave trailing ones out and fill the others in
            half, default = len(pairs) // 2, (0 if kind == "days" else "")
            pairs = [(doc, default) for doc, _ in pairs[: half // 2]] + pairs[half // 2 : half] + [(doc, default) for doc, _ in pairs[half:]]
        doccount = count + rng.choice([0, 3])
        expected = storage.create_file(f"one{case}")
        writer = field.column_type.writer(expected)
        for doc, value in pairs:
            writer.add(doc, field.to_column_value(value))
        writer.finish(doccount)
        expected.close()
        built = storage.create_file(f"runs{case}")
        held = ColumnValues(field, field.column_type.writer(built))
        cuts = sorted(rng.sample(range(len(pairs) + 1), min(3, len(pairs) + 1)))  # runs of any length, empty ones too
        at = 0
        for cut in [*cuts, len(pairs)]:
            for doc, value in pairs[at:cut]:
                held.docs.append(doc)
                held.values.append(value)
            held.flush()
            at = cut
        held.writer.finish(doccount)
        built.close()
        assert (tmp_path / f"runs{case}").read_bytes() == (tmp_path / f"one{case}").read_bytes(), (case, count)
