"""Who a cue names: the noun phrase before it (over adverbs, a parenthesis, an appositive, a relative
clause or an interposed adjunct), a participle's subject, the subject of a sentence, and the issuer
of a document that speaks ("The statement said …").

Its length is one grammar: every rule for who a cue names reads the same sentence, and a document's
issuer is found through the subjects of the cues before it.
"""

from __future__ import annotations

from dataclasses import replace

from archive.extract.actors import actors
from archive.extract.found import SKIPPABLE, Found, np_after, np_before
from archive.extract.kinds import Cue, lexicon
from archive.extract.sentences import Document, Token
from archive.extract.speakers import Mention, describe, describe_role, surname_at, vocabulary

__all__ = [
    "cue_subject",
    "participle_subject",
    "sentence_subject",
    "document_before",
    "document_issuer",
    "low_ing",
    "DETERMINERS",
    "DOCUMENT_NOUNS",
]


def cue_subject(doc: Document, lo: int, cue: Cue) -> tuple[Mention | None, Mention | None]:
    """:func:`_cue_subject`, remembered per document (the trailing-cue test and the cue's own
    statement both ask)."""
    key = ("subject", cue.first, cue.last * 100003 + lo)
    if key not in doc.memo:
        doc.memo[key] = _cue_subject(doc, lo, cue)
    return doc.memo[key]


def _cue_subject(doc: Document, lo: int, cue: Cue) -> tuple[Mention | None, Mention | None]:
    """The speaker of a cue: the noun phrase before it (over adverbs, a parenthesis, an appositive, a
    relative clause or an interposed adjunct, and a modifier after the noun), else the subject of its
    sentence ("Putin raised concerns …, alleging that …").  Also returns the real speaker named by
    "via spokesperson X"."""
    toks = doc.toks
    override = _via(doc, cue)
    cited = _cited(doc, lo, cue)
    if cited is not None:
        return cited, override
    aside = _as_aside(doc, lo, cue)
    if aside is not None:
        return aside[0], override
    j = cue.first - 1
    while j >= lo and (
        toks[j].lower in SKIPPABLE and not surname_at(toks, j) or toks[j].lower in _QUANTIFIERS or toks[j].lower.endswith("ly") and toks[j].text.islower()
    ):
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
            if toks[k].text in (",", ";") or toks[k].text == "." and toks[k + 1].text != "," and not _abbreviation(doc, k):
                break
            k -= 1
        if k >= lo and toks[k].text == "," or k == lo:
            interposed = k + 1 < j and _interposes(toks[k + 1])
            m = np_before(doc, _before_parenthesis(doc, k - 1, lo), lo) if k > lo else None
            if m is not None and _after_preposition(doc, m, lo):
                m = _head_before_of(doc, m, lo)  # "A resident of the town of Merawi, 36 km from …, said"
            if m is not None and (m.form != "nominal" or interposed) and not _after_preposition(doc, m, lo):
                role = describe_role(doc.text[toks[k + 1].start : toks[j - 1].end]) if not interposed and j - 1 > k else None
                if role is not None and m.role is None and m.type in ("person", "unknown"):
                    m = replace(m, role=role, type="person")  # "Eduard Basurin, a senior rebel commander, said"
                elif not interposed:
                    appos = describe(doc.text, toks[k + 1 : j])
                    if appos is not None and m.role is None and appos.form == "nominal":
                        m = replace(m, role=appos.text)
                return _head_of(doc, m, lo), override
            # "Irish low cost airline, Ryanair, announced": the name is the appositive (but "in Tulsa,
            # Oklahoma, arguing": a place's qualifier after a preposition is no speaker)
            inner = np_before(doc, j - 1, k + 1 if k > lo or toks[k].text == "," else k)
            qualifier = m is not None and _after_preposition(doc, m, lo)
            if inner is not None and inner.form == "name" and doc.tok_index(inner.start) <= (k + 1) and not qualifier:
                return inner, override
        if toks[cue.first].lower.endswith("ing") or cue.nominal:
            return sentence_subject(doc, lo, cue.first), override
        return None, override
    if toks[j].lower == "who" and j > lo:  # "according to local residents who said": the antecedent
        m = np_before(doc, j - 1, lo)
        if m is not None:
            return m, override
    if toks[j].lower in DOCUMENT_NOUNS and j > lo and toks[j - 1].lower in _DEFINITE and toks[j].text.islower():
        return document_issuer(doc, j), override  # "The statement said …": whoever issued it
    m = np_before(doc, j, lo)
    if m is None or m.form == "nominal":
        named = _unclosed_appositive(doc, j, lo)
        if named is not None:
            return named, override
    if m is not None and _after_preposition(doc, m, lo):
        m = _head_before_preposition(doc, m, lo) or m  # "Developers and supporters in Congress say"
    if m is None:
        m = _modified_subject(doc, j, lo)
    if m is not None:
        return _head_of(doc, m, lo), override
    if toks[cue.first].lower.endswith("ing") or (j >= lo and toks[j].lower in ("and", "but")) or j > lo:
        return sentence_subject(doc, lo, cue.first), override
    return None, override


