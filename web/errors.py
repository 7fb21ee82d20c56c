"""The one error handler of the site and the API: every failure becomes one answer, HTML or JSON.

Under ``/api/`` (and for exports and the OpenAPI document) the body is the API's error shape,
``{"ok": false, "error": {"status", "message", "parameter"?, "position"?}}``; elsewhere it is the
error page.  Library errors map to statuses here and nowhere else: a bad parameter, query or request
is a 400; an index that cannot answer now is a 503.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from index.backend import IndexUnavailable
from index.query import QuerySyntaxError
from index.request import SearchError
from web.params import ParamError


def error_body(status: int, message: str, **detail: Any):
    """The API's one error shape: {"ok": false, "error": {"status", "message", …}}."""
    return jsonify({"ok": False, "error": {"status": status, "message": message, **detail}}), status


class _Failure:
    """What the error page shows: a status, its name and what went wrong."""

    def __init__(self, code: int, name: str, description: str) -> None:
        self.code, self.name, self.description = code, name, description


_NAMES = {400: "Bad Request", 503: "Service Unavailable"}


def _answer(status: int, message: str, **detail: Any):
    if request.path.startswith("/api/"):
        response = error_body(status, message, **detail)
    else:
        response = render_template("error.html", error=_Failure(status, _NAMES.get(status, "Error"), message)), status
    return response


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
        response, status = _answer(503, str(error))
        return response, status, {"Retry-After": "30"}
    raise error  # pragma: no cover - only the types registered below arrive here


def init_app(app: Flask) -> None:
    for kind in (HTTPException, ParamError, QuerySyntaxError, SearchError, IndexUnavailable):
        app.register_error_handler(kind, handle)
