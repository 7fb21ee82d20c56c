"""From Parley's index documents (``index.documents``) to Solr documents.

Every text field is analysed here, by the Whoosh schema's own analyzers, and sent as its terms
separated by spaces (the configset's field types only split on whitespace).  So a word is the same
term in both engines, and a query (analysed by the same parser) means the same on both.  Lucene's
own chain cannot stand in: Whoosh's Porter stemmer differs from Lucene's ("operating" is "operat"
in Whoosh, "oper" in Lucene; "keynote" keeps its e), and its transliteration keys have no Lucene
counterpart.  Analysis goes through the analyzers' memo (one dict lookup per word, no token objects),
so it costs little more than making the Whoosh documents.  Multi-valued facet fields become lists;
everything else is sent as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from archive.model import Extraction
from index.analysis import Memoized
from index.documents import article_document, statement_documents
from index.schema import SEPARATOR, article_schema, statement_schema

STATEMENT_TEXT = ("text", "words", "speaker", "role", "channel", "place")
ARTICLE_TEXT = ("title", "body", "speaker", "place")
MULTI = ("places", "countries", "topics", "speakers")


@lru_cache(maxsize=2)
def _analyzers(target: str) -> dict:
    schema = statement_schema() if target == "statements" else article_schema()
    fields = STATEMENT_TEXT if target == "statements" else ARTICLE_TEXT
    return {name: schema[name].analyzer for name in fields}


def analysed(analyzer, value: str) -> str:
    """The terms ``analyzer`` makes of ``value``, separated by single spaces, in order.

    A ``Memoized`` analyzer's terms come straight from its memo (what its chain made of each word);
    a word the chain splits or multiplies, and any other analyzer, go through the chain itself.
    """
    if isinstance(analyzer, Memoized):
        terms = analyzer.memo_terms(value)
        if terms is not None:
            return " ".join(terms)
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
    title_words = analysed(_plain(), doc.get("title") or "")
    if title_words:  # the title's plain words (Whoosh keeps them as the title's spelling field)
        out["title_words"] = title_words
    return out


@lru_cache(maxsize=1)
def _plain():
    return statement_schema()["words"].analyzer
