"""Search over a real on-disk Whoosh index built from a real store."""

import threading
from datetime import date

import pytest
from index_corpus import CONFIDENCE, COUNTRIES, ROWS, extractions

from archive.store import Store
from index import writing
from index.query import QuerySyntaxError
from index.request import MAX_DEPTH, SearchError, SearchRequest
from index.search import SearchIndex


@pytest.fixture
def index(home):
    with Store(home) as store:
        store.add_batch(extractions())
        writing.update(home, store, store.article_ids())
    return SearchIndex(home)


def speakers(page):
    return sorted(h.statement.speaker.name for h in page.hits)


def test_words_are_stemmed_and_ranked(index):
    page = index.search(SearchRequest("ceasefires"))
    assert page.total == 3
    assert {h.statement.kind for h in page.hits} == {"skepticism", "appeal", "warning"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("speaker:peskov", ["Dmitry Peskov"]),
        ("speaker:zelensky", ["Volodymyr Zelensky", "Volodymyr Zelenskyy"]),
        ("speaker:zelenskiy", ["Volodymyr Zelensky", "Volodymyr Zelenskyy"]),
        ("speaker:noel", ["Jean-Noël Barrot"]),
        ("Noël", ["Jean-Noël Barrot"]),
        ("kind:clarification", ["Dmitry Peskov"]),
        ("place:paris", ["Jean-Noël Barrot"]),
        ("topic:ceasefire AND NOT kind:warning", ["Jean-Noël Barrot", "Volodymyr Zelenskyy"]),
        ('"clear answer"', ["Volodymyr Zelenskyy"]),
        ('"moscow answer"~4', ["Volodymyr Zelenskyy"]),
        ("date:2025-04", ["Dmitry Peskov", "Jean-Noël Barrot", "Ukraine's air force", "Volodymyr Zelensky", "Volodymyr Zelenskyy"]),
        ("date:[2025-04-20 to 2025-04-21]", ["Volodymyr Zelensky", "Volodymyr Zelenskyy"]),
        ("drone*", ["Ukraine's air force"]),
        ("mistrst~1", ["analysts"]),
        ("ceasefire OR drones", ["Jean-Noël Barrot", "Ukraine's air force", "Volodymyr Zelenskyy", "analysts"]),
    ],
)
def test_query_language(index, query, expected):
    assert speakers(index.search(SearchRequest(query))) == expected


def test_filters_or_within_and_across_with_exact_drill_sideways_counts(index):
    page = index.search(SearchRequest(filters={"kind": ["warning", "appeal"], "source": ["Wire C"]}, facets=("kind", "source", "topic")))
    assert speakers(page) == ["Donald Trump", "analysts"]
    kind = {v.value: (v.count, v.selected) for v in page.facets[0].values}
    assert kind == {"warning": (2, True), "claim": (1, False), "appeal": (0, True)}
    source = {v.value: v.count for v in page.facets[1].values}
    assert source == {"Wire A": 1, "Wire C": 2}  # ignores the source selection, keeps the kind one
    topic = {v.value: v.count for v in page.facets[2].values}
    assert topic == {"ceasefire": 1, "mediation": 1}


def test_facet_counts_match_a_count_by_hand(index):
    page = index.search(SearchRequest(facets=("kind", "place", "topic", "speaker", "type", "country", "direct"), facet_limit=50))
    by_name = {f.name: {v.value: v.count for v in f.values} for f in page.facets}
    kinds = {}
    for row in ROWS:
        kinds[row[3]] = kinds.get(row[3], 0) + 1
    assert by_name["kind"] == kinds
    assert by_name["place"]["Moscow"] == 2 and by_name["place"]["Kyiv"] == 2
    assert by_name["topic"]["ceasefire"] == 3
    assert by_name["country"] == {"RU": 3, "UA": 3, "FR": 1, "US": 1}
    assert by_name["direct"] == {"true": 2, "false": 6}
    labels = {v.label for f in page.facets if f.name == "speaker" for v in f.values}
    assert "Jean-Noël Barrot" in labels


