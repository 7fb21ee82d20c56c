"""The query language: Whoosh's, with friendly field names, date ranges and bounded expansion.

``parse(text)`` returns a Whoosh query plus a day range, or raises QuerySyntaxError with the
position of the problem.  Supported: AND / OR / NOT, "phrases", proximity ``"…"~3``, ``field:value``
for speaker, kind, place, topic, country, type, source, channel, role, quote, direct;
``date:2025-04``, ``date:2025-04-22``, ``date:[2025-04-01 to 2025-04-30]``; ``word*`` (at least two
letters first) and ``word~1`` / ``word~2``.

Its length is one language: the parser's plugins, the friendly fields, date terms and the bound on
what prefixes, fuzzy terms and ranges expand to, each reading the same parsed tree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh import query as Q
from whoosh.qparser import FieldAliasPlugin, FuzzyTermPlugin, MultifieldParser

from archive.period import Period
from index.budget import Deadline
from index.schema import article_schema, statement_schema

MAX_QUERY_CHARS = 500
MAX_EXPANSIONS = 4
# Words a query's prefixes, wildcards, fuzzy terms and ranges may stand for, all together: each one
# is a posting list to merge (about 2.5 ms apiece over 20,000 statements on 2 busy cores), and
# [a TO zzzz] alone was 18,000 of them and 11 s.  Over it, the query is refused with a 400.
MAX_EXPANDED_TERMS = 400
DEFAULT_FIELDS = ("text",)  # quote, sentence, speaker, role, channel and places, in one field
FIELD_BOOSTS = {"text": 1.0}
NAMED_FIELDS = ("speaker", "role", "channel", "place")
ARTICLE_FIELDS = ("title", "body", "speaker", "place")
ARTICLE_BOOSTS = {"title": 3.0, "body": 1.0, "speaker": 1.5, "place": 1.0}
ALIASES = {
    "speaker": ["who", "speakers"],
    "kind": ["kinds"],
    "place": ["where"],
    "topics": ["topic"],
    "countries": ["country"],
    "type": ["speaker_type"],
    "source": ["sources"],
    "channel": ["via"],
    "text": ["quote"],
}
FIELDS = sorted(
    {*DEFAULT_FIELDS, *NAMED_FIELDS, *ARTICLE_FIELDS, "kind", "topics", "countries", "type", "source", "direct", "places", "speaker_id"}
    | {a for v in ALIASES.values() for a in v}
    | {"date"}
)


class QuerySyntaxError(ValueError):
    """A query we cannot run; ``position`` is the character offset of the problem, if known."""

    def __init__(self, message: str, text: str = "", position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.text = text
        self.position = position

    def pointer(self) -> str:
        """The query with a caret under the problem (for terminals)."""
        if self.position is None:
            return self.text
        return f"{self.text}\n{' ' * self.position}^"


@dataclass(frozen=True)
class ParsedQuery:
    query: Q.Query
    day_from: int | None = None
    day_to: int | None = None
    text: str = ""
    notices: tuple[str, ...] = ()  # what was read differently from how it was written, for the user

    @property
    def is_everything(self) -> bool:
        return isinstance(self.query, Q.Every)

    @property
    def is_nothing(self) -> bool:
        """Words were given but none can be searched (only stop words): nothing matches, never everything."""
        return self.query is Q.NullQuery


_DATE_TERM = re.compile(r"\bdate:(\[[^\]]*\]|\S+)", re.IGNORECASE)
_RANGE = re.compile(r"\[\s*(\S*)\s+to\s+(\S*)\s*\]", re.IGNORECASE)
_FIELD = re.compile(r"(?<![\w\"])([A-Za-z_]+):")
_WILDCARD = re.compile(r"[^\s\"():]*[*?][^\s\"():]*")
_FUZZY_TERM = re.compile(r"([^\s\"()~]+)~(\d+)?(?:/\d+)?")


def _parser(fields, schema, boosts) -> MultifieldParser:
    parser = MultifieldParser(list(fields), schema, fieldboosts=boosts)
    parser.add_plugin(FieldAliasPlugin(ALIASES))
    parser.add_plugin(FuzzyTermPlugin())
    return parser


_PARSERS = {
    "statements": _parser(DEFAULT_FIELDS, statement_schema(), FIELD_BOOSTS),
    "articles": _parser(ARTICLE_FIELDS, article_schema(), ARTICLE_BOOSTS),
}


def parse(text: str, target: str = "statements") -> ParsedQuery:
    """Check and parse a query string for the statement or article index; empty or ``*`` means everything.

    A parse depends on the text and the schema alone, and nothing changes a parsed query afterwards
    (expansions and wrappers make new ones), so the last few thousand are remembered: a page, its
    next pages and its facet links parse once.  Refused queries are parsed again each time."""
    return _parse((text or "").strip(), target)


@lru_cache(maxsize=4096)
def _parse(text: str, target: str) -> ParsedQuery:
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"query too long: {len(text)} characters, at most {MAX_QUERY_CHARS}", text[:60] + "…", None)
    _check_balance(text)
    day_from, day_to, rest = _take_dates(text)
    rest, notices = _unknown_fields_as_words(rest)
    if rest.strip() != "*":
        _check_expansions(rest, text)
    if rest.strip() in ("", "*"):
        return ParsedQuery(Q.Every(), day_from, day_to, text, notices)
    try:
        parsed = _PARSERS[target].parse(rest)
    except Exception as error:  # Whoosh's parser rarely fails; when it does, say where we were
        raise QuerySyntaxError(f"cannot parse the query: {error}", text, None) from None
    if parsed is Q.NullQuery:
        if re.search(r"\w", _without_operators(rest)):  # words, all of them too common to search for
            common = ", ".join(f"‘{w}’" for w in dict.fromkeys(re.findall(r"\w+", _without_operators(rest))))
            notice = f"{common}: too common to search for (they appear in nearly every statement); add a more telling word"
            return ParsedQuery(Q.NullQuery, day_from, day_to, text, (*notices, notice))
        return ParsedQuery(Q.Every(), day_from, day_to, text, notices)
    _check_boosts(parsed, text)
    _bound_fuzzy(parsed)
    if target == "statements":
        parsed = _prefixes_over_surface_words(parsed)
    return ParsedQuery(parsed, day_from, day_to, text, notices)


def _without_operators(text: str) -> str:
    return re.sub(r"\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b|\w+:", " ", text)


def _prefixes_over_surface_words(query: Q.Query) -> Q.Query:
    """``negotiat*`` matches the words as written (negotiating, negotiations), not their stems ("negoti").

    The ``text`` field holds stems, so a prefix or wildcard on it runs on ``words``, which holds the
    same words unstemmed (folded and lower-cased as typed prefixes are).
    """
    if isinstance(query, (Q.Prefix, Q.Wildcard)) and query.fieldname == "text":
        pattern = fold_prefix(query.text)
        surface = Q.Prefix("words", pattern) if isinstance(query, Q.Prefix) else Q.Wildcard("words", pattern)
        return Q.ConstantScoreQuery(surface, query.boost)
    return query.apply(_prefixes_over_surface_words)


def fold_prefix(text: str) -> str:
    """A typed prefix as the ``words`` field stores words: lower case, accents folded."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class QueryTooBroad(QuerySyntaxError):
    """A prefix, wildcard, fuzzy term or range that stands for too many words in this index."""


