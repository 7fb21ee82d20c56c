"""Sentences and tokens with their offsets, and the ``Document`` that holds them with its quotations."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from archive.extract.quotes import Quotation, find_quotations

__all__ = ["Document", "Token", "Sentence", "sentences", "token", "tokens", "is_capitalised", "is_heading"]

# A word: letters/digits joined by inner hyphens or apostrophes; "U.S." and "U.K." kept whole.
_TOKEN_RE = re.compile(r"(?:[A-Z]\.){2,}|\w+(?:[-'’]\w+)*|\S")
# Candidate sentence ends: terminal punctuation, optional closing marks, then white space.
_END_RE = re.compile(r"[.!?]+[\"”’»)\]]*(?=\s)|\n")
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


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The words and punctuation of ``text[start:end]``, with offsets into ``text``."""
    end = len(text) if end is None else end
    matches = list(_TOKEN_RE.finditer(text, start, end))
    words = [m.group() for m in matches]
    rows = zip(words, [m.start() for m in matches], [m.end() for m in matches], [w.lower() for w in words])
    make = tuple.__new__
    out = [make(Token, row) for row in rows]
    if "’" in text:
        out = [make(Token, (t[0], t[1], t[2], t[3].replace("’", "'"))) if "’" in t[3] else t for t in out]
    return out


def is_capitalised(word: str) -> bool:
    return bool(word) and word[0].isupper()


def sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` (line breaks always end one); abbreviations and initials do not."""
    out: list[Sentence] = []
    start = 0
    line_start = True
    for m in _END_RE.finditer(text):
        if m.group() != "\n":
            if not _ends_sentence(text, m.start(), m.end()):
                continue
        end = m.end() if m.group() != "\n" else m.start()
        _add(text, out, start, end, line_start)
        line_start = m.group() == "\n"
        start = m.end()
    _add(text, out, start, len(text), line_start)
    return out


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
    nxt = after
    while nxt < len(text) and text[nxt] in " \t":
        nxt += 1
    if nxt < len(text) and text[nxt] != "\n":
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


_OPEN_MARKS = "\"“«„"


class Document:
    """One text read once: tokens, sentences, quotations, and look-ups between them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = tokens(text)
        self.starts = [t.start for t in self.toks]
        self.sents = sentences(text)
        self.sent_starts = [s.start for s in self.sents]
        self.quotes = find_quotations(text)
        self.quote_opens = [q.open for q in self.quotes]
        self.memo: dict[tuple[str, int, int], Any] = {}  # for look-ups of the modules reading it
        self.inq = [False] * len(self.toks)  # token inside a quotation (marks included)
        for q in self.quotes:
            for k in range(self.tok_index(q.open), self.tok_index(q.outer_end)):
                self.inq[k] = True
        self.lower_words = frozenset(t.text for t in self.toks if t.text.islower())
        initial = {self.tok_index(s.start) for s in self.sents}
        inner = {
            t.text for k, t in enumerate(self.toks) if k not in initial and t.text[0].isupper()
            and k > 0 and self.toks[k - 1].text not in _OPEN_MARKS
        }
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
        s = self.sents[si]
        return self.tok_index(s.start), self.tok_index(s.end)

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
    words = [w for w in line.split() if w[0].isalpha()]
    if not any(c.islower() for c in line):
        return True
    return 2 <= len(words) <= 8 and all(w[0].isupper() for w in words) and line.rstrip()[-1:] not in "!?\"”’"
