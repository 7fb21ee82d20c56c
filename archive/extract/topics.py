"""Topics of a text (an article or one statement's sentence) from lexicons kept in TOML.

The built-in taxonomy is ``data/topics.toml``; a user file extends it (more terms, new topics)
or replaces a topic's terms (``replace = true``) without touching code.  A text has every topic
whose terms occur in it, matched case-insensitively on word boundaries, with simple inflection
of a term's last word ("strike" also finds "strikes", "negotiate" finds "negotiating").
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from archive.extract import keyscan
from archive.extract.data import DATA_DIR, home_folder

DATA_FILE = DATA_DIR / "topics.toml"


@dataclass(frozen=True)
class Topic:
    """One topic: the terms that signal it and the phrases that never count for it."""

    name: str
    terms: tuple[str, ...]
    exclude: tuple[str, ...] = ()


def _word(word: str, last: bool, skip: int = 0) -> str:
    """The regex for one word of a term, less its first ``skip`` letters; the last word also matches its inflections."""
    if word.endswith("*"):
        return re.escape(word[skip:-1]) + r"\w*"
    stem = re.escape(word[skip:])
    if not last or not word[-1:].isalpha():
        return stem
    forms = [stem + r"(?:s|es|ed|d|ing)?"]
    if word.endswith("e"):
        forms.append(re.escape(word[skip:-1]) + "ing")
    if len(word) > 2 and word.endswith("y") and word[-2] not in "aeiou":
        forms.append(re.escape(word[skip:-1]) + "(?:ies|ied)")
    return "(?:" + "|".join(forms) + ")"


def _head(word: str, last: bool) -> str:
    """The letters every form of ``word`` starts with (up to its first non-word character)."""
    # "negotiat*" -> "negotiat"; "negotiate" -> "negotiating", "facility" -> "facilities"
    if word.endswith("*") or (last and word[-1:].isalpha() and word[-1] in "ey"):
        word = word[:-1]
    return _WORD_CHARS.match(word).group()  # type: ignore[union-attr]


_WORD_CHARS = re.compile(r"\w*")


def _term_regex(term: str) -> tuple[str, str]:
    """A term as (head, tail): the literal it starts with and the regex for the rest of it."""
    words = [w for w in re.split(r"[\s-]+", term) if w]
    head = _head(words[0], len(words) == 1)
    parts = [_word(w, i == len(words) - 1, len(head) if i == 0 else 0) for i, w in enumerate(words)]
    return head, r"(?:\s+|-)?".join(parts)


def _terms(terms: Iterable[str]) -> list[str]:
    """Distinct lower-cased terms, longest first (the order their alternation tries them)."""
    return sorted({t.strip().lower() for t in terms if t.strip()}, key=len, reverse=True)


def term_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for all ``terms``; spaces and hyphens inside a term match each other."""
    alternatives = [re.escape(head) + tail for head, tail in map(_term_regex, _terms(terms))]
    if not alternatives:
        return None
    return re.compile(r"(?<![\w])(?:" + "|".join(alternatives) + r")(?![\w])", re.IGNORECASE)


