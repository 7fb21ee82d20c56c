"""Date expressions in article text, absolute and relative, resolved against the publication date.

``find_dates`` returns every date expression as a ``DateRef`` with its character offsets, a
normalised ``value`` and its ``precision``:

=========  ====================  ===================================================
precision  value                 examples
=========  ====================  ===================================================
day        ``2025-04-21``        "April 21, 2025", "21/04/2025", "Monday", "yesterday"
week       ``2025-W16``          "last week", "this week"
week       ``2025-W16-WE``       "over the weekend" (the Saturday and Sunday of that week)
month      ``2025-04``           "April 2025", "last month", "mid-April"
year       ``2025``              "2025", "last year", "two years ago"
month      ``2022-06/2022-08``   seasons ("last summer"): an ISO interval of months
year       ``1960/1969``         decades and centuries ("the 1960s"): an ISO interval of years
=========  ====================  ===================================================

``range_start``/``range_end`` always give the first and last day of the period.  Expressions
that need the publication date (weekday names, "last week", "March 5") keep ``value`` and
``precision`` None when it is unknown; nothing is guessed.  Durations ("30 days", "two-year")
and holidays ("Easter") are not date mentions.  The words live in ``data/dates.toml``.

Its length is the date grammar: one resolver per expression shape, sharing the lexicon, the tense cues and the period values; split, each part would import all of them.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache
from typing import Any

from archive.dateparse import parse_date
from archive.extract import keyscan
from archive.extract.data import DATA_DIR
from archive.extract.keyscan import ignorecase_form, key_pattern
from archive.extract.sentences import sentence_bounds
from archive.model import DateRef
from archive.period import Period

DATA_FILE = DATA_DIR / "dates.toml"

# (value, precision, first day, last day)
Resolved = tuple[str, str, date, date]
Resolver = Callable[[date | None], Resolved | None]

_YEAR = r"(?:1[89]\d\d|20\d\d)"


# ------------------------------------------------------------------------------- values


def _resolved(period: Period) -> Resolved:
    return period.value, period.precision, period.first, period.last


def _day(d: date) -> Resolved:
    return _resolved(Period.day(d))


def _week(d: date) -> Resolved:
    return _resolved(Period.week(d))


def _weekend(saturday: date) -> Resolved:
    return _resolved(Period.weekend(saturday))


def _month(year: int, month: int) -> Resolved:
    return _resolved(Period.month(year, month))


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def _year(year: int) -> Resolved:
    return _resolved(Period.year(year))


def _years(first: int, last: int) -> Resolved:
    return _resolved(Period.years(first, last))


def _months(year: int, month: int, count: int) -> Resolved:
    return _resolved(Period.months(year, month, count))


def _past_weekend(anchor: date) -> date:
    """The Saturday of the latest weekend that has begun by ``anchor``."""
    return anchor - timedelta(days=(anchor.weekday() - 5) % 7)


def _next_weekend(anchor: date) -> date:
    """The Saturday of the weekend of ``anchor``'s week (the coming one on weekdays)."""
    return anchor + timedelta(days=5 - anchor.weekday())


# ------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class _DateVocabulary:
    """The words of data/dates.toml that name or shift a date: months, weekdays, numbers, leads."""

    months: dict[str, int]
    ambiguous_months: frozenset[str]
    weekdays: dict[str, int]
    numbers: dict[str, int]
    relative: dict[str, tuple[str, Any]]
    weekday_modifiers: dict[str, str]
    weekday_leads: tuple[str, ...]
    weekday_not_after: tuple[str, ...]
    month_lead: tuple[str, ...]
    seasons: dict[str, int]
    future: tuple[str, ...]
    past: tuple[str, ...]
    not_past: frozenset[str]


