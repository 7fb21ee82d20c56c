"""What deleted documents cost a search: an archive against its copy with some articles re-indexed.

    .venv/bin/python bench/deleted_bench.py /tmp/parley-bench/a100k --scratch /tmp/parley-deleted --fraction 0.04

Re-indexing an updated article (``parley ingest`` of a changed file, ``parley reindex --extract``)
deletes its statements' documents and adds new ones; Whoosh keeps the old ones in their segment,
marked deleted, until a merge rewrites it.  This copies the archive twice (never changing the
original), re-indexes ``--fraction`` of its articles in the second copy through ``index.writing.update`` (which
writes the mapped files of a new segment from ``writing.MAPPED_FROM`` documents up), and then times the seven query kinds
of ``search_bench.py`` on both copies (two copies, so that both stores are equally fresh files), the two archives taking turns query by query,
in CPU time (the machine is shared; a search runs in one thread).  It also checks that both count
the same (totals and facet counts) and how much of each page the two share.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from search_bench import KINDS, make_queries, mib, parley_run, pct  # noqa: E402

from archive.store import Store  # noqa: E402
from index.search import SearchIndex  # noqa: E402
from index.writing import current_path, update  # noqa: E402


def copy_archive(home: Path, scratch: Path) -> None:
    """The store through SQLite's backup (consistent even if it is open), the index file by file."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)  # both copies live under --scratch
    with sqlite3.connect(f"file:{home / 'parley.sqlite3'}?mode=ro", uri=True) as source, sqlite3.connect(scratch / "parley.sqlite3") as target:
        source.backup(target)
    shutil.copytree(home / "index", scratch / "index")


def deleted_share(home: Path) -> tuple[int, int]:
    """(deleted documents, all documents) over the statement index's segments."""
    reader = SearchIndex(home)._view().searcher.reader()  # noqa: SLF001 - a bench may look inside
    readers = reader.leaf_readers()
    deleted = sum(r.doc_count_all() - r.doc_count() for r, _ in readers)
    return deleted, sum(r.doc_count_all() for r, _ in readers)


def p(values: list[float], q: float) -> float:
    return round(pct(values, q), 1)


def summary(page) -> dict:
    # Scores are not compared: BM25's statistics (document count, mean length) count deleted
    # documents until a merge drops them, in Whoosh as in Lucene, so scores move a little.
    return {"total": page.total, "facets": {f.name: sorted((v.value, v.count) for v in f.values) for f in page.facets}}


def overlap(a, b) -> float:
    """Share of one page's statements also on the other's."""
    ids = {h.id for h in a.hits}
    return len(ids & {h.id for h in b.hits}) / max(len(ids), 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path, help="an indexed archive (copied, never changed)")
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/parley-deleted"), help="where the copy goes (replaced)")
    parser.add_argument("--fraction", type=float, default=0.04, help="share of the articles re-indexed in the copy")
    parser.add_argument("--queries", type=int, default=100, help="timed queries per kind")
    parser.add_argument("--warmup", type=int, default=10, help="untimed queries per kind first, on each archive")
    parser.add_argument("--reuse", action="store_true", help="keep a copy an earlier run made and re-indexed")
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    results: dict = {"home": str(args.home), "fraction": args.fraction}

    base, changed = args.scratch / "base", args.scratch / "deleted"
    if not (args.reuse and current_path(base) and current_path(changed)):
        started = time.perf_counter()
        copy_archive(args.home, base)
        copy_archive(args.home, changed)
        results["copy_s"] = round(time.perf_counter() - started, 1)
        store = Store(changed)
        ids = [row[0] for row in store.db.execute("SELECT id FROM articles ORDER BY id")]
        chosen = random.Random(11).sample(ids, int(len(ids) * args.fraction))
        started = time.perf_counter()
        written = update(changed, store, chosen)
        seconds = time.perf_counter() - started
        store.close()
        results["reindexed"] = {"articles": len(chosen), "statements": written, "seconds": round(seconds, 1)}
        print(f"re-indexed {len(chosen):,} articles ({written:,} statements) in {seconds:.1f} s", flush=True)
    deleted, documents = deleted_share(changed)
    results["deleted"] = {"documents": deleted, "of": documents}
    print(f"deleted documents in the copy: {deleted:,} of {documents:,} ({deleted / max(documents, 1):.1%})", flush=True)

    queries = make_queries(Store(args.home, readonly=True), args.queries + args.warmup)
    engines = {"original": SearchIndex(base), "with deletions": SearchIndex(changed)}
    results["kinds"] = {}
    print("\n| kind | original p50/p95 ms | with deletions p50/p95 ms | ratio of means | same totals and facets | page overlap |\n|---|---|---|---|---|---|")
    for kind in KINDS:
        times: dict[str, list[float]] = {name: [] for name in engines}
        same = 0
        overlaps: list[float] = []
        for i, q in enumerate(queries[kind]):
            answers = {}
            for name, si in engines.items() if i % 2 == 0 else reversed(engines.items()):
                started = time.thread_time()  # CPU time: the machine is shared, and a search is one thread
                page = parley_run(si, q)
                elapsed = (time.thread_time() - started) * 1000
                answers[name] = page
                if i >= args.warmup:
                    times[name].append(elapsed)
            if i >= args.warmup:
                one, other = answers["original"], answers["with deletions"]
                same += summary(one) == summary(other)
                overlaps.append(overlap(one, other))
        a, b = times["original"], times["with deletions"]
        ratio = (sum(b) / len(b)) / (sum(a) / len(a))
        results["kinds"][kind] = {
            "original": {"p50": p(a, 0.5), "p95": p(a, 0.95)},
            "with_deletions": {"p50": p(b, 0.5), "p95": p(b, 0.95)},
            "ratio_of_means": round(ratio, 3),
            "same": f"{same}/{len(a)}",
            "page_overlap": round(sum(overlaps) / len(overlaps), 3),
        }
        print(
            f"| {kind} | {p(a, 0.5)} / {p(a, 0.95)} | {p(b, 0.5)} / {p(b, 0.95)} | {ratio:.2f}× | {same}/{len(a)} | {sum(overlaps) / len(overlaps):.0%} |",
            flush=True,
        )
    results["peak_rss_mib"] = mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    print(f"\npeak RSS of this process (both archives open): {results['peak_rss_mib']} MiB")
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
