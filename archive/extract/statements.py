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

import bisect
import re
from dataclasses import dataclass, replace

from archive.extract.kinds import Cue, lexicon
from archive.extract.quotes import Quotation
from archive.extract.sentences import Document, is_capitalised, is_heading, token
from archive.extract.speakers import (
    Entities,
    Entity,
    Mention,
    describe,
    gender_hints,
    mention_after,
    mention_before,
    narrative_mentions,
    vocabulary,
)
from archive.model import Speaker, Statement

__all__ = ["find_statements"]

# Words that may stand between a subject and its cue ("Putin has also said", "he again urged").
_SKIPPABLE = frozenset(
    "has have had also later again then previously recently once further reportedly repeatedly publicly "
    "will would could may might shall should can must already still just earlier subsequently on "
    "monday tuesday wednesday thursday friday saturday sunday today yesterday tonight firmly flatly "
    "quickly quietly simply openly privately directly explicitly initially separately meanwhile".split()
)
_PASSIVE = frozenset("is are was were be been being".split())
_NEGATION = frozenset("not never n't didn't don't doesn't".split())
_INTRO_PREPOSITIONS = frozenset(
    "in on at after before during despite following with without as since under amid while when for "
    "by from about over through".split()
)
_CLAUSE_STARTERS = frozenset({"that"})
_PREPOSITIONS = frozenset("to in on at for with from about into over under by of against".split())
_CLAUSE_BREAKS = frozenset({"which", "while", "whereas", "although", "though", "but", "according", "where"})
_OPEN_MARKS = "\"“«„"
_CLOSE_MARKS = frozenset("\"”»’")
_DETERMINER_WORDS = frozenset({"the", "a", "an", "some", "one"})


@dataclass
class _Found:
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
    inherit_from: _Found | None = None  # same speaker as this statement
    alternate: bool = False  # speaker by dialogue turn-taking
    entity: Entity | None = None
    quotation: Quotation | None = None
    speaker_override: Mention | None = None
    text: str | None = None  # the quoted words, for direct speech
    fragment: bool = False  # verbatim words quoted inside a reported clause


def _after(doc: Document, i: int, hi: int) -> Mention | None:
    """The speaker-like noun phrase starting at token ``i`` (remembered per document)."""
    key = ("after", i, hi)
    if key not in doc.memo:
        doc.memo[key] = mention_after(doc.text, doc.toks, i, hi)
    return doc.memo[key]


def _before(doc: Document, j: int, lo: int) -> Mention | None:
    """The speaker-like noun phrase ending at token ``j`` (remembered per document)."""
    key = ("before", j, lo)
    if key not in doc.memo:
        doc.memo[key] = mention_before(doc.text, doc.toks, j, lo)
    return doc.memo[key]


def find_statements(text: str) -> list[Statement]:
    """Every statement in ``text``, sorted by start (offsets are ``str`` indices into ``text``)."""
    if not text or not text.strip():
        return []
    doc = Document(text)
    consumed: set[int] = set()  # opens of quotations absorbed into reported speech
    found = _reported(doc, consumed)
    found += _direct(doc, consumed, found)
    if not found:
        return []
    found = _dedupe(found)
    found.sort(key=lambda f: (f.start, f.end))
    _resolve(doc, found)
    return [_statement(doc, f, found[i - 1] if i else None) for i, f in enumerate(found)]


# ------------------------------------------------------------------------------ reported speech


def _reported(doc: Document, consumed: set[int]) -> list[_Found]:
    lex = lexicon()
    triggers = lex.triggers
    toks = doc.toks
    out: list[_Found] = []
    skip_to = 0
    for i in [k for k, t in enumerate(toks) if t.lower in triggers]:
        if i < skip_to or doc.inq[i]:
            continue
        tok = toks[i]
        si = doc.sentence_of(tok.start)
        lo, hi = doc.sent_tokens(si)
        f = None
        if tok.lower == "according":
            if i + 1 < hi and toks[i + 1].lower == "to":
                f = _according_to(doc, si, lo, hi, i)
        elif tok.text.islower():
            cue = lex.cue_at(toks, i)
            if cue is not None:
                f = _verb_statement(doc, si, lo, hi, cue)
            else:
                noun = lex.noun_at(toks, i)
                if noun is not None and _possessive_speaker(doc, lo, i) is not None:
                    f = _nominal_statement(doc, si, lo, hi, noun)
        if f is not None:
            out += _absorb_quotes(doc, f, consumed)
            out.append(f)
            if f.end > tok.end and f.start > tok.start:
                skip_to = doc.tok_index(f.end)
    return out


