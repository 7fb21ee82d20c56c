"""Place mentions: find names of places in text and resolve each to one gazetteer entry.

Three steps.  *Spot*: longest gazetteer names over runs of capitalised words, with the case,
punctuation and context rules that keep "Russian media", "New York Times", "Mr. Paris" and a
sentence-initial "Reading" out.  *Resolve*: each mention's candidates are scored by prior
(curated preference, kind, population), by a place qualifier that follows ("Paris, Texas"), by the
countries and US states the article names, by its *home region* (the US state or the country that
its places point to most) and by nearness to the article's other places; this runs twice, the
second time with the first round's answers as context.  *Filter*: a weak candidate (a small town,
an alternate name) with no support in the article is dropped, and a minor town is a candidate only
in the home region or before a qualifier that contains it ("Lanexa, Va.").

In context: a first name before a surname, or a name after a first name, is a person's ("Vladimir
Putin"); a US state beats a country of the same name only when the article names places in a US
state ("Georgia"); waters named after a place are the waters ("Gulf of Aden"); places no gazetteer
holds are found by their shape (``place_features``: "the village of Nyanzale", "the Tamboura area"),
and a name the text once calls a village is a place wherever it says it.

Its length is the three steps of one algorithm (spot, resolve, filter) over shared per-article state; the gazetteer and shaped features are their own modules.

A name is matched on runs of letters and digits (``TOKEN``), the pieces of "al-Qudra", "Ukraine's"
and "U.S." that the text layer (``sentences``) keeps whole, with what lies between them checked
apart.  The runs are cut from the text layer's tokens, so that the text is read once.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from dataclasses import dataclass
from itertools import compress, count
from operator import itemgetter, not_, or_

from archive.extract.gazetteer import Alias, Entry, Gazetteer, distance_km, gazetteer
from archive.extract.gazetteer import key as place_key
from archive.extract.place_features import Feature, find_features, first_names
from archive.extract.sentences import Document
from archive.model import Place

__all__ = ["PlaceIndex", "find_places", "places_near", "statement_location"]

TOKEN = re.compile(r"[^\W_]+")
# What may stand between the words of one name: a space, a hyphen, an apostrophe, a period.
JOINER = re.compile(r"(?:\s|[-'’.]|\.\s)$|^(?:\s|[-'’]|\.\s?)$")
LOCATIVE = frozenset(
    "in at near from to into outside inside across around toward towards via through within throughout "
    "between visit visited visiting reach reached returned born based north south east west".split()
)
# Words after a name for its people or public services: "Chiefland man", "Roswell police".
RESIDENTS = frozenset(
    "man woman men women boy girl teen teenager teens youth couple family resident residents native natives "
    "police officers officials firefighters voters homeowners businesses".split()
)
SENTENCE_END = '.!?\n"“”:;'
# Score of an unsupported candidate below which a mention is dropped.
MIN_SCORE = 5.0
# Score added to a candidate in the article's home region (see :func:`_home`).
HOME_BONUS = 1.5
# Score added to a city or county that lies within COLOCATE_KM of a candidate of another name
# that has at most COLOCATE_MAX candidates.
COLOCATE_BONUS = 1.5
COLOCATE_KM = 40.0
COLOCATE_MAX = 12


@dataclass
class _Mention:
    start: int
    end: int
    key: str
    alias: Alias
    first: int  # index of the first token
    last: int  # index of the last token
    qualifier: _Mention | None = None  # a place named right after it: "Paris, Texas"
    cue: int = 0  # how plainly the text says it is a place (see :func:`_cued`)
    listed: bool = False  # a member of a list of units ("Barrow and Jackson counties")
    choice: Entry | None = None
    score: float = 0.0


def find_places(text: str, doc: Document | None = None) -> list[Place]:
    """Place mentions in ``text``, sorted by start and non-overlapping, each resolved where possible
    (``doc``: the text read by ``sentences``, when the caller has it)."""
    gaz = gazetteer()
    tokens, folded, capitals = _tokens(text, doc if doc is not None else Document(text))
    mentions = _spot(text, tokens, folded, capitals, gaz)
    contested: list[Feature] = []
    sites = _merge_features(mentions, find_features(text), gaz, contested)
    _link_qualifiers(text, mentions)
    _resolve(text, mentions, gaz)
    if contested:  # a weak name the resolver dropped leaves the place it was part of ("al-Qayrawan village")
        sites = sorted(
            sites + [f for f in contested if not any(m.start < f.end and f.start < m.end for m in mentions)],
            key=lambda f: f.start,
        )
    if sites:
        sites = _said_again(text, sites, mentions)
    places = []
    for m in mentions:
        entry = m.choice
        if entry is None:
            continue
        places.append(
            Place(
                text=text[m.start : m.end],
                start=m.start,
                end=m.end,
                name=entry.name,
                kind=entry.kind,
                country=entry.country,
                lat=entry.lat,
                lon=entry.lon,
            )
        )
    if sites:
        country = _home(mentions)[1]
        places.extend(Place(text=text[f.start : f.end], start=f.start, end=f.end, name=f.name, kind=f.kind, country=country) for f in sites)
        places.sort(key=lambda p: p.start)
    return places


def _merge_features(mentions: list[_Mention], features: list[Feature], gaz: Gazetteer, contested: list[Feature]) -> list[Feature]:
    """Add the listed units to ``mentions`` and return the other features, dropping what they cover.

    A gazetteer name that covers a feature wins ("Lake Charles" is a city); a feature that covers
    a gazetteer name wins ("Dublin Road", "Ohio River"), unless it yields (a lower-case head or a
    lead-in: "the Dallas area"): then it goes to ``contested``, to be taken only if the resolver
    keeps none of the names it overlaps.
    """
    sites: list[Feature] = []
    units: list[_Mention] = []
    for f in features:
        if f.unit is not None:
            alias = gaz.lookup(f.unit)
            if alias is not None:
                units.append(_Mention(f.start, f.end, f.unit, alias, -1, -1, listed=True))
        elif f.yields and any(m.start < f.end and f.start < m.end for m in mentions):
            contested.append(f)  # "the Dallas area", "the town of Kharkiv": the gazetteer's name, if it is one
        elif not any(m.start <= f.start and m.end >= f.end for m in mentions):
            sites.append(f)
    if not sites and not units:
        return sites
    spans = [(f.start, f.end) for f in sites] + [(u.start, u.end) for u in units]
    mentions[:] = sorted([m for m in mentions if not any(s < m.end and m.start < e for s, e in spans)] + units, key=lambda m: m.start)
    return sites


def _said_again(text: str, sites: list[Feature], mentions: list[_Mention]) -> list[Feature]:
    """``sites`` with the other mentions of a name the text once calls a place by a lead-in
    ("the village of Nyanzale" ... "the seizure of Nyanzale"), where nothing else was found."""
    names = {f.name: f for f in sites if f.yields and text[f.start : f.end] == f.name}
    if not names:
        return sites
    taken = sorted([(f.start, f.end) for f in sites] + [(m.start, m.end) for m in mentions])
    starts = [a for a, _ in taken]
    found = list(sites)
    for name, first in names.items():
        at = text.find(name)
        while at >= 0:
            end = at + len(name)
            k = bisect.bisect_left(starts, end) - 1  # the last name found that starts before this one ends
            free = k < 0 or taken[k][1] <= at
            whole = not (at and _is_word_char(text[at - 1])) and not (end < len(text) and _is_word_char(text[end]))
            if free and whole:
                found.append(Feature(at, end, name, first.kind, yields=True))
            at = text.find(name, end)
    return sorted(found, key=lambda f: f.start)


class PlaceIndex:
    """The places of one text, sorted by start, for the statements of that text to look up:
    :func:`places_near` and :func:`statement_location` without a pass over every place."""

    def __init__(self, text: str, places: list[Place]) -> None:
        places = list(places)
        self.text = text
        self.places = sorted(places, key=lambda p: p.start)
        self.starts = [p.start for p in self.places]
        # where a statement may have been made: a city or site after "in"/"at"
        self.venues = [p.kind in _VENUE_KINDS and _WHERE.search(text[max(0, p.start - 40) : p.start]) is not None for p in self.places]
        self.given = places if self.places != places else None  # not sorted: look up the slow way

    def near(self, start: int, end: int) -> list[str]:
        """Like :func:`places_near`."""
        if self.given is not None:
            return places_near(self.given, start, end)
        lo = bisect.bisect_left(self.starts, start)
        hi = bisect.bisect_right(self.starts, end, lo)
        return list(dict.fromkeys(p.name for p in self.places[lo:hi] if p.end <= end))

    def location(self, start: int, end: int) -> str | None:
        """Like :func:`statement_location`."""
        if self.given is not None:
            return statement_location(self.text, start, end, self.given)
        window_start = max(self.text.rfind("\n", 0, start), 0)
        lo = bisect.bisect_left(self.starts, window_start)
        for k in range(bisect.bisect_left(self.starts, end, lo) - 1, lo - 1, -1):
            if self.venues[k]:
                return self.places[k].name
        return None


def places_near(places: list[Place], start: int, end: int) -> list[str]:
    """Canonical names of the places mentioned in ``[start, end)``, first mention first, no repeats."""
    names: list[str] = []
    for place in places:
        if place.start >= start and place.end <= end and place.name not in names:
            names.append(place.name)
    return names


_VENUE_KINDS = ("city", "site", "village", "district", "camp")
# Kinds of place with a point of their own in a town: curated ones score as a large city.
_LOCAL_KINDS = ("city", "village", "site", "district", "camp")
_WHERE = re.compile(
    r"\b(?:in|at)\s+$|\b(?:meeting|talks|summit|conference|visit|speech|address|interview|rally)\s+(?:in|at)\s+$",
    re.IGNORECASE,
)


def statement_location(text: str, start: int, end: int, places: list[Place]) -> str | None:
    """Where a statement in ``[start, end)`` was made, when its sentence or the one before says so.

    A place after "in"/"at" ("a meeting in Paris last week, where ... Barrot voiced skepticism")
    that is a city or site; the nearest one before the statement wins.
    """
    window_start = max(text.rfind("\n", 0, start), 0)
    best: Place | None = None
    for place in places:
        if place.start < window_start or place.start >= end or place.kind not in _VENUE_KINDS:
            continue
        if _WHERE.search(text[max(0, place.start - 40) : place.start]):
            best = place
    return best.name if best else None


# ---------------------------------------------------------------- spotting


def _spot(text: str, tokens: list[tuple[int, int]], folded: list[str], capitals: list[int], gaz: Gazetteer) -> list[_Mention]:
    mentions: list[_Mention] = []
    names = gaz.names
    stems = gaz.stems()
    n = len(tokens)
    words = _WholeWords(text)
    next_i = 0
    # a token (never a space in it) begins a name when it is a name or a stem of a longer one
    keys = list(map(folded.__getitem__, capitals))
    starts = list(compress(capitals, map(or_, map(stems.__contains__, keys), map(names.__contains__, keys))))
    if "l-" in text:  # names that open with a lower-case article: "al-Fashir", "el-Balah"
        firsts = list(map(_FIRST, tokens))
        particles = [bisect.bisect_left(firsts, m.start()) for m in _ARTICLE.finditer(text)]
        starts = sorted(set(starts).union(k for k in particles if folded[k] in stems or folded[k] in names))
    for i in starts:
        if i < next_i:
            continue
        s, e = tokens[i]
        found = None
        key = folded[i]
        candidates = [(i, key)]
        for j in range(i + 1, min(n, i + 7)):
            if key not in stems:
                break  # no longer name starts so
            between = text[tokens[j - 1][1] : tokens[j][0]]
            if len(between) > 2 or between not in (" ", "-", "'", "’", ".", ". ", ", ", ".-", "-"):
                break
            key = f"{key} {folded[j]}"
            candidates.append((j, key))
        for j, key in reversed(candidates):
            alias = gaz.lookup(key)
            if alias is None or not _shape_ok(text, tokens, i, j, folded, alias):
                continue
            found = (j, key, alias)
            break
        if found is None:
            continue
        j, key, alias = found
        start, end = s, tokens[j][1]
        if alias.period and end < len(text) and text[end] == ".":
            end += 1
        mention = _Mention(start, end, key, alias, i, j)
        if _context_ok(text, tokens, words, mention, gaz):
            mention.cue = _cued(text, tokens, mention)
            mentions.append(mention)
        next_i = j + 1
    surnames = _surnames(text, tokens, folded, mentions, gaz)
    return [m for m in mentions if m.key not in surnames]


# "al-"/"el-" after no letter, digit, apostrophe or hyphen: the letter comes before the lookbehind
# (which tests the character before it), so the regex engine skips in C from one "a" or "e" to the next
_ARTICLE = re.compile(r"[ae](?<![\w'’-][ae])l-(?=[A-Z])")


def _tokens(text: str, doc: Document) -> tuple[list[tuple[int, int]], list[str], list[int]]:
    """The spans of the runs of letters and digits (``TOKEN``), their gazetteer keys, and the indices
    of the runs that start with a capital.

    No run crosses two of the text layer's tokens (where one ends and the next begins, one side is
    neither letter nor digit), so the runs are its tokens of letters and digits only, kept whole, and
    the runs inside its other tokens of more than one character ("al-Qudra", "Ukraine's", "U.S.").
    A run's key is its lower case, or ``place_key`` of it when it holds a letter beyond ASCII.
    """
    words = doc.words
    whole = list(map(str.isalnum, words))
    tokens = list(compress(zip(doc.starts, doc.ends), whole))
    folded = list(compress(doc.lowers, whole))  # a word of letters and digits has no apostrophe to straighten
    upper = [False] * len(words)  # whether each token starts with a capital, from the text layer's list
    for k in doc.capitals:
        upper[k] = True
    upper = list(compress(upper, whole))
    if not text.isascii():
        runs = list(compress(words, whole))
        for k in compress(count(), map(not_, map(str.isascii, runs))):
            folded[k] = place_key(runs[k])
    # the other tokens of more than one character, each with the number of whole tokens before it
    split = [(k, k - n) for n, k in enumerate(compress(count(), map(not_, whole))) if len(words[k]) > 1]
    if split:
        tokens, folded, upper = _with_inner_runs(text, doc, split, tokens, folded, upper)
    return tokens, folded, list(compress(count(), upper))


def _with_inner_runs(
    text: str, doc: Document, split: list[tuple[int, int]], tokens: list[tuple[int, int]], folded: list[str], upper: list[bool]
) -> tuple[list[tuple[int, int]], list[str], list[bool]]:
    """The runs of the whole tokens with those inside the tokens ``split`` put in their places."""
    spans: list[tuple[int, int]] = []
    keys: list[str] = []
    capital: list[bool] = []
    done = 0
    for k, before in split:
        spans += tokens[done:before]
        keys += folded[done:before]
        capital += upper[done:before]
        done = before
        for m in TOKEN.finditer(text, doc.starts[k], doc.ends[k]):
            run = m.group()
            spans.append(m.span())
            keys.append(run.lower() if run.isascii() else place_key(run))
            capital.append(run[0].isupper())
    spans += tokens[done:]
    keys += folded[done:]
    capital += upper[done:]
    return spans, keys, capital


_FIRST = itemgetter(0)


class _WholeWords:
    r"""The words that stand whole in a text: ``word in _WholeWords(text)`` is whether ``word`` appears
    on its own there, as ``(?<!\w)word(?!\w)`` would find it.

    Each occurrence that ``str.find`` gives is checked for word characters on either side (``\w``
    is a letter, digit or underscore, as ``str.isalnum`` counts them): far faster than a regex
    search, and than collecting every word of the text for the one or two asked about.
    """

    def __init__(self, text: str) -> None:
        self.text = text

    def __contains__(self, word: str) -> bool:
        text = self.text
        at = text.find(word)
        while at >= 0:
            end = at + len(word)
            if not (at and _is_word_char(text[at - 1])) and not (end < len(text) and _is_word_char(text[end])):
                return True
            at = text.find(word, at + 1)
        return False


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def _shape_ok(text: str, tokens: list[tuple[int, int]], i: int, j: int, folded: list[str], alias: Alias) -> bool:
    """Case and punctuation of the text fit the name: capitals where it has them, no stray commas."""
    for k in range(i, j + 1):
        s, e = tokens[k]
        word = text[s:e]
        if not word[0].isupper() and not word[0].isdigit() and folded[k] not in alias.lower_ok:
            return False
        if k > i and text[tokens[k - 1][1] : s] == ", " and not alias.comma:
            return False
    surface = text[tokens[i][0] : tokens[j][1]]
    letters = surface if surface.isalpha() else "".join(ch for ch in surface if ch.isalpha())
    if alias.acronym:
        return letters.isupper()
    if letters.isupper() and len(letters) <= 4 and i == j and not _dateline_start(text, tokens[i][0], tokens[j][1]):
        return False  # "MAN", "IT": an acronym, not a name written in capitals (but "KYIV, Ukraine —")
    return True


def _strong(alias: Alias) -> bool:
    """A name that is mostly a place: a country, state, region, curated place or large city (kept on the alias)."""
    strong = alias.strong
    if strong is None:
        strong = alias.strong = any(
            e.kind in ("country", "continent", "state", "union", "sea") or e.prior >= 2.0 or e.population >= 100_000 for e in alias.entries
        )
    return strong


def _context_ok(text: str, tokens, words_in_text: _WholeWords, m: _Mention, gaz: Gazetteer) -> bool:
    """Rules that keep organisations, persons and common words out."""
    words = gaz.words
    surface = text[m.start : m.end]
    single = m.first == m.last
    if surface in words["never"] or surface.rstrip(".") in words["never"]:
        return False
    before = text[max(0, m.start - 3) : m.start]
    if m.alias.after_comma and not before.rstrip().endswith(","):
        return False
    prev_word, prev_gap = _neighbour(text, tokens, m.first - 1, m.first)
    next_word, next_gap = _neighbour(text, tokens, m.last + 1, m.last, after=True)
    # "New York Times", "Washington Post", "Georgia Tech"
    if next_word and next_gap in (" ", "-") and next_word in words["org_heads"]:
        return False
    # "Mr. Paris", "Sen. Jordan"; "Air Canada", "Virgin Atlantic"
    if prev_word and prev_word in words["person_titles"] and prev_gap in (" ", ". "):
        return False
    if prev_word and prev_word in words["org_before"] and prev_gap == " ":
        return False
    # "US$ 20,000", "HK$"
    if text[m.end : m.end + 1] == "$":
        return False
    # "Institute of Texas", "Bank of America"
    if prev_word == "of" and m.first >= 2:
        head, _gap = _neighbour(text, tokens, m.first - 2, m.first - 1)
        if head in words["org_of"]:
            return False
    prev_name = (
        prev_word is not None
        and prev_gap == " "
        and prev_word[:1].isupper()
        and prev_word not in words["place_before"]
        and not _sentence_start(text, tokens, m.first - 1)
    )
    next_name = next_word is not None and next_gap == " " and next_word[:1].isupper() and next_word not in words["place_heads"]
    if single and surface in words["ambiguous"]:
        # "Jordan Smith", "Michael Jordan", a sentence-initial "Reading": need "in Reading" or "Reading, England"
        if prev_name or next_name:
            return False
        if not (prev_word and prev_word.lower() in LOCATIVE) and not next_gap.startswith(","):
            return False
    if single and not _strong(m.alias) and (prev_name or next_name):
        return False  # "Mary Wheeler", "Desmond Clark", "Ripley High": part of a longer name
    if single and (prev_name or next_name) and surface in words["person_names"]:
        return False  # "Michael Jordan", "Paris Hilton", "George Washington"
    # The first or last word of a person's name: a first name before a surname ("Vladimir Putin",
    # "Vladimir Rogov"), or a name after a first name ("Olha Kherson").
    if single and next_name and surface in first_names():
        return False
    if single and prev_name and prev_word in first_names():
        return False
    if single and prev_name and all(e.kind == "city" and e.prior < 2.0 for e in m.alias.entries):
        return False  # "Valeska Paris", "Melton Lewis Paris"
    # A sentence-initial word that the article also uses in lower case is a word, not a place.
    return not (single and _sentence_start(text, tokens, m.first) and surface.lower() in words_in_text)


def _dateline_start(text: str, start: int, end: int) -> bool:
    """Whether ``[start, end)`` opens a line as a dateline's place does ("GOMA, Congo (AP) —", "KYIV :")."""
    return (start == 0 or text[start - 1] == "\n") and _DATELINE_AFTER.match(text, end) is not None


