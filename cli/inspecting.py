"""Commands that read the archive or an article: stats, verify, search, extract."""

from __future__ import annotations

import json
import shutil

import click

from archive.model import CONFIDENCE_BANDS
from archive.names import printable
from archive.readers import DEFAULT_MAX_BYTES, ReadError, read_inputs
from archive.store import StoreError
from cli.common import DateType, open_store, search_backend
from web.formatting import plural, when


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (for scripts).")
@click.option("--rejected", "show_rejected", type=click.IntRange(min=0), default=5, show_default=True, help="How many recent rejections to list.")
@click.pass_context
def stats(ctx, as_json, show_rejected) -> None:
    """Counts of articles, statements, speakers and rejected inputs in the archive."""
    with open_store(ctx) as store:
        numbers = store.stats()
        rejections = store.rejections(show_rejected)
    advice = search_backend(ctx).advice()
    if as_json:
        numbers["recent_rejections"] = [r.__dict__ for r in rejections]
        numbers["advice"] = advice
        click.echo(json.dumps(numbers, ensure_ascii=False))
        return
    click.echo(f"archive     {printable(numbers['path'])}")
    for key in ("articles", "statements", "speakers", "sources", "rejected"):
        click.echo(f"{key:<11} {numbers[key]:,}")
    if numbers["earliest"]:
        click.echo(f"published   {numbers['earliest']} to {numbers['latest']}")
    for r in rejections:
        click.echo(f"  rejected {printable(r.source)}: {printable(r.reason)}")
    for note in advice:
        click.echo(f"note: {note}")


@click.command()
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


@click.command()
@click.argument("query", required=False, default="")
@click.option("--speaker", multiple=True, help="Only these speakers (repeat for several: any of them).")
@click.option("--kind", multiple=True, help="Only these kinds of statement (statement, warning, denial…).")
@click.option("--place", multiple=True, help="Only statements about or made in these places.")
@click.option("--topic", multiple=True, help="Only these topics (ceasefire, negotiations…).")
@click.option("--source", multiple=True, help="Only articles from these sources.")
@click.option("--confidence", multiple=True, type=click.Choice(CONFIDENCE_BANDS), help="Only attributions of these confidence bands (high: 0.8 or more).")
@click.option("--from", "date_from", type=DateType(), help="Statements dated on or after this day.")
@click.option("--to", "date_to", type=DateType(), help="Statements dated on or before this day.")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance", show_default=True)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--per-page", type=click.IntRange(1, 100), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON instead of a table.")
@click.pass_context
def search(ctx, query, speaker, kind, place, topic, source, confidence, date_from, date_to, sort, page, per_page, as_json) -> None:
    """Search statements: who said what, when and where.

    QUERY uses the search syntax: words, "phrases", "words near"~3, AND / OR / NOT, and fields
    such as speaker:peskov kind:clarification place:paris topic:ceasefire date:2025-04.
    """
    from index.errors import IndexUnavailable, SearchTimeout
    from index.query import QuerySyntaxError
    from index.request import SearchError, SearchRequest
    from web.serialize import page_as_dict

    filters = {"speaker": speaker, "kind": kind, "place": place, "topic": topic, "source": source, "confidence": confidence}
    open_store(ctx).close()  # a mistyped --home says so, rather than finding nothing
    try:
        request = SearchRequest(
            query,
            filters=filters,
            facets=("speaker", "kind", "place", "topic"),
            sort=sort,
            page=page,
            per_page=per_page,
            date_from=date_from,
            date_to=date_to,
        )
        result = search_backend(ctx).search(request)
    except QuerySyntaxError as error:
        raise click.UsageError(f"{error.message}\n{error.pointer()}") from None
    except (SearchError, SearchTimeout, IndexUnavailable, StoreError) as error:
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
        rows.append(
            (when(s.date, hit.published).removesuffix(" (published)"), s.speaker.name if s.speaker else "unknown speaker", s.kind, " ".join(s.quote.split()))
        )
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


@click.command("extract")
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
