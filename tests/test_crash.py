"""Crash safety: ``parley ingest -v`` (and ``parley reindex``) killed with SIGKILL at random moments.

After each kill:

1. every article the ingest reported as added (``added <id>`` on stderr) is in the store;
2. ``parley verify --json`` exits 0, or exits 1 listing only articles that are in the store but not
   (fully) in the index — never stale entries, never an unreadable index;
3. after ``parley reindex``, ``parley verify`` exits 0;
4. running the same ingest again ends with every article exactly once (in the store and the index).

The normal run kills three ingests (fixed seeds) and one reindex; ``-m slow`` kills 50 ingests of a
bigger folder, so that kills land inside index commits too (``bench/crash_loop.py`` prints a table).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
PARLEY = [sys.executable, "-m", "cli"]
SPEAKERS = ["Dmitry Peskov", "Volodymyr Zelenskyy", "Jean-Noël Barrot", "Antony Blinken", "Ukraine's air force"]
PLACES = ["Kyiv", "Moscow", "Kharkiv", "Paris", "Geneva", "Odesa"]


def only_when_selected(config) -> None:
    """Slow suites run only when asked for (``-m slow``, or ``PARLEY_SLOW=1``): setup.cfg does not deselect them."""
    if "slow" not in (config.getoption("markexpr") or "").replace("not slow", "") and not os.environ.get("PARLEY_SLOW"):
        pytest.skip("slow suite: run with -m slow")


def make_folder(folder: Path, count: int, seed: int = 1) -> Path:
    """``count`` articles with four statements each, as .txt files with front matter (plus one .jsonl of three)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        body = " ".join(
            f"{rng.choice(SPEAKERS)} said in {rng.choice(PLACES)} on Monday that the ceasefire talks number {i}-{j} would go on. "
            f'"We are ready," {rng.choice(SPEAKERS)} told reporters.'
            for j in range(4)
        )
        (folder / f"a{i:04}.txt").write_text(f"---\ntitle: Report {i}\npublished: 2025-04-{1 + i % 28:02}\nsource: Wire\n---\n{body}\n", encoding="utf-8")
    lines = [json.dumps({"title": f"Line {k}", "published": "2025-05-01", "text": f"Officials in Odesa said line {k} of the feed was read."}) for k in range(3)]
    (folder / "z_lines.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def parley(home: Path, *args: str) -> Ran:
    """The real ``parley`` command, run in this process (only the runs we kill need their own process)."""
    from click.testing import CliRunner

    from cli.app import cli

    result = CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)


def verify(home: Path) -> tuple[int, dict]:
    result = parley(home, "verify", "--json")
    return result.returncode, json.loads(result.stdout)


def store_ids(home: Path) -> set[str]:
    from archive.store import Store

    with Store(home) as store:
        return set(store.article_ids())


