"""``parley sources``, ``parley fetch`` and ``parley watch`` as a user runs them, against loopback servers;
and ``parley watch`` killed with SIGKILL, or stopped with SIGTERM, in the middle of a run."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from collect_server import Site, article_html, rss, static, story
from test_crash import only_when_selected, parley, verify

PROJECT = Path(__file__).resolve().parents[1]
PARLEY = [sys.executable, "-m", "cli"]
FAST = ("--min-delay", "0")


@pytest.fixture
def site():
    with Site() as s:
        s.text("/robots.txt", "User-agent: *\nAllow: /\n")
        yield s


def publish(site: Site, count: int, path: str = "/feed.xml", title: str = "The Wire") -> None:
    items = []
    for i in range(count):
        site.page(f"/a{i}", article_html(f"Story {i}", story(i)))
        items.append({"title": f"Story {i}", "link": site.url(f"/a{i}?utm_source=rss"), "description": f"Summary {i}."})
    site.routes[path] = static(rss(title, items).encode(), "application/rss+xml", etag=f'"{count}"')


def test_sources_add_list_fetch_remove(site, home):
    publish(site, 3)
    added = parley(home, "sources", "add", site.url("/feed.xml"), "--name", "Wire", "--every", "2h", "--lang", "en", *FAST)
    assert added.returncode == 0 and "added source 1" in added.stdout and "feed, 3 entries" in added.stdout
    fetched = parley(home, "fetch", *FAST)
    assert fetched.returncode == 0 and "Wire: 3 new, 0 updated" in fetched.stdout
    assert "no source is due" in parley(home, "fetch", *FAST).stdout
    listed = parley(home, "sources", "list", "--json")
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["name"] == "Wire" and row["every"] == 7200 and row["failures"] == 0 and row["last_success"] and row["items_seen"] == 3 and row["articles"] == 3
    human = parley(home, "sources", "list").stdout
    assert "every 2h" in human and "3 items seen" in human and "ok" in human
    assert verify(home)[0] == 0
    removed = parley(home, "sources", "remove", "Wire")
    assert removed.returncode == 0 and "no sources yet" in parley(home, "sources", "list").stdout
    assert parley(home, "stats", "--json").stdout.count('"articles": 3') == 1  # its articles stay


def test_sources_add_of_a_home_page_finds_its_feeds(site, home):
    publish(site, 1, "/rss.xml")
    site.page("/", '<html><head><link rel="alternate" type="application/rss+xml" title="Top" href="/rss.xml"></head><body><p>Home</p></body></html>')
    site.page("/plain", "<html><head><title>No feeds</title></head><body><p>Hello</p></body></html>")
    found = parley(home, "sources", "add", site.url("/"), *FAST)
    assert found.returncode == 0 and f"added source 1: {site.url('/rss.xml')} (Top, found on" in found.stdout
    none = parley(home, "sources", "add", site.url("/plain"), *FAST)
    assert none.returncode == 1 and "announces no feed" in none.stderr
    down = parley(home, "sources", "add", site.url("/nowhere"), *FAST)
    assert down.returncode == 1 and "HTTP 404" in down.stderr and "--no-check" in down.stderr
    assert parley(home, "sources", "add", "ftp://127.0.0.1/x").returncode == 2


def test_failing_source_shows_its_error_in_the_list(site, home):
    site.routes["/feed.xml"] = static(b"<rss><channel><title>x</title><item><title>cut", "application/rss+xml")
    assert parley(home, "sources", "add", site.url("/feed.xml"), "--no-check").returncode == 0
    ran = parley(home, "fetch", *FAST)
    assert ran.returncode == 0 and "failed: feed is truncated or malformed" in ran.stdout
    listing = parley(home, "sources", "list").stdout
    assert "failing (1x)" in listing and "last error" in listing and "truncated" in listing


def test_sources_toml_is_a_source_list_too(site, home):
    publish(site, 2)
    home.mkdir(parents=True)
    (home / "sources.toml").write_text(
        f'[[source]]\nurl = "{site.url("/feed.xml")}"\nname = "From file"\nevery = "1h"\n\n[[source]]\nurl = "nope"\n', encoding="utf-8"
    )
    listed = parley(home, "sources", "list")
    assert "From file" in listed.stdout and "from sources.toml" in listed.stdout and "skipped" in listed.stderr
    refused = parley(home, "sources", "remove", "From file")
    assert refused.returncode == 1 and "sources.toml" in refused.stderr
    assert "From file: 2 new" in parley(home, "fetch", *FAST).stdout
    (home / "sources.toml").write_text("", encoding="utf-8")
    assert "no sources yet" in parley(home, "sources", "list").stdout


def _watch(home: Path, *extra: str) -> tuple[subprocess.Popen, list[str], threading.Event, threading.Thread]:
    proc = subprocess.Popen([*PARLEY, "--home", str(home), "watch", "-v", *FAST, *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=PROJECT)
    lines: list[str] = []
    changed = threading.Event()

    def read() -> None:
        for raw in proc.stderr:  # type: ignore[union-attr]
            lines.append(raw.decode("utf-8", "replace"))
            changed.set()
        changed.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return proc, lines, changed, reader


def _stored(lines: list[str]) -> list[tuple[str, str]]:
    return [(line.split()[1], line.split()[2]) for line in lines if line.startswith("stored ") and len(line.split()) == 3]


def _wait_for(lines: list[str], changed: threading.Event, count: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while len(_stored(lines)) < count and time.monotonic() < deadline:
        changed.wait(0.5)
        changed.clear()


def kill_watch(site: Site, home: Path, total: int, seed: int) -> dict:
    """``parley watch`` killed after a random number of stored articles; then ``parley fetch`` finishes the job."""
    rng = random.Random(seed)
    assert parley(home, "sources", "add", site.url("/feed.xml"), "--no-check").returncode == 0
    proc, lines, changed, reader = _watch(home, "--workers", "1")
    _wait_for(lines, changed, rng.randint(1, total // 2))
    time.sleep(rng.uniform(0, 0.1))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    reader.join(timeout=10)
    proc.stdout.close()  # type: ignore[union-attr]
    proc.stderr.close()  # type: ignore[union-attr]
    killed_at = time.monotonic()
    reported = _stored(lines)
    from archive.store import Store

    with Store(home) as store:
        kept = store.article_ids()
    assert reported and {i for i, _ in reported} <= kept, "an article reported as stored is missing"
    again = parley(home, "fetch", "-v", *FAST)
    assert again.returncode == 0, again.stderr[-2000:]
    with Store(home) as store:
        assert store.stats()["articles"] == total, "stored twice or not at all"
        canonical = [r[0] for r in store.db.execute("SELECT canonical FROM collect_articles")]
    assert len(canonical) == len(set(canonical)) == total
    refetched = {r.path.split("?")[0] for r in site.requests if r.at > killed_at and r.path.startswith("/a")}
    done_before = {url.rsplit("/", 1)[1] for _, url in reported}
    assert not refetched & {f"/{name}" for name in done_before}, "pages stored before the kill were fetched again"
    assert verify(home)[0] == 0  # what was stored but not indexed at the kill is indexed by the next run
    return {"reported": len(reported), "refetched": len(refetched)}


def test_killed_watch_loses_nothing_duplicates_nothing_and_resumes(site, home):
    site.delay = 0.03
    publish(site, 12)
    result = kill_watch(site, home, 12, seed=5)
    assert result["reported"] + result["refetched"] >= 12


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(10))
def test_ten_killed_watches(request, tmp_path, seed):
    only_when_selected(request.config)
    with Site(delay=0.02) as site:
        site.text("/robots.txt", "")
        publish(site, 40)
        kill_watch(site, tmp_path / "home", 40, seed=100 + seed)


def test_sigterm_finishes_the_current_article_and_exits_cleanly(site, home):
    site.delay = 0.05
    publish(site, 30)
    assert parley(home, "sources", "add", site.url("/feed.xml"), "--no-check").returncode == 0
    proc, lines, changed, reader = _watch(home, "--workers", "1")
    _wait_for(lines, changed, 2)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    reader.join(timeout=10)
    out = proc.stdout.read()  # type: ignore[union-attr]
    proc.stdout.close()  # type: ignore[union-attr]
    proc.stderr.close()  # type: ignore[union-attr]
    assert proc.returncode == 0, "".join(lines)[-2000:]
    assert any("stopping after the current article" in line for line in lines) and lines[-1].strip() == "stopped", lines[-5:]
    assert "(stopped)" in out.decode()
    from archive.store import Store

    with Store(home) as store:
        assert {i for i, _ in _stored(lines)} <= store.article_ids()
        assert 2 <= store.stats()["articles"] < 30
    assert verify(home)[0] == 0  # stored articles were indexed before exiting