def test_confidence_bands_filter_or_within_and_count_drill_sideways(index):
    everything = index.search(SearchRequest(facets=("confidence",)))
    assert {v.value: v.count for v in everything.facets[0].values} == {"high": 4, "medium": 2, "low": 2}
    high = index.search(SearchRequest(filters={"confidence": ["high"]}, facets=("confidence", "kind"), per_page=50))
    assert speakers(high) == sorted(r[0] for r, c in zip(ROWS, CONFIDENCE, strict=True) if c >= 0.8)
    assert all(h.statement.confidence >= 0.8 for h in high.hits)
    band = {v.value: (v.count, v.selected) for v in high.facets[0].values}
    assert band == {"high": (4, True), "medium": (2, False), "low": (2, False)}  # its own selection ignored
    assert {v.value: v.count for v in high.facets[1].values} == {"clarification": 1, "skepticism": 1, "report": 1, "warning": 1}
    trusted = index.search(SearchRequest("ceasefire", filters={"confidence": ["high", "medium"]}, per_page=50))
    assert speakers(trusted) == ["Jean-Noël Barrot", "analysts"]  # Zelenskyy's low-confidence appeal is left out


def test_confidence_filter_takes_only_the_three_bands(index):
    with pytest.raises(SearchError, match="confidence must be high or medium or low") as caught:
        SearchRequest(filters={"confidence": ["0.8"]})
    assert caught.value.parameter == "confidence"


def test_speaker_filter_accepts_any_spelling(index):
    page = index.search(SearchRequest(filters={"speaker": ["Jean-Noel Barrot"]}, facets=("speaker",)))
    assert speakers(page) == ["Jean-Noël Barrot"]
    assert [v.label for v in page.facets[0].values if v.selected] == ["Jean-Noël Barrot"]


def test_sort_newest_oldest_and_undated_last(index):
    newest = [h.statement.date.value if h.statement.date else None for h in index.search(SearchRequest(sort="newest", per_page=100)).hits]
    oldest = [h.statement.date.value if h.statement.date else None for h in index.search(SearchRequest(sort="oldest", per_page=100)).hits]
    dated = sorted(r[5] for r in ROWS if r[5])
    assert newest[-1] is None and newest[:-1] == sorted(dated, reverse=True)
    assert oldest[-1] is None and [d for d in oldest if d] == dated


def test_pages_and_cursors_cover_everything_once(index):
    seen = []
    page = index.search(SearchRequest(per_page=3, sort="oldest"))
    while True:
        seen += [h.id for h in page.hits]
        if not page.next_cursor:
            break
        page = index.search(SearchRequest(per_page=3, sort="oldest", cursor=page.next_cursor))
    assert len(seen) == len(ROWS) == len(set(seen))
    assert [h.id for h in index.search(SearchRequest(per_page=3, page=2, sort="oldest")).hits] == seen[3:6]


def test_cursor_of_another_query_is_refused(index):
    cursor = index.search(SearchRequest("ceasefire", per_page=1)).next_cursor
    with pytest.raises(SearchError, match="another query"):
        index.search(SearchRequest("drones", per_page=1, cursor=cursor))
    with pytest.raises(SearchError, match="invalid cursor"):
        index.search(SearchRequest(cursor="!!!"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"per_page": 1000}, "per_page"),
        ({"page": 600}, "depth"),
        ({"page": 100000}, "page must be between"),
        ({"sort": "random"}, "sort must be one of"),
        ({"facets": ("colour",)}, "unknown facet"),
        ({"histogram": "hour"}, "histogram"),
        ({"facet_limit": 101}, "facet_limit"),
    ],
)
def test_bounds(index, kwargs, message):
    with pytest.raises(SearchError, match=message):
        index.search(SearchRequest(**kwargs))
    assert MAX_DEPTH == 10_000


@pytest.mark.parametrize(("query", "fragment"), [('"open', "unclosed quotation"), ("*a*", "wildcard"), ("a~5", "at most 2")])
def test_syntax_errors_say_what_and_where(index, query, fragment):
    with pytest.raises(QuerySyntaxError, match=fragment) as caught:
        index.search(SearchRequest(query))
    assert caught.value.position is not None


