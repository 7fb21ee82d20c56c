"""JSON Lines and JSON files: one article per object.

Each object has ``text`` (plain) or ``html`` (turned into text by the HTML reader), and optionally
``title``, ``published``, ``url``, ``source``, ``author``, ``language``.  A ``.json`` file holds one
object or a list of them.  A bad line or object is reported and skipped; the others are kept.
"""

from __future__ import annotations

import json
from typing import Any

from archive.dateparse import parse_date
from archive.model import Article
from archive.readers.base import Reader, ReadError, ReadResult, decode_text

_FIELDS = ("title", "url", "source", "author", "language")


class JsonReader(Reader):
    name = "jsonl"
    suffixes = (".jsonl", ".ndjson", ".json")

    def read(self, data: bytes, source: str) -> ReadResult:
        result = ReadResult(source)
        text = decode_text(data, source, notes=result.warnings)
        for where, item in self._objects(text, source, result):
            try:
                article, note = self._article(item, source)
            except ValueError as error:
                result.problems.append(f"{where}: {error}")
                continue
            if note:
                result.problems.append(f"{where}: {note}")
            result.articles.append(article)
        if not result.articles:
            reasons = "; ".join(result.problems[:3]) or "no objects"
            raise ReadError(source, f"no usable article in the file ({reasons})")
        return result

    def sniff(self, head: bytes) -> bool:
        return head.startswith((b"{", b"["))

    def _objects(self, text: str, source: str, result: ReadResult):
        stripped = text.lstrip()
        if source.lower().endswith(".json") or stripped.startswith("["):
            try:
                whole = json.loads(text)
            except json.JSONDecodeError as error:
                if not stripped.startswith("{"):
                    raise ReadError(source, f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
            except (RecursionError, ValueError) as error:
                raise ReadError(source, f"unreadable JSON: {_why(error)}") from None
            else:
                items = whole if isinstance(whole, list) else [whole]
                for number, item in enumerate(items, 1):
                    yield f"object {number}", item
                return
        for number, line in enumerate(text.split("\n"), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as error:
                result.problems.append(f"line {number}: invalid JSON ({error.msg} at column {error.colno})")
                continue
            except (RecursionError, ValueError) as error:
                result.problems.append(f"line {number}: unreadable JSON ({_why(error)})")
                continue
            yield f"line {number}", item

    def _article(self, item: Any, source: str) -> tuple[Article, str | None]:
        if not isinstance(item, dict):
            raise ValueError(f"expected an object, got {type(item).__name__}")
        fields = {key: _string(item, key) for key in _FIELDS}
        text = _string(item, "text")
        html = _string(item, "html")
        if text is None and html:
            from archive.readers.html import HtmlReader

            try:
                page = HtmlReader().read(html.encode("utf-8"), source).articles[0]
            except ReadError as error:
                raise ValueError(error.reason) from None
            text = page.text
            fields = {key: fields[key] or getattr(page, key) for key in _FIELDS}
        if not text or not text.strip():
            raise ValueError("no 'text' or 'html' with article text")
        note = None
        published = None
        raw = item.get("published") or item.get("date")
        if raw:
            try:
                published = parse_date(str(raw))
            except ValueError:
                note = f"published {raw!r} is not a date: kept as unknown"
        return Article(text=text.replace("\r\n", "\n"), published=published, **fields), note


def _string(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"'{key}' must be a string, got {type(value).__name__}")
    return value.strip() if key != "text" else value


def _why(error: Exception) -> str:
    if isinstance(error, RecursionError):
        return "nested too deeply"
    return str(error).split(";")[0]  # e.g. "Exceeds the limit (4300 digits) for integer string conversion"
