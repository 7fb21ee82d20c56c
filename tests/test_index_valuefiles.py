"""Per-segment value files: written by a rebuild, mapped by searchers, ignored when unusable, and
always equal to what the segment itself holds."""

from pathlib import Path

import pytest
from index_corpus import extractions
from whoosh import index as whoosh_index
from whoosh import query as Q

from archive.store import Store
from index import valuefiles, writing
from index.request import SearchRequest
from index.search import SearchIndex
from index.segments import NO_DAY, TARGET_CONFIG, SegmentValues, _compute

FACETS = ("speaker", "kind", "type", "source", "place", "country", "topic", "channel", "direct", "confidence")


@pytest.fixture
def built(home):
    """A rebuilt index (two slices: two segments), then two articles re-indexed (deletions, a new segment)."""
    with Store(home) as store:
        store.add_batch(extractions())
        writing.rebuild(home, store, procs=1)
        writing.update(home, store, sorted(store.article_ids())[:2])
    return home


def value_files(home: Path) -> list[Path]:
    return sorted(writing.current_path(home).glob(f"*.{valuefiles.SUFFIX}"))


def answer(page) -> tuple:
    """What a search answers: its total, facets, histogram and the page's statements in order."""
    return page.total, page.facets, page.histogram, [h.id for h in page.hits]


def segments(home: Path, target: str = "statements"):
    ix = whoosh_index.open_dir(writing.current_path(home), indexname=TARGET_CONFIG[target].indexname)
    return ix, ix.reader()


def test_a_rebuild_writes_one_value_file_per_segment_named_for_it(home):
    with Store(home) as store:
        store.add_batch(extractions())
        writing.rebuild(home, store, procs=1)
    names = {p.name for p in value_files(home)}
    expected = set()
    for target in TARGET_CONFIG:
        ix, reader = segments(home, target)
        with reader:
            expected |= {f"{leaf.segment().segment_id()}.{valuefiles.SUFFIX}" for leaf, _ in reader.leaf_readers()}
        ix.close()
    assert names == expected and len(names) == 2


@pytest.mark.parametrize("target", ["statements", "articles"])
def test_mapped_values_equal_the_values_computed_from_the_segment(built, target):
    ix, reader = segments(built, target)
    with reader:
        for leaf, _ in reader.leaf_readers():
            had = (writing.current_path(built) / valuefiles.file_name(leaf.segment().segment_id())).exists()
            assert SegmentValues(leaf, TARGET_CONFIG[target]).saved == 0  # a searcher never writes
            assert SegmentValues(leaf, TARGET_CONFIG[target], save=True).saved == (0 if had else 1)  # a writer: the update's segment
            mapped = SegmentValues(leaf, TARGET_CONFIG[target])
            assert mapped.saved == 0  # mapped from its file, not computed
            arrays, vocab = _compute(leaf, TARGET_CONFIG[target], leaf.doc_count_all())
            for name, (codes, labels) in mapped.columns.items():
                assert [labels[c] for c in codes] == [vocab[name][c] for c in arrays[f"column.{name}"]]
                assert [labels[c] for c in codes] == (list(leaf.column_reader(name)) if leaf.has_column(name) else [""] * leaf.doc_count_all())
            for name, (offsets, codes, labels) in mapped.multi.items():
                for docnum in leaf.all_doc_ids():  # (Whoosh's postings leave deleted documents out)
                    held = {labels[c] for c in codes[offsets[docnum] : offsets[docnum + 1]]}
                    assert held == {t.decode() for t in leaf.lexicon(name) if docnum in set(leaf.postings(name, t).all_ids())}
            expected_days = [d if -100_000 < d < 1_000_000 else NO_DAY for d in leaf.column_reader("day")]
            assert mapped.days.tolist() == arrays["days"].tolist() == expected_days
            assert mapped.order.tolist() == sorted((n for n, d in enumerate(expected_days) if d != NO_DAY), key=lambda n: expected_days[n])
    ix.close()


def test_cached_facet_sets_are_whooshs_term_matches_without_deleted_documents(built):
    index = SearchIndex(built)
    index.search(SearchRequest("ceasefire"))
    view = index._view()
    assert view.searcher.reader().has_deletions()
    config = TARGET_CONFIG["statements"]
    checked = 0
    for field_name in (*config.single, *config.multi, "direct"):
        for term in view.searcher.reader().lexicon(field_name):
            value = view.searcher.schema[field_name].from_bytes(term)
            expected = sorted(view.searcher.docs_for_query(Q.Term(field_name, value)))
            assert view.cache.docs_with(view.searcher, field_name, value).tolist() == expected, (field_name, value)
            checked += 1
    assert checked > 30


