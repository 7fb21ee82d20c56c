"""Expensive query forms are bounded (issue 15, item 3) by the words they stand for: a prefix, wildcard,
fuzzy term or range that expands to more than ``MAX_EXPANDED_TERMS`` words of the index is refused
with a 400 that names it, before any posting list is read; narrower ones still run.  And by time: a
search whose work runs past its budget (``PARLEY_SEARCH_BUDGET``) is stopped with a 503 saying to
narrow it, while ordinary searches under the same budget answer."""

from __future__ import annotations

import random
import string
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from conftest import word_list_home

from cli.app import cli
from index import query
from index.backend import open_backend
from index.errors import SearchTimeout
from index.request import SearchRequest
from index.search import SearchIndex
from web import create_app

MAX_EXPANDED_TERMS = getattr(query, "MAX_EXPANDED_TERMS", 400)
WORDS = MAX_EXPANDED_TERMS + 100


@pytest.fixture(scope="module")
def broad_home(tmp_path_factory):
    return word_list_home(tmp_path_factory.mktemp("broad"), [" ".join(f"co{n:04d}" for n in range(part, WORDS, 5)) for part in range(5)])


@pytest.fixture(scope="module")
def client(broad_home):
    return create_app({"PARLEY_HOME": str(broad_home)}).test_client()


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


@pytest.mark.parametrize("q", ["co0012~1", "co0012~1 OR peskov", "peskov co0013~1", "co001~2 AND NOT co0010"])
@pytest.mark.parametrize("target", ["statements", "articles"])
def test_fuzzy_terms_expanded_once_match_as_whoosh_matchers_do(broad_home, q, target):
    """Fuzzy words are found once per search and reused: the array evaluator and Whoosh's own matchers
    still agree on every match, score and order."""
    request = SearchRequest(q, target=target, per_page=50)
    fast, reference = SearchIndex(broad_home).search(request), SearchIndex(broad_home, fast=False).search(request)
    assert fast.total == reference.total > 0
    assert [(h.id, h.score) for h in fast.hits] == [(h.id, h.score) for h in reference.hits]


# --- the time budget ------------------------------------------------------------------------

# Seconds.  The fuzzy search below lists 48,000 words beginning with c (0.1-0.2 s here), checking the
# clock as it goes; a one-word search checks it once at its start and again only between query nodes.
BUDGET = 0.02
FUZZY = "cease~2 cover~2 crane~2 civic~2"


@pytest.fixture(scope="module")
def vocabulary(tmp_path_factory):
    """An archive of 48,000 distinct seven-letter words beginning with c (in article bodies and one
    statement each), none of them within two edits of the fuzzy query's words."""
    rnd = random.Random(15)
    words = [" ".join("c" + "".join(rnd.choice(string.ascii_lowercase) for _ in range(6)) for _ in range(12000)) for _ in range(4)]
    return word_list_home(tmp_path_factory.mktemp("vocabulary"), words)


@pytest.fixture(scope="module")
def budgeted(vocabulary):
    return create_app({"PARLEY_HOME": str(vocabulary), "PARLEY_SEARCH_BUDGET": BUDGET}).test_client()


# wildcards list every word of their literal start, and match them again in each segment
WILDCARDS = "co*qjx cu*qjx ci*qjx ca*qjx"


@pytest.mark.parametrize(("heavy", "target"), [(FUZZY, "statements"), (FUZZY, "articles"), (WILDCARDS, "statements")])
def test_a_search_past_its_budget_is_stopped_and_an_ordinary_one_answers(vocabulary, heavy, target):
    index = open_backend(vocabulary, {"PARLEY_SEARCH_BUDGET": BUDGET})
    with pytest.raises(SearchTimeout, match="narrow the query"):
        index.search(SearchRequest(heavy, target=target))
    assert index.search(SearchRequest("peskov", target=target)).total == 4
    assert index.search(SearchRequest("peskob~1", target=target)).total == 4  # a fuzzy term over few words still runs


def test_the_api_answers_503_with_retry_after_for_a_search_past_its_budget(budgeted):
    for url in (f"/api/v1/search?target=articles&q={quote(FUZZY)}", f"/api/v1/search?q={quote(FUZZY)}", f"/api/v1/facets/speaker?q={quote(FUZZY)}"):
        response = budgeted.get(url)
        assert response.status_code == 503, (url, response.get_json())
        assert int(response.headers["Retry-After"]) > 0
        error = response.get_json()["error"]
        assert error["status"] == 503 and f"budget of {BUDGET:g} seconds" in error["message"] and "narrow the query" in error["message"]
    answered = budgeted.get("/api/v1/search?q=peskov")
    assert answered.status_code == 200 and answered.get_json()["data"]["total"] == 4


def test_an_export_past_its_budget_while_expanding_answers_503(budgeted):
    response = budgeted.get(f"/api/v1/export?format=ndjson&q={quote(FUZZY)}")
    assert response.status_code == 503 and "narrow the query" in response.get_json()["error"]["message"]


def test_the_site_shows_the_error_page_for_a_search_past_its_budget(budgeted):
    response = budgeted.get(f"/search?q={quote(FUZZY)}")
    assert response.status_code == 503 and response.headers["Retry-After"]
    page = response.get_data(as_text=True)
    assert "narrow the query" in page and "Service Unavailable" in page
    assert budgeted.get("/search?q=peskov").status_code == 200


def test_the_cli_says_a_search_ran_past_its_budget(vocabulary):
    result = CliRunner().invoke(cli, ["--home", str(vocabulary), "search", FUZZY], env={"PARLEY_SEARCH_BUDGET": str(BUDGET)})
    assert result.exit_code == 1 and "narrow the query" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("value", ["soon", 0, -1, "inf"])
def test_a_budget_that_is_not_a_positive_number_of_seconds_is_refused(vocabulary, value):
    with pytest.raises(ValueError, match="search budget"):
        open_backend(vocabulary, {"PARLEY_SEARCH_BUDGET": value})
