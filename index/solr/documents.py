"""From Parley's index documents (``index.documents``) to Solr documents.

Every text field is analysed here, by the Whoosh schema's own analyzers, and sent as its terms
separated by spaces (the configset's field types only split on whitespace).  So a word is the same
term in both engines, and a query (analysed by the same parser) means the same on both.  Lucene's
own chain cannot stand in: Whoosh's Porter stemmer differs from Lucene's ("operating" is "operat"
in Whoosh, "oper" in Lucene; "keynote" keeps its e), and its transliteration keys have no Lucene
counterpart.  Bulk indexing spends most of its Python time here, so each analyzer gets a ``Terms``
table: word to term, filled once per distinct word from the analyzer's own chain, then read for a
whole text in C (``findall`` and ``map`` over a dict), with no Python step per word.  Multi-valued
facet fields become lists; everything else is sent as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache

from archive.model import Extraction
from index.analysis import Memoized
from index.documents import article_document, statement_documents
from index.schema import SEPARATOR, article_schema, statement_schema

STATEMENT_TEXT = ("text", "words", "speaker", "role", "channel", "place")
ARTICLE_TEXT = ("title", "body", "speaker", "place")
MULTI = ("places", "countries", "topics", "speakers")


class Terms:
    """What an analyzer makes of each word it has seen: its term, "" for a stop word (a Memoized
    analyzer's memo, kept where a text's words can be looked up all at once).  Words the chain splits
    or multiplies are kept apart, in ``split``: a text with one of them goes through the chain itself."""

    SIZE = 500_000  # distinct words kept; past that the table starts afresh (bounded memory)

    def __init__(self, analyzer) -> None:
        self.analyzer = analyzer
        pattern = analyzer.items[0].expression.pattern
        # the tokenizer's pattern with its groups made non-capturing, so findall returns whole words
        self.words = re.compile(re.sub(r"(?<!\\)\((?!\?)", "(?:", pattern))
        self.table: dict[str, str] = {}
        self.split: set[str] = set()

    def __call__(self, value: str) -> str:
        words = self.words.findall(value)
        try:
            return " ".join(filter(None, map(self.table.__getitem__, words)))
        except KeyError:  # words not seen yet: the analyzer's chain says what each becomes
            pass
        if len(self.table) > self.SIZE:
            self.table.clear()
        for word in words:
            if word not in self.table and word not in self.split:
                made = self.analyzer.memo_terms(word)
                if made is None or len(made) > 1:
                    self.split.add(word)
                else:
                    self.table[word] = made[0] if made else ""
        if self.split.intersection(words):  # only the whole chain knows what such a text becomes
            return " ".join(token.text for token in self.analyzer(value, mode="index"))
        return " ".join(filter(None, map(self.table.__getitem__, words)))


@lru_cache(maxsize=2)
def _analyzers(target: str) -> dict:
    schema = statement_schema() if target == "statements" else article_schema()
    fields = STATEMENT_TEXT if target == "statements" else ARTICLE_TEXT
    return {name: _terms(schema[name].analyzer) for name in fields}


_TABLES: dict[int, Terms] = {}


def _terms(analyzer) -> Callable[[str], str]:
    """The shared ``Terms`` table of a Memoized analyzer (one per analyzer, whatever schema asks)."""
    if not isinstance(analyzer, Memoized):
        return lambda value: analysed(analyzer, value)
    if id(analyzer) not in _TABLES:
        _TABLES[id(analyzer)] = Terms(analyzer)
    return _TABLES[id(analyzer)]


def analysed(analyzer, value: str) -> str:
    """The terms ``analyzer`` makes of ``value``, separated by single spaces, in order."""
    if isinstance(analyzer, Memoized):
        return _terms(analyzer)(value)
    return " ".join(token.text for token in analyzer(value, mode="index"))


def _convert(doc: dict, analyzers: dict) -> dict:
    out: dict = {}
    for name, value in doc.items():
        if name in analyzers:
            terms = analyzers[name](value or "")
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
