"""Hits of a Solr search as Parley's dataclasses: texts from the store, matched words marked as Whoosh marks them.

Solr stores only ids, so the words to mark are worked out here: the words of the hit's own text that
the query's positive parts match in the field (a term, a phrase's words, a prefix, a wildcard, a
fuzzy term within its edits), as the index analyses them.  That is what Whoosh marks too: the
query's terms expanded against the index, of which a hit's own words are the ones that show.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from html import escape

from whoosh import highlight
from whoosh import query as Q

from archive.store import Store
from index.analysis import PLAIN
from index.contexts import context_of
from index.highlight import MarkFormatter, analysed_word, mark
from index.results import ArticleHit, Hit
from index.schema import WORDS


def _leaves(query: Q.Query | None, field: str) -> list[Q.Query]:
    """The query's positive word parts in ``field`` (parts under NOT never mark anything)."""
    found: list[Q.Query] = []
    stack = [query] if query is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, Q.Not):
            continue
        if isinstance(node, Q.AndNot):
            stack.append(node.a)
            continue
        if isinstance(node, (Q.Term, Q.Phrase, Q.Prefix, Q.Wildcard, Q.FuzzyTerm)) and node.fieldname == field:
            found.append(node)
        stack.extend(node.children())
    return found


def _within(a: str, b: str, edits: int) -> bool:
    """Levenshtein distance of a and b at most ``edits`` (bounded: stops once a row passes it)."""
    if abs(len(a) - len(b)) > edits:
        return False
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
        if min(row) > edits:
            return False
    return row[-1] <= edits


def matched_words(query: Q.Query | None, field: str, texts: Iterable[str]) -> set[str]:
    """The analysed words of ``texts`` that the query's positive parts in ``field`` match.

    For statements, a prefix or wildcard runs on the unstemmed ``words`` field: the surface words it
    matches are marked as their stems are (as the Whoosh backend's ``words_of`` does).
    """
    texts = list(texts)
    surface = _leaves(query, "words") if field == "text" else []
    words = _surface_matches(surface, texts) if surface else set()
    return words | _field_matches(query, field, texts)


def _surface_matches(leaves: list[Q.Query], texts: list[str]) -> set[str]:
    found = set()
    for text in texts:
        for token in PLAIN(text or "", mode="index"):
            plain = token.text
            if any(plain.startswith(n.text) if isinstance(n, Q.Prefix) else fnmatch.fnmatchcase(plain, n.text) for n in leaves):
                found.add(analysed_word(plain) or plain)
    return found


def _field_matches(query: Q.Query | None, field: str, texts: list[str]) -> set[str]:
    leaves = _leaves(query, field)
    if not leaves:
        return set()
    exact = {str(n.text) for n in leaves if isinstance(n, Q.Term)} | {w for n in leaves if isinstance(n, Q.Phrase) for w in n.words}
    patterns = [n for n in leaves if isinstance(n, (Q.Prefix, Q.Wildcard, Q.FuzzyTerm))]
    words: set[str] = set()
    for text in texts:
        for token in WORDS(text or "", mode="index"):
            term = token.text
            if term in exact:
                words.add(term)
                continue
            for node in patterns:
                if isinstance(node, Q.Prefix) and term.startswith(node.text):
                    words.add(term)
                elif isinstance(node, Q.Wildcard) and fnmatch.fnmatchcase(term, node.text):
                    words.add(term)
                elif isinstance(node, Q.FuzzyTerm) and term[: node.prefixlength] == node.text[: node.prefixlength] and _within(term, node.text, node.maxdist):
                    words.add(term)
    return words


def _score(score, sort: str) -> float | None:
    return round(float(score), 4) if score is not None and sort == "relevance" else None


def statement_hits(store: Store, window: list[tuple[str, float | None]], sort: str, query: Q.Query | None) -> tuple[Hit, ...]:
    found = store.statements_by_id([sid for sid, _ in window], with_text=True)
    hits = []
    for sid, score in window:
        if sid not in found:  # in the index but no longer in the store: verify will say so
            continue
        statement, meta = found[sid]
        context = context_of(meta["text"], statement)  # as the Whoosh backend: only the text around the statement is split
        words = matched_words(query, "text", (statement.quote, context))
        hits.append(Hit.stored(sid, statement, meta, _score(score, sort), mark(statement.quote, words), mark(context, words)))
    return tuple(hits)


def snippet(text: str, words: set[str], top: int = 2) -> str:
    """Up to ``top`` passages of ``text`` around the matched words, as Whoosh's highlighter cuts them."""
    if not words:
        return ""
    fragments = highlight.highlight(
        text, frozenset(words), WORDS, highlight.ContextFragmenter(maxchars=240, surround=80), MarkFormatter(), top=top, mode="index"
    )
    return fragments or ""


def article_hits(store: Store, window: list[tuple[str, float | None]], sort: str, query: Q.Query | None) -> tuple[ArticleHit, ...]:
    hits = []
    for article_id, score in window:
        row = store.article_summary(article_id)
        if row is None:
            continue
        words = matched_words(query, "body", (row["text"],))
        hits.append(
            ArticleHit(
                id=article_id,
                score=_score(score, sort),
                title=row["title"],
                published=row["published"],
                source=row["source"],
                url=row["url"],
                statements=row["statements"],
                snippet_html=snippet(row["text"], words) or escape(row["text"][:240]),
            )
        )
    return tuple(hits)
