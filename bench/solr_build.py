"""The Solr rebuild alone, timed: statements/s and the JVM's CPU per statement, on a cold and a warm JVM.

    .venv/bin/python bench/solr_build.py /tmp/parley-home-copy --repeat 2 --heap 1g

Starts the 2-node test cluster (``tests/solr_cluster``), runs ``SolrBackend.rebuild`` from the home's
store ``--repeat`` times (the first on a JVM that has compiled nothing yet, the next ones warm) and
stops it.  The rebuild writes to the home (its write lock and the store's ``unindexed`` list): use a
copy of a shared archive.  CPU per statement is the steadier figure on a busy machine: rates follow
the load, CPU time much less.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))


def main(argv: list[str] | None = None) -> None:
    from solr_bench import JVM_OPTIONS, cpu_seconds, memory_mib, python_cpu_seconds
    from solr_harness import Cluster

    from archive.store import Store
    from index.solr.backend import SolrBackend

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--heap", default="1g")
    parser.add_argument("--procs", type=int)
    parser.add_argument("--java-option", action="append", help=f"an option for the cluster's JVM (default: {' '.join(JVM_OPTIONS)})")
    args = parser.parse_args(argv)
    logging.basicConfig(format="%(asctime)s %(message)s", level=logging.WARNING)
    logging.getLogger("parley.index.solr").setLevel(logging.INFO)  # the rebuild's phases
    base = Path(tempfile.mkdtemp(prefix="solr-build-"))
    cluster = Cluster(base, heap=args.heap, java_options=tuple(args.java_option or JVM_OPTIONS))
    try:
        solr = SolrBackend(args.home, {"solr_url": ",".join(cluster.urls), "collection": "build"})
        for run in range(args.repeat):
            cpu, load, started = cpu_seconds(cluster.process.pid), os.getloadavg()[0], time.perf_counter()
            python = python_cpu_seconds()
            report = solr.rebuild(Store(args.home), procs=args.procs)
            seconds, cpu = time.perf_counter() - started, cpu_seconds(cluster.process.pid) - cpu
            python = python_cpu_seconds() - python
            print(
                f"run {run} ({'cold' if run == 0 else 'warm'} JVM): {report.statements:,} statements in {seconds:.1f} s = "
                f"{report.statements / seconds:,.0f}/s with {report.procs} processes; JVM CPU {cpu / report.statements * 1e6:.0f} µs "
                f"per statement, Python CPU {python / report.statements * 1e6:.0f} µs per statement; load {load:.1f} -> {os.getloadavg()[0]:.1f}",
                flush=True,
            )
        print("JVM memory", memory_mib(cluster.process.pid))
    finally:
        cluster.close()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":  # the rebuild's processes are spawned and import this module: start nothing then
    main()
