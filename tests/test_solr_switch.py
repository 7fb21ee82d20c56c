"""Switching an existing archive to Solr: one setting and ``parley reindex``; the CLI and the site on it."""

from __future__ import annotations

import json
import uuid

import pytest
from click.testing import CliRunner
from conftest import PROJECT

from cli.app import cli
from web import create_app

pytestmark = pytest.mark.solr


def run(home, *args):
    return CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)


def test_one_setting_and_reindex_move_an_archive_to_solr(solr_cluster, home):
    assert run(home, "ingest", str(PROJECT / "seeds")).exit_code == 0  # on Whoosh, the default
    whoosh = json.loads(run(home, "search", "ceasefire", "--json").output)
    name = f"s{uuid.uuid4().hex[:8]}"
    (home / "parley.toml").write_text(f'[search]\nbackend = "solr"\nsolr_url = "{",".join(solr_cluster.urls)}"\ncollection = "{name}"\n', encoding="utf-8")
    assert json.loads(run(home, "verify", "--json").output)["no_index"] is True
    reindexed = run(home, "reindex")
    assert reindexed.exit_code == 0, reindexed.output
    solr = json.loads(run(home, "search", "ceasefire", "--json").output)
    assert solr["total"] == whoosh["total"] > 0
    assert {h["id"] for h in solr["hits"]} == {h["id"] for h in whoosh["hits"]}
    assert json.loads(run(home, "verify", "--json").output)["ok"] is True

    client = create_app({"PARLEY_HOME": str(home), "TESTING": True}).test_client()
    answer = client.get("/api/v1/search?q=ceasefire")
    assert answer.status_code == 200 and answer.get_json()["data"]["total"] == whoosh["total"]

    (home / "parley.toml").write_text(f'[search]\nbackend = "solr"\nsolr_url = "http://127.0.0.1:9/solr"\ncollection = "{name}"\n', encoding="utf-8")
    down = create_app({"PARLEY_HOME": str(home), "TESTING": True}).test_client()
    refused = down.get("/api/v1/search?q=ceasefire")
    assert refused.status_code == 503
    assert "unreachable" in json.dumps(refused.get_json())
    page = down.get("/search?q=ceasefire")
    assert page.status_code == 503 and b"unreachable" in page.data


def test_serve_starts_while_solr_is_down_and_answers_503(home):
    import urllib.error
    import urllib.request

    from conftest import served

    assert run(home, "ingest", str(PROJECT / "seeds")).exit_code == 0
    (home / "parley.toml").write_text('[search]\nbackend = "solr"\nsolr_url = "http://127.0.0.1:9/solr"\n', encoding="utf-8")
    with served(home) as base:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}/api/v1/search?q=ceasefire", timeout=10)
        assert refused.value.code == 503
        assert "unreachable" in refused.value.read().decode("utf-8")
