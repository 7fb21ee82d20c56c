"""robots.txt, read once per host (kept ``robots_ttl`` seconds) and honoured for the agent ``Parley``.

Parsed with Protego (the parser Scrapy maintains): Google's rules (longest match wins, ``*`` and
``$`` wildcards), which the standard library's ``urllib.robotparser`` does not follow (it takes the
first matching line).  What an unreadable robots.txt means follows Google's documented behaviour:

- 2xx: its rules; ``Crawl-delay`` for our agent (or ``*``) stretches the host's minimum delay;
- 4xx (none there, or forbidden to read): no restrictions;
- 5xx, a timeout or a failed connection: the whole host is off limits until the next try
  (``RETRY_UNREACHABLE`` seconds), since the site may be telling us it is overloaded.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

from archive.collect.identity import host_of

if TYPE_CHECKING:
    from archive.collect.http import PoliteClient

AGENT = "Parley"
MAX_ROBOTS_BYTES = 512 * 1024  # Google reads the first 500 KiB
RETRY_UNREACHABLE = 300.0


class _Rules:
    def __init__(self, parser: Protego | None, expires: float, unreachable: str | None = None) -> None:
        self.parser = parser
        self.expires = expires
        self.unreachable = unreachable  # why the host is off limits for now

    def refusal(self, url: str) -> str | None:
        """Why ``url`` may not be fetched, or None."""
        if self.unreachable:
            return f"robots.txt could not be read ({self.unreachable}): the site is left alone until it can"
        if self.parser is not None and not self.parser.can_fetch(url, AGENT):
            return "disallowed by the site's robots.txt for Parley"
        return None


class Robots:
    def __init__(self, client: PoliteClient) -> None:
        self.client = client
        self._rules: dict[str, _Rules] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def refusal(self, url: str) -> str | None:
        """Why robots.txt forbids ``url``, or None when it may be fetched."""
        return self.rules(url).refusal(url)

    def rules(self, url: str) -> _Rules:
        host = host_of(url)
        with self._lock:
            lock = self._locks.setdefault(host, threading.Lock())
        with lock:  # one robots.txt request per host, however many threads ask at once
            rules = self._rules.get(host)
            if rules is None or rules.expires < time.monotonic():
                rules = self._rules[host] = self._load(url)
            return rules

    def _load(self, url: str) -> _Rules:
        from archive.collect.http import FetchError

        parts = urlsplit(url)
        robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
        ttl = self.client.politeness.robots_ttl
        try:
            response = self.client.get(robots_url, robots=False, accept="text/plain")
        except FetchError as error:
            if error.status is not None and 400 <= error.status < 500:
                return _Rules(None, time.monotonic() + ttl)
            return _Rules(None, time.monotonic() + min(ttl, RETRY_UNREACHABLE), error.reason)
        text = response.body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
        parser = Protego.parse(text)
        delay = parser.crawl_delay(AGENT)
        if delay is not None:
            host = self.client.host(url)
            host.delay = min(float(delay), self.client.politeness.max_crawl_delay)
        return _Rules(parser, time.monotonic() + ttl)
