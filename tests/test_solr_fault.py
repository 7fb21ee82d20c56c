"""A Solr node (the one the client asks first) stops during a stream of searches and an ingest, then comes back (replication factor 2).

What must hold: every search that answers has the full total (no shard silently missing), no
accepted article is lost (the store has them all; whatever Solr could not take is indexed once it
can), and the stopped node rejoins with every replica active.  The error count and the longest
stall are printed and recorded (``-rA`` or the junit XML show them); they are measurements, not floors.
"""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest
from index_corpus import extractions
from test_solr_backend import extra_article

from archive.store import Store
from index.request import SearchRequest
from index.solr.backend import SolrBackend

pytestmark = pytest.mark.solr

RUN_SECONDS = 40.0  # the whole stream: a bound, whatever happens
DOWN_AFTER = 3.0  # seconds into the stream when node 0 (the one the client asks first) stops
DOWN_FOR = 12.0
INGESTED = 60  # articles added while the node goes down and comes back


def replicas_active(backend: SolrBackend) -> bool:
    status = backend.client.collections_admin("CLUSTERSTATUS")["cluster"]
    if len(status.get("live_nodes", [])) < 2:
        return False
    for name, collection in status["collections"].items():
        if not name.startswith(backend.base + "_"):
            continue
        for shard in collection["shards"].values():
            if any(r["state"] != "active" for r in shard["replicas"].values()):
                return False
    return True


def test_a_node_stops_and_rejoins_while_searching_and_ingesting(solr_cluster, tmp_path, record_property):
    home = tmp_path / "home"
    store = Store(home)
    store.add_batch(extractions())
    solr = SolrBackend(home, {"solr_url": ",".join(solr_cluster.urls), "collection": f"f{uuid.uuid4().hex[:8]}"})
    solr.rebuild(store)
    request = SearchRequest(text="ceasefire", facets=("kind", "speaker"))
    expected = solr.search(request).total
    assert expected == 3

    stop = threading.Event()
    answers: list[tuple[float, float, int]] = []  # (start, seconds, total)
    errors: list[str] = []

    def search_stream() -> None:
        ends = time.monotonic() + RUN_SECONDS
        while not stop.is_set() and time.monotonic() < ends:
            started = time.monotonic()
            try:
                total = solr.search(request).total
            except Exception as error:  # noqa: BLE001 - counted: the measurement
                errors.append(f"{type(error).__name__}: {str(error)[:120]}")
                time.sleep(0.05)
                continue
            answers.append((started, time.monotonic() - started, total))

    added: list[str] = []

    def ingest() -> None:
        feeder = solr.feeder(Store(home))
        feeder.every = 5
        writer = Store(home)
        for n in range(INGESTED):
            extra = extra_article(1000 + n)
            writer.add_batch([extra])  # the store first: from here the article is accepted
            added.append(extra.article.id)
            feeder([extra.article.id])
            time.sleep(0.25)
        feeder.flush()
        writer.close()

    searcher = threading.Thread(target=search_stream)
    writer = threading.Thread(target=ingest)
    began = time.monotonic()
    searcher.start()
    writer.start()
    try:
        time.sleep(DOWN_AFTER)
        assert solr_cluster.stop(0).get("stopped") == 0
        time.sleep(DOWN_FOR)
        assert solr_cluster.start(0).get("started") == 0
        writer.join(timeout=RUN_SECONDS)
    finally:
        stop.set()
        searcher.join()
        if solr_cluster.command("nodes").get("running") != [True, True]:
            solr_cluster.start(0)  # leave the session's cluster whole for the tests after this one

    deadline = time.monotonic() + 90
    while not replicas_active(solr) and time.monotonic() < deadline:
        time.sleep(1)
    assert replicas_active(solr), "node 0 did not rejoin with every replica active within 90 s"

    solr.update(store, [])  # index whatever Solr could not take while it was degraded
    check = solr.verify(store)
    assert check.missing == [] and check.stale == [], check
    assert len(added) == INGESTED and set(added) <= store.article_ids()
    assert solr.search(SearchRequest(filters={"source": ["Wire X"]})).total == INGESTED

    assert answers, "no search answered at all"
    assert {total for _, _, total in answers} == {expected}  # never a partial total
    starts = [began] + [s + d for s, d, _ in answers]
    stall = max(b - a for a, b in zip(starts, starts[1:], strict=False))  # longest time without an answer
    slowest = max(d for _, d, _ in answers)
    measured = {
        "searches": len(answers),
        "errors": len(errors),
        "longest_stall_s": round(stall, 2),
        "slowest_answer_s": round(slowest, 2),
        "first_errors": errors[:3],
    }
    record_property("solr_fault", json.dumps(measured))
    print("solr fault test:", json.dumps(measured))
    assert time.monotonic() - began < RUN_SECONDS + 120
    store.close()
