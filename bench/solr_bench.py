"""Whoosh, SolrCloud (2 nodes on this machine) and SQLite FTS5 side by side on one generated archive.

    .venv/bin/python bench/solr_bench.py /tmp/parley-bench/a10k --queries 200
    .venv/bin/python bench/solr_bench.py /tmp/parley-bench/a100k --solr-home COPY --out DIR --update 0 --heap 3g

Needs the test cluster's launcher built (``mvn -q -f tests/solr_cluster/pom.xml package``).  Steps:

1. start the 2-node SolrCloud (embedded ZooKeeper) and time it;
2. build: Whoosh ``rebuild`` (if the home has no current index, or with ``--rebuild-whoosh``), the
   Solr rebuild (2 shards x 2 replicas, from the store), FTS5 (``search_bench.fts_build``):
   statements/s each;
3. re-index ``--update`` articles through each backend's ``update`` (delete and add, batches of 200,
   visible when it returns): statements/s;
4. the seven query kinds of ``search_bench.py`` through the backend interface on both engines (and
   the same SQL on FTS5): p50/p95/p99 ms, and how many queries gave different totals;
5. the JVM's resident memory (current and peak).

Results go to ``OUT/solr-<home>.json`` (``--out``, /tmp/parley-bench by default) and a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import calendar
import json
import os
import resource
import sqlite3
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

import search_bench  # noqa: E402
from solr_harness import Cluster  # noqa: E402

from archive.store import Store  # noqa: E402
from index import writing  # noqa: E402
from index.request import SearchRequest  # noqa: E402
from index.search import SearchIndex  # noqa: E402
from index.solr.backend import SolrBackend  # noqa: E402

OUT = Path("/tmp/parley-bench")
JVM_OPTIONS = ("-XX:+UseParallelGC",)  # the test cluster's GC here: throughput over pause times (16% less JVM CPU in a bulk load than G1)
EPOCH = date(1970, 1, 1)


def request_of(q: search_bench.Query) -> SearchRequest:
    return SearchRequest(
        text=q.text,
        filters={"kind": list(q.kinds)} if q.kinds else {},
        facets=search_bench.FACETS if q.facets else (),
        page=q.page,
        per_page=search_bench.PER_PAGE,
        date_from=EPOCH + timedelta(days=q.days[0]) if q.days else None,
        date_to=EPOCH + timedelta(days=q.days[1]) if q.days else None,
    )


def memory_mib(pid: int) -> dict:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024)
    return {"rss_mib": fields.get("VmRSS"), "peak_rss_mib": fields.get("VmHWM")}


def timed(run, queries) -> list[float]:
    times = []
    for q in queries:
        started = time.perf_counter()
        run(q)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path, help="the archive: its store, and its Whoosh index (only read unless --rebuild-whoosh)")
    parser.add_argument("--queries", type=int, default=200, help="timed queries per kind")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--update", type=int, default=400, help="articles re-indexed through update() (0: none; writes the home's Whoosh index)")
    parser.add_argument("--rebuild-whoosh", action="store_true", help="build the home's Whoosh index first (else it must be there)")
    parser.add_argument("--solr-home", type=Path, help="a copy of the store for the Solr backend's home (rebuild writes there); default: home")
    parser.add_argument("--fts", type=Path, help="an FTS5 file built before (else built at OUT/<home>-fts.sqlite3)")
    parser.add_argument("--out", type=Path, default=OUT, help="where results (and a new FTS5 file) go")
    parser.add_argument("--heap", default="1g", help="the Solr JVM's -Xmx")
    parser.add_argument("--java-option", action="append", help=f"an option for the Solr JVM (default: {' '.join(JVM_OPTIONS)})")
    parser.add_argument("--procs", type=int, help="processes feeding the Solr rebuild (default: as the Whoosh rebuild)")
    parser.add_argument("--no-whoosh", action="store_true", help="time Solr and FTS5 only (when the home has no Whoosh index)")
    parser.add_argument("--until", help="HH:MM UTC: time no query kind that would start after it (results so far are kept)")
    args = parser.parse_args(argv)
    home = args.home.resolve()
    solr_home = (args.solr_home or home).resolve()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    results: dict = {"home": str(home), "date": time.strftime("%Y-%m-%d %H:%M", time.gmtime()), "load_at_start": os.getloadavg()}
    out_path = out / f"solr-{home.name}.json"
    store = Store(home, readonly=True)
    results["statements"] = store.stats()["statements"]
    until = _until(args.until)

    if args.rebuild_whoosh:
        report = writing.rebuild(home, Store(home), procs=2)
        results["whoosh_build"] = {"seconds": round(report.seconds, 1), "statements_per_s": round(report.statements / report.seconds)}
        print("whoosh build", results["whoosh_build"], flush=True)

    started = time.perf_counter()
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="solr-bench-", dir=out)), heap=args.heap, java_options=tuple(args.java_option or JVM_OPTIONS))
    results["cluster_start_s"] = round(time.perf_counter() - started, 1)
    results["heap"] = args.heap
    results["java_options"] = list(args.java_option or JVM_OPTIONS)
    try:
        solr = SolrBackend(solr_home, {"solr_url": ",".join(cluster.urls), "collection": "bench"})
        jvm_cpu, python_cpu = cpu_seconds(cluster.process.pid), python_cpu_seconds()
        report = solr.rebuild(Store(solr_home), procs=args.procs)
        jvm_cpu, python_cpu = cpu_seconds(cluster.process.pid) - jvm_cpu, python_cpu_seconds() - python_cpu
        results["solr_build"] = {
            "seconds": round(report.seconds, 1),
            "statements": report.statements,
            "statements_per_s": round(report.statements / report.seconds),
            "procs": report.procs,
            "jvm_cpu_us_per_statement": round(jvm_cpu / report.statements * 1e6),
            "python_cpu_us_per_statement": round(python_cpu / report.statements * 1e6),
        }
        results["jvm_after_build"] = memory_mib(cluster.process.pid)
        results["load_after_build"] = os.getloadavg()
        print("solr build", results["solr_build"], results["jvm_after_build"], flush=True)
        out_path.write_text(json.dumps(results, indent=1))

        fts_path = args.fts or out / f"{home.name}-fts.sqlite3"
        if args.fts is None:
            results["fts_build"] = search_bench.fts_build(store, fts_path)
            print("fts build", results["fts_build"], flush=True)

        whoosh = None if args.no_whoosh else SearchIndex(home) if writing.current_path(home) else None
        if whoosh is None and not args.no_whoosh:  # looked at only now: a build elsewhere may finish meanwhile
            print(f"{home} has no current Whoosh index: timing Solr and FTS5 only", flush=True)
        if args.update and whoosh is not None:
            ids = [row[0] for row in store.db.execute("SELECT id FROM articles ORDER BY id LIMIT ?", (args.update,))]
            for name, backend, where in (("whoosh", whoosh, home), ("solr", solr, solr_home)):
                writer = Store(where)
                started = time.perf_counter()
                written = sum(backend.update(writer, ids[i : i + 200]) for i in range(0, len(ids), 200))
                seconds = time.perf_counter() - started
                writer.close()
                results[f"{name}_update"] = {"articles": len(ids), "statements": written, "statements_per_s": round(written / seconds)}
                print(name, "update", results[f"{name}_update"], flush=True)

        queries = search_bench.make_queries(store, args.queries + args.warmup)
        fts = sqlite3.connect(f"file:{fts_path}?mode=ro", uri=True)
        runs = {
            "whoosh": lambda q: whoosh.search(request_of(q)),
            "solr": lambda q: solr.search(request_of(q)),
            "fts5": lambda q: search_bench.fts_run(fts, q),
        }
        if whoosh is None:
            del runs["whoosh"]
        results["kinds"] = {}
        for kind in search_bench.KINDS:
            if until is not None and time.time() > until:
                print(f"stopped before {kind!r}: past --until {args.until}", flush=True)
                break
            timed_queries, warm = queries[kind][: args.queries], queries[kind][args.queries :]
            row = {}
            for name, run in runs.items():
                timed(run, warm)
                times = timed(run, timed_queries)
                row[name] = {p: round(search_bench.pct(times, q), 1) for p, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))}
            if whoosh is not None:
                row["total_mismatches"] = sum(whoosh.search(request_of(q)).total != solr.search(request_of(q)).total for q in timed_queries[:50])
            results["kinds"][kind] = row
            print(kind, json.dumps(row), flush=True)
            out_path.write_text(json.dumps(results, indent=1))
        results["jvm_after_queries"] = memory_mib(cluster.process.pid)
        results["load_at_end"] = os.getloadavg()
    finally:
        cluster.close()
    out_path.write_text(json.dumps(results, indent=1))
    print(
        f"\n{results['statements']:,} statements; cluster start {results['cluster_start_s']} s; "
        f"Solr build {results['solr_build']['statements_per_s']:,} statements/s; JVM {results['jvm_after_queries']}"
    )
    print("\n| kind | Whoosh p50/p95/p99 ms | Solr p50/p95/p99 ms | FTS5 p50/p95/p99 ms | totals differ (of 50) |")
    print("| --- | --- | --- | --- | --- |")
    for kind, row in results["kinds"].items():
        cells = [f"{row[n]['p50']} / {row[n]['p95']} / {row[n]['p99']}" if n in row else "-" for n in ("whoosh", "solr", "fts5")]
        print(f"| {kind} | {' | '.join(cells)} | {row.get('total_mismatches', '-')} |")
    print(f"\nresults: {out_path}")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def python_cpu_seconds() -> float:
    """CPU seconds of this process and of its ended children (a rebuild's feeding processes; the
    cluster's JVM is still running, so it is not among them)."""
    own, ended = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + ended.ru_utime + ended.ru_stime


def _until(text: str | None) -> float | None:
    """Today's HH:MM (UTC) as a timestamp, or None."""
    if not text:
        return None
    hours, minutes = (int(part) for part in text.split(":"))
    now = time.gmtime()
    return calendar.timegm((now.tm_year, now.tm_mon, now.tm_mday, hours, minutes, 0))


if __name__ == "__main__":
    main()
