"""How dates and counts read on the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from archive.model import DateRef


def _day(value: str | date) -> str:
    if isinstance(value, date):
        d = value
    else:
        try:
            d = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return f"{d.day} {d:%b %Y}"


def when(ref: DateRef | None, published: date | None = None) -> str:
    """A statement's date as a reader says it: "22 Apr 2025", "week of 14 Apr 2025", "April 2025"…"""
    if ref is None or (ref.value is None and ref.range_start is None):
        if ref is not None and ref.text:
            return f"“{ref.text}” (unresolved)"
        return _day(published) if published else "undated"
    start = ref.range_start or ref.value or ""
    if ref.precision == "day":
        return _day(start)
    if ref.precision == "article":
        return f"{_day(start)} (published)"
    if ref.precision == "week":
        return f"weekend of {_day(start)}" if (ref.value or "").endswith("-WE") else f"week of {_day(start)}"
    if ref.precision == "month" and len(start) >= 7:
        if ref.range_end and ref.range_end[:7] != start[:7]:
            return f"{date.fromisoformat(start[:7] + '-01'):%b %Y} – {date.fromisoformat(ref.range_end[:7] + '-01'):%b %Y}"
        return f"{date.fromisoformat(start[:7] + '-01'):%B %Y}"
    if ref.precision == "year":
        return start[:4]
    return ref.value or start


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def web_url(url: str | None) -> str | None:
    """The URL if it is an http(s) link, else None: an article's URL never becomes a javascript: link."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


TYPE_LABELS = {"person": "Person", "organization": "Organization", "group": "Group", "unknown": "Anonymous or unknown"}
DIRECT_LABELS = {"true": "Direct quote", "false": "Reported speech"}
# The confidence bands (archive.model.confidence_band) as readers see them, with what each promises
# (bench/calibration.py on the dev sets).
CONFIDENCE_LABELS = {"high": "High confidence", "medium": "Medium confidence", "low": "Low confidence"}
CONFIDENCE_NOTES = {
    "high": "high confidence",
    "medium": "medium confidence: worth a check",
    "low": "low confidence: check the attribution",
}
CONFIDENCE_MEANINGS = {
    "high": "about 98 in 100 such attributions were right on the test sets",
    "medium": "about 8 in 10 such attributions were right on the test sets",
    "low": "most such attributions were wrong on the test sets",
}


def confidence_note(band: str) -> tuple[str, str]:
    """A band's short note for a statement ("low confidence: check the attribution") and what it means."""
    return CONFIDENCE_NOTES.get(band, band), CONFIDENCE_MEANINGS.get(band, "")


@lru_cache(maxsize=512)
def _country(code: str) -> str:
    import pycountry

    found = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    return getattr(found, "common_name", None) or getattr(found, "name", None) or code


def facet_label(facet: str, label: str) -> str:
    """A facet value as a reader says it: "UA" → "Ukraine", "unknown" speaker type → "Anonymous or unknown"."""
    if facet == "country":
        return _country(label)
    if facet == "type":
        return TYPE_LABELS.get(label, label)
    if facet == "direct":
        return DIRECT_LABELS.get(label, label)
    if facet == "confidence":
        return CONFIDENCE_LABELS.get(label, label)
    return label


@dataclass(frozen=True)
class Bar:
    """One period of a timeline, ready to draw: where (percent of the width), how high (percent of the plot)."""

    start: str
    end: str
    count: int
    label: str  # the exact period, for tooltips and screen readers
    x: float
    width: float
    height: float
    span: str | None = None  # statements dated only to this month or year (drawn across the period)


MAX_BARS = 240  # past this many periods, a timeline steps up to coarser ones
MIN_SLOTS = 12  # the width of a timeline is divided into at least this many periods


