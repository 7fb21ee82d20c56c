"""The wire's trailing cue: "CONTENT, X said on Tuesday on Telegram." / "CONTENT, said X, a spokesman."
The statement is CONTENT; the adjuncts after the cue (when, to whom, on which channel) are not."""

from __future__ import annotations

import re

from archive.extract.actors import outlet
from archive.extract.found import OPEN_MARKS, Found, np_after
from archive.extract.kinds import Cue, lexicon
from archive.extract.sentences import Document
from archive.extract.speakers import Mention
from archive.extract.subjects import DOCUMENT_NOUNS, cue_subject, document_issuer

__all__ = ["trailing", "only_adjuncts", "opens_quote", "ADJUNCT_STARTS", "OUTLET_WORDS"]


def trailing(doc: Document, si: int, lo: int, hi: int, cue: Cue) -> Found | None:
    """The wire pattern: "CONTENT, X said on Tuesday on Telegram." / "CONTENT, said X, a spokesman."
    The cue trails its content when only adjuncts (when, where, to whom, on which channel) follow it
    up to the end of the sentence or a comma, and a comma sets its subject off from a content before."""
    toks = doc.toks
    if toks[cue.first].lower.endswith("ing"):
        return None  # a participle continues its sentence: "…, adding that …"
    if "," not in doc.text[doc.toks[lo].start : toks[cue.first].start]:
        return None  # no comma before the cue: nothing sets a content off
    k = cue.first - 1
    if k > lo and toks[k].text == "," and cue.lemma in _INVERTING:
        # "CONTENT, said Tin Maung Swe, secretary of the council."
        m = np_after(doc, cue.last + 1, hi)
        j = doc.tok_index(m.end) if m is not None else cue.last + 3
        if m is None and j <= hi and toks[cue.last + 1].lower in ("the", "this") and toks[cue.last + 2].lower in DOCUMENT_NOUNS:
            m = document_issuer(doc, cue.last + 2)  # "CONTENT, said the statement, released on Thursday."
        if m is None or m.form == "pronoun" and doc.toks[cue.first].lower != "said":
            return None
        if j < hi and toks[j].text not in _SENTENCE_ENDS and toks[j].text not in (",", "("):
            return None
        subject, comma = m, k
    else:
        stop = _adjuncts_end(doc, cue, hi)  # the cheap test first
        if stop is None:
            return None
        subject, _ = cue_subject(doc, lo, cue)
        if subject is None or subject.start >= toks[cue.first].start:
            return None
        comma = _comma_before(doc, lo, doc.tok_index(subject.start))
        if comma is None:
            return None
        resumed = _resumed(doc, stop, hi)
        before = toks[comma].start - doc.sents[si].start
        if resumed is not None and resumed[1] - resumed[0] > before:
            # an interrupted content: the larger part is the statement (the other is its lead-in)
            start, end = resumed
            return Found(start, end, False, cue, (toks[cue.first].start, toks[cue.last].end), subject, lexicon().kind_for(cue, doc.text[start:end]), 0.6, si)
    if _relayed(doc, lo, comma, subject):
        return None  # "X said in an order that …, Khit Thit media reported": X's statement, the outlet relays it
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
    return Found(start, end, False, cue, (toks[cue.first].start, toks[cue.last].end), subject, lex.kind_for(cue, doc.text[start:end]), 0.7, si)


_SENTENCE_ENDS = frozenset(".!?;")
_OUTLET_HEADS = frozenset("media agency magazine newspaper website daily broadcaster television tv radio channel outlet".split())


def _relayed(doc: Document, lo: int, comma: int, subject: Mention) -> bool:
    """An outlet's trailing cue after a content that has a cue verb of its own, outside quotation marks
    ("The council, in an order, said …, Khit Thit media reported"): the outlet only relays that statement."""
    words = subject.text.split()
    if not (outlet(subject.name) or words and words[-1].lower() in _OUTLET_HEADS):
        return False
    toks = doc.toks
    lex = lexicon()
    return any(
        toks[k].text.islower() and not doc.inq[k] and lex.cue_at(toks, k) is not None and toks[k - 1].lower not in _NOUN_BEFORE for k in range(lo + 1, comma)
    )


_NOUN_BEFORE = frozenset("the a an his her its their our my your this these those no any".split())


