"""The web layer: ``create_app`` builds the Flask site (``pages``) and JSON API (``api``)."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The Parley site over the archive in ``PARLEY_HOME`` (read-only unless ``PARLEY_WRITABLE``)."""
    app = Flask(__name__)
    app.config.update(
        PARLEY_HOME=os.environ.get("PARLEY_HOME") or app.instance_path,
        PARLEY_WRITABLE=False,
        MAX_CONTENT_LENGTH=1024 * 1024,
        JSON_SORT_KEYS=False,
    )
    if config:
        app.config.update(config)

    from web import api, archive_access, pages

    archive_access.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if request.path.startswith("/api/"):
            return api.error_body(error.code or 500, error.description or error.name)
        return render_template("error.html", error=error), error.code or 500

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    return app
