"""CPU seconds to write one slice's segments: Whoosh's ``SegmentWriter`` against ``SegmentBuilder``.

Both take the same statement and article documents (made beforehand, outside the timing) of the first
N articles of an archive, in one process, taking turns; CPU time, not wall clock, so that a busy
machine slows neither more than the other.  Writes into temporary folders under --tmp; the archive is
only read.

    .venv/bin/python bench/writer_bench.py /tmp/parley-bench/s100k --articles 1500 --rounds 1
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from archive.store import Store
from index.documents import article_document, statement_documents
from index.schema import article_schema, statement_schema
from index.segment_builder import SegmentBuilder


def write(kind: str, folder: Path, statements: list[dict], articles: list[dict]) -> float:
    """CPU seconds to write both indexes' segments with one writer kind."""
    started = time.process_time()
    for name, schema, docs in (("statements", statement_schema(), statements), ("articles", article_schema(), articles)):
        (folder / name).mkdir()
        ix = whoosh_index.create_in(folder / name, schema)
        if kind == "builder":
            builder = SegmentBuilder(ix)
            for doc in docs:
                builder.add_document(**doc)
            builder.finish()
        else:
            writer = SegmentWriter(ix, _lk=False, limitmb=256)
            for doc in docs:
                writer.add_document(**doc)
            writer._finalize_segment()
            writer._close_segment()
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("home", type=Path, help="an archive home (read only)")
    parser.add_argument("--articles", type=int, default=1500, help="how many articles (in id order) to index")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of both writers, taking turns")
    parser.add_argument("--tmp", type=Path, default=Path(tempfile.gettempdir()), help="where to write the segments")
    args = parser.parse_args()
    with Store(args.home, readonly=True) as store:
        extractions = list(store.extractions("", None))[: args.articles]
    statements = [doc for e in extractions for doc in statement_documents(e)]
    articles = [article_document(e) for e in extractions]
    seconds: dict[str, list[float]] = {"whoosh": [], "builder": []}
    for _round in range(args.rounds):
        for kind in seconds:
            folder = Path(tempfile.mkdtemp(dir=args.tmp))
            try:
                seconds[kind].append(write(kind, folder, statements, articles))
            finally:
                shutil.rmtree(folder, ignore_errors=True)
    whoosh, builder = min(seconds["whoosh"]), min(seconds["builder"])
    print(
        f"{len(statements):,} statements, {len(articles):,} articles; CPU s (best of {args.rounds}): "
        f"Whoosh's writer {whoosh:.1f}, builder {builder:.1f} ({whoosh / builder:.1f}×); "
        f"statements per CPU-second: {len(statements) / whoosh:,.0f} and {len(statements) / builder:,.0f}"
    )


if __name__ == "__main__":
    main()
