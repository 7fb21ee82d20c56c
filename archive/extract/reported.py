"""Reported speech: a cue verb with its subject and clause ("X warned that …", "X urged Moscow to …"),
"according to X", nominal cues ("X's call for …"), and the partial quotes inside them."""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from archive.extract.found import OPEN_MARKS, SKIPPABLE, Found, np_after, np_before
from archive.extract.kinds import Cue, lexicon
from archive.extract.quotes import Quotation
from archive.extract.sentences import Document, Token, is_capitalised, token
from archive.extract.speakers import (
    Mention,
    describe,
    vocabulary,
)

_PASSIVE = frozenset("is are was were be been being".split())
_NEGATION = frozenset(
    "not never n't didn't don't doesn't hasn't haven't hadn't wasn't weren't isn't aren't won't wouldn't "
    "couldn't can't cannot".split()
)
_INTRO_PREPOSITIONS = frozenset(
    "in on at after before during despite following with without as since under amid while when for "
    "by from about over through".split()
)
_CLAUSE_STARTERS = frozenset({"that"})
_PREPOSITIONS = frozenset("to in on at for with from about into over under by of against".split())
# Words after a comma that end a reported clause.  Relative clauses, "while", "but", dashes and
# participles such as "including" stay inside it: reported content is the whole clause, and on
# the gold sets they fall inside it more often than they end it.
_CLAUSE_BREAKS = frozenset({"whereas", "although", "though", "according"})
_JOINERS = frozenset({"while", "but", "and", "as", "where", "which", "whereas", "although", "though", "with"})
_DASHES = frozenset({"—", "–", "-", ";"})
# Words before a cue word that make it a noun or an adjective, not a verb of saying.
_NOT_BEFORE_VERB = frozenset(
    "the a an no any for of further without his her its our my your this these those their".split()
)
_CLOSE_MARKS = frozenset("\"”»’'")
_DETERMINER_WORDS = frozenset({"the", "a", "an", "some", "one"})
_FRAGMENT_WORDS = 3  # words a partial quote inside reported speech needs to be a statement of its own


def reported_speech(doc: Document, consumed: set[int]) -> list[Found]:
    lex = lexicon()
    triggers = lex.triggers
    toks = doc.toks
    out: list[Found] = []
    skip_to = 0
    headline = _headline_end(doc)
    for i in [k for k, t in enumerate(toks) if t.lower in triggers]:
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
            if cue is not None:
                before = out[-1] if out and out[-1].sentence == si and not out[-1].fragment else None
                f = _verb_statement(doc, si, lo, hi, cue, before)
            else:
                noun = lex.noun_at(toks, i)
                if noun is not None and _possessive_speaker(doc, lo, i) is not None:
                    f = _nominal_statement(doc, si, lo, hi, noun)
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
    return i > 0 and low_ing(t.lower) and t.text.islower() and doc.toks[i - 1].lower in _DOCUMENT_NOUNS


_DOCUMENT_NOUNS = frozenset(
    "reports report letter letters statement statements recording message messages memo note notice document "
    "documents email emails post posts tweet tweets video release article ad sign".split()
)


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
    m = _according_source(doc, i + 2, hi)
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


def _negated(doc: Document, lo: int, i: int) -> bool:
    """A negation before the cue, over adverbs and auxiliaries: "did not immediately respond to a
    request for comment", "has not yet commented", "never said": no statement was made."""
    toks = doc.toks
    for k in range(i - 1, max(lo, i - 4) - 1, -1):
        low = toks[k].lower
        if low in _NEGATION:
            return True
        if not (low in SKIPPABLE or low in _AUXILIARIES or low.endswith("ly") and toks[k].text.islower()):
            return False
    return False


_AUXILIARIES = frozenset("did does do has have had is was were are yet immediately".split())


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
    if m is None or m.start == toks[k].start and m.text.lower() in _DOCUMENTS:
        for j in range(k, min(hi, k + 8)):
            if toks[j].lower in ("by", "from"):
                return np_after(doc, j + 1, hi) or m
            if not toks[j].text[0].isalnum():
                break
    return m


