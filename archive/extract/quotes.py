"""Direct speech: the spans between quotation marks, paired the way news and fiction use them."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MARKS_RE", "Quotation", "find_quotations"]

_OPENERS = "“«„"
_CLOSERS = "”»"
_STRAIGHT = '"'
_MARKS = frozenset(_OPENERS + _CLOSERS + _STRAIGHT)
_TRAILING = " \t\n,"
MARKS_RE = re.compile('["“”«»„]')  # the double quotation marks
# Newswire archives (the NYT's among them) write a double mark as two apostrophes: ''…''
_DOUBLED_MARKS_RE = re.compile("''|[\"“”«»„]")
_SINGLE_MARKS_RE = re.compile('["“”«»„‘’]')
# a ‘ after no letter or digit; the mark comes first, so the regex engine skips in C from one ‘ to the next
_SINGLE_OPEN_RE = re.compile(r"‘(?<!\w‘)")  # stripped from the end of a quote's content (news puts the comma inside)


@dataclass(frozen=True)
class Quotation:
    """Text between quotation marks: ``open``/``close`` are the marks (``close`` None if left off)."""

    open: int
    close: int | None
    start: int  # content start
    end: int  # content end (trailing comma and spaces stripped)

    @property
    def outer_end(self) -> int:
        """Offset just after the closing mark (or the content, if the mark was left off)."""
        return self.close + 1 if self.close is not None else self.end


def _line_end(text: str, pos: int) -> int:
    n = text.find("\n", pos)
    return len(text) if n == -1 else n


def _starts_line(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] == "\n"


def _looks_opening(text: str, pos: int, width: int = 1) -> bool:
    before = text[pos - 1] if pos > 0 else "\n"
    after = text[pos + width] if pos + width < len(text) else "\n"
    return (before.isspace() or before in "([—–-:") and not after.isspace()


def find_quotations(text: str) -> list[Quotation]:
    """Quoted passages in order.  Straight marks alternate; a mark that opens a line while a quote is
    still open ends that quote at the previous line (news leaves the closing mark off a paragraph that
    the next one continues); a quote never closed ends with its line."""
    single = _single_quote_text(text)
    openers = _OPENERS + ("‘" if single else "")
    closers = _CLOSERS + ("’" if single else "")
    doubled = "''" in text and "“" not in text  # beside curly marks, '' is a dialect elision ("takin ''m")
    marks = _SINGLE_MARKS_RE if single else _DOUBLED_MARKS_RE if doubled else MARKS_RE
    out: list[Quotation] = []
    open_at: int | None = None
    width = 1  # of the open quotation's mark: 2 for ''
    for m in marks.finditer(text):
        pos, ch = m.start(), m.group()
        w = len(ch)
        if w == 2:
            ch = _STRAIGHT
        if ch == "’" and not _closes_single(text, pos):
            continue  # an apostrophe: "Dinah’ll", "don’t"
        if open_at is None:
            if ch in closers and not _looks_opening(text, pos):
                continue  # a stray closing mark
            open_at, width = pos, w
            continue
        crossed = text.find("\n", open_at, pos) != -1
        if crossed and (ch in openers or (ch == _STRAIGHT or ch in closers) and _starts_line(text, pos)):
            # the open quote ran to the end of a line without closing: end it there, open anew
            _emit(text, out, open_at, None, _line_end(text, open_at), width)
            open_at, width = pos, w
            continue
        if ch in openers:
            if text.find("\n", open_at, pos) == -1 and ch in "“‘" and text[open_at] == ch:
                # two openers on one line: the first was never closed; end it before this one
                _emit(text, out, open_at, None, pos, width)
                open_at, width = pos, w
            continue
        if crossed and ch == _STRAIGHT and _looks_opening(text, pos, w) and not _looks_closing(text, pos, w):
            _emit(text, out, open_at, None, _line_end(text, open_at), width)
            open_at, width = pos, w
            continue
        if crossed and text.find("\n\n", open_at, pos) != -1:
            if _looks_opening(text, pos, w) and not _looks_closing(text, pos, w):
                # a quote left open at a paragraph end; this mark opens the next one
                _emit(text, out, open_at, None, _line_end(text, open_at), width)
                open_at, width = pos, w
                continue
            # a quotation over several paragraphs: one piece per paragraph
            piece = open_at
            brk = text.find("\n\n", piece, pos)
            while brk != -1:
                _emit(text, out, piece, None, brk, width)
                piece, width = brk + 1, 1
                while piece < pos and text[piece] == "\n":
                    piece += 1
                piece -= 1  # _emit starts after the (virtual) mark
                brk = text.find("\n\n", piece + 1, pos)
            _emit(text, out, piece, pos + w - 1, pos, width)
            open_at = None
            continue
        _emit(text, out, open_at, pos + w - 1, pos, width)  # close: the mark's last character
        open_at = None
    if open_at is not None:
        _emit(text, out, open_at, None, _line_end(text, open_at), width)
    return out


def _looks_closing(text: str, pos: int, width: int = 1) -> bool:
    before = text[pos - 1] if pos > 0 else "\n"
    after = text[pos + width] if pos + width < len(text) else "\n"
    return not before.isspace() and (after.isspace() or after in ".,;:!?)—–-")


def _emit(text: str, out: list[Quotation], open_at: int, close: int | None, end: int, width: int = 1) -> None:
    start = open_at + width
    while start < end and text[start] in " \t\n":
        start += 1
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    if end > start:
        out.append(Quotation(open_at, close, start, end))


def _single_quote_text(text: str) -> bool:
    """Whether the text quotes speech with single marks (‘…’) rather than double ones."""
    doubles = text.count('"') + text.count("“") + text.count("«")
    singles = len(_SINGLE_OPEN_RE.findall(text))
    return singles >= 2 and singles > doubles


def _closes_single(text: str, pos: int) -> bool:
    """A ’ that ends a quotation rather than marks an apostrophe (not between two letters)."""
    after = text[pos + 1] if pos + 1 < len(text) else " "
    return not after.isalnum()
