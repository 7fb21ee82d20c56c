"""The long crash-safety run: N ingests of a generated folder killed with SIGKILL at random moments.

Each run starts from an empty home, kills ``parley ingest -v`` at a random moment after its first
commit, then checks (tests/test_crash.py ``kill_run``): everything reported as added is in the store;
``parley verify`` exits 0 or lists only missing articles; after ``parley reindex`` it exits 0; a re-run
ends with every article exactly once.  Prints one line per run and a summary.

    .venv/bin/python bench/crash_loop.py --runs 50 --articles 300
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_crash import kill_run, make_folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--latest", type=float, default=8.0, help="kill up to this many seconds after the first commit")
    parser.add_argument("--seed", type=int, default=1000)
    args = parser.parse_args()
    failures = 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="parley-crash-") as tmp:
        folder = make_folder(Path(tmp) / "articles", args.articles)
        expected = args.articles + 3
        started = time.perf_counter()
        for run in range(args.runs):
            home = Path(tmp) / f"home-{run}"
            try:
                row = kill_run(folder, home, expected=expected, seed=args.seed + run, latest=args.latest)
            except AssertionError as error:
                failures += 1
                print(f"run {run:>3}  FAILED: {error}", flush=True)
                continue
            rows.append(row)
            print(
                f"run {run:>3}  seed {row['seed']}  kill at +{row['delay_s']:>5.2f}s  killed={row['killed']!s:<5}  "
                f"reported {row['reported']:>3}  in store {row['in_store']:>3}  verify missing {row['verify_missing']:>3}  "
                f"re-run added {row['rerun_added']:>3}",
                flush=True,
            )
        elapsed = time.perf_counter() - started
    killed = sum(r["killed"] for r in rows)
    needing_repair = sum(r["verify_missing"] > 0 for r in rows)
    print(
        f"\n{args.runs} runs in {elapsed:.0f} s: {failures} failed, {killed} killed mid-ingest, "
        f"{needing_repair} left the index behind the store (verify listed them, reindex repaired all), "
        f"0 articles reported but lost"
        if not failures
        else f"\n{failures} of {args.runs} runs FAILED"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
