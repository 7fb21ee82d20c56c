"""The polite HTTP client every collector request goes through.

Rules it keeps, for every host (``host:port``):

- **one request at a time**, and at least ``min_delay`` seconds (or the site's robots.txt
  ``Crawl-delay``, up to ``max_crawl_delay``) between the end of one and the start of the next;
- **robots.txt** is read first and honoured for the ``Parley`` agent (see ``robots.py``);
- a **user agent** that names Parley and a contact URL;
- **conditional GET**: the caller's ETag / Last-Modified go out, and a 304 costs one empty response;
- **gzip, deflate and br** bodies are decoded here, in bounded steps, so a small body that inflates
  past ``max_decoded`` bytes (a "zip bomb") is refused after at most ``max_decoded`` bytes of work;
- bodies over ``max_body`` bytes on the wire, or still arriving after ``total_timeout`` seconds
  (a server trickling an endless body), are refused; connect and read each have their own timeout;
- **redirects** are followed up to ``max_redirects``, and a redirect back to a URL already visited
  in this chain is a loop, reported as such;
- **429, 5xx, timeouts and dropped connections are retried** up to ``retries`` times, waiting
  ``backoff * 2**attempt`` seconds with jitter (0.5x to 1.5x), or what ``Retry-After`` asks; a
  ``Retry-After`` longer than ``max_wait`` is not waited out in the run: the request fails and the
  source's next run tries again.
"""

from __future__ import annotations

import email.utils
import hashlib
import random
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata
from urllib.parse import urljoin

import brotli

from archive.collect.identity import host_of

REDIRECTS = frozenset({301, 302, 303, 307, 308})
ACCEPT_ENCODING = "gzip, deflate, br"


def _version() -> str:
    try:
        return metadata.version("parley")
    except metadata.PackageNotFoundError:
        return "0"


DEFAULT_CONTACT = "https://github.com/search?q=parley+news+archive"


@dataclass(frozen=True)
class Politeness:
    """How the collector behaves towards the sites it reads.  Tests shrink the delays."""

    contact: str = DEFAULT_CONTACT
    min_delay: float = 1.0
    max_crawl_delay: float = 60.0
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 120.0
    max_body: int = 20 * 1024 * 1024
    max_decoded: int = 50 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 3
    backoff: float = 1.0
    max_wait: float = 300.0
    robots_ttl: float = 3600.0
    # Which URLs may be requested at all (tests: loopback only).  None: any http(s) URL.
    allow: Callable[[str], bool] | None = None

    @property
    def user_agent(self) -> str:
        return f"Parley/{_version()} (news archive; +{self.contact})"


class FetchError(Exception):
    """A request that gave no usable document; ``reason`` says why, ``transient`` whether a retry may help."""

    def __init__(self, url: str, reason: str, *, transient: bool = False, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.transient = transient
        self.status = status
        self.retry_after = retry_after

    def __str__(self) -> str:
        return f"{self.url}: {self.reason}"  # the reason may be completed after raising (attempts made)


class Stopped(Exception):
    """The run was asked to stop while this request waited."""


@dataclass(frozen=True)
class Response:
    """One fetched document: ``body`` decoded from its content coding; empty for a 304."""

    url: str  # after redirects
    status: int
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None
    fetched_at: str
    redirects: tuple[str, ...] = ()
    location: str | None = None  # where a 3xx points

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def sha256(self) -> str:
        """The body's hash: the same document hashes the same whatever coding it travelled in."""
        return hashlib.sha256(self.body).hexdigest()


@dataclass
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)
    ready_at: float = 0.0  # monotonic time before which no request may start
    delay: float | None = None  # from robots.txt; None until read