@cache
def _words() -> _DateVocabulary:
    data = tomllib.loads(DATA_FILE.read_text(encoding="utf-8"))
    modifiers = {phrase.lower(): direction for direction, phrases in data["weekday_modifiers"].items() for phrase in phrases}
    return _DateVocabulary(
        months=dict(data["months"]),
        ambiguous_months=frozenset(data["ambiguous"]["months"]),
        weekdays=dict(data["weekdays"]),
        numbers={k.lower(): v for k, v in data["numbers"].items()},
        relative={k.lower(): (v[0], v[1]) for k, v in data["relative"].items()},
        weekday_modifiers=modifiers,
        weekday_leads=tuple(data["weekday_leads"]["leads"]),
        weekday_not_after=tuple(data["weekday_leads"].get("not_after", ())),
        month_lead=tuple(data["month_lead"]["words"]),
        seasons=dict(data["seasons"]),
        future=tuple(data["tense"]["future"]),
        past=tuple(data["tense"]["past"]),
        not_past=frozenset(w.lower() for w in data["tense"]["not_past"]),
    )


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation of phrases, longest first, spaces matching any whitespace."""
    items = sorted(set(words), key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(part) for part in w.split()) for w in items)


# ------------------------------------------------------------------------------- tense


_FULL_MONTHS = frozenset("January February March April May June July August September October November December".split())


@cache
def _tense_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    words = _words()
    future = re.compile(rf"(?<![\w'’])(?:{_alternation(words.future)})(?!\w)", re.IGNORECASE)
    past = re.compile(rf"(?<![\w'’])(?:{_alternation(words.past)}|[a-z]{{2,}}[^e\W]ed)(?!\w)")
    return future, past


def tense_near(text: str, start: int, end: int) -> str | None:
    """ "past" or "future": the tense cue nearest to ``[start, end)`` in its sentence, or None."""
    futures, pasts = _tense_cues(text, *sentence_bounds(text, start, end))
    cues: list[tuple[int, str]] = []
    future_spans: list[tuple[int, int]] = []
    for span in futures:
        if span[0] < end and span[1] > start:
            continue
        future_spans.append(span)
        cues.append((_distance(span, start, end), "future"))
    for span in pasts:
        if span[0] < end and span[1] > start:
            continue
        if any(a <= span[0] < b for a, b in future_spans):
            continue
        cues.append((_distance(span, start, end), "past"))
    if not cues:
        return None
    cues.sort(key=lambda cue: (cue[0], cue[1] != "past"))
    return cues[0][1]


@lru_cache(maxsize=64)
def _tense_cues(text: str, left: int, right: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The future and past cues of the sentence ``[left, right)`` (several dates often share one)."""
    future_re, past_re = _tense_patterns()
    not_past = _words().not_past
    futures = [m.span() for m in future_re.finditer(text, left, right)]
    pasts = [m.span() for m in past_re.finditer(text, left, right) if m.group().lower() not in not_past]
    return futures, pasts


def _distance(span: tuple[int, int], start: int, end: int) -> int:
    return start - span[1] if span[1] <= start else span[0] - end


# ------------------------------------------------------------------------------- resolvers


def _closest_year(anchor: date, month: int, day: int | None, tense: str | None) -> int:
    """The year of a date written without one: the publication year unless that is far off."""
    year = anchor.year
    probe = _safe_date(year, month, day or 15)
    if probe is None:  # 29 February of a non-leap publication year
        return year
    delta = (probe - anchor).days
    if delta > 0 and ((tense == "past" and delta > 120) or (tense is None and delta > 240)):
        return year - 1
    if delta < 0 and ((tense == "future" and -delta > 120) or (tense is None and -delta > 300)):
        return year + 1
    return year


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    resolve: Resolver


