"""The ``parley`` command: ingest, inspect, extract and serve an archive.

The outermost layer: it sits on top of every other (archive, index, web), resolves the home
folder and the settings once, and hands them down.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
import threading
from datetime import date
from pathlib import Path

import click

from archive.dateparse import parse_date
from archive.extract.topics import use_home
from archive.ingest import Defaults, IngestReport, ingest, reextract
from archive.names import printable
from archive.readers import DEFAULT_MAX_BYTES, ReadError, read_inputs
from archive.store import DB_NAME, ReadOnlyArchive, Store, StoreError, writable
from cli import settings
from index.backend import SearchBackend, finish_pending
from index.errors import IndexUnavailable
from web.formatting import plural, when
from web.home import default_home, ensure_index, needs_index, seed_if_empty

HOME_HELP = "Folder holding the archive (and its index).  Default: $PARLEY_HOME, else the app's instance folder."


class DateType(click.ParamType):
    name = "DATE"

    def convert(self, value, param, ctx) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_date(value)
        except ValueError as error:
            self.fail(f"{error}: use a date such as 2025-04-22", param, ctx)


class _HomeAnywhere(click.Group):
    """``parley serve --home X`` means ``parley --home X serve``: --home is read before or after the command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        moved, rest, i = [], [], 0
        while i < len(args):
            arg = args[i]
            if arg == "--":  # everything after is the command's own
                rest.extend(args[i:])
                break
            if arg == "--home" and i + 1 < len(args):
                moved += args[i : i + 2]
                i += 2
                continue
            if arg.startswith("--home="):
                moved.append(arg)
            else:
                rest.append(arg)
            i += 1
        return super().parse_args(ctx, moved + rest)


@click.group(cls=_HomeAnywhere, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), envvar="PARLEY_HOME", help=HOME_HELP)
@click.version_option(package_name="parley")
@click.pass_context
def cli(ctx: click.Context, home: Path | None) -> None:
    """Parley: a searchable archive of conflict news — who said what, when and where.

    Put articles in with `parley ingest`, look at the archive with `parley stats`, see what
    Parley finds in an article with `parley extract`, and browse it with `parley serve`.
    """
    ctx.obj = home or default_home()
    use_home(ctx.obj)  # extractor settings (topics.toml) come from the archive's home folder


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