_DATELINE_AFTER = re.compile(r",\s*[A-Z]|\s*\((?:AP|AFP|Reuters|UPI)\)|\s*[:—–]|\s+-+\s")
_DATELINE = re.compile(r"(?:,\s*[A-Z][\w.]*\.?)?(?:\s*\((?:AP|Reuters|UPI)\))?\s*(?:—|–|--?)\s")
_PARTY = re.compile(r"\b(?:R|D|I|DFL)-$")


def _cued(text: str, tokens, m: _Mention) -> int:
    """How plainly the words around a mention say it is a place: 0 not, 1 somewhat, 2 plainly.

    Plainly: a dateline ("CROMWELL —", "HAMMOND, Ind. (AP) —"), a legislator's home town
    ("R-Marshall"), "in", "near" or "outside" before it.  Somewhat: another locative word before it
    ("at", "from", ", of"), or a word for its people or services after it ("Chiefland man",
    "Roswell police").  A possessive after it is a business ("at McDonald's"), never a cue.
    """
    surface = text[m.start : m.end]
    if surface.isupper() and len(surface) > 3 and _DATELINE.match(text, m.end):
        return 2
    if _PARTY.search(text, max(0, m.start - 4), m.start):
        return 2
    if text[m.end : m.end + 2] in ("'s", "’s", "’"):
        return 0
    next_word, next_gap = _neighbour(text, tokens, m.last + 1, m.last, after=True)
    prev_word, prev_gap = _neighbour(text, tokens, m.first - 1, m.first)
    if prev_word is not None and prev_gap == " ":
        low = prev_word.lower()
        if low in ("in", "near", "outside") and not (next_gap == " " and next_word[:1].isupper()):
            return 2
        if low in LOCATIVE and low not in ("to", "north", "south", "east", "west"):
            return 1
        if low == "of" and (text[m.end : m.end + 1] == "," or text[: tokens[m.first - 1][0]].rstrip().endswith(",")):
            return 1
    return 1 if next_word is not None and next_gap == " " and next_word in RESIDENTS else 0


