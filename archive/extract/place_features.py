"""Named local features found by their shape: streets, waters, parks, townships, and shared lists.

A gazetteer of cities and countries does not hold "Main Street", "Red River" or "Monongahela
National Forest", yet local news names such places all the time.  They have a telling shape: one
to four capitalised words and a head word ("North Nokomis Street", "E. Broad St.", "Kanawha
River"), a prefix and a name ("Lake Lanier"), or a list sharing a plural head ("Barrow, Jackson
and Madison counties", "Fourth and Seventh streets").  The head words and the words that make the
whole something else ("Pleasant Lane School") are data (``places.toml`` ``[features]``).  A list of
counties or parishes is handed back with the gazetteer key of each unit ("jackson county"), so that
the resolver places it like any other county; the other features get a kind but no coordinates.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from archive.extract.gazetteer import key as place_key

__all__ = ["Feature", "find_features", "first_names"]

DATA = Path(__file__).parent / "data"
# One word of a name: a capitalised word ("Nokomis", "MacCorkle", "Hyland-Croy", "O'Neal", "al-Qayrawan"),
# an initial or short abbreviation ("E.", "Mt."), or an ordinal ("40th").
_WORD = r"(?:[A-Z][a-z]?\.|(?:[ae]l-)?[A-Z][A-Za-z'’]*(?:-[A-Z][A-Za-z'’]*)*|\d+(?:st|nd|rd|th))"
_NAME = rf"(?:{_WORD} ){{0,3}}{_WORD}"
_DAYS_MONTHS = frozenset(
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September October November December".split()
)
_INITIAL = re.compile(r"[A-Z]\.")
_POSSESSIVES = ("'s", "’s", "s'", "s’")
# The endings of most demonyms and adjectives of nations ("Israeli", "Syrian", "Kurdish", "Sudanese",
# "Arab", "Alawite"): before a lower-case head such a word names who lives there, not the place.
_DEMONYM = re.compile(r"(?:an|ese|ish|i|ic|ite|ab|ch|ze)$")


@dataclass(frozen=True)
class Feature:
    """A feature mention: ``[start, end)`` in the text, its name and kind.

    ``unit`` is set for a member of a list of administrative units ("Jackson" in "Barrow and
    Jackson counties"): the gazetteer key of the unit ("jackson county"), for the resolver to place.
    """

    start: int
    end: int
    name: str
    kind: str
    unit: str | None = None
    yields: bool = False  # a gazetteer name inside it wins (a lower-case head, a lead-in: "the Dallas area")


class _Rules:
    """The compiled patterns and word lists of ``[features]``."""

    def __init__(self, table: dict, first_names: frozenset[str]) -> None:
        self.heads: dict[str, str] = table["heads"]
        self.local_heads: dict[str, str] = table.get("local_heads", {})
        self.prefixes: dict[str, str] = table["prefixes"]
        self.lead_ins: dict[str, str] = table.get("lead_ins", {})
        self.plurals: dict[str, str] = table["plurals"]
        self.not_first = frozenset(table["not_first"])
        self.org_after = frozenset(table["org_after"])
        self.first_names = first_names
        heads = "|".join(re.escape(h) for h in sorted(self.heads, key=len, reverse=True))
        # Each pattern looks for its rare literal part first, then reads the name back from it.
        # (the lookahead for the heads' first letters passes over the many spaces before other words
        # without trying every head there)
        initials = re.escape("".join(sorted({h[0] for h in self.heads})))
        self.head = re.compile(rf" (?=[{initials}])({heads})(?![\w'’-])")
        self.name_before = re.compile(rf"(?<![\w.'’-])({_NAME}) $")
        # The lower-case heads and lead-ins in one pattern (its literal space first, like ``head``);
        # a lead-in's name is then read by its own pattern.  The prefixes are capitalised words
        # ("Lake", "Gulf of") and their pattern starts with one, so the engine skips in C to the
        # next of their first letters; the word boundary before is checked after.
        lower = "|".join(re.escape(w) for w in sorted({**self.local_heads, **self.lead_ins}, key=len, reverse=True))
        self.lower = re.compile(rf" ({lower})(?![\w'’-])")
        self.lead_name = {lead: re.compile(rf"({re.escape(lead)}) ((?:{_WORD} ){{0,2}}{_WORD})(?![\w'’-])") for lead in self.lead_ins}
        prefixes = "|".join(re.escape(p) for p in sorted(self.prefixes, key=len, reverse=True))
        self.prefixed = re.compile(rf"({prefixes}) ((?:{_WORD} ){{0,2}}{_WORD})(?![\w'’-])")
        # " and", with the comma before it if there is one (see _listed): a literal start is found fast
        self.plural = re.compile(rf" and ({_NAME}) ({'|'.join(self.plurals)})(?![\w'’-])")
        self.list_before = re.compile(rf"(?<![\w.'’-])((?:{_NAME}, )*{_NAME})$")


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    with open(DATA / "places.toml", "rb") as fh:
        table = tomllib.load(fh)["features"]
    names: set[str] = set()
    for source in ("speakers.toml", "speakers_names.toml"):
        with open(DATA / source, "rb") as fh:
            for group in tomllib.load(fh).get("first_names", {}).values():
                names.update(n.capitalize() for n in group)
    return _Rules(table, frozenset(names))


def first_names() -> frozenset[str]:
    """Capitalised first names of persons (``speakers.toml``): a place name before a surname is one ("Vladimir Rogov")."""
    return _rules().first_names


def find_features(text: str) -> list[Feature]:
    """Feature mentions in ``text``, sorted by start and non-overlapping (the longest wins)."""
    if " " not in text:
        return []
    rules = _rules()
    found: list[Feature] = []
    for m in rules.plural.finditer(text):
        found.extend(_listed(text, m, rules))
    for m in rules.head.finditer(text):
        feature = _suffixed(text, m, rules)
        if feature is not None:
            found.append(feature)
    for m in rules.lower.finditer(text):
        word = m.group(1)
        if word in rules.local_heads:
            feature = _suffixed(text, m, rules)
        else:
            lead = rules.lead_name[word].match(text, m.start(1))
            feature = _prefixed(text, lead, rules) if lead is not None else None
        if feature is not None:
            found.append(feature)
    for m in rules.prefixed.finditer(text):
        if m.start() and _is_word_char(text[m.start() - 1]):
            continue  # inside a word ("BLake Lanier")
        feature = _prefixed(text, m, rules)
        if feature is not None:
            found.append(feature)
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Feature] = []
    for feature in found:
        if kept and feature.start < kept[-1].end:
            continue
        kept.append(feature)
    return kept


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def _strip(words: list[str], rules: _Rules) -> list[str]:
    """The name without leading function words and titles ("Between Shamrock" -> "Shamrock")."""
    while words and words[0] in rules.not_first:
        words = words[1:]
    return words


def _org_follows(text: str, end: int, rules: _Rules) -> bool:
    """A capitalised word right after the feature that makes the whole an organisation."""
    after = re.match(r" ([A-Z][\w'’]*)", text[end : end + 30])
    return after is not None and after.group(1) in rules.org_after


def _person_like(words: list[str], rules: _Rules) -> bool:
    """ "Virginia L. Lane", "Nathan Lane": a person's name, not a street."""
    if len(words) == 1 and words[0] in rules.first_names:
        return True
    return any(_INITIAL.fullmatch(w) for w in words[1:])


def _suffixed(text: str, head: re.Match, rules: _Rules) -> Feature | None:
    """The name before a head word ("North Nokomis" + " Street"), if it is one."""
    if not text[head.start() - 1 : head.start()].isalnum():
        return None
    m = rules.name_before.search(text, max(0, head.start() - 60), head.start() + 1)
    if m is None:
        return None
    words = _strip(m.group(1).split(" "), rules)
    for k in range(len(words) - 1, 0, -1):
        if words[k - 1].endswith(_POSSESSIVES):  # "Rakhine State's Buthidaung Township": the name starts after the owner
            words = words[k:]
            break
    if not words or _person_like(words, rules) or _org_follows(text, head.end(), rules):
        return None
    if all(w in _DAYS_MONTHS or _INITIAL.fullmatch(w) for w in words):
        return None
    local = head.group(1) in rules.local_heads
    start = m.end(1) - len(" ".join(words))
    if local and (words[-1].endswith(_POSSESSIVES) or (len(words) == 1 and (_demonym(words[0]) or _opens(text, start)))):
        return None  # "Hamas's area", "the Israeli area", "School district officials said"
    kind = rules.local_heads[head.group(1)] if local else rules.heads[head.group(1)]
    return Feature(start, head.end(), text[start : head.end()], kind, yields=local)


def _demonym(word: str) -> bool:
    """Whether a word reads as a demonym ("Israeli", "Kurdish"); a name after an Arabic article never does ("al-Qayrawan")."""
    return _DEMONYM.search(word) is not None and not word.startswith(("al-", "el-"))


def _opens(text: str, start: int) -> bool:
    """Whether ``start`` begins the text, a line or a sentence (a capital there says nothing)."""
    before = text[max(0, start - 3) : start].rstrip(" ")
    return not before or before[-1] in '.!?\n"“'


def _prefixed(text: str, m: re.Match, rules: _Rules) -> Feature | None:
    words = m.group(2).split(" ")
    lead_in = rules.lead_ins.get(m.group(1))
    if lead_in is not None:  # "the village of Nyanzale": the name alone
        while words and (words[-1] in _DAYS_MONTHS or words[-1] in rules.org_after):
            words = words[:-1]
        if not words or words[-1].endswith(_POSSESSIVES) or _person_like(words, rules):
            return None
        end = m.start(2) + len(" ".join(words))
        return Feature(m.start(2), end, text[m.start(2) : end], lead_in, yields=True)
    while words and (words[-1] in _DAYS_MONTHS or words[-1] in rules.org_after):
        words = words[:-1]
    if not words or _INITIAL.fullmatch(words[0]):
        return None
    end = m.start(2) + len(" ".join(words))
    if end == m.end() and _org_follows(text, end, rules):
        return None
    return Feature(m.start(), end, text[m.start() : end], rules.prefixes[m.group(1)])


def _listed(text: str, plural: re.Match, rules: _Rules) -> list[Feature]:
    """Each member of "Barrow, Jackson and Madison counties", named by the singular head."""
    lead = plural.start()  # where ", and" or " and" starts
    if text[lead - 1 : lead] == ",":
        lead -= 1
    before = rules.list_before.search(text, max(0, lead - 120), lead)
    if before is None:
        return []
    singular = rules.plurals[plural.group(2)]
    parts = [(m.start(), m.group()) for m in re.finditer(r"[^,]+", before.group(1))]
    parts = [(before.start(1) + s + len(p) - len(p.lstrip()), p.strip()) for s, p in parts]
    parts.append((plural.start(1), plural.group(1)))
    features = []
    for start, part in parts:
        words = _strip(part.split(" "), rules)
        if not words:
            continue
        end = start + len(part)
        start = end - len(" ".join(words))
        name = f"{' '.join(words)} {singular}"
        kind = rules.heads.get(singular) or rules.local_heads.get(singular)
        if kind is None:  # an administrative unit: the gazetteer places it
            features.append(Feature(start, end, name, "county", unit=place_key(name)))
        else:
            features.append(Feature(start, end, name, kind))
    return features