class PoliteClient:
    """Thread-safe: requests to different hosts run in parallel, to one host one after another."""

    def __init__(self, politeness: Politeness | None = None, *, stop: threading.Event | None = None) -> None:
        import httpx  # here, not at the top: a tenth of a second, and every parley command imports this module

        from archive.collect.robots import Robots

        self.politeness = politeness or Politeness()
        self.stop = stop or threading.Event()
        p = self.politeness
        self.http = httpx.Client(
            timeout=httpx.Timeout(connect=p.connect_timeout, read=p.read_timeout, write=p.read_timeout, pool=None),
            follow_redirects=False,
            trust_env=False,  # proxies and netrc from the environment are not ours to use
            headers={"User-Agent": p.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        )
        self.robots = Robots(self)
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self.requests = 0  # every request sent (robots.txt included), for reports and tests

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def host(self, url: str) -> _Host:
        key = host_of(url)
        with self._hosts_lock:
            return self._hosts.setdefault(key, _Host())

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None, accept: str | None = None, robots: bool = True) -> Response:
        """GET ``url`` politely, following redirects; raises FetchError (or Stopped)."""
        headers = {"Accept": accept or "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        chain = [url]
        current = url
        while True:
            self._check_allowed(current)
            refusal = self.robots.refusal(current) if robots else None
            if refusal:
                raise FetchError(current, refusal)
            response = self._with_retries(current, headers)
            if response.status not in REDIRECTS:
                return replace(response, redirects=tuple(chain[1:]))
            target = urljoin(current, response.location or "")
            if target in chain:
                raise FetchError(url, f"redirect loop: {' -> '.join(chain[chain.index(target) :])} -> {target}")
            if len(chain) > self.politeness.max_redirects:
                raise FetchError(url, f"more than {self.politeness.max_redirects} redirects (last to {target})")
            chain.append(target)
            current = target

    def _check_allowed(self, url: str) -> None:
        if not url.lower().startswith(("http://", "https://")):
            raise FetchError(url, "not an http(s) URL")
        if self.politeness.allow is not None and not self.politeness.allow(url):
            raise FetchError(url, "not an address this collector may request")

    def _with_retries(self, url: str, headers: dict[str, str]) -> Response:
        p = self.politeness
        for attempt in range(p.retries + 1):
            try:
                return self._once(url, headers)
            except FetchError as error:
                if not error.transient or attempt == p.retries:
                    if error.transient and attempt:
                        error.reason += f" (after {attempt + 1} attempts)"
                    raise
                wait = error.retry_after if error.retry_after is not None else p.backoff * 2**attempt * (0.5 + random.random())
                if wait > p.max_wait:
                    error.reason += f"; asked to wait {wait:.0f} s (Retry-After), so the next run tries again"
                    raise
                if self.stop.wait(wait):
                    raise Stopped(url) from None
        raise AssertionError("unreachable")

    def _once(self, url: str, headers: dict[str, str]) -> Response:
        host = self.host(url)
        with host.lock:
            pause = host.ready_at - time.monotonic()
            if pause > 0 and self.stop.wait(pause):
                raise Stopped(url)
            try:
                return self._request(url, headers)
            finally:
                delay = self.politeness.min_delay if host.delay is None else max(self.politeness.min_delay, host.delay)
                host.ready_at = time.monotonic() + delay

    def _request(self, url: str, headers: dict[str, str]) -> Response:
        import httpx

        p = self.politeness
        self.requests += 1
        started = time.monotonic()
        fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            with self.http.stream("GET", url, headers=headers) as r:
                status = r.status_code
                if status in REDIRECTS:
                    location = r.headers.get("location")
                    if not location:
                        raise FetchError(url, f"HTTP {status} redirect without a Location header")
                    return Response(url, status, b"", "", None, None, fetched_at, location=location)
                if status == 429 or status >= 500:
                    raise FetchError(url, f"HTTP {status}", transient=True, status=status, retry_after=retry_after(r.headers.get("retry-after")))
                if status == 304:
                    return Response(url, 304, b"", r.headers.get("content-type", ""), r.headers.get("etag"), r.headers.get("last-modified"), fetched_at)
                if status >= 400 or status < 200:
                    raise FetchError(url, f"HTTP {status}", status=status)
                declared = r.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > p.max_body:
                    raise FetchError(url, f"body of {int(declared):,} bytes is over the {p.max_body:,}-byte limit")
                decoder = _decoder(url, r.headers.get("content-encoding", ""), p.max_decoded)
                wire = 0
                for chunk in r.iter_raw():
                    wire += len(chunk)
                    if wire > p.max_body:
                        raise FetchError(url, f"body over the {p.max_body:,}-byte limit")
                    if time.monotonic() - started > p.total_timeout:
                        raise FetchError(url, f"body still arriving after {p.total_timeout:g} s: given up", transient=False)
                    decoder.feed(chunk)
                body = decoder.finish()
                return Response(url, status, body, r.headers.get("content-type", ""), r.headers.get("etag"), r.headers.get("last-modified"), fetched_at)
        except httpx.TimeoutException as error:
            raise FetchError(url, f"timed out ({type(error).__name__})", transient=True) from None
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as error:
            raise FetchError(url, f"connection failed: {error or type(error).__name__}", transient=True) from None
        except httpx.HTTPError as error:
            raise FetchError(url, f"request failed: {type(error).__name__}: {error}") from None


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class _Decoder:
    """A content coding undone in bounded steps: never more than ``limit`` bytes of output in all."""

    def __init__(self, url: str, limit: int) -> None:
        self.url = url
        self.limit = limit
        self.out = bytearray()

    def feed(self, data: bytes) -> None:
        self._add(data)

    def finish(self) -> bytes:
        return bytes(self.out)

    def _add(self, data: bytes) -> None:
        if len(self.out) + len(data) > self.limit:
            raise FetchError(self.url, f"decoded body over the {self.limit:,}-byte limit (a compression bomb?)")
        self.out += data

    def room(self) -> int:
        return self.limit - len(self.out) + 1  # one byte more than allowed: getting it proves the overflow


class _Zlib(_Decoder):
    def __init__(self, url: str, limit: int, wbits: int) -> None:
        super().__init__(url, limit)
        self.wbits = wbits
        self.z = zlib.decompressobj(wbits)
        self.started = False

    def feed(self, data: bytes) -> None:
        try:
            self._inflate(data)
        except zlib.error as error:
            if self.wbits == zlib.MAX_WBITS and not self.started:
                # "deflate" should be zlib-wrapped, but some servers send raw deflate
                self.wbits, self.z = -zlib.MAX_WBITS, zlib.decompressobj(-zlib.MAX_WBITS)
                self._inflate(data)
                return
            raise FetchError(self.url, f"corrupt compressed body: {error}") from None

    def _inflate(self, data: bytes) -> None:
        self._add(self.z.decompress(data, self.room()))
        self.started = True
        while self.z.unconsumed_tail:
            self._add(self.z.decompress(self.z.unconsumed_tail, self.room()))

    def finish(self) -> bytes:
        try:
            self._add(self.z.flush())
        except zlib.error as error:
            raise FetchError(self.url, f"corrupt compressed body: {error}") from None
        return bytes(self.out)


class _Brotli(_Decoder):
    def __init__(self, url: str, limit: int) -> None:
        super().__init__(url, limit)
        self.b = brotli.Decompressor()

    def feed(self, data: bytes) -> None:
        try:
            self._add(self.b.process(data, output_buffer_limit=self.room()))
            while not self.b.can_accept_more_data():
                self._add(self.b.process(b"", output_buffer_limit=self.room()))
        except brotli.error as error:
            raise FetchError(self.url, f"corrupt brotli body: {error}") from None


def _decoder(url: str, coding: str, limit: int) -> _Decoder:
    codings = [c.strip().lower() for c in coding.split(",") if c.strip() and c.strip().lower() != "identity"]
    if not codings:
        return _Decoder(url, limit)
    if len(codings) > 1:
        raise FetchError(url, f"stacked content codings {coding!r} are not accepted")
    kind = codings[0]
    if kind in ("gzip", "x-gzip"):
        return _Zlib(url, limit, 16 + zlib.MAX_WBITS)
    if kind == "deflate":
        return _Zlib(url, limit, zlib.MAX_WBITS)
    if kind == "br":
        return _Brotli(url, limit)
    raise FetchError(url, f"unsupported Content-Encoding {coding!r}")
