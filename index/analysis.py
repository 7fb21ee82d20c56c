"""The analyzers of our Whoosh fields, and a memo that makes indexing with them cheap.

Whoosh runs every token of every document through a chain of Python generators (tokenizer,
lowercase, accent folding, stop words, stemmer, spelling merge): a third of an index build went
there.  Every filter of our chains looks at one token alone, so the term a word becomes never
depends on its neighbours.  ``Memoized`` therefore analyses each distinct word once, through the
very same chain, and afterwards indexes with a dict lookup per word.  Queries, highlights and every
call that asks for more than terms and positions take the chain itself, unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import compress, count
from operator import itemgetter

from whoosh.analysis import (
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.analysis.acore import Token
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.lang import stemmer_for_language
from whoosh.support.charset import accent_map

from archive.model import spelling_key


class SpellingFilter(Filter):
    """Merges transliteration variants of names ("Zelenskyy", "Zelenskiy", "Zelensky") into one term."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = spelling_key(token.text)
            yield token


class StemSpellingFilter(Filter):
    """After stemming: doubled letters and final -y/-i/-iy/-ii collapsed, so transliterations meet.

    "Zelenskyy", "Zelensky", "Zelenskiy" all end as "zelenski"; "billed" and "bill" stay together
    ("bil"), which merging before the stemmer broke ("biled" vs "bill").
    """

    _DOUBLES = re.compile(r"(\w)\1+")
    _ENDING = re.compile(r"(?:iy|yi|ij|ii|y|i)$")

    def __call__(self, tokens):
        for token in tokens:
            token.text = self.collapsed(token.text)
            yield token

    def collapsed(self, text: str) -> str:
        text = self._DOUBLES.sub(_first_letter, text)
        return self._ENDING.sub("i", text) if len(text) > 4 else text


def _first_letter(match: re.Match) -> str:
    """A run of one letter as the letter once (a function: ``sub`` would parse a template every call)."""
    return match.group(1)


class AcronymFilter(Filter):
    """Before lower-casing: "US" and "U.S." (the country) become "usa", so they are never the stop word "us".

    Only the capitalised forms are the country; "us" and "Us" stay the pronoun.
    """

    ACRONYMS = {"US": "usa", "U.S": "usa", "USA": "usa", "U.S.A": "usa"}

    def __call__(self, tokens):
        for token in tokens:
            token.text = self.ACRONYMS.get(token.text, token.text)
            yield token


_UNSEEN = object()


# Patterns that find the same words as a tokenizer's, faster.  In ``\w+(\.?\w+)*`` the first ``\w+`` takes
# a whole run of word characters, so a repeat can only go on after a dot, and the match never backtracks
# (it may end after any repeat): it finds what ``\w+(?:\.\w+)*`` finds, without trying a dotless repeat
# at the end of every word (30% of the time of ``findall``).
_SAME_MATCHES = {r"\w+(\.?\w+)*": r"\w+(?:\.\w+)*"}


def _whole_matches(expression: re.Pattern) -> re.Pattern:
    """The tokenizer's expression with its groups made non-capturing, so that ``findall`` returns whole
    matches (the words ``finditer`` would give) without a match object per word."""
    if not expression.groups:
        return expression
    pattern = expression.pattern
    if pattern in _SAME_MATCHES:
        return re.compile(_SAME_MATCHES[pattern], expression.flags)
    if "\\(" in pattern or "(?" in pattern or "[" in pattern:
        raise TypeError(f"Memoized cannot derive a word pattern from {pattern!r}")
    return re.compile(pattern.replace("(", "(?:"), expression.flags)


def _looked_up(memo: dict, words: list[str]) -> Sequence:
    """``[memo[word] for word in words]``, in C (``itemgetter`` of several keys gives a tuple of their values)."""
    if len(words) > 1:
        return itemgetter(*words)(memo)
    return [memo[word] for word in words]


_SEVERAL = object()  # a word the chain splits or multiplies: never memoized, the chain handles its value

# Filters that take each token alone and change its text or drop it: chains of only these learn new words
# a filter at a time (``Memoized._filtered``).
_STREAMED = frozenset({AcronymFilter, LowercaseFilter, CharsetFilter, StopFilter, StemFilter, StemSpellingFilter, SpellingFilter})


