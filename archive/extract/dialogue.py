"""Speakers of a whole text: statements resolved in text order with the names around them, described
speakers named from the dialogue, and unattributed turns of a conversation given their speaker."""

from __future__ import annotations

import re
from collections.abc import Iterator

from archive.extract.entities import Entities, Entity
from archive.extract.found import Found, turn_gap
from archive.extract.keyscan import at_word_start
from archive.extract.sentences import Document
from archive.extract.speakers import (
    Mention,
    gender_hints,
    narrative_mentions,
    vocabulary,
)


def resolve_speakers(doc: Document, found: list[Found], places: dict[tuple[int, int], str] | None = None) -> None:
    """Resolve every statement's speaker in text order, together with the names around it
    (``places``: the spans of place names in the text, and their kinds)."""
    mentions = narrative_mentions(doc, until=max(f.end for f in found))
    contents = [(f.start, f.end) for f in found if not f.direct]
    ents = Entities(gender_hints(doc, mentions), places, contents, doc.lower_words, doc.text)
    # names and statements in text order (a statement at its speaker mention when that comes first)
    events: list[tuple[int, int, Mention | None, Found | None]] = [(m.start, 0, m, None) for m in mentions]
    for f in found:
        m = f.speaker_override or f.mention
        events.append((m.start if m is not None and m.start < f.start else f.start, 1, None, f))
    events.sort(key=lambda e: (e[0], e[1]))
    done: list[Found] = []
    for _, _, name, statement in events:
        if statement is None:
            if name is not None:
                ents.add(name)
            continue
        f = statement
        m = f.speaker_override or f.mention
        if m is not None and ents.place_kind(m) is not None and ents.mute_place(m, _after_preposition(doc, m)):
            f.mention = f.speaker_override = m = None  # "ERBIL", "Mykolaiv": a place says nothing
        if m is not None:
            f.entity = ents.add(m, speaker=True)
        elif f.inherit_from is not None:
            f.entity = f.inherit_from.entity
            f.mention = f.inherit_from.speaker_override or f.inherit_from.mention
        elif f.alternate:
            f.entity = _alternate(done, f, ents)
        elif f.unattributed:
            f.entity = None  # "it was reported that …": no one nearby said it
        else:
            f.entity = _nearby(ents, f)
        if f.entity is not None and m is None:
            ents.timeline.append((f.start, f.entity))
        done.append(f)
    _name_described(doc, found, ents)
    _converse(doc, found, ents)
    for f, nxt in zip(found, found[1:]):
        q = f.quotation
        if (
            f.direct
            and q is not None
            and q.close is None
            and f.mention is None
            and f.inherit_from is None
            and nxt.direct
            and nxt.quotation is not None
            and nxt.mention is not None
            and doc.text[q.outer_end : nxt.quotation.open].strip() == ""
        ):
            f.entity, f.mention, f.confidence = nxt.entity, nxt.mention, 0.75


def _after_preposition(doc: Document, m: Mention) -> bool:
    k = doc.tok_index(m.start) - 1
    return k >= 0 and doc.toks[k].lower in vocabulary().not_speaker_after


_SELF_NAME_RE = re.compile(
    "(?:" + at_word_start("I am", "I'm", "I’m", "I be", "my name is", "My name is", "call me", "Call me") + r")\s+((?:[A-Z][\w'’-]+\.?\s?){1,3})"
)
# The narrator names themself in the narrative: "So, I called myself Pip", "My name was Ishmael".
_NARRATOR_NAME_RE = re.compile(
    "(?:"
    + at_word_start("I called myself", "I was called", "My name is", "My name was", "my name is", "my name was", "Call me", "call me")
    + r")\s+([A-Z][\w'’-]+)(?=[\s,.;])"
)
# A name someone is called by: at the start of the quotation, after a comma, semicolon, ! or ?, or
# after "dear", "my", "oh", "O" (“Watson, …”, “…, Mr. Holmes.”, “My dear Holmes”).
_VOCATIVE_RE = re.compile(r"(?:^|[,;!?]\s|\b(?:dear|Dear|my|My|Oh|oh|O)\s)((?:[A-Z][\w'’-]+\.?\s)?[A-Z][\w'’-]+)(?=\s?[,.!?;])")
# The same after the first character, where "^" never matches: written to start with literals only
# (see ``keyscan.at_word_start``), it is found many times faster.
_VOCATIVE_AFTER_START_RE = re.compile(
    r"(?:,\s|;\s|!\s|\?\s|" + at_word_start("dear", "Dear", "my", "My", "Oh", "oh", "O", then=r"\s") + r")((?:[A-Z][\w'’-]+\.?\s)?[A-Z][\w'’-]+)(?=\s?[,.!?;])"
)


