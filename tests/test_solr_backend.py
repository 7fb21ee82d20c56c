"""The Solr backend against a real 2-node SolrCloud, side by side with Whoosh on the same archive.

Parity: the same requests on both engines give equal totals, facet counts, histograms, suggestions
and exports; the top hits overlap (ranking may differ).  Lifecycle: updates through the aliases,
a rebuild that swaps them while searches go on, verify, and a Solr that cannot be reached.
"""

from __future__ import annotations

import json
import threading
import uuid
from datetime import date

import pytest
from index_corpus import extractions

from archive.model import Article, Extraction
from archive.store import Store
from index import writing
from index.backend import IndexUnavailable
from index.request import SearchRequest
from index.search import SearchIndex
from index.solr.backend import SolrBackend
from index.solr.routing import ShardRoutes

pytestmark = pytest.mark.solr

ALL_FACETS = ("speaker", "kind", "type", "source", "place", "country", "topic", "channel", "direct")
QUERIES = [
    "",
    "ceasefires",
    "speaker:peskov",
    "speaker:zelensky",
    "speaker:zelenskiy",
    "speaker:noel",
    "Noël",
    "kind:clarification",
    "place:paris",
    "topic:ceasefire AND NOT kind:warning",
    '"clear answer"',
    '"moscow answer"~4',
    "date:2025-04",
    "date:[2025-04-20 to 2025-04-21]",
    "drone*",
    "ceasef*",
    "dr?nes",
    "US",
    "the",  # only a stop word: nothing, with empty facets
    "mistrst~1",
    "ceasefire OR drones",
    "NOT ceasefire",
    "(moscow OR kyiv) AND NOT drones",
    "country:UA",
    "direct:true",
    "role:minister",
    "ceasfire",  # no match: did-you-mean
]
FILTERS = [
    {},
    {"kind": ["warning", "appeal"], "source": ["Wire C"]},
    {"speaker": ["Volodymyr Zelenskyy"]},
    {"speaker": ["peskov"]},  # resolved through the archive's names, as in speaker:peskov
    {"place": ["Moscow", "Kyiv"], "topic": ["ceasefire"]},
    {"direct": ["true"]},
]


def solr_backend(home, cluster, name: str | None = None) -> SolrBackend:
    return SolrBackend(home, {"solr_url": ",".join(cluster.urls), "collection": name or f"t{uuid.uuid4().hex[:8]}"})


@pytest.fixture(scope="module")
def engines(solr_cluster, tmp_path_factory):
    home = tmp_path_factory.mktemp("parity") / "home"
    with Store(home) as store:
        store.add_batch(extractions())
        writing.update(home, store, store.article_ids())
        solr = solr_backend(home, solr_cluster)
        solr.rebuild(store)
    return SearchIndex(home), solr


def same_facets(a, b) -> None:
    assert [(f.name, f.values, f.other) for f in a.facets] == [(f.name, f.values, f.other) for f in b.facets]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "nofilter")
@pytest.mark.parametrize("text", QUERIES)
def test_parity_of_totals_facets_histogram_and_hits(engines, text, filters):
    whoosh, solr = engines
    request = SearchRequest(text=text, filters=filters, facets=ALL_FACETS, histogram="month", per_page=20)
    a, b = whoosh.search(request), solr.search(request)
    assert b.total == a.total
    same_facets(a, b)
    assert b.histogram == a.histogram
    assert b.suggestion == a.suggestion
    assert (b.sort, b.filters, b.notices, b.names) == (a.sort, a.filters, a.notices, a.names)
    assert {h.id for h in b.hits} == {h.id for h in a.hits}  # 20 per page holds every hit of this archive
    marks = {h.id: h.quote_html for h in a.hits}
    assert {h.id: h.quote_html for h in b.hits} == marks


def test_the_suggestion_case_really_suggests(engines):
    assert engines[1].search(SearchRequest(text="ceasfire")).suggestion == "ceasefire"


@pytest.mark.parametrize("text", ["", "ceasefire", "drone*", "speaker:zelensky"])
def test_parity_on_articles(engines, text):
    whoosh, solr = engines
    request = SearchRequest(text=text, target="articles", facets=("speaker", "source", "place", "country", "topic"))
    a, b = whoosh.search(request), solr.search(request)
    assert b.total == a.total
    same_facets(a, b)
    assert {h.id for h in b.hits} == {h.id for h in a.hits}
    assert {h.id: h.snippet_html for h in b.hits} == {h.id: h.snippet_html for h in a.hits}


def test_date_range_parameters(engines):
    whoosh, solr = engines
    request = SearchRequest(date_from=date(2025, 4, 1), date_to=date(2025, 4, 21), facets=("kind",), histogram="day")
    a, b = whoosh.search(request), solr.search(request)
    assert a.total == b.total == 3
    assert b.histogram == a.histogram


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_cursor_pages_reach_every_hit_once(engines, sort):
    whoosh, solr = engines
    request = SearchRequest(text="", sort=sort, per_page=3)
    seen, page = [], solr.search(request)
    while True:
        seen.extend(h.id for h in page.hits)
        if page.next_cursor is None:
            break
        page = solr.search(request.replace(cursor=page.next_cursor))
    assert len(seen) == len(set(seen)) == whoosh.search(request).total
    if sort == "newest":  # same day order; ties may differ between engines
        days = [h.published for h in solr.search(request.replace(per_page=20)).hits]
        assert days[0] == max(d for d in days if d)


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_export_lists_every_match(engines, sort):
    whoosh, solr = engines
    request = SearchRequest(text="ceasefire OR moscow", sort=sort)
    a, b = whoosh.iter_matches(request), solr.iter_matches(request)
    ids = [i for i, _ in b.ids]
    assert b.total == a.total == len(ids)
    assert set(ids) == {i for i, _ in a.ids}
    if sort != "relevance":
        assert all(score is None for _, score in solr.iter_matches(request).ids)


