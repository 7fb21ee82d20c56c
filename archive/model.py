"""The records Parley keeps: articles and what extraction finds in them.

Plain frozen dataclasses, the only objects that cross layer boundaries.  Offsets are
Python ``str`` indices (half-open) into ``Article.text``, the article body verbatim.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

SPEAKER_TYPES = ("person", "organization", "group", "anonymous", "unknown")  # anonymous: an unnamed source
PRECISIONS = ("day", "week", "month", "year")

# What a statement's confidence promises, in three bands users can filter on.  The bounds come from
# bench/calibration.py on the dev sets: of statements at 0.8 or more, 99% are right (the promise is
# 90%); from 0.6 to 0.8 about 70%; below 0.6 most are wrong.  These are the only thresholds.
CONFIDENCE_BANDS = ("high", "medium", "low")
HIGH_CONFIDENCE = 0.8
MEDIUM_CONFIDENCE = 0.6


def confidence_band(value: float) -> str:
    """The band of a confidence: "high" (>= 0.8), "medium" (>= 0.6) or "low"."""
    if value >= HIGH_CONFIDENCE:
        return "high"
    return "medium" if value >= MEDIUM_CONFIDENCE else "low"


def article_id(text: str, url: str | None = None) -> str:
    """A stable id from the body (whitespace-normalised) and URL: the same article gets the same id."""
    body = " ".join(text.split())
    digest = hashlib.sha256(f"{(url or '').strip()}\n{body}".encode())
    return digest.hexdigest()[:16]


def statement_id(article: str, seq: int) -> str:
    """A statement's permanent id: its article's id and its place among the article's statements."""
    return f"{article}-{seq}"


def split_statement_id(value: str) -> tuple[str, int] | None:
    """The article id and place of a statement id, or None when ``value`` is not one."""
    article, _, seq = value.rpartition("-")
    return (article, int(seq)) if article and seq.isascii() and seq.isdigit() and len(seq) < 7 else None


def fold(name: str) -> str:
    """Lower-case, accent-free, punctuation-light form of a name: what decides that two spellings match.

    The one name fold of speakers, actors and the index.  Rule: case-folded ("ß" -> "ss"), accents
    dropped, every other letter and digit of any script kept, anything else one space between words.
    Places are matched by the gazetteer's own key, ``archive.extract.gazetteer.key``, which keeps only
    ASCII (it says why).
    """
    if name.isascii():  # nothing to decompose: its lower-case letters and digits, one space between runs
        return " ".join(_NOT_ALNUM.sub(" ", name.lower()).split())
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() else " " for c in stripped.casefold())
    return " ".join(cleaned.split())


_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_DOUBLES = re.compile(r"(\w)\1+")
_ENDINGS = re.compile(r"(?:iy|yi|ij|ii)\b")


def spelling_key(word: str) -> str:
    """One form for common transliteration variants of a folded word: doubled letters, -iy/-yy/-ii endings.

    "zelenskyy", "zelenskiy" and "zelensky" all become "zelensky".
    """
    single = _DOUBLES.sub(r"\1", word)
    return _ENDINGS.sub("y", single) if len(single) > 4 else single


def name_key(name: str) -> str:
    """What decides that two spellings name the same speaker: folded, and transliteration variants merged."""
    return " ".join(spelling_key(word) for word in fold(name).split())


