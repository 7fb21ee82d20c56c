"""Nouns of saying: when a cue word is a noun ("their claims were upheld", "denied reports that …"), and
the statements a noun makes without a verb of saying: "Zelenskyy's call for …" (its possessor's),
"claims of hearing loss", "a Reuters report that …" (hearsay), "Der Spiegel cited documents in a
report" (a document as the channel of a clause), and the document "according to" may name.

The noun's speaker is its possessor ("Boeing's claims"), the name that modifies it ("a Reuters
report") or the name after "of" ("the report of the commission"), never a name elsewhere in the
sentence; hearsay without one has no speaker.
"""

from __future__ import annotations

from archive.extract.clauses import clause_end
from archive.extract.found import Found, np_after, np_before
from archive.extract.kinds import Cue, lexicon
from archive.extract.sentences import Document, is_capitalised, token
from archive.extract.speakers import Mention, describe, vocabulary
from archive.extract.subjects import DETERMINERS, DOCUMENT_NOUNS, document_issuer

__all__ = ["noun_reading", "noun_statement", "possessive_speaker", "document_source", "DOCUMENTS"]

# Words before a cue word that make it a noun: determiners, possessives and prepositions.
_NOUN_BEFORE = frozenset(
    "the a an no any his her its our my your this these those their such other several many some "
    "of for over amid despite about against following after on in with by from among without".split()
)
_FINITE = frozenset("is are was were has have had will would can could may might should must".split())
# Clause boundaries before the subject of a clause whose channel is a document ("…, when X cited … in a report")
_CLAUSE_START = frozenset("when while after as and but because since although though whereas".split())
_AUXILIARIES = frozenset("is are was were be been being has have had".split())
# What "according to" may name instead of its source: "according to figures provided by X".
DOCUMENTS = frozenset("figures data statement report tally estimate estimates count toll numbers statistics".split())


def noun_reading(doc: Document, lo: int, i: int) -> bool:
    """Token ``i``, a cue verb's form that is also a noun of saying ("claims", "reports", "calls"), reads
    as the noun: after a determiner, possessive or preposition (over one adjective: "their individual
    claims"), after a verb ("denied reports that …"), or before a finite verb ("claims were upheld")."""
    toks = doc.toks
    if lexicon().noun_at(toks, i) is None:
        return False
    if i + 1 < len(toks) and toks[i + 1].lower in _FINITE:
        return True
    if i - 1 < lo:
        return False
    prev = toks[i - 1]
    if prev.lower in _NOUN_BEFORE:
        return True
    if not prev.text.islower():
        return False
    if i - 2 >= lo and toks[i - 2].lower in _NOUN_BEFORE and toks[i - 2].lower not in ("on", "in", "by", "with") and not vocabulary().is_np_word(prev.text):
        return True  # "their individual claims" (not "his wife says", "the company claims")
    return lexicon().cue_at(toks, i - 1) is not None  # "denied reports that …"


def hearsay(doc: Document, lo: int, hi: int, noun: Cue) -> tuple[int, int | None, Mention | None] | None:
    """ "claims of hearing loss", "reports that the town fell", "a Reuters report that …": the token where
    the content starts, its last token for a noun phrase after "of" (None: a that-clause, to its end),
    and the speaker (the name modifying the noun or after "of"), if any."""
    toks = doc.toks
    if toks[noun.first].lower not in lexicon().hearsay:
        return None
    k = noun.last + 1
    if k + 1 >= hi or toks[k].lower not in ("of", "that"):
        return None
    speaker = _modifier(doc, lo, noun.first)
    if toks[k].lower == "of":
        m = np_after(doc, k + 1, hi)
        if m is not None and m.form != "pronoun":
            # "the report of the commission that …": the author; the content is its that-clause
            j = doc.tok_index(m.end)
            if j + 1 < hi and toks[j].lower == "that":
                return j + 1, None, m
            return None
        if toks[noun.first].lower not in lexicon().hearsay_of:
            return None  # "reports of a fire": an incident report, not someone's words
        return k + 1, _phrase_end(doc, k + 1, hi), speaker
    return k + 1, None, speaker


def _phrase_end(doc: Document, k: int, hi: int) -> int:
    """The last token of the noun phrase after "of" ("reports of the explosion, but before …"): up to a
    comma, a dash, a clause word or a verb of saying."""
    toks = doc.toks
    lex = lexicon()
    j = k
    while j + 1 < hi:
        t = toks[j + 1]
        if not t.text[0].isalnum() and t.text not in ("'", "’", "-") or t.lower in _CLAUSE_START or t.lower == "that":
            break
        if t.text.islower() and lex.cue_at(toks, j + 1) is not None:
            break
        j += 1
    return j


def _modifier(doc: Document, lo: int, i: int) -> Mention | None:
    """ "a New York Times report", "a Reuters report": a name right before the noun (after a determiner)."""
    if i - 1 < lo or not doc.toks[i - 1].text[:1].isupper():
        return None
    m = np_before(doc, i - 1, lo)
    if m is None or m.form != "name":
        return None
    return m


