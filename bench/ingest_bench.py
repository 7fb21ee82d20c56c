"""`parley ingest` end to end: wall rate and CPU per article of the ingesting process and of its workers.

    .venv/bin/python bench/ingest_bench.py make-800 /tmp/parley-bench/a100k-files/txt /tmp/ing-800 --count 1000
    .venv/bin/python bench/ingest_bench.py make-dev ../shared /tmp/ing-dev800 --count 540
    .venv/bin/python bench/ingest_bench.py make-dev ../shared /tmp/ing-dev2000 --count 2160
    .venv/bin/python bench/ingest_bench.py run /tmp/ing-800 --tree main=/work/main --tree branch=. --rounds 2 --procs 2
    .venv/bin/python bench/ingest_bench.py compare /tmp/ing-bench/main /tmp/ing-bench/branch

``make-800`` writes COUNT plain-text articles of exactly 800 words each (front matter with a title,
date, source and URL of its own) from the paragraphs of the generated files in SOURCE, in order.

``make-dev`` writes up to COUNT articles of 800 words cut in order from the texts of the developer
corpora (real news: conflict, polnear, meantime…, as ``extract_bench.py`` makes its 800-word
articles), for a rate on real articles rather than generated ones (which hold more statements): 540
from one cut, up to 2,160 from four cuts at different offsets.

``run`` ingests every file of FOLDER into a new archive with each tree in turn (ABAB…, so both see
the same load on a shared machine), through that tree's ``.venv/bin/python`` running its ``parley``
in a child process, and reports per tree and round: articles per wall second, and CPU milliseconds
per article of the ingesting process (``RUSAGE_SELF``: storing, and indexing unless an indexer does),
of its extraction workers (``RUSAGE_CHILDREN`` when ``ingest`` returns: they are reaped by then) and
of its indexing process if any (the rest of ``RUSAGE_CHILDREN`` at exit), read by the child itself.

``compare`` runs the same searches on two archives ingested from the same files (say by two trees)
and fails unless hits, scores, totals and facet counts agree.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Run in the ingesting child: the tree's own ``parley`` script as the shell runs it (``__main__`` is the
# script, which the workers multiprocessing spawns import again), then its own and its reaped workers' CPU.
CHILD = """
import atexit, json, resource, runpy, sys
def cpu(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime
workers = []
def report():
    print("CPU " + json.dumps({"self": cpu(resource.RUSAGE_SELF), "children": cpu(resource.RUSAGE_CHILDREN), "workers": workers[0]}), file=sys.stderr)
atexit.register(report)
import cli.archiving
ingest = cli.archiving.ingest
def ingest_and_note(*args, **kwargs):
    report = ingest(*args, **kwargs)
    workers.append(cpu(resource.RUSAGE_CHILDREN))  # the extraction workers are reaped when ingest returns
    return report
cli.archiving.ingest = ingest_and_note
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def make_800(source: Path, out: Path, count: int) -> None:
    """COUNT articles of 800 words from the bodies of SOURCE's .txt files (front matter dropped)."""
    txt = out / "txt"
    shutil.rmtree(txt, ignore_errors=True)
    txt.mkdir(parents=True)
    paragraphs: list[list[str]] = []
    for path in sorted(source.glob("*.txt")):
        body = re.sub(r"\A---\n.*?\n---\n", "", path.read_text(encoding="utf-8"), flags=re.S)
        paragraphs += [line.split() for line in body.splitlines() if line.strip()]
    at = 0
    for n in range(count):
        lines, words = [], 0
        while words < 800:
            if at >= len(paragraphs):
                raise SystemExit(f"{source} has words for {n} articles of 800 words, not {count}")
            take = paragraphs[at][: 800 - words]
            at += 1
            lines.append(" ".join(take))
            words += len(take)
        front = f"---\ntitle: Article {n} of the 800-word set\npublished: 2025-0{1 + n % 9}-1{n % 10}\nsource: bench{n % 7}.example\nurl: https://bench.example/800/{n}\n---\n"
        (txt / f"{n:06d}.txt").write_text(front + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{count} articles of 800 words in {txt}")


DEV_SETS = ("seed", "meantime", "gum", "litbank", "geovirus", "lgl", "conflict", "polnear")


def make_dev(shared: Path, out: Path, count: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from extract_bench import load

    txt = out / "txt"
    shutil.rmtree(txt, ignore_errors=True)
    txt.mkdir(parents=True)
    pool = " ".join(article.text for article in load(shared, list(DEV_SETS))).split(" ")
    # Past the pool's 540 articles, the pool is cut again from 200, 400 and 600 words in: other articles
    # (every one straddles two of the first cut), of the same real news.
    starts = [at for shift in (0, 200, 400, 600) for at in range(shift, len(pool) - 800, 800)]
    made = 0
    for n, at in enumerate(starts):
        if n >= count:
            break
        front = f"---\ntitle: Article {n} of the 800-word dev set\npublished: 2025-04-22\nsource: dev.example\nurl: https://dev.example/800/{n}\n---\n"
        (txt / f"{n:05d}.txt").write_text(front + " ".join(pool[at : at + 800]) + "\n", encoding="utf-8")
        made += 1
    print(f"{made} articles of 800 words in {txt}")


def compile_sources(tree: Path) -> None:
    """Write the tree's bytecode files, as an installed (or once-run) Parley has them.

    Without them every process compiles the sources it imports at each start: the CLI and each worker
    paid 0.15 s more, and a tree whose ``__pycache__`` a test run had filled started faster than one
    without, for nothing in its code.  (This machine sets ``PYTHONDONTWRITEBYTECODE``, so no run writes them.)"""
    python = tree / ".venv" / "bin" / "python"
    subprocess.run([str(python), "-m", "compileall", "-q", *PACKAGES], cwd=tree, check=True, stdout=subprocess.DEVNULL)


PACKAGES = ("archive", "index", "cli", "web")


def ingest_once(tree: Path, folder: Path, home: Path, procs: int) -> dict:
    shutil.rmtree(home, ignore_errors=True)
    python = tree / ".venv" / "bin" / "python"
    files = folder / "txt" if (folder / "txt").is_dir() else folder
    command = [str(python), "-c", CHILD, str(tree / ".venv" / "bin" / "parley"), "--home", str(home), "ingest", "--json", "--procs", str(procs), str(files)]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=tree, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(tree)})
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{tree}: ingest failed:\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    cpu = json.loads(next(line for line in done.stderr.splitlines() if line.startswith("CPU "))[4:])
    added = report["added"]
    return {
        "added": added,
        "statements": report["statements"],
        "seconds": round(seconds, 2),
        "articles_per_s": round(added / seconds, 1),
        "parent_ms": round(1000 * cpu["self"] / added, 2),
        "workers_ms": round(1000 * cpu["workers"] / added, 2),
        "indexer_ms": round(1000 * (cpu["children"] - cpu["workers"]) / added, 2),
    }


def compare(first: Path, second: Path) -> None:
    """The same searches on two archives ingested from the same files: hits, scores, totals and facet
    counts must agree (the index's contents, whatever its segments)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from index.request import SearchRequest
    from index.search import SearchIndex

    a, b = SearchIndex(first), SearchIndex(second)
    queries = [
        "",
        "ceasefire",
        "talks",
        "Putin",
        "Zelensky said",
        '"natural rubber"',
        "negotiat*",
        "drone attack",
        "minister",
        "Kiev",
        "speaker:Lavrov",
        "bank OR oil",
        "warned",
        "prices -oil",
    ]
    checked = 0
    for target in ("statements", "articles"):
        facets = ("source", "place", "topic") + (("speaker", "kind") if target == "statements" else ())
        for text in queries:
            for sort in ("relevance", "newest"):
                request = SearchRequest(text=text, target=target, sort=sort, per_page=50, facets=facets)
                x, y = a.search(request), b.search(request)
                hits = [[(h.id, None if h.score is None else round(h.score, 6)) for h in r.hits] for r in (x, y)]
                counts = [[(f.name, [(v.value, v.count) for v in f.values]) for f in r.facets] for r in (x, y)]
                if hits[0] != hits[1] or x.total != y.total or counts[0] != counts[1]:
                    raise SystemExit(f"{target} {text!r} sorted by {sort}: the archives answer differently")
                checked += 1
    print(f"{checked} searches agree")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("make-800")
    make.add_argument("source", type=Path)
    make.add_argument("out", type=Path)
    make.add_argument("--count", type=int, default=1000)
    dev = commands.add_parser("make-dev")
    dev.add_argument("shared", type=Path)
    dev.add_argument("out", type=Path)
    dev.add_argument("--count", type=int, default=1000)
    run = commands.add_parser("run")
    run.add_argument("folder", type=Path)
    run.add_argument("--tree", action="append", required=True, help="LABEL=PATH of a checkout with its .venv")
    run.add_argument("--rounds", type=int, default=2)
    run.add_argument("--procs", type=int, default=2)
    run.add_argument("--homes", type=Path, default=Path("/tmp/ing-bench"))
    same = commands.add_parser("compare")
    same.add_argument("first", type=Path)
    same.add_argument("second", type=Path)
    args = parser.parse_args()
    if args.command == "compare":
        compare(args.first, args.second)
        return
    if args.command == "make-dev":
        make_dev(args.shared, args.out, args.count)
        return
    if args.command == "make-800":
        make_800(args.source, args.out, args.count)
        return
    trees = dict(t.split("=", 1) for t in args.tree)
    for tree in trees.values():
        compile_sources(Path(tree).resolve())
    results: dict[str, list[dict]] = {label: [] for label in trees}
    for round_ in range(args.rounds):
        for label, tree in trees.items():
            result = ingest_once(Path(tree).resolve(), args.folder, args.homes / label, args.procs)
            results[label].append(result)
            print(f"round {round_ + 1} {label:<10} {json.dumps(result)}", flush=True)
    for label, rows in results.items():
        median = {key: statistics.median(r[key] for r in rows) for key in ("articles_per_s", "parent_ms", "indexer_ms", "workers_ms")}
        print(
            f"median {label:<10} {median['articles_per_s']:.1f} articles/s; CPU ms/article: ingesting process {median['parent_ms']:.1f},"
            f" indexer {median['indexer_ms']:.1f}, extraction workers {median['workers_ms']:.1f}"
        )


if __name__ == "__main__":
    sys.exit(main())