def _vocative_matches(text: str, start: int = 0, end: int | None = None) -> Iterator[re.Match[str]]:
    """``_VOCATIVE_RE.finditer(text, start, end)``: the full pattern where "^" can match (offset 0), the
    fast one after it."""
    end = len(text) if end is None else end
    if start == 0:
        first = _VOCATIVE_RE.match(text, 0, end)
        if first is not None:
            yield first
            start = first.end()
    yield from _VOCATIVE_AFTER_START_RE.finditer(text, start, end)


def _vocatives(doc: Document, f: Found) -> list[str]:
    """Names the speaker of ``f`` calls someone by: “…, Watson, …”, “My dear Holmes”."""
    v = vocabulary()
    out = []
    for m in _vocative_matches(doc.text, f.start, f.end):
        name = m.group(1).strip()
        if name.split()[0].lower().rstrip(".") in v.not_names or name == "I":
            continue
        out.append(name)
    return out


def _name_narrator(doc: Document, direct: list[Found], ents: Entities) -> None:
    """The first-person narrator's name: what they call themselves, and what those they talk with
    call them (two votes at least)."""
    narrator = ents.narrator
    if narrator is None:
        return
    votes: dict[str, int] = {}
    for m in _NARRATOR_NAME_RE.finditer(doc.text):
        if not doc.quote_at(m.start()):
            votes[m.group(1)] = votes.get(m.group(1), 0) + 2
    for i, f in enumerate(direct):
        if f.entity is None or f.entity.final() is not narrator:
            continue
        m = _SELF_NAME_RE.search(doc.text, f.start, f.end)
        if m:
            name = m.group(1).strip()
            votes[name] = votes.get(name, 0) + 2
        for j in (i - 1, i + 1):
            if 0 <= j < len(direct) and abs(direct[j].start - f.start) < 600:
                other = direct[j].entity
                if other is not None and other.final() is not narrator:
                    g = direct[j]
                    for name in set(_vocatives(doc, g)):
                        at = doc.text.find(name, g.start, g.end)
                        lead = doc.text[max(g.start, at - 6) : at].lower()
                        strong = at == g.start or "dear" in lead  # “Watson, …” / “my dear Watson”
                        if not strong and doc.text.count(name) < 2:
                            continue  # a word met once ("here we are, Egria.") is no name to go by
                        votes[name] = votes.get(name, 0) + (2 if strong else 1)
    if votes:
        name, n = max(votes.items(), key=lambda kv: kv[1])
        if n >= 2:
            ents.name_entity(narrator, name, create=True)


def _name_described(doc: Document, found: list[Found], ents: Entities) -> None:
    """Name described speakers ("the parson") from the dialogue: what they call themselves
    ("I am Parson Tringham") and what the other speaker calls them ("…, Durbeyfield, …")."""
    v = vocabulary()
    direct = [f for f in found if f.direct and f.entity is not None]
    _name_narrator(doc, direct, ents)
    for i, f in enumerate(direct):
        ent = f.entity.final()  # type: ignore[union-attr]
        quote = doc.text[f.start : f.end]
        m = _SELF_NAME_RE.search(quote)
        if m and ent.nominal:
            ents.name_entity(ent, m.group(1).strip(), create=True)
        for m in _vocative_matches(quote):
            name = m.group(1).strip()
            if name.split()[0].lower().rstrip(".") in v.not_names or name == "I":
                continue
            for j in (i + 1, i - 1):
                if 0 <= j < len(direct) and abs(direct[j].start - f.start) < 600:
                    other = direct[j].entity.final()  # type: ignore[union-attr]
                    if other is not ent and other.nominal and ents.find_name(name) is not ent:  # “Pip, sir.”: own name
                        ents.name_entity(other, name)
                    break
    for f in found:
        if f.entity is not None:
            f.entity = f.entity.final()
    # an unattributed turn is by the one the next turn addresses: “Uncle, …” / “I'm not well, Florence.”
    all_direct = [f for f in found if f.direct]
    for f, g in zip(all_direct, all_direct[1:]):
        if (
            f.entity is None
            and g.alternate
            or f.entity is None
            and g.quotation is not None
            and f.quotation is not None
            and doc.text[f.quotation.outer_end : g.quotation.open].strip() == ""
        ):
            for m in _vocative_matches(doc.text[g.start : g.end]):
                ent = ents.find_name(m.group(1).strip())
                if ent is not None and ent is not g.entity:
                    f.entity, f.confidence = ent, 0.45
                    break