class _Finder:
    """Collects candidate mentions from every pattern; the longest non-overlapping ones win."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.candidates: list[_Candidate] = []

    def add(self, start: int, end: int, resolve: Resolver) -> None:
        self.candidates.append(_Candidate(start, end, resolve))

    def tense(self, start: int, end: int) -> str | None:
        return tense_near(self.text, start, end)

    def chosen(self) -> list[_Candidate]:
        taken: list[_Candidate] = []
        for cand in sorted(self.candidates, key=lambda c: (-(c.end - c.start), c.start)):
            if all(cand.end <= t.start or cand.start >= t.end for t in taken):
                taken.append(cand)
        return sorted(taken, key=lambda c: c.start)


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    return {name: re.compile(before + rest) for name, (before, rest) in _pattern_parts().items() if name in _SCANS}


@cache
def _pattern_parts() -> dict[str, tuple[str, str]]:
    """Each pattern as (the part before its key, the rest): see ``_SCANS``."""
    w = _words()
    full = [name for name in w.months if name in _FULL_MONTHS]
    short = [name for name in w.months if name not in full]
    month = rf"(?P<month>{_alternation(full)}|(?:{_alternation(short)})(?:\.(?!\w))?)"
    weekday = _alternation(w.weekdays)
    day = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?!\d|:|\.\d)"
    year = rf"(?P<year>{_YEAR})(?![\d%])"
    lead_wd = rf"(?:(?:{weekday}),?\s+)?"
    numbers = _alternation(w.numbers)
    modifiers = _alternation(w.weekday_modifiers)
    leads = _alternation(w.weekday_leads)
    relative = _alternation(w.relative)
    relative_leads = _alternation(" ".join(p.split()[:-1]) for p in w.relative if len(p.split()) > 1)
    return {
        # "Friday, July 21, 2017", "April 22, 2025", "Apr. 22", "March 9 2014"
        "month_day": (rf"\b{lead_wd}", rf"{month}\s+{day}(?:,?\s+{year})?"),
        # "22 April 2025", "the 3rd of May", "11 December"
        "day_month": (rf"\b{lead_wd}(?:the\s+)?{day}\s+(?:of\s+)?", rf"{month}(?:,?\s+{year})?"),
        # "November 2006", "Sept. 2024"
        "month_year": ("", rf"\b{month},?\s+(?:of\s+)?{year}"),
        # "mid-April", "early March 2024", "the end of May"
        "part_month": (
            r"(?i:\b(?P<part>early|mid|late|the\s+(?:end|start|beginning|middle)\s+of))[\s-]+",
            rf"{month}(?:,?\s+{year})?",
        ),
        # "last March", "next October"
        "rel_month": (r"(?i:\b(?P<rel>last|next|this|this\s+past|this\s+coming))\s+", rf"{month}(?![\w-])"),
        # "in October", "May" after a lead word
        "month": ("", rf"\b{month}(?![\w'’-])"),
        # "mid-2011", "early 2009", "the end of 2024"
        "part_year": (
            r"(?i:\b(?:early|mid|late|the\s+(?:end|start|beginning|middle)\s+of))[\s-]+",
            rf"{year}(?![\w-])",
        ),
        "iso": ("", rf"(?<![\w/.-]){year}-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?![\w/]|[.-]\d)"),
        "numeric": ("", r"(?<![\w/.:-])(?P<a>[0-3]?\d)(?P<sep>[/.])(?P<b>[0-3]?\d)(?P=sep)(?P<y>(?:1[89]|20)?\d\d)(?![\w/:-]|\.\d)"),
        "decade": (
            "",
            r"(?i:\b(?:(?:early|mid|late)[\s-]+)?)(?P<decade>(?:1[89]|20)\d0)['’]?s\b"
            r"|(?i:\bthe\s+(?P<word>twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b)",
        ),
        "century": ("", r"(?i:\b(?:the\s+)?(?P<n>1[0-9]|2[0-2]|[2-9])(?:st|nd|rd|th)[\s-]+century)\b"),
        "season": (
            "",
            rf"(?i:\b(?:(?P<rel>last|this|next|this\s+past|this\s+coming|past)\s+)?"
            rf"(?P<season>{_alternation(w.seasons)}))(?:\s+(?:of\s+)?{year})?(?![\w-])",
        ),
        "year": ("", rf"(?<![\w$£€#.,/-]){year}(?![\w/]|[.,]\d|-\d\d-)"),
        "ago": (
            "",
            rf"(?i:\b(?P<n>\d{{1,3}}|\[?(?:{numbers})\]?)\s+(?P<unit>day|week|month|year|decade|hour)s?\s+ago\b)",
        ),
        "relative": ("", rf"(?i:(?<![\w-])(?:{relative})(?![\w-]))"),
        "weekday": (
            rf"(?:\b(?i:(?P<lead>{leads}))\s+)?(?:\b(?i:(?P<mod>{modifiers}))\s+)?",
            rf"\b(?P<wd>{weekday})(?![\w-])",
        ),
        # the words a match may start with before its key (``back`` patterns only; see _SCANS)
        "_decade_back": ("", r"(?i:\b(?:(?:early|mid|late)[\s-]+)?|\bthe\s+(?:twen|thir|for|fif|six|seven|eigh|nine))"),
        "_century_back": ("", r"(?i:\b(?:the\s+)?(?:1[0-9]|2[0-2]|[2-9])(?:st|nd|rd|th)[\s-]+)"),
        "_season_back": ("", r"(?i:\b(?:(?:last|this|next|this\s+past|this\s+coming|past)\s+)?)"),
        "_ago_back": ("", rf"(?i:\b(?:\d{{1,3}}|\[?(?:{numbers})\]?)\s+(?:day|week|month|year|decade|hour)s?\s+)"),
        "_relative_back": ("", rf"(?i:(?<![\w-])(?:{relative_leads})\s+)"),
    }


# How each pattern is found fast (keyscan): the key every match contains, whether the key is scanned for
# in the lower-cased text, and how far before its key a match may start.  A match starts either at its
# key or where the part of the pattern before the key (its ``back`` pattern) begins.
_KEYS: dict[str, tuple[Callable[[_DateVocabulary], re.Pattern[str] | keyscan.Literals], bool]] = {
    "month": (lambda w: key_pattern(w.months), False),
    "weekday": (lambda w: key_pattern(w.weekdays), False),
    "year": (lambda w: re.compile(_YEAR), False),
    "numeric": (lambda w: re.compile(r"\d[/.]\d"), False),
    "ties": (lambda w: re.compile("ties"), True),  # "the twenties" ... "the nineties"; "1990s" has a year key
    "century": (lambda w: re.compile("century"), True),
    "season": (lambda w: keyscan.Literals(ignorecase_form(s) for s in w.seasons), True),
    "ago": (lambda w: re.compile("ago"), True),
    "relative": (lambda w: keyscan.Literals(ignorecase_form(p.split()[-1]) for p in w.relative), True),
}
_SCANS: dict[str, tuple[str, int, str | None]] = {
    # pattern: (key, width, back)
    "month_day": ("month", 30, "month_day"),
    "day_month": ("month", 50, "day_month"),
    "month_year": ("month", 0, None),
    "part_month": ("month", 50, "part_month"),
    "rel_month": ("month", 40, "rel_month"),
    "month": ("month", 0, None),
    "part_year": ("year", 50, "part_year"),
    "iso": ("year", 0, None),
    "numeric": ("numeric", 1, None),
    "decade": ("year ties", 20, "_decade_back"),
    "century": ("century", 30, "_century_back"),
    "season": ("season", 40, "_season_back"),
    "year": ("year", 0, None),
    "ago": ("ago", 50, "_ago_back"),
    "relative": ("relative", 50, "_relative_back"),
    "weekday": ("weekday", 50, "weekday"),
}


@cache
def _scanners() -> tuple[dict[str, tuple[re.Pattern[str] | keyscan.Literals, bool]], dict[str, re.Pattern[str]]]:
    """The compiled keys, and each pattern's ``back`` pattern (its part before the key, then the end)."""
    w = _words()
    keys = {name: (make(w), low) for name, (make, low) in _KEYS.items()}
    parts = _pattern_parts()
    backs = {name: re.compile(rf"(?:{parts[back][0] or parts[back][1]})\Z") for name, (_, _, back) in _SCANS.items() if back}
    return keys, backs