@cli.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--strict", is_flag=True, help="Stop at the first input that cannot be read (exit status 1).")
@click.option("--published", type=DateType(), help="Publication date for articles that have none.")
@click.option("--source", help="Source name (e.g. 'Reuters') for articles that have none.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES, show_default=True, help="Reject files larger than this.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@click.option("-v", "--verbose", is_flag=True, help="Print each article's id as soon as it is committed.")
@click.option("--follow-links", is_flag=True, help="Follow symbolic links that lead out of the folders given.")
@click.pass_context
def ingest_command(ctx, paths, strict, published, source, max_bytes, as_json, verbose, follow_links) -> None:
    """Read articles from PATHS into the archive.

    PATHS are files (.txt/.md with optional front matter, .html/.htm, .rss/.atom/.xml feeds,
    .jsonl/.json), folders (read recursively) or - for standard input.  Articles already in the
    archive are counted as duplicates and left alone.  Inputs that cannot be read are reported with
    the reason, kept in the archive's quarantine list, and the rest of the batch goes on.  Symbolic
    links inside a folder that lead out of it are not followed unless --follow-links.
    """
    with open_store(ctx, write=True, create=True) as store:
        finished = finish_pending(search_backend(ctx), store)
        if finished:
            click.echo(f"indexed {finished} article(s) an earlier ingest stored but did not index", err=True)
        on_input, finish = _progress()
        feeder = search_backend(ctx).feeder(store)

        def on_added(ids: list[str]) -> None:
            if verbose:
                _print_added(ids)
            feeder(ids)

        try:
            report = ingest(
                paths,
                store,
                strict=strict,
                defaults=Defaults(published=published, source=source),
                max_bytes=max_bytes,
                on_input=on_input,
                on_added=on_added,
                follow_links=follow_links,
            )
            feeder.flush()
        finally:
            finish()
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        _print_report(report)
    if report.stopped:
        raise SystemExit(1)


def _print_added(ids: list[str]) -> None:
    for article_id in ids:
        click.echo(f"added {article_id}", err=True)
    sys.stderr.flush()


def _progress():
    """A progress line on a terminal (stderr), nothing otherwise."""
    if not sys.stderr.isatty():
        return None, lambda: None
    seen = [0]

    def on_input(name: str) -> None:
        seen[0] += 1
        shown = printable(name)
        shown = shown if len(shown) < 60 else "…" + shown[-59:]
        click.echo(f"\r\033[K[{seen[0]}] {shown}", nl=False, err=True)

    return on_input, lambda: click.echo("\r\033[K", nl=False, err=True)


def _print_report(report: IngestReport) -> None:
    warned = len({p.source for p in report.warnings})
    click.echo(
        f"{len(report.added)} added ({plural(report.statements, 'statement')}), "
        f"{plural(len(report.duplicates), 'duplicate')}, {len(report.rejected)} rejected, from {plural(report.inputs, 'input')}"
        + (f"; {plural(warned, 'input')} kept with warnings" if warned else "")
    )
    for problem in report.rejected:
        click.secho(f"  rejected {printable(problem.source)}: {printable(problem.reason)}", fg="yellow", err=True)
    for problem in report.warnings:
        click.secho(f"  warning {printable(problem.source)}: {printable(problem.reason)}", fg="yellow", err=True)
    if report.stopped:
        click.secho(f"stopped at {printable(report.stopped.source)} (--strict)", fg="red", err=True)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (for scripts).")
@click.option("--rejected", "show_rejected", type=click.IntRange(min=0), default=5, show_default=True, help="How many recent rejections to list.")
@click.pass_context
def stats(ctx, as_json, show_rejected) -> None:
    """Counts of articles, statements, speakers and rejected inputs in the archive."""
    with open_store(ctx) as store:
        numbers = store.stats()
        rejections = store.rejections(show_rejected)
    if as_json:
        numbers["recent_rejections"] = [r.__dict__ for r in rejections]
        click.echo(json.dumps(numbers, ensure_ascii=False))
        return
    click.echo(f"archive     {printable(numbers['path'])}")
    for key in ("articles", "statements", "speakers", "sources", "rejected"):
        click.echo(f"{key:<11} {numbers[key]:,}")
    if numbers["earliest"]:
        click.echo(f"published   {numbers['earliest']} to {numbers['latest']}")
    for r in rejections:
        click.echo(f"  rejected {printable(r.source)}: {printable(r.reason)}")


@cli.command()
@click.option("--procs", type=click.IntRange(1, 8), default=None, help="Processes for the rebuild  [default: every core from 1,000 articles up, else 1]")
@click.option("--extract", "re_extract", is_flag=True, help="First run the extractors again over every stored article (after an upgrade).")
@click.pass_context
def reindex(ctx, procs, re_extract) -> None:
    """Rebuild the search index from the archive, aside, then swap it in.

    Searches go on against the old index until the new one is complete.  With --extract, the
    statements, places, dates and topics of every article are extracted again from its stored
    text first (what an extractor upgrade or fix needs).
    """
    with open_store(ctx, write=True) as store:
        if re_extract:
            problems = reextract(store)
            click.echo(f"extracted {store.stats()['articles']:,} article(s) again ({store.stats()['statements']:,} statements)")
            for problem in problems:
                click.secho(f"  warning {printable(problem.source)}: {printable(problem.reason)}", fg="yellow", err=True)
        report = search_backend(ctx).rebuild(store, procs=procs)
    click.echo(f"indexed {report.statements:,} statements of {report.articles:,} articles in {report.seconds:.1f} s ({report.procs} process{'es' if report.procs > 1 else ''})")


@cli.command()
@click.argument("ids", nargs=-1)
@click.option("--url", "urls", multiple=True, help="Also delete the article(s) with this URL (repeat for several).")
@click.pass_context
def delete(ctx, ids, urls) -> None:
    """Remove articles (by id, or --url) and their statements from the archive and the search index."""
    if not ids and not urls:
        raise click.UsageError("give article ids, or --url URL")
    with open_store(ctx, write=True) as store:
        found = store.article_ids_for(ids, urls)
        unknown = [i for i in ids if i not in found]
        unknown += [u for u in urls if not store.article_ids_for((), (u,))]
        deleted = store.delete(found)
        finish_pending(search_backend(ctx), store)
    for article_id in deleted:
        click.echo(f"deleted {article_id}")
    for missing in unknown:
        click.secho(f"no article {printable(missing)}", fg="yellow", err=True)
    if unknown:
        raise SystemExit(1)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the differences as one JSON object.")
@click.pass_context
def verify(ctx, as_json) -> None:
    """Check that the search index can be read and agrees with the archive (exit status 1 if not).

    Reads every part of the index a search reads (checking the checksums recorded as it was
    written) and says what is damaged; lists articles whose statements are missing from the index
    and index entries whose articles are gone.  `parley reindex` repairs all of these.
    """
    with open_store(ctx) as store:
        result = search_backend(ctx).verify(store)
    if as_json:
        click.echo(json.dumps({"ok": result.ok, "missing": result.missing, "stale": result.stale, "no_index": result.no_index, "damaged": result.damaged}))
    elif result.ok:
        click.echo("the index agrees with the archive")
    else:
        if result.no_index:
            click.echo("there is no search index yet")
        for problem in result.damaged:
            click.echo(f"damaged: {problem}")
        for article_id in result.missing:
            click.echo(f"missing from the index: article {article_id}")
        for article_id in result.stale:
            click.echo(f"in the index but not in the archive: article {article_id}")
        click.echo("run 'parley reindex' to repair", err=True)
    if not result.ok:
        raise SystemExit(1)


@cli.command()
@click.argument("query", required=False, default="")
@click.option("--speaker", multiple=True, help="Only these speakers (repeat for several: any of them).")
@click.option("--kind", multiple=True, help="Only these kinds of statement (statement, warning, denial…).")
@click.option("--place", multiple=True, help="Only statements about or made in these places.")
@click.option("--topic", multiple=True, help="Only these topics (ceasefire, negotiations…).")
@click.option("--source", multiple=True, help="Only articles from these sources.")
@click.option("--from", "date_from", type=DateType(), help="Statements dated on or after this day.")
@click.option("--to", "date_to", type=DateType(), help="Statements dated on or before this day.")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance", show_default=True)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--per-page", type=click.IntRange(1, 100), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON instead of a table.")
@click.pass_context
def search(ctx, query, speaker, kind, place, topic, source, date_from, date_to, sort, page, per_page, as_json) -> None:
    """Search statements: who said what, when and where.

    QUERY uses the search syntax: words, "phrases", "words near"~3, AND / OR / NOT, and fields
    such as speaker:peskov kind:clarification place:paris topic:ceasefire date:2025-04.
    """
    from index.query import QuerySyntaxError
    from index.request import SearchError, SearchRequest
    from web.serialize import page_as_dict

    filters = {"speaker": speaker, "kind": kind, "place": place, "topic": topic, "source": source}
    open_store(ctx).close()  # a mistyped --home says so, rather than finding nothing
    try:
        request = SearchRequest(
            query, filters=filters, facets=("speaker", "kind", "place", "topic"), sort=sort, page=page,
            per_page=per_page, date_from=date_from, date_to=date_to,
        )
        result = search_backend(ctx).search(request)
    except QuerySyntaxError as error:
        raise click.UsageError(f"{error.message}\n{error.pointer()}") from None
    except (SearchError, StoreError) as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(page_as_dict(result), ensure_ascii=False))
        return
    _print_page(result)


