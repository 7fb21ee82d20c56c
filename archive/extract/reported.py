"""Reported speech: a cue verb with its subject and clause ("X warned that …", "X urged Moscow to …"),
"according to X", and the partial quotes inside them; nouns of saying (``nominal``), passives
(``passive``), subjects (``subjects``), trailing cues (``trailing``) and clause ends (``clauses``) are
their own modules.

Its length is one finder: reported speech with its cue, content span and partial quotes, every step reading the same sentence state.
"""

from __future__ import annotations

import bisect
from dataclasses import replace
from itertools import compress, count

from archive.extract.clauses import AUXILIARIES, NEGATION, clause_end
from archive.extract.found import SKIPPABLE, Found, np_after
from archive.extract.kinds import Cue, lexicon
from archive.extract.nominal import DOCUMENTS, document_source, noun_reading, noun_statement
from archive.extract.passive import passive_content
from archive.extract.quotes import Quotation
from archive.extract.sentences import Document, Token
from archive.extract.speakers import Mention
from archive.extract.subjects import (
    DETERMINERS,
    cue_subject,
    document_before,
    low_ing,
    participle_subject,
)
from archive.extract.trailing import (
    ADJUNCT_STARTS,
    OUTLET_WORDS,
    only_adjuncts,
    opens_quote,
    trailing,
)

_PASSIVE = frozenset("is are was were be been being".split())
_CLAUSE_STARTERS = frozenset({"that"})
_PREPOSITIONS = frozenset("to in on at for with from about into over under by of against".split())
# Words before a cue word that make it a noun or an adjective, not a verb of saying.
_NOT_BEFORE_VERB = frozenset("the a an no any for of further without his her its our my your this these those their".split())
# Cue forms that are more often nouns: a cue only before a clause ("states that", "questioned whether").
_NOUN_FORMS = frozenset("state states question questions".split())
_CLAUSE_WORDS = frozenset("that whether why how if what".split())
_FRAGMENT_WORDS = 3  # words a partial quote inside reported speech needs to be a statement of its own


def reported_speech(doc: Document, consumed: set[int]) -> list[Found]:
    lex = lexicon()
    triggers = lex.triggers
    toks = doc.toks
    out: list[Found] = []
    skip_to = 0
    headline = _headline_end(doc)
    for i in compress(count(), map(triggers.__contains__, doc.lowers)):
        if doc.inq[i] or i < skip_to and not _document_says(doc, i):
            continue
        tok = toks[i]
        si = doc.sentence_of(tok.start)
        lo, hi = doc.sent_tokens(si)
        f = None
        if tok.lower == "according":
            if i + 1 < hi and toks[i + 1].lower == "to":
                f = _according_to(doc, si, lo, hi, i)
        elif tok.text.islower() or tok.start < headline and tok.text[1:].islower():  # "Obama Says …"
            cue = lex.cue_at(toks, i)
            if cue is not None and not noun_reading(doc, lo, i):
                before = out[-1] if out and out[-1].sentence == si and not out[-1].fragment else None
                f = _verb_statement(doc, si, lo, hi, cue, before)
            else:
                noun = lex.noun_at(toks, i)
                if noun is not None:
                    f = noun_statement(doc, si, lo, hi, noun)
        if f is not None:
            f.nested = i < skip_to
            out += _absorb_quotes(doc, f, consumed)
            out.append(f)
            if f.end > tok.end and f.start > tok.start:
                skip_to = doc.tok_index(f.end)
    if headline:
        f = _headline_label(doc, headline)
        if f is not None:
            out.append(f)
    return out


def _document_says(doc: Document, i: int) -> bool:
    """ "reports stating that …", "a letter saying …": a document reports, even inside another
    statement's content."""
    t = doc.toks[i]
    return i > 0 and low_ing(t.lower) and t.text.islower() and document_before(doc, doc.sent_tokens(doc.sentence_of(t.start))[0], i) is not None


