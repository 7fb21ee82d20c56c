"""A batch mixing good and bad inputs: every good article added, every bad input reported and kept."""

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import DATA

from archive.ingest import WORKER_NICE, Defaults, ingest

BATCH = DATA / "batch"

EXPECTED_REJECTED = {
    "empty.txt": "empty file",
    "binary.txt": "binary file",
    "no_body.html": "no article text",
    "feed_bomb.xml": "entities",
    "report.pdf": "unknown file type",
}
KEPT_WITH_WARNINGS = {"mixed_lines.jsonl": "line 2: invalid JSON"}  # its good lines are added


def test_mixed_batch_adds_good_reports_bad(store):
    report = ingest([BATCH], store)
    reasons = {}
    for problem in report.rejected:
        reasons.setdefault(problem.source.rsplit("/", 1)[-1], []).append(problem.reason)
    for name, fragment in EXPECTED_REJECTED.items():
        assert any(fragment in reason for reason in reasons.get(name, [])), (name, reasons.get(name))
    warned: dict[str, list[str]] = {}
    for problem in report.warnings:
        warned.setdefault(problem.source.rsplit("/", 1)[-1], []).append(problem.reason)
    for name, fragment in KEPT_WITH_WARNINGS.items():
        assert name not in reasons and any(fragment in r for r in warned[name])  # kept, so counted as kept, not rejected
    titles = {e.article.title for e in store}
    assert {
        "Air force reports overnight drone attack",
        "Barrot doubts Kremlin intentions",
        "Zelenskyy urges allies",
        "HTML article",
        "Talks resume in London",
    } <= titles
    texts = " ".join(e.article.text for e in store)
    for needle in ("Café owners", "minister’s aide", "mayor of Odesa"):
        assert needle in texts
    assert len(report.duplicates) == 1  # same_article_twice.txt
    assert store.stats()["articles"] == len(report.added)
    assert store.stats()["rejected"] >= len(EXPECTED_REJECTED) + len(KEPT_WITH_WARNINGS)  # the bad part is quarantined too


def test_same_batch_again_adds_nothing(store):
    first = ingest([BATCH], store)
    again = ingest([BATCH], store)
    assert again.added == []
    assert len(again.duplicates) == len(first.added) + len(first.duplicates)
    assert store.stats()["articles"] == len(first.added)


def test_an_article_is_the_same_whichever_paragraph_break_it_was_stored_with(store, tmp_path):
    """Feeds and plain text break paragraphs with a blank line, the HTML reader with one newline
    (archive/readers/base.py says why); the article id folds whitespace, so neither makes a new article."""
    path = tmp_path / "talks.txt"
    path.write_text("Talks resume\n\nNegotiators met in Istanbul on Monday.\n\nThey will meet again.\n", encoding="utf-8")
    first = ingest([path], store)
    path.write_text("Talks resume\nNegotiators met in Istanbul on Monday.\nThey will meet again.\n", encoding="utf-8")
    again = ingest([path], store)
    assert len(first.added) == 1 and again.added == [] and len(again.duplicates) == 1
    assert store.stats()["articles"] == 1


