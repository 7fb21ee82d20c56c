"""More like this on Solr: a quote's most telling words, weighted as Whoosh weighs them (Bo1), with the
collection's statistics from Solr's terms component.

Solr's own MoreLikeThis needs the source document's text stored (or term vectors) on the node that
holds it; Parley stores texts in its store only, so the key terms are picked here from the quote
and the cluster's term statistics, and the similar statements found with one OR query.
"""

from __future__ import annotations

import math
from collections import Counter

from index.schema import WORDS


def bo1(count: int, frequency: int, documents: int) -> float:
    """Whoosh's Bo1 weight of a word seen ``count`` times here and ``frequency`` times in ``documents`` documents."""
    f = frequency / max(1, documents)
    if f <= 0:
        return 0.0
    return count * math.log((1.0 + f) / f, 2) + math.log(1.0 + f, 2)


def key_terms(client, collection: str, text: str, number: int) -> list[str]:
    """The ``number`` words of ``text`` (as the index analyses them) with the highest Bo1 weight."""
    counts = Counter(token.text for token in WORDS(text or "", mode="index"))
    if not counts:
        return []
    reply = client.get(
        f"/{collection}/terms",
        [("terms.fl", "text"), ("terms.list", ",".join(counts)), ("terms.ttf", "true"), ("terms.limit", -1), ("wt", "json"), ("json.nl", "map")],
    )
    stats = reply.get("terms", {}).get("text", {})
    documents = int(client.get(f"/{collection}/select", {"q": "*:*", "rows": 0, "wt": "json"})["response"]["numFound"])
    weights = {}
    for term, count in counts.items():
        entry = stats.get(term)
        frequency = int(entry.get("ttf", entry.get("df", 0))) if isinstance(entry, dict) else int(entry or 0)
        if frequency:
            weights[term] = bo1(count, frequency, documents)
    return [t for t, _ in sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:number]]
