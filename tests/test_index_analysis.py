"""The memoized analyzers index exactly what their plain chains would, only faster."""

from __future__ import annotations

import pickle

import pytest
from conftest import PROJECT
from whoosh.analysis import RegexTokenizer
from whoosh.analysis.analyzers import CompositeAnalyzer

from index.analysis import _SEVERAL, NAMES, PLAIN, WORDS, Memoized

SEED = next((PROJECT / "seeds").glob("*.txt")).read_text(encoding="utf-8")
HARD = (
    "The the THE a: Zelenskyy, Zelenskiy and Zelensky met Noël in Kyiv/Kiev at 3.141 u.s.a. big-time under_score. "
    "Straße İstanbul ǅemal Ægir œuvre — “quoted” ‘single’ a.b.c. ...dots... 2025-04-22 1,000 drones; "
    "Ukraine's air-force's count: 54. An an AN of OF to"
)


def plain(analyzer: Memoized) -> CompositeAnalyzer:
    return CompositeAnalyzer(*analyzer.items)


def indexed(analyzer, text: str, **options) -> list[tuple[str, int]]:
    return [(t.text, t.pos) for t in analyzer(text, mode="index", positions=True, **options)]


@pytest.mark.parametrize("analyzer", [WORDS, NAMES, PLAIN], ids=["words", "names", "plain"])
@pytest.mark.parametrize("text", [SEED, HARD, "", "the of and", "the drones", "drones the", " , . "])
def test_memoized_equals_the_plain_chain(analyzer, text):
    expected = indexed(plain(analyzer), text)
    assert indexed(analyzer, text) == expected
    assert indexed(analyzer, text) == expected  # second time from the memo
    assert indexed(analyzer, text, start_pos=7) == indexed(plain(analyzer), text, start_pos=7)


def test_stop_words_renumber_positions_like_whoosh():
    # "the" is dropped and the next word takes its place; so a phrase query over stop words still matches
    assert indexed(WORDS, "the drones of the night") == [("drone", 1), ("night", 2)]


def test_queries_and_highlights_take_the_chain_itself():
    query = [(t.text, t.stopped) for t in WORDS("the Drones", mode="query", removestops=False)]
    assert query == [(t.text, t.stopped) for t in plain(WORDS)("the Drones", mode="query", removestops=False)]
    chars = [(t.text, t.startchar, t.endchar) for t in WORDS("Noël in Kyiv", mode="index", chars=True)]
    assert chars == [("noel", 0, 4), ("kyiv", 8, 12)]


def test_the_memo_stays_out_of_the_pickled_schema_and_stays_bounded(monkeypatch):
    analyzer = Memoized(*WORDS.items)
    indexed(analyzer, SEED)
    assert analyzer._memo
    copy = pickle.loads(pickle.dumps(analyzer))
    assert copy._memo == {} and copy == analyzer
    assert indexed(copy, SEED) == indexed(analyzer, SEED)
    monkeypatch.setattr(Memoized, "MEMO_SIZE", 5)
    small = Memoized(*WORDS.items)
    assert indexed(small, SEED) == indexed(analyzer, SEED)
    assert 0 < len(small._memo) <= 5


def test_a_tokenizer_that_splits_on_gaps_is_refused():
    with pytest.raises(TypeError):
        Memoized(RegexTokenizer(r"\s+", gaps=True))


def test_a_schema_read_from_an_index_shares_the_process_memo():
    """Each opening of an index unpickles fresh analyzers with empty memos; writers use the module's own."""
    from index.analysis import shared
    from index.schema import statement_schema

    opened = pickle.loads(pickle.dumps(statement_schema()))
    assert opened["text"].analyzer._memo == {}
    assert shared(opened["text"].analyzer) is WORDS
    assert shared(opened["speaker"].analyzer) is NAMES
    assert shared(opened["words"].analyzer) is PLAIN
    other = Memoized(RegexTokenizer(r"\w+"))
    assert shared(other) is other


@pytest.mark.parametrize("analyzer", [WORDS, NAMES, PLAIN], ids=["words", "names", "plain"])
def test_words_learnt_in_one_stream_are_what_the_chain_makes_of_each(analyzer):
    """New words go through the filters as one stream; each must come out as the chain makes it alone,
    stop words, words made empty and words the tokenizer would split included."""
    words = {*analyzer._findall(SEED), *analyzer._findall(HARD), "US", "us", "U.S", "ǅemal", "a b", "big time", "x-y", "", "ß", "3.141"}
    streamed = Memoized(*analyzer.items)
    assert streamed._streamed
    streamed._learn(words)
    alone = Memoized(*analyzer.items)
    alone._streamed = False
    alone._learn(words)
    assert streamed._memo == alone._memo and streamed._several == alone._several
    assert streamed._memo["big time"] is _SEVERAL and streamed._memo["the"] is None


def test_a_chain_with_another_filter_learns_word_by_word():
    from whoosh.analysis import IntraWordFilter, LowercaseFilter

    analyzer = Memoized(RegexTokenizer(r"\w+"), IntraWordFilter(), LowercaseFilter())
    assert not analyzer._streamed
    text = "PowerShot cameras and iPods"
    assert indexed(analyzer, text) == indexed(plain(analyzer), text)


@pytest.mark.parametrize("text", [SEED, HARD, "", " , . ", "a.b.c x..y .a. _._ a_.b 3.14.15"])
def test_plain_words_taken_from_the_stemmed_words_of_the_same_text_are_its_own(text):
    """PLAIN takes a text's words from the words WORDS found in it just before (split at their dots)."""
    WORDS.memo_terms(text)
    assert PLAIN._words(text) == PLAIN._findall(text)
    assert PLAIN.memo_terms(text) == [t for t, _ in indexed(plain(PLAIN), text)]


def test_only_a_plain_word_tokenizer_splits_dotted_words():
    with pytest.raises(TypeError):
        Memoized(*WORDS.items).split_from(WORDS)


@pytest.mark.parametrize("analyzer", [WORDS, NAMES, PLAIN], ids=["words", "names", "plain"])
def test_the_memo_finds_the_words_the_tokenizer_finds(analyzer):
    text = SEED + HARD + " a..b a.b. .a a._b 3.14.15 x.ü.ÿ_ a.\u0301b ..x.y.. 1.2.3.4.5.6 é.é"
    assert analyzer._findall(text) == [m.group() for m in analyzer.items[0].expression.finditer(text)]