def bound_expansions(query: Q.Query, reader, text: str = "", deadline: Deadline | None = None, listings=None) -> Q.Query:
    """``query`` with each fuzzy term's words found once in ``reader``, or QueryTooBroad when the query's
    expanding terms stand for more than ``MAX_EXPANDED_TERMS`` words of the index.

    Counting stops at the limit, and the scans look at ``deadline`` as they go, so the check itself is
    bounded.  A fuzzy term is an edit-distance scan of every word with its first letter: found here
    once, its words serve every segment, the highlights and the word count (Whoosh would scan again
    for each of them, 16 scans per hit for ``cease~2 talks~2 ready~2 peace~2`` over four fields).
    """
    total = 0
    found: dict[int, tuple[str, ...]] = {}
    listings = {} if listings is None else listings  # (field, prefix) -> words; shared by the searches of one index version
    stack = [query]
    while stack:
        node = stack.pop()
        if isinstance(node, Q.MultiTerm) and not isinstance(node, Q.Variations):
            if isinstance(node, Q.FuzzyTerm):
                words = found[id(node)] = tuple(fuzzy_words(node, reader, deadline, listings))
            else:  # a wildcard lists every word of its literal start to match a few: the listing is clocked
                words = node._btexts(reader if deadline is None else _Clocked(reader, deadline))
            for n, _ in enumerate(words):
                total += 1
                if deadline is not None and not n % _CHECK_EVERY:
                    deadline.check()
                if total > MAX_EXPANDED_TERMS:
                    raise too_broad(node, text)
        stack.extend(node.children())
    if not found:
        return query

    def expanded(node: Q.Query) -> Q.Query:
        if isinstance(node, Q.FuzzyTerm) and id(node) in found:
            return ExpandedFuzzy(node, found[id(node)], reader)
        return node.apply(expanded)

    return expanded(query)


