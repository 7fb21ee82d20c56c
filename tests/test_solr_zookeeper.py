"""A Solr backend configured by ZooKeeper hosts only finds the cluster's live nodes there (the test
cluster's embedded ZooKeeper), searches like one given node URLs, and says why when ZooKeeper cannot
be read."""

from __future__ import annotations

import socket
import uuid

import pytest
from index_corpus import extractions

from archive.store import Store
from index.backend import IndexUnavailable, open_backend
from index.request import SearchRequest
from index.solr.backend import SolrBackend
from index.solr.client import SolrUnavailable, live_nodes

pytestmark = pytest.mark.solr


def test_live_nodes_are_the_cluster_s_node_urls(solr_cluster):
    assert sorted(live_nodes(solr_cluster.zk)) == sorted(u.rstrip("/") for u in solr_cluster.urls)


def test_an_archive_on_solr_by_zookeeper_hosts_alone(solr_cluster, home, monkeypatch):
    collection = f"z{uuid.uuid4().hex[:8]}"
    with Store(home) as store:
        store.add_batch(extractions())
        by_zk = SolrBackend(home, {"zk_hosts": solr_cluster.zk, "collection": collection})
        assert by_zk.client.urls == []  # nothing is read before it is needed
        by_zk.rebuild(store)
    assert sorted(by_zk.client.urls) == sorted(u.rstrip("/") for u in solr_cluster.urls)
    by_url = SolrBackend(home, {"solr_url": solr_cluster.urls[0], "collection": collection})
    for text in ("ceasefires", "speaker:peskov", ""):
        assert by_zk.search(SearchRequest(text)).total == by_url.search(SearchRequest(text)).total > 0
    monkeypatch.setenv("PARLEY_SOLR_ZK_HOSTS", solr_cluster.zk)
    monkeypatch.setenv("PARLEY_SOLR_COLLECTION", collection)
    from_env = open_backend(home, {"PARLEY_SEARCH_BACKEND": "solr"})
    assert from_env.search(SearchRequest("ceasefires")).total == by_url.search(SearchRequest("ceasefires")).total


def test_a_wrong_chroot_or_an_unreachable_zookeeper_is_unavailable_with_why(solr_cluster, home):
    host = solr_cluster.zk.split("/")[0]
    with pytest.raises(SolrUnavailable, match="no /live_nodes.*chroot"):
        live_nodes(f"{host}/not-solr")
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"127.0.0.1:{probe.getsockname()[1]}"
    Store(home).close()
    backend = SolrBackend(home, {"zk_hosts": closed, "collection": "nowhere"})
    with pytest.raises(IndexUnavailable, match=f"ZooKeeper at {closed} did not answer"):
        backend.search(SearchRequest("ceasefires"))
    assert not backend.ready()
