"""File names as text: kept losslessly in the store and shown safely on a terminal.

A POSIX file name is bytes.  Python hands names that are not UTF-8 over as ``str`` with lone
surrogates (PEP 383), which SQLite, JSON and a UTF-8 terminal all refuse.  ``storable`` writes each
such byte as ``\\xNN`` (the name stays readable and unambiguous enough to find the file); ``printable``
also escapes control characters, so a name cannot move the cursor, retitle the terminal or forge a
line of a summary.
"""

from __future__ import annotations

import os
import re

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def storable(name: str) -> str:
    """``name`` with every undecodable byte (a lone surrogate) written as ``\\xNN``: valid UTF-8 text."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", errors="backslashreplace") if _is_fs_name(name) else name.encode("utf-8", "backslashreplace").decode("ascii")


def printable(text: str) -> str:
    """``storable(text)`` with control characters (newlines, ESC, C1 controls) written as escapes."""
    return _CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), storable(text))


def _is_fs_name(name: str) -> bool:
    try:
        os.fsencode(name)
        return True
    except UnicodeEncodeError:
        return False
