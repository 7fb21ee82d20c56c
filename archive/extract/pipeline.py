"""The extraction pipeline: from an article's text to statements, places, dates and topics.

One extractor per field (``statements``, ``places``, ``dates``, ``topics``); this module runs them
and ties their results together: each statement gets the date and places of its own sentence,
else the article's publication date with precision "article".
"""

from __future__ import annotations

from dataclasses import replace

from archive.extract.dates import date_near, find_dates, sentence_bounds
from archive.extract.places import find_places, places_near, statement_location
from archive.extract.statements import find_statements
from archive.extract.topics import topic_lexicon
from archive.model import Article, DateRef, Extraction, Place, Statement

__all__ = ["extract", "extract_or_keep"]


def extract(article: Article) -> Extraction:
    """Everything Parley finds in one article."""
    text = article.text
    dates = tuple(find_dates(text, article.published))
    places = tuple(find_places(text))
    evidence = topic_lexicon().matches(text)
    statements = tuple(_situate(s, text, article, list(dates), list(places), evidence) for s in find_statements(text))
    return Extraction(
        article=article,
        statements=statements,
        places=places,
        dates=dates,
        topics=tuple(evidence),
    )


def extract_or_keep(article: Article) -> tuple[Extraction, str | None]:
    """Like ``extract``, but an extractor's failure keeps the article (with nothing extracted) and says why.

    A bug in one extractor must never lose an article or stop a batch; ``parley reindex --extract`` re-extracts
    once it is fixed.
    """
    try:
        return extract(article), None
    except RecursionError:
        return Extraction(article), "extraction failed (text nested too deeply); the article is kept without statements"
    except Exception as error:  # noqa: BLE001 - any extractor bug, reported with the article
        return Extraction(article), f"extraction failed ({type(error).__name__}: {error}); the article is kept without statements"


def _situate(
    statement: Statement, text: str, article: Article, dates: list[DateRef], places: list[Place], evidence: dict[str, list[tuple[int, int]]]
) -> Statement:
    """Give a statement its date, places and topics, from the sentence it sits in."""
    spans = [(statement.start, statement.end)]
    if statement.cue_start is not None and statement.cue_end is not None:
        spans.append((statement.cue_start, statement.cue_end))
    if statement.speaker and statement.speaker.start is not None and statement.speaker.end is not None:
        spans.append((statement.speaker.start, statement.speaker.end))
    lo, hi = min(a for a, _ in spans), max(b for _, b in spans)
    start, end = sentence_bounds(text, lo, hi)
    own = date_near(dates, lo, hi, text, cue_start=statement.cue_start)
    if own is None and article.published is not None:
        day = article.published.isoformat()
        own = DateRef(text="", start=None, end=None, value=day, precision="article", range_start=day, range_end=day)
    where = statement_location(text, lo, hi, places)
    named = places_near(places, start, end)
    return replace(
        statement,
        date=own,
        places=tuple(dict.fromkeys(([where] if where else []) + named)),
        topics=tuple(topic for topic, spans in evidence.items() if any(start <= a and b <= end for a, b in spans)),
    )
