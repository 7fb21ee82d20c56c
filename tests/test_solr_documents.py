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


def test_the_bulk_configset_differs_only_in_having_no_automatic_hard_commits():
    regular = (CONFIGSET / "solrconfig.xml").read_bytes()
    bulk = bulk_config("solrconfig.xml", regular).decode("utf-8")
    assert "<maxTime>-1</maxTime>" in bulk and "autoCommit.maxTime" not in bulk
    assert bulk.replace("<maxTime>-1</maxTime>", "") == regular.decode("utf-8").replace("<maxTime>${solr.autoCommit.maxTime:15000}</maxTime>", "")
    schema = (CONFIGSET / "managed-schema.xml").read_bytes()
    assert bulk_config("managed-schema.xml", schema) == schema
