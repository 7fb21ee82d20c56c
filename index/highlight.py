"""Highlighting: a quote or snippet escaped, with the words a query matched wrapped in <mark>."""

from __future__ import annotations

from functools import lru_cache
from html import escape

from whoosh import highlight
from whoosh import query as Q
from whoosh.support.charset import accent_map

from index.schema import WORDS


class MarkFormatter(highlight.Formatter):
    """Escapes everything, wraps matched words in <mark>."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return f"<mark>{escape(highlight.get_text(text, token, replace))}</mark>"

    def format_fragment(self, fragment, replace=False):
        output = []
        index = fragment.startchar
        text = fragment.text
        for t in fragment.matches:
            if t.startchar is None or t.startchar < index:
                continue
            output.append(escape(text[index : t.startchar]))
            output.append(self.format_token(text, t, replace))
            index = t.endchar
        output.append(escape(text[index : fragment.endchar]))
        return "".join(output)


def words_of(query: Q.Query, searcher) -> set[str]:
    """The indexed words a query matches in the text fields (wildcards and fuzzy terms expanded)."""
    try:
        found = query.existing_terms(searcher.reader(), phrases=True, expand=True)
    except Exception:  # noqa: BLE001 - highlighting is a nicety; a query Whoosh cannot expand gets none
        return set()
    words = set()
    for field_name, t in found:
        term = t.decode("utf-8") if isinstance(t, bytes) else str(t)
        if field_name == "text":
            words.add(term)
        elif field_name == "words":  # a prefix's surface words: marked as their stems are
            words.add(analysed_word(term) or term)
    return words


_TOKEN = WORDS.items[0].expression  # the text field's own tokenizer: marks fall on the words it indexed


@lru_cache(maxsize=65536)
def analysed_word(token: str) -> str | None:
    """A token as the index stores it (folded, stemmed), or None for a stop word."""
    for t in WORDS(token):
        return t.text
    return None


def mark(text: str, words: set[str]) -> str:
    """``text`` escaped, with the words a query matched (as the index analyses them) in <mark>.

    The analysis never changes a word's first letter once lower-cased and accent-folded (stemming and
    spelling merges work on endings and doubled letters; "US" becomes "usa"), so a token whose folded
    first letter starts none of the words is passed over without analysing it."""
    if not words or not text:
        return escape(text)
    initials = {word[:1] for word in words}
    out, last = [], 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        first = _initial(token[0])
        if first and first not in initials:
            continue
        if analysed_word(token) in words:
            out.append(escape(text[last : match.start()]))
            out.append(f"<mark>{escape(token)}</mark>")
            last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


@lru_cache(maxsize=4096)
def _initial(char: str) -> str:
    """A token's first letter as the analysis leaves it (lower case, accents folded); "" when unsure."""
    folded = char.lower().translate(accent_map)
    return folded[0] if len(folded) == 1 and folded.isalnum() else ""