class _Scan:
    """The matches of each date pattern in one text, found from its keys (see ``keyscan``)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._low: str | None = None
        self._keys: dict[str, list[int]] = {}

    def _key_positions(self, name: str) -> list[int]:
        if " " in name:  # several keys
            return sorted(set().union(*(self._key_positions(n) for n in name.split())))
        if name not in self._keys:
            pattern, low = _scanners()[0][name]
            if low and self._low is None:
                self._low = keyscan.folded(self.text)
            scanned: str = self._low if low else self.text  # type: ignore[assignment]
            if isinstance(pattern, keyscan.Literals):
                self._keys[name] = pattern.starts(scanned)
            else:
                self._keys[name] = [m.start() for m in pattern.finditer(scanned)]
        return self._keys[name]

    def finditer(self, name: str) -> Iterator[re.Match[str]]:
        key, width, back = _SCANS[name]
        return keyscan.matches(_patterns()[name], self.text, self._key_positions(key), width, _scanners()[1].get(name) if back else None)


_NOT_YEAR_AFTER = re.compile(
    r"\s+(?:(?!was\b|has\b|as\b|is\b|its\b|his\b|this\b|thus\b|plus\b|us\b|across\b|unless\b|always\b|"
    r"perhaps\b|whereas\b|besides\b)[a-z]+s\b|people|men|women|troops|soldiers|km|m|kg|feet|miles|metres|meters|"
    r"tons|tonnes|units|votes|hours|acres)\b"
)
_YEAR_LEAD = re.compile(
    r"(?i:\b(?:in|since|by|of|from|until|till|to|through|and|or|between|before|after|during|early|late|mid|the|"
    r"around|about|circa|year|spring|summer|autumn|fall|winter|season)\s+)$"
)
_DECADE_WORDS = {
    "twenties": 1920,
    "thirties": 1930,
    "forties": 1940,
    "fifties": 1950,
    "sixties": 1960,
    "seventies": 1970,
    "eighties": 1980,
    "nineties": 1990,
}


def _parsed(written: str) -> date | None:
    """``parse_date(written)``, None where it raises ValueError; remembered, because dateutil takes a
    third of a millisecond per date and the same dates come back across articles (the answer depends
    on the string alone: parse_date fills no part from today)."""
    when = _PARSED.get(written, _UNPARSED)
    if when is _UNPARSED:
        try:
            when = parse_date(written)
        except ValueError:
            when = None
        if len(_PARSED) >= 20000:
            _PARSED.clear()
        _PARSED[written] = when
    return when  # type: ignore[return-value]


_PARSED: dict[str, date | None] = {}
_UNPARSED = object()


def _collect(finder: _Finder) -> None:
    text = finder.text
    w = _words()
    scan = _Scan(text)
    month_led, holiday_led = _lead_patterns()

    def full_date(m: re.Match[str]) -> None:
        if m.group("year"):
            when = _parsed(re.sub(r"(?i)^the\s+|\s+of(?=\s)", "", m.group()))
            if when is None:
                return
            finder.add(m.start(), m.end(), lambda _pub, d=when: _day(d))
            return
        month, day = w.months[m.group("month").rstrip(".")], int(m.group("day"))
        if not 1 <= day <= 31:
            return
        tense = finder.tense(m.start(), m.end())

        def resolve(pub: date | None) -> Resolved | None:
            if pub is None:
                return None
            when = _safe_date(_closest_year(pub, month, day, tense), month, day)
            return _day(when) if when else None

        finder.add(m.start(), m.end(), resolve)

    for name in ("month_day", "day_month"):
        for m in scan.finditer(name):
            full_date(m)

    for m in scan.finditer("month_year"):
        finder.add(m.start(), m.end(), lambda _p, y=int(m.group("year")), mo=w.months[m.group("month").rstrip(".")]: _month(y, mo))

    for m in scan.finditer("part_month"):
        mo = w.months[m.group("month").rstrip(".")]
        if m.group("year"):
            finder.add(m.start(), m.end(), lambda _p, y=int(m.group("year")), mo=mo: _month(y, mo))
        else:
            finder.add(m.start(), m.end(), _month_resolver(mo, finder.tense(m.start(), m.end())))

    for m in scan.finditer("rel_month"):
        rel = m.group("rel").lower().split()
        direction = "past" if "last" in rel or "past" in rel else "future" if rel[-1] in ("next", "coming") else None
        direction = direction or finder.tense(m.start(), m.end())
        finder.add(m.start(), m.end(), _month_resolver(w.months[m.group("month").rstrip(".")], direction, strict=True))

    for m in scan.finditer("month"):
        name = m.group("month")
        if name not in _FULL_MONTHS:
            continue  # abbreviations need a day or year
        led = month_led.search(text[max(0, m.start() - 25) : m.start()]) is not None
        if name in w.ambiguous_months and not led:
            continue
        if not led and re.match(r"\s+[A-Z][a-z]", text[m.end() : m.end() + 3]):
            continue  # "June Carter", "August Wilson"
        finder.add(m.start(), m.end(), _month_resolver(w.months[name], finder.tense(m.start(), m.end())))

    for m in scan.finditer("part_year"):
        finder.add(m.start(), m.end(), lambda _p, y=int(m.group("year")): _year(y))

    for m in scan.finditer("iso"):
        when = _parsed(m.group())
        if when is None:
            continue
        finder.add(m.start(), m.end(), lambda _p, d=when: _day(d))

    for m in scan.finditer("numeric"):
        when = _numeric_date(int(m.group("a")), int(m.group("b")), m.group("y"))
        if when:
            finder.add(m.start(), m.end(), lambda _p, d=when: _day(d))

    for m in scan.finditer("decade"):
        first = int(m.group("decade")) if m.group("decade") else _DECADE_WORDS[m.group("word").lower()]
        finder.add(m.start(), m.end(), lambda _p, f=first: _years(f, f + 9))

    for m in scan.finditer("century"):
        n = int(m.group("n"))
        finder.add(m.start(), m.end(), lambda _p, n=n: _years((n - 1) * 100, (n - 1) * 100 + 99))

    for m in scan.finditer("season"):
        if not m.group("rel") and not m.group("year"):
            continue  # "summer" alone: too vague, and "fall"/"spring" are verbs
        first = w.seasons[m.group("season").lower()]
        if m.group("year"):
            finder.add(m.start(), m.end(), lambda _p, y=int(m.group("year")), f=first: _months(y, f, 3))
        else:
            rel = m.group("rel").lower().split()[-1]
            finder.add(m.start(), m.end(), _season_resolver(first, rel))

    for m in scan.finditer("year"):
        before = text[max(0, m.start() - 20) : m.start()]
        if not _YEAR_LEAD.search(before) and _NOT_YEAR_AFTER.match(text, m.end()):
            continue
        finder.add(m.start(), m.end(), lambda _p, y=int(m.group("year")): _year(y))

    for m in scan.finditer("ago"):
        raw = " ".join(m.group("n").strip("[]").lower().split())
        n = int(raw) if raw.isdigit() else w.numbers[raw]
        finder.add(m.start(), m.end(), _ago_resolver(n, m.group("unit").lower()))

    for m in scan.finditer("relative"):
        if m.group()[0].isupper() and not _sentence_initial(text, m.start()):
            continue  # "Trees for Tomorrow", "USA Today"
        unit, offset = w.relative[" ".join(m.group().lower().split())]
        if offset == "tense":
            offset = finder.tense(m.start(), m.end()) or "past"
        finder.add(m.start(), m.end(), _relative_resolver(unit, offset))

    for m in scan.finditer("weekday"):
        if holiday_led.search(text[max(0, m.start("wd") - 12) : m.start("wd")]):
            continue  # "Good Friday", "Super Tuesday"
        mod = " ".join((m.group("mod") or "").lower().split())
        direction = w.weekday_modifiers.get(mod, "tense")
        strict = direction != "tense"
        if not strict:
            direction = finder.tense(m.start(), m.end()) or "past"
        finder.add(m.start(), m.end(), _weekday_resolver(w.weekdays[m.group("wd")], direction, strict))


@cache
def _lead_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Words before a month name that make it a date ("in May"); words before a weekday that make it a holiday."""
    w = _words()
    return (
        re.compile(rf"(?i:\b(?:{_alternation(w.month_lead)}))\s*$"),
        re.compile(rf"\b(?:{_alternation(w.weekday_not_after)})\s+$"),
    )


