"""The pipeline's look-ups per statement agree with the plain scans they replace."""

from __future__ import annotations

import random

from archive.extract.pipeline import _Spans


def test_spans_within_agrees_with_a_scan() -> None:
    rng = random.Random(7)
    for _ in range(300):
        spans = [(a, a + rng.randint(0, 30)) for a in (rng.randint(0, 200) for _ in range(rng.randint(0, 8)))]
        index = _Spans(spans)
        for _ in range(20):
            start = rng.randint(0, 230)
            end = start + rng.randint(0, 80)
            assert index.within(start, end) == any(start <= a and b <= end for a, b in spans)
