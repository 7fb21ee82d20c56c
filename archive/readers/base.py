"""What every reader shares: the error it raises, what it returns, how it decodes bytes and breaks paragraphs."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

from charset_normalizer import from_bytes

from archive.model import Article

# Breaks in Article.text, the one paragraph convention.  A blank line ends a paragraph and a newline
# ends a line, where the reader can tell the two apart: plain text keeps its own, and feeds (whose
# HTML has <p> and <br>) put PARAGRAPH_BREAK between paragraphs and LINE_BREAK inside them.  The HTML
# reader cannot: trafilatura's text has one block per line with no mark of which were paragraphs, so
# its blocks are LINE_BREAK apart.  Extraction reads a blank line as a paragraph end (a quotation
# left open there goes on in the next paragraph, in pieces: archive/extract/quotes.py), so joining
# HTML blocks with PARAGRAPH_BREAK instead is not done: it changes the statements of 7 of the 250
# dev/html pages, which no gold set scores.  Article ids do not depend on either break (article_id
# folds all whitespace), so an article is recognised on re-ingest whichever break it was stored with.
PARAGRAPH_BREAK = "\n\n"
LINE_BREAK = "\n"


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


def bs4_detector():
    """bs4's ``EncodingDetector``, imported on first use: importing bs4 takes 80 ms, which every parley
    command paid at start (an ingest's storing process reads nothing, its workers do)."""
    from bs4.dammit import EncodingDetector

    return EncodingDetector


def looks_binary(data: bytes) -> bool:
    """NUL bytes or mostly control characters in the first 8 KiB: not text in any encoding we read.

    Text behind a byte-order mark (UTF-16 and UTF-32 hold NULs) is text."""
    head = data[:8192]
    if not head:
        return False
    if bs4_detector().strip_byte_order_mark(head)[1]:
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls / len(head) > 0.05


# --- data: charsets ---------------------------------------------------------------------------------

# Legacy encodings a file may arrive in undeclared, for the detector to choose from: Western and
# Cyrillic code pages.  An open choice lets it pick cp1250 for French text ("trêve" -> "tręve").
LEGACY_ENCODINGS = ["cp1252", "cp1251", "koi8_r", "koi8_u"]
# Where a page declares its charset (<meta charset>, <meta http-equiv content="...; charset=...">,
# <?xml encoding?>): looked for in the first bytes only, as browsers do (they read 1024; pages
# often put the declaration after long scripts, so we read further).
CHARSET_SCAN_BYTES = 16384
# Labels browsers decode with a superset (WHATWG Encoding Standard); UTF-16/32 declared in a
# page without a BOM is a lie the page itself disproves (it was readable as ASCII).
CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "big5": "big5hkscs",
    "utf-16": "utf-8",
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",
    "utf-32": "utf-8",
    "unicode": "utf-8",
    "x-user-defined": "cp1252",
}
# An undeclared page that is not UTF-8 is read as a legacy code page (below) unless
# charset-normalizer finds a clean decoding in a non-Western language (a GBK Chinese page, say).
CHARSET_GUESS_MAX_CHAOS = 0.1
WESTERN_LANGUAGES = {"English", "German", "French", "Spanish", "Portuguese", "Italian", "Dutch", "Unknown"}


# --- bytes to text ----------------------------------------------------------------------------------


