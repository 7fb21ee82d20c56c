"""From Parley's index documents (``index.documents``) to Solr documents.

Texts (quote and sentence, role, title, body) go as they are: Solr's analysis chain for them makes
the terms Whoosh's does, in Java, on the cluster's nodes, where it scales with them.  Names (speaker,
place, channel) are analysed here by the Whoosh schema's own NAMES analyzer, whose transliteration
keys have no Lucene counterpart, and sent as their terms separated by spaces.  Multi-valued facet
fields become lists; everything else is sent as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from archive.model import Extraction
from index.documents import article_document, statement_documents
from index.schema import SEPARATOR, article_schema, statement_schema

STATEMENT_NAMES = ("speaker", "channel", "place")
ARTICLE_NAMES = ("speaker", "place")
MULTI = ("places", "countries", "topics", "speakers")


@lru_cache(maxsize=2)
def _analyzers(target: str) -> dict:
    schema = statement_schema() if target == "statements" else article_schema()
    fields = STATEMENT_NAMES if target == "statements" else ARTICLE_NAMES
    return {name: schema[name].analyzer for name in fields}


def analysed(analyzer, value: str) -> str:
    """The terms ``analyzer`` makes of ``value``, separated by single spaces, in order."""
    return " ".join(token.text for token in analyzer(value, mode="index"))


def _convert(doc: dict, analyzers: dict) -> dict:
    out: dict = {}
    for name, value in doc.items():
        if name in analyzers:
            terms = analysed(analyzers[name], value or "")
            if terms:
                out[name] = terms
        elif name in MULTI:
            values = [v for v in (value or "").split(SEPARATOR) if v]
            if values:
                out[name] = values
        elif value != "":
            out[name] = value
    return out


def solr_statements(extraction: Extraction) -> Iterator[dict]:
    analyzers = _analyzers("statements")
    for doc in statement_documents(extraction):
        yield _convert(doc, analyzers)


def solr_article(extraction: Extraction) -> dict:
    analyzers = _analyzers("articles")
    doc = article_document(extraction)
    out = _convert(doc, analyzers)
    if out.get("title"):  # its plain words, for did-you-mean on articles (Whoosh's spelling field of the title)
        out["title_words"] = out["title"]
    return out
