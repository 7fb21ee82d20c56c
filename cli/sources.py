"""The collector's commands: ``parley sources add|list|remove``, ``parley fetch`` and ``parley watch``.

Registered on the ``parley`` group by ``cli/__init__.py``; this module imports nothing from it, so that
``python -m cli`` does not load the group twice.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import click

from archive.collect.http import FetchError, PoliteClient, Politeness, Stopped
from archive.collect.listing import ListingError, discover_feeds, read_listing
from archive.collect.runner import ACCEPT_LISTING, Collector, RunReport
from archive.collect.sources import (
    SourceError,
    SourceSpec,
    format_every,
    make_spec,
    read_sources_file,
)
from archive.collect.state import CollectState, Source
from archive.store import Store, StoreError
from cli.settings import search_backend

CONTACT_HELP = "URL where site owners can reach whoever runs this collector (in the User-Agent).  Default: $PARLEY_CONTACT."


def _store(home: Path) -> Store:
    try:
        return Store(home)
    except (StoreError, OSError) as error:
        raise click.ClickException(f"cannot open the archive in {home}: {error}") from None


def _synced(store: Store, home: Path, warned: set[str] | None = None) -> CollectState:
    """The collector's state with HOME/sources.toml applied (its problems printed as warnings, each once
    per ``warned`` set).  A file that cannot be read at all stops a command, but not a running watch."""
    state = CollectState(store.db)
    try:
        specs, problems = read_sources_file(home)
    except SourceError as error:
        if warned is None:
            raise click.ClickException(str(error)) from None
        specs, problems = _file_specs(state), [f"{error} (the sources it listed are kept)"]
    state.sync_file(specs)
    for problem in problems:
        if warned is None or problem not in warned:
            click.secho(f"warning: skipped {problem}", fg="yellow", err=True)
            if warned is not None:
                warned.add(problem)
    return state


def _file_specs(state: CollectState) -> list[SourceSpec]:
    return [SourceSpec(s.url, s.name, s.every, s.lang) for s in state.sources() if s.origin == "file"]


def _politeness(contact: str | None, min_delay: float) -> Politeness:
    contact = contact or os.environ.get("PARLEY_CONTACT")
    if not contact:
        click.secho("note: no --contact (or PARLEY_CONTACT) set: sites see Parley's generic contact, not yours", fg="yellow", err=True)
        return Politeness(min_delay=min_delay)
    return Politeness(contact=contact, min_delay=min_delay)


def politeness_options(command):
    command = click.option("--contact", help=CONTACT_HELP)(command)
    command = click.option(
        "--min-delay",
        type=click.FloatRange(min=0),
        default=1.0,
        show_default=True,
        help="Seconds between two requests to one host (robots.txt Crawl-delay can ask for more).",
    )(command)
    return command


@click.group("sources")
def sources() -> None:
    """Feeds, news sitemaps and URL lists that `parley fetch` and `parley watch` collect from.

    Sources can also be listed in HOME/sources.toml (one [[source]] table each, with url and
    optionally name, every and lang); the file is read at every fetch, watch and list.
    """


@sources.command("add")
@click.argument("url")
@click.option("--name", help="Source name for its articles (default: the feed's title).")
@click.option("--every", default="15m", show_default=True, help="How often to read it: 30m, 2h, 1d…")
@click.option("--lang", help="Language of its articles where the page does not say (en, uk…).")
@click.option("--no-check", is_flag=True, help="Add without fetching it first (no feed discovery).")
@politeness_options
@click.pass_context
def sources_add(ctx, url, name, every, lang, no_check, contact, min_delay) -> None:
    """Add a feed (RSS/Atom), a news sitemap or sitemap index, or a list of article URLs.

    URL is fetched once to see what it is; a site's home page is searched for the feeds it
    announces (<link rel="alternate">), and each one found is added.
    """
    try:
        spec = make_spec(url, name, every, lang)
    except SourceError as error:
        raise click.BadParameter(str(error)) from None
    with _store(ctx.obj) as store:
        state = _synced(store, ctx.obj)
        if no_check:
            source, new = state.add_source(spec)
            click.echo(f"{'added' if new else 'updated'} source {source.id}: {source.url}")
            return
        with PoliteClient(_politeness(contact, min_delay)) as client:
            try:
                response = client.get(spec.url, accept=ACCEPT_LISTING)
            except FetchError as error:
                raise click.ClickException(f"cannot fetch {spec.url}: {error.reason} (add it anyway with --no-check)") from None
            try:
                listing = read_listing(response.body, response.url, client.politeness.max_decoded)
            except ListingError as error:
                feeds = discover_feeds(response.body, response.url)
                if not feeds:
                    raise click.ClickException(f'{spec.url}: {error}; and the page announces no feed (<link rel="alternate">)') from None
                for feed_url, title in feeds:
                    source, new = state.add_source(make_spec(feed_url, name, every, lang), kind="feed", title=title)
                    click.echo(f"{'added' if new else 'updated'} source {source.id}: {source.url} ({title or 'feed'}, found on {spec.url})")
                return
        source, new = state.add_source(spec, kind=listing.kind, title=listing.title)
        click.echo(f"{'added' if new else 'updated'} source {source.id}: {source.url} ({listing.kind}, {len(listing.items) or len(listing.sitemaps)} entries)")


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source, one per line.")
@click.pass_context
def sources_list(ctx, as_json) -> None:
    """Each source with its health: last success, last error, items seen, next run."""
    with _store(ctx.obj) as store:
        state = _synced(store, ctx.obj)
        found = state.sources()
        errors = {s.id: state.item_errors(s.id, 3) for s in found}
    if as_json:
        for s in found:
            click.echo(json.dumps({**s.__dict__, "label": s.label, "item_errors": [{"url": u, "error": e} for u, e in errors[s.id]]}, ensure_ascii=False))
        return
    if not found:
        click.echo("no sources yet: add one with 'parley sources add URL'")
        return
    for s in found:
        health = "ok" if not s.failures else f"failing ({s.failures}x)"
        click.secho(f"[{s.id}] {s.label}", bold=True)
        click.echo(f"    {s.url}  ({s.kind or 'not read yet'}, every {format_every(s.every)}{', from sources.toml' if s.origin == 'file' else ''})")
        click.echo(
            f"    {health} · last success {s.last_success or 'never'} · next run {s.next_run or 'now'} · {s.items_seen} items seen · {s.articles} articles"
        )
        if s.last_error:
            click.secho(f"    last error ({s.last_error_at}): {s.last_error}", fg="yellow" if s.failures else None)
        for url, error in errors[s.id]:
            click.echo(f"    item {url}: {error}")


@sources.command("remove")
@click.argument("source")
@click.pass_context
def sources_remove(ctx, source) -> None:
    """Stop collecting from SOURCE (its id, URL or name); its articles stay in the archive."""
    with _store(ctx.obj) as store:
        state = _synced(store, ctx.obj)
        found = state.source(source)
        if found is None:
            raise click.ClickException(f"no source {source!r}: see 'parley sources list'")
        if found.origin == "file":
            raise click.ClickException(f"source {found.id} is listed in {ctx.obj / 'sources.toml'}: remove it there")
        state.remove_source(found.id)
    click.echo(f"removed source {found.id}: {found.url}")


def collect_options(command):
    command = click.option("-v", "--verbose", is_flag=True, help="Print each article's id and URL as soon as it is stored.")(command)
    command = click.option(
        "--max-items", type=click.IntRange(min=1), default=200, show_default=True, help="Pages fetched per source per run; the rest wait for the next run."
    )(command)
    command = click.option(
        "--workers", type=click.IntRange(1, 32), default=8, show_default=True, help="Sources read at once (one request at a time per host still)."
    )(command)
    return politeness_options(command)


@contextmanager
def _collector(home: Path, store: Store, *, contact, min_delay, max_items, workers, verbose):
    backend = search_backend(home)
    stop = threading.Event()
    client = PoliteClient(_politeness(contact, min_delay), stop=stop)
    on_item, finish = _progress()

    def on_stored(article_id: str, url: str) -> None:
        if verbose:
            click.echo(f"stored {article_id} {url}", err=True)
            sys.stderr.flush()

    collector = Collector(
        store,
        client,
        index=lambda ids: backend.update(store, ids),
        on_stored=on_stored,
        on_item=on_item,
        max_items=max_items,
        workers=workers,
    )
    previous = {}

    def ask_to_stop(signum, frame) -> None:
        if stop.is_set():  # a second Ctrl-C: stop now
            signal.signal(signum, previous.get(signum, signal.SIG_DFL))
            raise KeyboardInterrupt
        stop.set()
        os.write(2, "\nstopping after the current article…\n".encode())  # a raw write: safe inside a signal handler

    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, ask_to_stop)
    try:
        yield collector
        if collector.index_problem:
            click.secho(f"warning: {collector.index_problem}", fg="yellow", err=True)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        finish()
        client.close()


def _progress():
    """A progress line on a terminal (stderr): pages fetched so far and the current URL."""
    if not sys.stderr.isatty():
        return None, lambda: None
    seen = [0]

    def on_item(url: str) -> None:
        seen[0] += 1
        shown = url if len(url) < 70 else "…" + url[-69:]
        click.echo(f"\r\033[K[{seen[0]}] {shown}", nl=False, err=True)

    return on_item, lambda: click.echo("\r\033[K", nl=False, err=True)


def _print_report(report: RunReport, as_json: bool = False) -> None:
    if as_json:
        click.echo(
            json.dumps(
                {
                    "source": report.source.url,
                    "kind": report.kind,
                    "listed": report.listed,
                    "new": report.new,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "duplicates": report.duplicates,
                    "left": report.left,
                    "not_modified": report.not_modified,
                    "error": report.error,
                    "stopped": report.stopped,
                    "seconds": round(report.seconds, 3),
                    "problems": [{"url": p.url, "reason": p.reason} for p in report.problems],
                },
                ensure_ascii=False,
            )
        )
        return
    click.echo("\r\033[K" if sys.stderr.isatty() else "", nl=False, err=True)
    click.echo(report.line())
    sys.stdout.flush()
    for problem in report.problems[:20]:
        click.secho(f"  {problem.url}: {problem.reason}", fg="yellow", err=True)
    if len(report.problems) > 20:
        click.secho(f"  … and {len(report.problems) - 20} more (see 'parley sources list')", fg="yellow", err=True)


@click.command("fetch")
@click.option("--all", "run_all", is_flag=True, help="Run every source, due or not.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source run, one per line.")
@collect_options
@click.pass_context
def fetch(ctx, run_all, as_json, verbose, max_items, workers, contact, min_delay) -> None:
    """Run every due source once: list its items, fetch and store the new and changed ones."""
    with _store(ctx.obj) as store:
        state = _synced(store, ctx.obj)
        chosen = [s for s in state.sources() if run_all or s.due()]
        if not chosen:
            click.echo("no source is due (see 'parley sources list'; --all runs them anyway)")
            return
        with _collector(ctx.obj, store, contact=contact, min_delay=min_delay, max_items=max_items, workers=workers, verbose=verbose) as collector:
            reports = collector.run(chosen, lambda r: _print_report(r, as_json))
    if any(r.stopped for r in reports) or len(reports) < len(chosen):
        click.echo("stopped: the next fetch resumes where this one stopped", err=True)


@click.command("watch")
@collect_options
@click.pass_context
def watch(ctx, verbose, max_items, workers, contact, min_delay) -> None:
    """Keep collecting: run each source when it is due, until Ctrl-C or SIGTERM.

    A stop request lets the article in hand finish (stored and indexed) before exiting.
    """
    home = ctx.obj
    with (
        _store(home) as store,
        _collector(home, store, contact=contact, min_delay=min_delay, max_items=max_items, workers=workers, verbose=verbose) as collector,
    ):
        warned: set[str] = set()

        def current() -> list[Source]:
            return _synced(store, home, warned).sources()

        if not current():
            raise click.ClickException("no sources to watch: add one with 'parley sources add URL' or in sources.toml")
        click.echo(f"watching {len(current())} source(s) in {home} (Ctrl-C to stop)", err=True)
        try:
            collector.watch(current, _print_report)
        except Stopped:
            pass
    click.echo("stopped", err=True)


COMMANDS = (sources, fetch, watch)