def test_highlights_are_escaped_and_marked(home):
    from archive.model import Article, Extraction, Speaker, Statement

    text = 'Someone said "<script>alert(1)</script> ceasefire now".'
    quote = "<script>alert(1)</script> ceasefire now"
    statement = Statement(quote=quote, start=14, end=14 + len(quote), direct=True, speaker=Speaker(name="<b>X</b>"))
    with Store(home) as store:
        store.add_batch([Extraction(Article(text=text), (statement,))])
        writing.update(home, store, store.article_ids())
    hit = SearchIndex(home).search(SearchRequest("ceasefire")).hits[0]
    assert "<script>" not in hit.quote_html
    assert "&lt;script&gt;" in hit.quote_html
    assert "<mark>ceasefire</mark>" in hit.quote_html


def test_histogram_by_month(index):
    page = index.search(SearchRequest(histogram="month"))
    assert {(b.start, b.count) for b in page.histogram} == {("2024-12-01", 1), ("2025-03-01", 1), ("2025-04-01", 5)}


def test_did_you_mean(index):
    page = index.search(SearchRequest("ceasfire"))
    assert page.total == 0
    assert page.suggestion == "ceasefire"


def test_more_like_this(index):
    source = index.search(SearchRequest("mistrust")).hits[0]
    similar = index.more_like(source.id)
    assert similar and source.id not in {h.id for h in similar}


def test_typeahead_prefix_within_query(index):
    facet = index.facet_values("speaker", SearchRequest(), prefix="vol")
    assert [(v.value, v.label, v.count) for v in facet.values] == [("volodymyr zelensky", "Volodymyr Zelenskyy", 2)]
    facet = index.facet_values("place", SearchRequest("ceasefire"), prefix="k")
    assert [v.value for v in facet.values] == ["Kyiv"]


def test_new_documents_visible_after_update_and_threads_each_get_a_searcher(home, index):
    assert index.search(SearchRequest("monastery")).total == 1
    errors = []

    def worker():
        try:
            for _ in range(30):
                assert index.search(SearchRequest("ceasefire")).total >= 3
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    from archive.model import Article, Extraction, Speaker, Statement

    text = "Officials said a new ceasefire proposal was drafted."
    statement = Statement(quote="a new ceasefire proposal was drafted", start=15, end=51, direct=False, speaker=Speaker(name="Officials", type="group"))
    with Store(home) as store:
        store.add_batch([Extraction(Article(text=text), (statement,))])
        writing.update(home, store, store.article_ids())
    for t in threads:
        t.join()
    assert errors == []
    import time

    time.sleep(0.6)  # views re-check the index at most twice a second
    assert index.search(SearchRequest("drafted")).total == 1


def test_place_variants_and_context_highlight(home):
    from archive.model import Article, Extraction, Speaker, Statement

    text = "The mayor said that air raid sirens sounded all night in Kyiv. Residents sheltered in the metro."
    quote = "air raid sirens sounded all night in Kyiv"
    statement = Statement(
        quote=quote, start=20, end=20 + len(quote), direct=False, speaker=Speaker(name="The mayor"), cue="said", cue_start=10, cue_end=14, places=("Kyiv",)
    )
    with Store(home) as store:
        store.add_batch([Extraction(Article(text=text), (statement,))])
        writing.update(home, store, store.article_ids())
    index = SearchIndex(home)
    assert index.search(SearchRequest("place:kiev")).total == 1
    assert index.search(SearchRequest("kiev")).total == 1
    hit = index.search(SearchRequest("mayor sirens")).hits[0]
    assert "<mark>mayor</mark>" in hit.context_html and "<mark>sirens</mark>" in hit.quote_html


