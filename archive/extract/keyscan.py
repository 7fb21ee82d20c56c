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

# Characters that IGNORECASE matching treats as the same letter although ``str.lower`` keeps them
# apart (long s, dotless i, Kelvin sign, ...): folded to one of them, so a key scan misses nothing.
try:
    from re._casefix import _EXTRA_CASES  # CPython >= 3.11

    _FOLD = {k: min([k, *v]) for k, v in _EXTRA_CASES.items() if min([k, *v]) != k}
except ImportError:  # pragma: no cover - other Pythons: the few letters that matter in Latin text
    _FOLD = {ord("ſ"): ord("s"), ord("ı"): ord("i")}
_FOLD_TABLE = {k: chr(v) for k, v in _FOLD.items()}
_FOLDED = re.compile("[" + re.escape("".join(map(chr, _FOLD))) + "]")


def fold(words: str) -> str:
    """``words`` lower-cased the way ``folded`` lower-cases a text (for building keys)."""
    return words.lower().translate(_FOLD_TABLE)


def folded(text: str) -> str:
    """``text`` lower-cased character by character, so offsets stay those of ``text``."""
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


def key_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """A plain alternation of literal ``words``, longest first (fast to scan for)."""
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)))
