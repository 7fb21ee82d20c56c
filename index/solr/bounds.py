"""Bounded work on Solr, as on Whoosh: the same time budget per search, the same limit on expansions.

- Time: every search and export page asks Solr for at most the search budget (``[search] budget``,
  ``index.budget``) with ``timeAllowed``.  Solr stops a request past it (in every shard, at each stage)
  and says so with ``partialResults``; Parley never shows partial totals or facets, so such a reply
  is ``SearchTimeout``, the 503 Whoosh gives for a search over its budget.
- Expansions: a prefix, wildcard or range stands for every word of the index it matches, and Lucene
  would match them all (Solr rewrites them to constant-score term sets without a clause limit).  As
  on Whoosh, the words a query's expanding terms stand for are counted first, in the collection's own
  vocabulary (the terms component, over every shard), counting stops just past ``MAX_EXPANDED_TERMS``,
  and a query over it is refused with the same ``QueryTooBroad``.  Fuzzy terms are not counted:
  Lucene bounds them itself (the 50 nearest words of each), so they cannot run away.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from whoosh import query as Q

from index.errors import SearchTimeout
from index.query import MAX_EXPANDED_TERMS, too_broad
from index.solr.client import SolrClient

NUMERIC = {"day", "day_last", "published"}  # point fields: ranges on them are bounded by nature, and have no terms


def time_allowed(budget: float) -> int:
    """The budget in seconds as Solr's ``timeAllowed`` (whole milliseconds, at least 1)."""
    return max(1, round(budget * 1000))


def check_complete(reply: dict, budget: float) -> dict:
    """``reply`` if Solr finished the request; SearchTimeout if it stopped at the time limit."""
    if reply.get("responseHeader", {}).get("partialResults"):
        raise SearchTimeout(budget)
    return reply


def expanding(query: Q.Query) -> Iterator[Q.Query]:
    """The prefix, wildcard and range nodes of a parsed query (those that stand for many words)."""
    stack = [query]
    while stack:
        node = stack.pop()
        if isinstance(node, (Q.Prefix, Q.Wildcard)) and not isinstance(node, Q.FuzzyTerm):
            yield node
        elif isinstance(node, Q.TermRange) and node.fieldname not in NUMERIC:
            yield node
        stack.extend(node.children())


def check_expansions(client: SolrClient, collection: str, query: Q.Query, text: str, budget: float) -> None:
    """QueryTooBroad when the query's prefixes, wildcards and ranges stand for more than ``MAX_EXPANDED_TERMS``
    words of ``collection`` together (one terms request per such node, none for a query without them)."""
    total = 0
    for node in expanding(query):
        params: list[tuple[str, object]] = [
            ("terms.fl", node.fieldname),
            ("terms.limit", MAX_EXPANDED_TERMS - total + 1),
            ("terms.sort", "index"),
            ("terms.mincount", 1),
            ("timeAllowed", time_allowed(budget)),
            ("wt", "json"),
            ("json.nl", "arrarr"),
        ]
        if isinstance(node, Q.Prefix):
            params.append(("terms.prefix", node.text))
        elif isinstance(node, Q.Wildcard):
            literal = re.match(r"[^*?]*", node.text).group(0)  # type: ignore[union-attr]
            pattern = "".join(".*" if part == "*" else "." if part == "?" else re.escape(part) for part in re.split(r"([*?])", node.text) if part)
            params += [("terms.prefix", literal), ("terms.regex", pattern)]
        else:
            if node.start is not None:
                params += [("terms.lower", str(node.start)), ("terms.lower.incl", str(not node.startexcl).lower())]
            if node.end is not None:
                params += [("terms.upper", str(node.end)), ("terms.upper.incl", str(not node.endexcl).lower())]
        reply = check_complete(client.get(f"/{collection}/terms", params), budget)
        total += len(reply.get("terms", {}).get(node.fieldname, []))
        if total > MAX_EXPANDED_TERMS:
            raise too_broad(node, text)  # the message and position Whoosh's bound_expansions gives
