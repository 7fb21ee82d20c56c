"""Expensive query forms are bounded by the words they stand for (issue 15, item 3): a prefix, wildcard,
fuzzy term or range that expands to more than ``MAX_EXPANDED_TERMS`` words of the index is refused
with a 400 that names it, before any posting list is read; narrower ones still run."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from click.testing import CliRunner

from index import query
from web import create_app
from cli import cli

MAX_EXPANDED_TERMS = getattr(query, "MAX_EXPANDED_TERMS", 400)
WORDS = MAX_EXPANDED_TERMS + 100


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("broad") / "feed"
    folder.mkdir()
    for part in range(5):
        words = " ".join(f"co{n:04d}" for n in range(part, WORDS, 5))
        (folder / f"{part}.txt").write_text(f"---\ntitle: Words {part}\n---\nDmitry Peskov said that {words} was the list.\n")
    home = folder.parent / "home"
    assert CliRunner().invoke(cli, ["--home", str(home), "ingest", str(folder)]).exit_code == 0
    return create_app({"PARLEY_HOME": str(home)}).test_client()


@pytest.mark.parametrize("q", ["co*", "co0*", "co?*", "[a TO zzzz]", "text:[co0000 TO co9999]", "peskov OR co*"])
@pytest.mark.parametrize("target", ["statements", "articles"])
def test_a_query_standing_for_too_many_words_is_refused(client, q, target):
    response = client.get(f"/api/v1/search?target={target}&q={quote(q)}")
    assert response.status_code == 400, (q, response.get_json())
    error = response.get_json()["error"]
    assert error["parameter"] == "q" and f"more than {MAX_EXPANDED_TERMS}" in error["message"]


def test_export_is_bounded_the_same_way(client):
    assert client.get("/api/v1/export?q=" + quote("co*")).status_code == 400


@pytest.mark.parametrize("q", ["co004*", "co01?0", "[co0000 TO co0050]", "co0012~1"])
def test_narrow_expansions_still_run(client, q):
    response = client.get("/api/v1/search?q=" + quote(q))
    assert response.status_code == 200 and response.get_json()["data"]["total"] > 0, response.get_json()
