"""The bulk segment builder writes the index Whoosh's own writer writes: same terms, postings, blocks,
lengths, stored fields, columns and scores, read back by plain Whoosh from real files on disk."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import PROJECT
from index_corpus import extractions
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh import scoring
from whoosh.writing import SegmentWriter

from archive.extract.pipeline import extract
from archive.readers import read_path
from archive.store import Store
from index import writing
from index.documents import article_document, speaker_key, statement_documents
from index.schema import article_schema, statement_schema
from index.segment_builder import SegmentBuilder


def corpus() -> list:
    """The test corpus, the seed article as the extractors read it, and awkward values, repeated with new
    ids and words so that frequent terms fill several 128-posting blocks."""
    seed = extract(read_path(next((PROJECT / "seeds").glob("*.txt"))).articles[0])
    base = [*extractions(), seed]
    odd = dataclasses.replace(base[0].article, title="The of and", text="The the a Zelenskyy U.S. u.s.a. 3.141 Noël")
    base.append(dataclasses.replace(base[0], article=odd))
    made = []
    for copy in range(40):
        for extraction in base:
            article = dataclasses.replace(
                extraction.article,
                text=f"{extraction.article.text} copy{copy} " + "ceasefire " * (copy % 3),
                title=f"{extraction.article.title} copy{copy % 7}",
            )
            made.append(dataclasses.replace(extraction, article=article))
    return made


def documents(index_name: str) -> list[dict]:
    if index_name == "articles":
        return [article_document(e) for e in corpus()]
    docs = [doc for e in corpus() for doc in statement_documents(e)]
    docs[0] = {**docs[0], "speaker_id": "", "channel_name": "", "direct": "true", "places": ""}  # empty ids are terms too
    return docs


def whoosh_built(folder: Path, schema, docs: list[dict]):
    folder.mkdir()
    ix = whoosh_index.create_in(folder, schema)
    writer = SegmentWriter(ix)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return whoosh_index.open_dir(folder)


def builder_built(folder: Path, schema, docs: list[dict], **options):
    folder.mkdir()
    ix = whoosh_index.create_in(folder, schema)
    builder = SegmentBuilder(ix, **options)
    for doc in docs:
        builder.add_document(**doc)
    writing._join(ix, [builder.finish()])
    return whoosh_index.open_dir(folder)


def blocks(matcher) -> list[tuple]:
    """Each posting block's statistics, as a searcher's quality checks read them."""
    found = []
    while matcher.is_active():
        found.append((matcher.block_max_id(), matcher.block_max_weight(), matcher.block_min_length(), matcher.block_max_length()))
        if not hasattr(matcher, "_next_block"):  # postings inlined in the term table: one block
            break
        matcher._next_block()
    return found


def content(ix, *, with_blocks: bool = True) -> dict:
    """Everything a search can read from an index."""
    with ix.reader() as reader:
        schema = reader.schema
        seen: dict = {"docs": reader.doc_count_all(), "terms": {}, "stored": [], "lengths": {}, "columns": {}, "totals": {}}
        for fieldname, text in reader.all_terms():
            info = reader.term_info(fieldname, text)
            matcher = reader.postings(fieldname, text)
            postings = []
            while matcher.is_active():
                postings.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight(), info.min_id(), info.max_id())
            seen["terms"][fieldname, text] = (stats, postings, blocks(reader.postings(fieldname, text)) if with_blocks else None)
        for docnum in range(reader.doc_count_all()):
            seen["stored"].append(reader.stored_fields(docnum))
        for name in schema.scorable_names():
            seen["totals"][name] = reader.field_length(name)
            seen["lengths"][name] = [reader.doc_field_length(n, name) for n in range(reader.doc_count_all())]
        for name in schema.names():
            if schema[name].column_type and reader.has_column(name):
                seen["columns"][name] = list(reader.column_reader(name))
    return seen


def scores(ix, queries) -> list:
    with ix.searcher(weighting=scoring.BM25F()) as searcher:
        return [[(hit.docnum, hit.score) for hit in searcher.search(q, limit=None)] for q in queries]


QUERIES = {
    "statements": [
        Q.Term("text", "ceasefir"),
        Q.And([Q.Term("text", "moscow"), Q.Term("text", "answer")]),
        Q.Phrase("text", ["clear", "answer"]),
        Q.Or([Q.Term("speaker", "zelensky"), Q.Term("role", "presid")]),
        Q.Term("kind", "appeal"),
        Q.Term("places", "Kyiv"),
        Q.Prefix("words", "ceasef"),
    ],
    "articles": [Q.Term("body", "ceasefir"), Q.Phrase("body", ["clear", "answer"]), Q.Term("title", "stori"), Q.Term("speakers", speaker_key("Dmitry Peskov"))],
}


@pytest.mark.parametrize("index_name", ["statements", "articles"])
def test_the_builder_writes_what_whoosh_writes(tmp_path, index_name):
    schema = statement_schema() if index_name == "statements" else article_schema()
    docs = documents(index_name)
    expected_ix = whoosh_built(tmp_path / "whoosh", schema, docs)
    built_ix = builder_built(tmp_path / "built", schema, docs)
    expected, built = content(expected_ix), content(built_ix)
    assert len(expected["terms"]) > 200 and any(len(b) > 1 for _, _, b in expected["terms"].values())  # several blocks
    assert built == expected
    assert scores(built_ix, QUERIES[index_name]) == scores(expected_ix, QUERIES[index_name])
    assert all(scores(built_ix, QUERIES[index_name]))  # every sample query finds something


def test_postings_written_in_chunks_read_the_same(tmp_path):
    """Past its memory budget the builder writes runs; joined, the postings are the same (the blocks are
    cut where the runs end, so only their boundaries differ)."""
    schema, docs = article_schema(), documents("articles")
    expected_ix = whoosh_built(tmp_path / "whoosh", schema, docs)
    built_ix = builder_built(tmp_path / "built", schema, docs, chunk_postings=5_000)
    assert content(built_ix, with_blocks=False) == content(expected_ix, with_blocks=False)
    assert scores(built_ix, QUERIES["articles"]) == scores(expected_ix, QUERIES["articles"])


def test_rebuild_in_two_processes_indexes_every_statement_as_whoosh_would(tmp_path):
    home = tmp_path / "home"
    with Store(home) as store:
        store.add_batch(corpus()[:60])
        report = writing.rebuild(home, store, procs=2)
        path = writing.current_path(home)
        docs = [doc for article_id in store.article_ids() for doc in statement_documents(store.get(article_id))]
    assert report.procs == 2 and report.statements == len(docs)
    ix = whoosh_index.open_dir(path)
    assert len(ix._segments()) == 2
    expected_ix = whoosh_built(tmp_path / "whoosh", statement_schema(), docs)
    queries = QUERIES["statements"]
    by_id = {}
    for ix_, name in ((ix, "built"), (expected_ix, "whoosh")):
        with ix_.searcher(weighting=scoring.BM25F()) as searcher:
            by_id[name] = [sorted((hit["id"], round(hit.score, 5)) for hit in searcher.search(q, limit=None)) for q in queries]
    # Document numbers differ (two segments), the statistics that score them do not.
    assert by_id["built"] == by_id["whoosh"]
    assert writing.verify(home, Store(home, readonly=True)).missing == []


def test_the_builder_refuses_field_types_it_does_not_write(tmp_path):
    from whoosh.fields import NGRAM, Schema

    folder = tmp_path / "ix"
    folder.mkdir()
    ix = whoosh_index.create_in(folder, Schema(grams=NGRAM()))
    with pytest.raises(TypeError, match="grams"):
        SegmentBuilder(ix)


def test_updates_in_batches_answer_as_one_whoosh_segment(tmp_path):
    """``update`` adds each batch as a builder segment through Whoosh's commit (merge policy, deletions)."""
    home = tmp_path / "home"
    extractions_ = corpus()[:45]
    with Store(home) as store:
        store.add_batch(extractions_)
        ids = sorted(store.article_ids())
        writing.update(home, store, ids[:20])
        writing.update(home, store, ids[20:])
        path = writing.current_path(home)
        docs = [doc for article_id in ids for doc in statement_documents(store.get(article_id))]
    expected_ix = whoosh_built(tmp_path / "whoosh", statement_schema(), docs)

    def answers(ix, digits=5):
        with ix.searcher(weighting=scoring.BM25F()) as searcher:
            return [sorted((hit["id"], round(hit.score, digits)) for hit in searcher.search(q, limit=None)) for q in QUERIES["statements"]]

    assert answers(whoosh_index.open_dir(path)) == answers(expected_ix)
    with Store(home) as store:  # indexing articles again replaces their documents (deleted, then added anew)
        writing.update(home, store, ids[:5])
    assert [[i for i, _ in hits] for hits in answers(whoosh_index.open_dir(path))] == [[i for i, _ in hits] for hits in answers(expected_ix)]
    assert writing.verify(home, Store(home, readonly=True)).missing == []


def test_documents_with_their_fields_in_any_order_or_unknown_fields(tmp_path):
    """Fields are indexed in Whoosh's order (by name) whatever order a document lists them in; a field the
    schema lacks is refused."""
    schema, docs = article_schema(), documents("articles")[:60]
    shuffled = [dict(reversed(doc.items())) if i % 2 else doc for i, doc in enumerate(docs)]
    assert content(builder_built(tmp_path / "shuffled", schema, shuffled)) == content(builder_built(tmp_path / "plain", schema, docs))
    folder = tmp_path / "refused"
    folder.mkdir()
    builder = SegmentBuilder(whoosh_index.create_in(folder, schema))
    with pytest.raises(ValueError, match="not a field"):
        builder.add_document(**docs[0], nope="x")
    builder.cancel()
