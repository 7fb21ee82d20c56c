"""Commands that change the archive: ingest, delete, reindex."""

from __future__ import annotations

import json
import sys
import time

import click

from archive.ingest import Defaults, IngestReport, ingest, reextract
from archive.names import printable
from archive.readers import DEFAULT_MAX_BYTES
from cli.common import DateType, open_store, search_backend
from index.backend import finish_pending
from index.errors import IndexerGone
from web.formatting import plural


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--strict", is_flag=True, help="Stop at the first input that cannot be read (exit status 1).")
@click.option("--published", type=DateType(), help="Publication date for articles that have none.")
@click.option("--source", help="Source name (e.g. 'Reuters') for articles that have none.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES, show_default=True, help="Reject files larger than this.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@click.option("-v", "--verbose", is_flag=True, help="Print each article's id as soon as it is committed.")
@click.option("--follow-links", is_flag=True, help="Follow symbolic links that lead out of the folders given.")
@click.option("--procs", type=click.IntRange(1, 8), default=None, help="Processes that read and extract  [default: every core from 50 inputs up, else 1]")
@click.pass_context
def ingest_command(ctx, paths, strict, published, source, max_bytes, as_json, verbose, follow_links, procs) -> None:
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
        progress, finish = _progress()
        feeder = search_backend(ctx).feeder(store)
        inputs = [0, 0]  # listed, read

        def on_start(count: int) -> None:
            inputs[0] = count
            if progress:
                progress.total = count

        def on_input(name: str) -> None:
            inputs[1] += 1
            feeder.inputs_left(inputs[0] - inputs[1])
            if progress:
                progress(name)

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
                procs=procs,
                on_start=on_start,
            )
            feeder.flush()
        except IndexerGone as error:
            raise click.ClickException(str(error)) from None
        finally:
            finish()
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        _print_report(report)
        for note in search_backend(ctx).advice():
            click.secho(f"note: {note}", fg="cyan", err=True)
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
    return Progress(), lambda: click.echo("\r\033[K", nl=False, err=True)


class Progress:
    """The progress line: how many inputs are done of how many, the rate, and the time left."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self.started = clock()
        self.seen = 0
        self.total: int | None = None  # known once the inputs are listed

    def __call__(self, name: str) -> None:
        click.echo(f"\r\033[K{self.line(name)}", nl=False, err=True)

    def line(self, name: str) -> str:
        """The line after one more input, ``name``."""
        self.seen += 1
        shown = printable(name)
        shown = shown if len(shown) < 60 else "…" + shown[-59:]
        if not self.total:
            return f"[{self.seen:,}] {shown}"
        elapsed = self.clock() - self.started
        rate = self.seen / elapsed if elapsed > 0 else 0.0
        left = f", {_duration((self.total - self.seen) / rate)} left" if rate and self.seen >= 10 else ""
        return f"[{self.seen:,}/{self.total:,} · {rate:,.0f}/s{left}] {shown}"


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02} min"


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


@click.command()
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
    click.echo(
        f"indexed {report.statements:,} statements of {report.articles:,} articles in {report.seconds:.1f} s ({report.procs} process{'es' if report.procs > 1 else ''})"
    )


@click.command()
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