# Cues that may come before their subject after the content: "…, said the minister."
_INVERTING = frozenset(
    "say add write ask explain continue reply answer note declare insist claim recall conclude observe "
    "remark state report announce comment confirm argue warn".split()
)


_DATELINE_RE = re.compile(r"[A-Z][A-Z.'’ -]{2,}(?:,[^\n,()]{1,30}?)?\s*(?:\([^()\n]{1,30}\)|/[A-Za-z-]{2,12}/\.?)?\s*[-–—:]\s*")


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


ADJUNCT_STARTS = frozenset(
    "on in at during via through to from after before late early earlier later last this overnight today yesterday "
    "tonight monday tuesday wednesday thursday friday saturday sunday".split()
)


def _adjuncts_end(doc: Document, cue: Cue, hi: int) -> int | None:
    """Where the adjuncts after the cue end, at the sentence end or a comma ("said early on Monday in
    a statement"; "told" first takes its listener: "told Reuters", "told a news conference"); None
    when more than adjuncts follows."""
    toks = doc.toks
    j = cue.last + 1
    if cue.lemma in ("tell", "inform") and j < hi and toks[j].text not in _SENTENCE_ENDS and toks[j].text != ",":
        m = np_after(doc, j, hi)
        if m is not None:
            j = doc.tok_index(m.end)
            while j < hi and toks[j].lower in OUTLET_WORDS:
                j += 1  # "told Reuters news agency"
        else:  # a listener the speaker look-up does not know: "told the paper", "told local media"
            k = j
            while k < hi and toks[k].text not in _SENTENCE_ENDS and toks[k].text != "," and k - j < 5:
                if toks[k].lower == "that" or not toks[k].text[0].isalnum():
                    return None
                k += 1
            if k - j >= 5:
                return None
            j = k
    if j >= hi or toks[j].text in _SENTENCE_ENDS or toks[j].text == ",":
        return j
    if toks[j].lower not in ADJUNCT_STARTS:
        return None
    while j < hi:
        t = toks[j]
        if t.text in _SENTENCE_ENDS or t.text == ",":
            return j
        if t.lower == "that" or opens_quote(doc, j):
            return None
        j += 1
    return j


def _resumed(doc: Document, j: int, hi: int) -> tuple[int, int] | None:
    """ "Lenox was a juggernaut, Mr. Clarke said, until it went bankrupt.": the content resumes after
    the comma at token ``j`` (not a participle, a joiner or a preposition starting an adjunct); its span."""
    toks = doc.toks
    if j + 1 >= hi or toks[j].text != ",":
        return None
    nxt = toks[j + 1]
    if not nxt.text.isalpha() or nxt.lower in _NOT_RESUMING or nxt.lower.endswith("ing") and nxt.text.islower():
        return None
    end = toks[hi - 1].end
    while end > nxt.start and doc.text[end - 1] in ".!?;,:\"”’' ":
        end -= 1
    return (nxt.start, end) if len(doc.text[nxt.start : end].split()) >= 3 else None


_NOT_RESUMING = frozenset(
    "according while whereas with as in on at after before amid during citing but and which who where when "
    "although though despite following including adding saying".split()
)


_TIME_RE = re.compile(
    r"(?:[\s,]+|(?:early|late|earlier|later|on|this|last|next|in|at|the|of)\b|\d+|(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"
    r"|today\b|yesterday\b|tonight\b|overnight\b|morning\b|afternoon\b|evening\b|night\b|week\b|weekend\b|month\b|year\b"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?)*",
    re.IGNORECASE,
)


def only_adjuncts(text: str, start: int, end: int) -> bool:
    """The clause is only a channel and a time: "in a statement on Friday", "on Telegram late Monday"."""
    lex = lexicon()
    for pattern in lex.channel_res[2:4]:
        m = pattern.match(text, start, end)
        if m is not None:
            rest = _TIME_RE.match(text, m.end(), end)
            return rest is not None and rest.end() == end
    rest = _TIME_RE.match(text, start, end)
    return rest is not None and rest.end() == end


OUTLET_WORDS = frozenset("news agency radio television tv newspaper daily channel broadcaster".split())


def opens_quote(doc: Document, k: int) -> bool:
    """Token ``k`` is the (first character of the) opening mark of a quotation."""
    q = doc.quote_at(doc.toks[k].start)
    return q is not None and q.open == doc.toks[k].start
