"""/api/v1/export: every match, past the search depth, in the search's order, in constant memory."""

from __future__ import annotations

import csv
import io
import json
import threading
import tracemalloc
from datetime import date, timedelta

import pytest
from index_corpus import extractions

from archive.model import Article, DateRef, Extraction, Speaker, Statement
from archive.store import Store
from index import writing
from index.request import MAX_DEPTH
from web import create_app
from web.export import CSV_COLUMNS

WORDS = "ceasefire talks drones grain corridor sanctions prisoners energy nuclear aid border".split()
KINDS = ("statement", "warning", "denial", "claim", "appeal")
ARTICLES, PER_ARTICLE = 1001, 10  # 10,010 statements: past MAX_DEPTH
FORMULA = '=HYPERLINK("http://x") said nobody'


def generated() -> list[Extraction]:
    """Short statements on a few words, dated over 900 days (every 13th undated), one a CSV formula."""
    result = []
    for a in range(ARTICLES):
        text, statements = "", []
        for k in range(PER_ARTICLE):
            n = a * PER_ARTICLE + k
            quote = FORMULA if n == 5 else f"{WORDS[n % 11]} {WORDS[(n * 7) % 11]}"
            sentence = f"S{n % 97} said {quote}.\n"
            start = len(text) + sentence.index(quote)
            text += sentence
            day = None if n % 13 == 0 else (date(2023, 1, 1) + timedelta(days=n % 900)).isoformat()
            statements.append(
                Statement(
                    quote=quote,
                    start=start,
                    end=start + len(quote),
                    direct=bool(n % 2),
                    speaker=Speaker(name=f"S{n % 97}", type="person"),
                    cue="said",
                    kind=KINDS[n % 5],
                    topics=(WORDS[n % 11],),
                    date=DateRef(text="", start=None, end=None, value=day, precision="day", range_start=day, range_end=day) if day else None,
                )
            )
        published = None if a % 7 == 0 else date(2023, 1, 1) + timedelta(days=a % 900)
        result.append(Extraction(Article(text=text, title=f"Article {a}", source=f"Wire {a % 4}", published=published), tuple(statements)))
    return result


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """An archive of 10,010 statements, indexed (built once: indexing is the slow part)."""
    home = tmp_path_factory.mktemp("export") / "home"
    with Store(home) as store:
        store.add_batch(generated())
        writing.rebuild(home, store)
        ids = [row[0] for row in store.db.execute("SELECT id FROM statements ORDER BY id")]
    return home, ids


@pytest.fixture
def client(big):
    return create_app({"PARLEY_HOME": str(big[0]), "TESTING": True}).test_client()


@pytest.fixture
def small(home):
    with Store(home) as store:
        store.add_batch(extractions())
        writing.update(home, store, store.article_ids())
    return create_app({"PARLEY_HOME": str(home), "TESTING": True}).test_client()


def export_peak(client, query: str, position: dict[str, int]) -> tuple[int, bytearray]:
    """The traced memory peak of one export read to its end, and how often each statement came out."""
    seen = bytearray(len(position))  # made before measuring, like the positions
    tracemalloc.start()
    try:
        response = client.get(f"/api/v1/export?{query}", buffered=False)
        assert response.status_code == 200
        for chunk in response.response:
            for line in chunk.splitlines():
                seen[position[json.loads(line)["id"]]] += 1
        response.close()
        return tracemalloc.get_traced_memory()[1], seen
    finally:
        tracemalloc.stop()


def test_every_match_once_in_bounded_memory(big, client):
    home, ids = big
    position = {sid: i for i, sid in enumerate(ids)}
    client.get("/api/v1/search?q=x")  # the searcher and its caches exist before any export
    everything, seen = export_peak(client, "", position)
    assert seen == bytearray([1]) * len(ids)  # every match exactly once, past MAX_DEPTH
    assert len(ids) > MAX_DEPTH
    fifth, seen = export_peak(client, "kind=warning&sort=newest", position)
    assert sum(seen) == len(ids) // 5 and max(seen) == 1

    # What holding the hits would take: just the statements of every match, before any output.
    tracemalloc.start()
    try:
        with Store(home, readonly=True) as store:
            found = store.statements_by_id(ids)
            _, materialised = tracemalloc.get_traced_memory()
            del found
    finally:
        tracemalloc.stop()
    print(
        f"export peaks: {everything / 1e6:.2f} MB for {len(ids):,} statements, {fifth / 1e6:.2f} MB for a fifth; the statements alone {materialised / 1e6:.2f} MB"
    )
    assert everything < fifth * 1.5  # five times the rows, about the same memory
    assert everything < materialised / 4
    assert everything < 4_000_000


@pytest.mark.parametrize(
    "query", ["sort=newest", "sort=oldest", "q=ceasefire", "q=ceasefire&sort=newest", "kind=warning&topic=grain", "q=drones&from=2023-06-01&to=2024-01-31"]
)
def test_order_is_the_search_order_and_goes_past_its_depth(client, query):
    lines = client.get(f"/api/v1/export?{query}").get_data(as_text=True).splitlines()
    exported = [json.loads(line) for line in lines]
    first = client.get(f"/api/v1/search?{query}&per_page=100&facets=").get_json()["data"]
    following = client.get(f"/api/v1/search?{query}&per_page=100&facets=&page=2").get_json()["data"]
    assert len(exported) == first["total"] == len({h["id"] for h in exported})
    searched = first["hits"] + following["hits"]
    assert [(h["id"], h["score"]) for h in exported[: len(searched)]] == [(h["id"], h["score"]) for h in searched]
    assert set(exported[0]) == set(searched[0])  # the API's hit shape