@dataclass(frozen=True)
class Article:
    """One article: its body verbatim and what is known about where it came from."""

    text: str
    title: str | None = None
    published: date | None = None
    source: str | None = None
    url: str | None = None
    author: str | None = None
    language: str | None = None
    path: str | None = None
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", article_id(self.text, self.url))

    def with_metadata(self, **changes: Any) -> Article:
        """A copy with missing metadata filled in; the id stays the same."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "source": self.source,
            "url": self.url,
            "author": self.author,
            "language": self.language,
            "text": self.text,
        }


@dataclass(frozen=True)
class Speaker:
    """Who made a statement: the normalised name, and where the text names them."""

    name: str
    type: str = "unknown"
    role: str | None = None
    mention: str | None = None
    start: int | None = None
    end: int | None = None

    def as_dict(self) -> dict[str, Any]:  # by hand: ``asdict`` deep-copies, and the store calls this per statement
        return {"name": self.name, "type": self.type, "role": self.role, "mention": self.mention, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class DateRef:
    """A date expression and what it means: ``value`` at ``precision``, or unresolved (None)."""

    text: str
    start: int | None
    end: int | None
    value: str | None = None
    precision: str | None = None
    range_start: str | None = None
    range_end: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "value": self.value,
            "precision": self.precision,
            "range_start": self.range_start,
            "range_end": self.range_end,
        }

    def as_period(self) -> dict[str, Any]:
        """The statement-date shape of the extract contract: ``start``/``end`` are dates, not offsets."""
        return {
            "value": self.value,
            "start": self.range_start,
            "end": self.range_end,
            "precision": self.precision,
            "text": self.text,
        }

    @classmethod
    def from_period(cls, data: dict[str, Any]) -> DateRef:
        """The inverse of ``as_period`` (offsets are not part of a statement's date)."""
        return cls(
            text=data.get("text") or "",
            start=None,
            end=None,
            value=data.get("value"),
            precision=data.get("precision"),
            range_start=data.get("start"),
            range_end=data.get("end"),
        )


@dataclass(frozen=True)
class Place:
    """A place mention resolved to a gazetteer entry (or not: name only)."""

    text: str
    start: int
    end: int
    name: str
    kind: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None

    def as_dict(self) -> dict[str, Any]:  # by hand: ``asdict`` deep-copies, and the store calls this per place
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "name": self.name,
            "kind": self.kind,
            "country": self.country,
            "lat": self.lat,
            "lon": self.lon,
        }


@dataclass(frozen=True)
class Statement:
    """Who said what: the reported content with its span, speaker, cue, kind and context."""

    quote: str
    start: int
    end: int
    direct: bool
    speaker: Speaker | None = None
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    kind: str = "statement"
    channel: str | None = None
    confidence: float = 0.5
    date: DateRef | None = None
    places: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()

    @property
    def confidence_band(self) -> str:
        return confidence_band(self.confidence)

    def as_dict(self) -> dict[str, Any]:
        return {
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "direct": self.direct,
            "cue": self.cue,
            "cue_start": self.cue_start,
            "cue_end": self.cue_end,
            "speaker": self.speaker.as_dict() if self.speaker else None,
            "kind": self.kind,
            "channel": self.channel,
            "confidence": round(self.confidence, 3),
            "date": self.date.as_period() if self.date else None,
            "places": list(self.places),
            "topics": list(self.topics),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Statement:
        """The inverse of ``as_dict`` (how the store keeps a statement)."""
        period = data.get("date")
        return cls(
            quote=data["quote"],
            start=data["start"],
            end=data["end"],
            direct=data["direct"],
            speaker=Speaker(**data["speaker"]) if data.get("speaker") else None,
            cue=data.get("cue"),
            cue_start=data.get("cue_start"),
            cue_end=data.get("cue_end"),
            kind=data.get("kind") or "statement",
            channel=data.get("channel"),
            confidence=data.get("confidence", 0.5),
            date=DateRef.from_period(period) if period else None,
            places=tuple(data.get("places") or ()),
            topics=tuple(data.get("topics") or ()),
        )


@dataclass(frozen=True)
class Extraction:
    """Everything extraction found in one article."""

    article: Article
    statements: tuple[Statement, ...] = ()
    places: tuple[Place, ...] = ()
    dates: tuple[DateRef, ...] = ()
    topics: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        """The shape of ``parley extract --json`` (see shared/eval/README.md)."""
        return {
            "article": self.article.as_dict(),
            "statements": [s.as_dict() for s in self.statements],
            "places": [p.as_dict() for p in self.places],
            "dates": [d.as_dict() for d in self.dates],
            "topics": list(self.topics),
        }
