"""How dates and counts read on the pages."""

from __future__ import annotations

from datetime import date

from archive.model import DateRef


def _day(iso: str) -> str:
    try:
        d = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{d.day} {d:%b %Y}"


def when(ref: DateRef | None, published: str | None = None) -> str:
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