def _surnames(text: str, tokens, folded: list[str], mentions: list[_Mention], gaz: Gazetteer) -> set[str]:
    """Weak names the article also uses as the last part of a person's name ("Margaret Burley")."""
    found = set()
    weak = {m.key for m in mentions if m.first == m.last and not _strong(m.alias)}
    if not weak:
        return found
    words = gaz.words
    for k in compress(count(1), map(weak.__contains__, folded[1:])):
        key = folded[k]
        prev_word, gap = _neighbour(text, tokens, k - 1, k)
        if (
            gap == " "
            and prev_word[:1].isupper()
            and prev_word not in words["place_before"]
            and not _sentence_start(text, tokens, k - 1)
            and folded[k - 1] not in gaz.first_tokens
        ):
            found.add(key)
    return found


def _neighbour(text: str, tokens, k: int, here: int, after: bool = False) -> tuple[str | None, str]:
    """The word at token ``k`` and what separates it from token ``here``."""
    if k < 0 or k >= len(tokens):
        return None, ""
    s, e = tokens[k]
    gap = text[tokens[here][1] : s] if after else text[e : tokens[here][0]]
    return text[s:e], gap


def _sentence_start(text: str, tokens, k: int) -> bool:
    if k <= 0:
        return True
    gap = text[tokens[k - 1][1] : tokens[k][0]]
    stripped = gap.strip()
    return "\n" in gap or (bool(stripped) and stripped[-1] in SENTENCE_END)


