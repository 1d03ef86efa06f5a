"""The page the server sends is readable before any script has run, and Dash takes it over
without anything moving; printing for board papers (A4 landscape, checked through Chromium's
own PDF printing: pages counted, the layout measured in print media)."""

from __future__ import annotations

import re

import pytest

from tests.browser.steps import goto

SNAPSHOT = """
document.addEventListener('DOMContentLoaded', () => {
  const rects = {};
  for (const el of document.querySelectorAll('#prerendered [id]')) {
    const r = el.getBoundingClientRect();
    rects[el.id] = [r.top, r.left, r.width, r.height];
  }
  window.__served = rects;
  window.__shift = 0;
  new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value; })
    .observe({type: 'layout-shift', buffered: true});
});
"""


def test_the_table_is_readable_before_any_script_loads(site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.route("**/_dash-component-suites/**", lambda route: route.abort())  # Dash's bundles never arrive
    page.goto(site.url + "/tcam/")
    table = page.locator("#national-table-grid")
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 16
    assert table.locator("tbody tr").first.inner_text().split("\t")[0].strip() == "Oxford"
    assert page.locator("h1").inner_text() == "TCAM adoption by AHSN"
    assert page.locator("#national-sentence").inner_text().startswith("3 of 15 AHSNs at or above 50%")
    assert page.locator("#react-entry-point").evaluate("e => getComputedStyle(e).visibility") == "hidden"
    context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/tcam/",
        "/tcam/?quarters=Q3%202018/19,Q2%202020/21",
        "/tcam/ahsn/kss",
        "/tcam/compare",
        "/tcam/definitions",
        "/ahsn",
    ],
)
def test_dash_takes_over_without_anything_moving(site, browse, path):
    page = browse(1280)
    page.add_init_script(SNAPSHOT)
    goto(page, site.url + path)
    served = page.evaluate("window.__served")
    assert len(served) > 5
    now = page.evaluate(
        """ids => Object.fromEntries(ids.map(id => {
        const el = document.getElementById(id);
        if (!el) return [id, null];
        const r = el.getBoundingClientRect();
        return [id, [r.top, r.left, r.width, r.height]];
    }))""",
        list(served),
    )
    moved = {
        i: (served[i], now[i])
        for i in served
        if now[i] is None or any(abs(a - b) > 1 for a, b in zip(served[i], now[i]))
    }
    assert moved == {}
    assert page.locator("#prerendered").count() == 0
    assert page.evaluate("window.__shift") < 0.01  # cumulative layout shift


def pdf_pages(page) -> int:
    data = page.pdf(format="A4", landscape=True, print_background=True, prefer_css_page_size=True)
    return len(re.findall(rb"/Type\s*/Page[^s]", data))


A4_LANDSCAPE = {"width": 1047, "height": 714}  # CSS pixels inside the printed margins (277 x 189 mm)


def test_the_national_table_prints_on_one_a4_landscape_page(site, browse):
    page = browse(1280)
    goto(page, site.url + "/tcam/")
    assert pdf_pages(page) <= 2
    page.set_viewport_size(A4_LANDSCAPE)
    page.emulate_media(media="print")
    box = page.locator("#national-table-grid").bounding_box()
    assert box["y"] + box["height"] <= A4_LANDSCAPE["height"]  # on the first page, whole
    assert box["width"] <= A4_LANDSCAPE["width"]
    assert not page.locator(".controls").is_visible() and not page.locator(".downloads").first.is_visible()


def test_each_printed_page_carries_the_date_the_data_and_the_address(site, browse):
    page = browse(1280)
    goto(page, site.url + "/tcam/ahsn/kss?sort=level")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    stamp = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--print-stamp')")
    assert re.match(r'^"Printed \d\d \w{3} \d{4} \d\d:\d\d UTC · Data as of Q2 2020/21, last loaded .* · ', stamp)
    assert stamp.endswith(site.url + '/tcam/ahsn/kss?sort=level"')
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    css = page.evaluate("""[...document.styleSheets].flatMap(s => { try { return [...s.cssRules]; } catch (e) { return []; } })
        .map(r => r.cssText).filter(t => t.includes('@bottom-left')).join(' ')""")
    assert "var(--print-stamp" in css and "counter(page)" in css


def test_the_ahsn_page_prints_with_no_heading_alone_and_no_chart_split(site, browse):
    page = browse(1280)
    goto(page, site.url + "/tcam/ahsn/kss")
    assert pdf_pages(page) <= 3  # four half-empty pages before
    page.emulate_media(media="print")
    headings = page.locator("#main h2").all()
    assert headings and all(h.evaluate("e => getComputedStyle(e).breakAfter") == "avoid" for h in headings)
    for section in page.locator(".keep-together").all():
        assert section.evaluate("e => getComputedStyle(e).breakInside") == "avoid"
    for chart in page.locator(".dash-graph").all():
        assert chart.evaluate("e => getComputedStyle(e).breakInside") == "avoid"
    assert not page.get_by_text("Choose a column heading to sort by it.").is_visible()


def test_compare_prints_every_chart_whole(site, browse):
    page = browse(1280)
    goto(page, site.url + "/tcam/compare")
    assert pdf_pages(page) <= 4
    page.emulate_media(media="print")
    assert all(m.evaluate("e => getComputedStyle(e).breakInside") == "avoid" for m in page.locator(".multiple").all())
