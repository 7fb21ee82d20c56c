"""Extraction speed of two checkouts side by side: the same articles, in turns, on one core.

    .venv/bin/python bench/extract_ab.py /path/to/other/checkout [--rounds 5] [--sets ...]

The machine is shared and its speed drifts, so one number from each tree at different times says
little.  This runs each tree's ``extract`` in its own child process (``PYTHONPATH`` = that tree),
both children loaded and warmed up first (one pass over the articles; with ``--first-pass``, new
children each round and no warm-up but one short article that loads the tables, as
``extract_bench.py`` times), then asks them in turns (ABAB...) to time one pass over the dev
articles and one over the 800-word articles (built as ``extract_bench.py`` builds them), and prints
the median and best rate of each with the ratio, per CPU second of the child (what the code costs,
whoever else uses the machine) and per wall-clock second.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The child: load the articles once, warm up, then time one pass per request read from stdin.
CHILD = r"""
import json, sys, time
from datetime import date
from pathlib import Path
import archive
from archive.extract.pipeline import extract
from archive.extract.places import find_places
from archive.extract.statements import find_statements
from archive.model import Article
from archive.readers import read_path
shared, sets = Path(sys.argv[1]), sys.argv[2].split(",")
articles = []
for name in sets:
    folder = shared / "corpus" / "dev" / name
    for line in (folder / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        articles += read_path(folder / json.loads(line)["file"]).articles
pool = " ".join(a.text for a in articles).split(" ")
sized = [Article(text=" ".join(pool[i : i + 800]), published=date(2025, 4, 22)) for i in range(0, min(len(pool), 800 * 300), 800)]
work = {
    "dev": (articles, extract),
    "800w": (sized, extract),
    "statements": (articles, lambda a: find_statements(a.text)),
    "places": (articles, lambda a: find_places(a.text)),
}
if sys.argv[3] == "warm":
    for a in articles:
        extract(a)
else:  # as extract_bench.py times it: tables loaded (one short article), memos as the first pass finds them
    extract(Article(text="KYIV, Ukraine — President Volodymyr Zelensky said on Monday that “talks on a ceasefire will go on,” "
                    "and the Kremlin denied the report, according to Reuters.", published=date(2025, 4, 22)))
print(json.dumps({"ready": archive.__file__}), flush=True)
for line in sys.stdin:
    items, fn = work[line.strip()]
    started, cpu = time.perf_counter(), time.process_time()
    for a in items:
        fn(a)
    print(json.dumps([len(items) / (time.perf_counter() - started), len(items) / (time.process_time() - cpu)]), flush=True)
"""


def child(tree: Path, shared: Path, sets: list[str], first_pass: bool) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    start = "first" if first_pass else "warm"
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(shared), ",".join(sets), start], cwd=tree, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="the checkout to compare with (e.g. a worktree of the base commit)")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--sets", nargs="+", default=["seed", "meantime", "gum", "litbank", "geovirus", "lgl"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--kinds", nargs="+", default=["dev", "800w", "statements"])
    parser.add_argument(
        "--first-pass", action="store_true", help="each round in new children, timing the first pass after the gazetteer is loaded (as extract_bench.py does)"
    )
    args = parser.parse_args()
    trees = {"other": args.other.resolve(), "this": ROOT}
    rates: dict[tuple[str, str], list[float]] = {}  # articles per CPU second of the child
    walls: dict[tuple[str, str], list[float]] = {}  # articles per wall-clock second
    procs: dict[str, subprocess.Popen] = {}
    for r in range(args.rounds):
        if not procs or args.first_pass:
            procs = {name: child(tree, args.shared, args.sets, args.first_pass) for name, tree in trees.items()}
            for name, proc in procs.items():
                ready = json.loads(proc.stdout.readline())["ready"]
                if r == 0:
                    print(f"{name:<5} {trees[name]}  (imports {ready})")
        order = list(procs) if r % 2 == 0 else list(reversed(procs))
        for kind in args.kinds:
            for name in order:
                procs[name].stdin.write(kind + "\n")
                procs[name].stdin.flush()
                wall, cpu = json.loads(procs[name].stdout.readline())
                rates.setdefault((name, kind), []).append(cpu)
                walls.setdefault((name, kind), []).append(wall)
        if args.first_pass or r == args.rounds - 1:
            for proc in procs.values():
                proc.stdin.close()
                proc.wait()
    for label, table in (("articles per CPU second", rates), ("articles per wall-clock second", walls)):
        print(f"{label}, {args.rounds} rounds")
        print(f"  {'':<12} {'other med':>10} {'this med':>10} {'ratio':>6}   {'other best':>10} {'this best':>10} {'ratio':>6}")
        for kind in args.kinds:
            o, t = table[("other", kind)], table[("this", kind)]
            print(
                f"  {kind:<12} {statistics.median(o):10.1f} {statistics.median(t):10.1f} {statistics.median(t) / statistics.median(o):6.2f}"
                f"   {max(o):10.1f} {max(t):10.1f} {max(t) / max(o):6.2f}"
            )


if __name__ == "__main__":
    main()
