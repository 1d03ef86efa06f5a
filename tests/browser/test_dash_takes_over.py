"""The page the server sent is painted first, and Dash takes it over unseen.

Dash's scripts are added only after the browser's first paint (the loader in
dashboard/prerender.py); until Dash has drawn the page, links work as plain links and the
controls only Dash can work say they are loading; the swap (assets/prerender.js) moves
nothing, keeps focus where it was and logs no error. Timings are the benchmark's
(tests/bench_paint.py), never asserted here: these check what happens, in what order.
"""

from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import PAGES

DASH_SCRIPTS = "**/_dash-component-suites/**"
ORDER = """() => {
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  const dash = performance.getEntriesByType('resource').filter(r => r.name.includes('/_dash-component-suites/'));
  return {fcp: fcp ? fcp.startTime : null, first_script: Math.min(...dash.map(r => r.startTime)), scripts: dash.length};
}"""
SHIFT = """
window.__shift = 0;
new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value; })
  .observe({type: 'layout-shift', buffered: true});
"""


def watched_page(browser, problems: list[str]):
    """A fresh page that notes every console error, script error, failed or refused request."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"script: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    page.on("response", lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None)
    page.add_init_script(SHIFT)
    return context, page


@pytest.mark.parametrize("path", PAGES)
def test_dash_scripts_load_after_the_first_paint_and_the_swap_is_clean(site, browser, path):
    problems: list[str] = []
    context, page = watched_page(browser, problems)
    page.goto(site.url + path)
    page.wait_for_selector("html[data-dash-ready]", timeout=60000)
    order = page.evaluate(ORDER)
    assert order["scripts"] >= 5  # Dash's own bundles, every one of them loaded
    assert order["fcp"] is not None and order["fcp"] <= order["first_script"], order
    assert page.locator("#prerendered").count() == 0
    assert page.locator("[aria-busy=true]").count() == 0
    assert page.evaluate("window.__shift") < 0.01
    assert page.evaluate("typeof window.dash_clientside") == "object"  # the inline scripts ran too
    context.close()
    assert problems == []


@pytest.mark.parametrize("path, charts", [("/tcam/compare", True), ("/tcam/ahsn/kss", True), ("/tcam/", False)])
def test_a_page_with_charts_asks_for_plotly_once_with_dash_and_others_never(site, browser, path, charts):
    problems: list[str] = []
    context, page = watched_page(browser, problems)
    page.goto(site.url + path)
    page.wait_for_selector("html[data-dash-ready]", timeout=60000)
    page.wait_for_load_state("networkidle")
    fetched = page.evaluate("""() => performance.getEntriesByType('resource')
        .filter(r => r.name.endsWith('/plotly/package_data/plotly.min.js')).map(r => r.initiatorType)""")
    # preloaded by the loader and used by dcc.Graph from there: one download
    assert fetched == (["link"] if charts else [])
    if charts:
        assert page.locator("#main .js-plotly-plot").count() > 0
    context.close()
    assert problems == []


def test_while_dash_loads_links_are_plain_links_and_controls_say_they_are_loading(site, browser):
    problems: list[str] = []
    context, page = watched_page(browser, problems)
    held = []
    page.route("**/dash_renderer*", lambda route: held.append(route))  # Dash does not start until let go
    page.goto(site.url + "/tcam/", wait_until="domcontentloaded")
    page.wait_for_function("document.querySelectorAll('script[src*=dash_renderer]').length > 0")

    picker = page.locator("#prerendered .prerender-dropdown")
    assert picker.get_attribute("aria-busy") == "true"
    assert picker.evaluate("e => getComputedStyle(e, '::after').content") == '"Loading…"'
    assert picker.evaluate("e => getComputedStyle(e).cursor") == "progress"
    link = page.locator("#prerendered #national-table-grid tbody th a").first
    assert link.get_attribute("href") == "/tcam/ahsn/oxford"
    with page.expect_navigation():
        link.click()  # before Dash has started: an ordinary link to the AHSN's page
    assert page.url == site.url + "/tcam/ahsn/oxford"
    page.unroute("**/dash_renderer*")
    for route in held:  # this page's goes on; the first page's went with it
        with contextlib.suppress(PlaywrightError):
            route.continue_()
    page.wait_for_selector("html[data-dash-ready]", timeout=60000)
    assert "Oxford" in page.locator("#main h1").inner_text()
    context.close()
    # the first page's scripts still on their way were cancelled by leaving it: not a fault
    assert [p for p in problems if not p.startswith("failed:")] == []


@pytest.mark.parametrize(
    "target",
    [
        "#prerendered #national-table-grid tbody tr:nth-child(3) th a",  # a link without an id
        "#prerendered #national-table-grid tbody tr:nth-child(2) td:nth-of-type(2) .cell",  # a cell (tabindex)
        "#prerendered #against-trajectory",  # a link with an id
    ],
)
def test_focus_stays_on_the_same_element_when_dash_takes_over(site, browser, target):
    problems: list[str] = []
    context, page = watched_page(browser, problems)
    held = []
    page.route("**/dash_renderer*", lambda route: held.append(route))
    page.goto(site.url + "/tcam/", wait_until="domcontentloaded")
    page.wait_for_function("document.querySelectorAll('script[src*=dash_renderer]').length > 0")
    element = page.locator(target)
    element.focus()
    before = element.evaluate("e => [e.tagName, e.textContent, e.getAttribute('href')]")
    for route in held:
        route.continue_()
    page.wait_for_selector("html[data-dash-ready]", timeout=60000)
    after = page.evaluate("""() => { const e = document.activeElement;
        return [e.tagName, e.textContent, e.getAttribute('href'), !!e.closest('#react-entry-point')]; }""")
    assert after == [*before, True]
    context.close()
    assert problems == []
