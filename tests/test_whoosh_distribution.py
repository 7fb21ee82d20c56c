"""The installed Whoosh does what Parley relies on.

Parley pins whoosh==2.7.4. These tests use real indexes on disk, no mocks, so an upgrade or a
swap to a fork (whoosh-reloaded, whoosh-ng) fails here loudly instead of in production.
See ../shared/notes/whoosh.md for the measured traps behind each check.
"""

from __future__ import annotations

import configparser
import importlib.metadata
import json
import os
import random
import subprocess
import sys
import threading
import warnings
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import whoosh
from whoosh import fields, highlight, index, query, sorting
from whoosh.analysis import StemmingAnalyzer
from whoosh.qparser import QueryParser
from whoosh.qparser.dateparse import DateParserPlugin

# --- a small known corpus ---------------------------------------------------------------------

SPEAKERS = ["Guterres", "Zelensky", "Netanyahu", "Abbas", "Erdogan"]
PLACES = ["Kyiv", "Gaza", "Ankara", "Geneva"]
TOPICS = ["ceasefire", "aid", "sanctions", "prisoners"]
# Words whose stems are pairwise distinct and none a stop word, so "doc contains word" is
# exactly "doc matches Term(body, stem(word))" and expected hits can be computed in Python.
VOCABULARY = [
    "ceasefire",
    "negotiations",
    "artillery",
    "humanitarian",
    "evacuation",
    "parliament",
    "convoy",
    "hostages",
    "drone",
    "border",
    "refugees",
    "sanctions",
    "embassy",
    "militia",
    "airstrike",
    "corridor",
    "treaty",
    "uprising",
    "blockade",
    "diplomats",
]
N_DOCS = 60
BASEDATE = datetime(2025, 4, 22)


@dataclass(frozen=True)
class Doc:
    id: str
    speaker: str
    place: str
    topics: tuple[str, ...]
    body: str
    date: datetime


def make_corpus(n: int = N_DOCS, seed: int = 20250422) -> list[Doc]:
    """Deterministic news-like documents spread over March-May 2025."""
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        words = rng.sample(VOCABULARY, 8)
        docs.append(
            Doc(
                id=f"doc{i:03d}",
                speaker=SPEAKERS[i % len(SPEAKERS)],
                place=rng.choice(PLACES),
                topics=tuple(sorted(rng.sample(TOPICS, rng.randint(1, 2)))),
                body=" ".join(words).capitalize() + ".",
                date=datetime(2025, 3, 1) + timedelta(days=i),
            )
        )
    return docs


def make_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        speaker=fields.ID(sortable=True),
        place=fields.ID(sortable=True),
        topics=fields.KEYWORD(commas=True, sortable=True),
        # Not stored: Parley keeps article text in SQLite and passes it in for highlighting.
        body=fields.TEXT(analyzer=StemmingAnalyzer(), spelling=True),
        date=fields.DATETIME(),
    )


def doc_fields(doc: Doc) -> dict:
    return {
        "id": doc.id,
        "speaker": doc.speaker,
        "place": doc.place,
        "topics": ",".join(doc.topics),
        "body": doc.body,
        "date": doc.date,
    }


def build_index(path: Path, docs: list[Doc]) -> index.Index:
    path.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(path), make_schema())
    with ix.writer() as writer:
        for doc in docs:
            writer.add_document(**doc_fields(doc))
    return ix


def words_of(doc: Doc) -> set[str]:
    return set(doc.body.rstrip(".").lower().split())


def stem(word: str) -> str:
    (token,) = [t.text for t in StemmingAnalyzer()(word)]
    return token


def hit_ids(searcher, q, **kwargs) -> list[str]:
    return [hit["id"] for hit in searcher.search(q, limit=None, **kwargs)]


@pytest.fixture(scope="module")
def corpus() -> list[Doc]:
    return make_corpus()


@pytest.fixture(scope="module")
def ix(tmp_path_factory, corpus) -> index.Index:
    return build_index(tmp_path_factory.mktemp("whoosh") / "ix", corpus)


def test_vocabulary_stems_are_distinct():
    """Precondition for computing expected hits in Python."""
    stems = [stem(w) for w in VOCABULARY]
    assert len(set(stems)) == len(VOCABULARY)


