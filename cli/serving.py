"""``parley serve``: the site and API over the archive, after seeding and indexing what needs it."""

from __future__ import annotations

import threading
from pathlib import Path

import click

from archive.names import printable
from archive.store import DB_NAME, writable
from cli.common import search_backend
from index.errors import IndexUnavailable
from web.home import ensure_index, needs_index, seed_if_empty


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
@click.option("--no-seed", is_flag=True, help="Do not load the shipped seed articles into an empty archive.")
@click.option("--debug", is_flag=True, help="Flask's development server with the debugger and reloader (never in production).")
@click.pass_context
def serve(ctx, host, port, threads, no_seed, debug) -> None:
    """Serve the web site and JSON API on HOST:PORT (read-only).

    On first run, an empty archive is seeded with the articles shipped in seeds/.
    """
    from waitress import serve as waitress_serve

    from web import create_app

    home = ctx.obj
    if writable(home):
        try:
            _prepare(home, seed=not no_seed, backend=search_backend(ctx))
        except IndexUnavailable as error:  # a search engine that is down (Solr): serve, answering 503 until it is back
            click.echo(f"warning: {error}", err=True)
    elif (Path(home) / DB_NAME).exists():
        click.echo(f"the archive in {printable(str(home))} is read-only: serving it as it is (no seeding, no index repair)", err=True)
    else:
        raise click.ClickException(f"there is no archive in {printable(str(home))} and it cannot be created there")
    app = create_app({"PARLEY_HOME": str(home)})
    click.echo(f"Parley on http://{host}:{port}/  (archive {home}; Ctrl-C to stop)")
    if debug:
        app.run(host=host, port=port, debug=True)
        return
    threading.Thread(target=warm, args=(app,), name="parley-warm-up", daemon=True).start()
    waitress_serve(app, host=host, port=port, threads=threads, ident="parley")


def _prepare(home: Path, seed: bool, backend) -> None:
    """Before serving: seed an empty archive, build a missing index, finish what a stopped ingest left."""
    if seed:
        added = seed_if_empty(home, backend)
        if added:
            click.echo(f"seeded the new archive in {home} with {added} article(s)")
    if needs_index(home, backend):
        click.echo(f"building the search index in {home} from the archive (large archives take minutes)…")
        ensure_index(home, backend)
        click.echo("built the search index")
    elif ensure_index(home, backend):
        click.echo("indexed the articles an earlier ingest stored but did not index")


def warm(app) -> None:
    """Read the index's facet values and days before the first visitor asks: 10 s at a million
    statements, paid once here rather than by whoever searches first."""
    try:
        from index.request import SearchRequest

        app.extensions["parley_search"].search(SearchRequest(facets=("kind",), per_page=1))
    except Exception as error:  # the first search will then do the work itself
        click.echo(f"warning: could not warm up the search index: {error}", err=True)