_CHECK_EVERY = 256  # words scanned between two looks at the clock


class _Clocked:
    """A reader whose word listings look at the clock every ``_CHECK_EVERY`` words (all else is the reader's)."""

    def __init__(self, reader, deadline: Deadline) -> None:
        self._reader, self._deadline = reader, deadline

    def __getattr__(self, name: str):
        return getattr(self._reader, name)

    def _clocked(self, items):
        for n, item in enumerate(items):
            if not n % _CHECK_EVERY:
                self._deadline.check()
            yield item

    def expand_prefix(self, fieldname, prefix):
        return self._clocked(self._reader.expand_prefix(fieldname, prefix))

    def lexicon(self, fieldname):
        return self._clocked(self._reader.lexicon(fieldname))

    def terms_from(self, fieldname, prefix):
        return self._clocked(self._reader.terms_from(fieldname, prefix))


def fuzzy_words(node: Q.FuzzyTerm, reader, deadline: Deadline | None, listings: dict | None = None) -> list[str]:
    """The words of ``reader`` within ``node.maxdist`` edits of its text and sharing its prefix.

    What Whoosh's own scan (``IndexReader.terms_within``) finds, by the same measure (optimal string
    alignment: Damerau-Levenshtein without repeated edits of a substring), computed in C by rapidfuzz
    over the words listed once per field and prefix (``listings``, shared by a query's fuzzy terms),
    with the clock checked as they are listed: Whoosh computes each distance in Python, 20 µs apiece.
    """
    if node.fieldname not in reader.schema:
        return []
    key = (node.fieldname, node.text[: node.prefixlength])
    words = None if listings is None else listings.get(key)
    if words is None:
        field = reader.schema[node.fieldname]
        words = []
        for n, btext in enumerate(reader.expand_prefix(*key)):
            if deadline is not None and not n % _CHECK_EVERY:
                deadline.check()
            words.append(field.from_bytes(btext))
        if listings is not None:
            listings[key] = words
    if not words:
        return []
    maxdist = node.maxdist
    distances = process.cdist([node.text], words, scorer=OSA.distance, score_cutoff=maxdist, dtype=np.int32)[0]
    return [words[i] for i in np.flatnonzero(distances <= maxdist).tolist()]


class ExpandedFuzzy(Q.FuzzyTerm):
    """A fuzzy term whose words were found once for this request (``bound_expansions``).

    In the reader they were found in, they are its words; in one segment's reader, those of them it
    holds (what Whoosh's per-segment matchers would have found, without scanning again)."""

    def __init__(self, term: Q.FuzzyTerm, words: tuple[str, ...], reader) -> None:
        super().__init__(term.fieldname, term.text, term.boost, term.maxdist, term.prefixlength, term.constantscore)
        self.words = words
        self.reader = reader

    def _btexts(self, ixreader):
        if ixreader is self.reader:
            return list(self.words)
        fieldname = self.fieldname
        return [word for word in self.words if (fieldname, word) in ixreader]


def too_broad(node: Q.Query, text: str) -> QueryTooBroad:
    """The error for a query whose wildcards, fuzzy terms and ranges expand past the bound, naming ``node``."""
    shown = _shown(node)
    return QueryTooBroad(
        f"{shown} matches too many words (with the query's other wildcards, fuzzy terms and ranges, "
        f"more than {MAX_EXPANDED_TERMS}): add letters or narrow the range",
        text,
        max(text.find(shown.split(":")[-1][:3]), 0) if text else None,
    )


def _shown(node: Q.Query) -> str:
    if isinstance(node, Q.TermRange):
        return f"[{node.start} TO {node.end}]"
    if isinstance(node, Q.FuzzyTerm):
        return f"{node.text}~{node.maxdist}"
    return f"{getattr(node, 'text', '')}" + ("*" if isinstance(node, Q.Prefix) else "")


def _bound_fuzzy(query: Q.Query) -> None:
    """Fuzzy terms keep their first letter: a whole-vocabulary edit-distance scan is minutes at scale."""
    stack = [query]
    while stack:
        node = stack.pop()
        if isinstance(node, Q.FuzzyTerm):
            node.prefixlength = max(node.prefixlength, 1)
        stack.extend(node.children())