def _headline_end(doc: Document) -> int:
    """Where the headline ends: the first line, when it reads as one (title case, no full stop)."""
    text = doc.text
    end = text.find("\n", 0, 300)
    if end <= 0:
        return 0  # no line, or too long for a headline
    line = text[:end].rstrip(" .")
    words = [w for w in line.split() if w[0].isalpha()]
    capitalised = sum(1 for w in words if w[0].isupper())
    return end if len(words) >= 3 and capitalised >= 0.6 * len(words) and not line.endswith((".", "?", "!")) else 0


def _headline_label(doc: Document, end: int) -> Found | None:
    """ "Pence: Gennifer Flowers Won't Be at Debate": a headline's speaker before a colon."""
    text = doc.text
    colon = text.find(":", 0, end)
    if colon <= 0:
        return None
    i, j = 0, doc.tok_index(colon)
    if not 1 <= j <= 4 or doc.toks[j].text != ":":
        return None
    m = np_after(doc, i, j)
    if m is None or m.form == "pronoun" or doc.tok_index(m.end) != j:
        return None
    start = colon + 1
    while start < end and text[start] in " \t\"“‘'":
        start += 1
    stop = end
    while stop > start and text[stop - 1] in " .\"”’'":
        stop -= 1
    if len(text[start:stop].split()) < 3:
        return None
    return Found(start, stop, False, Cue(":", "statement", j, j), (colon, colon + 1), m, "statement", 0.6, 0)


def _according_to(doc: Document, si: int, lo: int, hi: int, i: int) -> Found | None:
    m = _according_source(doc, i + 2, hi)
    j = doc.tok_index(m.end) if m is not None else None
    if m is None:
        source = document_source(doc, i + 2, hi)
        if source is None:
            return None
        m, j = source
    cue = Cue("according to", "statement", i, i + 1)
    if i == lo or (i > lo and doc.toks[i - 1].text in ("(",)):
        # "According to X, CLAUSE."
        while j < hi and doc.toks[j].text != ",":
            j += 1
        if j >= hi - 1:
            return None
        start, end = doc.toks[j + 1].start, clause_end(doc, j + 1, hi)
    else:
        # "CLAUSE, according to X."
        start, end = doc.sents[si].start, doc.toks[i - 1].start
        while end > start and doc.text[end - 1] in " ,":
            end -= 1
    if end - start < 8:
        return None
    f = Found(start, end, False, cue, (doc.toks[i].start, doc.toks[i + 1].end), m, "statement", 0.7 if m is not None else 0.5, si)
    f.unattributed = m is None  # "according to a report": no one named
    return f


def _negated(doc: Document, lo: int, i: int) -> bool:
    """A negation before the cue, over adverbs and auxiliaries: "did not immediately respond to a
    request for comment", "has not yet commented", "never said": no statement was made."""
    toks = doc.toks
    for k in range(i - 1, max(lo, i - 4) - 1, -1):
        low = toks[k].lower
        if low in NEGATION:
            return True
        if not (low in SKIPPABLE or low in AUXILIARIES or low.endswith("ly") and toks[k].text.islower()):
            return False
    return False


def _according_source(doc: Document, k: int, hi: int) -> Mention | None:
    """Who "according to" names: "the Kremlin", "earlier reports", and the source of a document:
    "figures provided by the health ministry", "a statement from the army"."""
    toks = doc.toks
    if k < hi and toks[k].lower in _OBJECT_PRONOUNS:  # "according to him"
        t = toks[k]
        gender = _OBJECT_PRONOUNS[t.lower]
        return Mention(t.start, t.end, t.text, t.text, None, "person" if gender != "plural" else "group", "pronoun", gender)
    m = np_after(doc, k, hi)
    if m is None and k + 1 < hi and toks[k].text.islower() and toks[k].text.isalpha():
        m = np_after(doc, k + 1, hi)  # over an adjective: "earlier reports"
    if m is None or m.start == toks[k].start and m.text.lower() in DOCUMENTS:
        for j in range(k, min(hi, k + 8)):
            if toks[j].lower in ("by", "from"):
                return np_after(doc, j + 1, hi) or m
            if not toks[j].text[0].isalnum():
                break
    return m