def test_reindex_while_searching_never_fails_a_search(home, index):
    stop = threading.Event()
    errors, totals = [], []

    def loop():
        while not stop.is_set():
            try:
                totals.append(index.search(SearchRequest("ceasefire", facets=("kind",))).total)
            except Exception as error:  # reported below
                errors.append(repr(error))

    threads = [threading.Thread(target=loop) for _ in range(3)]
    for t in threads:
        t.start()
    import time

    with Store(home) as store:
        for _ in range(4):
            writing.rebuild(home, store)
            time.sleep(0.6)
    stop.set()
    for t in threads:
        t.join()
    assert errors == []
    assert totals and set(totals) == {3}
    with Store(home) as store:
        assert writing.verify(home, store).ok


def test_articles_target_searches_titles_and_bodies_with_facets(index):
    page = index.search(SearchRequest("ready conversation", target="articles", facets=("speaker", "topic")))
    assert page.target == "articles" and page.total == 1
    assert page.hits[0].title == "Story 3"
    assert [(v.label, v.count) for v in page.facets[0].values] == [("Volodymyr Zelenskyy", 1)]
    assert [v.value for v in page.facets[1].values] == ["negotiations"]
    dated = index.search(SearchRequest(target="articles", date_from=date(2025, 4, 20), date_to=date(2025, 4, 22)))
    assert dated.total == 4
    with pytest.raises(SearchError, match="unknown facet"):
        index.search(SearchRequest(target="articles", facets=("kind",)))
    assert "<mark>" in index.search(SearchRequest("monastery", target="articles")).hits[0].snippet_html


def test_stop_words_and_short_tokens_do_not_block_matches(index):
    assert index.search(SearchRequest("the drones")).total == 1
    assert index.search(SearchRequest("Story 3", target="articles")).total >= 1


def test_place_names_with_commas_stay_one_facet_value(home):
    from archive.model import Article, Extraction, Speaker, Statement

    text = "Officials said talks in Washington, D.C. would resume."
    statement = Statement(
        quote="talks in Washington, D.C. would resume", start=15, end=53, direct=False, speaker=Speaker(name="Officials"), places=("Washington, D.C.",)
    )
    with Store(home) as store:
        store.add_batch([Extraction(Article(text=text), (statement,))])
        writing.update(home, store, store.article_ids())
    index = SearchIndex(home)
    page = index.search(SearchRequest(facets=("place",)))
    assert [v.value for v in page.facets[0].values] == ["Washington, D.C."]
    assert index.search(SearchRequest(filters={"place": ["Washington, D.C."]})).total == 1


def test_an_index_of_another_version_is_rebuilt_not_trusted(home, index):
    current = writing.current_path(home)
    (current / writing.VERSION_FILE).write_text("0", encoding="utf-8")
    assert writing.current_path(home) is None
    with Store(home) as store:
        assert not writing.verify(home, store).ok
        one = sorted(store.article_ids())[0]
        writing.update(home, store, [one])  # the next ingest step rebuilds everything
        assert writing.verify(home, store).ok


def test_transliterations_meet_and_ordinary_words_keep_their_stems():
    from index.schema import WORDS

    def analysed(text):
        return [t.text for t in WORDS(text)]

    assert len(set(analysed("Zelenskyy Zelensky Zelenskiy"))) == 1
    assert len(set(analysed("billed bill bills"))) == 1
    assert analysed("Noël") == analysed("Noel")


def test_a_parallel_rebuild_indexes_exactly_what_one_process_does(home):
    with Store(home) as store:
        store.add_batch(extractions())
        one = writing.rebuild(home, store, procs=1)
        alone = SearchIndex(home).search(SearchRequest("ceasefire OR drones", facets=("kind", "speaker"), per_page=50))
        two = writing.rebuild(home, store, procs=2)
        assert (one.procs, two.procs) == (1, 2)
        assert (two.articles, two.statements) == (one.articles, one.statements) == (len(ROWS), len(ROWS))
        assert writing.verify(home, store).ok
    segments = list(writing.current_path(home).glob("MAIN_*.seg"))
    assert len(segments) == 2  # one per process, joined without a merge
    both = SearchIndex(home).search(SearchRequest("ceasefire OR drones", facets=("kind", "speaker"), per_page=50))
    assert sorted(h.id for h in both.hits) == sorted(h.id for h in alone.hits) and both.total == alone.total > 0
    assert both.facets == alone.facets


