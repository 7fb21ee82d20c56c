"""The one error handler of the site and the API: every failure becomes one answer, HTML or JSON.

Under ``/api/`` (and for exports and the OpenAPI document) the body is the API's error shape,
``{"ok": false, "error": {"status", "message", "parameter"?, "position"?}}``; elsewhere it is the
error page.  Library errors map to statuses here and nowhere else: a bad parameter, query or request
is a 400; an index that cannot answer now (missing, of an older version, damaged) or a search past its
time budget is a 503.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, default_exceptions

from index import integrity
from index.errors import REPAIR, IndexUnavailable, SearchTimeout
from index.query import QuerySyntaxError
from index.request import SearchError
from index.writing import ARTICLES, current_path
from web.caching import archive_state
from web.params import ParamError


def error_body(status: int, message: str, **detail: Any):
    """The API's one error shape: {"ok": false, "error": {"status", "message", …}}."""
    return jsonify({"ok": False, "error": {"status": status, "message": message, **detail}}), status


def _answer(status: int, message: str, **detail: Any):
    if request.path.startswith("/api/"):
        return error_body(status, message, **detail)
    # the error page shows Werkzeug's exception for the status: its code, its name and our message
    return render_template("error.html", error=default_exceptions[status](message)), status


def handle(error: Exception):
    if isinstance(error, HTTPException):
        if request.path.startswith("/api/"):
            return error_body(error.code or 500, error.description or error.name)
        return render_template("error.html", error=error), error.code or 500
    if isinstance(error, ParamError):
        return _answer(400, str(error), parameter=error.name)
    if isinstance(error, QuerySyntaxError):
        return _answer(400, error.message, parameter="q", position=error.position)
    if isinstance(error, SearchError):
        return _answer(400, str(error), **({"parameter": error.parameter} if error.parameter else {}))
    if isinstance(error, IndexUnavailable):
        return _unavailable(str(error))
    if isinstance(error, SearchTimeout):  # the server is fine, the query too costly: narrow it, or retry when calmer
        return _unavailable(str(error), TIMEOUT_RETRY_AFTER)
    # Damage Whoosh only meets deep inside a search surfaces as any exception at all: before it
    # becomes a 500, the index is checked (once per archive state) and, if damaged, it is a 503.
    damage = index_damage(current_app.config["PARLEY_HOME"])
    if not damage:
        raise error  # a bug, not the index: the usual 500
    integrity.forget_open_files(error)
    return _unavailable(f"the search index is damaged ({damage[0]}): {REPAIR}")


def _unavailable(message: str, retry_after: int | None = None):
    response, status = _answer(503, message)
    return response, status, {"Retry-After": str(retry_after or RETRY_AFTER)}


RETRY_AFTER = 30  # seconds: about what a rebuild of a small archive takes
TIMEOUT_RETRY_AFTER = 5  # seconds: a search over its budget may fit it on a less busy server
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


def init_app(app: Flask) -> None:
    for kind in (HTTPException, ParamError, QuerySyntaxError, SearchError, IndexUnavailable, SearchTimeout, Exception):
        app.register_error_handler(kind, handle)
