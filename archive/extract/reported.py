"""Reported speech: a cue verb with its subject and clause ("X warned that …", "X urged Moscow to …"),
"according to X", nominal cues ("X's call for …"), and the partial quotes inside them."""

from __future__ import annotations

import bisect
from dataclasses import replace

from archive.extract.found import OPEN_MARKS, SKIPPABLE, Found, np_after, np_before
from archive.extract.kinds import Cue, lexicon
from archive.extract.sentences import Document, is_capitalised, token
from archive.extract.speakers import (
    Mention,
    describe,
    describe_role,
    vocabulary,
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
_CLOSE_MARKS = frozenset("\"”»’")
_DETERMINER_WORDS = frozenset({"the", "a", "an", "some", "one"})
_FRAGMENT_WORDS = 3  # words a partial quote inside reported speech needs to be a statement of its own


def reported_speech(doc: Document, consumed: set[int]) -> list[Found]:
    lex = lexicon()
    triggers = lex.triggers
    toks = doc.toks
    out: list[Found] = []
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


def _according_to(doc: Document, si: int, lo: int, hi: int, i: int) -> Found | None:
    m = np_after(doc, i + 2, hi)
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
    return Found(start, end, False, cue, (doc.toks[i].start, doc.toks[i + 1].end), m, "statement", 0.7, si)


def _verb_statement(doc: Document, si: int, lo: int, hi: int, cue: Cue) -> Found | None:
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
    if start_tok < hi and toks[start_tok].text in OPEN_MARKS:
        return None  # introduces a direct quote: handled with the quotation
    subject, override = cue_subject(doc, lo, cue)
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
    f = Found(start, end, False, cue, (toks[cue.first].start, toks[cue.last].end), subject, kind, 0.7, si)
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
        if t.text in ".;!?" or t.text in OPEN_MARKS or doc.quote_at(t.start):
            break
    j = after
    if cue.lemma in ("tell", "inform"):  # skip the listener: "told reporters", "told Interfax news agency"
        m = np_after(doc, j, hi)
        if m is not None:
            j = doc.tok_index(m.end)
    while j < hi and toks[j].text in (",", ":", "—", "–"):
        j += 1
    return j


def _postposed(doc: Document, si: int, lo: int, hi: int, cue: Cue) -> Found | None:
    """ "CONTENT, X said." — the statement is what comes before the subject."""
    subject, _ = cue_subject(doc, lo, cue)
    if subject is None:
        return None
    k = doc.tok_index(subject.start) - 1
    if k > lo and doc.toks[k].lower in ("the", "a", "an"):
        k -= 1
    if k <= lo or doc.toks[k].text != ",":
        return None
    start, end = doc.sents[si].start, doc.toks[k].start
    if doc.text[start] in OPEN_MARKS or end - start < 10:
        return None
    lex = lexicon()
    t = doc.toks
    return Found(start, end, False, cue, (t[cue.first].start, t[cue.last].end), subject,
                  lex.kind_for(cue, doc.text[start:end]), 0.6, si)


def cue_subject(doc: Document, lo: int, cue: Cue) -> tuple[Mention | None, Mention | None]:
    """The speaker of a cue: the noun phrase before it (over adverbs and an appositive), else the
    subject of its sentence ("Putin raised concerns …, alleging that …").  Also returns the real
    speaker named by "via spokesperson X"."""
    toks = doc.toks
    override = _via(doc, cue)
    cited = _cited(doc, lo, cue)
    if cited is not None:
        return cited, override
    j = _before_parenthesis(doc, lo, cue.first - 1)
    while j >= lo and (toks[j].lower in SKIPPABLE or toks[j].lower.endswith("ly") and toks[j].text.islower()):
        j -= 1
        j = _before_parenthesis(doc, lo, j)
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
            m = np_before(doc, k - 1, lo) if k > lo else None
            if m is not None and m.form != "nominal" and not _after_preposition(doc, m, lo):
                role = describe_role(doc.text[toks[k + 1].start : toks[j - 1].end]) if j - 1 > k else None
                if role is not None and m.role is None and m.type in ("person", "unknown"):
                    m = replace(m, role=role, type="person")  # "Eduard Basurin, a senior rebel commander, said"
                return m, override
            # "Irish low cost airline, Ryanair, announced": the name is the appositive (but "in Tulsa,
            # Oklahoma, arguing": a place's qualifier after a preposition is no speaker)
            inner = np_before(doc, j - 1, k + 1 if k > lo or toks[k].text == "," else k)
            qualifier = m is not None and _after_preposition(doc, m, lo)
            if inner is not None and inner.form == "name" and doc.tok_index(inner.start) <= (k + 1) and not qualifier:
                return inner, override
        if toks[cue.first].lower.endswith("ing") or cue.nominal:
            return participle_subject(doc, lo, cue) or sentence_subject(doc, lo, cue.first), override
        return None, override
    m = np_before(doc, j, lo)
    if m is not None and _after_preposition(doc, m, lo):
        m = _head_before_preposition(doc, m, lo) or m
    if m is not None:
        return m, override
    if toks[cue.first].lower.endswith("ing") or (j >= lo and toks[j].lower in ("and", "but")) or j > lo:
        return participle_subject(doc, lo, cue) or sentence_subject(doc, lo, cue.first), override
    return None, override


_FINITE = frozenset("issued said made gave released posted put told wrote sent published posted added".split())


def participle_subject(doc: Document, lo: int, cue: Cue) -> Mention | None:
    """ "… after Sheikh Hikmat Al-Hajjri issued a statement accusing troops of … and urging fighters …":
    a participle's speaker is the nearest name before it that is the subject of a verb, not the
    sentence's first noun phrase ("Israel … carried out its latest attacks after …")."""
    toks = doc.toks
    for k in range(cue.first - 2, max(lo, cue.first - 25) - 1, -1):
        nxt = toks[k + 1]
        if toks[k].text in (";", ":") or doc.inq[k]:
            return None
        if not (nxt.text.islower() and (nxt.lower in _FINITE or nxt.lower.endswith("ed") and len(nxt.lower) > 4)):
            continue
        m = np_before(doc, k, lo)
        if m is not None and m.form == "name" and not _after_preposition(doc, m, lo):
            return m
    return None


def common_opener(doc: Document, i: int) -> bool:
    """ "Details aside, …", "Heading into the debate, …", "Video shows …": a capitalised word at the start
    of a sentence that is a common word (the text writes it in lower case elsewhere, or it reads as a
    participle or comparative) and never capitalised inside a sentence, so it names nobody."""
    toks = doc.toks
    t = toks[i]
    if not t.text[:1].isupper() or t.text.isupper() or t.text in doc.inner_capitals:
        return False
    low = t.lower
    return low in doc.lower_words or low.endswith(("ing", "ed", "er", "est")) and len(low) > 5


def _before_parenthesis(doc: Document, lo: int, j: int) -> int:
    """ "Rep. Joe Kennedy (D-Mass.) said", "the Syrian Democratic Forces (SDF) on Friday announced": the
    token before a short parenthesis that ends at token ``j`` (``j`` itself when there is none)."""
    toks = doc.toks
    if j < lo or toks[j].text != ")":
        return j
    for k in range(j - 1, max(lo, j - 8) - 1, -1):
        if toks[k].text == "(":
            return k - 1
    return j


_CITING = frozenset({"cited", "quoted", "citing", "quoting", "cites", "quotes"})


def _cited(doc: Document, lo: int, cue: Cue) -> Mention | None:
    """ "Reuters cited a diplomat in direct contact with residents as saying …": the one cited speaks,
    not the outlet that cites."""
    toks = doc.toks
    if cue.first - 1 < lo or toks[cue.first - 1].lower != "as":
        return None
    for k in range(cue.first - 2, max(lo, cue.first - 16) - 1, -1):
        if toks[k].lower in _CITING:
            return np_after(doc, k + 1, cue.first - 1)
        if toks[k].text in ".;":
            break
    return None


def _dateline_end(doc: Document, i: int, until: int) -> int:
    """ "GOMA, Congo (AP) — …", "CAIRO, Aug 3 (Reuters) – …", "ERBIL - …": the first token after a
    dateline at token ``i`` (``i`` itself when there is none): a place in capitals is no subject."""
    toks = doc.toks
    if i >= until or not (toks[i].text.isupper() and len(toks[i].text) > 2 and toks[i].text.isalpha()):
        return i
    for k in range(i + 1, min(until, i + 12)):
        t = toks[k].text
        if t in ("—", "–", "-", "--"):
            return k + 1
        if t in ".;" or doc.quote_at(toks[k].start):
            break
    return i


def _head_before_preposition(doc: Document, m: Mention, lo: int) -> Mention | None:
    """ "Developers and supporters in Congress say": the speaker is the noun phrase the prepositional
    phrase hangs on, the first of coordinated ones ("Developers"), not the place or body after "in"."""
    toks = doc.toks
    k = doc.tok_index(m.start) - 1  # the preposition
    if k - 1 < lo or toks[k].lower not in ("in", "at", "from", "of", "with", "for", "on"):
        return None
    head = np_before(doc, k - 1, lo)
    if head is None or head.form == "pronoun":
        return None
    a = doc.tok_index(head.start)
    if a - 2 >= lo and toks[a - 1].lower == "and":
        first = np_before(doc, a - 2, lo)
        if first is not None and first.type == head.type:
            return first
    return head


def _after_preposition(doc: Document, m: Mention, lo: int) -> bool:
    k = doc.tok_index(m.start) - 1
    return k >= lo and doc.toks[k].lower in vocabulary().not_speaker_after


def sentence_subject(doc: Document, lo: int, until: int) -> Mention | None:
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
    i = _dateline_end(doc, i, until)
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
    m = np_after(doc, i, until)
    if m is not None and m.form == "name" and m.type == "unknown" and m.end == toks[i].end and common_opener(doc, i):
        return None
    if m is not None and (m.form == "nominal" or m.name == m.text and m.role is None):
        # "Ryanair CEO, Michael O'Leary, justified …": the name in the appositive
        j = doc.tok_index(m.end)
        if j < until and toks[j].text == ",":
            named = np_after(doc, j + 1, until)
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
        return np_after(doc, k + 1, min(len(toks), k + 10))
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
    m = np_after(doc, k, hi)
    if m is None:
        return False
    j = doc.tok_index(m.end)
    return j < hi and lexicon().cue_at(doc.toks, j) is not None


def _nominal_statement(doc: Document, si: int, lo: int, hi: int, noun: Cue) -> Found | None:
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
            return Found(start, end, False, noun, (toks[noun.first].start, toks[noun.last].end), subject,
                          noun.kind, 0.6, si)
        if t.text in ",.;" or doc.quote_at(t.start):
            return None
    return None


def _absorb_quotes(doc: Document, f: Found, consumed: set[int]) -> list[Found]:
    """Quotations inside reported speech.  One that makes up most of the clause's end makes the
    statement direct ("stated he held a “…”"); a shorter one stays part of the clause, and if it has
    three words or more it is also a direct statement of its own (the verbatim words, same speaker)."""
    fragments: list[Found] = []
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
            return fragments  # partial quotes before the closing one stay ("any process “…”: “…”")
        if len(doc.text[q.start : q.end].split()) >= _FRAGMENT_WORDS:
            fragments.append(replace(f, start=q.start, end=q.end, direct=True, quotation=q, fragment=True,
                                     text=doc.text[q.start : q.end], confidence=0.7))
    return fragments
