"""Reporting cues in the passive: "it was reported that …", "the studios are said to want …", "the deal was
announced on Monday", "… was confirmed by the ministry".

The content is what was reported: the that-clause after an expletive "it", else the clause the passive
subject opens (subject, cue and the rest, so that "X is said to be Y" keeps X).  The speaker is the agent
after "by" when it names one; without an agent the statement has no speaker, and it never takes the
subject of the sentence (the subject is what was said, not who said it).
"""

from __future__ import annotations

from archive.extract.found import SKIPPABLE, np_after
from archive.extract.kinds import Cue, lexicon
from archive.extract.sentences import Document
from archive.extract.speakers import Mention

__all__ = ["passive_content"]

# Words that open the clause a passive subject stands in: the subject starts after them.  A clause that
# asserts the report ("although some studios are reported to …", "and the deal was announced …")
# is a statement; one that only sets the scene ("when the diagnosis was confirmed, …", "while a
# curfew was announced …"), asks ("how profits are reported") or is relative ("a plan that was
# announced") presupposes it and says nothing of its own.
_CLAUSE_OPENERS = frozenset("although though whereas and but so".split())
_BACKGROUND = frozenset(
    "that which who whom whose where when whenever while if unless once after before until since because as how whether what why than".split()
)
_DASHES = frozenset("- – — --".split())
_TIME_WORDS = frozenset("today yesterday tonight earlier later on last this monday tuesday wednesday thursday friday saturday sunday".split())
# Words that may follow a bare passive cue without completing it: prepositions, times, conjunctions.
_ADJUNCT_WORDS = frozenset(
    "in on at during by for from to with after before since until over through via amid across throughout within "
    "today yesterday tonight earlier later last this next monday tuesday wednesday thursday friday saturday sunday "
    "and but or while as when where which that".split()
)


def passive_content(doc: Document, lo: int, hi: int, cue: Cue, aux: int) -> tuple[int, int | None, Mention | None] | None:
    """For a cue in the passive (token ``aux`` is its auxiliary): the offset where the content starts,
    the token from which the content's clause runs on to its end (None: the content is the subject,
    up to the auxiliary), and the agent; None when the construction reports nothing (a relative
    clause, an agent that is not a speaker, a listener as the subject with no clause after the cue)."""
    lex = lexicon()
    toks = doc.toks
    if cue.first != cue.last or cue.dialogue or cue.lemma not in lex.passive or _negated(doc, lo, aux):
        return None
    after = cue.last + 1
    agent = None
    by = after
    while by < min(hi, after + 3) and toks[by].lower in _TIME_WORDS:
        by += 1  # "was announced today by the minister"
    if by < hi and toks[by].lower == "by":
        after = by
        agent = np_after(doc, after + 1, hi)
        if agent is None and after + 3 < hi and toks[after + 1].lower == "the" and toks[after + 2].lower.endswith("'s"):
            agent = np_after(doc, after + 3, hi)  # "by the country's health minister"
        if agent is None or agent.form == "pronoun":
            return None  # "is explained by great demand": a cause, not a speaker
        after = doc.tok_index(agent.end)
    that = _that_after(doc, after, hi)
    subject = _subject_start(doc, lo, aux)
    if subject is None:
        return None
    if toks[subject].lower == "it" and aux - subject <= 3:
        # "it was reported that …": the clause after "that" is the content
        if that is None or that + 1 >= hi:
            return None
        return toks[that + 1].start, that + 1, agent
    if cue.lemma in lex.passive_listener:
        # "residents were told that …": the subject heard it; only a clause after the cue is content
        if that is None or that + 1 >= hi:
            return None
        return toks[that + 1].start, that + 1, agent
    if _infinitive(doc, after, hi):
        return toks[subject].start, cue.last, agent  # "X is said to be Y": the subject and what it is said to do
    # "the deal was announced on Monday", "the strike was confirmed by the ministry": what was announced
    # is the subject (the object of the active verb).  Bare, only cues that name a speech act so ("the
    # fire was reported at 9:00", "the window work is estimated at $750,000" report no one's words), and
    # never before a complement ("a wallet was reported stolen", "were declared champions").
    if agent is None and (cue.lemma not in lex.passive_bare or _complement(doc, after, hi)):
        return None
    return toks[subject].start, None, agent


def _infinitive(doc: Document, k: int, hi: int) -> bool:
    """ "is said to be", "are reported to want": "to" and a verb after the cue."""
    toks = doc.toks
    return k + 1 < hi and toks[k].lower == "to" and toks[k + 1].text.islower() and toks[k + 1].text.isalpha()


def _complement(doc: Document, k: int, hi: int) -> bool:
    """A word after the participle that completes it ("reported stolen", "confirmed dead", "declared
    co-champions", "reported as stable"): the passive states a status, not a report."""
    toks = doc.toks
    if k >= hi or not toks[k].text[0].isalnum():
        return False
    low = toks[k].lower
    return low == "as" or toks[k].text.islower() and low not in _ADJUNCT_WORDS and not low.endswith("ly")


def _negated(doc: Document, lo: int, aux: int) -> bool:
    """ "has not yet been confirmed", "were never announced", "wasn't reported": nothing was reported."""
    toks = doc.toks
    for k in range(max(lo, aux - 3), aux + 1):
        if toks[k].lower in ("not", "never", "n't") or toks[k].lower.endswith("n't"):
            return True
    return False


def _that_after(doc: Document, k: int, hi: int) -> int | None:
    """A "that" opening the content a few tokens after the cue ("reported on Monday that")."""
    toks = doc.toks
    for j in range(k, min(hi, k + 8)):
        if toks[j].lower == "that":
            return j
        if not toks[j].text[0].isalnum() and toks[j].text != ",":
            return None
    return None


def _subject_start(doc: Document, lo: int, aux: int) -> int | None:
    """The first token of the passive subject before the auxiliary at ``aux`` (over adverbs and a
    parenthesis set off by dashes), or None when there is none or it is a relative pronoun."""
    toks = doc.toks
    k = aux - 1
    while k >= lo and (toks[k].lower in SKIPPABLE or toks[k].lower.endswith("ly") and toks[k].text.islower()):
        k -= 1  # "is also said", "have reportedly been told"
    first = None
    while k >= lo:
        t = toks[k]
        low = t.lower
        if t.text in _DASHES:
            pair = next((j for j in range(k - 1, lo - 1, -1) if toks[j].text in _DASHES), None)
            if pair is None:
                break
            k = pair - 1  # "The iMac - a notebook computer - is said": over the parenthesis
            continue
        if low in _BACKGROUND:
            return None
        if not t.text[0].isalnum() or low in _CLAUSE_OPENERS or doc.inq[k]:
            break
        if t.text.islower() and lexicon().cue_at(toks, k) is not None:
            return None  # "officials said the deal was announced": part of what the cue reports
        first = k
        k -= 1
    concessive = k > lo and toks[k].lower in ("although", "though", "whereas") and toks[k - 1].text == ","
    if first is not None and not concessive and _reported_before(doc, lo, k):
        return None  # "…, adding that no injuries were reported": part of what the cue reports
    return first


def _reported_before(doc: Document, lo: int, k: int) -> bool:
    """A cue verb (outside quotations) in the sentence before token ``k``: a passive after it is part of
    that statement's content, not a statement of its own (a reported clause ends before ", although")."""
    toks = doc.toks
    lex = lexicon()
    return any(toks[j].text.islower() and not doc.inq[j] and lex.cue_at(toks, j) is not None for j in range(lo, k + 1))
