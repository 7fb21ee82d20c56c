"""Benchmark Parley's index and search against SQLite FTS5 on a generated archive.

    .venv/bin/python bench/search_bench.py /tmp/parley-bench/a10k --files /tmp/parley-bench/a10k-files
    .venv/bin/python bench/search_bench.py --sizes 10k,100k     # quick: archives made once, ~15 min

Steps (each printed as it finishes, all saved to ``/tmp/parley-bench/results-<home>.json``):

1. index build: ``index.writing.rebuild`` with procs=1 and procs=2, each in a fresh child process
   (so peak memory is the build's own): articles/s, statements/s, index size, peak RSS;
2. ingest end to end: ``parley --home TMP ingest --json FILES/txt`` in a child process (real
   readers, extractors, store, index updates through the Feeder): articles/s, statements/s;
3. the same statements loaded into SQLite FTS5 (same texts as the Whoosh documents, from
   ``index.documents.statement_documents``): load time and size;
4. for each query kind, warm-up then N timed queries through ``SearchIndex.search`` and the
   equivalent SQL (20 hits ranked by bm25 with highlights, the exact total, facet counts), the
   engines taking turns query by query (``--reference`` adds Parley through Whoosh's own matchers,
   the path before array ranking, and checks it answers the same): p50/p95/p99 ms, and a check that
   both engines count the same hits;
5. cProfile of the slowest Parley query kinds.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from whoosh.analysis import STOP_WORDS  # noqa: E402

import index.schema  # noqa: E402
from archive.period import day_number  # noqa: E402
from archive.store import Store  # noqa: E402
from index.documents import statement_documents  # noqa: E402
from index.query import FIELD_BOOSTS  # noqa: E402
from index.request import SearchRequest  # noqa: E402
from index.search import SearchIndex  # noqa: E402
from index.writing import current_path, rebuild  # noqa: E402

OUT = Path("/tmp/parley-bench")
SEPARATOR = getattr(index.schema, "SEPARATOR", ",")  # between values of multi-valued fields
FACETS = ("speaker", "kind", "place", "topic", "source")
KINDS = ("1 term", "2 terms", "phrase", "field filter", "date range 90d", "1 term+5 facets+hl", "deep page 200")
from index.query import DEFAULT_FIELDS  # noqa: E402

FTS_COLUMNS = DEFAULT_FIELDS  # the same text FTS5 searches as Parley's plain queries do
ALL_KINDS = [
    "statement",
    "clarification",
    "warning",
    "skepticism",
    "allegation",
    "claim",
    "denial",
    "proposal",
    "appeal",
    "report",
    "prediction",
    "hope",
    "reaffirmation",
    "commitment",
    "threat",
    "criticism",
    "confirmation",
    "acknowledgement",
]
PER_PAGE = 20
DEEP_PAGE = 200


def mib(kib: int) -> float:
    return round(kib / 1024, 1)


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


# --- 1. index build (child process) ------------------------------------------------------


def build_phase(home: Path, procs: int) -> dict:
    store = Store(home, readonly=True)
    read_s = None
    if procs == 1:  # how much of the build is reading the store and making documents
        started = time.perf_counter()
        for extraction in store:
            for _doc in statement_documents(extraction):
                pass
        read_s = time.perf_counter() - started
    report = rebuild(home, store, procs=procs)
    path = current_path(home)
    return {
        "procs": procs,
        "articles": report.articles,
        "statements": report.statements,
        "seconds": round(report.seconds, 1),
        "articles_per_s": round(report.articles / report.seconds),
        "statements_per_s": round(report.statements / report.seconds),
        "store_read_and_documents_s": round(read_s, 1) if read_s is not None else None,
        "index_mib": round(du(path) / 2**20, 1),
        "segments": len(list(path.glob("*.seg"))),
        "peak_rss_mib": mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
        "peak_rss_children_mib": mib(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss),
    }


def run_child(args: list[str]) -> tuple[str, float, int]:
    """Run a command; its stdout, wall seconds and peak RSS (KiB) from wait4."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{err[-3000:]}")
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest child so far
    return out, seconds, rss


