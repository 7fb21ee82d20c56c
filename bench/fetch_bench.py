"""Collector speed: a full first fetch of 2,000 articles in 20 feeds, then a second run where all answers 304.

    .venv/bin/python bench/fetch_bench.py [--feeds 20] [--per-feed 100] [--delay 0.05] [--hosts 20] [--workers 8]

A child process serves the feeds and pages on 127.0.0.1 (``--hosts`` servers on as many ports: a
feed and its articles live on one host; every answer waits ``--delay`` seconds, the simulated network
delay), so the collector's timings do not share a GIL with the server.  The collector runs as users
run it: ``parley sources add --no-check`` for each feed, then ``parley fetch`` twice (the second time
with ``--all``: every feed answers 304 to its ETag).  Politeness delay between requests to one host:
``--min-delay`` (default 0: the simulated delay is the only wait).  Results go to /tmp/parley-bench/.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def serve(args: argparse.Namespace) -> None:
    """The child: start the servers, print their ports as one JSON line, serve until stdin closes."""
    from collect_server import Site, article_html, rss, static, story

    sites = [Site(delay=args.delay).__enter__() for _ in range(args.hosts)]
    for feed in range(args.feeds):
        site = sites[feed % args.hosts]
        site.text("/robots.txt", "User-agent: *\nAllow: /\n")
        items = []
        for i in range(args.per_feed):
            n = feed * args.per_feed + i
            site.page(f"/f{feed}/a{i}", article_html(f"Story {n}", story(n)), etag=f'"a{n}"')
            items.append({"title": f"Story {n}", "link": site.url(f"/f{feed}/a{i}?utm_source=rss"), "description": f"Summary of story {n}."})
        site.routes[f"/f{feed}/feed.xml"] = static(rss(f"Feed {feed}", items).encode(), "application/rss+xml", etag=f'"feed{feed}"')
    print(json.dumps([site.url("") for site in sites]), flush=True)
    sys.stdin.read()
    print(json.dumps({"requests": sum(len(s.requests) for s in sites)}), flush=True)


def parley(home: Path, *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    ran = subprocess.run([sys.executable, "-m", "cli", "--home", str(home), *args], capture_output=True, text=True, cwd=ROOT, check=False)
    if ran.returncode:
        raise SystemExit(f"parley {' '.join(args)} failed:\n{ran.stderr[-3000:]}")
    return time.perf_counter() - started, ran.stdout


def second_in_process(home: Path, args: argparse.Namespace) -> float:
    """The 304 run again, timed inside one process (no interpreter start or imports): the collector's own cost."""
    from archive.collect.http import PoliteClient, Politeness
    from archive.collect.runner import Collector
    from archive.store import Store
    from index import writing

    with Store(home) as store, PoliteClient(Politeness(min_delay=float(args.min_delay))) as client:
        collector = Collector(store, client, index=lambda ids: writing.update(home, store, ids), workers=args.workers, max_items=args.per_feed)
        sources = collector.state.sources()
        started = time.perf_counter()
        reports = collector.run(sources)
        seconds = time.perf_counter() - started
    assert all(r.not_modified for r in reports), [r.line() for r in reports if not r.not_modified]
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--per-feed", type=int, default=100)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--min-delay", default="0")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args)
        return
    out = Path("/tmp/parley-bench")
    out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="fetch-", dir=out))
    child = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            "--feeds",
            str(args.feeds),
            "--per-feed",
            str(args.per_feed),
            "--delay",
            str(args.delay),
            "--hosts",
            str(args.hosts),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        bases = json.loads(child.stdout.readline())
        for feed in range(args.feeds):
            parley(home, "sources", "add", "--no-check", f"{bases[feed % args.hosts]}/f{feed}/feed.xml")
        common = ("--json", "--min-delay", args.min_delay, "--workers", str(args.workers), "--max-items", str(args.per_feed))
        first_s, first_out = parley(home, "fetch", *common)
        second_s, second_out = parley(home, "fetch", "--all", *common)
        inprocess_s = second_in_process(home, args)
        child.stdin.close()
        requests = json.loads(child.stdout.readline())["requests"]
    finally:
        child.wait(timeout=30)
    first = [json.loads(line) for line in first_out.splitlines()]
    second = [json.loads(line) for line in second_out.splitlines()]
    stored = sum(len(r["new"]) for r in first)
    results = {
        "feeds": args.feeds,
        "articles": args.feeds * args.per_feed,
        "hosts": args.hosts,
        "delay_s": args.delay,
        "workers": args.workers,
        "first_run_s": round(first_s, 2),
        "stored": stored,
        "articles_per_s": round(stored / first_s, 1),
        "first_run_errors": sum(len(r["problems"]) for r in first),
        "second_run_s": round(second_s, 2),
        "second_run_in_process_s": round(inprocess_s, 2),
        "second_run_not_modified": sum(r["not_modified"] for r in second),
        "second_run_longest_source_s": max(r["seconds"] for r in second),
        "requests_served": requests,
        "home": str(home),
    }
    (out / "fetch-results.json").write_text(json.dumps(results, indent=1))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