def _sentence_initial(text: str, pos: int) -> bool:
    """Whether ``pos`` starts the text, a sentence, a line or a quotation."""
    while pos and text[pos - 1] in " \t":
        pos -= 1
    return not pos or text[pos - 1] in "\"“‘'([.!?:\n—–-"


def _numeric_date(a: int, b: int, year_text: str) -> date | None:
    """A numeric date: month first (US) unless the first number cannot be a month."""
    year = int(year_text)
    if len(year_text) == 2:
        year += 2000 if year < 50 else 1900
    month, day = (a, b) if a <= 12 else (b, a)
    return _safe_date(year, month, day)


def _month_resolver(month: int, tense: str | None, strict: bool = False) -> Resolver:
    def resolve(pub: date | None) -> Resolved | None:
        if pub is None:
            return None
        if strict and tense == "past":
            year = pub.year if month < pub.month else pub.year - 1
        elif strict and tense == "future":
            year = pub.year if month > pub.month else pub.year + 1
        else:
            year = _closest_year(pub, month, None, tense)
        return _month(year, month)

    return resolve


def _season_resolver(first_month: int, rel: str) -> Resolver:
    def resolve(pub: date | None) -> Resolved | None:
        if pub is None:
            return None
        seasons = [(y, first_month) for y in range(pub.year - 2, pub.year + 2)]
        spans = [(y, m, season.first, season.last) for y, m in seasons for season in [Period.months(y, m, 3)]]
        if rel in ("last", "past"):
            y, m, _, _ = [s for s in spans if s[3] < pub][-1]
        elif rel in ("next", "coming"):
            y, m, _, _ = [s for s in spans if s[2] > pub][0]
        else:
            current = [s for s in spans if s[2] <= pub <= s[3]]
            y, m, _, _ = current[0] if current else [s for s in spans if s[0] == pub.year][0]
        return _months(y, m, 3)

    return resolve


