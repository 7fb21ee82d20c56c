"""The collector's records, in the archive's SQLite file beside the store's tables.

Tables (all ``collect_*``), versioned by ``collect_schema`` (the store's ``user_version`` is the
store's own):

- ``collect_sources``: each source, its schedule and its health (last success, last error, failures);
- ``collect_documents``: validators (ETag, Last-Modified) of source documents, for conditional GET;
- ``collect_items``: every item URL each source ever listed (canonicalised), that source's fingerprint
  of it when last handled, and its last error: an item is fetched when new to the source, when its
  fingerprint changes, or while it keeps failing (up to ``MAX_ATTEMPTS``).  Per source, so that two
  feeds describing one story differently do not make each other fetch it again at every run;
- ``collect_articles``: one row per canonical article URL: the article id it is stored as (kept
  across versions), its version number, body hash, fetch time, source and validators;
- ``collect_versions``: earlier versions of articles (text and metadata), and how their statement
  numbers map to the new version's.

Every write is its own transaction; the store's article write and the row that records it are two
transactions, and the order makes a crash between them harmless: the article is written first, so
a crash leaves an article whose item is fetched again, found identical (same content id) and recorded.

Its length is the collector's SQL, every query on its own tables next to their schema and migrations.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from archive.collect.sources import SourceSpec

MAX_ATTEMPTS = 5
MAX_BACKOFF = 24 * 3600

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS collect_sources (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        name TEXT,
        every INTEGER NOT NULL,
        lang TEXT,
        origin TEXT NOT NULL,
        kind TEXT,
        title TEXT,
        added_at TEXT NOT NULL,
        last_run TEXT,
        last_success TEXT,
        last_error TEXT,
        last_error_at TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        next_run TEXT,
        items_seen INTEGER NOT NULL DEFAULT 0,
        articles INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS collect_documents (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        sha256 TEXT,
        fetched_at TEXT
    );
    CREATE TABLE IF NOT EXISTS collect_items (
        source_id INTEGER NOT NULL,
        url TEXT NOT NULL,
        fingerprint TEXT,
        canonical TEXT,
        status TEXT NOT NULL,
        error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (source_id, url)
    );
    CREATE INDEX IF NOT EXISTS collect_items_url ON collect_items (url);
    CREATE TABLE IF NOT EXISTS collect_articles (
        canonical TEXT PRIMARY KEY,
        article_id TEXT NOT NULL,
        source_id INTEGER,
        source_name TEXT,
        version INTEGER NOT NULL DEFAULT 1,
        body_sha256 TEXT,
        fetched_at TEXT NOT NULL,
        first_fetched_at TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        from_feed INTEGER NOT NULL DEFAULT 0,
        indexed INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS collect_articles_id ON collect_articles (article_id);
    CREATE INDEX IF NOT EXISTS collect_articles_source ON collect_articles (source_id, fetched_at);
    CREATE INDEX IF NOT EXISTS collect_articles_unindexed ON collect_articles (indexed) WHERE indexed = 0;
    CREATE TABLE IF NOT EXISTS collect_versions (
        article_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        title TEXT,
        published TEXT,
        source TEXT,
        text TEXT NOT NULL,
        body_sha256 TEXT,
        fetched_at TEXT,
        replaced_at TEXT NOT NULL,
        statement_map TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (article_id, version)
    )
    """,
    # 2: what the index has yet to take in is the store's one list (``Store.unindexed``), which every
    # store write keeps, an article's new version included; the flag this table kept for the same is
    # carried over to it and dropped.
    """
    INSERT OR IGNORE INTO unindexed (article_id) SELECT DISTINCT article_id FROM collect_articles WHERE indexed = 0;
    DROP INDEX IF EXISTS collect_articles_unindexed;
    ALTER TABLE collect_articles DROP COLUMN indexed
    """,
)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def later(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Source:
    id: int
    url: str
    name: str | None
    every: int
    lang: str | None
    origin: str  # "cli" or "file"
    kind: str | None
    title: str | None
    added_at: str
    last_run: str | None
    last_success: str | None
    last_error: str | None
    last_error_at: str | None
    failures: int
    next_run: str | None
    items_seen: int
    articles: int

    @property
    def label(self) -> str:
        return self.name or self.title or self.url

    def due(self, at: str | None = None) -> bool:
        return self.next_run is None or self.next_run <= (at or now_iso())


@dataclass(frozen=True)
class Known:
    """A canonical article URL already stored."""

    canonical: str
    article_id: str
    version: int
    body_sha256: str | None
    etag: str | None
    last_modified: str | None
    source_id: int | None


class CollectState:
    """The collector's tables over one SQLite connection (the store's own, or a read-only one)."""

    def __init__(self, db: sqlite3.Connection, *, migrate: bool = True) -> None:
        self.db = db
        if migrate:
            self._migrate()

    def _migrate(self) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("CREATE TABLE IF NOT EXISTS collect_schema (version INTEGER NOT NULL)")
            row = self.db.execute("SELECT version FROM collect_schema").fetchone()
            version = row[0] if row else 0
            if version > len(MIGRATIONS):
                raise RuntimeError(f"the collector's tables have version {version}, newer than this Parley ({len(MIGRATIONS)}): upgrade Parley")
            for step in range(version, len(MIGRATIONS)):
                for sql in MIGRATIONS[step].split(";"):
                    if sql.strip():
                        self.db.execute(sql)
            if row is None:
                self.db.execute("INSERT INTO collect_schema (version) VALUES (?)", (len(MIGRATIONS),))
            else:
                self.db.execute("UPDATE collect_schema SET version = ?", (len(MIGRATIONS),))

    # --- sources ------------------------------------------------------------------------------

    def sources(self) -> list[Source]:
        try:
            rows = self.db.execute("SELECT * FROM collect_sources ORDER BY id").fetchall()
        except sqlite3.OperationalError:  # a read-only archive that never collected
            return []
        return [Source(**dict(row)) for row in rows]

    def source(self, key: str | int) -> Source | None:
        """A source by id, URL or name."""
        for source in self.sources():
            if str(source.id) == str(key) or source.url == key or (source.name and source.name == key):
                return source
        return None

    def add_source(self, spec: SourceSpec, origin: str = "cli", *, kind: str | None = None, title: str | None = None) -> tuple[Source, bool]:
        """Add (or, for the same URL, update) a source; returns it and whether it is new."""
        with self.db:
            existing = self.db.execute("SELECT id FROM collect_sources WHERE url = ?", (spec.url,)).fetchone()
            if existing:
                self.db.execute(
                    "UPDATE collect_sources SET name = ?, every = ?, lang = ?, origin = ?, kind = coalesce(?, kind), title = coalesce(?, title) WHERE id = ?",
                    (spec.name, spec.every, spec.lang, origin, kind, title, existing[0]),
                )
            else:
                self.db.execute(
                    "INSERT INTO collect_sources (url, name, every, lang, origin, kind, title, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (spec.url, spec.name, spec.every, spec.lang, origin, kind, title, now_iso()),
                )
        source = self.source(spec.url)
        assert source is not None
        return source, existing is None

    def remove_source(self, source_id: int) -> None:
        with self.db:
            self.db.execute("DELETE FROM collect_sources WHERE id = ?", (source_id,))

    def sync_file(self, specs: list[SourceSpec]) -> None:
        """Make the file's sources what ``sources.toml`` lists now."""
        listed = {spec.url for spec in specs}
        for spec in specs:
            current = self.source(spec.url)
            if current is None or (current.origin, current.name, current.every, current.lang) != ("file", spec.name, spec.every, spec.lang):
                self.add_source(spec, "file")
        for source in self.sources():
            if source.origin == "file" and source.url not in listed:
                self.remove_source(source.id)

    def source_ran(self, source: Source, *, error: str | None, kind: str | None = None, title: str | None = None) -> None:
        """Record a run: a success schedules the next run ``every`` from now; a failure backs off
        (``every`` times 2, 4, 8… up to a day) and keeps the error for ``sources list``."""
        now = now_iso()
        with self.db:
            if error is None:
                self.db.execute(
                    "UPDATE collect_sources SET last_run = ?, last_success = ?, failures = 0, next_run = ?, kind = coalesce(?, kind),"
                    " title = coalesce(?, title), items_seen = (SELECT count(*) FROM collect_items WHERE source_id = ?),"
                    " articles = (SELECT count(*) FROM collect_articles WHERE source_id = ?) WHERE id = ?",
                    (now, now, later(source.every), kind, title, source.id, source.id, source.id),
                )
            else:
                failures = source.failures + 1
                wait = min(source.every * 2 ** min(failures, 12), MAX_BACKOFF)
                self.db.execute(
                    "UPDATE collect_sources SET last_run = ?, last_error = ?, last_error_at = ?, failures = ?, next_run = ?,"
                    " items_seen = (SELECT count(*) FROM collect_items WHERE source_id = ?),"
                    " articles = (SELECT count(*) FROM collect_articles WHERE source_id = ?) WHERE id = ?",
                    (now, error[:500], now, failures, later(wait), source.id, source.id, source.id),
                )

    # --- source documents ---------------------------------------------------------------------

    def validators(self, url: str) -> tuple[str | None, str | None]:
        row = self.db.execute("SELECT etag, last_modified FROM collect_documents WHERE url = ?", (url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def document_fetched(self, url: str, etag: str | None, last_modified: str | None, sha256: str) -> None:
        with self.db:
            self.db.execute(
                "INSERT INTO collect_documents (url, etag, last_modified, sha256, fetched_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,"
                " sha256 = excluded.sha256, fetched_at = excluded.fetched_at",
                (url, etag, last_modified, sha256, now_iso()),
            )

    # --- items --------------------------------------------------------------------------------

    def item_needs_fetch(self, source_id: int, url: str, fingerprint: str) -> bool:
        row = self.db.execute("SELECT fingerprint, status, attempts FROM collect_items WHERE source_id = ? AND url = ?", (source_id, url)).fetchone()
        if row is None:
            return True
        if row["status"] == "error":
            return row["attempts"] < MAX_ATTEMPTS or row["fingerprint"] != fingerprint
        return row["fingerprint"] != fingerprint

    def item_done(self, url: str, source_id: int, fingerprint: str, canonical: str | None) -> None:
        with self.db:
            self._item_done(url, source_id, fingerprint, canonical)

    def _item_done(self, url: str, source_id: int, fingerprint: str, canonical: str | None) -> None:
        self.db.execute(
            "INSERT INTO collect_items (url, source_id, fingerprint, canonical, status, error, attempts, seen_at) VALUES (?, ?, ?, ?, 'ok', NULL, 0, ?)"
            " ON CONFLICT (source_id, url) DO UPDATE SET fingerprint = excluded.fingerprint, canonical = excluded.canonical, status = 'ok',"
            " error = NULL, attempts = 0, seen_at = excluded.seen_at",
            (url, source_id, fingerprint, canonical, now_iso()),
        )

    def item_failed(self, url: str, source_id: int, fingerprint: str, error: str) -> None:
        with self.db:
            self.db.execute(
                "INSERT INTO collect_items (url, source_id, fingerprint, status, error, attempts, seen_at) VALUES (?, ?, ?, 'error', ?, 1, ?)"
                " ON CONFLICT (source_id, url) DO UPDATE SET fingerprint = excluded.fingerprint, status = 'error', error = excluded.error,"
                " attempts = attempts + 1, seen_at = excluded.seen_at",
                (url, source_id, fingerprint, error[:500], now_iso()),
            )

    def item_errors(self, source_id: int, limit: int = 5) -> list[tuple[str, str]]:
        rows = self.db.execute(
            "SELECT url, error FROM collect_items WHERE source_id = ? AND status = 'error' ORDER BY seen_at DESC LIMIT ?", (source_id, limit)
        )
        return [(r[0], r[1]) for r in rows]

    # --- articles and versions ----------------------------------------------------------------

    def canonical_of_item(self, url: str) -> str | None:
        """The canonical URL an item URL turned out to be (by any source), if it was fetched."""
        row = self.db.execute("SELECT canonical FROM collect_items WHERE url = ? AND canonical IS NOT NULL LIMIT 1", (url,)).fetchone()
        return row[0] if row else None

    def known(self, canonical: str) -> Known | None:
        row = self.db.execute(
            "SELECT canonical, article_id, version, body_sha256, etag, last_modified, source_id FROM collect_articles WHERE canonical = ?", (canonical,)
        ).fetchone()
        return Known(*row) if row else None

    def record_article(
        self,
        canonical: str,
        article_id: str,
        source: Source,
        source_name: str | None,
        *,
        version: int,
        body_sha256: str | None,
        fetched_at: str,
        etag: str | None,
        last_modified: str | None,
        from_feed: bool,
        item: tuple[str, str] | None = None,
    ) -> None:
        """Record where an article came from; with ``item`` (its URL and fingerprint), mark that item done in
        the same transaction (one disk sync per article instead of two)."""
        with self.db:
            if item is not None:
                self._item_done(item[0], source.id, item[1], canonical)
            self.db.execute(
                "INSERT INTO collect_articles (canonical, article_id, source_id, source_name, version, body_sha256, fetched_at,"
                " first_fetched_at, etag, last_modified, from_feed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (canonical) DO UPDATE SET article_id = excluded.article_id, source_id = excluded.source_id,"
                " source_name = excluded.source_name, version = excluded.version, body_sha256 = excluded.body_sha256,"
                " fetched_at = excluded.fetched_at, etag = excluded.etag, last_modified = excluded.last_modified,"
                " from_feed = excluded.from_feed",
                (
                    canonical,
                    article_id,
                    source.id,
                    source_name or source.label,
                    version,
                    body_sha256,
                    fetched_at,
                    fetched_at,
                    etag,
                    last_modified,
                    int(from_feed),
                ),
            )

    def keep_version(
        self, article_id: str, version: int, old: dict[str, Any], body_sha256: str | None, fetched_at: str | None, statement_map: dict[int, int | None]
    ) -> None:
        """Keep the text and metadata of an article's version ``version`` before a newer one replaces it."""
        with self.db:
            self.db.execute(
                "INSERT OR IGNORE INTO collect_versions (article_id, version, title, published, source, text, body_sha256, fetched_at,"
                " replaced_at, statement_map) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    article_id,
                    version,
                    old.get("title"),
                    old.get("published"),
                    old.get("source"),
                    old["text"],
                    body_sha256,
                    fetched_at,
                    now_iso(),
                    json.dumps({str(k): v for k, v in statement_map.items()}),
                ),
            )

    def versions(self, article_id: str) -> list[dict[str, Any]]:
        try:
            rows = self.db.execute(
                "SELECT version, title, published, source, fetched_at, replaced_at, statement_map FROM collect_versions WHERE article_id = ? ORDER BY version",
                (article_id,),
            ).fetchall()
        except sqlite3.OperationalError:
            return []
        return [dict(r) for r in rows]

    # --- for the site -------------------------------------------------------------------------

    def provenance(self, article_id: str) -> dict[str, Any] | None:
        """When and from which source an article was fetched (None if it was not collected)."""
        try:
            row = self.db.execute(
                "SELECT c.canonical, c.source_id, c.source_name, c.version, c.fetched_at, c.first_fetched_at, c.from_feed, s.url AS source_url"
                " FROM collect_articles c LEFT JOIN collect_sources s ON s.id = c.source_id WHERE c.article_id = ?"
                " ORDER BY c.fetched_at DESC LIMIT 1",
                (article_id,),
            ).fetchone()
        except sqlite3.OperationalError:
            return None
        return dict(row) if row else None

    def latest_articles(self, source_id: int, limit: int = 10) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT a.id, a.title, a.published, c.fetched_at, c.version FROM collect_articles c JOIN articles a ON a.id = c.article_id"
            " WHERE c.source_id = ? ORDER BY c.fetched_at DESC, a.published DESC LIMIT ?",
            (source_id, limit),
        )
        return [dict(r) for r in rows]