_OBJECT_PRONOUNS = {"him": "male", "her": "female", "them": "plural"}
# What "according to" may name instead of its source: "according to figures provided by X".
_DOCUMENTS = frozenset("figures data statement report tally estimate estimates count toll numbers statistics".split())


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
    if prev in _PASSIVE or prev == "to" or prev in _NOT_BEFORE_VERB:
        return None  # "was reported", "to comment", "the said", "no official comment", "for comment"
    if _negated(doc, lo, i):
        if cue.lemma not in lex.no_comment:
            return None  # "did not address the report": nothing was said
        cue = replace(cue, kind=lex.no_comment_kind)  # "did not immediately respond to a request for comment"
    after = cue.last + 1
    if cue.lemma in ("quote", "cite") and _as_saying(doc, after, hi):
        return None  # "Interfax quoted Djamal as saying …": the "saying" reports, with Djamal as speaker
    if after < hi and (toks[after].lower == "not" or toks[after].lower == "to" and after + 1 < hi and toks[after + 1].lower == "be"):
        return None  # "asked not to be named", "declined to be identified"
    trailing = _trailing(doc, si, lo, hi, cue)
    if trailing is not None:
        return trailing
    # the content: a that-clause, an object + infinitive, or a bare clause / object
    start_tok = _content_start(doc, cue, after, hi)
    if start_tok is None:
        return None
    if start_tok < hi and _opens_quote(doc, start_tok):
        return None  # introduces a direct quote: handled with the quotation
    subject, override = cue_subject(doc, lo, cue)
    if low_ing(toks[cue.first].lower):
        subject, override = _participle_subject(doc, lo, cue, before, subject, override)
    if subject is None:
        return None
    if start_tok >= hi:
        return None
    if toks[start_tok].lower in _PREPOSITIONS and start_tok == after and not _infinitive(doc, start_tok, hi) and (
        toks[cue.first].lower.endswith("ing") or toks[start_tok].lower == "to" and cue.kind != lex.no_comment_kind
    ):
        return None  # ", adding to the pressure", "Chin state to the north": not reporting anything
    # a phrase cue ending in a noun ("voiced skepticism over …") starts its content at the noun
    nounish = cue.last > cue.first and toks[cue.last].lower not in ("for", "on", "upon", "out", "in", "clear")
    start = toks[cue.last].start if nounish and start_tok == after else toks[start_tok].start
    end = lex.without_channel(doc.text, start, _clause_end(doc, start_tok, hi))
    if end - start < 6 or len(doc.text[start:end].split()) < 2:
        return None
    if toks[start_tok].lower in _ADJUNCT_STARTS and (
        _before_participle(doc, doc.tok_index(end), hi) or _only_adjuncts(doc.text, start, end)
    ):
        return None  # "said in a statement on Friday.", "said in a statement, adding that …": no content
    if cue.dialogue and not _has_that(doc, cue, start_tok):
        return None  # "she cried" introduces speech; without a clause there is no statement
    kind = lex.kind_for(cue, doc.text[start:end])
    f = Found(start, end, False, cue, (toks[cue.first].start, toks[cue.last].end), subject, kind, 0.7, si)
    if override is not None and subject.type == "organization" and override.role and subject.form == "name":
        override = replace(override, role=f"{subject.name} {override.role}")  # "Kremlin spokesperson"
    f.speaker_override = override
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


def _participle_subject(
    doc: Document, lo: int, cue: Cue, before: Found | None, subject: Mention | None, override: Mention | None
) -> tuple[Mention | None, Mention | None]:
    """Who speaks through a participle cue.  "with the rebels saying …": the noun before it.  "…, the
    president said, urging …", "issued a statement accusing … and urging …": the subject of the
    attribution before it in the sentence.  Else the subject of the sentence ("Israel struck …,
    vowing …"), never the object of its verb ("reported the incident, saying …")."""
    toks = doc.toks
    for k in range(cue.first - 1, max(lo, cue.first - 7) - 1, -1):
        if toks[k].lower == "with":
            m = np_after(doc, k + 1, cue.first)
            if m is not None and doc.tok_index(m.end) == cue.first:
                return m, override
            break
        if not toks[k].text[0].isalnum():
            break
    k = cue.first - 1
    if k >= lo and toks[k].lower in _DOCUMENT_NOUNS:
        m = np_before(doc, k, lo)
        if m is not None:
            return m, override  # "reports stating that …"
    if before is not None and before.mention is not None and before.cue_span is not None \
            and before.cue_span[1] <= toks[cue.first].start:
        return before.mention, before.speaker_override
    earlier = _previous_attribution(doc, lo, cue)
    if earlier is not None:
        return earlier, override
    return sentence_subject(doc, lo, cue.first) or subject, override


