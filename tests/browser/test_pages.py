"""What a user sees, in headless Chromium, from a live gunicorn on the demo data.

One server per module (the pages only read), one fresh browser context per test.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import openpyxl
import pytest

from dashboard.national_table import STYLES, change_style, change_text
from etl.programmes import TCAM
from tests.live import LiveServer

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference" / "tcam_table_8_1.csv"


@pytest.fixture(scope="module")
def server(demo_store_template, tmp_path_factory):
    root = tmp_path_factory.mktemp("pages") / "store"
    shutil.copytree(demo_store_template, root)
    live = LiveServer({"METRICS_DATA": str(root)})
    live.root = root
    yield live
    live.stop()


def reference_rows() -> list[dict]:
    with REFERENCE.open(newline="") as f:
        return list(csv.DictReader(f))


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def expected_cells(row: dict) -> list[tuple[str, str]]:
    """(shown text, style) of each cell of a Table 8.1 row, rates then changes."""
    keys = list(row)[1:]
    out = []
    for key in keys:
        value = int(row[key])
        if key.startswith("change_"):
            out.append((change_text(value, TCAM), change_style(value, TCAM)))
        else:
            out.append((f"{value}%", "at-target" if value >= TCAM.target_percent else "below"))
    return out


def table_cells(page) -> list[tuple[str, list[dict]]]:
    """Per body row: the row header and each cell's shown value, style and background."""
    return page.eval_on_selector_all("#national-table-grid tbody tr", """rows => rows.map(r => [
        r.querySelector('th').innerText.trim(),
        [...r.querySelectorAll('td')].map(td => ({
            text: td.querySelector('.value').innerText.trim(),
            value: td.dataset.value, style: td.dataset.style,
            background: getComputedStyle(td).backgroundColor,
            small: !!td.querySelector('.small-mark'),
            detail: (td.querySelector('.cell') || {}).title || ''}))])""")


def test_home_page_shows_table_8_1_with_the_published_colours(server, page):
    page.goto(server.url + "/")
    page.wait_for_selector("#national-table-grid")
    rows = table_cells(page)
    reference = reference_rows()
    assert [name.replace("England (Total)", "Total") for name, _ in rows] == [r["ahsn"] for r in reference]
    for (name, cells), ref in zip(rows, reference):
        expected = expected_cells(ref)
        assert [(c["text"].split("†")[0].strip(), c["style"]) for c in cells] == expected, name
        assert [c["background"] for c in cells] == [rgb(STYLES[s]["background"]) for _, s in expected], name
        assert all(" of " in c["detail"] and "acute trust" in c["detail"] for c in cells[:3]), name
    headers = page.locator("#national-table-grid thead tr").nth(1).locator("th").all_inner_texts()
    assert [h.replace("\n", " ") for h in headers] == [
        "Q3 2018/19", "Q3 2019/20", "Q2 2020/21", "Q3 2018/19 to Q3 2019/20", "Q3 2019/20 to Q2 2020/21"]
    sentence = page.locator("#national-sentence").inner_text()
    assert sentence.startswith("3 of 15 AHSNs at or above 50% in Q3 2018/19; 7 of 15 AHSNs at or above 50% "
                               "in Q3 2019/20, up from 3")
    assert page.locator("#national-legend").is_visible()
    assert page.locator("caption").inner_text().startswith("TCAM adoption rate by AHSN")


def test_rate_detail_shows_on_focus(server, page):
    page.goto(server.url + "/")
    first = page.locator("#national-table-grid tbody tr").first.locator("td .cell").first
    assert not first.locator(".detail").is_visible() or first.locator(".detail").bounding_box()["width"] <= 1
    page.keyboard.press("Tab")  # focus moves through the page; focus the cell directly as a user tabbing to it
    first.focus()
    detail = first.locator(".detail")
    assert detail.bounding_box()["width"] > 50
    assert "acute trust" in detail.inner_text()


def test_quarters_in_the_url_and_the_picker_keep_state(server, page):
    page.goto(server.url + "/?quarters=Q3%202018/19,Q2%202020/21")
    page.wait_for_selector("#national-table-grid")
    heads = page.locator("#national-table-grid thead tr").nth(1).locator("th")
    assert [h.replace("\n", " ") for h in heads.all_inner_texts()] == [
        "Q3 2018/19", "Q2 2020/21", "Q3 2018/19 to Q2 2020/21"]
    page.locator("#national-quarters").click()
    page.get_by_role("option", name="Q1 2019/20").click()
    page.wait_for_url("**/?quarters=Q3%202018/19,Q1%202019/20,Q2%202020/21")
    page.wait_for_function("document.querySelectorAll('#national-table-grid thead tr:nth-child(2) th').length === 5")
    # the link reproduces the view
    page.goto(page.url)
    page.wait_for_selector("#national-table-grid")
    assert heads.count() == 5


