"""``/api/v1/export``: every statement a search matches, streamed as CSV or NDJSON in constant memory.

Search pages stop at ``MAX_DEPTH``; an export does not.  It never holds the hits: the order of the
matches is worked out from the index alone (``SearchIndex.iter_matches``), and statements come from the store
``BATCH`` at a time, are written out, and are dropped.  At most ``PARLEY_EXPORTS`` (default 2) run at
once; one more gets a 429 in the API's error body.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html import escape
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request, stream_with_context
from werkzeug.datastructures import MultiDict

from archive.model import Statement
from index.documents import sentence_of
from index.results import Hit
from web.archive_access import search_index, store
from web.errors import error_body
from web.params import ParamError, search_request
from web.serialize import hit_as_dict

bp = Blueprint("export", __name__)

FORMATS = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson; charset=utf-8"}
# Every facet field (speaker, type, kind, channel, direct, places, countries, topics, source), the
# quote with its sentence, and links back: the statement's permalink on this site and the article's URL.
CSV_COLUMNS = (
    "id", "article_id", "published", "date", "precision", "speaker", "role", "type", "kind",
    "channel", "direct", "confidence", "quote", "context", "places", "countries", "topics", "source", "title",
    "url", "permalink",
)  # fmt: skip
BATCH = 500
IGNORED = ("page", "per_page", "cursor", "facets", "facet_limit", "histogram")  # meaningless for an export
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@bp.record_once
def _slots(state) -> None:
    state.app.extensions["parley_export_slots"] = threading.BoundedSemaphore(state.app.config.get("PARLEY_EXPORTS", 2))


# --- rows ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One exported statement: its hit, the sentence it sits in, and the countries of its places."""

    hit: Hit
    context: str
    countries: tuple[str, ...]


def hydrate(ids: Iterator[tuple[str, float | None]], with_context: bool = False) -> Iterator[Row]:
    """Rows for ids in order, fetched from the store ``BATCH`` at a time (without highlights)."""
    archive = store()
    batch: list[tuple[str, float | None]] = []

    def flush() -> Iterator[Row]:
        found = archive.statements_by_id([sid for sid, _ in batch], with_text=with_context)
        points = archive.place_points(meta["article_id"] for _, meta in found.values()) if with_context else {}
        for sid, score in batch:
            if sid in found:  # in the index but no longer in the store: verify says so
                statement, meta = found[sid]
                hit = Hit.stored(sid, statement, meta, score, escape(statement.quote))
                context = sentence_of(meta["text"], statement) if with_context else ""
                countries = tuple(sorted({points[p][0] for p in statement.places if p in points and points[p][0]}))  # type: ignore[misc]
                yield Row(hit, context, countries)

    for pair in ids:
        batch.append(pair)
        if len(batch) == BATCH:
            yield from flush()
            batch = []
    yield from flush()


def csv_row(item: Row, site: str = "") -> list[Any]:
    hit = item.hit
    s: Statement = hit.statement
    speaker = s.speaker
    row = [
        hit.id, hit.article_id, hit.published and hit.published.isoformat(), s.date.value if s.date else None, s.date.precision if s.date else None,
        speaker.name if speaker else None, speaker.role if speaker else None, speaker.type if speaker else None,
        s.kind, s.channel, "true" if s.direct else "false", round(s.confidence, 3), s.quote, item.context,
        "; ".join(s.places), "; ".join(item.countries), "; ".join(s.topics), hit.source, hit.title,
        hit.url, f"{site}statements/{hit.id}",
    ]  # fmt: skip
    return [_cell(v) for v in row]


def _cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (OWASP's CSV injection advice)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_chunks(rows: Iterator[Row], site: str = "") -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for n, row in enumerate(rows, 1):
        writer.writerow(csv_row(row, site))
        if n % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def ndjson_chunks(rows: Iterator[Row]) -> Iterator[str]:
    lines: list[str] = []
    for row in rows:
        lines.append(json.dumps(hit_as_dict(row.hit), ensure_ascii=False) + "\n")
        if len(lines) == BATCH:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


# --- the route -------------------------------------------------------------------------------------


@bp.get("/export")
def export():
    fmt = request.args.get("format") or "ndjson"
    if fmt not in FORMATS:
        raise ParamError("format", f"format must be one of {', '.join(FORMATS)}")
    params = MultiDict(request.args)
    for name in IGNORED:
        params.poplist(name)
    search = search_request(params, facets=())
    if search.target != "statements":
        raise ParamError("target", "exports are of statements: leave out target or use target=statements")
    slots: threading.BoundedSemaphore = current_app.extensions["parley_export_slots"]
    if not slots.acquire(blocking=False):
        body, status = error_body(429, "too many exports are running: try again in a minute")
        body.headers["Retry-After"] = "60"
        return body, status
    release = _once(slots.release)
    try:
        order = search_index().iter_matches(search)
    except BaseException:
        release()
        raise

    site = request.host_url  # permalinks in the CSV point at this site

    def chunks() -> Iterator[str]:
        try:
            if fmt == "csv":
                yield from csv_chunks(hydrate(order.ids, with_context=True), site)
            else:
                yield from ndjson_chunks(hydrate(order.ids))
        finally:
            release()

    response = Response(stream_with_context(chunks()), content_type=FORMATS[fmt])
    response.call_on_close(release)  # a response closed before its first chunk never runs the finally
    response.headers["Content-Disposition"] = f'attachment; filename="parley-statements.{fmt}"'
    response.headers["X-Total-Count"] = str(order.total)
    return response


def _once(action: Callable[[], Any]) -> Callable[[], None]:
    done = threading.Lock()

    def run() -> None:
        if done.acquire(blocking=False):
            action()

    return run


def init_app(app: Flask) -> None:
    app.register_blueprint(bp, url_prefix="/api/v1")