def test_installed_whoosh_is_the_pinned_distribution():
    """setup.cfg pins whoosh==X; the importable `whoosh` must be that distribution and version."""
    config = configparser.ConfigParser()
    config.read(Path(__file__).parents[1] / "setup.cfg")
    requires = config["options"]["install_requires"].split()
    (pin,) = [r.split("==")[1] for r in requires if r.lower().startswith("whoosh==")]
    assert importlib.metadata.version("whoosh") == pin
    assert ".".join(map(str, whoosh.__version__)) == pin


# --- 1. facets ----------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["ceasefire", "drone", "treaty"])
def test_groupedby_counts_match_python(ix, corpus, word):
    """groupedby on sortable ID and multi-valued KEYWORD columns counts every hit, not just `limit`."""
    matching = [d for d in corpus if word in words_of(d)]
    assert 10 < len(matching) < N_DOCS  # the check below is meaningful only if limit cuts hits
    facets = {
        "speaker": sorting.FieldFacet("speaker"),
        "place": sorting.FieldFacet("place"),
        "topics": sorting.FieldFacet("topics", allow_overlap=True),
    }
    with ix.searcher() as searcher:
        results = searcher.search(query.Term("body", stem(word)), limit=5, groupedby=facets, maptype=sorting.Count)
        got = {name: dict(results.groups(name)) for name in facets}
    assert got["speaker"] == dict(Counter(d.speaker for d in matching))
    assert got["place"] == dict(Counter(d.place for d in matching))
    assert got["topics"] == dict(Counter(t for d in matching for t in d.topics))


# --- 2. highlights ------------------------------------------------------------------------------