def test_strict_stops_at_first_bad_input(store, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(BATCH / "good.txt", folder / "a_good.txt")
    shutil.copy(BATCH / "binary.txt", folder / "b_binary.txt")
    shutil.copy(BATCH / "good_no_front_matter.md", folder / "c_good.md")
    report = ingest([folder], store, strict=True)
    assert report.stopped is not None and report.stopped.source.endswith("b_binary.txt")
    assert len(report.added) == 1
    assert store.stats()["articles"] == 1


def test_defaults_fill_only_missing_metadata(store):
    report = ingest([BATCH / "good_no_front_matter.md", BATCH / "good.txt"], store, defaults=Defaults(published=date(2025, 1, 2), source="Given"))
    by_title = {e.article.title: e.article for e in store}
    assert by_title["Barrot doubts Kremlin intentions"].published == date(2025, 1, 2)
    assert by_title["Barrot doubts Kremlin intentions"].source == "Given"
    assert by_title["Air force reports overnight drone attack"].published == date(2025, 4, 22)
    assert by_title["Air force reports overnight drone attack"].source == "Test Wire"
    assert len(report.added) == 2


def test_added_callback_hears_committed_ids(store):
    heard = []
    report = ingest([BATCH / "good.txt", BATCH / "mixed_lines.jsonl"], store, on_added=heard.extend)
    assert heard == report.added
    assert all(store.get(i) is not None for i in heard)


def test_an_extractor_bug_keeps_the_article_and_warns(store, monkeypatch):
    """Simulates a bug in one extractor (the only way to make a deterministic extractor fail)."""
    import archive.extract.pipeline as pipeline

    def broken(text, *_):
        raise KeyError("June.")

    monkeypatch.setattr(pipeline, "find_statements", broken)
    report = ingest([BATCH / "good.txt"], store)
    assert len(report.added) == 1 and report.rejected == []
    assert "extraction failed (KeyError" in report.warnings[0].reason
    assert store.get(report.added[0]).statements == ()


def test_worker_processes_ingest_the_same_batch_the_same_way(tmp_path):
    """Reading and extracting in two worker processes stores, reports and quarantines exactly what one process does."""
    from archive.store import Store

    reports, contents = [], []
    for procs in (1, 2):
        home = tmp_path / f"procs{procs}"
        home.mkdir()
        store = Store(home, readonly=False)
        report = ingest([BATCH], store, procs=procs)
        reports.append(report.as_dict())
        contents.append(sorted((e.article.id, e.article.title, [s.as_dict() for s in e.statements], e.topics) for e in store))
        store.close()
    assert reports[0] == reports[1] and reports[0]["added"] > 5 and reports[0]["rejected"]
    assert contents[0] == contents[1]


def test_worker_processes_read_the_home_folders_vocabulary(tmp_path):
    """The user's topics.toml reaches the workers: extraction there uses the same home folder as here."""
    from archive.extract.data import use_home
    from archive.store import Store

    (tmp_path / "topics.toml").write_text('[cyber]\nterms = ["hackers"]\n', encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(3):
        (folder / f"{n}.txt").write_text(f"Officials said on day {n} that hackers disrupted the grid.\n", encoding="utf-8")
    store = Store(tmp_path, readonly=False)
    try:
        use_home(tmp_path)
        report = ingest([folder], store, procs=2)
    finally:
        use_home("")
    assert len(report.added) == 3
    assert all("cyber" in e.topics for e in store)
    store.close()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_extraction_workers_run_at_a_lower_priority_than_the_ingest(tmp_path):
    """Workers yield the cores to the process that stores and to the one that indexes (archive.ingest.WORKER_NICE)."""
    from archive.store import Store

    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(6):
        (folder / f"{n}.txt").write_text(f"Officials said on day {n} that the talks would go on.\n", encoding="utf-8")
    seen: list[int] = []

    def children_nice(_name: str) -> None:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid():  # the parent pid; the nice value is field 19 of stat
                seen.append(int(fields[16]))

    store = Store(tmp_path, readonly=False)
    report = ingest([folder], store, procs=2, on_input=children_nice)
    store.close()
    assert len(report.added) == 6
    assert min(19, os.nice(0) + WORKER_NICE) in seen, seen


def test_inputs_arriving_one_after_another_share_transactions(tmp_path, monkeypatch):
    """Workers hand over an article every few milliseconds: the transaction waits for the next one
    (archive.ingest.GROUP_LINGER) rather than commit, sync and tell the indexer once per article."""
    from archive.store import Store

    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(40):  # long enough that the next article is still being extracted when this one is stored
        body = "\n\n".join(f"Officials said on day {n} that the talks in Geneva would go on, {k} diplomats told reporters." for k in range(60))
        (folder / f"{n:02}.txt").write_text(body + "\n", encoding="utf-8")
    store = Store(tmp_path, readonly=False)
    on_added, told, transactions = _told_with_commits(store)
    report = ingest([folder], store, procs=2, on_added=on_added)
    store.close()
    assert len(report.added) == 40 and told == report.added  # every article told once, in order, after its commit
    assert len(transactions) <= 10  # one per input when each commit came before waiting for the next
    assert len(set(transactions)) == len(transactions)  # each transaction's ids told at once (one message to an indexer)


def test_a_transaction_does_not_wait_past_its_linger_for_a_slow_input(tmp_path, monkeypatch):
    """What is stored is committed and reported before the ingest waits longer than GROUP_LINGER."""
    import archive.ingest as ingesting
    from archive.store import Store

    monkeypatch.setattr(ingesting, "GROUP_LINGER", 0.0)
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(12):
        (folder / f"{n:02}.txt").write_text(f"Officials said on day {n} that the talks in Geneva would go on.\n", encoding="utf-8")
    store = Store(tmp_path, readonly=False)
    on_added, told, transactions = _told_with_commits(store)
    report = ingest([folder], store, procs=2, on_added=on_added)
    store.close()
    assert len(report.added) == 12 and told == report.added
    assert len(set(transactions)) > 1  # with no linger, the first wait for a worker commits


def _told_with_commits(store):
    """An on_added, the ids it heard, and per call the article count another connection saw committed:
    one count per transaction."""
    import sqlite3

    other = sqlite3.connect(store.path)
    told: list[str] = []
    transactions: list[int] = []

    def on_added(ids):
        transactions.append(other.execute("SELECT count(*) FROM articles").fetchone()[0])
        told.extend(ids)

    return on_added, told, transactions
