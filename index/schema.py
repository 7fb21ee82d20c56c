"""The Whoosh schemas for statements and articles, and their analyzers.

Only what search needs goes into Whoosh: words to match, facet values as sortable columns, day
numbers for dates.  Texts for display and highlights come from the store.
"""

from __future__ import annotations

from whoosh.analysis import RegexTokenizer
from whoosh.columns import NumericColumn
from whoosh.fields import BOOLEAN, COLUMN, ID, KEYWORD, TEXT, Schema

from index.analysis import NAMES, PLAIN, WORDS

SEPARATOR = "|"  # between the values of a multi-valued field: names may hold commas ("Washington, D.C.")


def values() -> KEYWORD:
    """A field of whole values (place names, topics…), several per document, matched exactly."""
    return KEYWORD(scorable=False, analyzer=RegexTokenizer(r"[^|]+"))


# Facet fields per index: one value per document (sortable ID columns) and several (``values()``).
STATEMENT_SINGLE = ("speaker_id", "kind", "type", "source", "precision", "channel_name", "confidence")
STATEMENT_MULTI = ("places", "countries", "topics")
ARTICLE_SINGLE = ("source",)
ARTICLE_MULTI = ("places", "countries", "topics", "speakers")

# The facets users see, per target, and the index field that holds each (the same in every engine).
FACET_FIELDS = {
    "statements": {
        "speaker": "speaker_id",
        "kind": "kind",
        "type": "type",
        "source": "source",
        "place": "places",
        "country": "countries",
        "topic": "topics",
        "channel": "channel_name",
        "direct": "direct",
        "confidence": "confidence",  # the band (archive.model.confidence_band), not the number
    },
    "articles": {"speaker": "speakers", "source": "source", "place": "places", "country": "countries", "topic": "topics"},
}


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
        # same words go unstemmed to ``words`` instead: for did-you-mean, and for prefixes (negotiat*),
        # which must match words as written, not their stems.
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
        channel_name=ID(sortable=True),  # the channel as written, for its facet ("channel" is its words)
        direct=BOOLEAN(),
        confidence=ID(sortable=True),
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
