import sqlite3
from dataclasses import replace
from datetime import date

import pytest

from archive.model import Article, DateRef, Extraction, Place, Speaker, Statement
from archive.store import DB_NAME, SCHEMA_VERSION, Store, StoreError


def sample(text="Peskov told Interfax that talks could resume.", url=None) -> Extraction:
    article = Article(text=text, title="Talks", published=date(2025, 4, 22), source="Wire", url=url)
    statement = Statement(
        quote="talks could resume",
        start=26,
        end=44,
        direct=False,
        speaker=Speaker(name="Dmitry Peskov", type="person", role="Kremlin spokesperson", mention="Peskov", start=0, end=6),
        cue="told",
        cue_start=7,
        cue_end=11,
        kind="statement",
        channel="Interfax",
        confidence=0.9,
        date=DateRef(text="", start=None, end=None, value="2025-04-22", precision="article", range_start="2025-04-22", range_end="2025-04-22"),
        places=("Moscow",),
        topics=("negotiations",),
    )
    place = Place(text="Moscow", start=0, end=6, name="Moscow", kind="city", country="RU", lat=55.75, lon=37.62)
    when = DateRef(text="on Monday", start=1, end=10, value="2025-04-21", precision="day")
    return Extraction(article, (statement,), (place,), (when,), ("negotiations",))


def test_round_trip_keeps_everything(store):
    original = sample()
    assert store.add_batch([original]).added == [original.article.id]
    assert store.get(original.article.id) == original
    assert list(store) == [original]


def test_same_article_twice_changes_nothing(store):
    first = store.add_batch([sample(), sample()])
    assert len(first.added) == 1 and len(first.duplicates) == 1
    again = store.add_batch([sample()])
    assert again.added == [] and len(again.duplicates) == 1
    assert store.stats()["articles"] == 1 and store.stats()["statements"] == 1


def test_id_depends_on_text_and_url_not_whitespace_or_metadata():
    a = Article(text="Kyiv was hit.\n", title="A")
    assert a.id == Article(text="Kyiv  was hit.", title="B", source="other").id
    assert a.id != Article(text="Kyiv was hit.", url="https://x.org/1").id
    assert a.id != Article(text="Kharkiv was hit.").id


def test_schema_version_wal_and_reopen(home):
    with Store(home) as s:
        s.add_batch([sample()])
    with Store(home) as s:
        assert s.version == SCHEMA_VERSION
        assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.stats()["articles"] == 1


def test_newer_schema_is_refused(home):
    Store(home).close()
    db = sqlite3.connect(home / DB_NAME)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer than this Parley"):
        Store(home)


def test_readonly_store_cannot_write(home):
    Store(home).close()
    with Store(home, readonly=True) as s, pytest.raises(sqlite3.OperationalError):
        s.add_batch([sample()])


def test_readonly_store_needs_an_archive(home):
    with pytest.raises(StoreError, match="no archive"):
        Store(home, readonly=True)


def test_quarantine_keeps_reason_once_per_input(store):
    store.quarantine("bad.txt", "binary file", b"\x00\x01")
    store.quarantine("bad.txt", "binary file", b"\x00\x01")
    store.quarantine("-", "empty file", b"")
    assert store.stats()["rejected"] == 2
    assert {(r.source, r.reason) for r in store.rejections()} == {("bad.txt", "binary file"), ("-", "empty file")}


def test_replace_extraction_keeps_added_time(store):
    original = sample()
    store.add_batch([original])
    before = store.db.execute("SELECT added_at FROM articles").fetchone()[0]
    store.replace_extraction(Extraction(original.article))
    assert store.get(original.article.id).statements == ()
    assert store.db.execute("SELECT added_at FROM articles").fetchone()[0] == before


def test_a_replaced_extraction_is_listed_for_the_index(store):
    original = sample()
    store.add_batch([original])
    store.mark_indexed([original.article.id])
    store.replace_extraction(Extraction(original.article))
    assert store.unindexed() == [original.article.id]


def test_latest_orders_by_publication(store):
    older = Extraction(Article(text="Old.", published=date(2024, 1, 1)))
    newer = Extraction(Article(text="New.", published=date(2025, 1, 1)))
    undated = Extraction(Article(text="Undated."))
    store.add_batch([older, undated, newer])
    assert [row["opening"] for row in store.latest()] == ["New.", "Old.", "Undated."]


