"""Which host the site answers as: a public base URL, or a list of trusted hosts.

Absolute URLs (OpenSearch description, Atom ids and links, redirects) are built from the request's
Host header, which any client can forge.  ``PARLEY_PUBLIC_URL`` (e.g. ``https://parley.example.org``
or ``https://example.org/parley``) makes every absolute URL use that base, whatever Host says;
``PARLEY_TRUSTED_HOSTS`` (e.g. ``["parley.example.org", "localhost"]``) answers 400 to any other
Host.  With neither, the Host header is used as sent: fine on 127.0.0.1, not behind a public proxy.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.sansio.utils import host_is_trusted


class PublicBase:
    """WSGI middleware: the request's scheme, host and mount point are those of the public URL."""

    def __init__(self, app, public_url: str) -> None:
        parts = urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"PARLEY_PUBLIC_URL must be an http(s) URL such as https://parley.example.org, got {public_url!r}")
        self.app = app
        self.scheme = parts.scheme
        self.host = parts.netloc
        self.prefix = parts.path.rstrip("/")

    def __call__(self, environ, start_response):
        environ["wsgi.url_scheme"] = self.scheme
        environ["HTTP_HOST"] = self.host
        environ.pop("HTTP_X_FORWARDED_HOST", None)
        environ["SCRIPT_NAME"] = self.prefix
        return self.app(environ, start_response)


class TrustedHosts:
    """WSGI middleware: a request whose Host is not in the list gets a 400 before Flask sees it (the
    site's error page itself builds URLs, so it cannot be rendered for an untrusted host)."""

    def __init__(self, app, hosts: list[str]) -> None:
        self.app = app
        self.hosts = hosts

    def __call__(self, environ, start_response):
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        if host_is_trusted(host, self.hosts):
            return self.app(environ, start_response)
        message = f"this site does not answer as host {host[:100]!r}"
        if environ.get("PATH_INFO", "").startswith("/api/"):
            body, kind = json.dumps({"ok": False, "error": {"status": 400, "message": message}}), "application/json"
        else:
            body, kind = f"400 Bad Request: {message}\n", "text/plain; charset=utf-8"
        start_response("400 Bad Request", [("Content-Type", kind), ("Content-Length", str(len(body.encode())))])
        return [body.encode()]


def init_app(app: Flask) -> None:
    trusted = app.config.get("PARLEY_TRUSTED_HOSTS")
    if trusted:
        app.wsgi_app = TrustedHosts(app.wsgi_app, [trusted] if isinstance(trusted, str) else list(trusted))  # type: ignore[method-assign]
    public_url = app.config.get("PARLEY_PUBLIC_URL")
    if public_url:  # outermost: the Host it sets is the public one, trusted by definition
        app.wsgi_app = PublicBase(app.wsgi_app, public_url)  # type: ignore[method-assign]
