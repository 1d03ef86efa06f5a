"""A phone, 390 pixels wide: no page is wider than the screen; wide tables scroll in their own
box with the AHSN or trust column kept in view and a cue while there is more; the comparison
shows one chart per row with its title readable."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PAGES, ROLES
from tests.browser.steps import goto
from tests.upload_helpers import UPLOAD

PHONE = 390


@pytest.mark.parametrize("role", list(ROLES), ids=lambda r: r or "signed-out")
def test_no_page_is_wider_than_the_phone(site, browse, role):
    page = browse(PHONE, role, site.url)
    widths = {}
    for path in PAGES:
        goto(page, site.url + path)
        if path == "/tcam/returns" and role == "national":
            page.locator("table.returns-grid").wait_for()
        if path == "/tcam/history" and role is not None:
            page.locator("#history-table table").first.wait_for()
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
    assert {p: w for p, w in widths.items() if w > PHONE} == {}


def test_the_upload_preview_fits_the_phone(site, browse):
    page = browse(PHONE, "national", site.url)
    goto(page, site.url + "/tcam/upload")
    page.locator("#upload-file input[type=file]").set_input_files(str(UPLOAD / "wessex-good.csv"))
    page.locator("#upload-confirm").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    rows = page.locator(".upload-rows").first
    box = page.locator(".table-wrap", has=rows)
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # it scrolls in its own box


def cue(box) -> str:
    return box.evaluate("b => getComputedStyle(b, '::after').display")


@pytest.mark.parametrize(
    "path, box, first",
    [
        ("/tcam/", "#national-table", "#national-table-grid tbody tr th"),
        ("/tcam/ahsn/kss", ".table-wrap:has(#ahsn-trusts)", "#ahsn-trusts tbody tr th"),
    ],
)
def test_a_wide_table_scrolls_in_its_own_box_keeping_its_first_column(site, browse, path, box, first):
    page = browse(PHONE)
    goto(page, site.url + path)
    wrap = page.locator(box)
    assert wrap.evaluate("b => b.scrollWidth > b.clientWidth")
    assert page.locator(".scroll-hint").first.is_visible()
    assert cue(wrap) == "block"  # the arrowed edge: there is more to the right
    name = page.locator(first).first
    before = name.bounding_box()
    wrap.evaluate("b => b.scrollTo(b.scrollWidth, 0)")
    page.wait_for_function(f"document.querySelector('{box}').classList.contains('at-end')")
    after = name.bounding_box()
    assert after["x"] == pytest.approx(before["x"], abs=3)  # the row heading stays in view
    assert cue(wrap) == "none"  # nothing more to see
    last = page.locator(f"{first.split(' tbody')[0]} tbody tr").first.locator("td").last.bounding_box()
    assert last["x"] + last["width"] <= PHONE


def test_compare_shows_one_chart_per_row_with_readable_titles(site, browse):
    page = browse(PHONE)
    goto(page, site.url + "/tcam/compare")
    titles = page.locator("#compare-multiples .multiple-title")
    boxes = [titles.nth(i).bounding_box() for i in range(titles.count())]
    assert len(boxes) == 15
    assert len({round(b["x"]) for b in boxes}) == 1  # one column
    gaps = [round(b2["y"] - b1["y"] - b1["height"]) for b1, b2 in zip(boxes, boxes[1:])]
    assert min(gaps) > 150, gaps  # a chart between each two titles, never overlapping
    charts = page.locator("#compare-multiples .js-plotly-plot").all()
    widths = [round(c.bounding_box()["width"]) for c in charts]
    assert len(widths) == 15 and min(widths) >= 300, widths