def kill_run(folder: Path, home: Path, expected: int, seed: int, latest: float, within: int | None = None) -> dict:
    """One ingest killed ``random(0, latest)`` seconds after its first commit — or, with ``within``, just after
    a random one of its first ``within`` commits; checks 1–4 above; returns what happened."""
    rng = random.Random(seed)
    delay = rng.uniform(0.0, latest)
    wanted = rng.randint(1, within) if within else 1
    proc = subprocess.Popen([*PARLEY, "--home", str(home), "ingest", "-v", str(folder)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, cwd=PROJECT)
    lines: list[str] = []
    first = threading.Event()

    def read() -> None:
        for raw in proc.stderr:  # type: ignore[union-attr]
            lines.append(raw.decode("utf-8", "replace"))
            if len(lines) >= wanted:
                first.set()
        first.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    first.wait(timeout=60)  # imports done, the wanted number of articles committed
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    reader.join(timeout=10)
    proc.stderr.close()  # type: ignore[union-attr]
    killed = proc.returncode == -signal.SIGKILL  # else it finished before the kill
    reported = [line.split()[1] for line in lines if line.startswith("added ") and len(line.split()) == 2]
    kept = store_ids(home)
    lost = set(reported) - kept
    assert not lost, f"seed {seed}: reported as added but not in the store: {sorted(lost)}"
    code, differences = verify(home)
    assert code in (0, 1), f"seed {seed}: verify exited {code}"
    assert code == 0 or (not differences["stale"] and set(differences["missing"]) <= kept), (seed, differences)
    assert code == int(not differences["ok"])
    repaired = parley(home, "reindex")
    assert repaired.returncode == 0, repaired.stderr[-2000:]
    assert verify(home)[0] == 0, f"seed {seed}: verify fails after reindex"
    again = parley(home, "ingest", "--json", str(folder))
    assert again.returncode == 0, again.stderr[-2000:]
    summary = json.loads(again.stdout)
    assert summary["added"] + summary["duplicates"] == expected, (seed, summary)
    assert len(store_ids(home)) == expected
    final_code, final = verify(home)
    assert final_code == 0, (seed, final)
    return {
        "seed": seed,
        "delay_s": round(delay, 2),
        "killed": killed,
        "reported": len(reported),
        "in_store": len(kept),
        "verify_missing": len(differences["missing"]),
        "rerun_added": summary["added"],
    }


@pytest.fixture(scope="module")
def small_folder(tmp_path_factory) -> Path:
    return make_folder(tmp_path_factory.mktemp("crash") / "articles", 40)


@pytest.mark.parametrize("seed", [11, 22, 33])
def test_killed_ingest_keeps_what_it_reported_and_reindex_repairs(small_folder, tmp_path, seed):
    result = kill_run(small_folder, tmp_path / "home", expected=43, seed=seed, latest=0.02, within=38)
    assert result["killed"] and result["in_store"] >= result["reported"] >= 1


def test_killed_reindex_leaves_the_old_index_in_use(small_folder, tmp_path):
    home = tmp_path / "home"
    assert parley(home, "ingest", str(small_folder)).returncode == 0
    assert verify(home)[0] == 0
    generations = set((home / "index").glob("gen-*"))
    proc = subprocess.Popen([*PARLEY, "--home", str(home), "reindex"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=PROJECT)
    deadline = time.monotonic() + 60
    while set((home / "index").glob("gen-*")) == generations and time.monotonic() < deadline:
        time.sleep(0.005)  # until the new generation is being built
    time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert verify(home)[0] == 0  # CURRENT still names the complete old generation
    assert parley(home, "reindex").returncode == 0  # and a later reindex sweeps the half-built one
    assert verify(home)[0] == 0


def test_rebuild_worker_stops_when_its_rebuild_is_gone(small_folder, tmp_path):
    """A rebuild worker whose parent died (here: is not the process it was told) stops at its next check
    instead of indexing its whole slice for a build nobody will swap in."""
    home = tmp_path / "home"
    assert parley(home, "ingest", str(small_folder)).returncode == 0
    code = "import sys; from index import writing; writing._build_slice(sys.argv[1], writing._new_generation(sys.argv[1]), '', None, parent=1)"
    ran = subprocess.run([sys.executable, "-c", code, str(home)], capture_output=True, text=True, cwd=PROJECT, timeout=60)
    assert ran.returncode == 1, ran.stderr
    assert "the rebuild (process 1) is gone; stopping" in ran.stderr
    assert parley(home, "reindex", "--procs", "2").returncode == 0  # the abandoned generation is swept
    assert verify(home)[0] == 0
    assert len(list((home / "index").glob("gen-*"))) >= 1


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_a_killed_ingest_leaves_no_worker_process_behind(tmp_path):
    """kill -9 of an ingest that extracts in worker processes: the workers end too (and so release its
    stderr), and what it reported stays in the store."""
    folder = make_folder(tmp_path / "articles", 60)
    home = tmp_path / "home"
    proc = subprocess.Popen(
        [*PARLEY, "--home", str(home), "ingest", "-v", "--procs", "2", str(folder)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, cwd=PROJECT
    )
    first = proc.stderr.readline().decode()  # type: ignore[union-attr]
    assert first.startswith("added "), first
    workers = _children(proc.pid)
    assert len(workers) >= 2  # the two workers (and multiprocessing's resource tracker)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 15
    while any(Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] for pid in workers):
        assert time.monotonic() < deadline, "a worker outlived its ingest"
        time.sleep(0.1)
    rest = []
    reader = threading.Thread(target=lambda: rest.append(proc.stderr.read()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout=15)
    assert rest, "the ingest's stderr is still held open"
    proc.stderr.close()  # type: ignore[union-attr]
    assert first.split()[1] in store_ids(home)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(50))
def test_fifty_kill_runs(request, tmp_path_factory, tmp_path, seed):
    only_when_selected(request.config)
    folder = tmp_path_factory.getbasetemp() / "crash-slow-articles"
    if not folder.exists():
        make_folder(folder, 300)
    kill_run(folder, tmp_path / "home", expected=303, seed=1000 + seed, latest=8.0)
