"""What every reader shares: the error it raises, what it returns, and how it decodes bytes."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

from archive.model import Article


class ReadError(Exception):
    """A whole input was rejected; ``reason`` says why in words a user can act on."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


@dataclass
class ReadResult:
    """What one input gave: its articles, and the parts of it that were rejected (with why)."""

    source: str
    articles: list[Article] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class Reader:
    """Turns the bytes of one input into articles.  Subclasses set ``suffixes`` and ``read``."""

    name: str = ""
    suffixes: tuple[str, ...] = ()

    def read(self, data: bytes, source: str) -> ReadResult:
        raise NotImplementedError

    def sniff(self, head: bytes) -> bool:
        """Whether ``head`` (the first bytes of an input with no useful suffix) looks like this format."""
        return False


def looks_binary(data: bytes) -> bool:
    """NUL bytes or mostly control characters in the first 8 KiB: not text in any encoding we read."""
    head = data[:8192]
    if not head:
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls / len(head) > 0.05


def decode_text(data: bytes, source: str, declared: str | None = None) -> str:
    """Bytes to text: a BOM wins, then the declared charset, then UTF-8, then Windows-1252, then Latin-1.

    Raises ReadError for empty or binary input.  Line endings become ``\\n``.
    """
    if not data.strip():
        raise ReadError(source, "empty file: nothing to read")
    if looks_binary(data):
        raise ReadError(source, "binary file: not text, HTML, a feed or JSON")
    text = None
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            text = data.decode(encoding, errors="replace")
            break
    if text is None:
        candidates = [declared] if declared else []
        candidates += ["utf-8", "cp1252"]
        for encoding in candidates:
            try:
                text = data.decode(_known_codec(encoding) or "utf-8")
                break
            except (UnicodeDecodeError, LookupError):
                continue
        else:
            text = data.decode("latin-1")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _known_codec(name: str) -> str | None:
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