def _ago_resolver(n: int, unit: str) -> Resolver:
    def resolve(pub: date | None) -> Resolved | None:
        if pub is None:
            return None
        if unit == "hour":
            return _day(pub - timedelta(days=round(n / 24)))
        if unit == "day":
            return _day(pub - timedelta(days=n))
        if unit == "week":
            return _week(pub - timedelta(weeks=n))
        if unit == "month":
            return _month(*_shift_month(pub.year, pub.month, -n))
        return _year(pub.year - n * (10 if unit == "decade" else 1))

    return resolve


def _relative_resolver(unit: str, offset: Any) -> Resolver:
    def resolve(pub: date | None) -> Resolved | None:
        if pub is None:
            return None
        if unit == "day":
            return _day(pub + timedelta(days=offset))
        if unit == "week":
            return _week(pub + timedelta(weeks=offset))
        if unit == "weekend":
            return _weekend(_past_weekend(pub) if offset == "past" else _next_weekend(pub))
        if unit == "month":
            return _month(*_shift_month(pub.year, pub.month, offset))
        return _year(pub.year + offset)

    return resolve


def _weekday_resolver(weekday: int, direction: str, strict: bool) -> Resolver:
    """Past: the latest such day up to publication; future: the next one from publication.

    ``strict`` ("last Monday", "next Monday") excludes the publication day itself.
    """

    def resolve(pub: date | None) -> Resolved | None:
        if pub is None:
            return None
        if direction == "future":
            ahead = (weekday - pub.weekday()) % 7
            return _day(pub + timedelta(days=ahead or (7 if strict else 0)))
        back = (pub.weekday() - weekday) % 7
        return _day(pub - timedelta(days=back or (7 if strict else 0)))

    return resolve


