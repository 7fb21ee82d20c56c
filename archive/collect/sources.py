"""Sources: what the collector reads, from ``parley sources add`` or ``HOME/sources.toml``.

``sources.toml`` holds one ``[[source]]`` table per source::

    [[source]]
    url = "https://example.org/feed.xml"
    name = "Example News"     # optional: the articles' source name (default: the feed's title)
    every = "15m"             # optional: how often it is read (s, m, h, d; default 15m)
    lang = "en"               # optional: the articles' language where the page does not say

The file is read at every ``parley fetch``/``watch``/``sources list``; sources it no longer lists
are removed, and they cannot be removed with ``parley sources remove`` (the file would bring them back).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from archive.collect.identity import UrlError, canonical_url

SOURCES_FILE = "sources.toml"
DEFAULT_EVERY = 15 * 60
MIN_EVERY = 60  # no source is read more often than once a minute
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


class SourceError(ValueError):
    """A source or a sources.toml entry that cannot be used; the message says why."""


@dataclass(frozen=True)
class SourceSpec:
    """A source as the user gave it."""

    url: str
    name: str | None = None
    every: int = DEFAULT_EVERY
    lang: str | None = None


def parse_every(value: str | int | float, minimum: int = MIN_EVERY) -> int:
    """Seconds from "90s", "15m", "2h", "1d" (or a number of seconds); raises SourceError."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = int(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise SourceError(f"not a duration: {value!r} (use e.g. 30m, 2h, 1d)")
        seconds = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if seconds < minimum:
        raise SourceError(f"every {value!r} is too often: at least {minimum} s between runs of a source")
    return seconds


def format_every(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def make_spec(url: str, name: str | None = None, every: str | int | None = None, lang: str | None = None, *, minimum: int = MIN_EVERY) -> SourceSpec:
    try:
        canonical = canonical_url(url)
    except UrlError as error:
        raise SourceError(str(error)) from None
    if lang is not None and not _LANG.match(lang):
        raise SourceError(f"not a language tag: {lang!r} (use e.g. en, uk, pt-BR)")
    if name is not None and not name.strip():
        name = None
    return SourceSpec(
        canonical, name.strip() if name else None, parse_every(every, minimum) if every is not None else DEFAULT_EVERY, lang.lower() if lang else None
    )


def read_sources_file(home: str | os.PathLike[str], *, minimum: int = MIN_EVERY) -> tuple[list[SourceSpec], list[str]]:
    """The sources listed in ``HOME/sources.toml`` and a problem line for each entry that was skipped."""
    path = Path(home) / SOURCES_FILE
    if not path.is_file():
        return [], []
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SourceError(f"cannot read {path}: {error}") from None
    tables = data.get("source", [])
    if not isinstance(tables, list):
        raise SourceError(f"{path}: 'source' must be an array of tables ([[source]])")
    specs, problems = [], []
    for number, table in enumerate(tables, 1):
        if not isinstance(table, dict) or not isinstance(table.get("url"), str):
            problems.append(f"{path} source {number}: no url")
            continue
        unknown = set(table) - {"url", "name", "every", "lang"}
        if unknown:
            problems.append(f"{path} source {number}: unknown key(s) {', '.join(sorted(unknown))} (url, name, every, lang)")
            continue
        try:
            specs.append(make_spec(table["url"], table.get("name"), table.get("every"), table.get("lang"), minimum=minimum))
        except SourceError as error:
            problems.append(f"{path} source {number}: {error}")
    return specs, problems