def _possessive_speaker(doc: Document, lo: int, i: int) -> Mention | None:
    """ "Zelenskyy's [proposal]": the possessor right before a nominal cue (one adjective allowed)."""
    for j in (i - 1, i - 2):
        if j < lo:
            return None
        t = doc.toks[j]
        if t.lower.endswith("'s") and is_capitalised(t.text):
            m = describe(doc.text, [token(t.text[:-2], t.start, t.end - 2)])
            return m
        if t.lower in ("his", "her", "their"):
            return Mention(t.start, t.end, t.text, t.text, None, "person", "pronoun",
                           "male" if t.lower == "his" else "female" if t.lower == "her" else "plural")
        if not t.text.islower():
            return None
    return None


def _according_to(doc: Document, si: int, lo: int, hi: int, i: int) -> _Found | None:
    m = _after(doc, i + 2, hi)
    if m is None:
        return None
    cue = Cue("according to", "statement", i, i + 1)
    j = doc.tok_index(m.end)
    if i == lo or (i > lo and doc.toks[i - 1].text in ("(",)):
        # "According to X, CLAUSE."
        while j < hi and doc.toks[j].text != ",":
            j += 1
        if j >= hi - 1:
            return None
        start, end = doc.toks[j + 1].start, _clause_end(doc, j + 1, hi)
    else:
        # "CLAUSE, according to X."
        start, end = doc.sents[si].start, doc.toks[i - 1].start
        while end > start and doc.text[end - 1] in " ,":
            end -= 1
    if end - start < 8:
        return None
    return _Found(start, end, False, cue, (doc.toks[i].start, doc.toks[i + 1].end), m, "statement", 0.7, si)


def _verb_statement(doc: Document, si: int, lo: int, hi: int, cue: Cue) -> _Found | None:
    lex = lexicon()
    toks = doc.toks
    i = cue.first
    prev = toks[i - 1].lower if i > lo else ""
    if prev in _PASSIVE or prev in _NEGATION or prev == "to" or prev in ("the", "a", "an"):
        return None
    # the cue must read as a verb here: not "the said", not a noun after a determiner
    after = cue.last + 1
    # the content: a that-clause, an object + infinitive, or a bare clause / object
    start_tok = _content_start(doc, cue, after, hi)
    if start_tok is None:
        # "…, the USAF has announced." — content before the subject
        return _postposed(doc, si, lo, hi, cue)
    if start_tok < hi and toks[start_tok].text in _OPEN_MARKS:
        return None  # introduces a direct quote: handled with the quotation
    subject, override = _subject(doc, lo, cue)
    if subject is None:
        return None
    if start_tok >= hi:
        return None
    if toks[cue.first].lower.endswith("ing") and toks[start_tok].lower in _PREPOSITIONS and start_tok == after:
        return None  # ", adding to the pressure": not reporting anything
    # a phrase cue ending in a noun ("voiced skepticism over …") starts its content at the noun
    nounish = cue.last > cue.first and toks[cue.last].lower not in ("for", "on", "upon", "out", "in", "clear")
    start = toks[cue.last].start if nounish and start_tok == after else toks[start_tok].start
    end = _clause_end(doc, start_tok, hi)
    if end - start < 6 or len(doc.text[start:end].split()) < 2:
        return None
    if cue.dialogue and not _has_that(doc, cue, start_tok):
        return None  # "she cried" introduces speech; without a clause there is no statement
    kind = lex.kind_for(cue, doc.text[start:end])
    f = _Found(start, end, False, cue, (toks[cue.first].start, toks[cue.last].end), subject, kind, 0.7, si)
    if override is not None and subject.type == "organization" and override.role and subject.form == "name":
        override = replace(override, role=f"{subject.name} {override.role}")  # "Kremlin spokesperson"
    f.speaker_override = override
    return f


def _has_that(doc: Document, cue: Cue, start_tok: int) -> bool:
    return start_tok > cue.last + 1 and doc.toks[start_tok - 1].lower == "that"


