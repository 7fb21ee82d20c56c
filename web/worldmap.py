"""Places on a world map: each place's coordinates (as the extraction resolved them) and its marker.

The map is ``static/world.svg`` (Natural Earth's country shapes, public domain, drawn by
``tools/make_world_map.py``) in an equirectangular 360 × 180 box: a place at longitude ``lon`` and
latitude ``lat`` sits at (lon + 180, 90 - lat).  Nothing is fetched from anywhere at run time.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from web.archive_access import store

MAX_MARKERS = 80  # the most-mentioned places drawn; the rest are in the facet lists
_points: dict[str, tuple[str | None, float | None, float | None]] = {}
_points_stamp: tuple[str, int, int] | None = None
_lock = threading.Lock()


@dataclass(frozen=True)
class Marker:
    name: str
    count: int
    x: float
    y: float
    r: float
    url: str


def place_points() -> dict[str, tuple[str | None, float | None, float | None]]:
    """Every place name's (country, lat, lon), read from the store once per archive size."""
    global _points, _points_stamp
    numbers = store().stats()
    stamp = (str(numbers.get("path")), numbers["articles"], numbers["statements"])
    with _lock:
        if stamp != _points_stamp:
            _points, _points_stamp = store().place_points(), stamp
        return _points


def markers(counts: Iterable[tuple[str, int]], url: Callable[[str], str]) -> list[Marker]:
    """Markers for (place, statement count) pairs with known coordinates, sized by area for the count."""
    points = place_points()
    known = [(name, n) for name, n in counts if n and points.get(name, (None, None, None))[1] is not None][:MAX_MARKERS]
    if not known:
        return []
    peak = max(n for _, n in known)
    out = []
    for name, n in sorted(known, key=lambda item: -item[1]):  # small markers drawn last, on top
        _, lat, lon = points[name]
        out.append(Marker(name, n, round(lon + 180, 2), round(90 - lat, 2), round(1.2 + 5 * math.sqrt(n / peak), 2), url(name)))  # type: ignore[operator]
    return out