def decode_text(data: bytes, source: str, declared: str | None = None, notes: list[str] | None = None, *, html: bool = False) -> str:
    """Bytes to text, by the one rule every reader follows, most trusted first:

    1. a byte-order mark (UTF-8, UTF-16, UTF-32), as bs4's ``EncodingDetector`` sniffs it;
    2. UTF-8, when the bytes are valid UTF-8, whatever is declared: no real Latin-1 text forms valid
       multi-byte sequences, and mislabelled UTF-8 pages are common;
    3. the declared charset, read by its WHATWG label (ISO-8859-1 is Windows-1252): ``declared``
       (a feed's XML prolog) or, with ``html``, the page's own ``<meta charset>`` / ``<?xml
       encoding?>`` (``declared_charset``);
    4. with ``html`` and no charset (but UTF-8) declared, a non-Western code page charset-normalizer
       reads cleanly (``_guess_charset``);
    5. a legacy code page detected among ``LEGACY_ENCODINGS``, line by line when most lines are UTF-8.

    bs4's ``UnicodeDammit`` runs a cascade of its own, which we do not use: on our test pages it
    reads the declared charset before UTF-8 (mislabelled UTF-8 becomes "AuÃ\\x9fenminister"), takes
    ISO-8859-1 for Latin-1 (smart quotes become C1 controls), gb2312 for GBK, and picks any code page
    by statistics (cp852 for an English Windows-1252 file).

    Bytes no step decodes cleanly are replaced with U+FFFD.  Every guess and every replacement is
    added to ``notes`` in words, so nothing is decoded by guesswork silently.  Raises ReadError for
    empty or binary input.  Line endings become ``\\n``.
    """
    notes = notes if notes is not None else []
    if not data.strip():
        raise ReadError(source, "empty file: nothing to read")
    if looks_binary(data):
        raise ReadError(source, "binary file: not text, HTML, a feed or JSON")
    body, bom = bs4_detector().strip_byte_order_mark(data)
    if bom:
        text = _decode(body, bom, notes, strict=False)
    else:
        text = _decode(data, "utf-8", notes)
        declared = declared_charset(data) if html else declared
        codec = codec_for(declared) if declared else None
        if text is None and codec and codec != "utf-8":
            text = _decode(data, codec, notes)
            if text is None:
                notes.append(f"not valid in its declared encoding {declared.strip()!r}")
        if text is None and html and codec in (None, "utf-8"):
            guess = _guess_charset(data)
            text = _decode(data, guess, notes) if guess else None
            if text is not None:
                notes.append(f"no encoding declared and not UTF-8: read as {guess} (detected)")
        if text is None:
            text = _decode_undeclared(data, notes)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first bytes, as the codec we decode it with."""
    label = bs4_detector().find_declared_encoding(data[:CHARSET_SCAN_BYTES], is_html=True, search_entire_document=True)
    return codec_for(label) if label else None


def codec_for(label: str) -> str | None:
    """The Python codec for a charset label (by its WHATWG meaning), or None for a label that names
    no text encoding (unknown, or a bytes codec such as rot13 or zlib)."""
    label = label.strip().strip("\"'").lower()
    try:
        codec = codecs.lookup(CHARSET_ALIASES.get(label, label)).name
        b"a".decode(codec)  # LookupError for codecs that are not text encodings
    except LookupError:
        return None
    except UnicodeDecodeError:
        pass  # a text encoding of more than one byte a character (UTF-16)
    return codec


def _decode(data: bytes, encoding: str, notes: list[str], *, strict: bool = True) -> str | None:
    """``data`` in ``encoding``; None when it is not valid there, unless not ``strict``: then
    what is not valid is replaced with U+FFFD, and ``notes`` says so."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        if strict:
            return None
    notes.append(f"bytes that are not valid {encoding} were replaced with U+FFFD")
    return data.decode(encoding, errors="replace")


def _guess_charset(data: bytes) -> str | None:
    """An undeclared page that is not UTF-8: the code page charset-normalizer reads it in, when that is
    the only one that reads it or it reads cleanly in a non-Western language; else None."""
    sample = data if len(data) <= 65536 else data[:32768] + data[-32768:]
    best = from_bytes(sample).best()
    if best is None or best.encoding in ("ascii", "utf_8"):
        return None
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError:
        return best.encoding
    if best.chaos < CHARSET_GUESS_MAX_CHAOS and best.language not in WESTERN_LANGUAGES:
        return best.encoding
    return None


def _decode_undeclared(data: bytes, notes: list[str]) -> str:
    lines = data.split(b"\n")
    bad = [line for line in lines if not _is_utf8(line)]
    good_non_ascii = sum(1 for line in lines if not line.isascii() and _is_utf8(line))
    if good_non_ascii > len(bad):  # mostly UTF-8: decode line by line
        encoding = _detect(b"\n".join(bad))
        notes.append(f"mixed encodings: {len(bad)} line(s) are not UTF-8 and were read as {encoding} (detected)")
        _decode(b"\n".join(bad), encoding, notes, strict=False)  # only to say so when bytes are replaced
        return "\n".join(line.decode("utf-8") if _is_utf8(line) else line.decode(encoding, errors="replace") for line in lines)
    encoding = _detect(data)
    notes.append(f"no encoding declared and not UTF-8: read as {encoding} (detected)")
    return _decode(data, encoding, notes, strict=False)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _detect(data: bytes) -> str:
    """The legacy encoding charset-normalizer finds most coherent, else cp1252 (which decodes most bytes)."""
    best = from_bytes(data[:200_000], cp_isolation=LEGACY_ENCODINGS).best()
    return best.encoding if best is not None else "cp1252"