def _link_qualifiers(text: str, mentions: list[_Mention]) -> None:
    """Mark "A, B" pairs where B may contain A (a state or country after a town)."""
    for a, b in zip(mentions, mentions[1:]):
        gap = text[a.end : b.start]
        if gap in (", ", ",", " , ") or (gap == " " and b.alias.after_comma):
            a.qualifier = b


# ---------------------------------------------------------------- resolving


def _prior(entry: Entry) -> float:
    score = entry.prior
    if entry.kind in _LOCAL_KINDS and entry.prior > 0:
        score += max(math.log10(max(entry.population, 1)), 6.0)  # curated: as a large city
    elif entry.kind == "city":
        score += math.log10(max(entry.population, 1000))
        if entry.population >= 1_000_000:
            score += 0.5
    elif entry.kind in ("county",):
        score += 2.0
    elif entry.kind == "region" and entry.population:
        score += 3.0
    else:
        score += 2.0
    if entry.alternate:
        score -= 1.5
    return score


def _contains(outer: Entry, inner: Entry) -> bool:
    if outer.kind == "country":
        return inner.country == outer.country and inner is not outer
    if outer.kind == "state":
        return inner.country == "US" and inner.admin1 == outer.admin1 and inner is not outer
    if outer.kind == "region" and inner.kind == "region" and inner.population == 0:
        return inner.country == outer.country and inner is not outer  # "Suffolk, England", "Clare, Ireland"
    if outer.kind == "region" and inner.kind == "city" and outer.lat is not None and inner.lat is not None:
        return inner.country == outer.country and distance_km(outer.lat, outer.lon, inner.lat, inner.lon) < 300
    return False


