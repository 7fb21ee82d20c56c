"""The Solr backend's pure parts, without a cluster: documents, query translation, the configset's version."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import PROJECT, shared_folder
from index_corpus import extractions

from index.analysis import NAMES, PLAIN, WORDS
from index.query import parse
from index.solr.backend import CONFIGSET, bulk_config
from index.solr.documents import analysed, solr_article, solr_statements
from index.solr.routing import ShardRoutes
from index.solr.translate import day_range, to_solr
from index.writing import INDEX_VERSION

TRICKY = [
    "The U.S. and USA said us: we told them US officials met Zelenskyy's envoy in Kyiv on 2025-04-22.",
    "Jean-Noël Barrot, naïve café owners, Thé dansant, Ærø, the.end and a.the, e.g. i.e. 3 x 4",
    "Zelenskiy, Zelensky, Zelenskyy; billed bill; operating, keynote, generalization, relational",
    "Київ and Харків are in Ukrainian; 日本 is Japan; ﬁnance uses a ligature; x-ray, co-operate, don't",
]


def texts() -> list[str]:
    found = [*TRICKY, *(p.read_text(encoding="utf-8") for p in sorted((PROJECT / "seeds").glob("*.txt")))]
    shared = shared_folder()
    if shared is not None:
        found += [p.read_text(encoding="utf-8") for p in sorted((shared / "corpus" / "dev").rglob("*.txt"))[:60]]
    return found


@pytest.mark.parametrize("analyzer", [WORDS, PLAIN, NAMES], ids=["words", "plain", "names"])
def test_terms_sent_to_solr_are_the_terms_whoosh_indexes(analyzer):
    for text in texts():
        assert analysed(analyzer, text) == " ".join(t.text for t in analyzer(text, mode="index"))


def test_documents_carry_every_field_the_schema_declares_and_no_other():
    declared = set(re.findall(r'<field name="(\w+)"', (CONFIGSET / "managed-schema.xml").read_text(encoding="utf-8")))
    sent = {name for e in extractions() for doc in [*solr_statements(e), solr_article(e)] for name in doc}
    assert sent <= declared
    assert {"text", "words", "speaker_id", "kind", "confidence", "places", "day", "day_last", "title", "body", "speakers"} <= sent
    peskov = next(solr_statements(extractions()[0]))
    assert peskov["speaker_id"] == "dmitry peskov" and peskov["places"] == ["Moscow"] and peskov["direct"] is True
    assert [next(solr_statements(e))["confidence"] for e in extractions()] == ["high", "high", "low", "medium", "high", "medium", "low", "high"]
    declared = (CONFIGSET / "managed-schema.xml").read_text(encoding="utf-8")
    assert '<field name="confidence" type="string" indexed="true" stored="false"/>' in declared  # a docValues string: facetable


def test_the_configset_is_versioned_with_the_index():
    for path in Path(CONFIGSET).glob("*.xml"):
        assert f"parley-index-version: {INDEX_VERSION}" in path.read_text(encoding="utf-8"), path.name


@pytest.mark.parametrize(
    ("query", "solr"),
    [
        ("ceasefires", 'text:"ceasefir"'),
        ("topic:ceasefire AND NOT kind:warning", '(+topics:"ceasefire" -kind:"warning")'),
        ('"moscow answer"~4', 'text:"moscow answer"~3'),
        ('"clear answer"', 'text:"clear answer"'),
        ("negotiat*", "(words:negotiat*)^=1"),
        ("mistrst~1", "text:mistrst~1"),
        ("NOT drones", '(*:* -text:"drone")'),
        ("(a1 OR NOT b2) AND c3", '(+(text:"a1" (*:* -text:"b2")) +text:"c3")'),
        ("direct:true", "direct:true"),
        ('places:"Washington, D.C."', 'places:"Washington, D.C."'),
        ("role:minister^2 peace", '(+role:"minist"^2 +text:"peac")'),
        ("the", "(*:* -*:*)"),
    ],
)
def test_queries_translate_with_the_same_terms_and_structure(query, solr):
    assert to_solr(parse(query).query) == solr


def test_undated_statements_are_never_in_a_range():
    assert day_range(None, 100, -2_000_000) == "day:[-1999999 TO 100]"
    assert day_range(5, None, -2_000_000) == "day:[5 TO *]"
    assert day_range(None, None, -2_000_000) is None


def test_the_bulk_configset_differs_only_in_having_no_automatic_hard_commits_and_no_update_log():
    regular = (CONFIGSET / "solrconfig.xml").read_bytes().decode("utf-8")
    bulk = bulk_config("solrconfig.xml", regular.encode("utf-8")).decode("utf-8")
    assert "<maxTime>-1</maxTime>" in bulk and "autoCommit.maxTime" not in bulk
    assert "<updateLog>" in regular and "<updateLog>" not in bulk and "solr.ulog.dir" not in bulk
    log = regular[regular.index("<updateLog>") : regular.index("</updateLog>") + len("</updateLog>")]
    expected = regular.replace(log, "<!-- no update log while loading -->").replace("<maxTime>${solr.autoCommit.maxTime:15000}</maxTime>", "")
    assert bulk.replace("<maxTime>-1</maxTime>", "") == expected
    schema = (CONFIGSET / "managed-schema.xml").read_bytes()
    assert bulk_config("managed-schema.xml", schema) == schema


def test_shard_routes_send_each_id_to_the_leader_whose_hash_range_holds_it():
    # Solr's compositeId router: MurmurHash3 x86 32-bit, seed 0, of the id's UTF-8 bytes, against the
    # shard's range as CLUSTERSTATUS gives it (hexadecimal, both ends included)
    status = {
        "cluster": {
            "collections": {
                "c": {
                    "router": {"name": "compositeId"},
                    "shards": {
                        "shard1": {
                            "range": "80000000-ffffffff",
                            "state": "active",
                            "replicas": {"r1": {"core": "c_s1", "base_url": "http://a/solr", "leader": "true", "state": "active"}},
                        },
                        "shard2": {
                            "range": "0-7fffffff",
                            "state": "active",
                            "replicas": {"r2": {"core": "c_s2", "base_url": "http://b/solr", "leader": "true", "state": "active"}},
                        },
                    },
                }
            }
        }
    }
    routes = ShardRoutes.from_status(status, "c")
    # murmur3_32("abc", seed 0) = 0xB3DD93FA (negative: shard1); murmur3_32("a", 0) = 0x3C2569B2 (shard2)
    parts = routes.split([{"id": "abc"}, {"id": "a"}, {"id": "x!y"}])
    assert parts == {"http://a/solr/c_s1": [{"id": "abc"}, {"id": "x!y"}], "http://b/solr/c_s2": [{"id": "a"}]}
    assert ShardRoutes.from_status(status, "missing") is None
    leaderless = {
        "cluster": {"collections": {"c": {"shards": {"shard1": {"range": "0-7fffffff", "replicas": {"r": {"core": "x", "base_url": "u", "state": "down"}}}}}}}
    }
    assert ShardRoutes.from_status(leaderless, "c") is None