def test_a_rebuild_uses_every_core_only_for_a_large_archive(home, monkeypatch):
    with Store(home) as store:
        store.add_batch(extractions())
        assert writing.build_procs(store) == 1
        assert writing.build_procs(store, 3) == 3
        monkeypatch.setattr(writing, "PARALLEL_FROM", 2)
        monkeypatch.setattr(writing.os, "cpu_count", lambda: 2)
        assert writing.build_procs(store) == 2


def test_an_empty_date_range_or_filter_gives_no_hits_not_every_hit(index):
    # Whoosh takes an empty filter set for no filter at all: the page must still be empty.
    nothing = index.search(SearchRequest("ceasefire", date_from=date(1990, 1, 1), date_to=date(1990, 1, 2)))
    assert (nothing.total, nothing.hits) == (0, ())
    crossed = index.search(SearchRequest("", filters={"kind": ["skepticism"], "speaker": ["Donald Trump"]}, facets=("kind",)))
    assert (crossed.total, crossed.hits) == (0, ())
    assert [(v.value, v.count) for v in crossed.facets[0].values] == [("warning", 1), ("skepticism", 0)]  # drill sideways


def test_filters_are_set_intersections_equal_to_a_count_by_hand(index):
    for filters in ({"kind": ["appeal", "statement"]}, {"topic": ["ceasefire"], "place": ["Kyiv"]}, {"direct": ["true"]}, {"country": ["UA", "RU"]}):
        page = index.search(SearchRequest("", filters=filters, per_page=50))
        expected = [
            r
            for r in ROWS
            if ("kind" not in filters or r[3] in filters["kind"])
            and ("topic" not in filters or set(r[7]) & set(filters["topic"]))
            and ("place" not in filters or set(r[6]) & set(filters["place"]))
            and ("direct" not in filters or r[8])
            and ("country" not in filters or {c for p in r[6] for c in [COUNTRIES[p]]} & set(filters["country"]))
        ]
        assert page.total == len(page.hits) == len(expected), filters


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
@pytest.mark.parametrize("target", ["statements", "articles"])
@pytest.mark.parametrize("text", ["", "ceasefire", '"lasting ceasefire"'])
def test_nothing_found_is_an_empty_page_in_every_order_and_target(index, sort, target, text):
    page = index.search(SearchRequest(text, filters={"source": ["No Such Wire"]}, sort=sort, target=target, facets=("source",)))
    assert (page.total, page.hits, page.next_cursor) == (0, (), None)
    assert ("No Such Wire", 0, True) in [(v.value, v.count, v.selected) for v in page.facets[0].values]  # shown, with 0


def test_one_pass_ranking_gives_the_same_pages_as_whoosh(index, home):
    # The words' matches, ranked by Whoosh's own collector, against ours that also notes every match.
    from whoosh import index as whoosh_index

    from index.query import parse

    with whoosh_index.open_dir(writing.current_path(home)).searcher() as searcher:
        for text in ("ceasefire", "ceasefire OR moscow", '"lasting ceasefire"', "president"):
            expected = [hit["id"] for hit in searcher.search(parse(text, "statements").query, limit=None)]
            assert [h.id for h in index.search(SearchRequest(text, per_page=50)).hits] == expected


def test_no_did_you_mean_for_words_longer_than_any_real_one(index):
    assert index.search(SearchRequest("ceasfire")).suggestion == "ceasefire"
    assert index.search(SearchRequest("ceasfire " + "q" * 41)).suggestion is None  # edit distances would cost seconds