def _resolve(text: str, mentions: list[_Mention], gaz: Gazetteer) -> None:
    # a round's answer for a mention depends only on what _Round.key holds: a name said
    # several times is scored once per round
    for m in mentions:
        m.choice, m.score = _context_free(m)
    for _round in range(2):
        chosen = [m.choice for m in mentions]
        context = _Round(_Context(mentions))
        for m in mentions:
            m.choice, m.score = context.best(m)
        if all(m.choice is before for m, before in zip(mentions, chosen)):
            break  # nothing changed: another round would see the same context and give the same answers
    # a weak name that the text itself calls a place ("in Chiefland") is kept, but only once the
    # others are settled, so that it never sways where the article is
    for m in mentions:
        if m.choice is None and m.cue:
            m.choice, m.score = context.best(m, cued=True)
    keep = []
    for m in mentions:
        if m.choice is not None:
            keep.append(m)
    mentions[:] = keep


def _context_free(m: _Mention) -> tuple[Entry | None, float]:
    """``_best(m, None)``, remembered across articles: without a context the answer depends only on
    the alias, its qualifier's alias, the cue and whether the name is listed (aliases are made once
    per process and kept, so the key holds them, not their ids)."""
    key = (m.alias, m.qualifier.alias if m.qualifier is not None else None, m.cue, m.listed)
    answer = _CONTEXT_FREE.get(key)
    if answer is None:
        if len(_CONTEXT_FREE) >= 50000:
            _CONTEXT_FREE.clear()
        answer = _CONTEXT_FREE[key] = _best(m, None)
    return answer


