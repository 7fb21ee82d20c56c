"""Each document sent straight to the core that leads its shard, as Solr's own CloudSolrClient does.

A node that receives a document of another node's shard forwards it there: it parses the request,
serialises the foreign half again and the other node parses it a second time, which was a good part
of Solr's work in a bulk load.  A collection made with the default ``compositeId`` router keeps a
document whose id has no "!" in the shard whose hash range holds MurmurHash3 (x86, 32 bits, seed 0)
of the id's UTF-8 bytes; ``ShardRoutes`` reads the ranges and leaders from the cluster state and
splits a batch by that hash.  A wrong guess costs only speed: the receiving core forwards what is
not its own, as it does for any document.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

try:
    import mmh3
except ImportError:  # pragma: no cover - an install without the solr extra
    raise ImportError("Parley's Solr backend needs mmh3: pip install 'parley[solr]'") from None


@dataclass(frozen=True)
class Leader:
    low: int  # the shard's hash range, both ends included, as signed 32-bit numbers
    high: int
    url: str  # the leader core's update URL base: http://host:port/solr/<core>


class ShardRoutes:
    """Where each document of one collection goes: the leader core of the shard that owns its id."""

    def __init__(self, leaders: Sequence[Leader]) -> None:
        self.leaders = sorted(leaders, key=lambda leader: leader.low)

    @classmethod
    def from_status(cls, status: Mapping, collection: str) -> ShardRoutes | None:
        """From a CLUSTERSTATUS reply; None when the collection does not route by compositeId hash
        ranges or a shard has no active leader yet (then documents go to any node, as before)."""
        state = status.get("cluster", {}).get("collections", {}).get(collection)
        if not state or state.get("router", {}).get("name", "compositeId") != "compositeId":
            return None
        leaders = []
        for shard in state.get("shards", {}).values():
            if shard.get("state", "active") != "active":
                continue
            span = shard.get("range")
            leader = next((r for r in shard.get("replicas", {}).values() if r.get("leader") == "true" and r.get("state") == "active"), None)
            if not span or leader is None:
                return None
            low, _, high = span.partition("-")
            leaders.append(Leader(_signed(int(low, 16)), _signed(int(high, 16)), f"{leader['base_url'].rstrip('/')}/{leader['core']}"))
        return cls(leaders) if leaders else None

    def split(self, docs: Sequence[dict]) -> dict[str, list[dict]]:
        """The documents by the URL of the core to post them to (ids with "!" keep to the first leader:
        Parley's ids never hold one, and the core forwards anything not its own)."""
        parts: dict[str, list[dict]] = {}
        leaders, first = self.leaders, self.leaders[0].url
        for doc in docs:
            key = doc["id"]
            url = first
            if "!" not in key:
                value = mmh3.hash(key, 0, signed=True)
                for leader in leaders:
                    if leader.low <= value <= leader.high:
                        url = leader.url
                        break
            parts.setdefault(url, []).append(doc)
        return parts


def _signed(value: int) -> int:
    return value - (1 << 32) if value >= 1 << 31 else value
