"""Conditional GETs: ETag and Last-Modified on answers that depend only on the archive, and 304s.

An answer's ETag is a hash of the archive's state (the store's files, the index generation and its
files), this code's version and the request's full URL, so it is known before the answer is made:
a client that already has it gets ``304 Not Modified`` without any search running.  Right after a
change (``PARLEY_CACHE_SETTLE`` seconds, default 2) no validators are sent, since searchers notice a
new index up to half a second late and ``Last-Modified`` counts whole seconds.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from flask import Flask, Response, abort, current_app, g, request

from archive.store import DB_NAME
from index.writing import CURRENT, current_path, index_root

CACHED_BLUEPRINTS = frozenset({"pages", "browse", "api", "export", "feeds", "openapi"})
CACHE_CONTROL = "no-cache"  # keep it, but ask each time: answers change whenever the archive does


def code_version() -> str:
    """Changes when Parley's code or templates do (a deploy must not be answered from old pages)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha1()
    for package in ("archive", "index", "web"):
        for path in sorted((root / package).rglob("*")):
            if path.suffix in (".py", ".html", ".css", ".js", ".toml", ".tsv"):
                digest.update(f"{path.relative_to(root)}:{path.stat().st_mtime_ns}:{path.stat().st_size}\n".encode())
    return digest.hexdigest()[:12]


def archive_state(home: str | os.PathLike[str]) -> tuple[str, float]:
    """A token that changes with any change to the store or the index, and when the last one happened."""
    generation = current_path(home)
    paths = [Path(home) / DB_NAME, Path(home) / f"{DB_NAME}-wal", index_root(home) / CURRENT]
    if generation is not None:
        paths.append(generation)  # a commit adds and removes files in the generation's folder
    parts = [str(generation)]
    latest = 0.0
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            parts.append("-")
            continue
        parts.append(f"{stat.st_mtime_ns}:{stat.st_size}")
        latest = max(latest, stat.st_mtime)
    return "|".join(parts), latest


def validators() -> tuple[str, float] | None:
    """(ETag, Last-Modified) for this request, or None when its answer should carry none; the ETag
    unquoted, as Werkzeug's ``set_etag`` takes it."""
    if request.method not in ("GET", "HEAD") or request.blueprint not in CACHED_BLUEPRINTS:
        return None
    if "parley_validators" not in g:
        state, latest = archive_state(current_app.config["PARLEY_HOME"])
        settled = time.time() - latest >= current_app.config.get("PARLEY_CACHE_SETTLE", 2.0)
        blob = f"{current_app.extensions['parley_code_version']}|{state}|{request.url}"
        g.parley_validators = (hashlib.sha1(blob.encode()).hexdigest()[:20], latest) if settled else None
    return g.parley_validators


def answer_not_modified() -> Response | None:
    """Before a view runs: 304 when the client names this answer's exact ETag, 412 when its
    ``If-Match`` names another; Werkzeug's ``make_conditional`` weighs the headers (RFC 9110).

    An ETag is only ever sent with a 200, and it covers the URL and the archive's state, so a match
    means the answer would be that same 200.  ``If-None-Match: *`` and ``If-Modified-Since`` say
    nothing of the status: they are weighed after the view, on 200s only (``add_validators``).
    """
    found = validators()
    if found is None or not (request.if_none_match or request.if_match):
        return None
    probe = _stamp(Response(), *found).make_conditional(request)
    if probe.status_code == 412:  # (Werkzeug reads "If-Match: *" as naming no answer: 412 too)
        abort(412)  # answered by the one error handler, with the error body
    exact = request.if_none_match and not request.if_none_match.star_tag
    return probe if exact and probe.status_code == 304 else None


def add_validators(response: Response) -> Response:
    """After a view: a 200 gets its validators, and becomes a 304 when the request's
    ``If-None-Match: *`` or ``If-Modified-Since`` says the client has it."""
    found = validators()
    if found is None or response.status_code != 200:
        return response
    # make_conditional would otherwise read a streamed body (an export) whole to count its length
    response.automatically_set_content_length = not response.is_streamed
    return _stamp(response, *found).make_conditional(request)


def _stamp(response: Response, etag: str, latest: float) -> Response:
    response.set_etag(etag)
    response.last_modified = latest
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def init_app(app: Flask) -> None:
    app.extensions["parley_code_version"] = code_version()
    app.before_request(answer_not_modified)
    app.after_request(add_validators)
