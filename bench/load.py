"""Load test: N concurrent clients for T seconds against ``parley serve`` on loopback, while an ingest runs.

Not part of the test suite (CI never runs it).  Needs an indexed archive; build a 10k one with

    .venv/bin/python bench/generate.py --articles 10000 --home /tmp/parley-bench/a10k
    .venv/bin/parley --home /tmp/parley-bench/a10k reindex      # only if the index predates the code

then

    .venv/bin/python bench/load.py --home /tmp/parley-bench/a10k --clients 50 --seconds 60

The home is copied first (``--scratch``), so the ingest never changes it.  Clients are threads spread
over ``--procs`` processes (keep-alive HTTP/1.1 connections, one per client); each request picks a
kind in turn: ``term`` (1-term search), ``facets`` (+ speaker, place, topic facets), ``filter``
(+ a speaker filter), ``dates`` (+ a 90-day range), ``article`` (an article's HTML page).  Ten
seconds in (``--ingest-after``), ``parley ingest`` starts on ``--ingest-files`` generated articles.
Reported: requests/s, p50 / p95 / p99 ms per kind and overall, errors (non-200 or failed
connections), the server's peak RSS (``VmHWM``) and, per 5 s window, its anonymous and file-backed
resident memory (the mapped index files are the page cache's, shared with other processes), and the
ingest's duration.  Loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

PROJECT = Path(__file__).resolve().parents[1]
PARLEY = [sys.executable, "-m", "cli"]
KINDS = ("term", "facets", "filter", "dates", "article")
HOST = "127.0.0.1"


def plan(home: Path, seed: int = 7, count: int = 400) -> dict[str, list[str]]:
    """Request paths of each kind, drawn from the archive itself (frequent and rare words, real speakers, days)."""
    rng = random.Random(seed)
    db = sqlite3.connect(f"file:{home / 'parley.sqlite3'}?mode=ro", uri=True)
    quotes = [row[0] for row in db.execute("SELECT json_extract(data, '$.quote') FROM statements ORDER BY rowid LIMIT 20000")]
    words = [w.strip(".,;:\"'()“”").lower() for q in quotes if q for w in q.split()]
    words = [w for w in words if w.isalpha() and len(w) > 4]
    speakers = [row[0] for row in db.execute("SELECT speaker FROM statements WHERE speaker IS NOT NULL GROUP BY speaker ORDER BY count(*) DESC LIMIT 200")]
    articles = [row[0] for row in db.execute("SELECT id FROM articles ORDER BY rowid LIMIT 5000")]
    days = [row[0] for row in db.execute("SELECT published FROM articles WHERE published IS NOT NULL ORDER BY rowid LIMIT 5000")]
    db.close()
    from datetime import date, timedelta

    paths: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for _ in range(count):
        term = rng.choice(words)
        paths["term"].append("/api/v1/search?" + urlencode({"q": term, "facets": ""}))
        paths["facets"].append("/api/v1/search?" + urlencode({"q": term, "facets": "speaker,place,topic"}))
        paths["filter"].append("/api/v1/search?" + urlencode({"q": term, "speaker": rng.choice(speakers), "facets": ""}))
        first = date.fromisoformat(rng.choice(days))
        paths["dates"].append(
            "/api/v1/search?" + urlencode({"q": term, "from": first.isoformat(), "to": (first + timedelta(days=90)).isoformat(), "facets": ""})
        )
        paths["article"].append("/articles/" + quote(rng.choice(articles)))
    return paths


def client_process(port: int, threads: int, seconds: float, paths: dict[str, list[str]], start_at: float, queue, offset: int) -> None:
    """``threads`` clients, each with its own keep-alive connection, until ``start_at + seconds``."""
    results: list[tuple[str, float, int, float]] = []  # (kind, ms, status, wall time)
    lock = threading.Lock()

    def run(n: int) -> None:
        rng = random.Random(offset + n)
        mine = []
        connection = None
        i = rng.randrange(len(KINDS))
        while time.time() < start_at:
            time.sleep(0.01)
        end = start_at + seconds
        while time.time() < end:
            kind = KINDS[i % len(KINDS)]
            i += 1
            path = rng.choice(paths[kind])
            began = time.perf_counter()
            status = 0
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(HOST, port, timeout=30)
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException):
                if connection is not None:
                    connection.close()
                connection = None
            mine.append((kind, (time.perf_counter() - began) * 1000, status, time.time()))
        if connection is not None:
            connection.close()
        with lock:
            results.extend(mine)

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    queue.put(results)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def rss_parts_mib(pid: int) -> tuple[float, float]:
    """(anonymous, file-backed) resident memory: mapped index files count in RSS, but are the page cache's."""
    parts = {"RssAnon:": float("nan"), "RssFile:": float("nan")}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key = line.split(":")[0] + ":"
            if key in parts:
                parts[key] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return parts["RssAnon:"], parts["RssFile:"]


