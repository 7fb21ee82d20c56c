"""The polite client against real servers on 127.0.0.1: each misbehaviour gets a clear error, fast."""

from __future__ import annotations

import gzip
import threading
import time
import zlib

import brotli
import pytest
from collect_server import Site, static

from archive.collect.http import FetchError, PoliteClient, Politeness, retry_after

LOOPBACK = "http://127.0.0.1:"


def fast(**changes) -> Politeness:
    """Test settings: no politeness delay, short timeouts, quick retries, loopback only."""
    settings = {
        "min_delay": 0.0,
        "backoff": 0.01,
        "connect_timeout": 2.0,
        "read_timeout": 0.5,
        "total_timeout": 2.0,
        "max_wait": 2.0,
        "allow": lambda url: url.startswith(LOOPBACK),
    }
    settings.update(changes)
    return Politeness(**settings)


@pytest.fixture
def site():
    with Site() as s:
        yield s


def test_user_agent_names_parley_and_contact(site):
    site.text("/x", "hello")
    with PoliteClient(fast(contact="https://example.org/who")) as client:
        client.get(site.url("/x"))
    agent = site.requests[-1].headers["user-agent"]
    assert agent.startswith("Parley/") and "+https://example.org/who" in agent
    assert "br" in site.requests[-1].headers["accept-encoding"]


def test_conditional_get_gives_304_with_no_body(site):
    site.routes["/feed"] = static(b"<rss/>", "application/rss+xml", etag='"abc"')
    with PoliteClient(fast()) as client:
        first = client.get(site.url("/feed"))
        second = client.get(site.url("/feed"), etag=first.etag)
    assert first.status == 200 and first.etag == '"abc"'
    assert second.not_modified and second.body == b""
    assert site.requests[-1].headers["if-none-match"] == '"abc"'


def test_robots_disallow_is_honoured_and_read_once(site):
    site.text("/robots.txt", "User-agent: *\nDisallow: /\n\nUser-agent: Parley\nDisallow: /private\nAllow: /private/open\n")
    site.text("/private/secret", "no")
    site.text("/private/open/a", "yes")
    with PoliteClient(fast()) as client:
        with pytest.raises(FetchError, match="robots.txt"):
            client.get(site.url("/private/secret"))
        assert client.get(site.url("/private/open/a")).body == b"yes"
    assert site.hits("/private/secret") == 0
    assert site.hits("/robots.txt") == 1


def test_crawl_delay_spaces_requests_to_one_host(site):
    site.text("/robots.txt", "User-agent: *\nCrawl-delay: 0.3\n")
    site.text("/a", "a")
    with PoliteClient(fast()) as client:
        for _ in range(3):
            client.get(site.url("/a"))
    times = [r.at for r in site.requests if r.path == "/a"]
    assert all(b - a >= 0.28 for a, b in zip(times, times[1:])), times