def _content_start(doc: Document, cue: Cue, after: int, hi: int) -> int | None:
    """First token of what the cue reports; None if the cue ends its clause."""
    toks = doc.toks
    if after >= hi or toks[after].text in (".", "!", "?", ";"):
        return None
    # look for "that" a few tokens on: "said in an interview that", "clarified, via X, that"
    for k in range(after, min(hi, after + 14)):
        t = toks[k]
        if t.lower in _CLAUSE_STARTERS and k + 1 < hi:
            between = toks[after:k]
            if all(b.text in "," or b.text[0].isalnum() for b in between):
                return k + 1
        if t.text in ".;!?" or t.text in _OPEN_MARKS or doc.quote_at(t.start):
            break
    j = after
    if cue.lemma in ("tell", "inform"):  # skip the listener: "told reporters", "told Interfax news agency"
        m = _after(doc, j, hi)
        if m is not None:
            j = doc.tok_index(m.end)
    while j < hi and toks[j].text in (",", ":", "—", "–"):
        j += 1
    return j


def _postposed(doc: Document, si: int, lo: int, hi: int, cue: Cue) -> _Found | None:
    """ "CONTENT, X said." — the statement is what comes before the subject."""
    subject, _ = _subject(doc, lo, cue)
    if subject is None:
        return None
    k = doc.tok_index(subject.start) - 1
    if k > lo and doc.toks[k].lower in ("the", "a", "an"):
        k -= 1
    if k <= lo or doc.toks[k].text != ",":
        return None
    start, end = doc.sents[si].start, doc.toks[k].start
    if doc.text[start] in _OPEN_MARKS or end - start < 10:
        return None
    lex = lexicon()
    t = doc.toks
    return _Found(start, end, False, cue, (t[cue.first].start, t[cue.last].end), subject,
                  lex.kind_for(cue, doc.text[start:end]), 0.6, si)


def _subject(doc: Document, lo: int, cue: Cue) -> tuple[Mention | None, Mention | None]:
    """The speaker of a cue: the noun phrase before it (over adverbs and an appositive), else the
    subject of its sentence ("Putin raised concerns …, alleging that …").  Also returns the real
    speaker named by "via spokesperson X"."""
    toks = doc.toks
    override = _via(doc, cue)
    j = cue.first - 1
    while j >= lo and (toks[j].lower in _SKIPPABLE or toks[j].lower.endswith("ly") and toks[j].text.islower()):
        j -= 1
    if j < lo:
        return None, override
    t = toks[j]
    if t.text == ",":
        # an appositive: "Louis Gallois, the Airbus chief executive, said"
        k = j - 1
        while k > lo and j - k < 14:
            if toks[k].text in (",", ";") or toks[k].text == "." and toks[k + 1].text != ",":
                break
            k -= 1
        if k >= lo and toks[k].text == "," or k == lo:
            m = _before(doc, k - 1, lo) if k > lo else None
            if m is not None and m.form != "nominal" and not _after_preposition(doc, m, lo):
                appos = describe(doc.text, toks[k + 1 : j])
                if appos is not None and m.role is None and appos.form == "nominal":
                    m = replace(m, role=appos.text)
                return m, override
            # "Irish low cost airline, Ryanair, announced": the name is the appositive
            inner = _before(doc, j - 1, k + 1 if k > lo or toks[k].text == "," else k)
            if inner is not None and inner.form == "name" and doc.tok_index(inner.start) <= (k + 1):
                return inner, override
        if toks[cue.first].lower.endswith("ing") or cue.nominal:
            return _sentence_subject(doc, lo, cue.first), override
        return None, override
    m = _before(doc, j, lo)
    if m is not None:
        return m, override
    if toks[cue.first].lower.endswith("ing") or (j >= lo and toks[j].lower in ("and", "but")) or j > lo:
        return _sentence_subject(doc, lo, cue.first), override
    return None, override


def _after_preposition(doc: Document, m: Mention, lo: int) -> bool:
    k = doc.tok_index(m.start) - 1
    return k >= lo and doc.toks[k].lower in vocabulary().not_speaker_after


def _sentence_subject(doc: Document, lo: int, until: int) -> Mention | None:
    """The first speaker-like noun phrase of the clause (tokens ``lo`` to ``until``), after an
    introductory phrase."""
    toks = doc.toks
    i = lo
    if toks[i].lower in _INTRO_PREPOSITIONS or toks[i].lower in ("however", "meanwhile", "still", "but", "and"):
        k = i
        while k < until and toks[k].text != ",":
            k += 1
        if k < until:
            i = k + 1
    if i >= until:
        return None
    # a capitalised opener seen nowhere else in the text is not a name: "Presently he was met …"
    while i + 1 < until and toks[i].text[0].isupper() and toks[i].text not in doc.inner_capitals \
            and (toks[i].lower.endswith("ly") or toks[i].lower in vocabulary().not_names) \
            and toks[i].lower not in vocabulary().pronouns and toks[i].lower not in _DETERMINER_WORDS:
        i += 1
        if toks[i].text == ",":
            i += 1
    if i >= until:
        return None
    m = _after(doc, i, until)
    if m is not None and (m.form == "nominal" or m.name == m.text and m.role is None):
        # "Ryanair CEO, Michael O'Leary, justified …": the name in the appositive
        j = doc.tok_index(m.end)
        if j < until and toks[j].text == ",":
            named = _after(doc, j + 1, until)
            if named is not None and named.form == "name" and named.type == "person":
                k = doc.tok_index(named.end)
                if k < until and toks[k].text == ",":
                    return replace(named, role=named.role or m.text)
    if m is not None and doc.quote_at(m.start):
        return None
    return m


