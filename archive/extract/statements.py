"""Statements: who said what in an article, direct and reported, with speaker, cue, kind and channel.

``find_statements(text)`` is the entry point.  It reads the text once into sentences, tokens and
quotations (``sentences``, ``quotes``), finds reporting cues (``kinds``) and speaker mentions
(``speakers``), and ties them together:

* direct speech: each quotation, attributed from the words after it ("…,” Peskov told Interfax"),
  before it ("he said, “…”", a lead-in ending in a colon), an interrupted quote's other half, the
  paragraph it continues, or the turn-taking of dialogue;
* reported speech: a cue verb with its subject and clause ("X warned that …", "X urged Moscow to …"),
  "according to X", nominal cues ("X's call for …") and partial quotes inside them;
* speakers resolved within the article: short names, pronouns and descriptions join their entity.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from archive.extract.confidence import calibrated
from archive.extract.dialogue import resolve_speakers
from archive.extract.direct import direct_speech
from archive.extract.entities import Entities
from archive.extract.found import Found
from archive.extract.kinds import lexicon
from archive.extract.reported import reported_speech
from archive.extract.sentences import Document
from archive.extract.speakers import Mention
from archive.model import DateRef, Place, Speaker, Statement

__all__ = ["find_statements"]


# What gives a statement its date, places and topics (the pipeline, which has found them in the whole
# text): (start, end, cue start, cue end, speaker) -> (date, places, topics).
Situate = Callable[[int, int, int | None, int | None, Speaker | None], tuple[DateRef | None, tuple[str, ...], tuple[str, ...]]]


def find_statements(text: str, places: Sequence[Place] = (), doc: Document | None = None, situate: Situate | None = None) -> list[Statement]:
    """Every statement in ``text``, sorted by start (offsets are ``str`` indices into ``text``);
    ``places`` found in the text keep place names out of the speakers; ``doc`` is the text read by
    ``sentences``, when the caller has it; ``situate``, when given, gives each statement its date,
    places and topics as it is made."""
    if not text or not text.strip():
        return []
    if doc is None:
        doc = Document(text)
    consumed: set[int] = set()  # opens of quotations absorbed into reported speech
    found = reported_speech(doc, consumed)
    found += direct_speech(doc, consumed, found)
    if not found:
        return []
    found = _dedupe(found)
    found = _without_repeated_headline(doc, found)
    found.sort(key=lambda f: (f.start, f.end))
    resolve_speakers(doc, found, {(p.start, p.end): p.kind or "" for p in places})
    return [_statement(doc, f, found[i - 1] if i else None, situate) for i, f in enumerate(found)]


# ------------------------------------------------------------------------------ merging


def _dedupe(found: list[Found]) -> list[Found]:
    """Drop a statement that mostly repeats another (a reported clause over a direct quote)."""
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    direct_cues = {f.cue_span for f in found if f.direct and not f.fragment and f.cue_span is not None}
    out: list[Found] = []
    for f in found:
        clash = None
        for g in out[-4:] if not f.fragment and not f.nested else ():
            if g.fragment or g.nested:
                continue
            ov = min(f.end, g.end) - max(f.start, g.start)
            if ov > 0.5 * min(f.end - f.start, g.end - g.start):
                clash = g
                break
        if not f.direct and f.cue_span is not None and f.cue_span in direct_cues:
            continue  # the attribution of a direct quote ("…,” Peskov told Interfax news agency)
        if clash is None:
            out.append(f)
        elif f.direct and not clash.direct:
            out[out.index(clash)] = f
    return out


def _without_repeated_headline(doc: Document, found: list[Found]) -> list[Found]:
    """A verbless headline ("Pence: Flowers Won't Be at Debate") that the body repeats, from the same
    speaker, is no second statement: most of its words come back in a statement of the body."""
    head = [f for f in found if f.cue is not None and f.cue.lemma == ":" and f.start < doc.sents[0].end]
    if not head:
        return found
    h = head[0]
    words = _content_words(doc.text[h.start : h.end])
    who = _last_word(h.mention)
    for f in found:
        if f is h or _last_word(f.mention) != who or not words:
            continue
        if len(words & _content_words(doc.text[f.start : f.end])) >= 0.5 * len(words):
            return [f for f in found if f is not h]
    return found


def _content_words(text: str) -> set[str]:
    return {w.strip("'\"‘’“”.,:;!?").lower() for w in text.split() if len(w.strip("'\"‘’“”.,:;!?")) > 3}


def _last_word(m: Mention | None) -> str | None:
    return m.name.split()[-1].lower() if m is not None and m.name.split() else None


def _statement(doc: Document, f: Found, before: Found | None, situate: Situate | None) -> Statement:
    m = f.speaker_override or f.mention
    speaker = None
    if m is not None:
        speaker = Entities.speaker(m, f.entity)
    elif f.entity is not None:  # inferred from the dialogue: no mention attributes it
        speaker = Speaker(name=f.entity.label, type=f.entity.type, role=f.entity.role)
    kind = _carried_kind(f, before)
    cue_text = doc.text[f.cue_span[0] : f.cue_span[1]] if f.cue_span else None
    cue_start = f.cue_span[0] if f.cue_span else None
    cue_end = f.cue_span[1] if f.cue_span else None
    date, places, topics = situate(f.start, f.end, cue_start, cue_end, speaker) if situate is not None else (None, (), ())
    return Statement(
        quote=doc.text[f.start : f.end],
        start=f.start,
        end=f.end,
        direct=f.direct,
        speaker=speaker,
        cue=cue_text,
        cue_start=cue_start,
        cue_end=cue_end,
        kind=kind,
        channel=_channel(doc, f),
        confidence=calibrated(f, doc.text[f.start : f.end], m if speaker else None, speaker.type if speaker else None),
        date=date,
        places=places,
        topics=topics,
    )


def _carried_kind(f: Found, lead: Found | None) -> str:
    """A lead sentence's kind (e.g. a clarification) carries to the direct quote that follows it
    from the same speaker, when the quote's own cue is neutral."""
    if not f.direct or f.kind != "statement" or lead is None:
        return f.kind
    if lead.kind in lexicon().carry_kinds and lead.entity is not None and lead.entity is f.entity:
        if f.sentence - lead.sentence <= 1:
            return lead.kind
    return f.kind


def _channel(doc: Document, f: Found) -> str | None:
    """Where the statement was made, when its sentence says ("told Interfax", "in a televised interview",
    "on Telegram"), nearest to its cue; the words of the statement itself do not count."""
    if f.cue_span is None:
        return None  # a channel is named with the cue
    sent = doc.sents[f.sentence]
    lo, hi = min(sent.start, f.start), sent.end
    if f.cue_span is not None:  # the attribution may end a later sentence than the quote starts
        cue_sent = doc.sents[doc.sentence_of(f.cue_span[0])]
        lo, hi = min(lo, f.cue_span[0]), max(hi, f.cue_span[1], cue_sent.end)
    near = f.cue_span[0] if f.cue_span is not None else f.start
    return lexicon().channel(doc.text, [(lo, f.start), (f.end, hi)], near)
