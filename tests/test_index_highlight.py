"""Marks: every word the query matched, as the index analysed it, and nothing else, escaped."""

import random
import re
from html import escape

from index_corpus import extractions

from index.highlight import _TOKEN, analysed_word, mark

TRICKY = "Élysée Ørsted Æther U.S. US us Zelenskyy Zelensky Zelenskiy İstanbul ıspanak Straße ß 3.5 _x ébauche yes Yemen Kyiv Kiev"


def reference(text: str, words: set[str]) -> str:
    """Every token analysed, no short cut."""
    out, last = [], 0
    for match in _TOKEN.finditer(text):
        if analysed_word(match.group()) in words:
            out += [escape(text[last : match.start()]), f"<mark>{escape(match.group())}</mark>"]
            last = match.end()
    return "".join(out) + escape(text[last:])


def test_marks_equal_those_of_analysing_every_token():
    texts = [e.article.text for e in extractions()] + [TRICKY, TRICKY.lower(), TRICKY.upper()]
    tokens = sorted({m.group() for text in texts for m in _TOKEN.finditer(text)})
    analysed = sorted({w for w in map(analysed_word, tokens) if w})
    rng = random.Random(16)
    checked = marked = 0
    for _ in range(300):
        words = set(rng.sample(analysed, rng.randint(1, 4)))
        for text in texts:
            got = mark(text, words)
            assert got == reference(text, words)
            checked += 1
            marked += "<mark>" in got
    assert checked and marked > 50  # the samples did mark words


def test_tricky_first_letters_are_marked():
    words = {analysed_word(w) for w in ("Élysée", "Ørsted", "US", "Zelensky", "Straße")}
    got = mark(TRICKY, words)
    for word in ("Élysée", "Ørsted", "U.S", "US", "Zelenskyy", "Zelensky", "Zelenskiy", "Straße"):
        assert f"<mark>{word}</mark>" in got or f"<mark>{word}.</mark>" in got or re.search(f"<mark>{re.escape(word)}", got), word
    assert got == reference(TRICKY, words)


def test_marks_fall_on_the_tokenizers_tokens_in_awkward_text():
    """Dots inside and between words, digits, underscores, ligatures and other scripts: the candidate
    tokens the marker looks at are the tokenizer's own, so the marks equal analysing every token."""
    pieces = [
        "a.b",
        "U.S.",
        "x..y",
        "é.ö",
        "3.5.",
        "_a",
        "ǅemal",
        "ﬁnal",
        "Ωmega",
        "Москва",
        "Kyiv.",
        "kiev",
        "ceasefire.Talks",
        "talks",
        "TALKS",
        "..",
        ".",
        " ",
        "-",
        "Zelenskyy",
        "zelensky's",
        "İzmir",
        "ıi",
        "Straße",
        "ss",
        "Æsir",
        "œuvre",
        "’s",
    ]
    rng = random.Random(7)
    for _ in range(400):
        text = "".join(rng.choice(pieces) + rng.choice(["", " ", ".", ", "]) for _ in range(rng.randint(1, 30)))
        tokens = [m.group() for m in _TOKEN.finditer(text)]
        analysed = [w for w in map(analysed_word, tokens) if w]
        if not analysed:
            continue
        words = set(rng.sample(analysed, min(len(analysed), rng.randint(1, 3))))
        assert mark(text, words) == reference(text, words), (text, words)