def sample_rss(pid: int, samples: list, stop: threading.Event) -> None:
    while not stop.wait(0.5):
        samples.append((time.time(), *rss_parts_mib(pid)))


def peak_rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path("/tmp/parley-bench/a10k"), help="an indexed archive (copied, never changed)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--procs", type=int, default=5, help="client processes (clients are split between them)")
    parser.add_argument("--threads", type=int, default=8, help="server worker threads (parley serve --threads)")
    parser.add_argument("--ingest-files", type=int, default=300, help="articles ingested during the run (0: none)")
    parser.add_argument("--ingest-after", type=float, default=10.0)
    parser.add_argument("--scratch", type=Path, default=None, help="where the copy goes (default: a temporary folder)")
    parser.add_argument("--out", type=Path, default=None, help="also write the results as JSON here")
    args = parser.parse_args()

    scratch = Path(args.scratch or tempfile.mkdtemp(prefix="parley-load-"))
    home = scratch / "home"
    if home.exists():
        shutil.rmtree(home)
    shutil.copytree(args.home, home, ignore=shutil.ignore_patterns("RETIRED"))
    paths = plan(home)
    folder = scratch / "incoming"
    if args.ingest_files:
        sys.path.insert(0, str(PROJECT / "tests"))
        from test_crash import make_folder

        shutil.rmtree(folder, ignore_errors=True)
        make_folder(folder, args.ingest_files, seed=99)

    port = free_port()
    log = open(scratch / "server.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [*PARLEY, "--home", str(home), "serve", "--no-seed", "--host", HOST, "--port", str(port), "--threads", str(args.threads)],
        stdout=log,
        stderr=log,
        cwd=PROJECT,
    )
    ingest = None
    try:
        for _ in range(300):
            try:
                connection = http.client.HTTPConnection(HOST, port, timeout=5)
                connection.request("GET", "/api/v1/stats")
                connection.getresponse().read()
                connection.close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("the server did not start: see " + str(scratch / "server.log"))
        # warm every server thread's searcher and caches (untimed)
        warm = http.client.HTTPConnection(HOST, port, timeout=120)
        for kind in KINDS:
            for path in paths[kind][: args.threads * 2]:
                warm.request("GET", path)
                warm.getresponse().read()
        warm.close()
        rss_before = peak_rss_mib(server.pid)
        samples: list[tuple[float, float, float]] = []
        sampling = threading.Event()
        threading.Thread(target=sample_rss, args=(server.pid, samples, sampling), daemon=True).start()

        start_at = time.time() + 2.0
        queue: multiprocessing.Queue = multiprocessing.Queue()
        share = [args.clients // args.procs + (1 if i < args.clients % args.procs else 0) for i in range(args.procs)]
        procs = [
            multiprocessing.Process(target=client_process, args=(port, n, args.seconds, paths, start_at, queue, 1000 * i)) for i, n in enumerate(share) if n
        ]
        for p in procs:
            p.start()
        ingest_seconds = None
        ingest_summary = None
        if args.ingest_files:
            time.sleep(max(0.0, start_at + args.ingest_after - time.time()))
            began = time.perf_counter()
            ingest = subprocess.Popen(
                [*PARLEY, "--home", str(home), "ingest", "--json", str(folder)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=PROJECT
            )
        results = []
        for _ in procs:
            results.extend(queue.get(timeout=args.seconds + 300))
        for p in procs:
            p.join(timeout=60)
        if ingest is not None:
            out, _ = ingest.communicate(timeout=600)
            ingest_seconds = round(time.perf_counter() - began, 1)
            ingest_summary = json.loads(out) if ingest.returncode == 0 and out else {"exit": ingest.returncode}
        rss_peak = peak_rss_mib(server.pid)
        sampling.set()
    finally:
        if ingest is not None and ingest.poll() is None:
            ingest.kill()
        server.terminate()
        try:
            server.wait(timeout=20)
        finally:
            log.close()

    duration = args.seconds
    report = {
        "clients": args.clients,
        "seconds": duration,
        "server_threads": args.threads,
        "cores": os.cpu_count(),
        "archive": str(args.home),
        "requests": len(results),
        "requests_per_s": round(len(results) / duration, 1),
        "errors": sum(1 for r in results if r[2] != 200),
        "error_statuses": sorted({r[2] for r in results if r[2] != 200}),
        "server_peak_rss_mib": round(rss_peak, 1),
        "server_rss_after_warmup_mib": round(rss_before, 1),
        "ingest_seconds": ingest_seconds,
        "ingest": {k: ingest_summary.get(k) for k in ("added", "duplicates", "statements")} if ingest_summary and "added" in ingest_summary else ingest_summary,
        "kinds": {},
    }
    for kind in (*KINDS, "all"):
        times = [r[1] for r in results if kind == "all" or r[0] == kind]
        report["kinds"][kind] = {
            "requests_per_s": round(len(times) / duration, 1),
            "p50_ms": round(percentile(times, 50), 1),
            "p95_ms": round(percentile(times, 95), 1),
            "p99_ms": round(percentile(times, 99), 1),
            "mean_ms": round(statistics.fmean(times), 1) if times else None,
        }
    timeline = []
    for second in range(0, int(duration), 5):
        window = [r[1] for r in results if start_at + second <= r[3] - r[1] / 1000 < start_at + second + 5]
        memory = [(anon, file) for at, anon, file in samples if start_at + second <= at < start_at + second + 5]
        timeline.append(
            {
                "from_s": second,
                "requests": len(window),
                "p50_ms": round(percentile(window, 50), 1),
                "max_ms": round(max(window), 1) if window else None,
                "rss_anon_mib": round(max(m[0] for m in memory)) if memory else None,
                "rss_file_mib": round(max(m[1] for m in memory)) if memory else None,
            }
        )
    report["timeline"] = timeline
    report["ingest_window_s"] = [args.ingest_after, round(args.ingest_after + ingest_seconds, 1)] if ingest_seconds else None
    print(f"{args.clients} clients, {duration:.0f} s, server threads {args.threads}, {os.cpu_count()} cores; archive {args.home}")
    print(f"{'kind':<8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, row in report["kinds"].items():
        print(f"{kind:<8} {row['requests_per_s']:>7} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['p99_ms']:>8}")
    print(
        f"errors {report['errors']} {report['error_statuses']}; server peak RSS {report['server_peak_rss_mib']} MiB "
        f"(after warm-up {report['server_rss_after_warmup_mib']} MiB); ingest during the run: {report['ingest']} in {ingest_seconds} s"
    )
    print("timeline (requests started in each 5 s window; ingest ran from", report["ingest_window_s"], "s):")
    print("  " + "  ".join(f"{t['from_s']}s:{t['requests']}/{t['p50_ms']:.0f}/{t['max_ms'] or 0:.0f}" for t in timeline) + "   (count/p50 ms/max ms)")
    print("server memory, the most in each 5 s window (anonymous + mapped files, MiB):")
    print("  " + "  ".join(f"{t['from_s']}s:{t['rss_anon_mib']}+{t['rss_file_mib']}" for t in timeline))
    if args.out:
        args.out.write_text(json.dumps(report, indent=2))
    if args.scratch is None:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