def test_a_damaged_or_foreign_value_file_is_ignored_and_searches_stay_exact(built):
    expected = SearchIndex(built).search(SearchRequest("ceasefire OR moscow", facets=FACETS, histogram="month"))
    files = value_files(built)
    files[0].write_bytes(files[0].read_bytes()[:200])  # truncated
    files[1].write_bytes(b"not a value file at all")
    again = SearchIndex(built).search(SearchRequest("ceasefire OR moscow", facets=FACETS, histogram="month"))
    assert answer(again) == answer(expected)
    assert files[1].read_bytes() == b"not a value file at all"  # searches never write
    assert valuefiles.write_missing(writing.current_path(built)) == 4  # the two damaged, and the update's two segments
    assert valuefiles.write_missing(writing.current_path(built)) == 0


def test_searches_never_write_and_an_index_without_files_is_searched_the_same(built):
    folder = writing.current_path(built)
    expected = SearchIndex(built).search(SearchRequest("ceasefire", facets=FACETS, histogram="day"))
    for path in value_files(built):
        path.unlink()
    before = sorted(p.name for p in folder.iterdir()), folder.stat().st_mtime_ns  # the site's ETags include the folder's state
    page = SearchIndex(built).search(SearchRequest("ceasefire", facets=FACETS, histogram="day"))
    assert answer(page) == answer(expected)
    assert (sorted(p.name for p in folder.iterdir()), folder.stat().st_mtime_ns) == before
    segment_count = 0
    for target in TARGET_CONFIG:
        ix, reader = segments(built, target)
        with reader:
            segment_count += len(reader.leaf_readers())
        ix.close()
    assert valuefiles.write_missing(folder) == segment_count  # a value file each (postings: no word is frequent enough)
    assert SearchIndex(built).search(SearchRequest("ceasefire", facets=FACETS, histogram="day")).facets == expected.facets


def test_a_value_file_goes_with_its_segment_when_segments_merge(built):
    before = {p.name for p in value_files(built)}
    ix = whoosh_index.open_dir(writing.current_path(built))
    ix.optimize()
    ix.close()
    after = {p.name for p in value_files(built)}
    statement_files = {name for name in before if name.startswith("MAIN_")}
    assert statement_files and not statement_files & after  # Whoosh's clean-up took them with their segments
    valuefiles.write_missing(writing.current_path(built))
    assert len([p for p in value_files(built) if p.name.startswith("MAIN_")]) == 1  # the merged segment's


def test_mapped_postings_equal_the_decoded_ones_and_searches_rank_the_same(home, monkeypatch):
    from index import postingfiles
    from index.postings import decode, positions

    monkeypatch.setattr(postingfiles, "MIN_DOCS", 2)  # the test corpus is small: map every word in two documents or more
    with Store(home) as store:
        store.add_batch(extractions())
        writing.update(home, store, store.article_ids())
    queries = ["ceasefire", "ceasefire talks", "moscow OR kyiv", '"clear answer"', "ceasefire NOT warning", "said"]
    requests = [SearchRequest(q, facets=FACETS, per_page=50) for q in queries]
    before = [SearchIndex(home).search(r) for r in requests]
    assert valuefiles.write_missing(writing.current_path(home)) >= 1
    ix, reader = segments(home)
    mapped = postingfiles.MappedSegments()
    compared = 0
    with reader:
        for leaf, _ in reader.leaf_readers():
            held = mapped.of(leaf)
            assert held is not None
            for word in held.index:
                got, expected = held.get(word), decode(leaf, "text", word, True)
                assert got.ids.tolist() == expected.ids.tolist() and got.weights.tolist() == expected.weights.tolist()
                starts, flat = got.located
                assert [flat[starts[n] : starts[n + 1]].tolist() for n in range(len(got.ids))] == [positions(v).tolist() for v in expected.values]
                assert leaf.doc_frequency("text", word) >= 2
                compared += 1
            rare = [t for t, info in leaf.iter_field("text") if info.doc_frequency() < 2]
            assert rare and all(held.get(t) is None for t in rare)  # left to be decoded
    ix.close()
    assert compared > 5
    index = SearchIndex(home)
    after = [index.search(r) for r in requests]
    for a, b in zip(before, after):
        assert (a.total, a.facets, [(h.id, h.score) for h in a.hits]) == (b.total, b.facets, [(h.id, h.score) for h in b.hits])
    assert index._fast.mapped.of(index._view().searcher.reader().leaf_readers()[0][0]) is not None