def _via(doc: Document, cue: Cue) -> Mention | None:
    """ "clarified, via spokesperson Dmitry Peskov, that …" — the person who spoke for the subject."""
    toks = doc.toks
    k = cue.last + 1
    if k < len(toks) and toks[k].text == ",":
        k += 1
    if k < len(toks) and toks[k].lower in ("via", "through"):
        return _after(doc, k + 1, min(len(toks), k + 10))
    return None


def _clause_end(doc: Document, first: int, hi: int) -> int:
    """Where a reported clause that starts at token ``first`` ends: the sentence end, or a break
    before it (", placing …", "—", ", which …", ", according to …")."""
    lex = lexicon()
    toks = doc.toks
    end_tok = hi
    for k in range(first + 1, hi):
        t = toks[k]
        if doc.inq[k]:
            continue
        if t.text in ("—", "–", ";") or (t.text == "-" and doc.text[t.start - 1 : t.start] == " "):
            end_tok = k
            break
        q = doc.quote_at(toks[k - 1].start) if toks[k - 1].text in _CLOSE_MARKS else None
        b = toks[k - 1].start
        if q is not None and q.close is not None and q.close == b and doc.text[q.end : q.close].strip() == "," and k < hi:
            # '… a “positive attitude towards any peace initiatives,” expressing hope …'
            low = t.lower
            if t.text.islower() and low not in lex.continuing and (low.endswith("ing") or low.endswith("ed")):
                end_tok = k
                break
        if t.text == "," and k + 1 < hi:
            nxt = toks[k + 1]
            low = nxt.lower
            if low in lex.continuing:
                continue
            if nxt.text.islower() and (low.endswith("ing") or low.endswith("ed")) and len(low) > 4:
                end_tok = k
                break
            if low in _CLAUSE_BREAKS:
                end_tok = k
                break
            if low in ("and", "but") and k + 2 < hi and lex.cue_at(toks, k + 2) is not None and toks[k + 2].text.islower():
                end_tok = k  # ", and said it was …": a second statement
                break
            if _reporting_tail(doc, k + 1, hi):
                end_tok = k
                break
    end = toks[end_tok - 1].end if end_tok - 1 >= first else toks[first].end
    while end > toks[first].start and doc.text[end - 1] in ".,;:!? ":
        end -= 1
    return end


def _reporting_tail(doc: Document, k: int, hi: int) -> bool:
    """ "…, he said." / "…, officials said." at the end of a sentence."""
    m = _after(doc, k, hi)
    if m is None:
        return False
    j = doc.tok_index(m.end)
    return j < hi and lexicon().cue_at(doc.toks, j) is not None


def _nominal_statement(doc: Document, si: int, lo: int, hi: int, noun: Cue) -> _Found | None:
    """ "Zelenskyy's call for a 30-day suspension …", "Zelenskyy's proposal over the weekend for …"."""
    toks = doc.toks
    subject = _possessive_speaker(doc, lo, noun.first)
    if subject is None:
        return None
    for k in range(noun.last + 1, min(hi, noun.last + 8)):
        t = toks[k]
        if t.lower in ("for", "that") or (t.lower == "to" and k == noun.last + 1):
            if k + 1 >= hi:
                return None
            start = toks[k + 1].start
            end = _clause_end(doc, k + 1, hi)
            if len(doc.text[start:end].split()) < 3:
                return None
            return _Found(start, end, False, noun, (toks[noun.first].start, toks[noun.last].end), subject,
                          noun.kind, 0.6, si)
        if t.text in ",.;" or doc.quote_at(t.start):
            return None
    return None


