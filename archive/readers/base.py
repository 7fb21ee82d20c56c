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
    warnings: list[str] = field(default_factory=list)  # kept, but read with a guess (e.g. an encoding)


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


# Legacy encodings a file may arrive in undeclared, for the detector to choose from: Western and
# Cyrillic code pages.  An open choice lets it pick cp1250 for French text ("trêve" -> "tręve").
LEGACY_ENCODINGS = ["cp1252", "cp1251", "koi8_r", "koi8_u"]


def decode_text(data: bytes, source: str, declared: str | None = None, notes: list[str] | None = None) -> str:
    """Bytes to text: a BOM wins, then the declared charset, then UTF-8, then a detected legacy encoding.

    Text that is not UTF-8 and declares nothing is decoded as charset-normalizer detects (among
    ``LEGACY_ENCODINGS``), line by line when most lines are UTF-8 and some are not; each guess is
    added to ``notes`` in words, so nothing is decoded by guesswork silently.  Raises ReadError for
    empty or binary input.  Line endings become ``\n``.
    """
    notes = notes if notes is not None else []
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
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                text = data.decode(encoding, errors="replace")
                notes.append(f"bytes that are not valid {encoding} were replaced with U+FFFD")
            break
    if text is None and declared and _known_codec(declared):
        try:
            text = data.decode(_known_codec(declared))
        except UnicodeDecodeError:
            notes.append(f"not valid in its declared encoding {declared.strip()!r}")
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_undeclared(data, notes)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode_undeclared(data: bytes, notes: list[str]) -> str:
    lines = data.split(b"\n")
    bad = [line for line in lines if not _is_utf8(line)]
    good_non_ascii = sum(1 for line in lines if not line.isascii() and _is_utf8(line))
    if good_non_ascii > len(bad):  # mostly UTF-8: decode line by line
        encoding = _detect(b"\n".join(bad))
        notes.append(f"mixed encodings: {len(bad)} line(s) are not UTF-8 and were read as {encoding} (detected)")
        return "\n".join(line.decode("utf-8") if _is_utf8(line) else line.decode(encoding, errors="replace") for line in lines)
    encoding = _detect(data)
    notes.append(f"no encoding declared and not UTF-8: read as {encoding} (detected)")
    return data.decode(encoding, errors="replace")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _detect(data: bytes) -> str:
    """The legacy encoding charset-normalizer finds most coherent, else cp1252 (which decodes most bytes)."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000], cp_isolation=LEGACY_ENCODINGS).best()
    return best.encoding if best is not None else "cp1252"


def _known_codec(name: str) -> str | None:
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
