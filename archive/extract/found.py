"""A statement while it is being found: its span, cue, speaker mention and how it was attributed;
and the noun-phrase look-ups the statement finders share (remembered per document)."""

from __future__ import annotations

from dataclasses import dataclass

from archive.extract.entities import Entity
from archive.extract.kinds import Cue, lexicon
from archive.extract.quotes import Quotation
from archive.extract.sentences import Document
from archive.extract.speakers import (
    Mention,
    mention_after,
    mention_before,
)

SKIPPABLE = frozenset(
    "has have had also later again then previously recently once further reportedly repeatedly publicly "
    "will would could may might shall should can must already still just earlier subsequently on "
    "monday tuesday wednesday thursday friday saturday sunday today yesterday tonight firmly flatly "
    "quickly quietly simply openly privately directly explicitly initially separately meanwhile "
    "often frequently usually jointly".split()
)
OPEN_MARKS = '"“«„'


@dataclass
class Found:
    """A statement under construction."""

    start: int
    end: int
    direct: bool
    cue: Cue | None = None
    cue_span: tuple[int, int] | None = None
    mention: Mention | None = None
    kind: str = "statement"
    confidence: float = 0.5
    sentence: int = 0
    inherit_from: Found | None = None  # same speaker as this statement
    alternate: bool = False  # speaker by dialogue turn-taking
    entity: Entity | None = None
    quotation: Quotation | None = None
    speaker_override: Mention | None = None
    text: str | None = None  # the quoted words, for direct speech
    fragment: bool = False  # verbatim words quoted inside a reported clause
    nested: bool = False  # reported inside another statement's content ("because of reports stating that …")
    unattributed: bool = False  # the text names no speaker ("it was reported that", "claims of"): none is inferred


def np_after(doc: Document, i: int, hi: int) -> Mention | None:
    """The speaker-like noun phrase starting at token ``i`` (remembered per document)."""
    key = ("after", i, hi)
    if key not in doc.memo:
        doc.memo[key] = mention_after(doc.text, doc.toks, i, hi)
    return doc.memo[key]


def np_before(doc: Document, j: int, lo: int) -> Mention | None:
    """The speaker-like noun phrase ending at token ``j`` (remembered per document)."""
    key = ("before", j, lo)
    if key not in doc.memo:
        doc.memo[key] = mention_before(doc.text, doc.toks, j, lo)
    return doc.memo[key]


def set_attribution(doc: Document, f: Found, cue: Cue, m: Mention, conf: float) -> None:
    f.cue, f.mention, f.confidence = cue, m, conf
    f.cue_span = (doc.toks[cue.first].start, doc.toks[cue.last].end)
    f.kind = lexicon().kind_for(cue, doc.text[f.start : f.end])


def turn_gap(doc: Document, prev: Found, q: Quotation) -> bool:
    """Only the previous turn's own attribution stands between it and this quotation."""
    assert prev.quotation is not None
    gap_start = prev.quotation.outer_end
    if prev.cue_span is not None and prev.cue_span[0] >= gap_start:
        gap_start = doc.text.find("\n", prev.cue_span[1], q.open)
        if gap_start == -1:
            return False
    return doc.text[gap_start : q.open].strip(" \t\n,.;:!?") == ""
