"""What every command shares: the date option type, the archive and the search engine of the home folder."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import click

from archive.dateparse import parse_date
from archive.names import printable
from archive.store import DB_NAME, ReadOnlyArchive, Store, StoreError
from cli import settings
from index.backend import SearchBackend


class DateType(click.ParamType):
    name = "DATE"

    def convert(self, value, param, ctx) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_date(value)
        except ValueError as error:
            self.fail(f"{error}: use a date such as 2025-04-22", param, ctx)


def search_backend(ctx: click.Context) -> SearchBackend:
    """The search engine the archive's settings name (Whoosh by default)."""
    return settings.search_backend(ctx.obj)


def open_store(ctx: click.Context, *, write: bool = False, create: bool = False) -> Store:
    """The archive in the home folder.  Only ``create`` (ingest, serve) may make a new one: for any
    other command a missing archive is a mistyped --home, said plainly rather than created empty."""
    home = Path(ctx.obj)
    if not create and not (home / DB_NAME).exists():
        raise click.ClickException(f"there is no archive in {printable(str(home))}: check --home (or PARLEY_HOME), or run 'parley ingest' to start one")
    try:
        return Store(home, readonly=not write)
    except ReadOnlyArchive as error:
        raise click.ClickException(f"{error}; run this command as the archive's owner") from None
    except (StoreError, OSError, sqlite3.Error) as error:
        raise click.ClickException(f"cannot open the archive in {printable(str(home))}: {error}") from None
