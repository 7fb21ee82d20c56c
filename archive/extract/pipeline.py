"""The extraction pipeline: from an article's text to statements, places, dates and topics.

One extractor per field (``statements``, ``places``, ``dates``, ``topics``); this module runs them
and ties their results together: each statement gets the date and places of its own sentence,
else the article's publication date with precision "article".
"""

from __future__ import annotations

import gc
from bisect import bisect_left
from functools import cached_property

from archive.extract.dates import date_near, find_dates
from archive.extract.places import PlaceIndex, find_places
from archive.extract.sentences import Document, sentence_bounds
from archive.extract.statements import find_statements
from archive.extract.topics import topic_lexicon
from archive.model import Article, DateRef, Extraction, Place, Speaker

__all__ = ["extract", "extract_or_keep", "MAX_EXTRACT_CHARS"]

# Extraction reads at most this much of an article (about 30,000 words, three times a long feature):
# its cost grows with the text, and a 6 MB file of prose under the size cap took two minutes and a
# gigabyte for 200,000 "statements".  The whole text is still stored and searchable.
MAX_EXTRACT_CHARS = 200_000


def extract(article: Article) -> Extraction:
    """Everything Parley finds in one article (in its first ``MAX_EXTRACT_CHARS`` characters)."""
    # The collector stays off while one article is read: extraction allocates tens of thousands of
    # short-lived tuples that reference counting frees, and hardly a cycle, so each of the hundreds
    # of young-generation collections per article found nothing to free.  Cycles made here are
    # collected at the next collection after it, as before.
    collecting = gc.isenabled()
    gc.disable()
    try:
        extraction = _extract(article)
    finally:
        if collecting:
            gc.enable()
    _settle()
    return extraction


def _extract(article: Article) -> Extraction:
    text = article.text[: extract_limit(article.text)]
    dates = tuple(find_dates(text, article.published))
    doc = Document(text)  # read once: the statement finders and the place spotter share its tokens
    places = tuple(find_places(text, doc))
    evidence = topic_lexicon().matches(text)
    situate = _Situate(text, article, list(dates), list(places), evidence)
    statements = tuple(find_statements(text, places, doc, situate))
    return Extraction(article=article, statements=statements, places=places, dates=dates, topics=tuple(evidence))


_settled = False


def _settle() -> None:
    """After the first extraction has loaded the gazetteer and lexicons, take them out of the collector's view.

    Those tables are millions of objects that live as long as the process, and every full collection
    walked them all again.  ``gc.freeze`` moves what exists now to the permanent generation, once;
    whatever is allocated later is collected as before.
    """
    global _settled
    if not _settled:
        _settled = True
        gc.freeze()


def extract_or_keep(article: Article) -> tuple[Extraction, str | None]:
    """Like ``extract``, but an extractor's failure keeps the article (with nothing extracted) and says why.

    A bug in one extractor must never lose an article or stop a batch; ``parley reindex --extract`` re-extracts
    once it is fixed.
    """
    try:
        extraction = extract(article)
    except RecursionError:
        return Extraction(article), "extraction failed (text nested too deeply); the article is kept without statements"
    except Exception as error:  # noqa: BLE001 - any extractor bug, reported with the article
        return Extraction(article), f"extraction failed ({type(error).__name__}: {error}); the article is kept without statements"
    limit = extract_limit(article.text)
    if limit < len(article.text):
        return extraction, f"{len(article.text):,} characters long: statements, places, dates and topics were looked for in the first {limit:,} only"
    return extraction, None


def extract_limit(text: str) -> int:
    """Where extraction stops: all of ``text``, else the last paragraph or line break before the cap."""
    if len(text) <= MAX_EXTRACT_CHARS:
        return len(text)
    cut = text.rfind("\n", MAX_EXTRACT_CHARS * 9 // 10, MAX_EXTRACT_CHARS)
    return cut + 1 if cut >= 0 else MAX_EXTRACT_CHARS


class _Situate:
    """Give each statement of one article its date, places and topics, from the sentence it sits in."""

    def __init__(self, text: str, article: Article, dates: list[DateRef], places: list[Place], evidence: dict[str, list[tuple[int, int]]]) -> None:
        self.text = text
        self.dates = dates
        self._places = places
        self._evidence = evidence
        self.published: DateRef | None = None
        if article.published is not None:
            day = article.published.isoformat()
            self.published = DateRef(text="", start=None, end=None, value=day, precision="article", range_start=day, range_end=day)

    # The indexes are built for the first statement: many articles (and most pages of place names) have none.
    @cached_property
    def places(self) -> PlaceIndex:
        return PlaceIndex(self.text, self._places)

    @cached_property
    def topics(self) -> list[tuple[str, _Spans]]:
        return [(topic, _Spans(spans)) for topic, spans in self._evidence.items()]

    def __call__(
        self, start: int, end: int, cue_start: int | None, cue_end: int | None, speaker: Speaker | None
    ) -> tuple[DateRef | None, tuple[str, ...], tuple[str, ...]]:
        """The date, places and topics of the statement ``[start, end)`` with its cue and speaker."""
        lo, hi = start, end
        if cue_start is not None and cue_end is not None:
            lo, hi = min(lo, cue_start), max(hi, cue_end)
        if speaker and speaker.start is not None and speaker.end is not None:
            lo, hi = min(lo, speaker.start), max(hi, speaker.end)
        start, end = sentence_bounds(self.text, lo, hi)
        own = date_near(self.dates, lo, hi, self.text, cue_start=cue_start) if self.dates else None
        if own is None:
            own = self.published
        where = self.places.location(lo, hi)
        named = self.places.near(start, end)
        places = tuple(dict.fromkeys(([where] if where else []) + named))
        return own, places, tuple(topic for topic, spans in self.topics if spans.within(start, end))


class _Spans:
    """Spans sorted by start, with the least end from each one on: whether one lies in a range."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [a for a, _ in ordered]
        self.least_end = [b for _, b in ordered]
        for k in range(len(ordered) - 2, -1, -1):
            self.least_end[k] = min(self.least_end[k], self.least_end[k + 1])

    def within(self, start: int, end: int) -> bool:
        """Whether some span ``(a, b)`` has ``start <= a`` and ``b <= end``."""
        k = bisect_left(self.starts, start)
        return k < len(self.starts) and self.least_end[k] <= end