def test_typeahead_and_similar(engines):
    whoosh, solr = engines
    request = SearchRequest()
    assert solr.facet_values("speaker", request, prefix="zel") == whoosh.facet_values("speaker", request, prefix="zel")
    assert solr.facet_values("place", request, prefix="k") == whoosh.facet_values("place", request, prefix="k")
    source = solr.search(SearchRequest(text='"clear answer"')).hits[0]
    similar = solr.more_like(source.id)
    assert similar and source.id not in {h.id for h in similar}
    assert {h.id for h in similar} & {h.id for h in whoosh.more_like(source.id)}
    with pytest.raises(LookupError):
        solr.more_like("no-such-statement")


def test_the_rebuild_routes_each_document_to_the_shard_solr_keeps_it_in(engines):
    # ShardRoutes' hash must be Solr's own: each core holds exactly the ids routed to its shard
    _, solr = engines
    for target in ("statements", "articles"):
        collection = solr.client.aliases()[solr.alias(target)]
        routes = ShardRoutes.from_status(solr.client.collections_admin("CLUSTERSTATUS"), collection)
        held = {}
        for leader in routes.leaders:
            reply = solr.client.http.request("GET", f"{leader.url}/select?q=*:*&distrib=false&fl=id&rows=1000&wt=json")
            held[leader.url] = sorted(doc["id"] for doc in json.loads(reply.data)["response"]["docs"])
        everything = [{"id": i} for ids in held.values() for i in ids]
        assert len(held) == 2 and all(held.values()) and len(everything) > 2
        assert {url: sorted(d["id"] for d in docs) for url, docs in routes.split(everything).items()} == held


def extra_article(n: int) -> Extraction:
    base = extractions()[0]
    text = base.article.text.replace("Item 0", f"Item {n} of the fault test")
    article = Article(text=text, title=f"Extra {n}", published=base.article.published, source="Wire X")
    return Extraction(article=article, statements=base.statements, places=base.places, topics=base.topics)


def test_updates_verify_and_rebuild_with_alias_swap(solr_cluster, tmp_path):
    home = tmp_path / "home"
    with Store(home) as store:
        store.add_batch(extractions())
        solr = solr_backend(home, solr_cluster)
        assert not solr.ready()
        assert solr.update(store, store.article_ids()) == 8  # no index yet: a first build
        assert solr.ready() and solr.verify(store).ok
        extra = extra_article(1)
        store.add_batch([extra])
        assert solr.update(store, [extra.article.id]) == 1
        assert solr.search(SearchRequest(filters={"source": ["Wire X"]})).total == 1
        before = solr.client.aliases()[solr.alias("statements")]
        errors: list[BaseException] = []
        done = threading.Event()

        def keep_searching() -> None:
            while not done.is_set():
                try:
                    assert solr.search(SearchRequest(text="ceasefire")).total == 3
                except BaseException as error:  # noqa: BLE001 - reported below
                    errors.append(error)

        searcher = threading.Thread(target=keep_searching)
        searcher.start()
        try:
            report = solr.rebuild(store)
        finally:
            done.set()
            searcher.join()
        assert errors == []
        assert report.articles == 9 and report.statements == 9
        after = solr.client.aliases()[solr.alias("statements")]
        assert after != before and after.startswith(solr.alias("statements") + "_v")
        solr.rebuild(store)  # a third generation: the first is dropped, the one just replaced kept
        names = [c for c in solr.client.collections() if c.startswith(solr.alias("statements") + "_v")]
        assert before not in names and after in names and len(names) == 2
        # loaded under the bulk configset, the collections serve under the regular one, fully replicated
        cluster = solr.client.collections_admin("CLUSTERSTATUS")["cluster"]["collections"]
        for target in ("statements", "articles"):
            state = cluster[solr.client.aliases()[solr.alias(target)]]
            assert state["configName"] == solr.configset_name()
            assert sorted(len(shard["replicas"]) for shard in state["shards"].values()) == [2, 2]


def test_an_unreachable_solr_loses_no_article(solr_cluster, tmp_path):
    home = tmp_path / "home"
    name = f"t{uuid.uuid4().hex[:8]}"
    with Store(home) as store:
        store.add_batch(extractions())
        solr = solr_backend(home, solr_cluster, name)
        solr.rebuild(store)
        down = SolrBackend(home, {"solr_url": "http://127.0.0.1:9/solr", "collection": name})
        extra = extra_article(2)
        store.add_batch([extra])  # stored first, as ingest does
        assert down.update(store, [extra.article.id]) == 0
        assert not down.ready()
        with pytest.raises(IndexUnavailable, match="unreachable"):
            down.search(SearchRequest(text="ceasefire"))
        assert solr.verify(store).missing == [extra.article.id]
        assert store.unindexed() == [extra.article.id]  # the store still lists it for the index
        assert solr.update(store, []) == 1  # the next update indexes what the store lists
        assert store.unindexed() == []
        assert solr.verify(store).ok
        assert solr.search(SearchRequest(filters={"source": ["Wire X"]})).total == 1


def test_no_index_yet_is_unavailable_not_an_error(solr_cluster, tmp_path):
    with Store(tmp_path / "home") as store:
        store.add_batch(extractions())
    solr = solr_backend(tmp_path / "home", solr_cluster)
    with pytest.raises(IndexUnavailable, match="reindex"):
        solr.search(SearchRequest(text="ceasefire"))
