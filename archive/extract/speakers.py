"""Who speaks: speaker mentions (names with titles, pronouns, organisations, groups) and their
resolution to one entity per article ("Putin", "Vladimir Putin", "the Russian leader" and "he").

The vocabulary lives in ``data/titles*.toml`` and ``data/speakers*.toml``.

Its length is the speaker-mention grammar (names with particles and titles, pronouns, organisations, groups, unnamed sources, roles); entity resolution lives in ``entities``.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import compress, count
from operator import itemgetter, not_

from archive.extract.data import DATA_DIR
from archive.extract.kinds import lexicon
from archive.extract.sentences import Document, Token, is_capitalised, is_heading
from archive.model import fold

__all__ = [
    "Mention",
    "Vocabulary",
    "vocabulary",
    "mention_before",
    "mention_after",
    "describe",
    "narrative_mentions",
    "gender_hints",
    "describe_role",
    "surname_at",
]

_DETERMINERS = frozenset({"the", "a", "an"})
_POSSESSIVE_ENDINGS = ("'s", "’s")
_ADJECTIVAL = ("ian", "ean", "ese", "ish", "ic", "an")  # "a Norwegian ship": not a name
_ABBREVIATED = frozenset({"inc", "corp", "ltd", "co", "jr", "sr", "bros"})
# Reporting verbs capitalised in headlines ("Obama Says …", "Kremlin Denies …"): never inside a name
_HEADLINE_VERBS = frozenset(
    "says said tells told warns warned claims claimed denies denied urges urged calls called vows vowed "
    "insists insisted admits admitted accuses accused confirms confirmed rejects rejected slams blasts".split()
)
_PRONOUN_CONTRACTIONS = frozenset({"he's", "she's", "it's"})  # Token.lower has straight apostrophes
# Particles inside names from every region: "Ashraf al-Qudra", "Bill de Blasio", "Osama bin Laden"
_PARTICLES = frozenset("al el ibn bin bint ben abu umm wad ould de da di del della der den van von du dos das".split())
_JOINED_PARTICLES = _PARTICLES | frozenset("ad ar as ash at az an".split())  # only before a hyphen: "ash-Sham"
_HONORIFICS = frozenset("mr mrs ms miss mme mlle dr sir lady lord dame madame monsieur messrs".split())
_HONORIFICS_OR_NONE = _HONORIFICS | {""}  # the words of a role that is no role ("Mr.", "Mr. .")
# Words that never start a name but may end one, after a first name: "Theresa May", "Jack Will"
# Number words and quantifiers: alone they name nobody ("One Tweet Sums Up …" in a headline)
_QUANTITIES = frozenset("one two three four five six seven eight nine ten dozen hundred thousand million any most few".split())
_SURNAME_WORDS = frozenset("may march april june august will still good".split())


@dataclass(frozen=True)
class Mention:
    """A span of text that may name a speaker, already split into name and role."""

    start: int
    end: int
    text: str
    name: str
    role: str | None
    type: str  # person / organization / group / unknown
    form: str  # name / pronoun / nominal
    gender: str | None = None

    def __init__(self, start: int, end: int, text: str, name: str, role: str | None, type: str, form: str, gender: str | None = None) -> None:
        # The generated __init__ of a frozen class sets each field through object.__setattr__; one
        # update of the instance dict sets the same fields in one call (tens of thousands of mentions
        # are made per hundred articles).
        self.__dict__.update(start=start, end=end, text=text, name=name, role=role, type=type, form=form, gender=gender)


@dataclass(frozen=True)
class Vocabulary:
    roles: frozenset[str]
    multi_roles: tuple[tuple[str, ...], ...]
    modifiers: frozenset[str]
    synonyms: dict[str, frozenset[str]]
    male: frozenset[str]
    female: frozenset[str]
    pronouns: dict[str, str]  # pronoun -> male/female/plural/neuter
    org_heads: frozenset[str]
    multi_org_heads: tuple[tuple[str, ...], ...]
    org_names: frozenset[str]
    group_heads: frozenset[str]
    not_names: frozenset[str]
    not_speaker_after: frozenset[str]
    inner_words: frozenset[str]  # words of multi-word roles and heads ("air" of "air force")
    person_nouns: frozenset[str]  # every word of a person noun ("old" of "old man"): may extend a phrase
    person_heads: frozenset[str]  # the last words: what a description of a person ends in
    female_names: frozenset[str]
    male_names: frozenset[str]
    org_synonyms: dict[str, frozenset[str]]  # "army" -> words its antecedent's name may have
    demonyms: frozenset[str]  # "gazans", "republicans": groups, never a person
    generic_org_heads: frozenset[str]  # "the company": any organisation may be meant
    capitals: frozenset[str]  # "Moscow denied": a capital speaks for its government
    thing_heads: frozenset[str]  # "Airport", "Center", "Amendment": a name ending so is no person

    def is_role(self, word: str) -> bool:
        return word.lower().rstrip(".") in self.roles

    def is_np_word(self, word: str) -> bool:
        hit = _NP_WORDS.get(word)
        if hit is None:
            hit = self._is_np_word(word)
            if len(_NP_WORDS) < 50000:
                _NP_WORDS[word] = hit
        return hit

    def _is_np_word(self, word: str) -> bool:
        low = word.lower()
        return (
            is_capitalised(word)
            or _particle_name(word)
            or low in self.roles
            or low in self.modifiers
            or low in self.org_heads
            or low in self.group_heads
            or low in self.inner_words
            or low in self.person_nouns
            or word in ("U.S.", "U.K.", "U.N.", "E.U.")
        )


_NP_WORDS: dict[str, bool] = {}  # is_np_word answers (the vocabulary is loaded once)

_FOLDED: dict[str, str] = {}  # folded_name answers: a dict of strings, which the garbage collector never walks


def folded_name(name: str) -> str:
    """``fold(name)``, remembered: a name comes back many times in an article, and across articles."""
    folded = _FOLDED.get(name)
    if folded is None:
        if len(_FOLDED) >= 50000:
            _FOLDED.clear()
        folded = _FOLDED[name] = fold(name)
    return folded


@lru_cache(maxsize=4096)
def _load(pattern: str) -> list[dict]:
    return [tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(DATA_DIR.glob(pattern))]


@cache
def vocabulary() -> Vocabulary:
    """Titles, roles and speaker head nouns from ``data/titles*.toml`` and ``data/speakers*.toml``."""
    roles: set[str] = set()
    modifiers: set[str] = set()
    synonyms: dict[str, set[str]] = {}
    male: set[str] = set()
    female: set[str] = set()
    for doc in _load("titles*.toml"):
        roles.update(w.lower() for w in doc.get("roles", {}).get("words", []))
        modifiers.update(w.lower() for w in doc.get("modifiers", {}).get("words", []))
        for key, words in doc.get("synonyms", {}).items():
            synonyms.setdefault(key, set()).update(w.lower() for w in words)
        male.update(doc.get("gender", {}).get("male", []))
        female.update(doc.get("gender", {}).get("female", []))
    pronouns: dict[str, str] = {}
    org_heads: set[str] = set()
    org_names: set[str] = set()
    group_heads: set[str] = set()
    not_names: set[str] = set()
    not_after: set[str] = set()
    persons: set[str] = set()
    female_names: set[str] = set()
    male_names: set[str] = set()
    org_synonyms: dict[str, set[str]] = {}
    demonyms: set[str] = set()
    generic: set[str] = set()
    capitals: set[str] = set()
    things: set[str] = set()
    for doc in _load("speakers*.toml"):
        for head, words in doc.get("organizations", {}).get("synonyms", {}).items():
            org_synonyms.setdefault(head, set()).update(fold(w) for w in words)
        demonyms.update(fold(w) for w in doc.get("demonyms", {}).get("words", []))
        generic.update(w.lower() for w in doc.get("organizations", {}).get("generic", []))
        capitals.update(fold(w) for w in doc.get("capitals", {}).get("names", []))
        things.update(w.lower() for w in doc.get("things", {}).get("heads", []))
        persons.update(w.lower() for w in doc.get("persons", {}).get("nouns", []))
        female_names.update(w.lower() for w in doc.get("first_names", {}).get("female", []))
        male_names.update(w.lower() for w in doc.get("first_names", {}).get("male", []))
        for gender in ("male", "female", "plural", "neuter"):
            for p in doc.get("pronouns", {}).get(gender, []):
                pronouns.setdefault(p, gender)
        org_heads.update(w.lower() for w in doc.get("organizations", {}).get("heads", []))
        org_names.update(fold(w) for w in doc.get("organizations", {}).get("names", []))
        group_heads.update(w.lower() for w in doc.get("groups", {}).get("heads", []))
        not_names.update(w.lower() for w in doc.get("not_names", {}).get("words", []))
        not_after.update(w.lower() for w in doc.get("not_speaker_after", {}).get("words", []))
    single_roles = {r for r in roles if " " not in r}
    multi = tuple(sorted((tuple(r.split()) for r in roles if " " in r), key=len, reverse=True))
    single_org = {h for h in org_heads if " " not in h}
    multi_org = tuple(sorted((tuple(h.split()) for h in org_heads if " " in h), key=len, reverse=True))
    return Vocabulary(
        roles=frozenset(single_roles | {w for r in multi for w in r if w not in ("of", "the")}),
        multi_roles=multi,
        modifiers=frozenset(modifiers),
        synonyms={k: frozenset(v) for k, v in synonyms.items()},
        male=frozenset(male),
        female=frozenset(female),
        pronouns=pronouns,
        org_heads=frozenset(single_org | {w for h in multi_org for w in h[-1:]}),
        multi_org_heads=multi_org,
        org_names=frozenset(org_names),
        group_heads=frozenset(group_heads),
        not_names=frozenset(not_names),
        not_speaker_after=frozenset(not_after),
        inner_words=frozenset(w for h in multi + multi_org for w in h if w not in ("of", "the")),
        person_nouns=frozenset(w for p in persons for w in p.split()),
        person_heads=frozenset(p.split()[-1] for p in persons),
        female_names=frozenset(female_names),
        male_names=frozenset(male_names),
        org_synonyms={k: frozenset(v) for k, v in org_synonyms.items()},
        demonyms=frozenset(demonyms),
        generic_org_heads=frozenset(generic),
        capitals=frozenset(capitals),
        thing_heads=frozenset(things),
    )


def _particle_name(word: str) -> bool:
    """ "al-Qudra", "el-Sisi", "ad-Dawla": a particle joined to a capitalised name."""
    head, dash, rest = word.partition("-")
    return bool(dash) and head.lower() in _JOINED_PARTICLES and rest[:1].isupper()


def _inner_particle(toks: list[Token], k: int, lo: int, hi: int) -> bool:
    """Token ``k`` is a particle between two capitalised words: "Bill de Blasio", "Osama bin Laden"."""
    return toks[k].lower in _PARTICLES and lo <= k - 1 and k + 1 < hi and is_capitalised(toks[k - 1].text) and is_capitalised(toks[k + 1].text)


def _org_link(toks: list[Token], k: int, lo: int) -> int:
    """How many tokens ending at ``k`` link a capitalised organisation head to the rest of its name:
    "for" / "of" (2 with the head), "for a" / "of the" (3); 0 when they do not."""
    if k < lo:
        return 0
    low = toks[k].lower
    n = 1 if low in ("for", "of") else 2 if (low in ("a", "the") and k - 1 >= lo and toks[k - 1].lower in ("for", "of")) else 0
    h = k - n
    if n and h >= lo and is_capitalised(toks[h].text) and toks[h].lower in vocabulary().org_heads:
        return n + 1
    return 0


def _initial(word: str) -> bool:
    """A middle initial: the "O" of "Terry O. Nicholson", the "W" of "George W. Bush"."""
    return len(word) == 1 and word.isupper()


def surname_at(toks: list[Token], k: int) -> bool:
    """Token ``k`` is a month or modal word that is a surname: capitalised right after a known first name
    and before a verb, a comma or the end ("Theresa May said", "Theresa May, the prime minister"), not
    before another capitalised word ("Jack May Ask …" in a headline still reads as a name)."""
    t = toks[k]
    if k < 1 or t.lower not in _SURNAME_WORDS or not (t.text[:1].isupper() and t.text[1:].islower()):
        return False
    prev = toks[k - 1]
    v = vocabulary()
    if not is_capitalised(prev.text) or (prev.lower not in v.male_names and prev.lower not in v.female_names):
        return False
    nxt = toks[k + 1] if k + 1 < len(toks) else None
    return nxt is None or not nxt.text[:1].isupper() or nxt.lower in _HEADLINE_VERBS


_PARTY_TAG_RE = re.compile(r"(?:[DRI]-)?[A-Z][a-z]{0,4}|[DRI]-[A-Z]")


def _party_tag(toks: list[Token], i: int) -> bool:
    """Token ``i`` is the state of a party-state tag after a name: "Sanders (I-Vt.)", "Lewis (D-Ga.)",
    "Sanders (Vt.)", "Schumer (D-N.Y.)": an abbreviation, never a speaker."""
    return (
        2 <= i < len(toks) - 1
        and toks[i - 1].text == "("
        and toks[i + 1].text == "."
        and is_capitalised(toks[i - 2].text)
        and _PARTY_TAG_RE.fullmatch(toks[i].text) is not None
    )


def _possessive(word: str) -> bool:
    """ "Putin's", "KREMLIN’S" (the same as ``word.lower().endswith(("'s", "’s"))``, without lower-casing)."""
    return len(word) > 2 and word[-2:] in _POSSESSIVE_TAILS


_POSSESSIVE_TAILS = frozenset({"'s", "'S", "’s", "’S"})


def mention_before(text: str, toks: list[Token], j: int, lo: int) -> Mention | None:
    """The speaker-like noun phrase ending at token ``j`` (not before token ``lo``), or None."""
    if j < lo:
        return None
    v = vocabulary()
    last = toks[j]
    if last.text == "I":
        return _narrator(last)
    if last.lower in v.pronouns and not _possessive(last.text):
        return _pronoun(text, last)
    if last.lower in _PRONOUN_CONTRACTIONS:
        return _pronoun(text, Token(last.text[:-2], last.start, last.end - 2, last.lower[:-2]))  # "He’s said …"
    if j - 1 >= lo and toks[j - 1].text == "@":
        return _handle(text, toks[j - 1], last)
    if not v.is_np_word(last.text) or _possessive(last.text) or last.lower in v.not_names and not is_capitalised(last.text):
        return None
    a = j
    while a - 1 >= lo:
        prev = toks[a - 1]
        if prev.text == "." and a - 2 >= lo and (v.is_role(toks[a - 2].text) or _initial(toks[a - 2].text)):  # "Mr." / "W."
            a -= 2
            continue
        if prev.lower == "of" and a - 2 >= lo and (is_capitalised(toks[a - 2].text) or v.is_role(toks[a - 2].text)):
            a -= 2
            continue
        n = _org_link(toks, a - 1, lo)
        if n:  # "Committee for a Responsible Federal Budget", "Observatory for Human Rights"
            a -= n
            continue
        if prev.lower in _DETERMINERS:
            a -= 1
            break
        if _inner_particle(toks, a - 1, lo, j + 1):
            a -= 1
            continue
        if _possessive(prev.text) and is_capitalised(prev.text):
            a -= 1
            break
        if prev.lower in v.pronouns or prev.lower in v.not_names and not v.is_role(prev.text):
            break
        if v.is_np_word(prev.text) and prev.text[0].isalnum():
            a -= 1
            continue
        break
    return describe(text, toks[a : j + 1])


def mention_after(text: str, toks: list[Token], i: int, hi: int) -> Mention | None:
    """The speaker-like noun phrase starting at token ``i`` (before token ``hi``), or None."""
    if i >= hi:
        return None
    v = vocabulary()
    first = toks[i]
    if first.text == "I":
        return _narrator(first)
    if first.lower in v.pronouns:
        return _pronoun(text, first) if first.lower in ("he", "she", "they", "we", "it") else None
    if first.lower in _PRONOUN_CONTRACTIONS:
        # "He’s claiming …": the pronoun of a contraction, never a name "He"
        return _pronoun(text, Token(first.text[:-2], first.start, first.end - 2, first.lower[:-2]))
    b = i
    if first.lower in _DETERMINERS or first.lower in ("his", "her", "their", "my", "our", "your", "one", "some"):
        # "the man with the basket", "the little girl", "her mother": up to the last head noun
        last = None
        for k in range(i + 1, min(hi, i + 5)):
            w = toks[k]
            if not w.text.isalpha() and not _possessive(w.text) and "-" not in w.text:
                break
            if w.lower in v.not_speaker_after:
                break  # "my father with some severity": the description ends before its preposition
            if v.is_np_word(w.text):
                last = k
            elif not w.text.islower():
                break
        if last is None:
            return None
        if first.lower in ("his", "her", "their", "my", "our", "your"):
            return describe(text, toks[i + 1 : last + 1])
        if not any(is_capitalised(toks[k].text) for k in range(i + 1, last + 1)):
            return describe(text, toks[i : last + 1])
        b += 1
    elif not v.is_np_word(first.text):
        return None
    start_b = b
    while b < hi:
        t = toks[b]
        if (
            t.text == "."
            and b > start_b
            and (
                v.is_role(toks[b - 1].text)
                or toks[b - 1].lower in _ABBREVIATED
                or _initial(toks[b - 1].text)
                and b + 1 < hi
                and is_capitalised(toks[b + 1].text)
            )
        ):
            b += 1
            continue
        if t.lower == "of" and b > start_b and b + 1 < hi and is_capitalised(toks[b + 1].text) and v.is_role(toks[b - 1].text):
            b += 1
            continue
        if v.is_np_word(t.text) and t.text[0].isalnum() and not (t.lower in v.not_names and not v.is_role(t.text) and not surname_at(toks, b)):
            if b > start_b and t.lower in _HEADLINE_VERBS:
                break  # "Obama Says African-American Museum …": a headline's verb ends the name
            b += 1
            if _possessive(t.text):
                if (
                    b + 1 < hi
                    and is_capitalised(toks[b].text)
                    and is_capitalised(toks[b + 1].text)
                    and toks[b].lower not in v.not_names
                    and not _possessive(toks[b].text)
                ):
                    continue  # "NBC’s Dante Chinni": the possessor is the person's affiliation
                break
            continue
        if b > start_b and _inner_particle(toks, b, start_b, hi):
            b += 1
            continue
        break
    if b == start_b:
        return None
    return describe(text, toks[i:b])


def _handle(text: str, at: Token, name: Token) -> Mention | None:
    """ "one Twitter user @nycsouthpaw pointed out": the account speaks (a person), never its platform."""
    if at.end != name.start or not name.text.replace("_", "").isalnum():
        return None
    return Mention(at.start, name.end, text[at.start : name.end], text[at.start : name.end], None, "person", "name")


def _narrator(tok: Token) -> Mention:
    """ "I said": the first-person narrator, one person throughout the text."""
    return Mention(tok.start, tok.end, tok.text, "I", None, "person", "name")


def _pronoun(text: str, tok: Token) -> Mention:
    v = vocabulary()
    g = v.pronouns[tok.lower]
    typ = "person" if g in ("male", "female") else "group" if g == "plural" else "organization"
    return Mention(tok.start, tok.end, tok.text, tok.text, None, typ, "pronoun", g)


def describe(text: str, toks: list[Token]) -> Mention | None:
    """Split a noun phrase into name, role and type: "Kremlin spokesperson Dmitry Peskov" ->
    name "Dmitry Peskov", role "Kremlin spokesperson", a person."""
    if not toks:
        return None
    # The answer depends only on the phrase's characters and how they split into tokens (its
    # offsets move with the phrase), and the same phrases come back within and across articles.
    base = toks[0].start
    key = (text[base : toks[-1].end], tuple(map(_TOKEN_TEXT, toks)))
    known = _DESCRIBED.get(key, _UNKNOWN)
    if known is _UNKNOWN:
        m = _describe(text, toks)
        if len(_DESCRIBED) >= 20000:  # about 600 bytes each: at most some 12 MB
            _DESCRIBED.clear()
        known = _DESCRIBED[key] = None if m is None else (m.start - base, m.end - base, m.text, m.name, m.role, m.type, m.form, m.gender)
    if known is None:
        return None
    start, end, full, name, role, typ, form, gender = known
    return Mention(base + start, base + end, full, name, role, typ, form, gender)


_DESCRIBED: dict[tuple[str, tuple[str, ...]], tuple | None] = {}  # describe answers, offsets from the phrase's start
_UNKNOWN = object()
_TOKEN_TEXT = itemgetter(0)


def _describe(text: str, toks: list[Token]) -> Mention | None:
    v = vocabulary()
    a, b = 0, len(toks)
    while a < b and toks[a].lower in _DETERMINERS:
        a += 1
    while b > a and toks[b - 1].text in ".,":
        b -= 1
    if a == b:
        return None
    words = toks[a:b]
    start, end = words[0].start, words[-1].end
    full = text[start:end]
    lows = [w.lower.rstrip(".") for w in words]
    roles = v.roles
    # the name: the trailing run of capitalised words that are not role words
    n = k = len(words)
    while k > 0:
        word = words[k - 1].text
        if not (
            word[:1].isupper()
            and lows[k - 1] not in roles
            and word != "."
            or word == "."
            and k >= 2
            and _initial(words[k - 2].text)
            and k < n
            or _particle_name(word)
            or k < n
            and _inner_particle(words, k - 1, 0, n)
        ):
            break
        if k != n and _possessive(word):
            break
        k -= 1
    if 0 < k < len(words):
        n = _org_link(words, k - 1, 0)
        if n:  # "Syrian Observatory for Human Rights": the name takes in its head
            k -= n
            while k > 0 and words[k - 1].text[:1].isupper() and lows[k - 1] not in roles:
                k -= 1
    of = k - 1
    while of > 0 and lows[of] != "of" and words[of].text[:1].isupper():
        of -= 1  # "Minister of Foreign Affairs …": "foreign" is a role word too
    if 0 < of < len(words) - 1 and lows[of] == "of" and k < len(words):  # "Prime Minister of Singapore"
        k = _name_after_of(v, lows, of + 1)
    name_toks = words[k:]
    role_toks = words[:k]
    role = text[role_toks[0].start : role_toks[-1].end] if role_toks else None
    if role is not None and _HONORIFICS_OR_NONE.issuperset(lows[:k]):
        role = None  # "Mr." is not a role
    head = lows[-1]
    gender = None
    for w in lows[:k]:
        if w in v.male:
            gender = "male"
        elif w in v.female:
            gender = "female"
    if len(name_toks) == 1 and not role_toks and lows[-1] in v.group_heads:
        name_toks = []  # "Analysts caution that …": a capitalised common noun
        k = len(words)
    if name_toks:
        name = text[name_toks[0].start : name_toks[-1].end]
        if _possessive(name):
            name = name[:-2]
            end -= 2
            full = text[start:end]
        folded = folded_name(name)
        name_lows = name.lower().split()  # as each word lower-cased: lower case adds no space
        if folded in v.demonyms or len(name_toks) == 1 and len(name) > 6 and name.endswith(("ans", "ese", "ians")):
            typ = "group"  # "Gazans said", "Republicans argue"
        elif folded in v.org_names or (name_lows and name_lows[-1] in v.org_heads) or (name.isupper() and len(name) <= 6 and name.isalpha()):
            typ = "organization"
        elif role_toks and (lows[k - 1] in v.org_heads and lows[k - 1] not in v.roles):
            typ = "organization"  # "United States airframer Boeing"
        elif ("of" in name_lows or "for" in name_lows) and any(w in ("for", "of") and p in v.org_heads for p, w in zip(name_lows, name_lows[1:])):
            typ = "organization"  # "Committee for a Responsible Federal Budget"
        elif name_lows[-1] in v.thing_heads:
            typ = "unknown"  # "Changi International Airport", "Clean Power Plan"
        elif role_toks or len(name_toks) > 1:
            typ = "person"
        else:
            typ = "unknown"
        if len(name_toks) == 1 and not role_toks and head in _QUANTITIES:
            return None
        if head in v.not_names and not role_toks and not (len(name_toks) > 1 and surname_at(words, len(words) - 1)):
            return None
        if typ == "organization" and role_toks and all(is_capitalised(w.text) for w in role_toks) and _possessive(role_toks[-1].text):
            name, role = text[role_toks[0].start : end], None  # "Gaza's Health Ministry" is the ministry's name
        if gender is None and typ in ("person", "unknown"):
            first = name_lows[0]
            if first in v.female_names:
                gender, typ = "female", "person"
            elif first in v.male_names:
                gender, typ = "male", "person"
        return Mention(start, end, full, name, role, typ, "name", gender)
    # no proper name: a group, an organisation or a nominal reference to a person
    for multi in v.multi_org_heads:
        if tuple(lows[-len(multi) :]) == multi:
            return Mention(start, end, full, full, None, "organization", "name")
    if head in v.group_heads:
        return Mention(start, end, full, full, None, "group", "name")
    if head in v.org_heads:
        poss = any(_possessive(w.text) for w in words)
        return Mention(start, end, full, full, None, "organization", "name" if poss else "nominal")
    if head in v.roles or head in v.person_heads:
        if gender is None and head in v.male:
            gender = "male"
        elif gender is None and head in v.female:
            gender = "female"
        elif gender is None and head in ("man", "boy", "gentleman", "father", "son", "husband", "brother", "lad", "fellow"):
            gender = "male"
        elif gender is None and head in ("woman", "girl", "lady", "mother", "daughter", "wife", "sister", "lass", "maid"):
            gender = "female"
        return Mention(start, end, full, full, None, "person", "nominal", gender)
    return None


def describe_role(phrase: str) -> str | None:
    """An appositive as a role, when it describes a post: "a senior rebel commander", "the director-general
    of the North Darfur State Health Ministry", "governor of Dnipropetrovsk region" (determiner dropped);
    None for anything else ("who has four children", "Russia")."""
    v = vocabulary()
    words = phrase.split()
    if words and words[0].lower() in _DETERMINERS:
        words = words[1:]
    if not words or len(words) > 16:
        return None
    lows = [w.lower().strip(",.") for w in words]
    if lows[0] in ("who", "which", "whose", "that", "said", "says"):
        return None
    before_of = lows[: lows.index("of")] if "of" in lows else lows
    if not before_of:
        return None  # ", of Kyiv, said"
    head = before_of[-1]
    if head in v.roles or head in v.person_heads or any(w in v.roles for w in before_of[-3:]):
        return " ".join(words)
    return None


def _name_after_of(v: Vocabulary, lows: list[str], k: int) -> int:
    """Where the name starts in "<role> of <Capitalised words>": nowhere when the words after "of" are
    the office's domain ("Prime Minister of Singapore", "Minister of Foreign Affairs"), at a known first
    name ("Minister of Education Stefania Giannini") or, for four words or more, at the last two
    ("Minister of Foreign Affairs Dmytro Kuleba"); "CEO of Boeing Commercial Airplanes" stays whole."""
    run = len(lows) - k
    for i in range(k, len(lows) - 1):
        if lows[i] in v.female_names or lows[i] in v.male_names:
            return i
    return len(lows) - 2 if run >= 4 else len(lows)


def narrative_mentions(doc: Document, until: int | None = None) -> list[Mention]:
    """Names of people and organisations outside quotations (before offset ``until``): antecedents for
    pronouns and short names; and descriptions of people ("The parson rode a step or two nearer.")."""
    v = vocabulary()
    out: list[Mention] = []
    toks = doc.toks
    inq = doc.inq
    last = len(toks) if until is None else doc.tok_index(until)
    # capitalised words and "the", outside quotations
    # ("The" is among the capitalised words already; the two sorted runs merge in one pass of sorted)
    thes = [k for k in _positions(doc.lowers, "the") if not toks[k].text[0].isupper()]
    candidates = sorted(doc.capitals + thes)
    del candidates[bisect.bisect_left(candidates, last) :]
    candidates = list(compress(candidates, map(not_, map(inq.__getitem__, candidates))))
    spans: dict[int, tuple[int, int] | None] = {}  # sentence -> its tokens, None for a heading
    skip_to = 0
    # the sentence of each candidate (as doc.sentence_of finds it), read off the sentences' first
    # tokens while the candidates go forward
    firsts = doc.sent_first_tokens
    following = 0  # the first sentence that starts after the candidate
    for i in candidates:
        if i < skip_to:
            continue
        t = toks[i]
        low = t.lower
        while following < len(firsts) and firsts[following] <= i:
            following += 1
        si = following - 1 if following else 0
        if si not in spans:
            sent = doc.sents[si]
            spans[si] = None if is_heading(doc.text[sent.start : sent.end]) else doc.sent_tokens(si)
        span = spans[si]
        if span is None:
            continue  # a heading: "CHAPTER I. THE MISSING HEIR", "The Missing Heir"
        lo, hi = span
        if low == "the":
            if i + 1 < hi and toks[i + 1].lower in v.person_nouns:
                m = mention_after(doc.text, doc.toks, i, hi)
                if m is not None and m.form == "nominal" and m.type == "person":
                    out.append(m)
            continue
        if low in v.not_names and not v.is_role(t.text) or _party_tag(toks, i):
            continue
        if i == lo and low in doc.lower_words and not v.is_role(t.text):
            continue
        if i > lo and toks[i - 1].lower in v.not_speaker_after:
            m = mention_after(doc.text, doc.toks, i, hi)
            if m is not None and m.type == "organization" and m.form == "name":
                out.append(m)  # "a contract with Boeing": organisations are antecedents anywhere
                skip_to = doc.tok_index(m.end)
            continue
        if low.endswith("'s"):
            continue
        m = mention_after(doc.text, doc.toks, i, hi)
        if m is None or m.form != "name" or m.type not in ("person", "unknown", "organization"):
            continue
        single = doc.tok_index(m.end) - i <= 1
        if single and t.text.isupper() and len(t.text) > 5:
            continue  # a heading in capitals: "PROLOGUE"
        if single and i == lo and t.text not in doc.inner_capitals:
            continue  # a capitalised sentence opener seen nowhere else: "Presently"
        if (
            single
            and low.endswith(_ADJECTIVAL)
            and i + 1 < hi
            and toks[i + 1].text.islower()
            and toks[i + 1].text.isalpha()
            and lexicon().cue_at(toks, i + 1) is None
        ):
            continue  # a capitalised adjective: "a Norwegian ship"
        out.append(m)
        skip_to = doc.tok_index(m.end)
    out.sort(key=lambda m: m.start)
    return out


def _positions(items: list[str], item: str) -> list[int]:
    """The indices where ``item`` stands in ``items`` (found by ``list.index``, which compares in C)."""
    out = []
    at = -1
    try:
        while True:
            at = items.index(item, at + 1)
            out.append(at)
    except ValueError:
        return out


@cache
def _gendered_pronouns() -> frozenset[str]:
    return frozenset(p for p, g in vocabulary().pronouns.items() if g in ("male", "female"))


def gender_hints(doc: Document, mentions: list[Mention]) -> dict[str, str]:
    """Gender of names from the pronouns that follow them ("Tess … she"): last name word -> gender."""
    v = vocabulary()
    votes: dict[str, list[int]] = {}
    # the gendered pronouns outside quotations: (token index, gender)
    gendered = _gendered_pronouns()
    at = [k for k in compress(count(), map(gendered.__contains__, doc.lowers)) if not doc.inq[k]]
    for m in mentions:
        if m.form != "name" or m.type not in ("person", "unknown"):
            continue
        j = doc.tok_index(m.end)
        n = bisect.bisect_left(at, j)  # the first one from j on, if within 25 tokens
        if n < len(at) and at[n] < min(len(doc.toks), j + 25):
            g = v.pronouns[doc.toks[at[n]].lower]
            key = m.name.split()[-1].lower()
            votes.setdefault(key, [0, 0])[g == "female"] += 1
    hints = {}
    for key, (male, female) in votes.items():
        if male != female:
            hints[fold(key)] = "male" if male > female else "female"
    return hints
