"""Where a reported clause ends: the sentence end, or a break before it (", adding …", ", according to
…", ", he said", ", and said …", ", but did not say …").  Shared by the finders of reported speech."""

from __future__ import annotations

from archive.extract.found import SKIPPABLE, np_after
from archive.extract.kinds import lexicon
from archive.extract.sentences import Document
from archive.extract.subjects import low_ing

__all__ = ["clause_end", "AUXILIARIES", "NEGATION"]

NEGATION = frozenset("not never n't didn't don't doesn't hasn't haven't hadn't wasn't weren't isn't aren't won't wouldn't couldn't can't cannot".split())
AUXILIARIES = frozenset("did does do has have had is was were are yet immediately".split())
# Words after a comma that end a reported clause.  Relative clauses, "while", "but", dashes and
# participles such as "including" stay inside it: reported content is the whole clause, and on
# the gold sets they fall inside it more often than they end it.
_CLAUSE_BREAKS = frozenset({"whereas", "although", "though", "according"})
_JOINERS = frozenset({"while", "but", "and", "as", "where", "which", "whereas", "although", "though", "with"})
_DASHES = frozenset({"—", "–", "-", ";"})
_CLOSE_MARKS = frozenset("\"”»’'")


def clause_end(doc: Document, first: int, hi: int) -> int:
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
        if t.lower == "and" and k + 1 < hi and toks[k + 1].text.islower() and lex.cue_at(toks, k + 1) is not None and toks[k + 1].lower not in lex.continuing:
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
            if low in ("and", "but") and _verb_after_auxiliaries(doc, k + 2, hi):
                end_tok = k  # ", and said it was …", ", but did not say whether …": a second statement
                break
            if _reporting_tail(doc, k + 1, hi):
                end_tok = k
                break
    end = toks[end_tok - 1].end if end_tok - 1 >= first else toks[first].end
    while end > toks[first].start and doc.text[end - 1] in ".,;:!? ":
        end -= 1
    return end


def _verb_after_auxiliaries(doc: Document, k: int, hi: int) -> bool:
    """Token ``k`` starts a cue verb, over auxiliaries and a negation ("did not say", "has also said")."""
    toks = doc.toks
    for j in range(k, min(hi, k + 4)):
        low = toks[j].lower
        if not toks[j].text.islower():
            return False
        if lexicon().cue_at(toks, j) is not None:
            return True
        if not (low in AUXILIARIES or low in NEGATION or low in SKIPPABLE):
            return False
    return False


def _reporting_tail(doc: Document, k: int, hi: int) -> bool:
    """ "…, he said." / "…, officials said." at the end of a sentence."""
    m = np_after(doc, k, hi)
    if m is None:
        return False
    j = doc.tok_index(m.end)
    while j < hi and doc.toks[j].lower in SKIPPABLE:
        j += 1  # "Kinshasa had claimed"
    return j < hi and doc.toks[j].text.islower() and lexicon().cue_at(doc.toks, j) is not None
