"""Plain-text and Markdown articles, with optional front matter.

Front matter is a block between two ``---`` lines at the very start, ``key: value`` per line
(``title``, ``published``, ``source``, ``url``, ``author``, ``language``).  The article body is
everything after the closing ``---`` line and its newline, verbatim.  Without front matter the
title is the first line when it looks like a headline, and the date is unknown.
"""

from __future__ import annotations

import re

from archive.dateparse import parse_date
from archive.model import Article
from archive.readers.base import Reader, ReadError, ReadResult, decode_text

_FENCE = re.compile(r"---[ \t]*\n")
_KEY_VALUE = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:[ \t]?(.*)")
_MAX_HEADLINE = 160


class TextReader(Reader):
    name = "text"
    suffixes = (".txt", ".md", ".markdown", ".text")

    def read(self, data: bytes, source: str) -> ReadResult:
        result = ReadResult(source)
        text = decode_text(data, source, notes=result.warnings)
        meta, body = split_front_matter(text, source)
        if not body.strip():
            raise ReadError(source, "no article text after the front matter")
        published = None
        if meta.get("published"):
            try:
                published = parse_date(meta["published"])
            except ValueError:
                result.problems.append(f"published {meta['published']!r} is not a date: kept as unknown")
        title = meta.get("title") or headline(body)
        result.articles.append(
            Article(
                text=body,
                title=title or None,
                published=published,
                source=meta.get("source") or None,
                url=meta.get("url") or None,
                author=meta.get("author") or None,
                language=meta.get("language") or None,
            )
        )
        return result

    def sniff(self, head: bytes) -> bool:
        return True


def split_front_matter(text: str, source: str = "<text>") -> tuple[dict[str, str], str]:
    """The front-matter fields and the body.  Text without front matter is all body."""
    if not _FENCE.match(text):
        return {}, text
    opening = _FENCE.match(text)
    assert opening is not None
    closing = re.compile(r"^---[ \t]*(\n|\Z)", re.MULTILINE).search(text, opening.end())
    if closing is None:
        raise ReadError(source, "front matter starts with '---' but has no closing '---' line")
    meta: dict[str, str] = {}
    for line in text[opening.end() : closing.start()].split("\n"):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _KEY_VALUE.fullmatch(line.rstrip())
        if match is None:
            raise ReadError(source, f"front matter line is not 'key: value': {line[:80]!r}")
        meta[match.group(1).lower()] = _unquote(match.group(2).strip())
    return meta, text[closing.end() :]


def headline(body: str) -> str | None:
    """The first line, when it reads like a headline: short, followed by more text, no final full stop."""
    first, _, rest = body.lstrip("\n").partition("\n")
    first = first.strip().lstrip("#").strip()
    if not first or not rest.strip() or len(first) > _MAX_HEADLINE:
        return None
    if first.endswith((".", ",", ";", ":", "”", '"')) or first.count(". ") > 0:
        return None
    return first


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value
