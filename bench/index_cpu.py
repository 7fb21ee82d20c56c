"""CPU milliseconds per article to index an archive as an ingest's indexer does, tree against tree.

For each tree (a checkout with its own ``.venv``) a child process runs that tree's code on a fresh copy of
the archive: ``writing.Batch(home)``, ``add(store, ids)`` in groups as the indexer receives them, and
``commit(store)``, timed with ``time.process_time`` (CPU, not wall clock: the machine is shared) and split
into phases by timing the functions the batch calls.  Trees take turns (ABAB…) for ``--rounds`` rounds;
the table gives each phase's median.  In its first round each child also writes what both indexes hold
(every term's statistics, postings and block statistics, stored fields, field lengths and columns) and
the parent checks that every tree's indexes hold the same, and (as a stricter check) that every segment
file has the same bytes.

The archive is only read (each run copies its database).  Make one without an index from text files,
then compare the base commit with the working tree:

    .venv/bin/python bench/index_cpu.py /tmp/build-store --make-store /tmp/ing-dev800/txt
    git worktree add /tmp/build-base HEAD --detach  # then a venv in it: python3.11 -m venv .venv && .venv/bin/pip install -e '.[test]'
    .venv/bin/python bench/index_cpu.py /tmp/build-store --tree base=/tmp/build-base --tree new=. --rounds 5
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GROUP = 16  # ids per ``Batch.add`` call: about what the indexer receives per store transaction
PHASES = (
    "read",
    "documents",
    "delete",
    "add articles",
    "add statements",
    "add other",
    "finish statements",
    "finish articles",
    "commit other",
    "open",
)


# --- the child: one tree's code, one build -----------------------------------------------------


def _timed(phases: dict[str, float], name, function):
    """``function`` with its CPU time added to ``phases[name(args)]`` (``name`` a string or a function of the call's arguments)."""
    clock = time.process_time

    def timed(*args, **kwargs):
        started = clock()
        try:
            return function(*args, **kwargs)
        finally:
            key = name if isinstance(name, str) else name(*args)
            phases[key] = phases.get(key, 0.0) + clock() - started

    return timed


def _documents(phases: dict[str, float], function):
    """A document generator's function, made to build its documents at once (so that their time is theirs)."""
    timed = _timed(phases, "documents", lambda *a, **k: list(function(*a, **k)))
    return lambda *a, **k: iter(timed(*a, **k))


def _which(builder) -> str:
    return "articles" if builder.segment.indexname == "articles" else "statements"


def build(home: Path) -> dict:
    """Index every unindexed article of the archive at ``home`` in one batch; CPU seconds per phase."""
    from whoosh.writing import SegmentWriter

    from archive.store import Store
    from index import writing
    from index.segment_builder import SegmentBuilder

    phases: dict[str, float] = {}
    Store.get = _timed(phases, "read", Store.get)
    writing.article_document = _timed(phases, "documents", writing.article_document)
    writing.statement_documents = _documents(phases, writing.statement_documents)
    SegmentWriter.delete_by_term = _timed(phases, "delete", SegmentWriter.delete_by_term)
    SegmentBuilder.add_document = _timed(phases, lambda b, *a: f"add {_which(b)}", SegmentBuilder.add_document)
    SegmentBuilder.finish = _timed(phases, lambda b, *a: f"finish {_which(b)}", SegmentBuilder.finish)
    store = Store(home)
    ids = store.unindexed()
    with writing.write_lock(home):
        writing.open_for_writing(home)  # as the ingest does before it starts its indexer
    clock = time.process_time
    started = clock()
    batch = writing.Batch(home)
    opened = clock()
    for at in range(0, len(ids), GROUP):
        batch.add(store, ids[at : at + GROUP])
    added = clock()
    batch.commit(store)
    done = clock()
    store.close()
    inner = {key: phases.get(key, 0.0) for key in PHASES if key not in ("add other", "commit other", "open")}
    inner["open"] = opened - started
    inner["add other"] = (added - opened) - sum(inner[k] for k in ("read", "documents", "delete", "add articles", "add statements"))
    inner["commit other"] = (done - added) - inner["finish statements"] - inner["finish articles"]
    inner["total"] = done - started
    return {"articles": len(ids), "seconds": inner}


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()[:20]


def _blocks(matcher) -> list[tuple]:
    found = []
    while matcher.is_active():
        found.append((matcher.block_max_id(), matcher.block_max_weight(), matcher.block_min_length(), matcher.block_max_length()))
        if not hasattr(matcher, "_next_block"):
            break
        matcher._next_block()
    return found


def contents(home: Path) -> dict[str, str]:
    """What the batch's indexes hold, as a digest per term, per document's stored fields, per field's
    lengths and per column (keys name them, so that a difference says where it is)."""
    from whoosh import index as whoosh_index

    from index import writing

    path = writing.current_path(home)
    found: dict[str, str] = {}
    for indexname in (None, writing.ARTICLES):
        label = indexname or "statements"
        with whoosh_index.open_dir(path, indexname=indexname).reader() as reader:
            schema = reader.schema
            found[f"{label} docs"] = _digest((reader.doc_count_all(), reader.doc_count()))
            for fieldname, text in reader.all_terms():
                info = reader.term_info(fieldname, text)
                matcher = reader.postings(fieldname, text)
                postings = []
                while matcher.is_active():
                    postings.append((matcher.id(), matcher.weight(), matcher.value()))
                    matcher.next()
                stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight(), info.min_id(), info.max_id())
                blocks = _blocks(reader.postings(fieldname, text))
                found[f"{label} term {fieldname}:{text!r}"] = _digest((stats, postings, blocks))
            for docnum in range(reader.doc_count_all()):
                found[f"{label} stored {docnum}"] = _digest(sorted(reader.stored_fields(docnum).items()))
            for name in schema.scorable_names():
                lengths = [reader.doc_field_length(n, name) for n in range(reader.doc_count_all())]
                found[f"{label} lengths {name}"] = _digest((reader.field_length(name), reader.max_field_length(name), lengths))
            for name in schema.names():
                if schema[name].column_type and reader.has_column(name):
                    found[f"{label} column {name}"] = _digest(list(reader.column_reader(name)))
        found.update(_file_digests(label, whoosh_index.open_dir(path, indexname=indexname)))
    return found