_OBJECT_PRONOUNS = {"him": "male", "her": "female", "them": "plural"}


def _verb_statement(doc: Document, si: int, lo: int, hi: int, cue: Cue, before: Found | None = None) -> Found | None:
    lex = lexicon()
    toks = doc.toks
    i = cue.first
    k = i - 1
    while k > lo and toks[k].lower.endswith("ly") and toks[k].text.islower():
        k -= 1  # "is officially recognized", "the internationally recognized government"
    prev = toks[k].lower if k >= lo else ""
    if k > lo and toks[k - 1].lower in ("no", "any", "without") and toks[k].text.islower():
        prev = "no"  # "no official comment"
    if prev in _PASSIVE:
        return _passive_statement(doc, si, lo, hi, cue, k)  # "it was reported that", "is said to be"
    if prev == "to" or prev in _NOT_BEFORE_VERB:
        return None  # "to comment", "the said", "no official comment", "for comment"
    if _negated(doc, lo, i):
        if cue.lemma not in lex.no_comment:
            return None  # "did not address the report": nothing was said
        cue = replace(cue, kind=lex.no_comment_kind)  # "did not immediately respond to a request for comment"
    after = cue.last + 1
    if cue.first == cue.last and toks[i].lower in _NOUN_FORMS and (after >= hi or toks[after].lower not in _CLAUSE_WORDS):
        return None  # "battleground state Florida", "a similar question:": nouns, unless a clause follows
    if cue.lemma in ("quote", "cite") and _as_saying(doc, after, hi):
        return None  # "Interfax quoted Djamal as saying …": the "saying" reports, with Djamal as speaker
    if after < hi and (toks[after].lower == "not" or toks[after].lower == "to" and after + 1 < hi and toks[after + 1].lower == "be"):
        return None  # "asked not to be named", "declined to be identified"
    tail = trailing(doc, si, lo, hi, cue)
    if tail is not None:
        return tail
    # the content: a that-clause, an object + infinitive, or a bare clause / object
    start_tok = _content_start(doc, cue, after, hi)
    if start_tok is None:
        return None
    if start_tok < hi and opens_quote(doc, start_tok):
        return None  # introduces a direct quote: handled with the quotation
    subject, override = cue_subject(doc, lo, cue)
    if low_ing(toks[cue.first].lower):
        subject, override = participle_subject(doc, lo, cue, before, subject, override)
    # "a recording on the line telling callers …": a document whose author the text does not name
    document = document_before(doc, lo, i) if subject is None and low_ing(toks[i].lower) else None
    unnamed = document is not None and document < i - 1
    if subject is None and not unnamed:
        return None
    if start_tok >= hi:
        return None
    if (
        toks[start_tok].lower in _PREPOSITIONS
        and start_tok == after
        and not _infinitive(doc, start_tok, hi)
        and (toks[cue.first].lower.endswith("ing") or toks[start_tok].lower == "to" and cue.kind != lex.no_comment_kind)
    ):
        return None  # ", adding to the pressure", "Chin state to the north": not reporting anything
    # a phrase cue ending in a noun ("voiced skepticism over …") starts its content at the noun
    nounish = cue.last > cue.first and toks[cue.last].lower not in ("for", "on", "upon", "out", "in", "clear")
    start = toks[cue.last].start if nounish and start_tok == after else toks[start_tok].start
    end = lex.without_channel(doc.text, start, clause_end(doc, start_tok, hi))
    if end - start < 6 or len(doc.text[start:end].split()) < 2:
        return None
    if toks[start_tok].lower in ADJUNCT_STARTS and (_before_participle(doc, doc.tok_index(end), hi) or only_adjuncts(doc.text, start, end)):
        return None  # "said in a statement on Friday.", "said in a statement, adding that …": no content
    if cue.dialogue and not _has_that(doc, cue, start_tok):
        return None  # "she cried" introduces speech; without a clause there is no statement
    kind = lex.kind_for(cue, doc.text[start:end])
    f = Found(start, end, False, cue, (toks[cue.first].start, toks[cue.last].end), subject, kind, 0.7, si)
    if override is not None and subject.type == "organization" and override.role and subject.form == "name":
        override = replace(override, role=f"{subject.name} {override.role}")  # "Kremlin spokesperson"
    f.speaker_override = override
    f.unattributed = unnamed  # "a recording on the line telling callers …": a document no one is named for
    return f


