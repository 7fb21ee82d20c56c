"""Fast regex scanning for the extractors: scan for a cheap key, run the full pattern only there.

A pattern that starts with ``\\b``, a lookbehind, an optional lead word or ``(?i)`` makes Python's
regex engine try a full match at every character of the text; a plain alternation of literals
("January|February|...", or lower-case words run on ``folded(text)``) is found many times faster.
``matches`` gives exactly what ``pattern.finditer(text)`` gives, provided every match contains a
key and starts at most ``width`` characters before it; the full pattern then runs only near keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

# Characters that IGNORECASE matching treats as the same letter although ``str.lower`` keeps them
# apart (long s, dotless i, Kelvin sign, ...): folded to one of them, so a key scan misses nothing.
try:
    from re._casefix import _EXTRA_CASES  # CPython >= 3.11

    _FOLD = {k: min([k, *v]) for k, v in _EXTRA_CASES.items() if min([k, *v]) != k}
except ImportError:  # pragma: no cover - other Pythons: the few letters that matter in Latin text
    _FOLD = {ord("ſ"): ord("s"), ord("ı"): ord("i")}
_FOLD_TABLE = {k: chr(v) for k, v in _FOLD.items()}
_FOLDED = re.compile("[" + re.escape("".join(map(chr, _FOLD))) + "]")


def ignorecase_form(words: str) -> str:
    """``words`` lower-cased the way ``folded`` lower-cases a text (for building keys).

    Not a name fold (``archive.model.fold``): accents, punctuation and every character stay, one for
    one, because keys are found by position in ``folded(text)`` and must find what a ``(?i)``
    pattern finds there.
    """
    return words.lower().translate(_FOLD_TABLE)


@lru_cache(maxsize=4)
def folded(text: str) -> str:
    """``text`` lower-cased character by character, so offsets stay those of ``text``.

    Remembered for the last few texts: the topic and date extractors both scan one article's.
    """
    if text.isascii():
        return text.lower()
    low = text.replace("İ", "I").lower()  # the one letter whose lower case is two characters
    if len(low) != len(text):  # pragma: no cover - no other such letter in Unicode 15
        low = "".join(c.lower()[:1] or c for c in text)
    return low.translate(_FOLD_TABLE) if _FOLDED.search(low) else low


def matches(
    pattern: re.Pattern[str],
    text: str,
    keys: Iterable[int],
    width: int = 0,
    back: re.Pattern[str] | None = None,
) -> Iterator[re.Match[str]]:
    """The matches of ``pattern.finditer(text)``, found from the positions of its ``keys``.

    Each key (in increasing order) is where some part of a match must be; the match starts at most
    ``width`` characters before it.  ``back``, when given, is the part of the pattern before the key
    followed by ``\\Z``: its leftmost match before the key is the first start tried.
    """
    pos = 0
    for key in keys:
        if key < pos:
            continue  # inside the previous match: finditer goes on after it
        lo = max(pos, key - width)
        first = lo
        if back is not None and lo < key:
            found = back.search(text, lo, key)
            first = found.start() if found else key
        for start in range(first, key + 1):
            match = pattern.match(text, start)
            if match is not None:
                yield match
                pos = max(match.end(), start + 1)
                break


def at_word_start(*phrases: str, then: str = "") -> str:
    r"""Alternatives that match only at the start of a word, as ``\b(?:a|b)`` would (each starts with a
    letter), each followed by ``then``: every phrase's first letter comes before its lookbehind, so that
    the pattern starts with literals and the regex engine skips in C to the letters that can begin one,
    instead of trying the pattern at every character of the text.  A lookbehind sees the text before
    the ``pos`` given to ``finditer``, as ``\b`` does, so both agree inside any range."""
    return "|".join(f"{re.escape(p[0])}(?<!\\w{re.escape(p[0])}){re.escape(p[1:])}{then}" for p in phrases)


def key_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """A plain alternation of literal ``words``, longest first (fast to scan for)."""
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)))


class Literals:
    """A key of a few literal words, found with ``str.find``: for lower-case words (on ``folded``
    text) many times faster than an alternation, whose every first letter the engine stops at.

    ``starts`` gives where any of the words starts, overlaps included ("tonight" and its "night"):
    a superset of where the alternation's matches start, which is all that ``matches`` needs.
    """

    def __init__(self, words: Iterable[str]) -> None:
        self.words = tuple(sorted(set(words)))

    def starts(self, text: str) -> list[int]:
        found: set[int] = set()
        for word in self.words:
            at = text.find(word)
            while at >= 0:
                found.add(at)
                at = text.find(word, at + 1)
        return sorted(found)
