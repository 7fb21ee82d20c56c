"""``Allow`` on every 405 answer (RFC 9110 requires it), for pages and API alike.

The error handlers build their own bodies and drop the headers Werkzeug's ``MethodNotAllowed``
carries, so they are put back here from the routing exception.
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import MethodNotAllowed


def add_allow(response: Response) -> Response:
    error = request.routing_exception
    if response.status_code == 405 and isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_allow)