def test_newest_runs_down_the_dates_with_undated_last(client):
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/export?format=csv&sort=newest").get_data(as_text=True))))
    assert len(rows) == ARTICLES * PER_ARTICLE
    keys = [r["date"] or r["published"] for r in rows]
    dated = [k for k in keys if k]
    assert dated == sorted(dated, reverse=True)
    assert all(keys[len(dated) :]) is False and not any(keys[len(dated) :])  # the undated come last


def test_csv_columns_attachment_and_formulas(client):
    response = client.get("/api/v1/export?format=csv&q=said+nobody")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="parley-statements.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(rows[0]) == CSV_COLUMNS
    record = dict(zip(rows[0], rows[1]))
    assert record["quote"] == "'" + FORMULA  # a spreadsheet shows it, does not run it
    assert record["speaker"] == "S5" and record["kind"] == "statement" and record["direct"] == "true"
    assert record["topics"] == "sanctions" and record["date"] == "2023-01-06" and record["precision"] == "day"


def test_csv_row_of_a_hand_made_statement(small):
    text = small.get("/api/v1/export?format=csv&q=monastery").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    assert {k: rows[0][k] for k in ("speaker", "type", "kind", "direct", "places", "topics", "source", "title", "date", "published")} == {
        "speaker": "Russian media", "type": "group", "kind": "claim", "direct": "false", "places": "Kursk region",
        "topics": "territory", "source": "Wire C", "title": "Story 6", "date": "2024-12-01", "published": "2024-12-01",
    }  # fmt: skip
    ndjson = small.get("/api/v1/export?q=ceasefire&kind=appeal")
    assert ndjson.status_code == 200


def test_csv_carries_context_permalink_url_confidence_and_every_facet_field(small):
    rows = list(csv.DictReader(io.StringIO(small.get("/api/v1/export?format=csv&q=clear+answer").get_data(as_text=True))))
    (row,) = rows
    assert row["context"] == "Volodymyr Zelenskyy said that Moscow must give a clear answer on the ceasefire."
    assert row["permalink"] == f"http://localhost/statements/{row['id']}"
    assert small.get(row["permalink"].removeprefix("http://localhost")).status_code == 200
    assert row["confidence"] == "0.5" and "url" in row
    assert row["countries"] == "RU; UA" and row["places"] == "Kyiv; Moscow"
    facet_fields = {"speaker", "kind", "type", "source", "places", "countries", "topics", "direct", "channel"}
    assert facet_fields <= set(row)
    ndjson = small.get("/api/v1/export?q=ceasefire&kind=appeal")
    assert ndjson.headers["Content-Type"].startswith("application/x-ndjson")
    assert ndjson.headers["Content-Disposition"] == 'attachment; filename="parley-statements.ndjson"'
    (line,) = ndjson.get_data(as_text=True).splitlines()
    assert json.loads(line)["statement"]["speaker"]["name"] == "Volodymyr Zelenskyy"


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/export?format=xml", "format"),
        ("/api/v1/export?target=articles", "target"),
        ("/api/v1/export?q=%22open", "q"),
        ("/api/v1/export?sort=random", "sort"),
        ("/api/v1/export?from=someday", "from"),
    ],
)
def test_bad_requests_get_the_error_body_before_any_row(small, url, parameter):
    response = small.get(url)
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter


def test_paging_parameters_are_ignored(small):
    whole = small.get("/api/v1/export?q=ceasefire").get_data(as_text=True)
    assert small.get("/api/v1/export?q=ceasefire&page=9000&per_page=1000&cursor=junk&facets=colour").get_data(as_text=True) == whole


def test_two_exports_at_a_time_then_429(small):
    """Two exports hold their slots (one read, one never read) in their own threads; a third is refused."""
    holding = [threading.Event(), threading.Event()]
    release = threading.Event()
    statuses = {}

    def hold(i: int) -> None:
        response = small.get("/api/v1/export", buffered=False)
        statuses[i] = response.status_code
        if i == 1:
            next(iter(response.response))
        holding[i].set()
        release.wait(10)
        response.close()  # a client that went away frees its slot, read or not

    threads = [threading.Thread(target=hold, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    assert all(event.wait(10) for event in holding)
    refused = small.get("/api/v1/export")
    release.set()
    for thread in threads:
        thread.join(10)
    assert statuses == {0: 200, 1: 200} and refused.status_code == 429
    body = refused.get_json()
    assert body["ok"] is False and body["error"]["status"] == 429 and body["error"]["message"]
    assert refused.headers["Retry-After"] == "60"
    for _ in range(3):  # slots come back: read to the end each time
        assert small.get("/api/v1/export").status_code == 200


def test_empty_archive_exports_a_header_only(tmp_path):
    client = create_app({"PARLEY_HOME": str(tmp_path / "empty"), "TESTING": True}).test_client()
    assert client.get("/api/v1/export?format=csv").get_data(as_text=True).strip() == ",".join(CSV_COLUMNS)
    assert client.get("/api/v1/export").get_data() == b""