# ------------------------------------------------------------------------------- API


def find_dates(text: str, published: date | None) -> list[DateRef]:
    """Every date expression in ``text``, sorted by start and non-overlapping, resolved against ``published``."""
    finder = _Finder(text)
    _collect(finder)
    refs = []
    for cand in finder.chosen():
        resolved = cand.resolve(published)
        if resolved is None:
            refs.append(DateRef(text[cand.start : cand.end], cand.start, cand.end))
            continue
        value, precision, first, last = resolved
        refs.append(DateRef(text[cand.start : cand.end], cand.start, cand.end, value, precision, first.isoformat(), last.isoformat()))
    return refs


_REPORTING = re.compile(
    r"\b(?:said|says|say|told|tells|stated|states|added|adds|wrote|writes|announced|announces|reported|reports|"
    r"warned|warns|urged|urges|claimed|claims|denied|denies|alleged|alleges|accused|clarified|explained|confirmed|"
    r"insisted|argued|noted|stressed|proposed|called|appealed|demanded|predicted|expected|suggested|hoped|"
    r"reaffirmed|reiterated|pledged|vowed|promised|threatened|criticised|criticized|condemned|admitted|"
    r"acknowledged|voiced|expressed|offered|rejected|dismissed|questioned|cautioned|doubted|asserted)\b"
)


def date_near(dates: list[DateRef], start: int, end: int, text: str, cue_start: int | None = None) -> DateRef | None:
    """The date of the statement at ``[start, end)``: the nearest date in its sentence.

    Dates outside the statement's own words come first; among them, the one nearest before the
    reporting verb (``cue_start``, else the first reporting verb found outside the statement).
    """
    left, right = sentence_bounds(text, start, max(start, end - 1))
    inside = [d for d in dates if d.start is not None and d.end is not None and left <= d.start and d.end <= right]
    if not inside:
        return None
    outside = [d for d in inside if d.end <= start or d.start >= end]  # type: ignore[operator]
    pool = outside or inside
    if cue_start is None:
        for match in _REPORTING.finditer(text, left, right):
            if match.end() <= start or match.start() >= end:
                cue_start = match.start()
                break
    if cue_start is None:
        return min(pool, key=lambda d: abs(d.start - start))  # type: ignore[operator]
    before = [d for d in pool if d.end <= cue_start]  # type: ignore[operator]
    if before:
        return max(before, key=lambda d: d.end)  # type: ignore[arg-type,return-value]
    return min(pool, key=lambda d: d.start - cue_start)  # type: ignore[operator,return-value]