def _previous_attribution(doc: Document, lo: int, cue: Cue) -> Mention | None:
    """The speaker of a cue earlier in the sentence, outside quotation marks ('“…,” said the SDF,
    blaming …'; 'issued a statement accusing …')."""
    toks = doc.toks
    lex = lexicon()
    for k in range(cue.first - 1, lo - 1, -1):
        t = toks[k]
        if doc.inq[k] or not t.text.islower():
            continue
        c = lex.cue_at(toks, k) or (lex.noun_at(toks, k) if t.lower in lex.nouns else None)
        if c is None or c.last >= cue.first:
            continue
        if c.nominal:
            return sentence_subject(doc, lo, k)  # "The cleric issued a statement accusing …"
        if low_ing(t.lower):
            continue
        m = np_after(doc, c.last + 1, cue.first)
        if m is not None and k > lo and toks[k - 1].text in (",", "”", "\"", "'"):
            return m  # '“…,” said the SDF, blaming …'
        m, _ = cue_subject(doc, lo, c)
        return m
    return None


_TIME_RE = re.compile(
    r"(?:[\s,]+|(?:early|late|earlier|later|on|this|last|next|in|at|the|of)\b|\d+|(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"
    r"|today\b|yesterday\b|tonight\b|overnight\b|morning\b|afternoon\b|evening\b|night\b|week\b|weekend\b|month\b|year\b"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?)*",
    re.IGNORECASE,
)


def _only_adjuncts(text: str, start: int, end: int) -> bool:
    """The clause is only a channel and a time: "in a statement on Friday", "on Telegram late Monday"."""
    lex = lexicon()
    for pattern in lex.channel_res[2:4]:
        m = pattern.match(text, start, end)
        if m is not None:
            rest = _TIME_RE.match(text, m.end(), end)
            return rest is not None and rest.end() == end
    rest = _TIME_RE.match(text, start, end)
    return rest is not None and rest.end() == end


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
    return nxt.text.islower() and nxt.lower not in _DETERMINER_WORDS and nxt.lower not in (
        "its", "their", "his", "her", "this", "these", "those", "that", "our", "my", "your")


_OUTLET_WORDS = frozenset("news agency radio television tv newspaper daily channel broadcaster".split())
# Cues whose object comes before their that-clause: "told reporters that", "warned Moscow that".
_OBJECT_FIRST = frozenset("tell inform warn assure remind advise notify convince persuade promise brief caution "
                          "reassure alert urge".split())


def _before_that(cue: Cue, between: list[Token]) -> bool:
    """Only adjuncts or the cue's object stand between the cue and a "that": "said on Monday that",
    "told reporters that", "clarified, via X, that"; not a clause of its own ("said witnesses saw
    a gun and that …": that "that" joins a second clause of the content)."""
    if not between:
        return True
    if cue.lemma in _OBJECT_FIRST:  # an object, not a clause: "told reporters that", not "advised X to Y, while Z that"
        return len(between) <= 6 and all(b.text[0].isalnum() and b.lower != "to" for b in between)
    first = between[0]
    return first.text == "," or first.lower in _ADJUNCT_STARTS or first.lower in _BEFORE_THAT or (
        first.lower.endswith("ly") and first.text.islower()
    )


_BEFORE_THAT = frozenset("of again also then separately specifically further repeatedly in about".split())


def _opens_quote(doc: Document, k: int) -> bool:
    """Token ``k`` is the (first character of the) opening mark of a quotation."""
    q = doc.quote_at(doc.toks[k].start)
    return q is not None and q.open == doc.toks[k].start


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
        if t.text in ".;!?" or doc.quote_at(t.start):
            break
        if t.text == "," and k + 1 < hi and low_ing(toks[k + 1].lower) and lexicon().cue_at(toks, k + 1) is not None:
            break  # "said in a statement, adding that …": the that-clause is the participle's
    j = after
    if cue.lemma in ("tell", "inform"):  # skip the listener: "told reporters", "told Interfax news agency"
        m = np_after(doc, j, hi)
        if m is not None:
            j = doc.tok_index(m.end)
            while j < hi and toks[j].lower in _OUTLET_WORDS:
                j += 1
    if low_ing(toks[cue.first].lower) and j < hi and toks[j].text == ",":
        return None  # "quoted him as saying, although …": the participle reports nothing here
    while j < hi and toks[j].text in (",", ":", "—", "–"):
        j += 1
    return j


