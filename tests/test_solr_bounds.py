"""Bounded work on Solr as on Whoosh (``index.solr.bounds``): on the same archive, a query whose
prefixes, wildcards or ranges stand for too many words is refused by both engines with the same
error, narrower ones run on both with equal totals, and a search past the time budget is stopped
with SearchTimeout (a 503 with Retry-After from the API), while the same search within it answers."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest
from conftest import word_list_home

from archive.store import Store
from index.errors import SearchTimeout
from index.query import MAX_EXPANDED_TERMS, QueryTooBroad
from index.request import SearchRequest
from index.search import SearchIndex
from index.solr.backend import SolrBackend
from web import create_app

pytestmark = pytest.mark.solr

WORDS = MAX_EXPANDED_TERMS + 100
HEAVY = "co00*1 OR co01*2 OR co0012~1 OR peskov"  # runs within the default budget, not within 1 ms


@pytest.fixture(scope="module")
def archive(solr_cluster, tmp_path_factory):
    """An archive of 500 words co0000…co0499 (five articles), indexed by Whoosh and by Solr."""
    home = word_list_home(tmp_path_factory.mktemp("broad"), [" ".join(f"co{n:04d}" for n in range(part, WORDS, 5)) for part in range(5)])
    settings = {"solr_url": ",".join(solr_cluster.urls), "collection": f"b{uuid.uuid4().hex[:8]}"}
    solr = SolrBackend(home, settings)
    with Store(home) as store:
        solr.rebuild(store)
    return home, settings


@pytest.mark.parametrize("q", ["co*", "co0*", "co?*", "[a TO zzzz]", "text:[co0000 TO co9999]", "peskov OR co*"])
@pytest.mark.parametrize("target", ["statements", "articles"])
def test_too_broad_is_refused_by_solr_with_whoosh_s_error(archive, q, target):
    home, settings = archive
    request = SearchRequest(q, target=target)
    with pytest.raises(QueryTooBroad) as whoosh:
        SearchIndex(home).search(request)
    with pytest.raises(QueryTooBroad) as solr:
        SolrBackend(home, settings).search(request)
    assert str(solr.value) == str(whoosh.value) and f"more than {MAX_EXPANDED_TERMS}" in str(solr.value)


def test_exports_are_bounded_the_same_way(archive):
    home, settings = archive
    with pytest.raises(QueryTooBroad):
        SolrBackend(home, settings).iter_matches(SearchRequest("co*"))


@pytest.mark.parametrize("q", ["co004*", "co01?0", "[co0000 TO co0050]", "co0012~1", HEAVY])
def test_narrow_expansions_run_on_both_with_equal_totals(archive, q):
    home, settings = archive
    whoosh, solr = SearchIndex(home).search(SearchRequest(q)), SolrBackend(home, settings).search(SearchRequest(q))
    assert solr.total == whoosh.total > 0


def test_a_search_past_its_budget_is_stopped_and_within_it_answers(archive):
    home, settings = archive
    with pytest.raises(SearchTimeout, match="narrow the query"):
        SolrBackend(home, {**settings, "budget": 0.001}).search(SearchRequest(HEAVY, facets=("speaker", "kind")))
    with pytest.raises(SearchTimeout):
        list(SolrBackend(home, {**settings, "budget": 0.001}).iter_matches(SearchRequest(HEAVY)).ids)
    assert SolrBackend(home, settings).search(SearchRequest(HEAVY, facets=("speaker", "kind"))).total == 5


def test_the_api_answers_503_past_the_budget_and_400_for_too_broad(archive):
    home, settings = archive
    config = {f"PARLEY_SEARCH_{key.upper()}": value for key, value in settings.items()}
    hurried = create_app({"PARLEY_HOME": str(home), "PARLEY_SEARCH_BACKEND": "solr", **config, "PARLEY_SEARCH_BUDGET": 0.001}).test_client()
    response = hurried.get(f"/api/v1/search?q={quote(HEAVY)}")
    assert response.status_code == 503, response.get_json()
    assert int(response.headers["Retry-After"]) > 0 and "budget" in response.get_json()["error"]["message"]
    client = create_app({"PARLEY_HOME": str(home), "PARLEY_SEARCH_BACKEND": "solr", **config}).test_client()
    broad = client.get("/api/v1/search?q=" + quote("co*"))
    assert broad.status_code == 400 and f"more than {MAX_EXPANDED_TERMS}" in broad.get_json()["error"]["message"]
