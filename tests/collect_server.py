"""A real HTTP server for the collector's tests: a thread on 127.0.0.1, routes set per test, every request logged.

A route is a function of the request (``Request``) returning ``(status, headers, body)``, or a
function taking the raw handler to write odd responses itself (trickled or endless bodies).
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = tuple[int, dict[str, str], bytes]


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    at: float


class Site:
    """One server: ``site.routes[path] = handler``; ``site.url(path)``; ``site.requests`` in arrival order."""

    def __init__(self, delay: float = 0.0) -> None:
        self.routes: dict[str, Callable[..., Any]] = {}
        self.raw: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {}
        self.requests: list[Request] = []
        self.delay = delay  # seconds before each answer: a far-away server
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
                with site.lock:
                    site.requests.append(request)
                if site.delay:
                    time.sleep(site.delay)
                path = self.path.split("?")[0]
                if path in site.raw:
                    site.raw[path](self)
                    return
                handler = site.routes.get(self.path) or site.routes.get(path)
                status, headers, body = handler(request) if handler else (404, {"Content-Type": "text/plain"}, b"not here")
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    if "Content-Length" not in headers:
                        self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> Site:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    # --- common answers ---------------------------------------------------------------------------

    def page(self, path: str, html: str, *, etag: str | None = None, content_type: str = "text/html; charset=utf-8") -> None:
        self.routes[path] = static(html.encode("utf-8"), content_type, etag=etag)

    def text(self, path: str, text: str, content_type: str = "text/plain") -> None:
        self.routes[path] = static(text.encode("utf-8"), content_type)


def static(
    body: bytes, content_type: str, *, etag: str | None = None, last_modified: float | None = None, compress: bool = False
) -> Callable[[Request], Answer]:
    """A document that answers 304 to a matching If-None-Match (when it has an ETag)."""

    def answer(request: Request) -> Answer:
        headers = {"Content-Type": content_type}
        if etag:
            headers["ETag"] = etag
            if request.headers.get("if-none-match") == etag:
                return 304, {"ETag": etag}, b""
        if last_modified is not None:
            headers["Last-Modified"] = formatdate(last_modified, usegmt=True)
        data = body
        if compress and "gzip" in request.headers.get("accept-encoding", ""):
            data = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        return 200, headers, data

    return answer


def article_html(title: str, body: str, *, canonical: str | None = None, published: str = "2025-04-22") -> str:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    return (
        f"<!doctype html><html lang=en><head><title>{title}</title>{link}"
        f'<meta property="article:published_time" content="{published}T10:00:00Z"></head>'
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    )


def rss(title: str, items: list[dict[str, str]]) -> str:
    """An RSS 2.0 feed; each item a dict of link, title and optional description/pubDate/guid."""
    parts = []
    for item in items:
        fields = "".join(f"<{k}>{_escape(v)}</{k}>" for k, v in item.items())
        parts.append(f"<item>{fields}</item>")
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{_escape(title)}</title><link>http://127.0.0.1/</link>{"".join(parts)}</channel></rss>'


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def story(n: int, topic: str = "the ceasefire talks") -> str:
    """A news body with two attributed statements, distinct per ``n``."""
    return (
        f"Officials met in Geneva on Monday to discuss {topic}, round {n}.\n\n"
        f'"We are ready to continue the talks number {n}," Dmitry Peskov told reporters in Moscow.\n\n'
        f"Ukraine's foreign minister said the negotiations number {n} would resume next week.\n\n"
        f"The meeting followed weeks of diplomatic contacts between the delegations about item {n}."
    )