class MarkFormatter(highlight.Formatter):
    """Wrap each matched term in <mark>, keeping the original casing."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return "<mark>%s</mark>" % highlight.get_text(text, token, replace)


def test_highlights_from_text_passed_in(ix, corpus):
    """The body is not stored in Whoosh; highlights come from text we pass (as from SQLite)."""
    outside_text = "Officials said the Ceasefire in the south was holding, but ceasefires rarely last."
    with ix.searcher() as searcher:
        results = searcher.search(QueryParser("body", ix.schema).parse("ceasefire"), limit=3)
        results.formatter = MarkFormatter()
        assert len(results.top_n) == 3
        hit = results[0]
        with pytest.raises(KeyError):
            hit["body"]  # proves nothing is stored to fall back on
        marked = hit.highlights("body", text=outside_text)
        own = hit.highlights("body", text=next(d.body for d in corpus if d.id == hit["id"]))
    assert "<mark>Ceasefire</mark>" in marked
    assert "<mark>ceasefires</mark>" in marked  # stemmed match, original word form kept
    assert "<mark>" in own and "ceasefire" in own.lower()


# --- 3. spelling --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typo, word",
    [("ceasfire", "ceasefire"), ("negociations", "negotiations"), ("artilery", "artillery")],
)
def test_corrector_suggests_from_vocabulary(ix, typo, word):
    """Suggestions are whole words from the index, not stems."""
    with ix.searcher() as searcher:
        suggestions = searcher.corrector("body").suggest(typo, limit=3)
    assert suggestions and suggestions[0] == word


def test_correct_query_gives_a_query_string_that_finds_hits(ix, corpus):
    parser = QueryParser("body", ix.schema)
    text = "ceasfire artilery"
    with ix.searcher() as searcher:
        q = parser.parse(text)
        assert hit_ids(searcher, q) == []
        corrected = searcher.correct_query(q, text)
        assert corrected.string == "ceasefire artillery"
        found = set(hit_ids(searcher, parser.parse(corrected.string)))
    expected = {d.id for d in corpus if {"ceasefire", "artillery"} <= words_of(d)}
    assert expected and found == expected


# --- 4. refresh after another writer's update and delete ---------------------------------------


def test_refresh_sees_update_once_and_delete_not_at_all(tmp_path):
    docs = make_corpus(20)
    ix = build_index(tmp_path / "ix", docs)
    replaced, deleted = docs[3], docs[7]
    searcher = ix.searcher()
    try:
        assert searcher.up_to_date()
        with ix.writer() as writer:
            writer.update_document(**{**doc_fields(replaced), "body": "Zeppelin sighted."})
            writer.delete_by_term("id", deleted.id)
        assert not searcher.up_to_date()
        searcher = searcher.refresh()
        assert searcher.up_to_date()

        assert hit_ids(searcher, query.Term("id", replaced.id)) == [replaced.id]
        assert hit_ids(searcher, query.Term("body", stem("zeppelin"))) == [replaced.id]
        assert hit_ids(searcher, query.Term("id", deleted.id)) == []
        all_ids = hit_ids(searcher, query.Every())
        assert sorted(all_ids) == sorted(d.id for d in docs if d is not deleted)
        assert searcher.doc_count() == len(docs) - 1
        old_word = sorted(words_of(replaced))[0]
        old_hits = hit_ids(searcher, query.Term("body", stem(old_word)))
        assert replaced.id not in old_hits
    finally:
        searcher.close()


# --- 5. threads, one searcher each ----------------------------------------------------------


def test_threads_each_with_own_searcher_get_exact_results(ix, corpus):
    n_threads, n_queries = 4, 200
    expected = {w: sorted(d.id for d in corpus if w in words_of(d)) for w in VOCABULARY}
    errors: list[str] = []
    start = threading.Barrier(n_threads)

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        try:
            with ix.searcher() as searcher:
                start.wait(timeout=60)
                for _ in range(n_queries):
                    word = rng.choice(VOCABULARY)
                    got = sorted(hit_ids(searcher, query.Term("body", stem(word))))
                    if got != expected[word]:
                        errors.append(f"thread {seed}: {word}: {len(got)} hits, wanted {len(expected[word])}")
        except Exception as exc:  # report any failure in the thread, do not lose it
            errors.append(f"thread {seed}: {exc!r}")
            start.abort()  # release the others if this one never reached the barrier

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


# --- 6. two-process writer ----------------------------------------------------------------------


def test_multiprocess_writer_indexes_every_document(tmp_path):
    docs = make_corpus(300, seed=7)
    ix = index.create_in(str(tmp_path), make_schema())
    writer = ix.writer(procs=2, multisegment=True)
    for doc in docs:
        writer.add_document(**doc_fields(doc))
    writer.commit()
    with ix.searcher() as searcher:
        assert searcher.doc_count() == len(docs)
        assert len(searcher.reader().leaf_readers()) >= 2  # one segment per process was kept
        assert sorted(hit_ids(searcher, query.Every())) == sorted(d.id for d in docs)
        assert hit_ids(searcher, query.Term("id", docs[-1].id)) == [docs[-1].id]
        word = "blockade"
        got = sorted(hit_ids(searcher, query.Term("body", stem(word))))
    assert got == sorted(d.id for d in docs if word in words_of(d))


# --- 7. warnings at import and compile ----------------------------------------------------------

WHOOSH_DIR = Path(whoosh.__file__).parent
# The modules Parley imports; each must import under -W error.
USED_MODULES = [
    "whoosh.index",
    "whoosh.qparser",
    "whoosh.searching",
    "whoosh.highlight",
    "whoosh.spelling",
    "whoosh.sorting",
    "whoosh.writing",
    "whoosh.multiproc",
    "whoosh.qparser.dateparse",
]
# What 2.7.4's sources warn about when compiled with no .pyc, as (file, message); lines as seen on
# Python 3.11 in comments (3.11 reports invalid escapes as DeprecationWarning at the string's first
# line, 3.12+ as SyntaxWarning and may report another line of a multi-line string).
KNOWN_FRESH_COMPILE_WARNINGS = {
    ("whoosh/analysis/filters.py", "invalid escape sequence '\\w'"),  # line 50
    ("whoosh/analysis/filters.py", "invalid escape sequence '\\S'"),  # line 148
    ("whoosh/analysis/intraword.py", "invalid escape sequence '\\S'"),  # lines 37, 224
    ("whoosh/analysis/intraword.py", "invalid escape sequence '\\|'"),  # line 285
    ("whoosh/codec/whoosh3.py", '"is" with a literal. Did you mean "=="?'),  # line 1116
    ("whoosh/lang/paicehusk.py", "invalid escape sequence '\\w'"),  # line 33
    ("whoosh/lang/porter2.py", "invalid escape sequence '\\g'"),  # line 67
}

IMPORT_ALL_SCRIPT = r"""
import importlib, json, pkgutil, warnings, whoosh
warnings.simplefilter("error")
report = {}
for info in pkgutil.walk_packages(whoosh.__path__, "whoosh."):
    try:
        importlib.import_module(info.name)
    except ImportError as exc:  # dead module or optional dependency (google, hnswlib): not a warning
        report[info.name] = ["ImportError", str(exc)]
    except BaseException as exc:
        report[info.name] = [type(exc).__name__, str(exc)]
