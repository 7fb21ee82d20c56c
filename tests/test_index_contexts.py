"""A hit's context from the text around its statement equals the one from splitting the whole text."""

import random

from index_corpus import extractions

from archive.model import Statement
from index.contexts import context_of
from index.documents import sentence_of

PIECES = [
    "Mr. Smith said",
    "the U.S. envoy",
    "J. Doe",
    "arrived.",
    "left!",
    "Why?",
    "“We will,” he said.",
    "(in Kyiv.)",
    "\n",
    "\n\n",
    "  ",
    "\t",
    "3.5 percent",
    "etc. and",
    "Gen. Milley",
    "...",
    "?!",
    "end.”",
    "Dr.",
    "word",
    "Another",
    "sentence",
    "ends here.",
    "“Quote.”",
    "'single.'",
    "» done.",
    "x",
    "U.K.",
    "Ukraine",
    "Jan. 5",
]


def statements_of(text: str, rng: random.Random, n: int) -> list[Statement]:
    found = []
    for _ in range(n):
        start = rng.randrange(0, max(1, len(text) - 1))
        end = min(len(text), start + rng.randint(1, 300))
        cue = rng.choice([None, (max(0, start - rng.randint(1, 80)), start), (end, min(len(text), end + rng.randint(1, 60)))])
        found.append(Statement(quote=text[start:end], start=start, end=end, direct=False, cue_start=cue and cue[0], cue_end=cue and cue[1]))
    return found


def test_contexts_equal_whole_text_sentences_on_the_corpus():
    for extraction in extractions():
        for statement in extraction.statements:
            assert context_of(extraction.article.text, statement) == sentence_of(extraction.article.text, statement)


def test_contexts_equal_whole_text_sentences_on_awkward_text_with_small_windows():
    rng = random.Random(16)
    compared = windowed = 0
    for _ in range(150):
        text = " ".join(rng.choice(PIECES) for _ in range(rng.randint(20, 400)))
        for statement in statements_of(text, rng, 20):
            for margin in (0, 5, 40, 200):
                got = context_of(text, statement, margin)
                assert got == sentence_of(text, statement), (text, statement.start, statement.end, margin)
                compared += 1
                windowed += len(text) > 2 * margin + 400
    assert compared > 10_000 and windowed