def test_slices_cover_every_article_once(store):
    store.add_batch([sample(f"Peskov told Interfax that talks could resume, take {i}.") for i in range(7)])
    everything = [e.article.id for e in store]
    assert everything == sorted(everything) and len(everything) >= 7
    for parts in (1, 2, 3, 7, 10, 100):
        cuts = store.split_ids(parts)
        assert len(cuts) == min(parts, len(everything)) - 1 and cuts == sorted(set(cuts))
        slices = [[e.article.id for e in store.extractions(lo, hi)] for lo, hi in zip(["", *cuts], [*cuts, None])]
        assert [i for part in slices for i in part] == everything
        assert all(slices)


def test_stats_follow_commits_of_this_and_other_connections(store, home):
    reader = Store(home, readonly=True)
    assert reader.stats()["articles"] == store.stats()["articles"] == 0
    store.add_batch([sample()])
    assert store.stats()["articles"] == 1  # this connection's own commit
    assert reader.stats()["articles"] == 1  # another connection's commit
    assert reader.stats() == reader.stats()
    store.quarantine("bad.txt", "not UTF-8")
    assert reader.stats()["rejected"] == store.stats()["rejected"] == 1
    reader.close()


def test_a_read_only_store_of_an_older_schema_lists_nothing_unindexed(home):
    """An archive made before the unindexed list (schema 1), opened read-only, cannot be migrated: a
    rebuild from it (as the bench and a read-only serve do) must still work, not fail on the table."""
    from index_corpus import extractions

    from index.search import SearchIndex

    with Store(home) as store:
        store.add_batch(extractions())
        store.db.execute("DROP TABLE unindexed")
        store.db.execute("PRAGMA user_version = 1")
        store.db.commit()
    with Store(home, readonly=True) as old:
        assert old.version == 1
        assert old.unindexed() == []
        report = SearchIndex(home).rebuild(old)
    assert report.articles == len(extractions())


def test_a_transaction_commits_its_writes_together(home):
    first, second = sample(), sample("Zelensky said the talks would go on.")
    with Store(home) as s, Store(home, readonly=True) as reader:
        with s.transaction():
            s.add_batch([first])
            s.quarantine("bad.txt", "binary file", b"\x00")
            s.add_batch([second, first])
            assert reader.stats()["articles"] == 0  # nothing reaches other connections before the end
        assert reader.article_ids() == {first.article.id, second.article.id}
        assert len(reader.rejections()) == 1


def test_a_transaction_keeps_the_writes_before_one_that_failed(home):
    good, other = sample(), sample("Zelensky said the talks would go on.")
    unstorable = replace(other.statements[0], places=(object(),))  # fails once its article row is written
    with Store(home) as s:
        with pytest.raises(TypeError):
            with s.transaction():
                s.add_batch([good])
                s.quarantine("bad.txt", "binary file", b"\x00")
                s.add_batch([replace(other, statements=(unstorable,))])
        assert s.add_batch([sample("Another article.")]).added  # the store goes on working
    with Store(home) as s:
        assert s.article_ids() == {good.article.id, sample("Another article.").article.id}
        assert s.stats()["statements"] == 2
        assert s.unindexed() == sorted([good.article.id, sample("Another article.").article.id])
        assert [r.source for r in s.rejections()] == ["bad.txt"]


def test_speaker_and_place_dicts_hold_every_field():
    """Written out by hand (for speed): a field added to the class must be added to its dict too."""
    from dataclasses import asdict

    extraction = sample()
    for value in (extraction.statements[0].speaker, extraction.places[0]):
        assert value.as_dict() == asdict(value) and list(value.as_dict()) == list(asdict(value))


def test_statements_are_kept_as_compact_json_the_standard_library_reads_and_writes_alike(store):
    """The store writes its JSON with orjson (nine times faster); the text is what json.dumps writes, so
    archives written before and after read the same, and any JSON reader can read them."""
    import json

    extraction = sample('«Nous négocions», a déclaré le ministre à Genève, le 22 avril 2025. "The talks go on," she said.')
    store.add_batch([extraction])
    rows = [row[0] for row in store.db.execute("SELECT data FROM statements ORDER BY seq")]
    kept = store.get(extraction.article.id)
    assert rows and len(rows) == len(kept.statements)
    for text, statement in zip(rows, kept.statements, strict=True):
        assert text == json.dumps(statement.as_dict(), ensure_ascii=False, separators=(",", ":"))
        assert json.loads(text) == statement.as_dict()