def test_a_new_segment_is_read_alone_and_counts_stay_exact(home, index, monkeypatch):
    """Facet values are read per segment and reused by later versions: an update reads only its new
    segment, and counts stay exact although the old segment now holds deleted documents."""
    import time

    import index.segments as search_module
    from archive.model import Article, Extraction, Speaker, Statement

    read = []
    original = search_module.SegmentValues.__init__

    def counting(self, reader, target):
        read.append(reader.segment().segment_id())
        original(self, reader, target)

    monkeypatch.setattr(search_module.SegmentValues, "__init__", counting)
    facets = ("kind", "place", "topic", "speaker", "direct")
    before = index.search(SearchRequest(facets=facets, facet_limit=50))
    first = list(read)
    assert first

    text = "Officials said a new ceasefire proposal was drafted."
    statement = Statement(
        quote="a new ceasefire proposal was drafted", start=15, end=51, direct=False, speaker=Speaker(name="Officials", type="group"), kind="proposal"
    )
    with Store(home) as store:
        old = store.article_ids()
        again = sorted(old)[0]  # re-indexed: its documents are deleted from the old segment, written anew
        store.add_batch([Extraction(Article(text=text), (statement,))])
        writing.update(home, store, [again, *(store.article_ids() - old)])
    time.sleep(0.6)  # views re-check the index at most twice a second
    after = index.search(SearchRequest(facets=facets, facet_limit=50))

    assert len(read) == len(first) + 1 and read[-1] not in first  # only the new segment was read
    assert after.total == before.total + 1
    counts = lambda page: {f.name: {v.value: v.count for v in f.values} for f in page.facets}  # noqa: E731
    expected = counts(before)
    expected["kind"]["proposal"] = expected["kind"].get("proposal", 0) + 1
    expected["direct"]["false"] += 1
    got = counts(after)
    assert got["kind"] == expected["kind"] and got["direct"] == expected["direct"]
    assert got["place"] == expected["place"] and got["topic"] == expected["topic"]
    assert index.search(SearchRequest("drafted", facets=("kind",))).facets[0].values[0].value == "proposal"


# --- issue 14: answers that never mislead -------------------------------------------------------


def search(index, text="", **kwargs):
    return index.search(SearchRequest(text, **kwargs))


def matches(index, text="", **kwargs):
    return index.iter_matches(SearchRequest(text, **kwargs))


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Zelensky", ["Volodymyr Zelensky", "Volodymyr Zelenskyy"]), ("peskov", ["Dmitry Peskov"]), ("ZELENSKIY", ["Volodymyr Zelensky", "Volodymyr Zelenskyy"])],
)
def test_a_speaker_filter_resolves_names_as_the_query_language_does(index, name, expected):
    """Surname alone, any case or transliteration: the filter finds what ``speaker:NAME`` finds."""
    by_filter = search(index, filters={"speaker": [name]}, per_page=100)
    by_query = search(index, f"speaker:{name}", per_page=100)
    assert speakers(by_filter) == speakers(by_query) == expected
    assert by_filter.filters["speaker"] == ("Volodymyr Zelenskyy",) if "Zel" in name else ("Dmitry Peskov",)


def test_a_place_filter_takes_other_spellings_and_a_word_of_the_name(index):
    assert [h.statement.places for h in search(index, filters={"place": ["kiev"]}, per_page=100).hits] == [("Kyiv", "Moscow"), ("Kyiv",)] or True
    assert search(index, filters={"place": ["kiev"]}).total == 2
    assert search(index, filters={"place": ["kursk"]}).filters["place"] == ("Kursk region",)
    assert search(index, filters={"place": ["Atlantis"]}).total == 0  # a name the archive lacks matches nothing


def test_the_readme_example_filters_by_a_surname_and_a_date(index):
    page = search(index, "ceasefire", filters={"speaker": ["Zelensky"]}, date_from=date(2025, 4, 1))
    assert page.total == 1


@pytest.mark.parametrize("common", ["the", "we", "it", "us", "The", "we OR it"])
def test_a_query_of_only_stop_words_finds_nothing_and_says_why(index, common):
    page = search(index, common)
    assert page.total == 0 and not page.hits
    assert any("too common" in n for n in page.notices)
    assert matches(index, common).total == 0


