"""Sentences and tokens with their offsets, and the ``Document`` that holds them with its quotations."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, compress, count, repeat
from operator import itemgetter
from typing import Any, NamedTuple

from archive.extract.quotes import Quotation, find_quotations

__all__ = ["Document", "Token", "Sentence", "sentences", "token", "tokens", "is_capitalised", "is_heading"]

# A word: letters/digits joined by inner hyphens or apostrophes; "U.S." and "U.K." kept whole.
_TOKEN_RE = re.compile(r"(?:[A-Z]\.){2,}|\w+(?:[-'’]\w+)*|\S")
# Candidate sentence ends: terminal punctuation, optional closing marks, then white space; or a line
# break.  Written to start with one character class, so that the regex engine skips in C to the
# next such character instead of trying the pattern at every character.
_END_RE = re.compile(r"[.!?\n](?:(?<=\n)|(?<=[.!?])[.!?]*[\"”’'»)\]]*(?=\s))")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st mt gen lt col sgt capt maj adm sen rep gov prof rev jr sr inc corp ltd co no vs "
    "jan feb mar apr jun jul aug sep sept oct nov dec fig etc approx dept est univ messrs mme mlle".split()
)


class Token(NamedTuple):
    """A word or punctuation mark; ``lower`` is its lower-cased form with straight apostrophes."""

    text: str
    start: int
    end: int
    lower: str


def token(text: str, start: int, end: int) -> Token:
    return Token(text, start, end, text.lower().replace("’", "'"))


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    line_start: bool  # the sentence begins a line (a paragraph in news, a sentence in some corpora)

    def __init__(self, start: int, end: int, line_start: bool) -> None:
        # One update of the instance dict instead of the generated __init__'s object.__setattr__ per
        # field (see speakers.Mention): every sentence of every article is made here.
        self.__dict__.update(start=start, end=end, line_start=line_start)


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The words and punctuation of ``text[start:end]``, with offsets into ``text``."""
    return _tokens(text, start, len(text) if end is None else end)[0]


def _tokens(text: str, start: int, end: int) -> tuple[list[Token], list[int], list[int], list[str], list[str]]:
    """The tokens, their starts, their ends, their words and their lower forms, each list built in C code.

    Every character that is not white space belongs to a token, so splitting the text at its tokens
    leaves the white space between them, and the lengths of the pieces, added up, give every start
    and end: the text is ``gap, word, gap, word, ..., gap``.
    """
    pieces = _SPLIT_RE.split(text if start == 0 and end == len(text) else text[start:end])
    offsets = list(accumulate(map(len, pieces), initial=start))
    words = pieces[1::2]
    starts = offsets[1:-1:2]
    ends = offsets[2::2]
    lowers = list(map(str.lower, words))
    if "’" in text:
        lowers = [w.replace("’", "'") if "’" in w else w for w in lowers]
    toks = list(map(tuple.__new__, repeat(Token), zip(words, starts, ends, lowers)))
    return toks, starts, ends, words, lowers


# ``_TOKEN_RE`` as one group to split the text at, with possessive quantifiers, which spare the regex
# engine backtracking that could never succeed (nothing follows a word's last letters) and find the
# same tokens faster.
_SPLIT_RE = re.compile(r"([A-Z]\.(?:[A-Z]\.)+|\w++(?:[-'’]\w++)*+|\S)")
_FIRST = itemgetter(0)


def is_capitalised(word: str) -> bool:
    return bool(word) and word[0].isupper()


def sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` (line breaks always end one); abbreviations and initials do not."""
    return list(_split(text))


def sentence_bounds(text: str, start: int, end: int | None = None) -> tuple[int, int]:
    """The span of the sentence(s) around ``[start, end)``: from the start of the sentence holding
    ``start`` to the end of the one holding ``end`` (what a statement's date and places are read from)."""
    end = start if end is None else end
    starts, ends = _spans(text)
    i = bisect.bisect_right(starts, start) - 1
    left = starts[i] if i >= 0 else 0
    j = bisect.bisect_left(ends, end)
    right = ends[j] if j < len(ends) else len(text)
    return min(left, start), max(right, end)


@lru_cache(maxsize=16)
def _spans(text: str) -> tuple[list[int], list[int]]:
    split = _split(text)
    return [s.start for s in split], [s.end for s in split]


@lru_cache(maxsize=16)
def _split(text: str) -> tuple[Sentence, ...]:
    """The one sentence split of a text, remembered: statement finders, dates and the index all read it."""
    out: list[Sentence] = []
    start = 0
    line_start = True
    for m in _END_RE.finditer(text):
        at, after = m.span()
        newline = text[at] == "\n"  # the match is the line break alone
        if newline:
            end = at
        elif _ends_sentence(text, at, after):
            end = after
        else:
            continue
        _add(text, out, start, end, line_start)
        line_start = newline
        start = after
    _add(text, out, start, len(text), line_start)
    return tuple(out)


def _add(text: str, out: list[Sentence], start: int, end: int, line_start: bool) -> None:
    while start < end and text[start].isspace():
        if text[start] == "\n":
            line_start = True
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start, end, line_start))


def _ends_sentence(text: str, punct: int, after: int) -> bool:
    """Whether the punctuation at ``punct`` ends a sentence: not an abbreviation, next word starts anew."""
    nxt, size = after, len(text)
    while nxt < size and text[nxt] in " \t":
        nxt += 1
    if nxt < size and text[nxt] != "\n":
        c = text[nxt]
        if not (c.isupper() or c.isdigit() or c in "\"“‘'«(["):
            return False
    if text[punct] == ".":
        word_start = punct
        while word_start > 0 and (text[word_start - 1].isalpha() or text[word_start - 1] == "."):
            word_start -= 1
        word = text[word_start:punct].lower()
        if word in _ABBREVIATIONS:
            return False
        if len(word) == 1 and text[word_start].isupper():  # an initial: "J. Smith"
            return False
        if "." in word and len(word) <= 5:  # "U.S." before a capitalised word is ambiguous; keep going
            return False
    return True


_OPEN_MARKS = '"“«„'


class Document:
    """One text read once: tokens, sentences, quotations, and look-ups between them."""

    def __init__(self, text: str) -> None:
        self.text = text
        # each token's ``start``, ``end``, ``text`` and ``lower`` in a list of their own, for look-ups in C
        self.toks, self.starts, self.ends, self.words, self.lowers = _tokens(text, 0, len(text))
        words = self.words
        self.sents = sentences(text)
        self.sent_starts = [s.start for s in self.sents]
        self.quotes = find_quotations(text)
        self.quote_opens = [q.open for q in self.quotes]
        self.memo: dict[tuple[str, int, int], Any] = {}  # for look-ups of the modules reading it
        self.inq = [False] * len(self.toks)  # token inside a quotation (marks included)
        for q in self.quotes:
            first, last = self.tok_index(q.open), self.tok_index(q.outer_end)
            self.inq[first:last] = [True] * (last - first)
        self.lower_words = frozenset(filter(str.islower, set(words)))  # each distinct word tested once
        # each sentence's first token and the token after its last, looked up by every statement finder
        self._sent_bounds = [(self.tok_index(s.start), self.tok_index(s.end)) for s in self.sents]
        self.sent_first_tokens = [first for first, _ in self._sent_bounds]
        initial = set(self.sent_first_tokens)
        # capitalised words, as indices (each word's first character is upper case)
        self.capitals = list(compress(count(), map(str.isupper, map(_FIRST, words))))
        inner = {words[k] for k in self.capitals if k not in initial and k > 0 and words[k - 1] not in _OPEN_MARKS}
        # capitalised words seen inside a sentence somewhere (so not only as a capitalised opener)
        self.inner_capitals = frozenset(inner | {w[:-2] for w in inner if w.endswith(("'s", "’s"))})
        # one sentence per line (some corpora): a line break then marks no paragraph, so no new turn
        inside = sum(1 for s in self.sents if not s.line_start)
        self.lines_are_sentences = len(self.sents) >= 20 and inside <= 0.05 * len(self.sents)

    def tok_index(self, offset: int) -> int:
        """Index of the first token starting at or after ``offset``."""
        return bisect.bisect_left(self.starts, offset)

    def sentence_of(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self.sent_starts, offset) - 1)

    def sent_tokens(self, si: int) -> tuple[int, int]:
        return self._sent_bounds[si]

    def quote_at(self, offset: int) -> Quotation | None:
        """The quotation whose marks enclose ``offset``."""
        i = bisect.bisect_right(self.quote_opens, offset) - 1
        if i >= 0:
            q = self.quotes[i]
            if q.open <= offset < q.outer_end:
                return q
        return None


def is_heading(line: str) -> bool:
    """A line in capitals or title case without closing punctuation: a chapter or section heading."""
    if not any(c.islower() for c in line):
        return True
    words = 0  # words that start with a letter: two to eight, each capitalised
    for w in _words(line):
        if w[0].isalpha():
            if not w[0].isupper() or words == 8:
                return False
            words += 1
    return words >= 2 and line.rstrip()[-1:] not in '!?"”’'


def _words(line: str) -> Iterator[str]:
    """``line.split()``, the first few words cut off first: most lines are decided by their first words."""
    head = line.split(None, 4)
    if len(head) <= 4:
        yield from head
        return
    yield from head[:4]
    yield from head[4].split()
