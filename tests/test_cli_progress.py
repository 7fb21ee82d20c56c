"""The ingest's progress line on a terminal: inputs done of how many, the rate, the time left."""

from cli.archiving import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_line_counts_inputs_before_their_number_is_known():
    progress = Progress(Clock())
    assert progress.line("a.txt") == "[1] a.txt"


def test_the_line_gives_the_rate_and_the_time_left_once_the_inputs_are_listed():
    clock = Clock()
    progress = Progress(clock)
    progress.total = 2_010
    for n in range(9):
        clock.now += 0.25
        assert progress.line(f"{n}.txt") == f"[{n + 1}/2,010 · 4/s] {n}.txt"  # too soon to say how long
    clock.now += 0.25
    assert progress.line("9.txt") == "[10/2,010 · 4/s, 8 min 20 s left] 9.txt"


def test_long_names_keep_their_end():
    progress = Progress(Clock())
    line = progress.line("/data/" + "x" * 100 + "/article-0042.txt")
    assert line.endswith("article-0042.txt") and "…" in line and len(line) < 70