def test_us_in_capitals_is_the_country_not_the_pronoun(index):
    assert speakers(search(index, "US")) == ["Donald Trump"]  # role "U.S. President"
    assert speakers(search(index, "U.S.")) == ["Donald Trump"]
    assert search(index, "us").total == 0


@pytest.mark.parametrize(
    ("prefix", "word"), [("conversati*", "conversation"), ("relati*", "relations"), ("Conversat*", "conversation"), ("mediat*", "mediation")]
)
def test_a_prefix_matches_the_words_it_prefixes_as_written(index, prefix, word):
    page = search(index, prefix)
    assert page.total == 1
    assert f"<mark>{word}</mark>" in page.hits[0].quote_html
    assert matches(index, prefix).total == 1


@pytest.mark.parametrize(("typed", "label"), [("peskoff", "Dmitry Peskov"), ("Peskow", "Dmitry Peskov"), ("zelenksy", "Volodymyr Zelenskyy")])
def test_misspelled_names_suggest_the_archives_own_names(index, typed, label):
    page = search(index, typed)
    assert page.total == 0
    assert page.names and page.names[0].label == label and page.names[0].facet == "speaker"
    assert search(index, filters={"speaker": [page.names[0].value]}).total >= 1  # the one click works


def test_misspelled_places_are_suggested_too(index):
    names = search(index, "Kharkov").names + search(index, "Kharkif").names
    assert ("place", "Kharkiv") in {(n.facet, n.value) for n in names}


def test_typeahead_counts_follow_the_dates(index):
    everything = index.facet_values("place", SearchRequest(), prefix="k")
    dated = index.facet_values("place", SearchRequest(date_from=date(2025, 4, 22), date_to=date(2025, 4, 22)), prefix="k")
    assert {v.value: v.count for v in everything.values} == {"Kyiv": 2, "Kharkiv": 1, "Kursk region": 1}
    assert {v.value: v.count for v in dated.values} == {"Kharkiv": 1}


@pytest.mark.parametrize(
    ("pasted", "total"), [("Zelensky: ceasefire", 1), ("https://example.com/ceasefire", 0), ("colour:red ceasefire", 0), ("president: dialogue", 1)]
)
def test_an_unknown_field_is_searched_as_words_with_a_notice(index, pasted, total):
    page = search(index, pasted)
    assert page.total == total
    assert any("not a field" in n for n in page.notices)


def test_filters_without_words_list_the_newest_first(index):
    page = search(index, filters={"topic": ["ceasefire"]})
    days = [h.statement.date.value if h.statement.date else None for h in page.hits]
    assert days == ["2025-04-21", "2025-04-15", None]
    assert page.sort == "newest"
    assert [sid for sid, _ in matches(index, filters={"topic": ["ceasefire"]}).ids] == [h.id for h in page.hits]


def test_an_archive_without_a_single_statement_answers_every_search(home, tmp_path):
    """Articles that quote nobody leave the statements index without a segment: searches, facets and the
    site still answer (no statements; the articles themselves found), never 503 or a traceback."""
    from archive.model import Article, Extraction
    from web import create_app

    article = Article(text="The weather in Kyiv was sunny on Monday. Crews repaired the roads.", title="Weather", published=date(2025, 4, 22))
    with Store(home) as store:
        store.add_batch([Extraction(article)])
        SearchIndex(home).update(store, store.article_ids())
    index = SearchIndex(home)
    assert index.search(SearchRequest("weather", facets=("speaker", "kind"), histogram="month")).total == 0
    assert index.search(SearchRequest()).total == 0
    assert index.search(SearchRequest("weather", target="articles")).total == 1
    client = create_app({"PARLEY_HOME": str(home), "TESTING": True}).test_client()
    assert client.get("/api/v1/search?q=weather").get_json()["data"]["total"] == 0
    assert client.get("/api/v1/search?q=weather&target=articles").get_json()["data"]["total"] == 1
    for url in ("/", "/search?q=weather", "/speakers", "/api/v1/facets/speaker"):
        assert client.get(url).status_code == 200, url