def _file_digests(label: str, ix) -> dict[str, str]:
    """Each segment file's bytes (in the segment's compound file), by segment order and file name without
    the random segment id: the same index written the same way has the same files."""
    found = {}
    for number, segment in enumerate(ix._segments()):
        storage = segment.open_compound_file(ix.storage)
        for name in storage.list():
            handle = storage.open_file(name)
            found[f"{label} file {number}{name.replace(segment.segid, '')}"] = hashlib.sha256(handle.read()).hexdigest()[:20]
            handle.close()
        storage.close()
    return found


def child(store_home: Path, work: Path, check: Path | None) -> None:
    home = Path(tempfile.mkdtemp(prefix="index-cpu-", dir=work))
    try:
        for name in os.listdir(store_home):
            if name.startswith("parley.sqlite3"):
                shutil.copy(store_home / name, home / name)
        result = build(home)
        if check is not None:
            check.write_bytes(pickle.dumps(contents(home)))
        print(json.dumps(result))
    finally:
        shutil.rmtree(home, ignore_errors=True)


# --- the parent: trees in turns, the table, the check -----------------------------------------


def run(tree: Path, store_home: Path, work: Path, check: Path | None) -> dict:
    command = [str(tree / ".venv" / "bin" / "python"), str(Path(__file__).resolve()), "--child", str(store_home), "--work", str(work)]
    if check is not None:
        command += ["--check", str(check)]
    done = subprocess.run(command, cwd=tree, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"{tree}: the build failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(found: dict[str, dict[str, str]]) -> bool:
    labels = list(found)
    first = found[labels[0]]
    same = True
    for label in labels[1:]:
        other = found[label]
        differ = sorted(k for k in first.keys() | other.keys() if first.get(k) != other.get(k))
        print(f"content {labels[0]} vs {label}: {len(first):,} entries, {'the same' if not differ else f'{len(differ)} differ'}")
        for key in differ[:20]:
            print(f"  differs: {key}")
        same = same and not differ
    return same


def make_store(home: Path, folder: Path) -> None:
    from archive.ingest import ingest
    from archive.store import Store

    with Store(home) as store:
        report = ingest(sorted(folder.glob("*.txt")), store, procs=2)
    print(f"{home}: {len(report.added)} articles, {report.statements} statements, {len(report.rejected)} rejected")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("home", type=Path, help="an archive home with no index (only read)")
    parser.add_argument("--tree", action="append", default=[], help="LABEL=PATH of a checkout with its .venv (give two or more)")
    parser.add_argument("--rounds", type=int, default=3, help="builds per tree, taking turns")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()), help="where the archive copies and indexes go")
    parser.add_argument("--no-check", action="store_true", help="skip the content comparison")
    parser.add_argument("--make-store", type=Path, metavar="TEXTS", help="make the archive at HOME from TEXTS/*.txt instead")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--check", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_store:
        make_store(args.home, args.make_store)
        return
    if args.child:
        child(args.home, args.work, args.check)
        return
    trees = dict(item.split("=", 1) for item in args.tree)
    seconds: dict[str, list[dict[str, float]]] = {label: [] for label in trees}
    checks: dict[str, dict[str, str]] = {}
    articles = 0
    with tempfile.TemporaryDirectory(prefix="index-cpu-", dir=args.work) as scratch:
        for round_ in range(args.rounds):
            for label, tree in trees.items():
                check = Path(scratch) / f"{label}.check" if round_ == 0 and not args.no_check else None
                result = run(Path(tree).resolve(), args.home.resolve(), args.work, check)
                articles = result["articles"]
                seconds[label].append(result["seconds"])
                print(f"round {round_ + 1} {label}: {1000 * result['seconds']['total'] / articles:.2f} ms/article", file=sys.stderr)
                if check is not None:
                    checks[label] = pickle.loads(check.read_bytes())
    print(f"CPU ms per article ({articles} articles, median of {args.rounds} rounds, trees in turns)")
    labels = list(trees)
    print(f"{'phase':<18}" + "".join(f"{label:>10}" for label in labels) + ("    change" if len(labels) > 1 else ""))
    for phase in (*PHASES, "total"):
        values = [1000 * statistics.median(r[phase] for r in seconds[label]) / articles for label in labels]
        change = f"{(values[-1] - values[0]) / values[0]:>+10.0%}" if len(labels) > 1 and values[0] > 0.05 else ""
        print(f"{phase:<18}" + "".join(f"{v:>10.2f}" for v in values) + change)
    totals = {label: [round(1000 * r["total"] / articles, 2) for r in seconds[label]] for label in labels}
    print("totals per round: " + "; ".join(f"{label} {values}" for label, values in totals.items()))
    if len(labels) > 1:  # each round's trees ran back to back: their ratio shrugs off the load between rounds
        ratios = [b / a - 1 for a, b in zip(totals[labels[0]], totals[labels[-1]])]
        print(f"{labels[-1]} against {labels[0]}, round by round: " + ", ".join(f"{r:+.0%}" for r in ratios) + f" (median {statistics.median(ratios):+.0%})")
    if checks and not compare(checks):
        sys.exit(1)


if __name__ == "__main__":
    main()