def _absorb_quotes(doc: Document, f: _Found, consumed: set[int]) -> list[_Found]:
    """Quotations inside reported speech.  One that makes up most of the clause's end makes the
    statement direct ("stated he held a “…”"); a shorter one stays part of the clause, and if it has
    three words or more it is also a direct statement of its own (the verbatim words, same speaker)."""
    fragments: list[_Found] = []
    i = max(0, bisect.bisect_left(doc.quote_opens, f.start - 1))
    while i < len(doc.quotes) and doc.quotes[i].open < f.end:
        q = doc.quotes[i]
        i += 1
        if q.start >= f.end + 2:
            break
        consumed.add(q.open)
        tail = doc.text[q.outer_end : f.end].strip(" ,.:;”\"")
        if not tail and (q.end - q.start) >= 0.5 * (f.end - f.start) - 1:
            f.start, f.end, f.direct = q.start, q.end, True
            f.quotation = q
            f.confidence = 0.8
            return []
        if len(doc.text[q.start : q.end].split()) >= 3:
            fragments.append(replace(f, start=q.start, end=q.end, direct=True, quotation=q, fragment=True,
                                     text=doc.text[q.start : q.end], confidence=0.7))
    return fragments


# ------------------------------------------------------------------------------- direct speech


def _direct(doc: Document, consumed: set[int], reported: list[_Found]) -> list[_Found]:
    out: list[_Found] = []
    prev: _Found | None = None
    for q in doc.quotes:
        if q.open in consumed:
            continue
        si = doc.sentence_of(q.start)
        f = _Found(q.start, q.end, True, sentence=si, quotation=q, confidence=0.5, text=doc.text[q.start : q.end])
        _attribute(doc, f, prev, q)
        if f.mention is None and f.inherit_from is None and not f.alternate and not _is_speech(doc, q):
            continue
        out.append(f)
        prev = f
    return out


def _is_speech(doc: Document, q: Quotation) -> bool:
    """A quotation with no attribution is speech unless it looks like a title or scare quote."""
    words = len(doc.text[q.start : q.end].split())
    starts_line = q.open == 0 or doc.text[: q.open].rstrip(" \t").endswith("\n") or q.open == 0
    if starts_line:
        return True
    return words >= 4


def _attribute(doc: Document, f: _Found, prev: _Found | None, q: Quotation) -> None:
    text = doc.text
    # 1. after the quotation: "…,” Peskov told Interfax" / "…," said the parson / "…" he said
    if _attribute_after(doc, f, q):
        return
    # 2. an interrupted quotation: the other half of the previous one, attribution in between
    if prev is not None and prev.quotation is not None and prev.cue_span is not None:
        gap = text[prev.quotation.outer_end : q.open]
        if "\n" not in gap and prev.cue_span[0] >= prev.quotation.outer_end and prev.cue_span[1] <= q.open:
            f.inherit_from, f.confidence = prev, 0.85
            f.cue, f.cue_span = prev.cue, prev.cue_span
            return
    # 3. before it: "he said, “…”", "The minister added: “…”"
    if _attribute_before(doc, f, q):
        return
    # 4. the same line as the previous quotation (an attribution between them, or a colon lead-in)
    if prev is not None and prev.quotation is not None:
        gap = text[prev.quotation.outer_end : q.open]
        if "\n" not in gap and (prev.mention is not None or prev.inherit_from is not None):
            f.inherit_from, f.confidence = prev, 0.7
            return
        # 5. a paragraph that continues a quotation left open
        if prev.quotation.close is None and gap.strip() == "":
            f.inherit_from, f.confidence = prev, 0.75
            return
        # 6. dialogue: turns alternate between two speakers (the previous turn ended on the line before),
        # unless lines are sentences: then '“…,” said X.' and a quotation on the next line is one turn
        if _starts_line(text, q.open) and _turn_gap(doc, prev, q):
            if doc.lines_are_sentences and _attributed_after(prev) and (prev.mention is not None or prev.inherit_from):
                f.inherit_from, f.confidence = prev, 0.6
                return
            f.alternate, f.confidence = True, 0.55
            return
    # 7. the subject of the narrative sentence just before: "The parson rode nearer.\n“…”"
    m = _previous_subject(doc, q)
    if m is not None:
        f.mention, f.confidence = m, 0.5
        return
    f.confidence = 0.35


def _previous_subject(doc: Document, q: Quotation) -> Mention | None:
    si = doc.sentence_of(q.open)
    if doc.sents[si].start < q.open and doc.text[doc.sents[si].start : q.open].strip():
        return None  # the quotation is inside a sentence of narrative
    if si == 0:
        return None
    prev = doc.sents[si - 1]
    if is_heading(doc.text[prev.start : prev.end]):
        return None
    lo, hi = doc.sent_tokens(si - 1)
    if lo >= hi or any(doc.inq[k] for k in range(lo, hi)):
        return None
    m = _sentence_subject(doc, lo, hi)
    if m is None or m.type not in ("person", "unknown") or prev.end > q.open:
        return None
    return m