def test_word_listings_from_the_lexicons_equal_whooshs(built):
    """Fuzzy terms and did-you-mean list a field's words under a prefix: from the segments' value files,
    the same words in the same order as Whoosh's ``expand_prefix`` over every segment (deleted documents' too)."""
    valuefiles.write_missing(writing.current_path(built))  # (the update's segment too)
    index = SearchIndex(built)
    index.search(SearchRequest("ceasefire"))
    view = index._view()
    reader = view.searcher.reader()
    assert len(reader.leaf_readers()) >= 2 and reader.has_deletions()
    listings = view.cache.listings
    compared = 0
    for field in ("text", "words"):
        words = [view.searcher.schema[field].from_bytes(t) for t in reader.lexicon(field)]
        for prefix in sorted({w[:1] for w in words} | {w[:2] for w in words} | {"zz", "é"}):
            expected = [view.searcher.schema[field].from_bytes(t) for t in reader.expand_prefix(field, prefix)]
            assert listings._from_lexicons(field, prefix) == expected, (field, prefix)
            compared += len(expected)
    assert compared > 100
    assert index.search(SearchRequest("ceasfire")).suggestion == "ceasefire"
    assert index.search(SearchRequest("ceasefir~1")).total == index.search(SearchRequest("ceasefire")).total


def test_a_flipped_byte_in_a_value_file_is_damage_that_verify_names(built):
    """A flipped byte inside the arrays still parses (and would give wrong counts): the recorded checksum catches it."""
    from index import integrity

    folder = writing.current_path(built)
    assert integrity.damage(folder, (None, "articles"), deep=False) == []
    victim = value_files(built)[0]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    problems = integrity.damage(folder, (None, "articles"), deep=False)
    assert len(problems) == 1 and problems[0].startswith(f"{victim.name} is damaged")


def test_the_valuefiles_command_writes_what_is_missing_and_records_its_checksums(built):
    import subprocess
    import sys

    from index import integrity

    folder = writing.current_path(built)
    files = value_files(built)
    files[0].write_bytes(b"not a value file at all")  # unreadable: the command writes it again
    assert any(files[0].name in p for p in integrity.damage(folder, (None, "articles"), deep=False))
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-m", "index.valuefiles", str(built)], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert files[0].read_bytes() != b"not a value file at all"
    assert integrity.damage(folder, (None, "articles"), deep=False) == []
    assert all(p.name in integrity.read_sums(folder) for p in value_files(built))


def test_an_update_writes_the_files_of_segments_from_mapped_from_up_and_records_them(home, monkeypatch):
    from index import integrity, postingfiles

    def new_statement_segments(store, ids) -> set[str]:
        ix = whoosh_index.open_dir(writing.current_path(home))
        before = {seg.segment_id() for seg in ix._segments()}
        writing.update(home, store, ids)
        ix = whoosh_index.open_dir(writing.current_path(home))
        return {seg.segment_id() for seg in ix._segments()} - before

    with Store(home) as store:
        store.add_batch(extractions())
        writing.rebuild(home, store, procs=1)
        ids = sorted(store.article_ids())
        monkeypatch.setattr(writing, "MAPPED_FROM", 10**9)  # no segment this small gets files
        (small,) = new_statement_segments(store, ids[:2])
        assert not (writing.current_path(home) / valuefiles.file_name(small)).exists()
        monkeypatch.setattr(writing, "MAPPED_FROM", 1)  # every segment does
        new = new_statement_segments(store, ids[2:4])
    folder = writing.current_path(home)
    # the new segment's, and the one an earlier update left without (unless a merge took it in)
    kept = [segment_id for segment_id in new | {small} if (folder / f"{segment_id}.seg").exists()]
    assert kept and all((folder / valuefiles.file_name(segment_id)).exists() for segment_id in kept)
    mapped = [*folder.glob(f"*.{valuefiles.SUFFIX}"), *folder.glob(f"*.{postingfiles.SUFFIX}")]
    assert {p.name for p in mapped} <= set(integrity.read_sums(folder))  # verify checks them
    assert integrity.damage(folder, (None, "articles"), deep=False) == []
    with Store(home) as store:  # and searches reading them count every statement
        assert SearchIndex(home).search(SearchRequest("*")).total == store.stats()["statements"] > 0