def _trie_regex(node: dict) -> str:
    """The regex of a trie of heads (see ``_key_pattern``): each letter once, then the branches below it."""
    branches = [re.escape(letter) + _trie_regex(below) for letter, below in node.items() if letter is not None]
    if None in node:
        branches.append("(?=(?:" + "|".join(node[None]) + r")(?!\w))")
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def _key_pattern(terms: Iterable[str]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """Where any of ``terms`` starts in a ``folded`` text: a fast pattern for the terms that start with
    a word character and a slower one for the rest.

    The fast one is run on the text after a space (so that every word start follows a non-word
    character) and matches that character first: the engine then skips ahead in C to the next
    non-word character, and tries the terms only at word starts, not at every letter.  A match
    starts one character before its term, so its start in the spaced text is the term's start in
    the text itself.

    The heads (the letters a term's first word starts with) are one trie, a head's tails one lookahead:
    the engine reads each letter of a word once instead of comparing the word with each of a thousand
    terms.  Only where a match starts counts, and any form of the alternation matches at the same
    places (a match ends inside the word it starts, so the next one is looked for after that word
    whichever term matched)."""
    heads: dict = {}  # letter -> the trie below it; None -> the tails of the head that ends there
    others = []
    for term in _terms(keyscan.ignorecase_form(t) for t in terms):
        head, tail = _term_regex(term)
        if head:
            node = heads
            for letter in head:
                node = node.setdefault(letter, {})
            node.setdefault(None, []).append(tail)
        else:
            others.append(tail)
    fast = rf"\W{_trie_regex(heads)}" if heads else ""
    slow = r"(?<!\w)(?=(?:" + "|".join(others) + r")(?!\w))"
    return (re.compile(fast) if fast else None), (re.compile(slow) if others else None)


class TopicLexicon:
    """Topics in taxonomy order, each with its compiled terms."""

    def __init__(self, topics: Iterable[Topic]) -> None:
        self.topics = tuple(topics)
        self._patterns = [(t, term_pattern(t.terms), term_pattern(t.exclude)) for t in self.topics]
        self._keys = _key_pattern(term for t in self.topics for term in t.terms + t.exclude)

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.topics]

    def _starts(self, text: str) -> list[int]:
        """Where some term or exclusion of some topic starts in ``text`` (a superset, in order)."""
        low = keyscan.folded(text)
        fast, slow = self._keys
        starts = [m.start() for m in fast.finditer(" " + low)] if fast else []
        if slow:
            starts = sorted(set(starts).union(m.start() for m in slow.finditer(low)))
        return starts

    def matches(self, text: str) -> dict[str, list[tuple[int, int]]]:
        """Spans of the terms found per topic (the evidence for ``find``)."""
        starts = self._starts(text)
        found: dict[str, list[tuple[int, int]]] = {}
        if not starts:
            return found
        for topic, pattern, exclude in self._patterns:
            if pattern is None:
                continue
            blocked = [m.span() for m in keyscan.matches(exclude, text, starts)] if exclude else []
            spans = [m.span() for m in keyscan.matches(pattern, text, starts) if not any(a < m.end() and m.start() < b for a, b in blocked)]
            if spans:
                found[topic.name] = spans
        return found

    def find(self, text: str) -> list[str]:
        return list(self.matches(text))


def _topics_from(data: dict[str, Any], origin: str) -> list[tuple[Topic, bool]]:
    topics = []
    for name, table in data.items():
        if not isinstance(table, dict):
            raise ValueError(f"{origin}: [{name}] must be a table with a 'terms' list")
        lists = {}
        for key in ("terms", "exclude"):
            value = table.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{origin}: [{name}] {key!r} must be a list of strings")
            lists[key] = tuple(value)
        replace = table.get("replace", False)
        if not isinstance(replace, bool):
            raise ValueError(f"{origin}: [{name}] 'replace' must be true or false")
        topics.append((Topic(name, lists["terms"], lists["exclude"]), replace))
    return topics


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(f"could not read topic lexicon {path}: {error.strerror or error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"topic lexicon {path} is not valid TOML: {error}") from error


@cache
def _builtin() -> TopicLexicon:
    return TopicLexicon(topic for topic, _ in _topics_from(_read(DATA_FILE), str(DATA_FILE)))


def load_lexicon(extra: Path | None = None) -> TopicLexicon:
    """The built-in lexicon, extended (or, per topic with ``replace = true``, overridden) by ``extra``.

    Raises ValueError naming the file when it cannot be read or has the wrong shape.
    """
    base = _builtin()
    if extra is None:
        return base
    merged = {t.name: t for t in base.topics}
    for topic, replace in _topics_from(_read(Path(extra)), str(extra)):
        old = merged.get(topic.name)
        if old is None or replace:
            merged[topic.name] = topic
        else:
            merged[topic.name] = Topic(topic.name, old.terms + topic.terms, old.exclude + topic.exclude)
    return TopicLexicon(merged.values())


def topic_lexicon() -> TopicLexicon:
    """The lexicon in use: the built-in one, extended by ``HOME/topics.toml`` when there is one."""
    return _configured(home_folder())


@cache
def _configured(home: str) -> TopicLexicon:
    extra = Path(home) / "topics.toml" if home else None
    return load_lexicon(extra if extra is not None and extra.is_file() else None)


def find_topics(text: str, lexicon: TopicLexicon | None = None) -> list[str]:
    """The topics of ``text``, in taxonomy order."""
    return (lexicon or _builtin()).find(text)