def _print_page(result) -> None:
    """A table a terminal shows whole: date, speaker, kind, and the quote clipped to the width left."""
    width = shutil.get_terminal_size((100, 20)).columns
    names = ", ".join(f"{n.label} ({n.facet})" for n in result.names)
    click.echo(plural(result.total, "statement") + (f" · did you mean: {names or result.suggestion}" if names or result.suggestion else ""))
    for notice in result.notices:
        click.secho(f"note: {notice}", fg="yellow", err=True)
    if not result.hits:
        return
    rows = []
    for hit in result.hits:
        s = hit.statement
        rows.append((when(s.date, hit.published).removesuffix(" (published)"), s.speaker.name if s.speaker else "unknown speaker", s.kind, " ".join(s.quote.split())))
    date_w = min(22, max(4, *(len(r[0]) for r in rows)))
    who_w = min(28, max(7, *(len(r[1]) for r in rows)))
    kind_w = max(4, *(len(r[2]) for r in rows))

    def clip(text: str, room: int) -> str:
        return text if len(text) <= room else text[: max(1, room - 1)] + "…"

    head = f"{'date':<{date_w}}  {'speaker':<{who_w}}  {'kind':<{kind_w}}  "
    room = max(20, width - len(head))
    click.secho(head + "quote", bold=True)
    for day, who, kind, quote in rows:
        click.echo(f"{clip(day, date_w):<{date_w}}  {clip(who, who_w):<{who_w}}  {kind:<{kind_w}}  {clip(quote, room)}")
    if result.total > result.page * result.per_page:
        click.echo(f"page {result.page} of {result.pages} (--page N for more)")


