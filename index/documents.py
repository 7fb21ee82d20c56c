"""From stored extractions to Whoosh documents: one per statement."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from archive.extract import place_variants, sentence_bounds
from archive.model import Extraction, Statement, name_key, statement_id
from archive.period import day_number as _day_number
from index.schema import SEPARATOR

UNDATED = -2_000_000  # day number of statements with no date at all: sorts last, never in a range
UNDATED_LAST = 2_000_000  # the same, for sorting oldest first


@lru_cache(maxsize=65536)  # names repeat across statements: folding each once is a good part of indexing time
def speaker_key(name: str) -> str:
    """The facet value of a speaker: one for every spelling ("Jean-Noël Barrot" → "jean noel barot")."""
    return name_key(name)


@lru_cache(maxsize=4096)  # an article's statements mostly share a handful of dates: each parsed once
def day_number(value) -> int | None:
    """``archive.period.day_number``, remembered."""
    return _day_number(value)


def sentence_of(text: str, statement: Statement) -> str:
    """The sentence(s) a statement sits in: its context for search and display."""
    lo = statement.start if statement.cue_start is None else min(statement.start, statement.cue_start)
    hi = statement.end if statement.cue_end is None else max(statement.end, statement.cue_end)
    left, right = sentence_bounds(text, lo, hi)
    return text[left:right].strip()


def place_spellings(names) -> list[str]:
    """Place names with their other known spellings, so a search for Kiev finds Kyiv."""
    variants = place_variants()
    return [spelling for name in names for spelling in (name, *variants.get(name, ()))]


def statement_documents(extraction: Extraction) -> Iterator[dict]:
    """The Whoosh documents of one article's statements."""
    article = extraction.article
    countries_by_place = {p.name: p.country for p in extraction.places if p.country}
    published = day_number(article.published)
    for seq, s in enumerate(extraction.statements):
        speaker = s.speaker
        names = [speaker.name, speaker.mention or ""] if speaker else []
        day = day_number(s.date.value or s.date.range_start) if s.date else None
        context = sentence_of(article.text, s)
        spoken = " ".join(n for n in names if n)
        role = (speaker.role or "") if speaker else ""
        places = " ".join(place_spellings(s.places))
        text = "\n".join(part for part in ("" if s.quote in context else s.quote, context, spoken, role, s.channel or "", places) if part)
        doc = {
            "id": statement_id(article.id, seq),
            "article_id": article.id,
            "text": text,
            "words": text,  # the same words unstemmed: prefixes match them as written, did-you-mean suggests them
            "speaker": spoken,
            "role": role,
            "channel": s.channel or "",
            "place": places,
            "speaker_id": speaker_key(speaker.name) if speaker else "",
            "kind": s.kind,
            "type": speaker.type if speaker else "unknown",
            "source": article.source or "",
            "precision": (s.date.precision or "") if s.date else "",
            "channel_name": s.channel or "",
            "direct": s.direct,
            "confidence": s.confidence_band,
            "places": SEPARATOR.join(s.places),
            "countries": SEPARATOR.join(sorted({countries_by_place[p] for p in s.places if p in countries_by_place})),
            "topics": SEPARATOR.join(s.topics),
        }
        doc["day"] = day if day is not None else published if published is not None else UNDATED
        doc["day_last"] = UNDATED_LAST if doc["day"] == UNDATED else doc["day"]
        doc["published"] = published if published is not None else UNDATED
        yield doc


def article_document(extraction: Extraction) -> dict:
    """The Whoosh document of one article."""
    article = extraction.article
    names = sorted({s.speaker.name for s in extraction.statements if s.speaker})
    place_names = list(dict.fromkeys(p.name for p in extraction.places))
    day = day_number(article.published)
    return {
        "id": article.id,
        "title": article.title or "",
        "body": article.text,
        "speaker": " ".join(names),
        "place": " ".join(place_spellings(place_names)),
        "source": article.source or "",
        "places": SEPARATOR.join(place_names),
        "countries": SEPARATOR.join(sorted({p.country for p in extraction.places if p.country})),
        "topics": SEPARATOR.join(extraction.topics),
        "speakers": SEPARATOR.join(sorted({speaker_key(n) for n in names})),
        "day": day if day is not None else UNDATED,
        "day_last": day if day is not None else UNDATED_LAST,
    }