def _period(start: date, step: str) -> tuple[date, str]:
    """The last day and the name of the period of ``step`` starting at ``start``."""
    if step == "year":
        return start.replace(month=12, day=31), f"{start:%Y}"
    if step == "month":
        following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        return following - timedelta(days=1), f"{start:%B %Y}"
    if step == "week":
        return start + timedelta(days=6), f"week of {start.day} {start:%b %Y}"
    return start, f"{start.day} {start:%b %Y}"


def _next(start: date, step: str) -> date:
    if step == "year":
        return start.replace(year=start.year + 1)
    if step == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=7 if step == "week" else 1)


def _floor(day: date, step: str) -> date:
    if step == "year":
        return day.replace(month=1, day=1)
    if step == "month":
        return day.replace(day=1)
    if step == "week":
        return day - timedelta(days=day.weekday())
    return day


def timeline_bars(buckets, step: str) -> list[Bar]:
    """Every period from the first to the last as a bar (empty ones at zero height), then the coarse spans.

    2022-01 is never drawn next to 2025-01: the months between are there, empty.  Statements dated
    only to a month or a year (``bucket.span``) become a band across their whole period.
    """
    fine: dict[date, int] = {}
    coarse = [(date.fromisoformat(b.start), b.span, b.count) for b in buckets if b.span]
    for b in buckets:
        if not b.span:
            fine[date.fromisoformat(b.start)] = b.count
    if not fine and not coarse:
        return []
    first = min([*fine, *(d for d, _, _ in coarse)])
    last = max([*fine, *(_period(d, span)[0] for d, span, _ in coarse)])
    order = ("day", "week", "month", "year")
    while step != "year" and _span_count(first, last, step) > MAX_BARS:
        step = order[order.index(step) + 1]
        regrouped: dict[date, int] = {}
        for d, n in fine.items():
            regrouped[_floor(d, step)] = regrouped.get(_floor(d, step), 0) + n
        fine = regrouped
    starts = []
    cursor = _floor(first, step)
    while cursor <= last:
        starts.append(cursor)
        cursor = _next(cursor, step)
    n = max(len(starts), MIN_SLOTS)  # a few periods stay slim bars at the left, not one wide block
    peak = max([*fine.values(), *(c for _, _, c in coarse), 1])
    bars = []
    for i, start in enumerate(starts):
        end, name = _period(start, step)
        count = fine.get(start, 0)
        bars.append(
            Bar(
                start.isoformat(),
                end.isoformat(),
                count,
                f"{name}: {plural(count, 'statement')}",
                round(100 * i / n, 3),
                round(80 / n, 3),
                round(100 * count / peak, 1),
            )
        )
    for start, span, count in coarse:
        end, name = _period(start, span)
        i = sum(1 for s in starts if s < start)
        j = sum(1 for s in starts if s <= end)
        bars.append(
            Bar(
                start.isoformat(),
                end.isoformat(),
                count,
                f"{name}: {plural(count, 'statement')} dated only to the {span}",
                round(100 * i / n, 3),
                round(100 * (j - i) / n - 20 / n, 3),
                round(100 * count / peak, 1),
                span,
            )
        )
    return bars


def _span_count(first: date, last: date, step: str) -> int:
    days = (last - first).days
    return {"day": days, "week": days // 7, "month": days // 30, "year": days // 365}[step] + 1


def timeline_axis(bars: list[Bar], most: int = 6) -> list[tuple[float, str]]:
    """Labels under a timeline: where a year (or, over a short range, a month) begins, at most ``most`` of them."""
    fine = [b for b in bars if not b.span]
    if not fine:
        return []
    years = {b.start[:4] for b in fine}
    ticks: list[tuple[float, str]] = []
    previous = None
    for b in fine:
        start = date.fromisoformat(b.start)
        key = start.year if len(years) > 1 else (start.year, start.month)
        if key != previous:
            # within one year: months by their short name, the year once (labels must fit a phone's width)
            ticks.append((b.x, f"{start:%Y}" if len(years) > 1 else f"{start:%b %Y}" if not ticks else f"{start:%b}"))
            previous = key
    stride = -(-len(ticks) // most)
    return ticks[::stride]