def _trailing(doc: Document, si: int, lo: int, hi: int, cue: Cue) -> Found | None:
    """The wire pattern: "CONTENT, X said on Tuesday on Telegram." / "CONTENT, said X, a spokesman."
    The cue trails its content when only adjuncts (when, where, to whom, on which channel) follow it
    up to the end of the sentence or a comma, and a comma sets its subject off from a content before."""
    toks = doc.toks
    if toks[cue.first].lower.endswith("ing"):
        return None  # a participle continues its sentence: "…, adding that …"
    k = cue.first - 1
    if k > lo and toks[k].text == "," and cue.lemma in _INVERTING:
        # "CONTENT, said Tin Maung Swe, secretary of the council."
        m = np_after(doc, cue.last + 1, hi)
        if m is None or m.form == "pronoun" and doc.toks[cue.first].lower != "said":
            return None
        j = doc.tok_index(m.end)
        if j < hi and toks[j].text not in _SENTENCE_ENDS and toks[j].text not in (",", "("):
            return None
        subject, comma = m, k
    else:
        subject, _ = cue_subject(doc, lo, cue)
        if subject is None or subject.start >= toks[cue.first].start:
            return None
        comma = _comma_before(doc, lo, doc.tok_index(subject.start))
        if comma is None or not _adjuncts_only(doc, cue, hi):
            return None
    start, end = doc.sents[si].start, toks[comma].start
    start = _after_dateline(doc.text, start, end)
    while end > start and doc.text[end - 1] in " ,":
        end -= 1
    if doc.text[start] in OPEN_MARKS and doc.quote_at(start) is not None:
        q = doc.quote_at(start)
        if q is not None and q.outer_end >= end - 1:
            return None  # a direct quote: attributed with the quotation
    if len(doc.text[start:end].split()) < 4:
        return None
    lex = lexicon()
    return Found(start, end, False, cue, (toks[cue.first].start, toks[cue.last].end), subject,
                 lex.kind_for(cue, doc.text[start:end]), 0.7, si)


_SENTENCE_ENDS = frozenset(".!?;")
# Cues that may come before their subject after the content: "…, said the minister."
_INVERTING = frozenset(
    "say add write ask explain continue reply answer note declare insist claim recall conclude observe "
    "remark state report announce comment confirm argue warn".split()
)
_DATELINE_RE = re.compile(
    r"[A-Z][A-Z.'’ -]{2,}(?:,[^\n,()]{1,30}?)?\s*(?:\([^()\n]{1,30}\)|/[A-Za-z-]{2,12}/\.?)?\s*[-–—:]\s*"
)


def _after_dateline(text: str, start: int, end: int) -> int:
    """Past a dateline opening the sentence ("KYIV (Reuters) –", "CAIRO, Aug 3 (Reuters) –"): the
    article's source, never part of what was said."""
    m = _DATELINE_RE.match(text, start, end)
    return m.end() if m else start


def _comma_before(doc: Document, lo: int, first: int) -> int | None:
    """The comma that sets off the subject starting at token ``first`` (over a role before a name:
    ", local civil society leader Jonas Pandasi said"), or None."""
    toks = doc.toks
    k = first - 1
    while k > lo and first - k <= 10:  # over a role or a coordinated subject ("UKMTO and Ambrey")
        t = toks[k]
        if t.text == ",":
            return k
        if not t.text[0].isalnum() or doc.inq[k] or lexicon().cue_at(toks, k) is not None or t.lower == "that":
            return None
        k -= 1
    return None


_ADJUNCT_STARTS = frozenset(
    "on in at during via through to from after before late early earlier later last this overnight today yesterday "
    "tonight monday tuesday wednesday thursday friday saturday sunday".split()
)


def _adjuncts_only(doc: Document, cue: Cue, hi: int) -> bool:
    """Only adjuncts follow the cue up to the sentence end or a comma ("said early on Monday in a
    statement"); "told" first takes its listener ("told Reuters", "told a news conference")."""
    toks = doc.toks
    j = cue.last + 1
    if cue.lemma in ("tell", "inform") and j < hi and toks[j].text not in _SENTENCE_ENDS and toks[j].text != ",":
        m = np_after(doc, j, hi)
        if m is not None:
            j = doc.tok_index(m.end)
            while j < hi and toks[j].lower in _OUTLET_WORDS:
                j += 1  # "told Reuters news agency"
        else:  # a listener the speaker look-up does not know: "told the paper", "told local media"
            k = j
            while k < hi and toks[k].text not in _SENTENCE_ENDS and toks[k].text != "," and k - j < 5:
                if toks[k].lower == "that" or not toks[k].text[0].isalnum():
                    return False
                k += 1
            if k - j >= 5:
                return False
            j = k
    if j >= hi or toks[j].text in _SENTENCE_ENDS or toks[j].text == ",":
        return True
    if toks[j].lower not in _ADJUNCT_STARTS:
        return False
    while j < hi:
        t = toks[j]
        if t.text in _SENTENCE_ENDS or t.text == ",":
            return True
        if t.lower == "that" or _opens_quote(doc, j):
            return False
        j += 1
    return True


