"""The archive as the web app sees it: read-only, one store connection and one searcher per thread."""

from __future__ import annotations

import threading

from flask import Flask, current_app

from archive.store import Store, StoreError
from index.backend import SearchBackend, open_backend

_local = threading.local()


def init_app(app: Flask) -> None:
    home = app.config["PARLEY_HOME"]
    try:
        Store(home, readonly=True).close()
    except StoreError:
        Store(home).close()  # a fresh home: an empty archive, so the site starts and says so
    app.extensions["parley_search"] = open_backend(home, app.config)


def store() -> Store:
    """This thread's read-only store for the app's archive."""
    home = current_app.config["PARLEY_HOME"]
    cached = getattr(_local, "stores", None)
    if cached is None:
        cached = _local.stores = {}
    if home not in cached:
        cached[home] = Store(home, readonly=True)
    return cached[home]


def search_index() -> SearchBackend:
    """The app's search backend (thread-safe: Whoosh's keeps one searcher per thread itself)."""
    return current_app.extensions["parley_search"]