def test_navigation_and_ahsn_links(server, page):
    page.goto(server.url + "/")
    page.get_by_role("link", name="Health Innovation Manchester").click()
    page.wait_for_url("**/ahsn/health-innovation-manchester")
    page.locator("#ahsn-name").wait_for()
    assert page.locator("#ahsn-name").inner_text() == "Health Innovation Manchester"
    page.locator(".shell-nav").get_by_role("link", name="Compare regions").click()
    page.wait_for_url("**/compare")
    page.locator("h1", has_text="Compare regions").wait_for()
    page.locator(".shell-nav").get_by_role("link", name="Definitions").click()
    page.wait_for_url("**/definitions")
    page.locator("#definitions-levels").wait_for()
    assert page.locator("#definitions-levels tbody tr").count() == 5
    page.locator(".shell-nav").get_by_role("link", name="National overview").click()
    page.wait_for_selector("#national-table-grid")
    assert "Q2 2020/21" in page.locator("#shell-status").inner_text()
    assert page.locator(".demo-note").is_visible()


def test_ahsn_page_shows_target_line_and_latest_rate(server, page):
    page.goto(server.url + "/ahsn/health-innovation-manchester")
    assert page.locator("#ahsn-latest-rate").inner_text() == "44%"
    summary = page.locator("#ahsn-summary").inner_text()
    assert summary.startswith("In Q2 2020/21, ") and "(44%), below the 50% target" in summary
    chart = page.locator("#ahsn-rate-chart")
    chart.locator(".main-svg").first.wait_for()
    assert chart.locator(".legendtext", has_text="Target 50%").count() == 1
    assert chart.locator(".annotation-text", has_text="Target 50%").count() == 1
    assert chart.locator(".scatterlayer .trace").count() == 2
    assert int(page.locator("#ahsn-to-go").inner_text()) >= 1
    assert page.locator("#ahsn-trusts tbody tr").count() >= 1
    assert page.locator("#ahsn-what-changed li").count() >= 1
    # sorting is in the URL
    page.get_by_role("link", name="Referrals made").click()
    page.wait_for_url("**/ahsn/health-innovation-manchester?sort=made")
    page.locator("#ahsn-trusts caption", has_text="Sorted by referrals made").wait_for()
    made = [int(t.replace(",", "")) for t in page.locator("#ahsn-trusts tbody tr td:nth-child(4)").all_inner_texts()
            if t != "not given"]
    assert made == sorted(made, reverse=True)


def test_compare_page_is_alphabetical_unless_asked(server, page):
    page.goto(server.url + "/compare")
    chart = page.locator("#compare-multiples")
    chart.locator(".main-svg").first.wait_for()
    chart.locator(".annotation-text").first.wait_for()
    titles = chart.locator(".annotation-text").all_text_contents()[:15]
    assert titles == sorted(titles, key=str.lower) and len(titles) == 15
    page.get_by_role("link", name="latest rate, highest first").click()
    page.wait_for_url("**/compare?sort=latest")
    page.locator("#compare-multiples .annotation-text").first.wait_for()
    assert page.locator("#compare-multiples .annotation-text").first.text_content() == "West of England"


def test_downloads_hold_what_the_page_shows(server, page):
    page.goto(server.url + "/?quarters=Q3%202018/19,Q3%202019/20,Q2%202020/21")
    page.wait_for_selector("#national-table-grid")
    shown = table_cells(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert rows[0][:6] == ["AHSN", "Adoption rate Q3 2018/19", "Adoption rate Q3 2019/20",
                           "Adoption rate Q2 2020/21", "Change Q3 2018/19 to Q3 2019/20 (points)",
                           "Change Q3 2019/20 to Q2 2020/21 (points)"]
    for row, (name, cells) in zip(rows[1:], shown):
        assert row[0] == name
        assert row[1:6] == [c["text"] + (" †" if c["small"] else "") for c in cells]
        assert all(r.endswith("acute trusts") or r.endswith("acute trust") for r in row[6:9])
    with page.expect_download() as info:
        page.get_by_role("button", name="Download Excel (with colours)").click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    for r, (name, cells) in enumerate(shown, start=4):
        assert sheet.cell(r, 1).value == name
        for c, cell in enumerate(cells, start=2):
            assert sheet.cell(r, c).value == cell["text"] + (" †" if cell["small"] else "")
            fill = sheet.cell(r, c).fill.fgColor.rgb
            assert fill[-6:] == STYLES[cell["style"]]["background"][1:], (name, c)


def test_tablet_width_keeps_the_table_readable(server, browser):
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    page = context.new_page()
    page.goto(server.url + "/")
    page.wait_for_selector("#national-table-grid")
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 768


def test_the_whole_national_history_shows_the_newest_60_and_says_how_to_see_the_rest(server, page):
    from upload_helpers import PASSWORD

    from etl.users import Users

    Users(server.root).add("national-team", PASSWORD, "national")
    page.goto(server.url + "/signin?next=/history")
    page.get_by_label("User name").fill("national-team")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    caption = page.locator(".history-table caption")
    caption.wait_for()
    assert caption.inner_text() == ("150 submissions: the newest 60 shown; choose an AHSN or a quarter "
                                    "to see the others")
    assert page.locator(".history-table tbody tr").count() == 60
    assert page.locator(".history-table tbody th").first.inner_text() == "150"
