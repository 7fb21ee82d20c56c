"""A hit's context: the sentence(s) its statement sits in, found by splitting only the text around it.

``index.documents.sentence_of`` splits the whole article into sentences for every hit (a fifth of a
search's time went there).  Sentence ends are decided by the characters around each candidate end:
the punctuation with its closing marks, the word before it and the character after the spaces that
follow it.  So the text is split from a point just after a white-space character (where no candidate
end can be under way and no word before a full stop can reach back past it) to a few hundred
characters past the statement.  Within such a window every sentence boundary is the whole text's,
except that the window's first sentence may begin at the window and its last may end at it; when
the statement lies in either of those, the whole text is split as before.
"""

from __future__ import annotations

from archive.extract import sentence_bounds
from archive.model import Statement
from index.documents import sentence_of

MARGIN = 300  # characters kept on either side of a statement: wider than nearly every sentence (~150 on average)


def context_of(text: str, statement: Statement, margin: int = MARGIN) -> str:
    """What ``sentence_of(text, statement)`` returns, splitting only the text around the statement."""
    lo = statement.start if statement.cue_start is None else min(statement.start, statement.cue_start)
    hi = statement.end if statement.cue_end is None else max(statement.end, statement.cue_end)
    start = max(0, lo - margin)
    if start:
        start = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start)) + 1  # just after white space (0: none)
    end = min(len(text), hi + margin)
    window = text[start:end]
    left, right = sentence_bounds(window, lo - start, hi - start)
    first = len(window) - len(window.lstrip())  # where the window's first sentence begins
    last = len(window.rstrip())  # where its last one ends
    if (start and left <= first) or (end < len(text) and right >= last):
        return sentence_of(text, statement)  # in a sentence the window may have cut: split the whole text
    return window[left:right].strip()