def _check_boosts(query: Q.Query, text: str) -> None:
    """Whoosh divides by a boost: word^0 would be a crash, not a query."""
    stack = [query]
    while stack:
        node = stack.pop()
        boost = getattr(node, "boost", 1.0)
        if not 0 < boost <= 1000:  # also refuses inf and nan
            raise QuerySyntaxError("a boost (word^N) must be greater than 0 and at most 1000", text, text.find("^"))
        stack.extend(node.children())


def _check_balance(text: str) -> None:
    stack: list[tuple[str, int]] = []
    in_quote: int | None = None
    for i, ch in enumerate(text):
        if ch == '"':
            in_quote = None if in_quote is not None else i
        elif in_quote is None and ch in "([":
            stack.append((ch, i))
        elif in_quote is None and ch in ")]":
            opening = "(" if ch == ")" else "["
            if not stack or stack[-1][0] != opening:
                raise QuerySyntaxError(f"unmatched '{ch}'", text, i)
            stack.pop()
    if in_quote is not None:
        raise QuerySyntaxError('unclosed quotation mark: add a closing "', text, in_quote)
    if stack:
        ch, i = stack[-1]
        raise QuerySyntaxError(f"unclosed '{ch}'", text, i)


def _take_dates(text: str) -> tuple[int | None, int | None, str]:
    day_from = day_to = None
    for match in _DATE_TERM.finditer(text):
        value = match.group(1)
        ranged = _RANGE.fullmatch(value)
        try:
            if ranged:
                lo = _period(ranged.group(1))[0] if ranged.group(1) not in ("", "*") else None
                hi = _period(ranged.group(2))[1] if ranged.group(2) not in ("", "*") else None
            else:
                lo, hi = _period(value)
        except ValueError:
            raise QuerySyntaxError(
                f"not a date: {value!r}; use date:2025-04-22, date:2025-04 or date:[2025-04-01 to 2025-04-30]", text, match.start(1)
            ) from None
        day_from = lo if day_from is None or (lo is not None and lo > day_from) else day_from
        day_to = hi if day_to is None or (hi is not None and hi < day_to) else day_to
    return day_from, day_to, _DATE_TERM.sub(" ", text)


def _period(value: str) -> tuple[int, int]:
    """First and last day numbers of "2025", "2025-04", "2025-04-22" or "2025-W16"."""
    return Period.parse(value).days


KNOWN_FIELDS = ("speaker", "kind", "place", "topic", "country", "type", "source", "channel", "role", "quote", "date")


def _unknown_fields_as_words(rest: str) -> tuple[str, tuple[str, ...]]:
    """A ``word:`` that names no field (a pasted "Zelensky: ceasefire", a URL) is searched as words, with a notice."""
    unknown: list[str] = []
    plain = _without_phrases(rest)
    pieces, last = [], 0
    for match in _FIELD.finditer(plain):
        if match.group(1).lower() not in FIELDS:
            unknown.append(match.group(1))
            pieces.append(rest[last : match.end(1)] + " ")
            last = match.end()
    if not unknown:
        return rest, ()
    pieces.append(rest[last:])
    names = ", ".join(f"‘{u}:’" for u in dict.fromkeys(unknown))
    return "".join(pieces), (f"{names} is not a field, so it was searched as words; fields are {', '.join(KNOWN_FIELDS)}",)


def _check_expansions(rest: str, text: str) -> None:
    plain = _without_phrases(rest)
    expansions = 0
    for match in _WILDCARD.finditer(plain):
        term = match.group(0).split(":")[-1]
        literal = re.match(r"[^*?]*", term).group(0)  # type: ignore[union-attr]
        if len(literal) < 2:
            raise QuerySyntaxError("a wildcard needs at least two letters before * or ?", text, text.find(match.group(0)))
        expansions += 1
    for match in _FUZZY_TERM.finditer(plain):
        word, edits = match.group(1).split(":")[-1], int(match.group(2) or 1)
        if edits > 2:
            raise QuerySyntaxError("fuzzy matching allows at most 2 edits (word~2)", text, text.find(match.group(0)))
        if len(word) < (5 if edits == 2 else 3):
            raise QuerySyntaxError("fuzzy matching needs at least 3 letters for word~1 and 5 for word~2", text, text.find(match.group(0)))
        expansions += 1
    if expansions > MAX_EXPANSIONS:
        raise QuerySyntaxError(f"too many wildcard or fuzzy terms: at most {MAX_EXPANSIONS}", text, None)


def _without_phrases(text: str) -> str:
    return re.sub(r'"[^"]*"(~\d+)?', lambda m: " " * len(m.group(0)), text)