class Memoized(CompositeAnalyzer):
    """A tokenizer-and-filters chain that, when indexing, analyses each distinct word only once.

    Equal to the plain chain by construction (``tests/test_index_analysis.py`` compares the two on
    real text): the memo holds what the chain made of the word, and stop-word position renumbering
    is done as ``StopFilter`` does it.
    """

    MEMO_SIZE = 200_000  # distinct words kept; past that the memo starts afresh (bounded memory)

    def __init__(self, *composables):
        super().__init__(*composables)
        tokenizer = self.items[0]
        if not isinstance(tokenizer, RegexTokenizer) or tokenizer.gaps:
            raise TypeError("Memoized needs a RegexTokenizer that matches words")
        self._renumber = any(isinstance(item, StopFilter) and item.renumber for item in self.items)
        self._memo: dict[str, object] = {}
        self._several: set[str] = set()  # words the memo holds as _SEVERAL (checked per value in C)
        self._findall = _whole_matches(tokenizer.expression).findall
        self._streamed = all(type(item) in _STREAMED for item in self.items[1:])
        self._split_from: Memoized | None = None  # see ``split_from``
        self._seen: tuple[str, list[str]] = ("", [])  # the last value tokenized and its words

    def split_from(self, dotted: Memoized) -> None:
        """Take the words of a value ``dotted`` tokenized last from its words, split at their dots.

        Only for a tokenizer of ``\\w+`` after one of ``\\w+(\\.?\\w+)*``: the latter's words are
        the runs of word characters joined by single dots, so splitting them at the dots gives the
        former's words, in order (a statement's text is indexed by both, stemmed and plain)."""
        if self.items[0].expression.pattern != r"\w+" or dotted.items[0].expression.pattern != r"\w+(\.?\w+)*":
            raise TypeError("split_from needs a \\w+ tokenizer after a \\w+(\\.?\\w+)* one")
        if self.items[0].expression.flags != dotted.items[0].expression.flags:
            raise TypeError("split_from needs tokenizers with the same flags")
        self._split_from = dotted

    def _words(self, value: str) -> list[str]:
        """The tokenizer's words of ``value``."""
        source = self._split_from
        if source is not None:
            seen, words = source._seen
            if seen == value:
                return ".".join(words).split(".") if words else []
        words = self._findall(value)
        self._seen = (value, words)
        return words

    def __getstate__(self):  # the schema is pickled into the index: the memo stays out
        state = dict(self.__dict__)
        state["_memo"] = {}
        state["_several"] = set()
        state.pop("_findall", None)
        state.pop("_streamed", None)
        state.pop("_split_from", None)
        state.pop("_seen", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.__dict__.setdefault("_several", set())  # schemas pickled before it existed
        self._findall = _whole_matches(self.items[0].expression).findall
        self._streamed = all(type(item) in _STREAMED for item in self.items[1:])
        self._split_from = None
        self._seen = ("", [])

    def __call__(self, value, no_morph=False, **kwargs):
        plain = (
            kwargs.get("mode") == "index"
            and not no_morph
            and kwargs.get("tokenize", True)
            and kwargs.get("removestops", True)
            and not kwargs.get("chars")
            and not kwargs.get("keeporiginal")
        )
        if not plain:
            return super().__call__(value, no_morph=no_morph, **kwargs)
        words = [m.group() for m in self.items[0].expression.finditer(value)]
        terms = [self._term(word) for word in words]
        if any(term is _SEVERAL for term in terms):
            return super().__call__(value, **kwargs)
        return self._tokens(terms, **kwargs)

    def memo_terms(self, value: str) -> list[str] | None:
        """The terms of ``value`` from the memo (stop words left out), or None when a word of it is one
        the chain splits or multiplies (then only the chain itself says what it makes)."""
        terms = self._terms(value)
        if terms is None:
            return None
        return list(filter(None, terms))  # stop words are None; a term is never empty (see ``_term``)

    def _terms(self, value: str) -> Sequence | None:
        """What the chain makes of each word of ``value`` (None for stop words), or None when a word is
        one the chain splits or multiplies.  Set and map calls in C: only words not seen yet go through
        the chain, one by one."""
        words = self._words(value)
        memo = self._memo
        try:  # most values hold only words seen before: one look-up of all, no set of them
            terms = _looked_up(memo, words)
        except KeyError:
            fresh = set(words).difference(memo)
            self._learn(fresh)
            if not memo.keys() >= fresh:  # the memo was full and started afresh meanwhile
                terms = [self._term(word) for word in words]
                return None if _SEVERAL in terms else terms
            terms = _looked_up(memo, words)
        if self._several and not self._several.isdisjoint(words):
            return None
        return terms

    def memo_positions(self, value: str) -> tuple[list[str], list[int]] | None:
        """The terms of ``value`` and their positions as indexing gives them (stop words out, positions
        renumbered as ``StopFilter`` does), or None when only the chain itself can say (see ``memo_terms``)."""
        terms = self._terms(value)
        if terms is None:
            return None
        kept = list(filter(None, terms))
        if not kept:
            return kept, []
        kept_at = compress(count(), terms)  # the raw positions of the words kept (a term is never empty)
        if self._renumber:
            first = next(kept_at)
            return kept, list(range(first, first + len(kept)))
        return kept, list(kept_at)

    def _term(self, word: str):
        """What the chain makes of one word: its term, None for a stop word, or ``_SEVERAL`` (also for a
        word the chain makes empty: the memo's users take an empty term for a stop word)."""
        term = self._memo.get(word, _UNSEEN)
        if term is _UNSEEN:
            made = [t.text for t in super().__call__(word, mode="index")]
            term = self._keep(word, None if not made else made[0] if len(made) == 1 and made[0] else _SEVERAL)
        return term

    def _learn(self, words: set[str]) -> None:
        """Put in the memo what the chain makes of each of ``words`` (none of them in it yet), as ``_term``
        would, but a filter at a time over all of them (``_filtered``): setting up the chain per word cost
        three times the filters' work.  A word the tokenizer would not take whole, and any word of another
        chain, goes through the chain alone."""
        if not self._streamed:
            for word in words:
                self._term(word)
            return
        match = self.items[0].expression.match
        whole = []
        for word in words:
            found = match(word)
            if found is not None and found.end() == len(word):  # the tokenizer's one token is the word
                whole.append(word)
            else:
                self._term(word)
        made = self._filtered(whole)
        memo = self._memo
        if len(memo) + len(whole) > self.MEMO_SIZE:  # the memo fills meanwhile: word by word, as _term does
            for word in whole:
                self._keep(word, made.get(word))
            return
        memo.update(zip(whole, map(made.get, whole)))
        if _SEVERAL in made.values():
            self._several.update(word for word, term in made.items() if term is _SEVERAL)

    def _filtered(self, words: list[str]) -> dict[str, object]:
        """What the chain's filters make of each of ``words``, a filter at a time over all of them: each
        filter of ``_STREAMED`` changes one token's text or drops it, so doing its work here on each text,
        as its ``__call__`` does, gives the same terms.  A word -> its one term, or _SEVERAL if the term is
        empty; a stop word is not in it."""
        kept, texts = words, words
        for item in self.items[1:]:
            kind = type(item)
            if kind is StopFilter:  # in index mode with stop words removed: a stopped token is dropped
                stops, low, high = item.stops, item.min, item.max
                passed = [low <= len(text) and (high is None or len(text) <= high) and text not in stops for text in texts]
                kept, texts = list(compress(kept, passed)), list(compress(texts, passed))
            elif kind is LowercaseFilter:
                texts = [text.lower() for text in texts]
            elif kind is CharsetFilter:
                charmap = item.charmap
                texts = [text.translate(charmap) for text in texts]
            elif kind is AcronymFilter:
                acronyms = item.ACRONYMS
                texts = [acronyms.get(text, text) for text in texts]
            elif kind is StemFilter:  # its stemmer without its cache (the cache only remembers the stemmer's answers)
                stem = stemmer_for_language(item.lang) if item.lang else item.stemfn
                ignore = item.ignore
                texts = [text if text in ignore else stem(text) for text in texts]
            elif kind is StemSpellingFilter:
                texts = list(map(item.collapsed, texts))
            elif kind is SpellingFilter:
                texts = list(map(spelling_key, texts))
            else:
                raise TypeError(f"{kind.__name__} is not a filter Memoized takes word by word")
        return {word: text or _SEVERAL for word, text in zip(kept, texts)}

    def _keep(self, word: str, term):
        """Memoize the term the chain made of ``word`` (see ``_term``), starting afresh when the memo is full."""
        if len(self._memo) >= self.MEMO_SIZE:
            self._memo.clear()
            self._several.clear()
        self._memo[word] = term
        if term is _SEVERAL:
            self._several.add(word)
        return term

    def _tokens(self, terms, positions=False, start_pos=0, **kwargs):
        kwargs.pop("chars", None)
        token = Token(positions, False, **kwargs)
        pos = None
        for raw, term in enumerate(terms, start_pos):
            if term is None:
                continue
            if positions:
                pos = raw if pos is None or not self._renumber else pos + 1
                token.pos = pos
            token.text = term
            token.boost = 1.0
            token.stopped = False
            yield token


# Words: accents folded, stemmed, then transliteration variants merged: "Noël" and "Noel",
# "Zelenskyy" and "Zelensky" are one term.
WORDS = Memoized(
    RegexTokenizer(r"\w+(\.?\w+)*"), AcronymFilter(), LowercaseFilter(), CharsetFilter(accent_map), StopFilter(), StemFilter(), StemSpellingFilter()
)
# Names (speakers, places, channels): folded, not stemmed; the same stop words as WORDS, so a query word
# dropped from one field is dropped from all (else "the drones" would require "the" in a name).
NAMES = Memoized(RegexTokenizer(r"\w+"), LowercaseFilter(), CharsetFilter(accent_map), StopFilter(), SpellingFilter())

# Plain words, unstemmed: the vocabulary did-you-mean suggests from, and what prefixes (negotiat*) match.
PLAIN = Memoized(RegexTokenizer(r"\w+"), AcronymFilter(), LowercaseFilter(), CharsetFilter(accent_map), StopFilter(minsize=3))
PLAIN.split_from(WORDS)


def shared(analyzer):
    """The module's own instance of a memoized chain equal to ``analyzer`` (one unpickled from an index's
    schema, whose memo starts empty every time the index is opened), so that every writer in a process
    fills and reuses one memo; any other analyzer as it is."""
    if isinstance(analyzer, Memoized):
        for own in (WORDS, NAMES, PLAIN):
            if analyzer == own:
                return own
    return analyzer