def _abbreviation(doc: Document, k: int) -> bool:
    """The full stop at token ``k`` ends a title or an initial ("Mr.", "Gen.", "J."), not a sentence."""
    prev = doc.toks[k - 1] if k > 0 else None
    return prev is not None and prev.end == doc.toks[k].start and (vocabulary().is_role(prev.text) or len(prev.text) == 1 and prev.text.isupper())


_DEFINITE = frozenset("the this that its his her their".split())
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
    "who whose which speaking in on at during after citing quoted writing when as while from of for with familiar close based there".split()
)


def _interposes(t: Token) -> bool:
    return t.lower in _INTERPOSED or (t.text.islower() and t.lower.endswith("ing")) or t.text[0].isdigit()


def _unclosed_appositive(doc: Document, j: int, lo: int) -> Mention | None:
    """ "Jane Roe, president and CEO of Acme Aircraft said": a name, a comma, then a role up to the cue
    (token ``j`` ends it) that the writer did not close with a second comma.  The name speaks; the
    role is the appositive, never the speaker ("CEO")."""
    toks = doc.toks
    k = j
    while k > lo and j - k < 14 and toks[k].text != ",":
        if not toks[k].text[0].isalnum() or doc.inq[k] or toks[k].lower in ("that", "who", "which"):
            return None
        k -= 1
    if k <= lo or k == j or toks[k].text != ",":
        return None
    phrase = toks[k + 1 : j + 1]
    cut = next((n for n, t in enumerate(phrase) if t.lower in ("for", "at", "with", "of") and n), len(phrase))
    v = vocabulary()
    head = phrase[cut - 1].lower
    if not (head in v.roles or head in v.person_heads) or describe_role(doc.text[phrase[0].start : phrase[cut - 1].end]) is None:
        return None  # the post is the noun before "of"/"for" ("a spokeswoman for the ministry"), not a clause
    inner = describe(doc.text, phrase)
    if inner is not None and inner.form == "name" and inner.type == "person" and inner.name != inner.text:
        return None  # "…, Acme CEO Jane Roe said": the name is after the comma
    role = doc.text[phrase[0].start : phrase[-1].end]
    if role.split()[0].lower() in ("the", "a", "an"):
        role = role.split(None, 1)[1]
    m = np_before(doc, _before_parenthesis(doc, k - 1, lo), lo)
    if m is None or m.form != "name" or m.type not in ("person", "unknown") or _after_preposition(doc, m, lo):
        return None
    if m.type == "unknown" and (doc.tok_index(m.start) == lo and common_opener(doc, lo) or m.name.lower() in vocabulary().not_names):
        return None  # "Yesterday, a spokeswoman said": a common word opening the sentence names no one
    return replace(m, role=m.role or role, type="person")


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
            if m is not None and m.form != "pronoun" and not _after_preposition(doc, m, lo) and not _lone_opener(doc, k, m, j + 1):
                return m  # not "Heavy" of "Heavy shelling continues"
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
    i = _subhead_end(doc, _dateline_end(doc, i, until), until)
    if i >= until:
        return None
    # a capitalised opener seen nowhere else in the text is not a name: "Presently he was met …"
    while (
        i + 1 < until
        and toks[i].text[0].isupper()
        and toks[i].text not in doc.inner_capitals
        and (toks[i].lower.endswith("ly") or toks[i].lower in vocabulary().not_names)
        and toks[i].lower not in vocabulary().pronouns
        and toks[i].lower not in DETERMINERS
    ):
        i += 1
        if toks[i].text == ",":
            i += 1
    if i >= until:
        return None
    m = np_after(doc, i, until)
    if m is not None and m.form == "name" and m.type == "unknown" and m.end == toks[i].end and common_opener(doc, i):
        return None
    if m is not None and _lone_opener(doc, i, m, until):
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