_CONTEXT_FREE: dict[tuple, tuple[Entry | None, float]] = {}


class _Round:
    """One round of resolution over a fixed context, remembering each answer."""

    def __init__(self, context: _Context | None) -> None:
        self.context = context
        self.answers: dict[tuple, tuple[Entry | None, float]] = {}

    def best(self, m: _Mention, cued: bool = False) -> tuple[Entry | None, float]:
        qualifier = id(m.qualifier.alias) if m.qualifier is not None else None
        key = (m.key, id(m.alias), qualifier, m.cue, m.listed, id(m.choice), cued)
        answer = self.answers.get(key)
        if answer is None:
            answer = self.answers[key] = _best(m, self.context, cued)
        return answer


def _best(m: _Mention, context: _Context | None, cued: bool = False) -> tuple[Entry | None, float]:
    best, best_score, best_support = None, -1e9, False
    for entry in m.alias.entries:
        qualified = m.qualifier is not None and any(_contains(outer, entry) for outer in m.qualifier.alias.entries)
        if entry.minor and not qualified and not (cued and m.cue > 1) and (context is None or not context.admits(entry, m)):
            continue
        score = _prior(entry)
        support = cued or m.listed or entry.kind in ("country", "continent", "state") or entry.prior >= 2.0
        if qualified:
            score += 6.0
            support = True
        if context is not None:
            bonus = context.bonus(entry, m)
            score += bonus
            support = support or bonus >= 1.5
        if score > best_score:
            best, best_score, best_support = entry, score, support
    if best is None:
        return None, 0.0
    if not best_support and best_score < MIN_SCORE:
        return None, best_score
    return best, best_score