def _attributed_after(f: _Found) -> bool:
    """The statement's attribution follows its quotation ("“…,” said X.")."""
    return f.quotation is not None and f.cue_span is not None and f.cue_span[0] >= f.quotation.outer_end


def _turn_gap(doc: Document, prev: _Found, q: Quotation) -> bool:
    """Only the previous turn's own attribution stands between it and this quotation."""
    assert prev.quotation is not None
    gap_start = prev.quotation.outer_end
    if prev.cue_span is not None and prev.cue_span[0] >= gap_start:
        gap_start = doc.text.find("\n", prev.cue_span[1], q.open)
        if gap_start == -1:
            return False
    return doc.text[gap_start : q.open].strip(" \t\n,.;:!?") == ""


def _starts_line(text: str, pos: int) -> bool:
    return pos == 0 or text[:pos].rstrip(" \t").endswith("\n") or text[:pos].strip() == ""


def _attribute_after(doc: Document, f: _Found, q: Quotation) -> bool:
    lex = lexicon()
    text = doc.text
    pos = q.outer_end
    nxt = _next_quote_open(doc, q)
    limit = min(len(text), nxt if nxt is not None else len(text))
    # the attribution must follow directly (same line, or the next line in lower case)
    k = pos
    while k < limit and text[k] in " \t,":
        k += 1
    if k < limit and text[k] == "\n":
        k += 1
        while k < limit and text[k] in " \t":
            k += 1
        if k >= limit or not text[k].islower():
            return False
    if k < limit and text[k] in ".!?" and not text[q.end - 1 : q.end] in ",":
        return False
    i = doc.tok_index(k)
    if i >= len(doc.toks) or doc.toks[i].start >= limit:
        return False
    hi = min(doc.tok_index(limit), i + 14)
    # cue first: "said the parson", "said Durbeyfield", "said he"
    cue = lex.cue_at(doc.toks, i)
    if cue is not None and doc.toks[i].text.islower():
        m = mention_after(text, doc.toks, cue.last + 1, hi)
        if m is not None:
            _set_attr(doc, f, cue, m, 0.9)
            return True
    # subject first: "he said", "Peskov told Interfax", "the minister later added"
    m = mention_after(text, doc.toks, i, hi)
    if m is None:
        return False
    j = doc.tok_index(m.end)
    while j < hi and doc.toks[j].lower in _SKIPPABLE:
        j += 1
    if j < hi:
        cue = lex.cue_at(doc.toks, j)
        if cue is not None and doc.toks[j].text.islower():
            _set_attr(doc, f, cue, m, 0.9)
            return True
    return False


def _set_attr(doc: Document, f: _Found, cue: Cue, m: Mention, conf: float) -> None:
    f.cue, f.mention, f.confidence = cue, m, conf
    f.cue_span = (doc.toks[cue.first].start, doc.toks[cue.last].end)
    f.kind = lexicon().kind_for(cue, doc.text[f.start : f.end])


def _next_quote_open(doc: Document, q: Quotation) -> int | None:
    i = bisect.bisect_right(doc.quote_opens, q.open)
    return doc.quotes[i].open if i < len(doc.quotes) else None


def _attribute_before(doc: Document, f: _Found, q: Quotation) -> bool:
    """A cue in the words leading up to the quotation, in its own sentence or a colon lead-in."""
    lex = lexicon()
    text = doc.text
    lead_end = q.open
    k = lead_end
    while k > 0 and text[k - 1] in " \t":
        k -= 1
    if k == 0 or text[k - 1] == "\n":
        return False
    si = doc.sentence_of(k - 1)
    lo = doc.tok_index(doc.sents[si].start)
    prev_q = doc.quote_at(k - 1)
    if prev_q is not None:
        return False
    # do not look back past an earlier quotation on the same stretch
    i_end = doc.tok_index(k)
    i = i_end - 1
    steps = 0
    while i >= lo and steps < 16:
        t = doc.toks[i]
        if doc.quote_at(t.start) is not None:
            return False
        if t.text.islower():
            cue = lex.cue_at(doc.toks, i)
            if cue is not None:
                subject, override = _subject(doc, lo, cue)
                if subject is None:
                    f.cue, f.cue_span = cue, (doc.toks[cue.first].start, doc.toks[cue.last].end)
                    f.kind = lex.kind_for(cue, doc.text[f.start : f.end])
                    return False
                _set_attr(doc, f, cue, override or subject, 0.85)
                return True
        i -= 1
        steps += 1
    return False


