"""CORS for the JSON API: any origin may read ``/api/v1/*`` (it is public and read-only); pages get nothing."""

from __future__ import annotations

from flask import Flask, Response, request

API_PREFIX = "/api/v1/"
ALLOW_METHODS = "GET, HEAD, OPTIONS"
ALLOW_HEADERS = "Accept, Accept-Language, Content-Language, Content-Type, If-None-Match, If-Modified-Since"
EXPOSE_HEADERS = "ETag, Last-Modified, Content-Disposition, Retry-After, X-Total-Count"
PREFLIGHT_MAX_AGE = "86400"


def allow_any_origin(response: Response) -> Response:
    """``Access-Control-Allow-Origin: *`` on every API answer (errors too, so scripts can read them); preflights answered."""
    if not request.path.startswith(API_PREFIX):
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        response.headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response


def init_app(app: Flask) -> None:
    app.after_request(allow_any_origin)
