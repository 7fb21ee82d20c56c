"""The one place the command line resolves the archive's settings and opens its search engine."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from index.backend import SearchBackend, open_backend
from web import CONFIG_FILE, settings_from


def settings(home: str | os.PathLike[str]) -> dict[str, Any]:
    """``HOME/parley.toml`` with ``PARLEY_*`` variables over it (as the web app reads them)."""
    try:
        return settings_from(Path(home) / CONFIG_FILE, os.environ)
    except ValueError as error:
        raise click.ClickException(str(error)) from None


def search_backend(home: str | os.PathLike[str]) -> SearchBackend:
    """The search engine the archive's settings name (Whoosh by default)."""
    try:
        return open_backend(home, settings(home))
    except ValueError as error:
        raise click.ClickException(str(error)) from None