def channel_clause(doc: Document, lo: int, hi: int, noun: Cue) -> tuple[int, int, Mention] | None:
    """ "…, when German magazine Der Spiegel cited confidential documents in a report.": a clause with
    no verb of saying whose channel is a document at its end; its subject speaks through the document,
    its predicate is the content (offsets), the noun is the cue."""
    toks = doc.toks
    lex = lexicon()
    i = noun.first
    if lex.nouns.get(toks[i].lower, ("", ""))[1] not in ("statement", "report"):
        return None
    k = i - 1
    while k > lo and toks[k].text.islower() and toks[k].lower not in ("in", "through", "via") and i - k <= 3:
        k -= 1  # "in a report", "in its latest report"
    if toks[k].lower not in ("in", "through", "via") or k - 1 <= lo:
        return None
    if noun.last + 1 < hi and toks[noun.last + 1].text not in (".", ",", ";", "!", "?"):
        return None  # "in a statement to reporters …": more than the channel follows
    start = k - 1
    while start > lo and toks[start - 1].text not in (",", ";", ":", "—", "–") and toks[start - 1].lower not in _CLAUSE_START:
        start -= 1
    for j in range(start, k):
        if doc.inq[j] or toks[j].text.islower() and lex.cue_at(toks, j) is not None:
            return None  # a verb of saying in the clause: the document is its channel
    # the verb: the first past-tense word after a speaker-like subject ("German magazine Der Spiegel cited")
    verb = next((j for j in range(start + 1, k) if toks[j].text.islower() and toks[j].lower.endswith("ed")), None)
    if verb is None or toks[verb - 1].lower in _AUXILIARIES or not toks[verb - 1].text[0].isalnum():
        return None  # "the glitch was found in a report": the subject did not write it
    m = np_before(doc, verb - 1, start)
    if m is None or m.form == "pronoun" and m.type == "organization":
        return None
    first, last = toks[verb], toks[k - 1]
    if len(doc.text[first.start : last.end].split()) < 3:
        return None
    return first.start, last.end, m


def noun_statement(doc: Document, si: int, lo: int, hi: int, noun: Cue) -> Found | None:
    """A noun of saying (see ``nominal``): the possessor's statement ("Zelenskyy's call for …"), hearsay
    ("claims of …", "a Reuters report that …"), or a clause whose channel is a document ("X cited … in a report")."""
    toks = doc.toks
    span = (toks[noun.first].start, toks[noun.last].end)
    if possessive_speaker(doc, lo, noun.first) is not None:
        return _nominal_statement(doc, si, lo, hi, noun)
    said = hearsay(doc, lo, hi, noun)
    if said is not None:
        first, last, speaker = said
        start = toks[first].start
        end = clause_end(doc, first, hi) if last is None else toks[last].end
        if len(doc.text[start:end].split()) < 2:
            return None
        f = Found(start, end, False, noun, span, speaker, noun.kind, 0.5 if speaker is None else 0.6, si)
        f.unattributed = speaker is None
        return f
    clause = channel_clause(doc, lo, hi, noun)
    if clause is not None:
        start, end, speaker = clause
        return Found(start, end, False, noun, span, speaker, noun.kind, 0.6, si)
    return None


def _nominal_statement(doc: Document, si: int, lo: int, hi: int, noun: Cue) -> Found | None:
    """ "Zelenskyy's call for a 30-day suspension …", "Zelenskyy's proposal over the weekend for …"."""
    toks = doc.toks
    subject = possessive_speaker(doc, lo, noun.first)
    if subject is None:
        return None
    for k in range(noun.last + 1, min(hi, noun.last + 8)):
        t = toks[k]
        if t.lower in ("for", "that") or (t.lower == "to" and k == noun.last + 1):
            if k + 1 >= hi or t.lower == "for" and (toks[k + 1].lower in _DURATIONS or toks[k + 1].text[0].isdigit()):
                return None  # "working on their proposals for months": a duration, not the proposal
            start = toks[k + 1].start
            end = clause_end(doc, k + 1, hi)
            if len(doc.text[start:end].split()) < 3:
                return None
            return Found(start, end, False, noun, (toks[noun.first].start, toks[noun.last].end), subject, noun.kind, 0.6, si)
        if t.text in ",.;" or doc.quote_at(t.start) or t.text.islower() and lexicon().cue_at(toks, k) is not None:
            return None  # "in their report they could not resist pointing out that …": another cue's clause
    return None


_DURATIONS = frozenset("months years weeks days hours decades minutes".split())


def possessive_speaker(doc: Document, lo: int, i: int) -> Mention | None:
    """ "Zelenskyy's [proposal]": the possessor right before a nominal cue (one adjective allowed)."""
    for j in (i - 1, i - 2):
        if j < lo:
            return None
        t = doc.toks[j]
        if t.lower.endswith("'s") and is_capitalised(t.text):
            m = describe(doc.text, [token(t.text[:-2], t.start, t.end - 2)])
            return m
        if t.lower in ("his", "her", "their"):
            return Mention(
                t.start, t.end, t.text, t.text, None, "person", "pronoun", "male" if t.lower == "his" else "female" if t.lower == "her" else "plural"
            )
        if not t.text.islower():
            return None
    return None


def document_source(doc: Document, k: int, hi: int) -> tuple[Mention | None, int] | None:
    """ "according to a report in The Guardian" (the publication), "according to the report" (whoever
    issued the report named before), "according to a report" (no one): the source, and the token
    after the phrase; None when the words are no document."""
    toks = doc.toks
    d = k
    while d < min(hi, k + 3) and toks[d].text.islower() and toks[d].lower not in DOCUMENTS and toks[d].lower not in DOCUMENT_NOUNS:
        d += 1  # "a new report", "the latest statement"
    if (
        d >= hi
        or not (toks[d].lower in DOCUMENTS or toks[d].lower in DOCUMENT_NOUNS)
        or toks[k].lower not in DETERMINERS | {"this", "its", "their", "his", "her"}
    ):
        return None
    j = d + 1
    if j + 1 < hi and toks[j].lower in ("in", "by", "from", "of"):
        m = np_after(doc, j + 1, hi)
        if m is not None and m.form != "pronoun":
            return m, doc.tok_index(m.end)  # "a report in The Guardian"
    if toks[k].lower in ("a", "an", "some", "one"):
        return None, j
    return document_issuer(doc, d), j