class _Context:
    """What the rest of the article says about where it is: countries, US states, points."""

    def __init__(self, mentions: list[_Mention]) -> None:
        self.countries: Counter[str] = Counter()
        self.states: Counter[str] = Counter()
        self.points: list[tuple[str, float, float]] = []
        # names of places in a US state (not the country, not its capital): only they make a state
        # of a country's name ("Georgia")
        self.us_local: set[str] = set()
        for m in mentions:
            e = m.choice
            if e is None:
                continue
            if e.country:
                self.countries[e.country] += 1
            if e.country == "US" and e.admin1 is not None:
                self.us_local.add(m.key)
            if e.country == "US" and e.admin1:
                self.states[e.admin1] += 1
            if e.lat is not None and e.kind not in ("country", "continent", "union", "sea", "planet"):
                self.points.append((m.key, e.lat, e.lon))
        # each point once, as the great-circle formula wants it (latitude in radians and its cosine),
        # sorted by latitude for _nearness to look only at the points near one
        self._spheres = sorted((lat, lon, key, math.radians(lat), math.cos(math.radians(lat))) for key, lat, lon in dict.fromkeys(self.points))
        self._sphere_lats = [lat for lat, *_ in self._spheres]
        self.home_state, self.home_country = _home(mentions)
        self.repeats = Counter(m.key for m in mentions)
        # every placed candidate of names with few candidates: two such names close together
        # ("Huntsville" and "Walker County" in Texas) point to each other's right reading
        self.spots: dict[str, list[tuple[float, float]]] = {}
        for m in mentions:
            if m.key not in self.spots and len(m.alias.entries) <= COLOCATE_MAX:
                self.spots[m.key] = [(e.lat, e.lon) for e in m.alias.entries if e.lat is not None and not e.minor]
        # the spots by latitude, to look at the few near one
        self._by_lat = sorted((lat, lon, key) for key, spots in self.spots.items() for lat, lon in spots)
        self._lats = [lat for lat, _, _ in self._by_lat]
        self._near: dict[tuple[int, str], float] = {}  # (entry, name) -> _nearness

    def admits(self, entry: Entry, m: _Mention) -> bool:
        """Whether a minor town is a candidate: in the home region, or the only place of a many-word name said twice."""
        return self.at_home(entry) or (len(m.alias.entries) == 1 and " " in m.key and self.repeats[m.key] >= 2)

    def at_home(self, entry: Entry) -> bool:
        """Whether ``entry`` lies in the article's home region: its US state, or its country outside the US."""
        if entry.country == "US":
            return entry.admin1 is not None and entry.admin1 == self.home_state
        return entry.country is not None and entry.country == self.home_country

    def bonus(self, entry: Entry, m: _Mention) -> float:
        own = 1 if m.choice is entry else 0
        bonus = 0.0
        if entry.kind == "state" and entry.country == "US":
            if self.us_local - {m.key}:  # "the U.S. and Georgia" is no US story; "Atlanta, Georgia" is
                bonus += 1.5
        elif entry.country and self.countries[entry.country] - own > 0:
            bonus += 1.5 if entry.kind != "country" else 0.5
        if entry.country == "US" and entry.admin1 and self.states[entry.admin1] - own > 0:
            bonus += 2.0
        if entry.kind != "state" and self.at_home(entry):
            bonus += HOME_BONUS
        if entry.lat is not None and entry.kind in ("city", "county") and self._colocated(entry, m.key):
            bonus += COLOCATE_BONUS
        if entry.lat is not None and entry.kind in ("city", "village", "site", "district", "camp", "region", "state", "county"):
            key = (id(entry), m.key)
            near = self._near.get(key)
            if near is None:
                near = self._near[key] = self._nearness(entry, m.key)
            if near:
                bonus += near
        return bonus

    def _nearness(self, entry: Entry, own: str) -> float:
        """The bonus for the nearest point of another name: 2.5 within 100 km, 1.5 within 300 km,
        0.5 within 1,000 km (distances as :func:`distance_km` computes them).

        Points more than 9 degrees of latitude away are over 1,000 km away and not looked at (the
        band a little wider than that is found by bisection, then each point is checked).  The
        distance grows with the haversine term, so the least term gives the least distance; a point
        within 100 km ends the search.
        """
        lat1, lon1 = entry.lat, entry.lon
        p1 = math.radians(lat1)
        cos_p1 = math.cos(p1)
        sin, radians, asin, sqrt = math.sin, math.radians, math.asin, math.sqrt
        least = None
        lo = bisect.bisect_left(self._sphere_lats, lat1 - 9.5)
        hi = bisect.bisect_right(self._sphere_lats, lat1 + 9.5, lo)
        for lat, lon, key, p2, cos_p2 in self._spheres[lo:hi]:
            if abs(lat - lat1) < 9.0 and key != own:
                h = sin((p2 - p1) / 2) ** 2 + cos_p1 * cos_p2 * sin(radians(lon - lon1) / 2) ** 2
                if least is None or h < least:
                    least = h
                    if 12742.0 * asin(min(1.0, sqrt(h))) < 100:
                        return 2.5
        if least is None:
            return 0.0
        nearest = 12742.0 * asin(min(1.0, sqrt(least)))
        return 1.5 if nearest < 300 else 0.5 if nearest < 1000 else 0.0

    def _colocated(self, entry: Entry, own: str) -> bool:
        """Whether a spot of another name lies within COLOCATE_KM (and half a degree) of ``entry``."""
        lo = bisect.bisect_left(self._lats, entry.lat - 0.6)
        hi = bisect.bisect_right(self._lats, entry.lat + 0.6, lo)
        for lat, lon, key in self._by_lat[lo:hi]:
            if key == own:
                continue
            near = abs(lat - entry.lat) < 0.5 and abs(lon - entry.lon) < 0.7 and (lat, lon) != (entry.lat, entry.lon)
            if near and distance_km(entry.lat, entry.lon, lat, lon) < COLOCATE_KM:
                return True
        return False