# --- 2. ingest end to end ----------------------------------------------------------------


def ingest_run(files: Path, name: str, limit: int) -> dict:
    home = OUT / f"ingest-{name}"
    shutil.rmtree(home, ignore_errors=True)
    parley = Path(sys.executable).parent / "parley"
    txt = files / "txt"
    paths = sorted(str(p) for p in txt.glob("*.txt"))[:limit]
    count = len(paths)
    proc_args = [str(parley), "--home", str(home), "ingest", "--json", *paths]
    started = time.perf_counter()
    proc = subprocess.Popen(proc_args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    _pid, _status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    out = proc.stdout.read()
    proc.returncode = os.waitstatus_to_exitcode(_status)
    if proc.returncode:
        return {"error": proc.stderr.read()[-1500:]}
    report = json.loads(out.strip().splitlines()[-1])
    return {
        "files": count,
        "added": report["added"],
        "statements_found": report["statements"],
        "rejected": len(report["rejected"]),
        "seconds": round(seconds, 1),
        "articles_per_s": round(report["added"] / seconds, 1),
        "statements_per_s": round(report["statements"] / seconds, 1),
        "peak_rss_mib": mib(usage.ru_maxrss),
        "home": str(home),
    }


# --- queries -----------------------------------------------------------------------------


@dataclass
class Query:
    text: str  # Parley query string
    match: str  # FTS5 MATCH string
    kinds: tuple[str, ...] = ()
    days: tuple[int, int] | None = None
    facets: bool = False
    page: int = 1
    extra: dict = field(default_factory=dict)


_WORD = re.compile(r"[a-z]+")
_PAIR = re.compile(r"\b([a-z]{4,}) ([a-z]{4,})\b")


def _ok(word: str) -> bool:
    return len(word) >= 4 and word not in STOP_WORDS


def make_queries(store: Store, n: int, seed: int = 7) -> dict[str, list[Query]]:
    """Deterministic queries drawn from the archive's own quotes: frequent and rare words alternate."""
    rng = random.Random(seed)
    total = store.stats()["statements"]
    sample = [json.loads(r[0])["quote"] for r in store.db.execute("SELECT data FROM statements ORDER BY id LIMIT 30000")]
    df: Counter[str] = Counter()
    for quote in sample:
        df.update({w for w in _WORD.findall(quote.lower()) if _ok(w)})
    ranked = sorted(df.items(), key=lambda kv: (-kv[1], kv[0]))
    frequent = [w for w, _ in ranked[:300]]
    rare = sorted(w for w, c in ranked if 2 <= c <= 8)
    rare = rng.sample(rare, min(len(rare), 3000))
    need = (DEEP_PAGE * PER_PAGE * 1.5) * len(sample) / total  # sample df that predicts >= 6,000 hits
    deep = [w for w, c in ranked if c >= need][:100] or frequent[:20]

    def term(i: int) -> str:
        return frequent[(i // 2) % len(frequent)] if i % 2 == 0 else rare[(i // 2) % len(rare)]

    def pair(i: int) -> tuple[str, str]:
        while True:
            words = list(dict.fromkeys(w for w in _WORD.findall(rng.choice(sample).lower()) if _ok(w)))
            if len(words) >= 2:
                return tuple(rng.sample(words, 2))  # type: ignore[return-value]

    def phrase(i: int) -> tuple[str, str]:
        while True:
            pairs = [m.groups() for m in _PAIR.finditer(rng.choice(sample).lower()) if _ok(m.group(1)) and _ok(m.group(2))]
            if pairs:
                return rng.choice(pairs)

    first = day_number(date(2023, 1, 1))
    queries: dict[str, list[Query]] = {k: [] for k in KINDS}
    for i in range(n):
        t = term(i)
        queries["1 term"].append(Query(t, f'"{t}"'))
        a, b = pair(i)
        queries["2 terms"].append(Query(f"{a} {b}", f'"{a}" "{b}"'))
        a, b = phrase(i)
        queries["phrase"].append(Query(f'"{a} {b}"', f'"{a} {b}"'))
        t = term(i + 1)
        queries["field filter"].append(Query(t, f'"{t}"', kinds=tuple(rng.sample(ALL_KINDS, 2))))
        lo = first + rng.randrange(3 * 365 - 90)
        t = term(i + 3)
        queries["date range 90d"].append(Query(t, f'"{t}"', days=(lo, lo + 89)))
        t = term(i + 5)
        queries["1 term+5 facets+hl"].append(Query(t, f'"{t}"', facets=True))
        t = deep[i % len(deep)]
        queries["deep page 200"].append(Query(t, f'"{t}"', page=DEEP_PAGE))
    return queries


# --- Parley ------------------------------------------------------------------------------


def parley_run(si: SearchIndex, q: Query):
    epoch = date(1970, 1, 1)
    return si.search(
        SearchRequest(
            q.text,
            filters={"kind": list(q.kinds)} if q.kinds else None,
            facets=FACETS if q.facets else (),
            page=q.page,
            per_page=PER_PAGE,
            date_from=epoch + timedelta(days=q.days[0]) if q.days else None,
            date_to=epoch + timedelta(days=q.days[1]) if q.days else None,
        )
    )


def parley_summary(page) -> dict:
    return {
        "total": page.total,
        "hits": [(h.id, h.score) for h in page.hits],  # the page itself: "same results" compares ids and scores
        "facets": {f.name: [(v.value, v.count) for v in f.values] for f in page.facets},
    }


# --- SQLite FTS5 -------------------------------------------------------------------------


def fts_rows(path: Path) -> int | None:
    """How many statements an earlier run's FTS5 database holds (None: none, or unreadable)."""
    if not path.exists():
        return None
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            return db.execute("SELECT count(*) FROM st").fetchone()[0]
    except sqlite3.Error:
        return None


def fts_build(store: Store, path: Path) -> dict:
    if path.exists():
        path.unlink()
    db = sqlite3.connect(path)
    db.executescript(
        f"""
        PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
        CREATE TABLE st (id INTEGER PRIMARY KEY, sid TEXT NOT NULL, article_id TEXT NOT NULL, speaker_id TEXT,
                         kind TEXT, type TEXT, source TEXT, day INTEGER, title TEXT, url TEXT, published INTEGER);
        CREATE TABLE st_place (sid INTEGER, value TEXT, PRIMARY KEY (sid, value)) WITHOUT ROWID;
        CREATE TABLE st_topic (sid INTEGER, value TEXT, PRIMARY KEY (sid, value)) WITHOUT ROWID;
        CREATE VIRTUAL TABLE fts USING fts5({", ".join(FTS_COLUMNS)}, tokenize = 'porter unicode61 remove_diacritics 2');
        """
    )
    started = time.perf_counter()
    rowid = 0
    urls = dict(store.db.execute("SELECT id, url FROM articles"))
    db.execute("BEGIN")
    for extraction in store:
        st, fts, places, topics = [], [], [], []
        for doc in statement_documents(extraction):
            rowid += 1
            st.append(
                (
                    rowid,
                    doc["id"],
                    doc["article_id"],
                    doc["speaker_id"],
                    doc["kind"],
                    doc["type"],
                    doc["source"],
                    doc["day"],
                    extraction.article.title or "",
                    urls.get(doc["article_id"]),
                    doc["published"],
                )
            )
            fts.append((rowid, *(doc[c] for c in FTS_COLUMNS)))
            places += [(rowid, p) for p in dict.fromkeys(doc["places"].split(SEPARATOR)) if p]
            topics += [(rowid, t) for t in dict.fromkeys(doc["topics"].split(SEPARATOR)) if t]
        db.executemany("INSERT INTO st VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", st)
        db.executemany(f"INSERT INTO fts (rowid, {', '.join(FTS_COLUMNS)}) VALUES ({', '.join('?' * (len(FTS_COLUMNS) + 1))})", fts)
        db.executemany("INSERT INTO st_place VALUES (?, ?)", places)
        db.executemany("INSERT INTO st_topic VALUES (?, ?)", topics)
    db.executescript(
        """
        CREATE INDEX st_speaker ON st (speaker_id); CREATE INDEX st_kind ON st (kind);
        CREATE INDEX st_day ON st (day); CREATE INDEX st_source ON st (source);
        CREATE INDEX st_place_value ON st_place (value); CREATE INDEX st_topic_value ON st_topic (value);
        INSERT INTO fts (fts) VALUES ('optimize');
        """
    )
    db.commit()
    db.execute("ANALYZE")
    db.commit()
    seconds = time.perf_counter() - started
    db.close()
    return {"statements": rowid, "seconds": round(seconds, 1), "statements_per_s": round(rowid / seconds), "db_mib": round(path.stat().st_size / 2**20, 1)}


WEIGHTS = ", ".join(str(FIELD_BOOSTS[c]) for c in FTS_COLUMNS)
FACET_SQL = {
    "speaker": "SELECT st.speaker_id, count(*) AS n FROM fts JOIN st ON st.id = fts.rowid WHERE fts MATCH ? AND st.speaker_id != '' GROUP BY 1 ORDER BY n DESC, 1 LIMIT 10",
    "kind": "SELECT st.kind, count(*) AS n FROM fts JOIN st ON st.id = fts.rowid WHERE fts MATCH ? GROUP BY 1 ORDER BY n DESC, 1 LIMIT 10",
    "source": "SELECT st.source, count(*) AS n FROM fts JOIN st ON st.id = fts.rowid WHERE fts MATCH ? AND st.source != '' GROUP BY 1 ORDER BY n DESC, 1 LIMIT 10",
    "place": "SELECT p.value, count(*) AS n FROM fts JOIN st_place p ON p.sid = fts.rowid WHERE fts MATCH ? GROUP BY 1 ORDER BY n DESC, 1 LIMIT 10",
    "topic": "SELECT p.value, count(*) AS n FROM fts JOIN st_topic p ON p.sid = fts.rowid WHERE fts MATCH ? GROUP BY 1 ORDER BY n DESC, 1 LIMIT 10",
}


def fts_run(db: sqlite3.Connection, q: Query) -> dict:
    """The SearchPage work in SQL: 20 ranked ids, their rows with a highlighted quote, the total, facets."""
    where, params = "", [q.match]
    if q.kinds:
        where += f" AND st.kind IN ({', '.join('?' * len(q.kinds))})"
        params += q.kinds
    if q.days:
        where += " AND st.day BETWEEN ? AND ?"
        params += q.days
    offset = (q.page - 1) * PER_PAGE
    if where:
        ids = db.execute(
            f"SELECT fts.rowid FROM fts JOIN st ON st.id = fts.rowid WHERE fts MATCH ?{where} ORDER BY bm25(fts, {WEIGHTS}) LIMIT ? OFFSET ?",
            (*params, PER_PAGE, offset),
        ).fetchall()
        total = db.execute(f"SELECT count(*) FROM fts JOIN st ON st.id = fts.rowid WHERE fts MATCH ?{where}", params).fetchone()[0]
    else:
        ids = db.execute(f"SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts, {WEIGHTS}) LIMIT ? OFFSET ?", (q.match, PER_PAGE, offset)).fetchall()
        total = db.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (q.match,)).fetchone()[0]
    rows = []
    if ids:
        marks = ", ".join("?" * len(ids))
        rows = db.execute(
            "SELECT st.sid, st.article_id, st.title, st.source, st.url, st.published, highlight(fts, 0, '<mark>', '</mark>')"
            f" FROM fts JOIN st ON st.id = fts.rowid WHERE fts MATCH ? AND fts.rowid IN ({marks})",
            (q.match, *[r[0] for r in ids]),
        ).fetchall()
    facets = {name: db.execute(sql, (q.match,)).fetchall() for name, sql in FACET_SQL.items()} if q.facets else {}
    return {"total": total, "hits": len(rows), "facets": {k: [tuple(r) for r in v] for k, v in facets.items()}}


# --- timing ------------------------------------------------------------------------------


def profile(si: SearchIndex, queries: list[Query], kind: str, limit: int = 100) -> str:
    prof = cProfile.Profile()
    prof.enable()
    for q in queries[:limit]:
        parley_run(si, q)
    prof.disable()
    text = io.StringIO()
    stats = pstats.Stats(prof, stream=text)
    stats.sort_stats("tottime").print_stats(18)
    stats.sort_stats("cumulative").print_stats(25)
    path = OUT / f"profile-{kind.replace(' ', '_').replace('+', '')}.txt"
    path.write_text(text.getvalue())
    return str(path)


def print_table(results: dict) -> None:
    """The side-by-side table, as bench/README.md shows it (Markdown)."""
    rows = results["table"]
    reference = any("whoosh_matchers" in r for r in rows)
    print(f"\n{results['home']}: {results.get('statements', '?')} statements")
    print(
        "| kind | Parley p50/p95/p99 ms | FTS5 p50/p95/p99 ms | Parley ÷ FTS5, p50 / p95 |"
        + (" Whoosh matchers p50/p95/p99 ms | same results |" if reference else "")
    )
    print("|---|---|---|---|" + ("---|---|" if reference else ""))
    for r in rows:
        pp = " / ".join(f"{x:g}" for x in r["parley"])
        ff = " / ".join(f"{x:g}" for x in r["fts5"])
        line = f"| {r['kind']} | {pp} | {ff} | {r['ratio_p50']:g}× / {r['ratio_p95']:g}× |"
        if reference:
            ww = " / ".join(f"{x:g}" for x in r.get("whoosh_matchers", ()))
            line += f" {ww} | {r.get('same_results', '')} |"
        print(line)
    for build in results.get("builds", []):
        print(f"build procs={build['procs']}: {build['statements_per_s']:,} statements/s ({build['seconds']} s, {build['index_mib']} MiB)")
    if "fts_build" in results and "reused" in results["fts_build"]:
        print(f"FTS5: reused {results['fts_build']['reused']}")
    elif "fts_build" in results:
        print(f"FTS5 load: {results['fts_build']['statements_per_s']:,} statements/s ({results['fts_build']['seconds']} s)")
    if isinstance(results.get("ingest"), dict) and "articles_per_s" in results["ingest"]:
        ing = results["ingest"]
        print(f"ingest: {ing['articles_per_s']} articles/s, {ing['statements_per_s']} statements/s ({ing['files']} files, {ing['seconds']} s)")
    if "cold_start" in results:
        cold = results["cold_start"]
        print(
            f"cold start: first search after {cold['first_search_s']} s (process start to answer), RSS {cold['rss_mib']} MiB;"
            f" searching process peak RSS {results.get('parley_search_peak_rss_mib')} MiB (with FTS5 and the reference path)"
        )
    if "search_process" in results:
        sp = results["search_process"]
        print(f"a process that only searches: {sp['queries']} queries in {sp['seconds']} s, peak RSS {sp['peak_rss_mib']} MiB")


COLD = """
import resource, sys, time
started = time.perf_counter()
sys.path.insert(0, {root!r})
from index.request import SearchRequest  # noqa: E402
from index.search import SearchIndex
page = SearchIndex({home!r}).search(SearchRequest("ceasefire talks", facets=("speaker", "kind")))
print(time.perf_counter() - started, page.total, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def cold_start(home: Path) -> dict:
    """A fresh process's first search: interpreter, imports, opening the index, caches, the answer."""
    started = time.perf_counter()
    out, _, _ = run_child([sys.executable, "-c", COLD.format(root=str(ROOT), home=str(home))])
    wall = time.perf_counter() - started
    inside, total, rss = out.split()
    return {"first_search_s": round(wall, 2), "after_interpreter_s": round(float(inside), 2), "rss_mib": mib(int(rss)), "total": int(total)}


def search_rss_phase(home: Path, n: int) -> dict:
    """A process that only searches (no FTS5, no reference path): every kind's queries once, its peak RSS."""
    queries = make_queries(Store(home, readonly=True), n)
    si = SearchIndex(home)
    started = time.perf_counter()
    count = 0
    for kind in KINDS:
        for q in queries[kind][:n]:
            parley_run(si, q)
            count += 1
    return {"queries": count, "seconds": round(time.perf_counter() - started, 1), "peak_rss_mib": mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)}


SIZE = re.compile(r"^(\d+)([km]?)$")


def sizes_run(args) -> None:
    """``--sizes 10k,100k``: for each size (statements), a generated archive (made once, kept in
    /tmp/parley-bench/sNNN), one build with 2 processes, an ingest sample, FTS5, and fewer queries:
    the whole run at 100k statements fits in about a quarter of an hour on a busy 2-core machine."""
    summaries = []
    for size in args.sizes.split(","):
        match = SIZE.match(size.strip().lower())
        if not match:
            raise SystemExit(f"--sizes: {size!r} is not a count like 10k or 100k")
        statements = int(match.group(1)) * {"": 1, "k": 1000, "m": 1_000_000}[match.group(2)]
        home = OUT / f"s{size.strip().lower()}"
        files = OUT / f"s{size.strip().lower()}-files"
        made = OUT / f"s{size.strip().lower()}.generated"  # written once the archive is complete
        if not made.exists():
            shutil.rmtree(home, ignore_errors=True)
            shutil.rmtree(files, ignore_errors=True)
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "bench" / "generate.py"),
                    "--articles",
                    str(max(1, statements // 10)),
                    "--home",
                    str(home),
                    "--files",
                    str(args.ingest_files),
                ],
                check=True,
                cwd=ROOT,
            )
            made.write_text(time.strftime("%Y-%m-%d %H:%M"))
        main(
            [
                str(home),
                "--files",
                str(files),
                "--ingest-files",
                str(args.ingest_files),
                "--queries",
                str(args.queries),
                "--warmup",
                str(args.warmup),
                "--procs",
                args.procs,
                "--profile",
                str(args.profile),
                "--reference",
            ]
        )
        summaries.append(json.loads((OUT / f"results-{home.name}.json").read_text()))
    for results in summaries:
        print_table(results)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Parley index + search benchmark against SQLite FTS5")
    parser.add_argument("home", type=Path, nargs="?", help="an archive home (not with --sizes)")
    parser.add_argument("--files", type=Path, help="folder from generate.py --files (txt/ inside): time 'parley ingest' on it")
    parser.add_argument("--ingest-files", type=int, help="how many of the files to ingest")
    parser.add_argument("--queries", type=int, help="timed queries per kind (500; 200 with --sizes)")
    parser.add_argument("--warmup", type=int, help="untimed queries per kind first (50; 20 with --sizes)")
    parser.add_argument("--procs", help="index builds to time (comma-separated procs; '' for none; 1,2; 2 with --sizes)")
    parser.add_argument("--profile", type=int, help="profile the N slowest Parley kinds (2; 0 with --sizes)")
    parser.add_argument("--keep-fts", action="store_true", help="reuse the FTS5 database of an earlier run when it holds every statement")
    parser.add_argument("--reference", action="store_true", help="also time Parley through Whoosh's own matchers (the path before array ranking)")
    parser.add_argument("--sizes", help="e.g. 10k,100k: generate (once) and bench archives of these many statements, quickly")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # Defaults: a full run, or a quick one per size with --sizes
    for name, full, quick in (("queries", 500, 200), ("warmup", 50, 20), ("procs", "1,2", "2"), ("ingest_files", 300, 100), ("profile", 2, 0)):
        if getattr(args, name) is None:
            setattr(args, name, quick if args.sizes else full)
    if args.sizes:
        sizes_run(args)
        return
    if args.home is None:
        parser.error("give an archive home, or --sizes")
    home = args.home.resolve()
    if args.phase == "build":
        print(json.dumps(build_phase(home, int(args.procs))))
        return
    if args.phase == "search-rss":
        print(json.dumps(search_rss_phase(home, args.queries)))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict = {"home": str(home), "date": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count()}
    out_path = OUT / f"results-{home.name}.json"

    def save() -> None:
        out_path.write_text(json.dumps(results, indent=1))

    results["builds"] = []
    for procs in [int(p) for p in args.procs.split(",") if p]:
        out, _, _ = run_child([sys.executable, __file__, str(home), "--phase", "build", "--procs", str(procs)])
        build = json.loads(out.strip().splitlines()[-1])
        results["builds"].append(build)
        print("build", build, flush=True)
        save()
    if current_path(home) is None:
        raise SystemExit(f"no index in {home}: run without --procs ''")
    results["index_mib"] = round(du(current_path(home)) / 2**20, 1)
    results["statements"] = Store(home, readonly=True).stats()["statements"]
    if args.files:
        results["ingest"] = ingest_run(args.files, home.name, args.ingest_files)
        print("ingest", results["ingest"], flush=True)
        save()

    store = Store(home, readonly=True)
    queries = make_queries(store, args.queries + args.warmup)
    timed_queries = {k: v[: args.queries] for k, v in queries.items()}
    warm = {k: v[args.queries :] for k, v in queries.items()}

    results["cold_start"] = cold_start(home)
    print("cold start", results["cold_start"], flush=True)
    out, _, _ = run_child([sys.executable, __file__, str(home), "--phase", "search-rss", "--queries", str(args.queries)])
    results["search_process"] = json.loads(out.strip().splitlines()[-1])
    print("a process that only searches", results["search_process"], flush=True)
    si = SearchIndex(home)
    started = time.perf_counter()
    si.search(SearchRequest("ceasefire"))
    results["parley_first_search_ms"] = round((time.perf_counter() - started) * 1000)  # opens the searcher, builds caches
    started = time.perf_counter()
    si.search(SearchRequest("ceasefire", facets=FACETS))
    results["parley_first_facet_search_ms"] = round((time.perf_counter() - started) * 1000)
    fts_path = OUT / f"{home.name}-fts.sqlite3"
    if args.keep_fts and fts_rows(fts_path) == results["statements"]:
        results["fts_build"] = {"reused": str(fts_path), "statements": results["statements"]}
    else:
        results["fts_build"] = fts_build(store, fts_path)
    print("fts build", results["fts_build"], flush=True)
    db = sqlite3.connect(f"file:{fts_path}?mode=ro", uri=True)
    # The engines take turns query by query, so that a busy machine slows them alike: the ratios of
    # one run stay comparable even when the absolute times are not.
    ref_si = SearchIndex(home, fast=False) if args.reference else None  # Whoosh's own matchers: the path before array ranking
    parley: dict[str, dict] = {}
    reference: dict[str, dict] = {}
    fts: dict[str, dict] = {}
    for kind in KINDS:
        for q in warm[kind]:
            parley_run(si, q)
            fts_run(db, q)
            if ref_si is not None:
                parley_run(ref_si, q)
        times, summaries, ref_times, same, fts_times, fts_summaries = [], [], [], 0, [], []
        for q in timed_queries[kind]:
            t0 = time.perf_counter()
            page = parley_run(si, q)
            times.append((time.perf_counter() - t0) * 1000)
            summaries.append(parley_summary(page))
            if ref_si is not None:
                t0 = time.perf_counter()
                page = parley_run(ref_si, q)
                ref_times.append((time.perf_counter() - t0) * 1000)
                same += parley_summary(page) == summaries[-1]
            t0 = time.perf_counter()
            fts_summaries.append(fts_run(db, q))
            fts_times.append((time.perf_counter() - t0) * 1000)
        parley[kind] = {"times": times, "results": summaries}
        fts[kind] = {"times": fts_times, "results": fts_summaries}
        line = f"{kind}: parley p50 {pct(times, 0.5):.1f} p95 {pct(times, 0.95):.1f} ms; fts5 p50 {pct(fts_times, 0.5):.1f} p95 {pct(fts_times, 0.95):.1f} ms"
        if ref_si is not None:
            reference[kind] = {"times": ref_times, "same_results": same}
            line += f"; Whoosh matchers p50 {pct(ref_times, 0.5):.1f} p95 {pct(ref_times, 0.95):.1f} ms, same results {same}/{len(ref_times)}"
        print(line, flush=True)
    results["parley_search_peak_rss_mib"] = mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)

    rows, checks = [], {}
    for kind in KINDS:
        p, f = parley[kind], fts[kind]
        row = {"kind": kind}
        for name, t in (("parley", p["times"]), ("fts5", f["times"])):
            row[name] = [round(pct(t, x), 1) for x in (0.5, 0.95, 0.99)]
        row["ratio_p50"] = round(row["parley"][0] / max(row["fts5"][0], 0.01), 1)
        row["ratio_p95"] = round(row["parley"][1] / max(row["fts5"][1], 0.01), 1)
        row["mean_total"] = round(sum(r["total"] for r in p["results"]) / len(p["results"]))
        if kind in reference:
            row["whoosh_matchers"] = [round(pct(reference[kind]["times"], x), 1) for x in (0.5, 0.95, 0.99)]
            row["same_results"] = f"{reference[kind]['same_results']}/{len(reference[kind]['times'])}"
        rows.append(row)
        bad = [(q.text, a["total"], b["total"]) for q, a, b in zip(timed_queries[kind], p["results"], f["results"]) if a["total"] != b["total"]]
        facet_bad = []
        for q, a, b in zip(timed_queries[kind], p["results"], f["results"]):
            if a["total"] != b["total"]:
                continue  # already counted above; its facets differ with it
            for name, values in a["facets"].items():
                # Ties at the tenth place may be cut differently: compare the counts in order, and the
                # count of every value both lists hold.
                mine, theirs = dict(values), dict(tuple(v) for v in b["facets"].get(name, []))
                if sorted(mine.values(), reverse=True) != sorted(theirs.values(), reverse=True) or any(
                    mine[v] != theirs[v] for v in mine.keys() & theirs.keys()
                ):
                    facet_bad.append((q.text, name))
        checks[kind] = {
            "queries": len(p["results"]),
            "total_mismatches": len(bad),
            "relative_diff_max": round(max((abs(x - y) / max(x, y, 1) for _, x, y in bad), default=0), 4),
            "examples": bad[:5],
            "facet_mismatches": len(facet_bad),
            "facet_examples": facet_bad[:3],
        }
    results["table"] = rows
    results["checks"] = checks
    save()

    print_table(results)
    print("\ncorrectness (Parley total == FTS5 total):")
    for kind, c in checks.items():
        print(
            f"  {kind}: {c['total_mismatches']} of {c['queries']} differ (max relative diff {c['relative_diff_max']})"
            + (f", e.g. {c['examples'][:2]}" if c["examples"] else "")
            + (f"; facet lists differ in {c['facet_mismatches']}, e.g. {c['facet_examples'][:2]}" if c["facet_mismatches"] else "")
        )

    slowest = sorted(rows, key=lambda r: -r["parley"][1])[: args.profile]
    results["profiles"] = {r["kind"]: profile(si, timed_queries[r["kind"]], r["kind"]) for r in slowest}
    save()
    print("\nprofiles:", results["profiles"])
    print("results:", out_path)


if __name__ == "__main__":
    main()