def test_one_request_at_a_time_per_host(site):
    site.delay = 0.1
    site.text("/a", "a")
    with PoliteClient(fast()) as client:
        threads = [threading.Thread(target=client.get, args=(site.url("/a"),)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    times = sorted(r.at for r in site.requests if r.path == "/a")
    assert len(times) == 4 and all(b - a >= 0.09 for a, b in zip(times, times[1:])), times


def test_unreachable_robots_keeps_the_host_off_limits(site):
    site.routes["/robots.txt"] = lambda r: (503, {}, b"busy")
    site.text("/a", "a")
    with PoliteClient(fast(retries=1)) as client, pytest.raises(FetchError, match="robots.txt could not be read"):
        client.get(site.url("/a"))
    assert site.hits("/a") == 0


def test_429_with_retry_after_is_waited_out_then_succeeds(site):
    calls = []

    def flaky(request):
        calls.append(time.monotonic())
        return (429, {"Retry-After": "1"}, b"slow down") if len(calls) == 1 else (200, {"Content-Type": "text/plain"}, b"ok")

    site.routes["/a"] = flaky
    with PoliteClient(fast()) as client:
        assert client.get(site.url("/a")).body == b"ok"
    assert calls[1] - calls[0] >= 0.95


def test_retry_after_longer_than_max_wait_fails_now(site):
    site.routes["/a"] = lambda r: (429, {"Retry-After": "3600"}, b"")
    with PoliteClient(fast()) as client, pytest.raises(FetchError, match="Retry-After"):
        client.get(site.url("/a"))
    assert site.hits("/a") == 1


def test_500s_are_retried_with_backoff_then_reported(site):
    site.routes["/a"] = lambda r: (500, {}, b"oops")
    with PoliteClient(fast(retries=2)) as client, pytest.raises(FetchError, match=r"HTTP 500 \(after 3 attempts\)"):
        client.get(site.url("/a"))
    assert site.hits("/a") == 3


def test_404_is_not_retried(site):
    with PoliteClient(fast()) as client, pytest.raises(FetchError, match="HTTP 404"):
        client.get(site.url("/missing"))
    assert site.hits("/missing") == 1


def test_slow_response_times_out_and_is_retried(site):
    def slow(handler):
        time.sleep(1.0)
        try:
            handler.send_response(200)
            handler.send_header("Content-Length", "2")
            handler.end_headers()
            handler.wfile.write(b"ok")
        except OSError:
            pass

    site.raw["/slow"] = slow
    with PoliteClient(fast(read_timeout=0.2, retries=1)) as client, pytest.raises(FetchError, match="timed out"):
        client.get(site.url("/slow"))
    assert site.hits("/slow") == 2


def test_redirects_are_followed_and_loops_detected(site):
    site.routes["/old"] = lambda r: (301, {"Location": "/new"}, b"")
    site.text("/new", "here")
    site.routes["/loop1"] = lambda r: (302, {"Location": "/loop2"}, b"")
    site.routes["/loop2"] = lambda r: (302, {"Location": site.url("/loop1")}, b"")
    for n in range(10):
        site.routes[f"/hop{n}"] = (lambda k: lambda r: (302, {"Location": f"/hop{k + 1}"}, b""))(n)
    with PoliteClient(fast(max_redirects=5)) as client:
        moved = client.get(site.url("/old"))
        assert moved.body == b"here" and moved.url == site.url("/new") and moved.redirects == (site.url("/new"),)
        with pytest.raises(FetchError, match="redirect loop"):
            client.get(site.url("/loop1"))
        with pytest.raises(FetchError, match="more than 5 redirects"):
            client.get(site.url("/hop0"))


def test_redirect_off_loopback_is_never_requested(site):
    site.routes["/away"] = lambda r: (302, {"Location": "http://example.com/"}, b"")
    with PoliteClient(fast()) as client, pytest.raises(FetchError, match="may request"):
        client.get(site.url("/away"))


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
def test_compressed_bodies_are_decoded(site, coding):
    body = b"<p>news</p>" * 1000
    packed = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}[coding](body)
    site.routes["/c"] = lambda r: (200, {"Content-Type": "text/html", "Content-Encoding": coding}, packed)
    with PoliteClient(fast()) as client:
        assert client.get(site.url("/c")).body == body


@pytest.mark.parametrize("coding", ["gzip", "br"])
def test_compression_bomb_is_refused(site, coding):
    bomb = {"gzip": gzip.compress, "br": brotli.compress}[coding](b"\0" * (20 * 1024 * 1024))
    assert len(bomb) < 100_000
    site.routes["/bomb"] = lambda r: (200, {"Content-Type": "text/html", "Content-Encoding": coding}, bomb)
    with PoliteClient(fast(max_decoded=1024 * 1024)) as client, pytest.raises(FetchError, match="compression bomb"):
        client.get(site.url("/bomb"))


def test_body_over_the_cap_is_refused(site):
    site.routes["/big"] = lambda r: (200, {"Content-Type": "text/html"}, b"x" * 300_000)
    with PoliteClient(fast(max_body=100_000)) as client, pytest.raises(FetchError, match="over the 100,000-byte limit"):
        client.get(site.url("/big"))


def test_endless_body_is_cut_by_size_or_time(site):
    stop = threading.Event()

    def endless(handler, pause=0.0):
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            handler.end_headers()
            while not stop.is_set():
                handler.wfile.write(b"<p>more</p>" * 100)
                if pause:
                    time.sleep(pause)
        except OSError:
            pass

    site.raw["/fast"] = endless
    site.raw["/trickle"] = lambda h: endless(h, 0.05)
    try:
        with PoliteClient(fast(max_body=2_000_000)) as client:
            with pytest.raises(FetchError, match="byte limit"):
                client.get(site.url("/fast"))
        with PoliteClient(fast(max_body=50_000_000, total_timeout=0.5)) as client:
            started = time.monotonic()
            with pytest.raises(FetchError, match="still arriving"):
                client.get(site.url("/trickle"))
            assert time.monotonic() - started < 3
    finally:
        stop.set()


def test_retry_after_parses_seconds_and_dates():
    assert retry_after("120") == 120.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait
    assert retry_after("soon") is None and retry_after(None) is None