def _passive_statement(doc: Document, si: int, lo: int, hi: int, cue: Cue, aux: int) -> Found | None:
    """A cue in the passive (see ``passive``): its content, with the agent as speaker when "by" names one."""
    toks = doc.toks
    if toks[cue.first].lower.endswith("ing"):
        return None  # "is saying": not a passive
    found = passive_content(doc, lo, hi, cue, aux)
    if found is None:
        return None
    start, first, agent = found
    if first is None:  # the subject: "the deal [was announced]"
        k = aux - 1
        while k > lo and (toks[k].lower in SKIPPABLE or toks[k].lower in AUXILIARIES or toks[k].text in ("-", "–", "—")):
            k -= 1
        end = toks[k].end
    else:
        end = lexicon().without_channel(doc.text, start, clause_end(doc, first, hi))
    if end - start < 6 or len(doc.text[start:end].split()) < 2:
        return None
    kind = lexicon().kind_for(cue, doc.text[start:end])
    f = Found(start, end, False, cue, (toks[cue.first].start, toks[cue.last].end), agent, kind, 0.5 if agent is None else 0.7, si)
    f.unattributed = agent is None
    return f


def _as_saying(doc: Document, k: int, hi: int) -> bool:
    """Tokens from ``k`` are a noun phrase, then "as" and a cue ("Egypt's military as saying")."""
    toks = doc.toks
    for j in range(k + 1, min(hi - 1, k + 8)):
        if toks[j].lower == "as":
            return lexicon().cue_at(toks, j + 1) is not None
        if not toks[j].text[0].isalnum() and toks[j].text not in ("'", "’", "-", "."):
            return False
    return False


def _before_participle(doc: Document, k: int, hi: int) -> bool:
    """Tokens from ``k`` are ", <cue participle>"."""
    toks = doc.toks
    while k < hi and toks[k].text in (",", "."):
        if toks[k].text == "," and k + 1 < hi and low_ing(toks[k + 1].lower):
            return lexicon().cue_at(toks, k + 1) is not None
        k += 1
    return False


def _infinitive(doc: Document, k: int, hi: int) -> bool:
    """ "to" + a verb ("vowing to keep the area demilitarised"), not "to" + a noun phrase."""
    toks = doc.toks
    if toks[k].lower != "to" or k + 1 >= hi:
        return False
    nxt = toks[k + 1]
    return (
        nxt.text.islower()
        and nxt.lower not in DETERMINERS
        and nxt.lower not in ("its", "their", "his", "her", "this", "these", "those", "that", "our", "my", "your")
    )


# Cues whose object comes before their that-clause: "told reporters that", "warned Moscow that".
_OBJECT_FIRST = frozenset("tell inform warn assure remind advise notify convince persuade promise brief caution reassure alert urge".split())


def _before_that(cue: Cue, between: list[Token]) -> bool:
    """Only adjuncts or the cue's object stand between the cue and a "that": "said on Monday that",
    "told reporters that", "clarified, via X, that"; not a clause of its own ("said witnesses saw
    a gun and that …": that "that" joins a second clause of the content)."""
    if not between:
        return True
    if cue.lemma in _OBJECT_FIRST:  # an object, not a clause: "told reporters that", not "advised X to Y, while Z that"
        return len(between) <= 6 and all(b.text[0].isalnum() and b.lower != "to" for b in between)
    first = between[0]
    return first.text == "," or first.lower in ADJUNCT_STARTS or first.lower in _BEFORE_THAT or (first.lower.endswith("ly") and first.text.islower())


