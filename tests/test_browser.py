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
        quote=quote,
        start=start,
        end=start + len(quote),
        direct=False,
        speaker=Speaker(name=f"Officials {XSS}", type="group", role=XSS),
        kind="statement",
        places=("Kyiv",),
        topics=("negotiations",),
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
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
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
    page.click("section.facet[data-facet=speaker] a:has(span.label:text-is('Jean-Noël Barrot'))")
    assert page.locator("li.hit").count() == 1
    page.click("section.facet[data-facet=speaker] a:has(span.label:text-is('Volodymyr Zelenskyy'))")  # a second value: OR within a facet
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
    box = page.locator("form.facet-find[data-facet=speaker] input[name=prefix]")
    box.fill("zel")
    suggestion = page.locator("form.facet-find[data-facet=speaker] ul.suggestions a")
    suggestion.first.wait_for()
    assert suggestion.all_inner_texts() == ["Volodymyr Zelenskyy"]
    suggestion.first.click()
    page.wait_for_url("**speaker=Volodymyr*")
    assert page.locator("li.hit").count() == 2
    shot(page, "typeahead")


# --- issue 14: any screen, any input ------------------------------------------------------------------

PAGES = ("/search?q=ceasefire", "/statements/{sid}", "/speakers/Dmitry%20Peskov", "/places", "/places/Kyiv", "/search/more/speaker", "/")
CONTRAST_JS = """() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = (el) => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
    if (c.length === 3 || c[3] > 0.5) return c.slice(0, 3); } return [255, 255, 255]; };
  const worst = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.closest("svg") || !el.getClientRects().length) continue;
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) worst.push(el.tagName + "." + el.className + " " + ratio.toFixed(2) + " " + el.textContent.trim().slice(0, 30));
  }
  return worst;
}"""


def statement_id(site) -> str:
    import json
    import urllib.request

    with urllib.request.urlopen(site + "/api/v1/search?q=speaker:peskov") as response:
        return json.load(response)["data"]["hits"][0]["id"]


@pytest.mark.parametrize("width", [390, 1280])
def test_no_page_scrolls_sideways_and_text_meets_aa_contrast(site, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 844 if width == 390 else 900}, is_mobile=width == 390)
    tab = context.new_page()
    requests = []
    tab.on("request", lambda r: requests.append(r.url))
    try:
        for path in PAGES:
            tab.goto(site + path.format(sid=statement_id(site)))
            tab.wait_for_load_state("load")
            wide = tab.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, f"{path} is {wide} px wide at {width}"
            assert tab.evaluate(CONTRAST_JS) == [], path
        assert all(url.startswith(site) for url in requests)  # no third-party requests
    finally:
        context.close()


def test_on_a_phone_results_come_first_and_filters_open_behind_a_button(site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    tab = context.new_page()
    try:
        tab.goto(site + "/search?q=ceasefire")
        button = tab.locator("button.filters-toggle")
        assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
        assert not tab.locator("#filters").is_visible()
        assert tab.locator("li.hit").first.is_visible()
        search = tab.locator("form.search button[type=submit]").bounding_box()
        assert search["x"] + search["width"] <= 390  # the Search button is whole on screen
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SHOTS / "search-390.png"))
        button.tap()
        assert button.get_attribute("aria-expanded") == "true" and tab.locator("#filters").is_visible()
        toggle = tab.locator("section.facet[data-facet=kind] li a").first
        assert toggle.bounding_box()["height"] >= 40  # a finger-sized target
        toggle.tap()
        tab.wait_for_url("**kind=*")
        assert tab.locator("a.chip").count() == 1
    finally:
        context.close()


def test_a_keyboard_user_adds_and_removes_a_facet(site, page):
    page.goto(site + "/search?q=ceasefire")
    target = "Add filter Kind: skepticism (1 statement)"
    for _ in range(150):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('aria-label')") == target:
            break
    else:
        raise AssertionError(f"no tab stop named {target!r}")
    page.keyboard.press("Enter")
    page.wait_for_url("**kind=skepticism*")
    assert page.locator("li.hit").count() == 1
    for _ in range(150):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('aria-label')") == "Remove filter Kind: skepticism":
            break
    else:
        raise AssertionError("no tab stop to remove the filter")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "kind=" not in url)
    assert page.locator("li.hit").count() == 4


def test_timeline_bars_are_links_with_their_period_and_the_dates_form_narrows(site, page):
    page.goto(site + "/search?sort=newest")
    bars = page.locator("svg.histogram a")
    labels = bars.evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    assert "January 2025: 0 statements" in labels and "April 2025: 5 statements" in labels
    page.fill("form.dates input[name=from]", "2025-04-20")
    page.fill("form.dates input[name=to]", "2025-04-21")
    page.click("form.dates button")
    page.wait_for_url("**from=2025-04-20*")
    assert page.locator("li.hit").count() == 2
    assert page.locator("form.search select[name=sort]").input_value() == "newest"


def test_a_misspelled_name_is_one_click_from_its_statements(site, page):
    page.goto(site + "/search?q=peskoff")
    page.click("p.suggestion a:text-is('Dmitry Peskov')")
    page.wait_for_url("**speaker=Dmitry*")
    assert page.locator("li.hit").count() == 1