def participle_subject(
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
    d = document_before(doc, lo, cue.first)
    if d is not None:
        m = np_before(doc, d, lo) if d == k else None
        if m is not None:
            return m, override  # "reports stating that …"
        author = _document_author(doc, lo, d) if d < k else None
        if author is not None:
            return author, override  # "The army issued a statement on its website saying …"
    if before is not None and before.mention is not None and before.cue_span is not None and before.cue_span[1] <= toks[cue.first].start:
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
        if c.nominal:  # "… after Sheikh X issued a statement accusing …": who issued it
            return _issuer(doc, lo, k) or sentence_subject(doc, lo, k)
        if low_ing(t.lower):
            continue
        m = np_after(doc, c.last + 1, cue.first)
        if m is not None and k > lo and toks[k - 1].text in (",", "”", '"', "'"):
            return m  # '“…,” said the SDF, blaming …'
        m, _ = cue_subject(doc, lo, c)
        return m
    return None


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


def _as_aside(doc: Document, lo: int, cue: Cue) -> tuple[Mention | None] | None:
    """ "Hawaii, as one of Mr. Obama's climate advisers pointed out, normally …", "As Smith said, …": the
    speaker of a cue in an as-aside is the aside's subject, never the sentence's (Hawaii); a 1-tuple
    holding it (None when it cannot be read), or None when the cue opens no as-aside."""
    toks = doc.toks
    j = cue.first - 1
    while j >= lo and (toks[j].lower in SKIPPABLE or toks[j].lower.endswith("ly") and toks[j].text.islower()):
        j -= 1
    for k in range(j, max(lo, j - 12) - 1, -1):
        t = toks[k]
        if t.lower == "as":
            if not (k == lo or toks[k - 1].text in (",", "(", "—", "–")) or k == j:
                return None
            break
        if not (t.text[0].isalnum() or t.text in (".", "@", "'", "’") or _possessive_tail(t.text)):
            return None  # a comma or a quotation between: "As the war went on, officials said"
    else:
        return None
    if toks[k + 1].lower == "one" and k + 2 < j and toks[k + 2].lower == "of":
        # "one of Mr. Obama's climate advisers": an unnamed member of a named circle
        a, b = toks[k + 1].start, toks[j].end
        return (Mention(a, b, doc.text[a:b], doc.text[a:b], None, "person", "nominal"),)
    m = np_before(doc, j, k + 1)
    first = k + 1
    while first < j and (toks[first].lower in DETERMINERS or toks[first].lower in _POSSESSIVE_PRONOUNS):
        first += 1  # "as the minister said", "as my uncle had said"
    if m is not None and doc.tok_index(m.start) != first and not m.name.startswith("@"):
        m = None  # the noun phrase must fill the aside: "as the figures showed" has no speaker of its own
    return (m,)


_POSSESSIVE_PRONOUNS = frozenset("my your his her its our their".split())
# Indefinite pronouns open a sentence as its subject: "Someone else told a story"
_INDEFINITE = frozenset("someone somebody everyone everybody anyone anybody nobody".split())


def _possessive_tail(word: str) -> bool:
    return word.lower() in ("'s", "’s")


def common_opener(doc: Document, i: int) -> bool:
    """ "Details aside, …", "Heading into the debate, …", "Video shows …": a capitalised word at the start
    of a sentence that is a common word (the text writes it in lower case elsewhere, or it reads as a
    participle or comparative) and never capitalised inside a sentence, so it names nobody."""
    t = doc.toks[i]
    if not t.text[:1].isupper() or t.text.isupper() or t.text in doc.inner_capitals:
        return False
    low = t.lower
    return low in doc.lower_words or low.endswith(("ing", "ed", "er", "est")) and len(low) > 5


def _lone_opener(doc: Document, i: int, m: Mention, until: int) -> bool:
    """ "Mass atrocities continue in Darfur": one capitalised word opening the sentence, never capitalised
    inside one, of no known kind (no title, first name or listed actor), with one lower-case word (no
    adverb) between it and a finite cue: an adjective of the subject noun, no name."""
    toks = doc.toks
    j = i + 1
    if m.form != "name" or m.type != "unknown" or m.end != toks[i].end or j + 1 != until or i != doc.tok_index(doc.sents[doc.sentence_of(toks[i].start)].start):
        return False  # only "Opener noun cue": "Israel struck army positions, vowing …" keeps its subject
    nxt = toks[j]
    if not (nxt.text.isalpha() and nxt.text.islower()) or nxt.lower in SKIPPABLE or nxt.lower.endswith(("ly", "ed", "self")) or low_ing(toks[until].lower):
        return False  # "Smith himself said", "Smith quickly added": adverbs, not nouns
    if toks[i].lower in _INDEFINITE:
        return False
    return toks[i].text not in doc.inner_capitals and not toks[i].text.isupper() and actors().find(m.name) is None


def _subhead_end(doc: Document, i: int, until: int) -> int:
    """ "SAVE A QUARTER Let's say …": the first token after a subhead in capitals (two words or more
    before a capitalised word) at token ``i``; ``i`` when there is none."""
    toks = doc.toks
    k = i
    while k < until and toks[k].text.isalpha() and toks[k].text.isupper():
        k += 1
    if k - i < 2 or k >= until or max(len(toks[n].text) for n in range(i, k)) < 3:
        return i
    nxt = toks[k].text
    return k if nxt[:1].isupper() and not nxt.isupper() else i


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


_ISSUING = frozenset("issued said made gave released posted put told wrote sent published added".split())


def _issuer(doc: Document, lo: int, noun: int) -> Mention | None:
    """ "Israel struck … after Sheikh Hikmat Al-Hajjri issued a statement accusing …": the name before the
    verb that issued the statement (token ``noun``), not the sentence's first noun phrase."""
    toks = doc.toks
    for k in range(noun - 1, max(lo, noun - 4) - 1, -1):
        if toks[k].text.islower() and (toks[k].lower in _ISSUING or toks[k].lower.endswith("ed") and len(toks[k].lower) > 4):
            m = np_before(doc, k - 1, lo) if k > lo else None
            if m is not None and m.form == "name" and not _after_preposition(doc, m, lo):
                return m
            return None
    return None


def document_before(doc: Document, lo: int, i: int) -> int | None:
    """The document a participle at token ``i`` belongs to: "reports stating …", and over a short
    prepositional phrase, "a recording on their phone lines telling …", "a letter to the board urging …"."""
    toks = doc.toks
    if i - 1 >= lo and toks[i - 1].lower in DOCUMENT_NOUNS:
        return i - 1
    for p in range(i - 2, max(lo, i - 7), -1):
        t = toks[p]
        if t.lower in _DOCUMENT_LINKS and toks[p - 1].lower in DOCUMENT_NOUNS and toks[p - 1].text.islower():
            return p - 1
        if not t.text[0].isalnum() or doc.inq[p]:
            return None
    return None


_DOCUMENT_LINKS = frozenset("on in to at via from".split())
_DOCUMENT_DETERMINERS = frozenset("a an the its his her their our this".split())


def document_issuer(doc: Document, d: int) -> Mention | None:
    """Who issued the document that token ``d`` names with a definite word ("The statement said …",
    "according to the report"): the author of the same document introduced in this sentence or the
    two before ("The army issued a statement on Monday."), else the speaker of the latest statement
    in the two sentences before, else None."""
    toks = doc.toks
    word = toks[d].lower.rstrip("s")
    si = doc.sentence_of(toks[d].start)
    first = doc.sent_tokens(max(0, si - 2))[0]
    for k in range(d - 1, first - 1, -1):
        if toks[k].lower.rstrip("s") == word and toks[k - 1].lower in ("a", "an", "its", "his", "her", "their"):
            lo = doc.sent_tokens(doc.sentence_of(toks[k].start))[0]
            return _document_author(doc, lo, k)
    # else whoever last made a statement in the two sentences before ("The army has announced …")
    lex = lexicon()
    for k in range(doc.sent_tokens(si)[0] - 1, first - 1, -1):
        t = toks[k]
        if not t.text.islower() or doc.inq[k] or toks[k - 1].lower in _DOCUMENT_DETERMINERS:
            continue
        cue = lex.cue_at(toks, k)
        if cue is not None:
            lo = doc.sent_tokens(doc.sentence_of(t.start))[0]
            m, _ = cue_subject(doc, lo, cue)
            if m is not None and m.form != "pronoun" and m.type != "unknown":
                return m
    return None


def _document_author(doc: Document, lo: int, d: int) -> Mention | None:
    """Who put out the document at token ``d``: the subject of the verb before it ("The army issued a
    statement …", "Apple had set a recording …", "Jobs resigned in a letter …")."""
    toks = doc.toks
    k = d - 1
    while k >= lo and toks[k].lower in _DOCUMENT_DETERMINERS:
        k -= 1
    if k >= lo and toks[k].lower in ("in", "on", "with", "via", "through"):
        k -= 1
    if k < lo or not toks[k].text.islower() or not toks[k].text.isalpha():
        return None
    k -= 1  # the verb
    while k >= lo and (toks[k].lower in SKIPPABLE or toks[k].lower.endswith("ly") and toks[k].text.islower()):
        k -= 1
    m = np_before(doc, k, lo) if k >= lo else None
    return m if m is not None and not _after_preposition(doc, m, lo) else None


DOCUMENT_NOUNS = frozenset(
    "reports report letter letters statement statements recording message messages memo note notice document "
    "documents email emails post posts tweet tweets video release article ad sign".split()
)


_INTRO_PREPOSITIONS = frozenset(
    "in on at after before during despite following with without as since under amid while when for by from about over through".split()
)


DETERMINERS = frozenset({"the", "a", "an", "some", "one"})


def low_ing(word: str) -> bool:
    return word.endswith("ing") and len(word) > 4
