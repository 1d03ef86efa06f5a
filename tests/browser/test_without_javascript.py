"""Every page reads without JavaScript: its headline, its tables and its links are in the HTML
the server sends (dashboard/prerender.py), and the links lead to pages that read too.

Chromium with JavaScript off, signed out and signed in (the sign-in page is a plain form).
Nothing here says "loading": only a page whose scripts run marks its controls busy.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest

from tests.browser.conftest import PAGES, ROLES
from tests.upload_helpers import PASSWORD

READING = """() => {
  const visible = e => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
  const main = document.querySelector('#prerendered #main');
  return {
    headlines: [...document.querySelectorAll('h1')].filter(visible).map(h => h.innerText.trim()),
    main: !!main && visible(main),
    tables: [...document.querySelectorAll('#main table')].filter(visible).map(t => ({
      id: t.id, caption: t.caption ? t.caption.innerText.trim() : '',
      rows: t.querySelectorAll('tbody tr').length})),
    links: [...document.querySelectorAll('#prerendered a[href]')].filter(visible).map(a => a.getAttribute('href')),
    busy: document.querySelectorAll('[aria-busy]').length,
    dash_shown: visible(document.getElementById('react-entry-point'))
      && getComputedStyle(document.getElementById('react-entry-point')).visibility !== 'hidden',
  };
}"""


@pytest.fixture
def no_script(browser, site):
    """open(role): a page in a context with JavaScript off, signed in as that role (None: out)."""
    contexts = []

    def open_page(role: str | None = None):
        context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        if ROLES[role] is not None:
            page.goto(site.url + "/signin?next=/tcam/definitions")
            page.get_by_label("User name").fill(ROLES[role][0])
            page.get_by_label("Password").fill(PASSWORD)
            with page.expect_navigation():
                page.get_by_role("button", name="Sign in").click()
            assert urlsplit(page.url).path == "/tcam/definitions"
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("role", [None, "national"])
def test_every_page_reads_without_javascript_and_its_links_answer(site, no_script, role):
    page = no_script(role)
    checked: dict[str, int] = {}
    for path in PAGES:
        response = page.goto(site.url + path)
        assert response.status == 200, path
        reading = page.evaluate(READING)
        assert reading["main"], path
        assert len(reading["headlines"]) == 1 and reading["headlines"][0], (path, reading["headlines"])
        assert page.title() and page.title() != "Dash", path
        for table in reading["tables"]:
            assert table["rows"] > 0 and table["caption"], (path, table)
        assert reading["busy"] == 0 and not reading["dash_shown"], path
        for href in reading["links"]:
            address = urljoin(page.url, href)
            if urlsplit(address).netloc != urlsplit(site.url).netloc or href.startswith("#"):
                continue
            address = address.split("#")[0]
            if address not in checked:
                checked[address] = page.request.get(address, max_redirects=0).status
        assert len(reading["links"]) > 8, path  # the header's pages, at least
    assert {a: s for a, s in checked.items() if s != 200} == {}


def test_the_national_table_reads_and_its_links_lead_on_without_javascript(site, no_script):
    page = no_script()
    page.goto(site.url + "/tcam/")
    table = page.locator("#national-table-grid")
    assert table.locator("tbody tr").count() == 16
    assert table.locator("tbody tr").first.inner_text().split("\t")[0].strip() == "Oxford"
    assert page.locator("h1").inner_text() == "TCAM adoption by AHSN"
    assert page.locator("#national-sentence").inner_text().startswith("3 of 15 AHSNs at or above 50%")
    # the quarters shown, read from the picker Dash would draw
    assert page.locator(".prerender-dropdown .prerender-chip").all_inner_texts() == [
        "Q3 2018/19",
        "Q3 2019/20",
        "Q2 2020/21",
    ]
    with page.expect_navigation():
        table.get_by_role("link", name="Oxford").click()
    assert urlsplit(page.url).path == "/tcam/ahsn/oxford"
    assert page.locator("h1").inner_text().endswith("(Oxford)")
    with page.expect_navigation():
        page.get_by_role("navigation", name="Pages").get_by_role("link", name="Compare regions").click()
    assert page.locator("h1").inner_text() == "Compare regions"
    assert page.locator(".multiple").count() >= 15  # a small chart's box for each AHSN, its heading in words
    with page.expect_navigation():
        page.get_by_role("link", name="How the figures are defined").click()
    assert urlsplit(page.url).path == "/tcam/definitions"
