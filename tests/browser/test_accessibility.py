"""axe-core (axe-playwright-python ships it) on every page, signed out and as each role: no
violation of WCAG 2.2 A or AA. Checked after Dash has taken the page over, and on the HTML the
server sends before any script runs."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import PAGES, ROLES
from tests.browser.steps import goto

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]}}
AXE = Axe()


def violations(page) -> list[str]:
    found = AXE.run(page, options=WCAG).response["violations"]
    return [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in found]


@pytest.mark.parametrize("role", list(ROLES), ids=lambda r: r or "signed-out")
def test_every_page_has_no_wcag_violation(site, browse, role):
    page = browse(1280, role, site.url)
    found = {}
    for path in PAGES + (["/signin"] if role is None else []):
        if path == "/signin":
            page.goto(site.url + path)
        else:
            goto(page, site.url + path)
        if path == "/tcam/returns" and role == "national":
            page.locator("table.returns-grid").wait_for()
        if path == "/tcam/history" and role is not None:
            page.locator("#history-table table").first.wait_for()
        assert page.evaluate("document.documentElement.lang") == "en", path
        found[path] = violations(page)
    assert {p: v for p, v in found.items() if v} == {}


def test_the_page_the_server_sends_has_no_wcag_violation(site, browser):
    """What a reader sees before any script has run: the page as the server sent it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.route("**/_dash-component-suites/**", lambda route: route.abort())  # Dash never starts
    page.route("**/assets/*.js*", lambda route: route.abort())
    found = {}
    for path in ("/tcam/", "/tcam/ahsn/kss", "/tcam/compare", "/tcam/definitions"):
        page.goto(site.url + path)
        page.locator("#prerendered h1").wait_for()
        found[path] = violations(page)
    context.close()
    assert {p: v for p, v in found.items() if v} == {}


def test_the_quarter_picker_is_reached_and_opened_with_the_keyboard(site, browse):
    page = browse(1280)
    goto(page, site.url + "/tcam/")
    stops = []  # from the top of the page
    for _ in range(40):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("document.activeElement.id || document.activeElement.className"))
        if stops[-1] == "national-quarters":
            break
    assert stops[-1] == "national-quarters" and "dash-dropdown-focus-target" not in stops
    page.keyboard.press("Enter")
    page.get_by_role("listbox").wait_for()