def _conversations(doc: Document, found: list[Found]) -> list[list[list[Found]]]:
    """Runs of dialogue: quotations that follow each other with nothing but the previous one's
    attribution between them, grouped into turns (statements of one speaker in a row)."""
    chains: list[list[list[Found]]] = []
    prev: Found | None = None
    for f in found:
        if not f.direct or f.fragment or f.quotation is None:
            continue
        if prev is not None and f.inherit_from is prev:
            chains[-1][-1].append(f)
        elif prev is not None and prev.quotation is not None and turn_gap(doc, prev, f.quotation):
            chains[-1].append([f])
        else:
            chains.append([[f]])
        prev = f
    return chains


def _converse(doc: Document, found: list[Found], ents: Entities) -> None:
    """Give each unattributed turn of a dialogue the one the turn before it addresses (“…, Tommy?”),
    else the speaker of the attributed turn two, four … turns away (before or after it), else the
    other participant of the nearest attributed turn."""
    for chain in _conversations(doc, found):
        if len(chain) < 2:
            continue
        anchors: dict[int, Entity] = {}
        for i, turn in enumerate(chain):
            for f in turn:
                if f.mention is not None and f.entity is not None and f.confidence >= 0.85:
                    anchors[i] = f.entity.final()
                    break
        addressed: dict[int, Entity] = {}
        for i, turn in enumerate(chain):
            for name in _vocatives(doc, turn[-1]):
                ent = ents.find_name(name)
                if ent is not None and ent is not anchors.get(i):
                    addressed[i + 1] = ent
                    break
        if not anchors and not addressed:
            continue
        people = list(dict.fromkeys(anchors.values()))
        for i, turn in enumerate(chain):
            if i in anchors:
                continue
            if any(f.mention is not None for f in turn):
                continue
            even = sorted((abs(j - i), j > i, j) for j in anchors if (j - i) % 2 == 0)
            ent: Entity | None = None
            if i in addressed:
                ent = addressed[i]
            elif even:
                ent = anchors[even[0][2]]
            elif anchors:
                odd = sorted((abs(j - i), j > i, j) for j in anchors)
                near = anchors[odd[0][2]]
                others = [p for p in people if p is not near]
                if others:
                    ent = others[0]
            if ent is None:
                continue
            nb = [anchors.get(i - 1), anchors.get(i + 1)]
            if ent in nb:
                continue
            for f in turn:
                f.entity = ent


def doc_text_of(f: Found) -> str:
    return f.text or ""


def _alternate(done: list[Found], f: Found, ents: Entities) -> Entity | None:
    """Dialogue: the one the last speaker addressed, the speaker before last, or the most recent
    other person."""
    if not done:
        return None
    last = done[-1].entity
    # the one the previous speaker addressed: "Uncle, you are not looking well."
    prev_quote = doc_text_of(done[-1])
    for m in _vocative_matches(prev_quote):
        ent = ents.find_name(m.group(1).strip())
        if ent is not None and ent is not last:
            return ent
    if len(done) >= 2 and done[-2].entity is not None and done[-2].entity is not last:
        return done[-2].entity
    for p, ent in reversed(ents.timeline[-60:]):
        if p < f.start and ent is not last and ent.type in ("person", "unknown"):
            return ent
    return None


def _nearby(ents: Entities, f: Found) -> Entity | None:
    for p, ent in reversed(ents.timeline[-60:]):
        if p < f.start and f.start - p < 400 and ent.type in ("person", "unknown"):
            return ent
        if f.start - p >= 400:
            break
    return None
