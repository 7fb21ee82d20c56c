"""The archive: SQLite in the home folder, the source of truth for articles, statements and rejects.

WAL journal, ``PRAGMA user_version`` as the schema version with forward migrations, and one
transaction per batch step: what ``add_batch`` returns as added is committed to disk.

Its length is the archive's SQL, every query in one place next to the schema and its migrations, so no other module writes SQL against these tables.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson

from archive.model import Article, DateRef, Extraction, Place, Statement, statement_id
from archive.names import storable

DB_NAME = "parley.sqlite3"

# Each entry moves the schema from version i to i + 1.  Never edit a released step; append one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        title TEXT,
        published TEXT,
        source TEXT,
        url TEXT,
        author TEXT,
        language TEXT,
        path TEXT,
        text TEXT NOT NULL,
        places TEXT NOT NULL DEFAULT '[]',
        dates TEXT NOT NULL DEFAULT '[]',
        topics TEXT NOT NULL DEFAULT '[]',
        added_at TEXT NOT NULL
    );
    CREATE INDEX articles_published ON articles (published);
    CREATE TABLE statements (
        id TEXT PRIMARY KEY,
        article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        speaker TEXT,
        kind TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX statements_article ON statements (article_id, seq);
    CREATE INDEX statements_speaker ON statements (speaker);
    CREATE TABLE quarantine (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        reason TEXT NOT NULL,
        sha256 TEXT,
        size INTEGER,
        rejected_at TEXT NOT NULL,
        UNIQUE (source, reason, sha256)
    );
    """,
    # Articles stored (or deleted) but not yet (re)indexed: written in the transaction that stores the
    # article, removed once the index has it, so an ingest killed in between is finished by the next.
    """
    CREATE TABLE unindexed (article_id TEXT PRIMARY KEY);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
UNINDEXED_SCHEMA = 2  # the schema that added the unindexed list


class StoreError(Exception):
    """The archive cannot be opened or used (e.g. made by a newer Parley)."""


class ReadOnlyArchive(StoreError):
    """The archive is there but this process may not write it (another user's, or a read-only disk)."""


@dataclass(frozen=True)
class BatchOutcome:
    added: list[str]
    duplicates: list[str]


@dataclass(frozen=True)
class Rejection:
    source: str
    reason: str
    rejected_at: str


class Store:
    """One archive file.  Safe for one writer and many readers (each thread its own Store)."""

    def __init__(self, home: str | os.PathLike[str], *, readonly: bool = False) -> None:
        self.home = Path(home)
        self.path = self.home / DB_NAME
        self.readonly = readonly
        if readonly:
            if not self.path.exists():
                raise StoreError(f"no archive at {self.path}: run 'parley ingest' first")
            self.db = _connect_readonly(self.path)
        else:
            if not writable(self.home):
                raise ReadOnlyArchive(f"the archive in {self.home} is read-only (no permission to write it): only reading commands work")
            self.home.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self._stats: tuple[tuple[int, int], dict[str, Any]] | None = None  # (change stamp, counts) of stats()
        self._grouped = False  # inside ``transaction()``: writes are savepoints of its transaction
        self.db.execute("PRAGMA busy_timeout = 10000")
        self.db.execute("PRAGMA foreign_keys = ON")
        if not readonly:
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = FULL")
            self._migrate()
        else:
            self._check_version()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- schema -------------------------------------------------------------------------

    @property
    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _check_version(self) -> None:
        if self.version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} has schema version {self.version}, newer than this Parley ({SCHEMA_VERSION}): upgrade Parley")

    def _migrate(self) -> None:
        self._check_version()
        while self.version < SCHEMA_VERSION:
            step = self.version
            with self.db:
                self.db.execute("BEGIN IMMEDIATE")
                if self.version != step:  # another process migrated meanwhile
                    continue
                for sql in MIGRATIONS[step].split(";"):
                    if sql.strip():
                        self.db.execute(sql)
                self.db.execute(f"PRAGMA user_version = {step + 1}")

    # --- writing ------------------------------------------------------------------------

    def add_batch(self, extractions: Iterable[Extraction]) -> BatchOutcome:
        """Add articles (with what was extracted) in one transaction; ones already kept are duplicates."""
        added: list[str] = []
        duplicates: list[str] = []
        now = _now()
        with self._writing():
            for extraction in extractions:
                article = extraction.article
                if article.id in added or self._has(article.id):
                    duplicates.append(article.id)
                    continue
                self._insert(extraction, now)
                added.append(article.id)
            self._note_unindexed(added)
        return BatchOutcome(added, duplicates)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction around several ``add_batch`` and ``quarantine`` calls: they reach the disk
        together when it ends (one sync for all, where each on its own syncs once).

        Each call inside stays all or nothing (a savepoint).  The transaction commits however it ends:
        when a call raises, what it began is undone and what the calls before it wrote is committed,
        as if each had been a transaction of its own; nothing is done after the error."""
        if self._grouped:
            raise RuntimeError("Store.transaction() does not nest")
        self.db.execute("BEGIN IMMEDIATE")
        self._grouped = True
        try:
            yield
        finally:
            self._grouped = False
            try:
                self.db.commit()
            except BaseException:
                self.db.rollback()
                raise

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """A write that is all or nothing: its own transaction, or a savepoint of ``transaction()``'s."""
        if not self._grouped:
            with self.db:
                self.db.execute("BEGIN IMMEDIATE")
                yield
            return
        self.db.execute("SAVEPOINT write")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK TO write")
            self.db.execute("RELEASE write")
            raise
        self.db.execute("RELEASE write")

    def replace_extraction(self, extraction: Extraction) -> None:
        """Store a new extraction (or version) of an article already kept; the index takes it in when it
        next takes in the unindexed list."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            row = self.db.execute("SELECT added_at FROM articles WHERE id = ?", (extraction.article.id,)).fetchone()
            if row is None:
                raise KeyError(extraction.article.id)
            self.db.execute("DELETE FROM articles WHERE id = ?", (extraction.article.id,))
            self._insert(extraction, row["added_at"])
            self._note_unindexed([extraction.article.id])

    def delete(self, article_ids: Iterable[str]) -> list[str]:
        """Remove articles and their statements (one transaction); the index drops them when it next
        takes in the unindexed list.  Returns the ids that were there."""
        deleted = []
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            for article_id in dict.fromkeys(article_ids):
                if self.db.execute("DELETE FROM articles WHERE id = ?", (article_id,)).rowcount:
                    deleted.append(article_id)
            self._note_unindexed(deleted)
        return deleted

    def article_ids_for(self, ids: Iterable[str] = (), urls: Iterable[str] = ()) -> list[str]:
        """The stored articles among ``ids`` and those with any of ``urls``, in that order."""
        found = [i for i in ids if self._has(i)]
        for url in urls:
            found += [row[0] for row in self.db.execute("SELECT id FROM articles WHERE url = ? ORDER BY id", (url,))]
        return list(dict.fromkeys(found))

    def quarantine(self, source: str, reason: str, data: bytes | None = None) -> None:
        """Keep a record of a rejected input (or part of one) and why."""
        digest = hashlib.sha256(data).hexdigest() if data is not None else ""
        with self._writing():
            self.db.execute(
                "INSERT INTO quarantine (source, reason, sha256, size, rejected_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (source, reason, sha256) DO UPDATE SET rejected_at = excluded.rejected_at",
                (storable(source), storable(reason), digest, len(data) if data is not None else None, _now()),
            )

    # --- what the index has yet to take in ----------------------------------------------

    def _note_unindexed(self, article_ids: Iterable[str]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO unindexed (article_id) VALUES (?)", [(i,) for i in article_ids])

    def unindexed(self) -> list[str]:
        """Articles stored or deleted since the index last took them in (a killed ingest leaves some).

        A read-only store over an archive from before the list existed (schema 1) cannot migrate it:
        nothing there was recorded as unindexed, so the list is empty."""
        if self.version < UNINDEXED_SCHEMA:
            return []
        return [row[0] for row in self.db.execute("SELECT article_id FROM unindexed ORDER BY article_id")]

    def any_indexed(self) -> bool:
        """Whether some stored article is off the unindexed list: an index once took it in."""
        if self.version < UNINDEXED_SCHEMA:
            return self.db.execute("SELECT EXISTS (SELECT 1 FROM articles)").fetchone()[0] == 1
        query = "SELECT EXISTS (SELECT 1 FROM articles a WHERE NOT EXISTS (SELECT 1 FROM unindexed u WHERE u.article_id = a.id))"
        return self.db.execute(query).fetchone()[0] == 1

    def mark_indexed(self, article_ids: Iterable[str]) -> None:
        """The index now has these articles as the store does (call only after its commit)."""
        ids = [(i,) for i in article_ids]
        if ids and not self.readonly:
            with self.db:
                self.db.executemany("DELETE FROM unindexed WHERE article_id = ?", ids)

    def _has(self, article_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None

    def _insert(self, extraction: Extraction, added_at: str) -> None:
        a = extraction.article
        self.db.execute(
            "INSERT INTO articles (id, title, published, source, url, author, language, path, text,"
            " places, dates, topics, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                a.id,
                a.title,
                a.published.isoformat() if a.published else None,
                a.source,
                a.url,
                a.author,
                a.language,
                storable(a.path) if a.path else None,
                a.text,
                _dumps([p.as_dict() for p in extraction.places]),
                _dumps([d.as_dict() for d in extraction.dates]),
                _dumps(list(extraction.topics)),
                added_at,
            ),
        )
        self.db.executemany(
            "INSERT INTO statements (id, article_id, seq, speaker, kind, data) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    statement_id(a.id, seq),
                    a.id,
                    seq,
                    s.speaker.name if s.speaker else None,
                    s.kind,
                    _dumps(s.as_dict()),
                )
                for seq, s in enumerate(extraction.statements)
            ],
        )

    # --- reading ------------------------------------------------------------------------

    def get(self, article_id: str) -> Extraction | None:
        row = self.db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return self._extraction(row) if row else None

    def __iter__(self) -> Iterator[Extraction]:
        """Every article with its extraction, in id order."""
        return self.extractions()

    def extractions(self, after: str = "", upto: str | None = None) -> Iterator[Extraction]:
        """The articles with ids in (``after``, ``upto``], in id order: one slice of a parallel rebuild."""
        last = after
        bound, params = ("AND id <= ?", (upto,)) if upto is not None else ("", ())
        while True:
            rows = self.db.execute(f"SELECT * FROM articles WHERE id > ? {bound} ORDER BY id LIMIT 500", (last, *params)).fetchall()
            if not rows:
                return
            for row in rows:
                yield self._extraction(row)
            last = rows[-1]["id"]

    def split_ids(self, parts: int) -> list[str]:
        """``parts - 1`` article ids cutting the archive into slices of nearly equal size, for ``extractions``."""
        count = self.db.execute("SELECT count(*) FROM articles").fetchone()[0]
        parts = max(1, min(parts, count))
        return [self.db.execute("SELECT id FROM articles ORDER BY id LIMIT 1 OFFSET ?", (count * k // parts - 1,)).fetchone()[0] for k in range(1, parts)]

    def latest(self, limit: int = 20) -> list[dict[str, Any]]:
        """Summaries of the most recently published (then added) articles."""
        rows = self.db.execute(
            "SELECT a.id, a.title, a.published, a.source, substr(a.text, 1, 300) AS opening,"
            " (SELECT count(*) FROM statements s WHERE s.article_id = a.id) AS statements"
            " FROM articles a ORDER BY a.published IS NULL, a.published DESC, a.added_at DESC LIMIT ?",
            (limit,),
        )
        return [dict(row) for row in rows]

    def statements_by_id(self, ids: list[str], *, with_text: bool = False) -> dict[str, tuple[Statement, dict[str, Any]]]:
        """Statements with the metadata of their articles (and the article text if asked), by statement id."""
        found: dict[str, tuple[Statement, dict[str, Any]]] = {}
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                "SELECT s.id, s.data, a.id AS article_id, a.title, a.published, a.source, a.url"
                + (", a.text" if with_text else "")
                + f" FROM statements s JOIN articles a ON a.id = s.article_id WHERE s.id IN ({marks})",
                chunk,
            )
            for row in rows:
                meta = {k: row[k] for k in ("article_id", "title", "published", "source", "url", *(("text",) if with_text else ()))}
                meta["published"] = _day(meta["published"])
                found[row["id"]] = (Statement.from_dict(orjson.loads(row["data"])), meta)
        return found

    def article_summary(self, article_id: str) -> dict[str, Any] | None:
        """An article's metadata, text and statement count (no extraction)."""
        row = self.db.execute(
            "SELECT a.id, a.title, a.published, a.source, a.url, a.text,"
            " (SELECT count(*) FROM statements s WHERE s.article_id = a.id) AS statements FROM articles a WHERE a.id = ?",
            (article_id,),
        ).fetchone()
        return {**dict(row), "published": _day(row["published"])} if row else None

    def speaker_profile(self, names: list[str]) -> dict[str, Any]:
        """What the archive knows of a speaker written as any of ``names``: spellings, roles and types seen."""
        spellings: dict[str, int] = {}
        roles: dict[str, int] = {}
        types: dict[str, int] = {}
        for chunk in (names[i : i + 500] for i in range(0, len(names), 500)):
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(f"SELECT speaker, data FROM statements WHERE speaker IN ({marks})", chunk):
                speaker = orjson.loads(row["data"]).get("speaker") or {}
                spellings[row["speaker"]] = spellings.get(row["speaker"], 0) + 1
                if speaker.get("role"):
                    roles[speaker["role"]] = roles.get(speaker["role"], 0) + 1
                types[speaker.get("type") or "unknown"] = types.get(speaker.get("type") or "unknown", 0) + 1
        ranked = lambda counts: sorted(counts, key=lambda k: (-counts[k], k))  # noqa: E731
        return {"names": ranked(spellings), "roles": ranked(roles), "types": ranked(types), "statements": sum(spellings.values())}

    def speaker_names(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT DISTINCT speaker FROM statements WHERE speaker IS NOT NULL")]

    def place_points(self, article_ids: Iterable[str] | None = None) -> dict[str, tuple[str | None, float | None, float | None]]:
        """Each place name's country code and coordinates, as resolved in these articles (all when None)."""
        points: dict[str, tuple[str | None, float | None, float | None]] = {}
        ids = None if article_ids is None else list(dict.fromkeys(article_ids))
        chunks = [None] if ids is None else [ids[i : i + 500] for i in range(0, len(ids), 500)]
        for chunk in chunks:
            where = "" if chunk is None else f" WHERE id IN ({','.join('?' * len(chunk))})"
            for (data,) in self.db.execute("SELECT places FROM articles" + where, chunk or ()):
                for place in orjson.loads(data):
                    known = points.get(place["name"])
                    if known is None or (known[1] is None and place.get("lat") is not None):
                        points[place["name"]] = (place.get("country"), place.get("lat"), place.get("lon"))
        return points

    def article_ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT id FROM articles")}

    def rejections(self, limit: int = 100) -> list[Rejection]:
        rows = self.db.execute("SELECT source, reason, rejected_at FROM quarantine ORDER BY rejected_at DESC, id DESC LIMIT ?", (limit,))
        return [Rejection(r["source"], r["reason"], r["rejected_at"]) for r in rows]

    def stats(self) -> dict[str, Any]:
        """Counts over the archive; recomputed only after a commit (by any connection), since at a
        million statements they take a fifth of a second and every page shows them."""
        stamp = (self.db.execute("PRAGMA data_version").fetchone()[0], self.db.total_changes)
        if self._stats is None or self._stats[0] != stamp:
            self._stats = (stamp, self._count())
        return dict(self._stats[1])

    def _count(self) -> dict[str, Any]:
        one = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "articles": one("SELECT count(*) FROM articles"),
            "statements": one("SELECT count(*) FROM statements"),
            "speakers": one("SELECT count(DISTINCT speaker) FROM statements WHERE speaker IS NOT NULL"),
            "rejected": one("SELECT count(*) FROM quarantine"),
            "earliest": one("SELECT min(published) FROM articles"),
            "latest": one("SELECT max(published) FROM articles"),
            "sources": one("SELECT count(DISTINCT source) FROM articles WHERE source IS NOT NULL"),
            "schema_version": self.version,
            "path": str(self.path),
        }

    def _extraction(self, row: sqlite3.Row) -> Extraction:
        article = Article(
            id=row["id"],
            text=row["text"],
            title=row["title"],
            published=datetime.fromisoformat(row["published"]).date() if row["published"] else None,
            source=row["source"],
            url=row["url"],
            author=row["author"],
            language=row["language"],
            path=row["path"],
        )
        statements = tuple(
            Statement.from_dict(orjson.loads(r["data"])) for r in self.db.execute("SELECT data FROM statements WHERE article_id = ? ORDER BY seq", (row["id"],))
        )
        return Extraction(
            article=article,
            statements=statements,
            places=tuple(Place(**p) for p in orjson.loads(row["places"])),
            dates=tuple(DateRef(**d) for d in orjson.loads(row["dates"])),
            topics=tuple(orjson.loads(row["topics"])),
        )


def writable(home: str | os.PathLike[str]) -> bool:
    """Whether this process may write the archive in ``home`` (or create it there)."""
    home = Path(home)
    if not home.exists():
        parent = next((p for p in home.parents if p.exists()), None)
        return parent is not None and os.access(parent, os.W_OK)
    path = home / DB_NAME
    return os.access(home, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection.  A WAL archive in a folder we may not write cannot even be opened
    ``mode=ro`` (SQLite needs its ``-shm`` file); then it is opened immutable: nobody can change it."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    try:
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.OperationalError:
        db.close()
        return sqlite3.connect(f"file:{path}?immutable=1", uri=True, check_same_thread=False)


def _day(stored: str | None) -> date | None:
    """A publication date as the store keeps it (ISO text) back to a date."""
    return date.fromisoformat(stored[:10]) if stored else None


def _dumps(value: Any) -> str:
    """Compact JSON text, as ``json.dumps(value, ensure_ascii=False, separators=(",", ":"))`` writes it."""
    return orjson.dumps(value).decode()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