def cue_subject(doc: Document, lo: int, cue: Cue) -> tuple[Mention | None, Mention | None]:
    """The speaker of a cue: the noun phrase before it (over adverbs, a parenthesis, an appositive, a
    relative clause or an interposed adjunct, and a modifier after the noun), else the subject of its
    sentence ("Putin raised concerns …, alleging that …").  Also returns the real speaker named by
    "via spokesperson X"."""
    toks = doc.toks
    override = _via(doc, cue)
    j = cue.first - 1
    while j >= lo and (toks[j].lower in SKIPPABLE or toks[j].lower in _QUANTIFIERS
                       or toks[j].lower.endswith("ly") and toks[j].text.islower()):
        j -= 1
    j = _before_parenthesis(doc, j, lo)  # "U.S. Central Command (CENTCOM) said"
    if j < lo:
        return None, override
    t = toks[j]
    if t.text == ",":
        # an appositive: "Louis Gallois, the Airbus chief executive, said"; a relative clause or an
        # adjunct: "A resident, who asked not to be named, said"; "The council, in an order, said"
        k = j - 1
        while k > lo and j - k < 20:
            if toks[k].text in (",", ";") or toks[k].text == "." and toks[k + 1].text != ",":
                break
            k -= 1
        if k >= lo and toks[k].text == "," or k == lo:
            interposed = k + 1 < j and _interposes(toks[k + 1])
            m = np_before(doc, _before_parenthesis(doc, k - 1, lo), lo) if k > lo else None
            if m is not None and _after_preposition(doc, m, lo):
                m = _head_before_of(doc, m, lo)  # "A resident of the town of Merawi, 36 km from …, said"
            if m is not None and (m.form != "nominal" or interposed) and not _after_preposition(doc, m, lo):
                appos = describe(doc.text, toks[k + 1 : j]) if not interposed else None
                if appos is not None and m.role is None and appos.form == "nominal":
                    m = replace(m, role=appos.text)
                return _head_of(doc, m, lo), override
            # "Irish low cost airline, Ryanair, announced": the name is the appositive
            inner = np_before(doc, j - 1, k + 1 if k > lo or toks[k].text == "," else k)
            if inner is not None and inner.form == "name" and doc.tok_index(inner.start) <= (k + 1):
                return inner, override
        if toks[cue.first].lower.endswith("ing") or cue.nominal:
            return sentence_subject(doc, lo, cue.first), override
        return None, override
    if toks[j].lower == "who" and j > lo:  # "according to local residents who said": the antecedent
        m = np_before(doc, j - 1, lo)
        if m is not None:
            return m, override
    m = np_before(doc, j, lo)
    if m is None:
        m = _modified_subject(doc, j, lo)
    if m is not None:
        return _head_of(doc, m, lo), override
    if toks[cue.first].lower.endswith("ing") or (j >= lo and toks[j].lower in ("and", "but")) or j > lo:
        return sentence_subject(doc, lo, cue.first), override
    return None, override


_QUANTIFIERS = frozenset({"both", "all", "each", "jointly", "together"})  # "UKMTO and Ambrey both confirmed"


def _before_parenthesis(doc: Document, j: int, lo: int) -> int:
    """The token before a short parenthesis ending at token ``j`` ("(CENTCOM)", "(R-Ga.)"), else ``j``."""
    toks = doc.toks
    if j < lo or toks[j].text != ")":
        return j
    for k in range(j - 1, max(lo, j - 8) - 1, -1):
        if toks[k].text == "(":
            return k - 1
    return j


# Words that open a phrase set off between a subject and its cue, or modifying the subject after it.
_INTERPOSED = frozenset(
    "who whose which speaking in on at during after citing quoted writing when as while from of for with "
    "familiar close based there".split()
)


def _interposes(t: Token) -> bool:
    return t.lower in _INTERPOSED or (t.text.islower() and t.lower.endswith("ing")) or t.text[0].isdigit()


