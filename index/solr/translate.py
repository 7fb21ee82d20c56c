"""Parley's parsed queries (Whoosh query trees from ``index.query.parse``) in Solr's standard syntax.

The tree's words are already analysed by Parley (folded, stemmed, spelling-keyed), and Solr's fields
hold terms made by the same analyzers (see the configset's schema), so a term here is a term there:
the translation only rewrites structure.  Rules:

- AND / OR / NOT keep their meaning: every clause is written with ``+`` (must) or ``-`` (must not)
  inside parentheses, under ``q.op=OR``, so Solr's default operator never decides anything.
- A phrase ``"a b"`` with Parley's slop ``s`` (1 = adjacent) is Lucene's ``"a b"~(s-1)``: the same
  words between, for two-word phrases exactly; Lucene also accepts the two words swapped within that slop.
- ``word*`` and ``w?rd`` are Lucene prefix and wildcard queries on the same terms.
- ``word~N`` is Lucene's fuzzy query, within N edits.  Two known differences from Whoosh: Lucene counts
  two swapped letters as one edit (Whoosh: two), and its first letter may change (Whoosh keeps it, for
  speed; Solr's syntax has no way to say so, and Lucene's automaton needs no such help).
"""

from __future__ import annotations

import re

from whoosh import query as Q

_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|\s])')
NOTHING = "(*:* -*:*)"


def escape(text: str) -> str:
    """A term as a bare word of Solr's syntax (every special character escaped)."""
    return _SPECIAL.sub(r"\\\1", text)


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _boost(clause: str, node: Q.Query) -> str:
    boost = getattr(node, "boost", 1.0)
    return clause if boost == 1.0 else f"{clause}^{boost:g}"


def to_solr(node: Q.Query) -> str:
    """The Solr query string for a parsed query."""
    if isinstance(node, Q.Every):
        return "*:*"
    if node is Q.NullQuery or isinstance(node, type(Q.NullQuery)):
        return NOTHING
    if isinstance(node, Q.Term):
        value = node.text
        if isinstance(value, bool):
            return _boost(f"{node.fieldname}:{'true' if value else 'false'}", node)
        if isinstance(value, bytes):
            value = value.decode("utf-8")
        return _boost(f"{node.fieldname}:{quoted(str(value))}", node)
    if isinstance(node, Q.Phrase):
        words = list(node.words)
        if not words:
            return NOTHING
        if len(words) == 1:
            return _boost(f"{node.fieldname}:{quoted(words[0])}", node)
        slop = max(0, int(node.slop) - 1)
        phrase = quoted(" ".join(words)) + (f"~{slop}" if slop else "")
        return _boost(f"{node.fieldname}:{phrase}", node)
    if isinstance(node, Q.FuzzyTerm):  # before Term's other subclasses: FuzzyTerm is a MultiTerm
        return _boost(f"{node.fieldname}:{escape(node.text)}~{int(node.maxdist)}", node)
    if isinstance(node, Q.Prefix):
        return _boost(f"{node.fieldname}:{escape(node.text)}*", node)
    if isinstance(node, Q.Wildcard):
        parts = re.split(r"([*?])", node.text)
        pattern = "".join(p if p in ("*", "?") else escape(p) for p in parts)
        return _boost(f"{node.fieldname}:{pattern}", node)
    if isinstance(node, Q.ConstantScoreQuery):  # a prefix on the unstemmed words: every match scores alike
        return f"({to_solr(node.child)})^={node.score:g}"
    if isinstance(node, Q.Not):
        return _boost(f"(*:* -{to_solr(node.query)})", node)
    if isinstance(node, Q.AndNot):
        return _boost(f"(+{to_solr(node.a)} -{to_solr(node.b)})", node)
    if isinstance(node, Q.AndMaybe):
        return _boost(f"(+{to_solr(node.a)} {to_solr(node.b)})", node)
    if isinstance(node, Q.Require):
        return _boost(f"(+{to_solr(node.a)} +{to_solr(node.b)})", node)
    if isinstance(node, Q.And):
        return _boost(_group(node.subqueries, "+"), node)
    if isinstance(node, (Q.Or, Q.DisjunctionMax)):
        return _boost(_group(node.subqueries, ""), node)
    if isinstance(node, Q.TermRange):
        lo = "*" if node.start is None else quoted(str(node.start))
        hi = "*" if node.end is None else quoted(str(node.end))
        opening = "{" if node.startexcl else "["
        closing = "}" if node.endexcl else "]"
        return _boost(f"{node.fieldname}:{opening}{lo} TO {hi}{closing}", node)
    raise ValueError(f"a query part the Solr backend cannot translate: {node!r}")


def _group(children, sign: str) -> str:
    """Clauses in parentheses; a NOT child of AND becomes a ``-`` clause, as in Parley's AND NOT."""
    clauses = []
    for child in children:
        if sign == "+" and isinstance(child, Q.Not):
            clauses.append("-" + to_solr(child.query))
        else:
            clauses.append(sign + to_solr(child))
    if not clauses:
        return NOTHING
    return "(" + " ".join(clauses) + ")"


def day_range(lo: int | None, hi: int | None, undated: int) -> str | None:
    """A filter on the day field, or None for no range; undated statements are never in a range."""
    if lo is None and hi is None:
        return None
    return f"day:[{undated + 1 if lo is None else lo} TO {'*' if hi is None else hi}]"
