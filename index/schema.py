"""The Whoosh schemas for statements and articles, and their analyzers.

Only what search needs goes into Whoosh: words to match, facet values as sortable columns, day
numbers for dates.  Texts for display and highlights come from the store.
"""

from __future__ import annotations

import re

from whoosh.analysis import (
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.columns import NumericColumn
from whoosh.fields import BOOLEAN, COLUMN, ID, KEYWORD, TEXT, Schema
from whoosh.support.charset import accent_map

from archive.model import spelling_key


class SpellingFilter(Filter):
    """Merges transliteration variants of names ("Zelenskyy", "Zelenskiy", "Zelensky") into one term."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = spelling_key(token.text)
            yield token


class StemSpellingFilter(Filter):
    """After stemming: doubled letters and final -y/-i/-iy/-ii collapsed, so transliterations meet.

    "Zelenskyy", "Zelensky", "Zelenskiy" all end as "zelenski"; "billed" and "bill" stay together
    ("bil"), which merging before the stemmer broke ("biled" vs "bill").
    """

    _DOUBLES = re.compile(r"(\w)\1+")
    _ENDING = re.compile(r"(?:iy|yi|ij|ii|y|i)$")

    def __call__(self, tokens):
        for token in tokens:
            text = self._DOUBLES.sub(r"\1", token.text)
            token.text = self._ENDING.sub("i", text) if len(text) > 4 else text
            yield token


# Words: accents folded, stemmed, then transliteration variants merged: "Noël" and "Noel",
# "Zelenskyy" and "Zelensky" are one term.
WORDS = RegexTokenizer(r"\w+(\.?\w+)*") | LowercaseFilter() | CharsetFilter(accent_map) | StopFilter() | StemFilter() | StemSpellingFilter()
# Names (speakers, places, channels): folded, not stemmed; the same stop words as WORDS, so a query word
# dropped from one field is dropped from all (else "the drones" would require "the" in a name).
NAMES = RegexTokenizer(r"\w+") | LowercaseFilter() | CharsetFilter(accent_map) | StopFilter() | SpellingFilter()

# Plain words, unstemmed: the vocabulary did-you-mean suggests from.
PLAIN = RegexTokenizer(r"\w+") | LowercaseFilter() | CharsetFilter(accent_map) | StopFilter(minsize=3)

SEPARATOR = "|"  # between the values of a multi-valued field: names may hold commas ("Washington, D.C.")


def values() -> KEYWORD:
    """A field of whole values (place names, topics…), several per document, matched exactly."""
    return KEYWORD(scorable=False, analyzer=RegexTokenizer(r"[^|]+"))


# Facet fields per index: one value per document (sortable ID columns) and several (``values()``).
STATEMENT_SINGLE = ("speaker_id", "kind", "type", "source", "precision")
STATEMENT_MULTI = ("places", "countries", "topics")
ARTICLE_SINGLE = ("source",)
ARTICLE_MULTI = ("places", "countries", "topics", "speakers")


def day_column() -> COLUMN:
    """A day number kept only as a column: for sorting and our own cached date ranges, never as terms."""
    return COLUMN(NumericColumn("i", default=0))


def statement_schema() -> Schema:
    return Schema(
        id=ID(unique=True, stored=True),
        article_id=ID(stored=True),
        # Every word a plain query may match, in one field (one posting list per word, not seven):
        # the quote, its sentence, the speaker's names and role, the channel and the place spellings.
        # A separate quote field cost 40% of build time; Whoosh's spelling=True on this one 30%, so the
        # quote's plain words go to ``words`` instead, for did-you-mean.
        text=TEXT(analyzer=WORDS, phrase=True),
        words=KEYWORD(analyzer=PLAIN, scorable=False),
        speaker=TEXT(analyzer=NAMES, phrase=True),
        role=TEXT(analyzer=WORDS),
        channel=TEXT(analyzer=NAMES),
        place=TEXT(analyzer=NAMES),
        speaker_id=ID(sortable=True),
        kind=ID(sortable=True),
        type=ID(sortable=True),
        source=ID(sortable=True),
        precision=ID(sortable=True),
        direct=BOOLEAN(),
        places=values(),
        countries=values(),
        topics=values(),
        day=day_column(),
        day_last=day_column(),  # the day, with undated sorting last
        published=day_column(),
    )


def article_schema() -> Schema:
    return Schema(
        id=ID(unique=True, stored=True),
        title=TEXT(analyzer=WORDS, phrase=True, field_boost=2.0, spelling=True),
        body=TEXT(analyzer=WORDS, phrase=True),
        speaker=TEXT(analyzer=NAMES),
        place=TEXT(analyzer=NAMES),
        source=ID(sortable=True),
        places=values(),
        countries=values(),
        topics=values(),
        speakers=values(),
        day=day_column(),
        day_last=day_column(),
    )
