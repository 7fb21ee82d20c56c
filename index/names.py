"""The archive's own names (speakers, places, topics): how any spelling of one resolves, and near misses.

One rule for filters, profile URLs and the query language: a name is compared by its ``name_key``
(folded, transliteration variants merged), a place also by its curated other spellings ("Kiev" is
Kyiv), and a value that is not a whole name matches every name holding all of its words, as
``speaker:peskov`` does in a query ("Peskov" is Dmitry Peskov when only he carries that word).

Near misses ("peskoff", "Peskow", "zelenksy") are found by a sound key (w and v, a final f and v,
ph and f… are one) and by one deletion on either side of it (SymSpell's trick), so a lookup costs
a few dict probes, never a scan of the vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from archive.extract import place_variants as curated_variants
from archive.model import name_key

RESOLVED_FACETS = ("speaker", "place", "topic")
MIN_SUGGEST = 4  # letters: shorter words have too many neighbours to suggest anything useful
MAX_SUGGESTIONS = 5

_SOUNDS = [
    (re.compile(r"ph"), "f"),
    (re.compile(r"ck"), "k"),
    (re.compile(r"kh"), "h"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"w"), "v"),
    (re.compile(r"(?:ff|f|v)$"), "v"),
    (re.compile(r"(\w)\1+"), r"\1"),
]


def sound_key(word: str) -> str:
    """A word as it sounds, roughly: "Peskoff", "Peskow" and "Peskov" share one key."""
    key = name_key(word).replace(" ", "")
    for pattern, replacement in _SOUNDS:
        key = pattern.sub(replacement, key)
    return key


def edits(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclass(frozen=True)
class NameSuggestion:
    """A name of the archive close to a word of the query, and the facet it belongs to."""

    word: str  # the query word it replaces
    facet: str
    value: str  # the facet value (what a filter takes)
    label: str  # the name as people write it


class NameBook:
    """Every speaker, place and topic name of one index version, looked up by any spelling."""

    def __init__(self, speakers: Mapping[str, str], places: Iterable[str], topics: Iterable[str]) -> None:
        # facet -> name key -> facet values; speakers' values are their labels (display names)
        self._exact: dict[str, dict[str, set[str]]] = {facet: {} for facet in RESOLVED_FACETS}
        self._labels: dict[tuple[str, str], str] = {}
        variants = curated_variants()
        for key, label in speakers.items():
            self._add("speaker", key, label, label)
        for place in places:
            for spelling in (place, *variants.get(place, ())):
                self._add("place", name_key(spelling), place, place)
        for topic in topics:
            self._add("topic", name_key(topic), topic, topic)
        # facet -> word -> name keys holding that word (for "surname alone")
        self._words: dict[str, dict[str, set[str]]] = {facet: {} for facet in RESOLVED_FACETS}
        self._sounds: dict[str, set[tuple[str, str]]] = {}  # sound key or its deletions -> (facet, word)
        self._spelled: dict[tuple[str, str], str] = {}  # (facet, word) -> the word as written in a label
        for facet, keys in self._exact.items():
            for key in keys:
                for word in key.split():
                    self._words[facet].setdefault(word, set()).add(key)
        for (facet, _value), label in self._labels.items():
            for written in re.findall(r"\w+", label):
                word = name_key(written)
                if len(word) >= MIN_SUGGEST:
                    self._spelled.setdefault((facet, word), written)
                    sound = sound_key(written)
                    for probe in {sound} | _deletions(sound):
                        self._sounds.setdefault(probe, set()).add((facet, word))

    def _add(self, facet: str, key: str, value: str, label: str) -> None:
        if key:
            self._exact[facet].setdefault(key, set()).add(value)
            self._labels[(facet, value)] = label

    def resolve(self, facet: str, value: str) -> tuple[str, ...]:
        """The facet values a filter value stands for: every name holding all its words, in any spelling.

        As ``speaker:zelensky`` in a query, "Zelensky" is "Zelenskiy" and "Volodymyr Zelenskyy" alike.
        A value naming nothing in the archive is kept as given (it then matches nothing, honestly).
        """
        if facet not in self._exact:
            return (value,)
        key = name_key(value)
        words = key.split()
        if not words:
            return (value,)
        keys = set.intersection(*(self._words[facet].get(w, set()) for w in words)) | ({key} if key in self._exact[facet] else set())
        found = sorted({v for k in keys for v in self._exact[facet][k]})
        return tuple(found) or (value,)

    def profile(self, facet: str, value: str) -> tuple[str, ...]:
        """The names a profile URL may mean: the name itself in any spelling, else every name holding all its words."""
        exact = self._exact.get(facet, {}).get(name_key(value))
        if exact:
            return tuple(sorted(exact))
        words = name_key(value).split()
        if not words or not all(w in self._words.get(facet, {}) for w in words):
            return ()
        return self.resolve(facet, value)

    def resolve_filters(self, filters: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        """Filters with every speaker, place and topic value resolved (order kept, duplicates dropped)."""
        out: dict[str, tuple[str, ...]] = {}
        for name, values in filters.items():
            resolved = [r for v in values for r in self.resolve(name, v)] if name in self._exact else list(values)
            out[name] = tuple(dict.fromkeys(resolved))
        return out

    def suggest(self, text: str) -> tuple[NameSuggestion, ...]:
        """Names of the archive that a word of ``text`` may have meant (sound alike or one edit away)."""
        found: list[NameSuggestion] = []
        seen: set[tuple[str, str]] = set()
        for written in re.findall(r"(?<![:\w])\w+", text):  # words, not the values of field:value
            word = name_key(written)
            if len(word) < MIN_SUGGEST or any(word in self._words[f] for f in RESOLVED_FACETS):
                continue
            sound = sound_key(written)
            near: set[tuple[str, str]] = set()
            for probe in {sound} | _deletions(sound):
                near |= self._sounds.get(probe, set())
            # closest first (fewest edits between the sounds), then the word most names share
            for facet, name_word in sorted(near, key=lambda fw: (edits(sound, sound_key(fw[1])), -len(self._words[fw[0]][fw[1]]), fw)):
                for key in sorted(self._words[facet].get(name_word, ())):
                    for value in sorted(self._exact[facet][key]):
                        if (facet, value) not in seen and len(found) < MAX_SUGGESTIONS:
                            seen.add((facet, value))
                            found.append(NameSuggestion(written, facet, value, self._labels[(facet, value)]))
        return tuple(found)

    def spelled(self, facet: str, word: str) -> str | None:
        """A name word as the archive writes it ("peskov" → "Peskov"), if it is one."""
        return self._spelled.get((facet, word))


__all__ = ["NameBook", "NameSuggestion", "sound_key", "RESOLVED_FACETS"]