@cli.command("extract")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per article per line (the shape in docs: 'extract contract').")
@click.option("--published", type=DateType(), help="Publication date for articles that have none (resolves relative dates).")
@click.option("--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES, show_default=True, help="Reject files larger than this.")
@click.option("--follow-links", is_flag=True, help="Follow symbolic links that lead out of the folders given.")
def extract_command(paths, as_json, published, max_bytes, follow_links) -> None:
    """Show what Parley finds in articles, without adding them to the archive.

    Reads PATHS like `parley ingest` and prints, per article, its statements (speaker, kind,
    quote), places, dates and topics.  With --json, prints one JSON object per line in the
    extraction contract (offsets are Python string indices into article.text).
    """
    from archive.extract.pipeline import extract_or_keep

    failed = 0
    for result in read_inputs(paths, max_bytes, follow_links):
        if isinstance(result, ReadError):
            failed += 1
            click.secho(f"rejected {printable(result.source)}: {printable(result.reason)}", fg="yellow", err=True)
            continue
        for problem in result.problems:
            click.secho(f"skipped part of {printable(result.source)}: {printable(problem)}", fg="yellow", err=True)
        for note in result.warnings:
            click.secho(f"warning {printable(result.source)}: {printable(note)}", fg="yellow", err=True)
        for article in result.articles:
            if published and article.published is None:
                article = article.with_metadata(published=published)
            extraction, failure = extract_or_keep(article)
            if failure:
                click.secho(f"warning {printable(result.source)}: {printable(failure)}", fg="yellow", err=True)
            if as_json:
                click.echo(json.dumps(extraction.as_dict(), ensure_ascii=False))
            else:
                _print_extraction(extraction)
    if failed and not as_json:
        click.echo(f"{failed} input(s) rejected", err=True)


def _print_extraction(extraction) -> None:
    article = extraction.article
    click.secho(article.title or article.path or article.id, bold=True)
    click.echo(f"  published {article.published or 'unknown'} · source {article.source or 'unknown'} · id {article.id}")
    for s in extraction.statements:
        who = s.speaker.name if s.speaker else "(unknown speaker)"
        quote = s.quote if len(s.quote) < 100 else s.quote[:99] + "…"
        mark = "“”" if s.direct else "  "
        click.echo(f"  {who} [{s.kind}] {mark[0]}{quote}{mark[1]}")
    if extraction.places:
        click.echo("  places: " + ", ".join(dict.fromkeys(p.name for p in extraction.places)))
    if extraction.dates:
        click.echo("  dates: " + ", ".join(f"{d.text} = {d.value or '?'}" for d in extraction.dates))
    if extraction.topics:
        click.echo("  topics: " + ", ".join(extraction.topics))


@cli.command()
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


from cli import sources  # noqa: E402 - the collector's commands (sources, fetch, watch), in their own module

for _command in sources.COMMANDS:
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="parley")

