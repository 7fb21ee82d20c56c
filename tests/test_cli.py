"""The parley command, run for real: as a subprocess where processes matter, else through click."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA, PROJECT

from cli.app import cli

PARLEY = [sys.executable, "-m", "cli"]


def run(home, *args, input=None):
    result = CliRunner().invoke(cli, ["--home", str(home), *args], input=input, catch_exceptions=False)
    return result


def test_help_lists_every_command_and_option():
    out = CliRunner().invoke(cli, ["--help"]).output
    for command in ("ingest", "stats", "extract", "serve"):
        assert command in out
    ingest_help = CliRunner().invoke(cli, ["ingest", "--help"]).output
    for option in ("--strict", "--published", "--source", "--max-bytes", "--json", "--verbose"):
        assert option in ingest_help


def test_ingest_seeds_then_stats_json(home):
    result = run(home, "ingest", str(PROJECT / "seeds"))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 added")
    stats = json.loads(run(home, "stats", "--json").output)
    assert stats["articles"] == 1
    assert stats["rejected"] == 0
    assert stats["statements"] >= 10 and stats["speakers"] >= 5  # the seed article quotes several people
    assert stats["advice"] == []  # one small index: nothing to do


def test_ingest_reports_each_rejection_with_reason(home):
    result = run(home, "ingest", str(DATA / "batch"))
    assert result.exit_code == 0
    assert "rejected" in result.output
    assert "binary.txt: binary file" in result.output
    assert "report.pdf: unknown file type '.pdf'" in result.output
    again = run(home, "ingest", "--json", str(DATA / "batch"))
    summary = json.loads(again.output.splitlines()[-1])
    assert summary["added"] == 0 and summary["duplicates"] > 0


def test_strict_exits_non_zero(home):
    result = run(home, "ingest", "--strict", str(DATA / "batch" / "binary.txt"), str(DATA / "batch" / "good.txt"))
    assert result.exit_code == 1
    assert "stopped at" in result.output


def test_bad_published_option_is_a_usage_error(home):
    result = CliRunner().invoke(cli, ["--home", str(home), "ingest", "--published", "someday", str(DATA / "batch" / "good.txt")])
    assert result.exit_code == 2
    assert "not a date: 'someday'" in result.output


def test_stdin_ingest(home):
    result = run(home, "ingest", "-", "--source", "Piped", input="Kyiv was quiet overnight, officials said.\n")
    assert result.output.startswith("1 added")


def test_extract_json_contract_on_the_seed():
    seed = PROJECT / "seeds" / "000_57fd264df8e55351.txt"
    out = subprocess.run([*PARLEY, "extract", "--json", str(seed)], capture_output=True, text=True, check=True, cwd=PROJECT).stdout
    lines = out.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert set(record) == {"article", "statements", "places", "dates", "topics"}
    article = record["article"]
    assert article["published"] == "2025-04-22"
    assert Path(article["path"]) == seed.resolve()
    assert article["text"] == seed.read_text(encoding="utf-8").split("---\n", 2)[2]
    for s in record["statements"]:
        assert article["text"][s["start"] : s["end"]] == s["quote"]


def test_home_from_environment(tmp_path):
    env = {**os.environ, "PARLEY_HOME": str(tmp_path / "envhome")}
    subprocess.run([*PARLEY, "ingest", str(DATA / "batch" / "good.txt")], env=env, check=True, capture_output=True, cwd=PROJECT)
    assert (tmp_path / "envhome" / "parley.sqlite3").exists()


@pytest.mark.parametrize("kill_after", [3, 25])
def test_killed_ingest_loses_nothing_reported_and_rerun_completes(tmp_path, kill_after):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(120):
        (folder / f"a{i:03}.txt").write_text(
            f"---\npublished: 2025-04-{1 + i % 28:02}\n---\nReport number {i}: officials in Kyiv said {i} drones were downed.\n"
        )
    home = tmp_path / "home"
    proc = subprocess.Popen(
        [*PARLEY, "--home", str(home), "ingest", "-v", str(folder)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=PROJECT
    )
    reported = []
    for line in proc.stderr:
        if line.startswith("added "):
            reported.append(line.split()[1])
        if len(reported) >= kill_after:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    from archive.store import Store

    with Store(home) as store:
        kept = store.article_ids()
    assert set(reported) <= kept
    result = subprocess.run([*PARLEY, "--home", str(home), "ingest", "--json", str(folder)], capture_output=True, text=True, check=True, cwd=PROJECT)
    summary = json.loads(result.stdout)
    assert summary["added"] + summary["duplicates"] == 120
    with Store(home) as store:
        assert store.stats()["articles"] == 120


def test_serve_seeds_an_empty_home_and_answers_on_loopback(tmp_path):
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    home = tmp_path / "fresh"
    proc = subprocess.Popen(
        [*PARLEY, "--home", str(home), "serve", "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=PROJECT
    )
    output = []
    try:
        for line in proc.stdout:
            output.append(line)
            if line.startswith("Parley on http://"):
                break
        body = None
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/search?q=kind:clarification", timeout=5) as response:
                    body = json.load(response)
                break
            except OSError:
                time.sleep(0.2)
        assert body is not None and body["ok"], "".join(output)
        speakers = {hit["statement"]["speaker"]["name"] for hit in body["data"]["hits"]}
        assert speakers == {"Dmitry Peskov"}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


def test_reindex_extract_redoes_extraction_from_stored_text(home):
    from archive.store import Store

    run(home, "ingest", str(PROJECT / "seeds"))
    with Store(home) as store:
        (article_id,) = store.article_ids()
        original = store.get(article_id)
        store.db.execute("DELETE FROM statements")  # as if an older extractor had found nothing
        store.db.commit()
    result = run(home, "reindex", "--extract")
    assert result.exit_code == 0 and f"extracted 1 article(s) again ({len(original.statements)} statements)" in result.output
    with Store(home) as store:
        assert store.get(article_id) == original
    assert run(home, "verify").exit_code == 0


ARTICLES = {  # file -> body; each says one thing somewhere else
    "pokrovsk.txt": ("2024-09-02", '"We will hold Pokrovsk," Oleksandr Syrskyi said on Monday in Kyiv.'),
    "khan_younis.txt": ("2024-09-03", "The Gaza health ministry said on Tuesday that 12 people were killed in Khan Younis."),
    "bahri.txt": ("2024-09-04", "Sudan's army said on Wednesday it had retaken Bahri, north of Khartoum."),
}


def test_reindex_extract_brings_every_article_and_the_index_up_to_date(home, tmp_path):
    """An archive whose statements and places an older extractor missed: `reindex --extract` re-extracts
    every stored article from its text, and searches and facets show the new extraction."""
    from archive.model import Extraction
    from archive.store import Store

    folder = tmp_path / "articles"
    folder.mkdir()
    for name, (published, body) in ARTICLES.items():
        (folder / name).write_text(f"---\ntitle: {name}\npublished: {published}\nsource: Test Wire\n---\n{body}\n")
    assert run(home, "ingest", str(folder)).exit_code == 0

    def searched() -> tuple[int, set[str], set[str]]:
        page = json.loads(run(home, "search", "--json", "").output)
        facets = {f["name"]: {v["label"] for v in f["values"]} for f in page["facets"]}
        return page["total"], facets["speaker"], facets["place"]

    with Store(home) as store:
        current = {article_id: store.get(article_id) for article_id in store.article_ids()}
        for stored in current.values():
            if stored.article.title != "pokrovsk.txt":
                store.replace_extraction(Extraction(stored.article))  # as an older extractor that found nothing left them
    assert run(home, "reindex").exit_code == 0
    assert searched() == (1, {"Oleksandr Syrskyi"}, {"Pokrovsk", "Kyiv"})

    result = run(home, "reindex", "--extract")
    assert result.exit_code == 0, result.output
    assert "extracted 3 article(s) again (3 statements)" in result.output
    with Store(home) as store:
        assert {article_id: store.get(article_id) for article_id in store.article_ids()} == current
    total, speakers, places = searched()
    assert total == 3
    assert speakers == {"Oleksandr Syrskyi", "Gaza health ministry", "Sudan's army"}
    assert {"Pokrovsk", "Kyiv", "Khan Younis", "Bahri", "Khartoum"} <= places
    assert run(home, "verify").exit_code == 0


def test_serve_warms_the_search_caches_before_the_first_request(home):
    """``warm`` (run by ``serve`` in the background) leaves the index version's facet values built."""
    from cli.serving import warm
    from web import create_app

    assert run(home, "ingest", str(PROJECT / "seeds")).exit_code == 0
    app = create_app({"PARLEY_HOME": str(home)})
    search = app.extensions["parley_search"]
    assert not search._caches
    warm(app)
    assert len(search._caches) == 1 and next(iter(search._caches.values())).doccount > 0