print(json.dumps(report))
"""


def run_python(args: list[str], pycache_prefix: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONWARNINGS", "PYTHONPYCACHEPREFIX")}
    if pycache_prefix is not None:
        env["PYTHONPYCACHEPREFIX"] = pycache_prefix
    return subprocess.run([sys.executable, "-W", "error", *args], capture_output=True, text=True, env=env, timeout=60)


def test_installed_whoosh_imports_cleanly_under_w_error():
    """Every submodule imports in a fresh interpreter with -W error, using the installed .pyc files."""
    proc = run_python(["-c", IMPORT_ALL_SCRIPT])
    assert proc.returncode == 0, proc.stderr
    failures = json.loads(proc.stdout)
    warned = {name: err for name, err in failures.items() if err[0] != "ImportError"}
    assert warned == {}
    assert [m for m in USED_MODULES if m in failures] == []


def fresh_compile_warnings() -> set[tuple[str, str]]:
    """Compile every whoosh source as if no .pyc existed; collect syntax-time warnings."""
    found = set()
    for path in sorted(WHOOSH_DIR.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            compile(source, str(path), "exec")
        for w in caught:
            if issubclass(w.category, (SyntaxWarning, DeprecationWarning)):
                rel = path.relative_to(WHOOSH_DIR.parent).as_posix()
                found.add((rel, str(w.message)))
    return found


def test_fresh_compile_warnings_are_only_the_known_ones():
    """2.7.4's sources warn when compiled fresh; a warning not in the known list fails here."""
    found = fresh_compile_warnings()
    assert found - KNOWN_FRESH_COMPILE_WARNINGS == set()
    # Under warnings-as-errors each of those files fails to compile: the installed .pyc files matter.
    for rel in sorted({f for f, _ in found}):
        path = WHOOSH_DIR.parent / rel
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(SyntaxError):
                compile(path.read_text(encoding="utf-8"), str(path), "exec")


def test_import_without_pyc_fails_only_on_known_warnings(tmp_path):
    """With no .pyc (empty PYTHONPYCACHEPREFIX), -W error import works or fails on a known line."""
    prefix = tmp_path / "pycache"
    prefix.mkdir()
    proc = run_python(["-c", "import " + ", ".join(USED_MODULES)], pycache_prefix=str(prefix))
    if proc.returncode != 0:
        known_files = {str(WHOOSH_DIR.parent / f) for f, _ in KNOWN_FRESH_COMPILE_WARNINGS}
        assert "SyntaxError" in proc.stderr, proc.stderr
        assert any(f'File "{f}", line' in proc.stderr for f in known_files), proc.stderr


# --- 8. date parsing ----------------------------------------------------------------------------


def date_parser(schema: fields.Schema) -> QueryParser:
    parser = QueryParser("body", schema)
    parser.add_plugin(DateParserPlugin(basedate=BASEDATE))  # no basedate: deprecated utcnow()
    return parser


def test_date_range_with_explicit_basedate_parses_without_warnings(ix):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        q = date_parser(ix.schema).parse("date:[2025-04-01 to 2025-04-30]")
    assert isinstance(q, query.DateRange)


def test_compact_date_range_is_exact(ix, corpus):
    """The form Parley must generate: yyyymmdd inside a range."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        q = date_parser(ix.schema).parse("date:[20250401 to 20250430]")
    assert (q.startdate, q.enddate) == (datetime(2025, 4, 1), datetime(2025, 4, 30, 23, 59, 59, 999999))
    with ix.searcher() as searcher:
        found = sorted(hit_ids(searcher, q))
    assert found == sorted(d.id for d in corpus if (d.date.year, d.date.month) == (2025, 4))


def test_dashed_date_range_silently_widens_to_the_year(ix):
    """Known trap (2.7.4 and both forks): inside [a to b] only the year of yyyy-mm-dd is read.

    If this starts failing, the parser was fixed: the compact-form rule may then be relaxed.
    """
    q = date_parser(ix.schema).parse("date:[2025-04-01 to 2025-04-30]")
    assert (q.startdate, q.enddate) == (datetime(2025, 1, 1), datetime(2025, 12, 31, 23, 59, 59, 999999))