def _home(mentions: list[_Mention]) -> tuple[str | None, str | None]:
    """The US state and the country the article is about, when its places point to one.

    Each name counts once.  A name resolved in the US votes for the states of all its US
    candidates, split among them ("Gainesville" a third each for Florida, Georgia and Texas, "Hall
    County" a third each for Georgia, Nebraska and Texas), a state named outright for itself; the
    state with the most votes wins if it has at least one whole vote and no rival ties it.  The home
    country is the country most names resolve to, if at least two do and no other as many.
    """
    states: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    seen: set[str] = set()
    for m in mentions:
        e = m.choice
        if e is None or m.key in seen:
            continue
        seen.add(m.key)
        if e.country:
            countries[e.country] += 1
        if e.country != "US" or e.kind == "country":
            continue
        if e.kind == "state":
            states[e.admin1] += 1.5
            continue
        candidates = {c.admin1 for c in m.alias.entries if c.country == "US" and c.admin1 and not c.minor}
        for state in candidates:
            states[state] += 1 / len(candidates)
    home_state = home_country = None
    ranked = states.most_common(2)
    if ranked and ranked[0][1] >= 1.0 and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        home_state = ranked[0][0]
    ranked = countries.most_common(2)
    if ranked and ranked[0][1] >= 2 and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        home_country = ranked[0][0]
    return home_state, home_country
