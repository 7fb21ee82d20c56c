"""Draw web/static/world.svg from Natural Earth's 1:110m countries (public domain), once, by hand.

    python tools/make_world_map.py ne_110m_admin_0_countries.shp > web/static/world.svg

Equirectangular: x = longitude + 180, y = 90 - latitude, in a 360 × 180 box, so the site places a
point at (lon + 180, 90 - lat) on it with no projection code.  Coordinates are rounded to a tenth of
a degree and points closer than ``STEP`` to the last one dropped: the file stays small and the shapes recognisable.  Only the
standard library reads the shapefile (polygons, type 5).
"""

from __future__ import annotations

import struct
import sys


def polygons(path: str):
    with open(path, "rb") as handle:
        data = handle.read()
    offset = 100  # the file header
    while offset < len(data):
        _, words = struct.unpack(">ii", data[offset : offset + 8])
        content = data[offset + 8 : offset + 8 + 2 * words]
        offset += 8 + 2 * words
        (kind,) = struct.unpack("<i", content[:4])
        if kind != 5:
            continue
        parts, points = struct.unpack("<ii", content[36:44])
        starts = list(struct.unpack(f"<{parts}i", content[44 : 44 + 4 * parts])) + [points]
        base = 44 + 4 * parts
        coords = [struct.unpack("<2d", content[base + 16 * i : base + 16 * i + 16]) for i in range(points)]
        yield [coords[starts[i] : starts[i + 1]] for i in range(parts)]


STEP = 0.4  # degrees: a point closer than this to the last one kept is dropped


def path_of(rings) -> str:
    out = []
    for ring in rings:
        points = []
        for lon, lat in ring:
            point = (round(lon + 180, 1), round(90 - lat, 1))
            if not points or abs(point[0] - points[-1][0]) + abs(point[1] - points[-1][1]) >= STEP:
                points.append(point)
        if len(points) >= 3:
            out.append("M" + "L".join(f"{x:g} {y:g}" for x, y in points) + "Z")
    return "".join(out)


def main(path: str) -> None:
    shapes = "".join(path_of(rings) for rings in polygons(path))
    print(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 360 180" preserveAspectRatio="none">'
        "<!-- Country shapes: Natural Earth 1:110m Admin 0 (public domain), drawn by tools/make_world_map.py -->"
        f'<rect width="360" height="180" fill="#eef2f7"/><path fill="#d5dbe5" stroke="#ffffff" stroke-width="0.2" d="{shapes}"/></svg>'
    )


if __name__ == "__main__":
    main(sys.argv[1])