def _modified_subject(doc: Document, j: int, lo: int) -> Mention | None:
    """ "A security source speaking on condition of anonymity told …", "Two diplomats familiar with
    the talks said …": the noun phrase before a modifier that ends at the cue."""
    toks = doc.toks
    for k in range(j - 1, max(lo, j - 12) - 1, -1):
        t = toks[k]
        if not t.text[0].isalnum() or t.lower == "that" or doc.inq[k]:
            return None
        if _interposes(toks[k + 1]) and toks[k + 1].text.islower():
            m = np_before(doc, k, lo)
            if m is not None and m.form != "pronoun" and not _after_preposition(doc, m, lo):
                return m
    return None


def _head_before_of(doc: Document, m: Mention, lo: int) -> Mention | None:
    """The head a chain of "of"-phrases hangs from: "resident" of "A resident of the town of Merawi"."""
    for _ in range(3):
        k = doc.tok_index(m.start) - 1
        if k <= lo or doc.toks[k].lower not in ("of", "from", "in"):
            return m
        head = np_before(doc, k - 1, lo)
        if head is None:
            j = k - 1  # "the town of": a noun the speaker look-up does not know; skip it
            while j > lo and doc.toks[j].text.islower() and doc.toks[j].lower not in ("of", "from", "in"):
                j -= 1
            if j <= lo or doc.toks[j].lower not in ("of", "from", "in"):
                return None
            head = np_before(doc, j - 1, lo)
            if head is None:
                return None
        m = head
    return m


def _head_of(doc: Document, m: Mention, lo: int) -> Mention:
    """ "Ivan Bondar from the regional council said": a person named before "from"/"of"/"at" the
    organisation is the speaker, not the organisation."""
    k = doc.tok_index(m.start) - 1
    if k > lo and doc.toks[k].lower in ("from", "of", "at", "for"):
        head = np_before(doc, k - 1, lo)
        if head is not None and head.type == "person" and head.form == "name":
            return head
    return m


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
    before it (", adding …", ", according to …", ", he said", ", and said …")."""
    lex = lexicon()
    toks = doc.toks
    end_tok = hi
    for k in range(first + 1, hi):
        t = toks[k]
        if doc.inq[k]:
            continue
        q = doc.quote_at(toks[k - 1].start) if toks[k - 1].text in _CLOSE_MARKS else None
        b = toks[k - 1].start
        if q is not None and q.close is not None and q.close == b and doc.text[q.end : q.close].strip() == "," and k < hi:
            # '… a “positive attitude towards any peace initiatives,” expressing hope …'
            if t.text.islower() and lex.cue_at(toks, k) is not None and low_ing(t.lower):
                end_tok = k
                break
        if t.text in _DASHES and _reporting_tail(doc, k + 1, hi):
            end_tok = k  # "— the White House said —"
            break
        if t.lower == "and" and k + 1 < hi and toks[k + 1].text.islower() and lex.cue_at(toks, k + 1) is not None \
                and toks[k + 1].lower not in lex.continuing:
            end_tok = k  # "accusing troops of … and urging fighters to …", "condemned X and commended Y"
            break
        if t.lower in ("while", "whereas") and toks[k - 1].text != "," and _reporting_tail(doc, k + 1, hi):
            end_tok = k  # "claimed they took the city while Kinshasa had claimed …"
            break
        if t.text == "," and k + 1 < hi:
            nxt = toks[k + 1]
            low = nxt.lower
            if low in lex.continuing:
                continue
            if nxt.text.islower() and low_ing(low) and lex.cue_at(toks, k + 1) is not None:
                end_tok = k  # ", adding that …": a statement of its own
                break
            if low in _CLAUSE_BREAKS:
                end_tok = k
                break
            if low in _JOINERS and _reporting_tail(doc, k + 2, hi):
                end_tok = k  # ", while officials said …": another attribution
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


def low_ing(word: str) -> bool:
    return word.endswith("ing") and len(word) > 4


def _reporting_tail(doc: Document, k: int, hi: int) -> bool:
    """ "…, he said." / "…, officials said." at the end of a sentence."""
    m = np_after(doc, k, hi)
    if m is None:
        return False
    j = doc.tok_index(m.end)
    while j < hi and doc.toks[j].lower in SKIPPABLE:
        j += 1  # "Kinshasa had claimed"
    return j < hi and doc.toks[j].text.islower() and lexicon().cue_at(doc.toks, j) is not None


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
        consumed.add(q.open)
        tail = doc.text[q.outer_end : f.end].strip(" ,.:;”\"")
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
    return [replace(f, start=q.start, end=q.end, direct=True, quotation=q, fragment=True,
                    text=doc.text[q.start : q.end], confidence=0.7) for q in quoted]
