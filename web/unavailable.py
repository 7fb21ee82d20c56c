"""503 Service Unavailable while the search index cannot answer: missing, of an older version, or damaged.

A missing or unreadable index raises ``IndexUnavailable``.  Damage Whoosh only meets deep inside a
search surfaces as any exception at all; before such a failure becomes a 500, the index is checked
(its checksums, and that it opens; once per index state) and, if it is damaged, the answer is a 503 too.
"""

from __future__ import annotations

import threading

from flask import Flask, current_app, render_template, request
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from index import integrity
from index.errors import REPAIR, IndexUnavailable
from index.writing import ARTICLES, current_path
from web.caching import archive_state

RETRY_AFTER = 30  # seconds: about what a rebuild of a small archive takes

_checked: dict[str, list[str]] = {}  # archive state -> damage found in it
_lock = threading.Lock()


def index_damage(home: str) -> list[str]:
    """What is damaged in the current index (checked once per archive state)."""
    state = archive_state(home)[0]
    with _lock:
        if state not in _checked:
            try:
                path = current_path(home)
                _checked.clear()
                _checked[state] = integrity.damage(path, (None, ARTICLES), deep=False) if path is not None else []
            except Exception as error:
                _checked[state] = [f"the index cannot be opened ({type(error).__name__})"]
        return _checked[state]


def unavailable(message: str):
    error = ServiceUnavailable(message)
    if request.path.startswith("/api/"):
        from web.api import error_body

        response = error_body(503, message)[0]
        response.status_code = 503
    else:
        response = current_app.make_response((render_template("error.html", error=error), 503))
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(IndexUnavailable)
    def index_unavailable(error: IndexUnavailable):
        return unavailable(str(error))

    @app.errorhandler(Exception)
    def maybe_damaged(error: Exception):
        if isinstance(error, HTTPException):
            return error  # answered by the HTTP error handlers
        damage = index_damage(current_app.config["PARLEY_HOME"])
        if not damage:
            raise error  # a bug, not the index: the usual 500
        integrity.forget_open_files(error)
        return unavailable(f"the search index is damaged ({damage[0]}): {REPAIR}")
