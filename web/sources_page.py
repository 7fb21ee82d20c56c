"""The read-only "Sources" page (each collected source's health and latest articles), and the
``collected(article_id)`` template function that tells an article page when and from where it was fetched."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, render_template

from archive.collect.sources import format_every
from archive.collect.state import CollectState
from web.archive_access import store

bp = Blueprint("sources", __name__)
LATEST_PER_SOURCE = 8


def _state() -> CollectState:
    return CollectState(store().db, migrate=False)  # the site's connection is read-only


@bp.get("/sources")
def sources_page():
    state = _state()
    rows: list[dict[str, Any]] = []
    for source in state.sources():
        rows.append(
            {
                "source": source,
                "every": format_every(source.every),
                "latest": state.latest_articles(source.id, LATEST_PER_SOURCE),
                "item_errors": state.item_errors(source.id, 3),
            }
        )
    return render_template("sources.html", rows=rows)


def collected(article_id: str) -> dict[str, Any] | None:
    """When and from which source an article was fetched, with its version number (None: not collected)."""
    state = _state()
    found = state.provenance(article_id)
    if found is not None:
        found["history"] = state.versions(article_id)
        found["versions"] = len(found["history"]) + 1
    return found


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(collected)
