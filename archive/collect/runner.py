"""Runs sources: list their items, fetch each new item's page, and store it as ingest would.

Per item: the page is fetched (politely, see ``http.py``) and read with the HTML reader; the feed's
own content stands in when the page cannot be fetched or read, or has less text.  The article's
identity is its canonical URL (the page's ``<link rel="canonical">``, else the URL after redirects,
tracking parameters dropped): a URL already stored is an update of that article, never a second
one.  Articles are extracted with the same pipeline as ``parley ingest`` and written with the same
store calls; the ids of what was stored go to ``index`` in batches (the caller's indexer).

Threads: sources run in a small pool (requests to one host still go one at a time); everything that
touches the SQLite connection holds one lock, while fetching and extraction run outside it.
A stop request (``client.stop``) is checked between items: the item in hand is finished first.

Its length is one fetch loop with its per-item steps and error handling, which read best in order; the protocol, listing, identity and state live in their own modules.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC
from urllib.parse import urlsplit

from archive.collect.http import FetchError, PoliteClient, Response, Stopped
from archive.collect.identity import UrlError, canonical_url, host_of
from archive.collect.listing import Item, Listing, ListingError, read_listing
from archive.collect.state import MAX_ATTEMPTS, CollectState, Known, Source
from archive.collect.versions import align
from archive.model import Article, Extraction
from archive.readers.base import ReadError
from archive.readers.html import HtmlReader

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})
ACCEPT_PAGE = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
ACCEPT_LISTING = "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,text/plain;q=0.8,*/*;q=0.5"
_HTML = HtmlReader()


@dataclass
class ItemProblem:
    url: str
    reason: str


@dataclass
class RunReport:
    """What one run of one source did."""

    source: Source
    kind: str | None = None
    listed: int = 0
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    duplicates: int = 0  # items that named an article already listed in this run (tracking parameters…)
    left: int = 0  # items left for the next run (over max_items)
    from_feed: int = 0  # stored from the feed's content, the page being unusable
    problems: list[ItemProblem] = field(default_factory=list)
    not_modified: bool = False
    error: str | None = None
    stopped: bool = False
    seconds: float = 0.0

    def line(self) -> str:
        """One line for the terminal."""
        head = f"{self.source.label}: "
        if self.error:
            return head + f"failed: {self.error}"
        if self.not_modified:
            return head + f"not modified ({self.seconds:.1f} s)"
        parts = [f"{len(self.new)} new", f"{len(self.updated)} updated", f"{self.unchanged} unchanged"]
        if self.duplicates:
            parts.append(f"{self.duplicates} duplicate links")
        if self.problems:
            parts.append(f"{len(self.problems)} failed")
        if self.left:
            parts.append(f"{self.left} left for the next run")
        tail = " (stopped)" if self.stopped else ""
        return head + ", ".join(parts) + f" of {self.listed} listed ({self.seconds:.1f} s){tail}"


class Collector:
    """Collects from sources into a store.  ``index`` hears batches of stored ids (after commit)."""

    def __init__(
        self,
        store,
        client: PoliteClient,
        *,
        index: Callable[[list[str]], None] | None = None,
        on_stored: Callable[[str, str], None] | None = None,
        on_item: Callable[[str], None] | None = None,
        max_items: int = 200,
        index_every: int = 50,
        workers: int = 4,
    ) -> None:
        self.store = store
        self.client = client
        self.state = CollectState(store.db)
        self.lock = threading.RLock()
        self.index = index
        self.on_stored = on_stored
        self.on_item = on_item
        self.max_items = max_items
        self.index_every = index_every
        self.workers = workers
        self._pending: list[str] = []
        self.index_problem: str | None = None  # the last failure to index stored articles

    @property
    def stop(self) -> threading.Event:
        return self.client.stop

    # --- scheduling ---------------------------------------------------------------------------

    def run(self, sources: list[Source], on_report: Callable[[RunReport], None] | None = None) -> list[RunReport]:
        """Run each source once (several at a time); reports in the order the runs finish."""
        reports: list[RunReport] = []
        self.catch_up_index()

        def one(source: Source) -> None:
            if self.stop.is_set():
                return
            report = self.run_source(source)
            with self.lock:
                reports.append(report)
                if on_report:
                    on_report(report)

        with ThreadPoolExecutor(max_workers=max(1, min(self.workers, len(sources) or 1)), thread_name_prefix="parley-collect") as pool:
            for future in [pool.submit(one, s) for s in sources]:
                future.result()
        self.flush_index()
        return reports

    def watch(self, sources: Callable[[], list[Source]], on_report: Callable[[RunReport], None] | None = None, longest_sleep: float = 30.0) -> None:
        """Run due sources, sleep until the next is due, again, until ``stop`` is set.
        ``sources`` is asked again each round (sources added meanwhile, sources.toml edited)."""
        while not self.stop.is_set():
            with self.lock:
                current = sources()
            due = [s for s in current if s.due()]
            if due:
                self.run(due, on_report)
                continue
            upcoming = [s.next_run for s in current if s.next_run]
            wait = longest_sleep
            if upcoming:
                from datetime import datetime

                wait = min(wait, max(0.2, (datetime.fromisoformat(min(upcoming)) - datetime.now(UTC)).total_seconds()))
            self.stop.wait(wait)

    # --- one source ---------------------------------------------------------------------------

    def run_source(self, source: Source) -> RunReport:
        report = RunReport(source)
        started = time.monotonic()
        try:
            listings = self._listings(source, report)
        except (FetchError, ListingError) as error:
            report.error = error.reason if isinstance(error, FetchError) else str(error)
        except Stopped:
            report.stopped = True
        except Exception as error:  # noqa: BLE001 - a bug or odd input in one source must not stop the others
            report.error = f"{type(error).__name__}: {error}"
        else:
            self._items(source, listings, report)
        self.flush_index()
        report.seconds = time.monotonic() - started
        if not report.stopped:
            with self.lock:
                title = next((listing.title for _, listing, _ in listings if listing and listing.title), None) if report.error is None else None
                self.state.source_ran(source, error=report.error, kind=report.kind, title=title)
        return report

    def _listings(self, source: Source, report: RunReport) -> list[tuple[str, Listing | None, Response | None]]:
        """The source document (and, for a sitemap index, its children): (url, listing or None if 304, response)."""
        max_bytes = self.client.politeness.max_decoded
        top = self._fetch_listing(source.url)
        if top is None:
            report.not_modified = True
            return []
        listing = read_listing(top.body, top.url, max_bytes)
        report.kind = listing.kind
        found: list[tuple[str, Listing | None, Response | None]] = [(source.url, listing, top)]
        for child_url in listing.sitemaps:
            if self.stop.is_set():
                break
            try:
                child = self._fetch_listing(child_url)
                child_listing = read_listing(child.body, child.url, max_bytes) if child else None
            except (FetchError, ListingError) as error:
                report.problems.append(ItemProblem(child_url, f"child sitemap: {error.reason if isinstance(error, FetchError) else error}"))
                continue
            if child_listing is not None and child_listing.sitemaps:
                report.problems.append(ItemProblem(child_url, "a sitemap index inside a sitemap index: not followed"))
            found.append((child_url, child_listing, child))
        return found

    def _fetch_listing(self, url: str) -> Response | None:
        with self.lock:
            etag, last_modified = self.state.validators(url)
        response = self.client.get(url, etag=etag, last_modified=last_modified, accept=ACCEPT_LISTING)
        return None if response.not_modified else response

    def _items(self, source: Source, listings: list[tuple[str, Listing | None, Response | None]], report: RunReport) -> None:
        seen: set[str] = set()
        budget = self.max_items
        for url, listing, response in listings:
            if listing is None:
                continue
            for reason in listing.problems:
                report.problems.append(ItemProblem(url, reason))
            report.listed += len(listing.items)
            complete = True
            problems_before = len(report.problems)
            for position, item in enumerate(listing.items):
                if self.stop.is_set():
                    report.stopped = True
                    return
                if budget <= 0:
                    report.left += len(listing.items) - position
                    complete = False
                    break
                fetched = self._item(source, listing, item, seen, report)
                budget -= fetched
            failed = len(report.problems) > problems_before
            # Validators are kept only once every item of this document was handled, so that a run cut
            # short (stopped, killed, over max_items, items failing) reads the document in full next time.
            if complete and not failed and response is not None:
                with self.lock:
                    self.state.document_fetched(url, response.etag, response.last_modified, response.sha256)

    # --- one item -----------------------------------------------------------------------------

    def _item(self, source: Source, listing: Listing, item: Item, seen: set[str], report: RunReport) -> int:
        """Handle one listed item; returns how many pages it fetched (0 or 1)."""
        try:
            url = canonical_url(item.url)
        except UrlError as error:
            report.problems.append(ItemProblem(item.url[:300], str(error)))
            return 0
        if url in seen:
            report.duplicates += 1
            return 0
        seen.add(url)
        fingerprint = item.fingerprint
        with self.lock:
            if not self.state.item_needs_fetch(source.id, url, fingerprint):
                report.unchanged += 1
                return 0
            previous = self._known_for_item(url)
        if self.on_item:
            self.on_item(url)
        try:
            self._fetch_and_store(source, listing, item, url, fingerprint, previous, report)
        except Stopped:
            report.stopped = True
        except _ItemFailed as failed:
            report.problems.append(ItemProblem(url, failed.reason))
            with self.lock:
                self.state.item_failed(url, source.id, fingerprint, failed.reason)
        except Exception as error:  # noqa: BLE001 - one bad page must not stop the run
            reason = f"{type(error).__name__}: {error}"
            report.problems.append(ItemProblem(url, reason))
            with self.lock:
                self.state.item_failed(url, source.id, fingerprint, reason)
        return 1

    def _known_for_item(self, url: str) -> Known | None:
        return self.state.known(self.state.canonical_of_item(url) or url)

    def _fetch_and_store(self, source: Source, listing: Listing, item: Item, url: str, fingerprint: str, previous: Known | None, report: RunReport) -> None:
        page, response, page_problem = self._page(url, previous)
        if response is not None and response.not_modified:
            with self.lock:
                self.state.item_done(url, source.id, fingerprint, previous.canonical if previous else url)
            report.unchanged += 1
            return
        feed_text = item.text.strip()
        if page is not None and len(page.text) >= len(feed_text):
            base, from_feed = page, False
        elif feed_text:
            base, from_feed = None, True
        else:
            raise _ItemFailed(page_problem or "the page has no article text and the source gives none")
        canonical = url
        if response is not None:
            canonical = _canonical_of(page.url if page else None, response.url) or url
        article = Article(
            text=base.text if base else feed_text,
            title=(base.title if base else None) or item.title,
            published=(base.published if base else None) or item.published,
            source=source.name or (base.source if base else None) or listing.title or host_of(url),
            url=canonical,
            author=(base.author if base else None) or item.author,
            language=(base.language if base else None) or item.language or source.lang,
        )
        from archive.extract.pipeline import extract_or_keep  # here, not at import: other commands never extract

        extraction, _failure = extract_or_keep(article)
        fetched_at = response.fetched_at if response is not None else _now()
        with self.lock:
            known = self.state.known(canonical) or (previous if previous and previous.canonical == canonical else None)
            stored_id, change = self._store(extraction, known, keep_source=bool(known and known.source_id not in (None, source.id)))
            if change == "same" and known and known.source_id not in (None, source.id):
                # another source's article, unchanged: it stays theirs (its provenance and fetch time)
                self.state.item_done(url, source.id, fingerprint, canonical)
                report.unchanged += 1
                return
            self.state.record_article(
                canonical,
                stored_id,
                source,
                extraction.article.source,
                version=(known.version + (change == "updated")) if known else 1,
                body_sha256=response.sha256 if response is not None else None,
                fetched_at=fetched_at,
                etag=response.etag if response is not None else None,
                last_modified=response.last_modified if response is not None else None,
                from_feed=from_feed,
                item=(url, fingerprint),
            )
            if change == "new":
                report.new.append(stored_id)
            elif change == "updated":
                report.updated.append(stored_id)
            else:
                report.unchanged += 1
            report.from_feed += from_feed and change != "same"
            if change != "same":
                self._pending.append(stored_id)
                if len(self._pending) >= self.index_every:
                    self.flush_index()
        if change != "same" and self.on_stored:
            self.on_stored(stored_id, canonical)
        if from_feed and page_problem and change != "same":
            report.problems.append(ItemProblem(url, f"stored from the feed's content: {page_problem}"))

    def _page(self, url: str, previous: Known | None) -> tuple[Article | None, Response | None, str | None]:
        """The page read as an article, the response, and why the page gave nothing (when it did not)."""
        try:
            response = self.client.get(
                url,
                etag=previous.etag if previous else None,
                last_modified=previous.last_modified if previous else None,
                accept=ACCEPT_PAGE,
            )
        except FetchError as error:
            return None, None, error.reason
        if response.not_modified:
            return None, response, None
        kind = response.content_type.split(";")[0].strip().lower()
        if kind not in HTML_TYPES:
            return None, response, f"not an HTML page (Content-Type {kind})"
        try:
            result = _HTML.read(response.body, response.url)
        except ReadError as error:
            return None, response, error.reason
        except RecursionError:
            return None, response, "the page is nested too deeply to read"
        return (result.articles[0] if result.articles else None), response, None

    def _store(self, extraction: Extraction, known: Known | None, *, keep_source: bool = False) -> tuple[str, str]:
        """Write one article; returns its id and "new", "updated" or "same".  ``keep_source``: the article
        came first from another source, whose name it keeps (two feeds must not rename it back and forth)."""
        article = extraction.article
        stored = self.store.get(known.article_id) if known else None
        if stored is None:
            outcome = self.store.add_batch([extraction])
            return article.id, ("new" if outcome.added else "same")
        old = stored.article
        if keep_source:
            article = replace(article, source=old.source)
        if (old.text, old.title, old.published, old.source, old.author) == (article.text, article.title, article.published, article.source, article.author):
            return old.id, "same"
        statements, mapping = align(stored.statements, extraction.statements)
        self.state.keep_version(
            old.id,
            known.version,
            {"title": old.title, "published": old.published.isoformat() if old.published else None, "source": old.source, "text": old.text},
            known.body_sha256,
            None,
            mapping,
        )
        self.store.replace_extraction(replace(extraction, article=replace(article, id=old.id), statements=statements))
        return old.id, "updated"

    # --- index --------------------------------------------------------------------------------

    def flush_index(self) -> None:
        with self.lock:
            if not self._pending:
                return
            ids, self._pending = list(dict.fromkeys(self._pending)), []
            if self.index:
                try:
                    self.index(ids)
                except Exception as error:  # noqa: BLE001 - stored is stored: the store lists them unindexed for the next run
                    self.index_problem = f"could not index {len(ids)} stored article(s), the next run tries again: {type(error).__name__}: {error}"

    def catch_up_index(self) -> None:
        """Index what an earlier run stored but did not get to index (it was killed, or the index failed):
        the store lists every article written since the index took it in, a new version included."""
        with self.lock:
            missing = self.store.unindexed()
            if missing:
                self._pending.extend(missing)
        self.flush_index()


class _ItemFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _canonical_of(declared: str | None, final_url: str) -> str | None:
    """The page's declared canonical URL (resolved against where it was fetched), else the final URL.

    A canonical link to the site's home page from an article is a template mistake, not identity
    (trusting it would make every article of the site one): it is ignored.
    """
    for candidate in (declared, final_url):
        if candidate:
            try:
                found = canonical_url(candidate, base=final_url)
            except UrlError:
                continue
            if candidate is declared and urlsplit(found).path == "/" and urlsplit(final_url).path not in ("", "/"):
                continue
            return found
    return None


def _now() -> str:
    from archive.collect.state import now_iso

    return now_iso()


__all__ = ["Collector", "RunReport", "ItemProblem", "MAX_ATTEMPTS"]