def test_home_after_the_command_a_readable_table_and_singular_counts(tmp_path, monkeypatch):
    """Issue 14: `parley search --home X` works as `parley --home X search`; "1 statement"; a table with headings."""
    from cli.app import cli

    monkeypatch.setenv("PARLEY_HOME", str(tmp_path / "elsewhere"))
    home = tmp_path / "home"
    runner = CliRunner()
    added = runner.invoke(cli, ["ingest", str(DATA / "batch" / "good.txt"), "--home", str(home)])
    assert added.exit_code == 0, added.output
    assert "1 added (" in added.output and "from 1 input" in added.output and "1 inputs" not in added.output
    assert not (tmp_path / "elsewhere").exists()  # the --home after the command decided
    found = runner.invoke(cli, ["search", "drones", "--home", str(home)], env={"COLUMNS": "80"})
    assert found.exit_code == 0, found.output
    lines = found.output.splitlines()
    assert lines[0] == "1 statement"
    assert lines[1].split() == ["date", "speaker", "kind", "quote"]
    assert all(len(line) <= 80 for line in lines)
    kept = runner.invoke(cli, ["--home", str(home), "ingest", str(DATA / "batch" / "mixed_lines.jsonl")])
    assert "0 rejected" in kept.output and "1 input kept with warnings" in kept.output


def test_search_filters_on_confidence_bands_and_refuses_others(home):
    from conftest import build_archive
    from index_corpus import CONFIDENCE, extractions

    build_archive(home, extractions())
    high = json.loads(run(home, "search", "--confidence", "high", "--json").output)
    assert high["total"] == sum(c >= 0.8 for c in CONFIDENCE) == 4
    assert {h["statement"]["confidence_band"] for h in high["hits"]} == {"high"}
    either = json.loads(run(home, "search", "--confidence", "medium", "--confidence", "low", "--json").output)
    assert either["total"] == 4 and all(h["statement"]["confidence"] < 0.8 for h in either["hits"])
    wrong = CliRunner().invoke(cli, ["--home", str(home), "search", "--confidence", "0.9"])
    assert wrong.exit_code == 2 and "'0.9' is not one of 'high', 'medium', 'low'" in wrong.output