# ------------------------------------------------------------------------------ merging and speakers


def _dedupe(found: list[_Found]) -> list[_Found]:
    """Drop a statement that mostly repeats another (a reported clause over a direct quote)."""
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    direct_cues = {f.cue_span for f in found if f.direct and not f.fragment and f.cue_span is not None}
    out: list[_Found] = []
    for f in found:
        clash = None
        for g in out[-4:] if not f.fragment else ():
            if g.fragment:
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


def _resolve(doc: Document, found: list[_Found]) -> None:
    """Resolve every statement's speaker in text order, together with the names around it."""
    mentions = narrative_mentions(doc, until=max(f.end for f in found))
    ents = Entities(gender_hints(doc, mentions))
    # names and statements in text order (a statement at its speaker mention when that comes first)
    events: list[tuple[int, int, Mention | None, _Found | None]] = [(m.start, 0, m, None) for m in mentions]
    for f in found:
        m = f.speaker_override or f.mention
        events.append((m.start if m is not None and m.start < f.start else f.start, 1, None, f))
    events.sort(key=lambda e: (e[0], e[1]))
    done: list[_Found] = []
    for _, _, name, statement in events:
        if statement is None:
            if name is not None:
                ents.add(name)
            continue
        f = statement
        m = f.speaker_override or f.mention
        if m is not None:
            f.entity = ents.add(m)
        elif f.inherit_from is not None:
            f.entity = f.inherit_from.entity
            f.mention = f.inherit_from.speaker_override or f.inherit_from.mention
        elif f.alternate:
            f.entity = _alternate(done, f, ents)
        else:
            f.entity = _nearby(ents, f)
        if f.entity is not None and m is None:
            ents.timeline.append((f.start, f.entity))
        done.append(f)
    _name_described(doc, found, ents)
    _converse(doc, found, ents)
    for f, nxt in zip(found, found[1:]):
        q = f.quotation
        if (f.direct and q is not None and q.close is None and f.mention is None and f.inherit_from is None
                and nxt.direct and nxt.quotation is not None and nxt.mention is not None
                and doc.text[q.outer_end : nxt.quotation.open].strip() == ""):
            f.entity, f.mention, f.confidence = nxt.entity, nxt.mention, 0.75


_SELF_NAME_RE = re.compile(r"\b(?:I am|I'm|I’m|I be|my name is|My name is|call me|Call me)\s+((?:[A-Z][\w'’-]+\.?\s?){1,3})")
_VOCATIVE_RE = re.compile(r"(?:^|[,;!?]\s|\b(?:dear|Dear|my|My|Oh|oh|O)\s)((?:[A-Z][\w'’-]+\.?\s)?[A-Z][\w'’-]+)(?=\s?[,.!?;])")


def _vocatives(doc: Document, f: _Found) -> list[str]:
    """Names the speaker of ``f`` calls someone by: “…, Watson, …”, “My dear Holmes”."""
    v = vocabulary()
    out = []
    for m in _VOCATIVE_RE.finditer(doc.text, f.start, f.end):
        name = m.group(1).strip()
        if name.split()[0].lower().rstrip(".") in v.not_names or name == "I":
            continue
        out.append(name)
    return out


def _name_narrator(doc: Document, direct: list[_Found], ents: Entities) -> None:
    """The first-person narrator's name: what they call themselves, and what those they talk with
    call them (two votes at least)."""
    narrator = ents.narrator
    if narrator is None:
        return
    votes: dict[str, int] = {}
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
                        votes[name] = votes.get(name, 0) + (2 if strong else 1)
    if votes:
        name, n = max(votes.items(), key=lambda kv: kv[1])
        if n >= 2:
            ents.name_entity(narrator, name, create=True)


def _name_described(doc: Document, found: list[_Found], ents: Entities) -> None:
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
        for m in _VOCATIVE_RE.finditer(quote):
            name = m.group(1).strip()
            if name.split()[0].lower().rstrip(".") in v.not_names or name == "I":
                continue
            for j in (i + 1, i - 1):
                if 0 <= j < len(direct) and abs(direct[j].start - f.start) < 600:
                    other = direct[j].entity.final()  # type: ignore[union-attr]
                    if other is not ent and other.nominal:
                        ents.name_entity(other, name)
                    break
    for f in found:
        if f.entity is not None:
            f.entity = f.entity.final()
    # an unattributed turn is by the one the next turn addresses: “Uncle, …” / “I'm not well, Florence.”
    all_direct = [f for f in found if f.direct]
    for f, g in zip(all_direct, all_direct[1:]):
        if f.entity is None and g.alternate or f.entity is None and g.quotation is not None and f.quotation is not None \
                and doc.text[f.quotation.outer_end : g.quotation.open].strip() == "":
            for m in _VOCATIVE_RE.finditer(doc.text[g.start : g.end]):
                ent = ents.find_name(m.group(1).strip())
                if ent is not None and ent is not g.entity:
                    f.entity, f.confidence = ent, 0.45
                    break


