"""Security headers on every route's every kind of answer: pages, API, errors, static files, 304, 405, 413.

Every rule in ``app.url_map`` is requested with a real argument (200) and a made-up one (404 where
the route looks things up), with GET, HEAD and OPTIONS; each answer must carry a CSP without inline
scripts or styles, ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` and a
``Referrer-Policy``.  HTML pages must not need inline scripts or event handlers (the CSP would block them).
"""

from __future__ import annotations

import re

import pytest

from archive.store import Store
from index import writing

REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin", "no-referrer-when-downgrade", "origin"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from index_corpus import extractions

    from web import create_app

    home = tmp_path_factory.mktemp("headers") / "home"
    with Store(home) as store:
        store.add_batch(extractions())
        writing.update(home, store, store.article_ids())
    return create_app({"PARLEY_HOME": str(home), "PARLEY_CACHE_SETTLE": 0})  # validators at once


@pytest.fixture(scope="module")
def samples(app) -> dict[str, list[str]]:
    """Real and made-up values for every URL argument name."""
    client = app.test_client()
    hit = client.get("/api/v1/search?q=kind:clarification").get_json()["data"]["hits"][0]
    static = sorted(p.name for p in __import__("pathlib").Path(app.static_folder).iterdir())
    return {
        "filename": [static[0], "no-such-file.css", "../../setup.cfg"],
        "statement_id": [hit["id"], "nope-1"],
        "article_id": [hit["article_id"], "nope"],
        "name": ["Dmitry Peskov", "ceasefire", "kind", "Kyiv", "Nobody At All"],
        "kind": ["speakers", "places", "topics"],
    }


def urls(app, samples) -> list[str]:
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.arguments:
            found.append(rule.rule)
            continue
        (argument,) = rule.arguments
        for value in samples[argument]:
            found.append(re.sub(r"<[^>]+>", value.replace(" ", "%20"), rule.rule))
    return found + ["/no/such/page", "/api/v1/no-such-endpoint", "/search?q=%22unclosed", "/api/v1/search?page=0", "/static/"]


def check_headers(url: str, response) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert csp, f"{url} ({response.status_code}): no Content-Security-Policy"
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, f"{url}: {csp}"
    assert "'unsafe-inline'" not in directives.get("style-src", directives.get("default-src", [])), f"{url}: {csp}"
    assert directives.get("frame-ancestors") == ["'none'"], f"{url}: {csp}"
    assert headers.get("X-Content-Type-Options") == "nosniff", url
    assert headers.get("X-Frame-Options") == "DENY", url
    assert headers.get("Referrer-Policy") in REFERRER_POLICIES, url


def test_every_route_and_error_carries_the_security_headers(app, samples):
    client = app.test_client()
    statuses = set()
    for url in urls(app, samples):
        for method in ("GET", "HEAD", "OPTIONS"):
            response = client.open(url, method=method)
            statuses.add(response.status_code)
            check_headers(f"{method} {url}", response)
            response.close()
    assert {200, 400, 404} <= statuses


def test_other_error_answers_carry_the_headers(app):
    client = app.test_client()
    answers = {
        "405": client.post("/api/v1/search"),
        "405 page": client.delete("/"),
        "413": client.post("/search", data=b"x" * (2 * 1024 * 1024)),
    }
    first = client.get("/api/v1/stats")
    assert first.headers.get("ETag"), "the archive has settled: a 200 carries its validator"
    answers["304"] = client.get("/api/v1/stats", headers={"If-None-Match": first.headers["ETag"]})
    assert answers["304"].status_code == 304
    for name, response in answers.items():
        check_headers(name, response)
        response.close()


def test_pages_need_no_inline_script_or_event_handler(app, samples):
    client = app.test_client()
    for url in urls(app, samples):
        response = client.get(url)
        if response.mimetype != "text/html":
            response.close()
            continue
        page = response.get_data(as_text=True)
        inline = [tag for tag in re.findall(r"<script\b[^>]*>", page, re.IGNORECASE) if "src=" not in tag]
        handlers = re.findall(r"<[^>]+\son[a-z]+\s*=", page, re.IGNORECASE)
        styles = re.findall(r"<[^>]+\sstyle\s*=", page, re.IGNORECASE) + re.findall(r"<style\b", page, re.IGNORECASE)
        assert not inline and not handlers, f"{url}: inline scripts {inline[:2]} or handlers {handlers[:2]}"
        assert not styles, f"{url}: inline styles (blocked by style-src 'self') {styles[:2]}"


def test_static_files_cannot_escape_the_static_folder(app):
    client = app.test_client()
    for url in ("/static/../setup.cfg", "/static/%2e%2e/setup.cfg", "/static/..%2fsetup.cfg", "/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd"):
        response = client.get(url)
        assert response.status_code in (400, 404), url
        assert b"[metadata]" not in response.data and b"root:" not in response.data
        check_headers(url, response)
        response.close()
