"""The site in a real browser: Playwright driving Debian's headless Chromium against `parley serve`.

Skipped with the reason when Playwright or Chromium is missing (`.ci/run` installs both).
Screenshots of the main pages go to test-output/screenshots/.
"""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import PROJECT, served
from index_corpus import extractions

from archive.model import Article, Extraction, Speaker, Statement
from archive.store import Store
from index import writing

CHROMIUM = os.environ.get("PARLEY_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = PROJECT / "test-output" / "screenshots"
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'

REQUIRED = os.environ.get("PARLEY_REQUIRE_BROWSER") == "1"  # set by .ci/run: there, a missing browser is a failure
if REQUIRED:
    assert CHROMIUM is not None, "PARLEY_REQUIRE_BROWSER=1 but no chromium on PATH"
    import playwright.sync_api as playwright_api
else:
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium); .ci/run installs it")


def hostile() -> Extraction:
    text = f"Officials in Kyiv said {XSS} ceasefire talks would resume next week."
    quote = f"{XSS} ceasefire talks would resume next week"
    start = text.index(quote)
    statement = Statement(
        quote=quote, start=start, end=start + len(quote), direct=False,
        speaker=Speaker(name=f"Officials {XSS}", type="group", role=XSS), kind="statement", places=("Kyiv",), topics=("negotiations",),
    )
    return Extraction(Article(text=text, title=f"Hostile {XSS}", source=f"Wire {XSS}", url="javascript:alert(1)"), (statement,))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    home = tmp_path_factory.mktemp("browser-home")
    with Store(home) as store:
        store.add_batch(extractions() + [hostile()])
        writing.update(home, store, store.article_ids())
    with served(home) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.dialogs = []
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    yield tab
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_search_facets_dates_statement_article_speaker(site, page):
    page.goto(site + "/")
    shot(page, "home")
    page.fill("input[name=q]", "ceasefire")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/search?q=ceasefire*")
    assert page.locator("li.hit").count() == 4
    shot(page, "search")
    speakers = page.locator("section.facet[data-facet=speaker] a")
    page.click("section.facet[data-facet=speaker] a:text-is('Jean-Noël Barrot')")
    assert page.locator("li.hit").count() == 1
    page.click("section.facet[data-facet=speaker] a:text-is('Volodymyr Zelenskyy')")  # a second value: OR within a facet
    assert page.locator("li.hit").count() == 2
    assert page.locator("section.facet[data-facet=speaker] li.selected").count() == 2
    assert speakers.count() >= 3  # drill sideways: the other speakers are still offered
    page.locator("svg.histogram a").last.click()  # narrow to the latest month
    assert "from=2025-04-01" in page.url and "to=2025-04-30" in page.url
    assert page.locator("li.hit").count() == 2
    page.locator("li.hit blockquote a.permalink").first.click()
    page.wait_for_url("**/statements/**")
    shot(page, "statement")
    page.click("text=Read it in the article")
    page.wait_for_url("**/articles/**#s-*")
    anchor = page.url.rsplit("#", 1)[1]
    assert page.locator(f"mark#{anchor}").is_visible()
    assert page.evaluate(f"document.querySelector('mark#{anchor}').matches(':target')")
    shot(page, "article")
    page.goto(site + "/speakers")
    shot(page, "speakers")
    page.click("ol.listing a:text-is('Dmitry Peskov')")
    page.wait_for_url("**/speakers/**")
    assert page.locator("h1").inner_text() == "Dmitry Peskov"
    assert "clarification" in page.locator("section.facet[data-facet=kind]").inner_text()
    shot(page, "speaker")


def test_hostile_article_text_executes_nothing(site, page):
    page.goto(site + "/search?q=ceasefire+talks+resume")
    page.wait_for_load_state("load")
    hits = page.locator("li.hit")
    assert hits.count() >= 1
    page.locator("li.hit blockquote a.permalink").first.click()
    page.wait_for_url("**/statements/**")
    assert "<script>window.__xss=2</script>" in page.locator("blockquote").inner_text()  # shown as text
    assert page.evaluate("window.__xss === undefined")
    page.click("text=Read it in the article")
    page.wait_for_url("**/articles/**")
    assert page.evaluate("window.__xss === undefined")
    assert page.locator("a[href^='javascript:']").count() == 0  # a javascript: URL is never made a link
    for path in ("/", "/search?q=officials", "/speakers", "/places/Kyiv", "/topics/negotiations", "/search?q=%3Cscript%3Ewindow.__xss%3D3%3C%2Fscript%3E"):
        page.goto(site + path)
        assert page.evaluate("window.__xss === undefined"), path
    assert page.dialogs == []


def test_facet_typeahead_within_the_search(site, page):
    page.goto(site + "/search?facet_limit=3")
    box = page.locator("form.facet-find[data-facet=speaker] input")
    box.fill("zel")
    suggestion = page.locator("form.facet-find[data-facet=speaker] ul.suggestions a")
    suggestion.first.wait_for()
    assert suggestion.all_inner_texts() == ["Volodymyr Zelenskyy"]
    suggestion.first.click()
    page.wait_for_url("**speaker=Volodymyr*")
    assert page.locator("li.hit").count() == 2
    shot(page, "typeahead")