def _conversations(doc: Document, found: list[_Found]) -> list[list[list[_Found]]]:
    """Runs of dialogue: quotations that follow each other with nothing but the previous one's
    attribution between them, grouped into turns (statements of one speaker in a row)."""
    chains: list[list[list[_Found]]] = []
    prev: _Found | None = None
    for f in found:
        if not f.direct or f.fragment or f.quotation is None:
            continue
        if prev is not None and f.inherit_from is prev:
            chains[-1][-1].append(f)
        elif prev is not None and prev.quotation is not None and _turn_gap(doc, prev, f.quotation):
            chains[-1].append([f])
        else:
            chains.append([[f]])
        prev = f
    return chains


def _converse(doc: Document, found: list[_Found], ents: Entities) -> None:
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


def doc_text_of(f: _Found) -> str:
    return f.text or ""


def _alternate(done: list[_Found], f: _Found, ents: Entities) -> Entity | None:
    """Dialogue: the one the last speaker addressed, the speaker before last, or the most recent
    other person."""
    if not done:
        return None
    last = done[-1].entity
    # the one the previous speaker addressed: "Uncle, you are not looking well."
    prev_quote = doc_text_of(done[-1])
    for m in _VOCATIVE_RE.finditer(prev_quote):
        ent = ents.find_name(m.group(1).strip())
        if ent is not None and ent is not last:
            return ent
    if len(done) >= 2 and done[-2].entity is not None and done[-2].entity is not last:
        return done[-2].entity
    for p, ent in reversed(ents.timeline[-60:]):
        if p < f.start and ent is not last and ent.type in ("person", "unknown"):
            return ent
    return None


def _nearby(ents: Entities, f: _Found) -> Entity | None:
    for p, ent in reversed(ents.timeline[-60:]):
        if p < f.start and f.start - p < 400 and ent.type in ("person", "unknown"):
            return ent
        if f.start - p >= 400:
            break
    return None


def _statement(doc: Document, f: _Found, before: _Found | None) -> Statement:
    m = f.speaker_override or f.mention
    speaker = None
    if m is not None:
        speaker = Entities.speaker(m, f.entity)
    elif f.entity is not None:  # inferred from the dialogue: no mention attributes it
        speaker = Speaker(name=f.entity.label, type=f.entity.type, role=f.entity.role)
    kind = _carried_kind(f, before)
    cue_text = doc.text[f.cue_span[0] : f.cue_span[1]] if f.cue_span else None
    return Statement(
        quote=doc.text[f.start : f.end],
        start=f.start,
        end=f.end,
        direct=f.direct,
        speaker=speaker,
        cue=cue_text,
        cue_start=f.cue_span[0] if f.cue_span else None,
        cue_end=f.cue_span[1] if f.cue_span else None,
        kind=kind,
        channel=_channel(doc, f),
        confidence=f.confidence,
    )


def _carried_kind(f: _Found, lead: _Found | None) -> str:
    """A lead sentence's kind (e.g. a clarification) carries to the direct quote that follows it
    from the same speaker, when the quote's own cue is neutral."""
    if not f.direct or f.kind != "statement" or lead is None:
        return f.kind
    if lead.kind in lexicon().carry_kinds and lead.entity is not None and lead.entity is f.entity:
        if f.sentence - lead.sentence <= 1:
            return lead.kind
    return f.kind


def _channel(doc: Document, f: _Found) -> str | None:
    """Where the statement was made, when its sentence says ("told Interfax", "in a televised interview");
    the words of a direct quote itself do not count."""
    sent = doc.sents[f.sentence]
    lo, hi = min(sent.start, f.start), sent.end
    if f.cue_span is not None:
        lo, hi = min(lo, f.cue_span[0]), max(hi, f.cue_span[1])
    spans = [(lo, f.start), (f.end, hi)] if f.direct else [(lo, hi)]
    return lexicon().channel(doc.text, spans)
