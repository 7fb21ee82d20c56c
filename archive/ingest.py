"""A batch ingest: read inputs, extract, and keep the articles in the store, one transaction per input.

Bad inputs never stop the batch (unless ``strict``): each is reported with why and kept in the
store's quarantine table; every good article is added.  What the report lists as added is committed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from archive.extract.pipeline import extract_or_keep
from archive.names import storable
from archive.readers import DEFAULT_MAX_BYTES, ReadError, iter_sources, read_path
from archive.store import Store


@dataclass
class Problem:
    source: str
    reason: str


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # kept, but not everything could be done
    statements: int = 0
    inputs: int = 0
    stopped: Problem | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "inputs": self.inputs,
            "added": len(self.added),
            "duplicates": len(self.duplicates),
            "statements": self.statements,
            "rejected": [{"source": p.source, "reason": p.reason} for p in self.rejected],
            "warnings": [{"source": p.source, "reason": p.reason} for p in self.warnings],
            "added_ids": self.added,
            "stopped": {"source": self.stopped.source, "reason": self.stopped.reason} if self.stopped else None,
        }


@dataclass(frozen=True)
class Defaults:
    """Metadata to fill in where an article lacks it."""

    published: date | None = None
    source: str | None = None


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    store: Store,
    *,
    strict: bool = False,
    defaults: Defaults = Defaults(),
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_input: Callable[[str], None] | None = None,
    on_added: Callable[[list[str]], None] | None = None,
    follow_links: bool = False,
) -> IngestReport:
    """Ingest every input; ``on_added`` hears the ids of each committed step (to update an index)."""
    report = IngestReport()
    sources = list(iter_sources(paths, follow_links))
    for source in sources:
        name = source.source if isinstance(source, ReadError) else source
        report.inputs += 1
        if on_input:
            on_input(name)
        if isinstance(source, ReadError):
            problem = _reject(store, report, source.source, source.reason)
        else:
            problem = _ingest_one(source, store, report, defaults, max_bytes, on_added)
        if problem and strict:
            report.stopped = problem
            break
    return report


def _ingest_one(source, store, report, defaults, max_bytes, on_added) -> Problem | None:
    try:
        result = read_path(source, max_bytes)
    except ReadError as error:
        return _reject(store, report, error.source, error.reason)
    articles = [_fill(article, defaults) for article in result.articles]
    extractions = []
    failures = []
    for article in articles:
        extraction, failure = extract_or_keep(article)
        extractions.append(extraction)
        if failure:
            failures.append(f"article {article.id} ({article.title or 'untitled'}): {failure}")
    outcome = store.add_batch(extractions)
    report.added += outcome.added
    report.duplicates += outcome.duplicates
    report.statements += sum(len(e.statements) for e in extractions if e.article.id in set(outcome.added))
    if on_added and outcome.added:
        on_added(outcome.added)
    first_problem = None
    for reason in result.problems:
        # A file that gave articles was kept: its bad parts are warnings (quarantined all the same, and
        # fatal under --strict); a file that gave nothing is rejected.
        problem = _reject(store, report, source, reason, kept=bool(articles))
        first_problem = first_problem or problem
    for note in result.warnings + failures:
        report.warnings.append(Problem(storable(source), note))
    return first_problem


def _reject(store: Store, report: IngestReport, source: str, reason: str, kept: bool = False) -> Problem:
    problem = Problem(storable(source), storable(reason))
    (report.warnings if kept else report.rejected).append(problem)
    data = None
    if source != "-" and os.path.isfile(source):
        try:
            with open(source, "rb") as handle:
                data = handle.read(DEFAULT_MAX_BYTES)
        except OSError:
            data = None
    store.quarantine(source, reason, data)
    return problem


def _fill(article, defaults: Defaults):
    changes = {}
    if article.published is None and defaults.published is not None:
        changes["published"] = defaults.published
    if not article.source and defaults.source:
        changes["source"] = defaults.source
    return article.with_metadata(**changes) if changes else article


def reextract(store: Store, on_article: Callable[[str], None] | None = None) -> list[Problem]:
    """Run today's extractors again over every stored article text (after an upgrade or a fix).

    Each article is replaced in its own transaction; failures keep the article with nothing
    extracted and are returned.  The index must be rebuilt afterwards.
    """
    problems = []
    for article_id in sorted(store.article_ids()):
        stored = store.get(article_id)
        if stored is None:
            continue
        extraction, failure = extract_or_keep(stored.article)
        store.replace_extraction(extraction)
        if failure:
            problems.append(Problem(stored.article.path or article_id, failure))
        if on_article:
            on_article(article_id)
    return problems
