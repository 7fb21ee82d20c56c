"""The web layer: ``create_app`` builds the Flask site (``pages``) and JSON API (``api``)."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

DEFAULTS: dict[str, Any] = {
    "PARLEY_EXPORTS": 2,  # exports streaming at once; one more gets a 429
    "PARLEY_CACHE_SETTLE": 2.0,  # seconds after an archive change before validators (ETag) are sent again
    "MAX_CONTENT_LENGTH": 1024 * 1024,  # request bodies over this get a 413
    "PARLEY_PUBLIC_URL": None,  # the base of every absolute URL, whatever the Host header says (web/hosts.py)
    "PARLEY_TRUSTED_HOSTS": None,  # Host headers answered; any other gets a 400
}
CONFIG_FILE = "parley.toml"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The Parley site over the archive in ``PARLEY_HOME``; read-only (it has no write endpoint).

    Settings come from ``DEFAULTS``, then ``HOME/parley.toml`` (keys without the ``PARLEY_`` prefix,
    e.g. ``exports = 4``), then ``PARLEY_*`` environment variables, then ``config``.
    """
    # Flask is imported here, not with the package: every command imports ``web`` for its settings
    # and formatting, and Flask takes a third of a second to import.
    from flask import Flask, abort, request

    app = Flask(__name__)
    app.config.update(DEFAULTS)
    home = (config or {}).get("PARLEY_HOME") or os.environ.get("PARLEY_HOME") or app.instance_path
    app.config.update(settings_from(Path(home) / CONFIG_FILE, os.environ))
    app.config["PARLEY_HOME"] = str(home)
    if config:
        app.config.update(config)

    from web import api, archive_access, browse, pages

    archive_access.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(browse.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")

    @app.before_request
    def refuse_large_bodies():
        if (request.content_length or 0) > (app.config["MAX_CONTENT_LENGTH"] or float("inf")):
            abort(413)  # before routing answers 405, and whether or not a view reads the body

    from web import allow, caching, cors, errors, export, feeds, hosts, openapi, sources_page

    for extension in (export, feeds, openapi, caching, cors, sources_page, hosts, allow):
        extension.init_app(app)

    errors.init_app(app)

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


def settings_from(path: Path, environ: Mapping[str, str]) -> dict[str, Any]:
    """Settings from the home folder's ``parley.toml``, then ``PARLEY_*`` variables (JSON values or strings).

    Not Flask's ``config.from_file`` / ``from_prefixed_env``: the first keeps only upper-case keys and
    ``parley.toml`` is written in lower case (``exports = 4``, ``[search]``); the second strips the
    prefix, while the CLI and the search backend read the same names with it (``PARLEY_SEARCH_*``).
    """
    found: dict[str, Any] = {}
    if path.is_file():
        try:
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ValueError(f"cannot read settings from {path}: {error}") from None
        for key, value in data.items():
            name = key.upper()
            found[name if name in DEFAULTS else f"PARLEY_{name}"] = value
    for key, raw in environ.items():
        if key.startswith("PARLEY_") and key != "PARLEY_HOME":
            try:
                found[key] = json.loads(raw)
            except ValueError:
                found[key] = raw
    return found