_BEFORE_THAT = frozenset("of again also then separately specifically further repeatedly in about".split())


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
            if all(b.text in "," or b.text[0].isalnum() for b in between) and _before_that(cue, between):
                return k + 1
        if t.text in ".;!?" or doc.inq[k]:  # a sentence end, or a quotation (its marks included)
            break
        if t.text == "," and k + 1 < hi and low_ing(toks[k + 1].lower) and lexicon().cue_at(toks, k + 1) is not None:
            break  # "said in a statement, adding that …": the that-clause is the participle's
    j = after
    if cue.lemma in ("tell", "inform"):  # skip the listener: "told reporters", "told Interfax news agency"
        m = np_after(doc, j, hi)
        if m is not None:
            j = doc.tok_index(m.end)
            while j < hi and toks[j].lower in OUTLET_WORDS:
                j += 1
    if low_ing(toks[cue.first].lower) and j < hi and toks[j].text == ",":
        return None  # "quoted him as saying, although …": the participle reports nothing here
    while j < hi and toks[j].text in (",", ":", "—", "–"):
        j += 1
    return j


def _introduced_inside(doc: Document, f: Found, q: Quotation) -> bool:
    """ "announced the phone at a conference, where he promoted it by saying: “…”": a cue verb of its
    own leads into the quotation inside the clause, so the quotation is that cue's statement.  The
    clause then ends at the comma before that cue (the quotation stays unclaimed for it)."""
    toks = doc.toks
    k = doc.tok_index(q.open) - 1
    steps = 0
    while k >= 0 and steps < 3 and toks[k].text in (",", ":", "that", "—", "–"):
        k -= 1
        steps += 1
    if k < 0 or toks[k].start <= f.start or f.cue_span is None or toks[k].start < f.cue_span[1] or not toks[k].text.islower():
        return False
    if lexicon().cue_at(toks, k) is None or toks[k - 1].lower in _NOT_BEFORE_VERB:
        return False
    comma = doc.text.rfind(",", f.start, toks[k].start)
    if comma == -1 or comma - f.start < 6:
        return False
    f.end = comma
    return True


def _absorb_quotes(doc: Document, f: Found, consumed: set[int]) -> list[Found]:
    """Quotations inside reported speech.  One that makes up most of the clause's end makes the
    statement direct ("stated he held a “…”").  One shorter quotation stays part of the clause: one
    mixed statement, never a second one; with three quoted words or more it carries the speaker's
    own words, so it counts as direct (fewer are scare quotes: a so-called “referendum”).  A clause
    quoting two or more passages stays reported, and each passage is also a direct statement of its
    own (verbatim words the clause alone would blur together)."""
    quoted: list[Quotation] = []
    i = max(0, bisect.bisect_left(doc.quote_opens, f.start - 1))
    while i < len(doc.quotes) and doc.quotes[i].open < f.end:
        q = doc.quotes[i]
        i += 1
        if q.start >= f.end + 2:
            break
        if _introduced_inside(doc, f, q):
            break  # the quotation and what follows are another cue's
        consumed.add(q.open)
        tail = doc.text[q.outer_end : f.end].strip(' ,.:;”"')
        if not tail and (q.end - q.start) >= 0.5 * (f.end - f.start) - 1 and not quoted:
            f.start, f.end, f.direct = q.start, q.end, True
            f.quotation = q
            f.confidence = 0.8
            return []
        if len(doc.text[q.start : q.end].split()) >= _FRAGMENT_WORDS:
            quoted.append(q)
    if len(quoted) == 1:
        f.direct = True
        return []
    return [replace(f, start=q.start, end=q.end, direct=True, quotation=q, fragment=True, text=doc.text[q.start : q.end], confidence=0.7) for q in quoted]
