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

from dashboard.presentation.national_table import STYLES, change_style, change_text
from etl.programmes import TCAM
from tests.browser.steps import goto, submit
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
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
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
    return page.eval_on_selector_all(
        "#national-table-grid tbody tr",
        """rows => rows.map(r => [
        r.querySelector('th').innerText.trim(),
        [...r.querySelectorAll('td')].map(td => ({
            text: td.querySelector('.value').innerText.trim(),
            value: td.dataset.value, style: td.dataset.style,
            background: getComputedStyle(td).backgroundColor,
            small: !!td.querySelector('.small-mark'),
            detail: (td.querySelector('.cell') || {}).title || ''}))])""",
    )


def test_home_page_shows_table_8_1_with_the_published_colours(server, page):
    goto(page, server.url + "/tcam/")
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
        "Q3 2018/19",
        "Q3 2019/20",
        "Q2 2020/21",
        "Q3 2018/19 to Q3 2019/20",
        "Q3 2019/20 to Q2 2020/21",
    ]
    sentence = page.locator("#national-sentence").inner_text()
    assert sentence.startswith(
        "3 of 15 AHSNs at or above 50% in Q3 2018/19; 7 of 15 AHSNs at or above 50% in Q3 2019/20, up from 3"
    )
    assert page.locator("#national-legend").is_visible()
    assert page.locator("caption").inner_text().startswith("TCAM adoption rate by AHSN")


def test_rate_detail_shows_on_focus(server, page):
    goto(page, server.url + "/tcam/")
    first = page.locator("#national-table-grid tbody tr").first.locator("td .cell").first
    assert not first.locator(".detail").is_visible() or first.locator(".detail").bounding_box()["width"] <= 1
    page.keyboard.press("Tab")  # focus moves through the page; focus the cell directly as a user tabbing to it
    first.focus()
    detail = first.locator(".detail")
    assert detail.bounding_box()["width"] > 50
    assert "acute trust" in detail.inner_text()


def test_quarters_in_the_url_and_the_picker_keep_state(server, page):
    goto(page, server.url + "/tcam/?quarters=Q3%202018/19,Q2%202020/21")
    heads = page.locator("#national-table-grid thead tr").nth(1).locator("th")
    assert [h.replace("\n", " ") for h in heads.all_inner_texts()] == [
        "Q3 2018/19",
        "Q2 2020/21",
        "Q3 2018/19 to Q2 2020/21",
    ]
    page.locator("#national-quarters").click()
    page.get_by_role("option", name="Q1 2019/20").click()
    page.wait_for_url("**/?quarters=Q3%202018/19,Q1%202019/20,Q2%202020/21")
    page.wait_for_function("document.querySelectorAll('#national-table-grid thead tr:nth-child(2) th').length === 5")
    # the link reproduces the view
    goto(page, page.url)
    assert heads.count() == 5


def test_navigation_and_ahsn_links(server, page):
    goto(page, server.url + "/tcam/")
    page.get_by_role("link", name="Health Innovation Manchester").click()
    page.wait_for_url("**/ahsn/health-innovation-manchester")
    page.wait_for_selector("html[data-dash-ready]")
    assert page.locator("#ahsn-name").inner_text() == "Health Innovation Manchester"
    page.locator(".shell-nav").get_by_role("link", name="Compare regions").click()
    page.wait_for_url("**/compare")
    page.wait_for_selector("html[data-dash-ready]")
    page.locator("h1", has_text="Compare regions").wait_for()
    page.locator(".shell-nav").get_by_role("link", name="Definitions").click()
    page.wait_for_url("**/definitions")
    page.wait_for_selector("html[data-dash-ready]")
    assert page.locator("#definitions-levels tbody tr").count() == 5
    legend = page.locator("#definitions-legend .swatch").all_inner_texts()
    assert legend[:2] == ["below 50%", "50% or more"]  # the below-target swatch never reads "50%"
    page.locator(".shell-nav").get_by_role("link", name="National table").click()
    page.wait_for_url(server.url + "/tcam/")
    page.wait_for_selector("html[data-dash-ready]")
    assert "Q2 2020/21" in page.locator("#shell-status").inner_text()
    assert page.locator(".demo-note").is_visible()


def test_ahsn_page_shows_target_and_england_lines_and_ticks_only_counted_trusts(server, page):
    goto(page, server.url + "/tcam/ahsn/kss")
    assert page.locator("#ahsn-latest-rate").inner_text() == "50%"
    assert page.locator("#ahsn-name").inner_text() == "Health Innovation Kent Surrey Sussex (KSS)"
    chart = page.locator("#ahsn-rate-chart")
    assert chart.locator(".legendtext", has_text="Target 50%").count() == 1
    assert chart.locator(".legendtext", has_text="England").count() == 1
    assert chart.locator(".legendtext", has_text="KSS").count() == 1
    assert chart.locator(".scatterlayer .trace").count() == 3
    rows = [
        [c.strip() for c in r.locator("th, td").all_inner_texts()] for r in page.locator("#ahsn-trusts tbody tr").all()
    ]
    ticked = [r for r in rows if "✓" in " ".join(r)]
    assert len(ticked) == 5 and all(r[1] == "acute" and r[3] == "✓ adopted" for r in ticked)
    assert sorted(r[3] for r in rows if r[1] != "acute") == ["not counted (community)", "not counted (mental health)"]
    changes = page.locator("#ahsn-what-changed li").all_inner_texts()
    assert changes and not any("arning" in c for c in changes)
    # sorting is in the URL, and the trust table's download follows it
    page.get_by_role("link", name="Referrals made").click()
    page.wait_for_url("**/ahsn/kss?sort=made")
    page.wait_for_selector("html[data-dash-ready]")
    page.locator("#ahsn-trusts caption", has_text="Sorted by referrals made").wait_for()
    made = [
        int(t.replace(",", ""))
        for t in page.locator("#ahsn-trusts tbody tr td:nth-child(6)").all_inner_texts()
        if t != "not reported"
    ]
    assert made == sorted(made, reverse=True)
    with page.expect_download() as info:
        page.locator("#ahsn-download-xlsx").click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    head = [c.value for c in sheet[4]]
    made_column = head.index("Referrals made")
    values = [r[made_column].value for r in sheet.iter_rows(min_row=5) if r[0].value == "KSS"]
    numbers = [v for v in values if v is not None]
    assert numbers == made and all(isinstance(v, int) for v in numbers)


def test_compare_page_is_alphabetical_unless_asked(server, page):
    goto(page, server.url + "/tcam/compare")
    titles = page.locator("#compare-multiples .multiple-title").all_inner_texts()
    assert titles == sorted(titles, key=str.lower) and len(titles) == 15
    assert page.locator("#compare-multiples .main-svg").count() >= 15
    page.get_by_role("link", name="latest rate, highest first").click()
    page.wait_for_url("**/compare?sort=latest")
    page.locator("#compare-multiples .multiple-title").first.wait_for()
    page.wait_for_function(
        "document.querySelector('#compare-multiples .multiple-title').innerText === 'West of England'"
    )


def test_downloads_open_as_numbers_and_hold_what_the_page_shows(server, page):
    goto(page, server.url + "/tcam/?quarters=Q3%202018/19,Q3%202019/20,Q2%202020/21")
    shown = table_cells(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="the national table, CSV").click()
    assert info.value.suggested_filename == "tcam-national-q3_2018_19-to-q2_2020_21.csv"
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:4] == [
        "AHSN",
        "Adoption rate Q3 2018/19 (%)",
        "Adoption rate Q3 2019/20 (%)",
        "Adoption rate Q2 2020/21 (%)",
    ]
    for row, (name, cells) in zip(rows[1:], shown):
        assert row[0] == name
        assert [int(v) for v in row[1:6]] == [int(c["value"]) for c in cells]
    with page.expect_download() as info:
        page.get_by_role("link", name="the national table, Excel").click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    for r, (name, cells) in enumerate(shown, start=5):
        assert sheet.cell(r, 1).value == name
        for c, cell in enumerate(cells, start=2):
            value = sheet.cell(r, c).value
            expected = int(cell["value"]) / 100 if c <= 4 else int(cell["value"])
            assert value == pytest.approx(expected) and isinstance(value, int | float), (name, c)
            fill = sheet.cell(r, c).fill.fgColor.rgb
            assert fill[-6:] == STYLES[cell["style"]]["background"][1:], (name, c)


def test_tablet_width_keeps_the_table_readable(server, browser):
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    page = context.new_page()
    goto(page, server.url + "/tcam/")
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 768


def test_the_whole_national_history_shows_the_newest_60_and_says_how_to_see_the_rest(server, page):
    from upload_helpers import PASSWORD

    from etl.users import Users

    Users(server.root).add("national-team", PASSWORD, "national")
    page.goto(server.url + "/signin?next=/tcam/history")
    page.get_by_label("User name").fill("national-team")
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, page.get_by_role("button", name="Sign in"))
    caption = page.locator(".history-table caption")
    caption.wait_for()
    assert caption.inner_text() == (
        "150 submissions: the newest 60 shown; choose an AHSN or a quarter to see the others"
    )
    assert page.locator(".history-table tbody tr").count() == 60
    assert page.locator(".history-table tbody th").first.inner_text() == "150"


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_a_chart_is_saved_for_a_slide_by_keyboard(server, page, kind):
    goto(page, f"{server.url}/tcam/ahsn/kss?quarter=Q3%202019/20")
    page.wait_for_selector("#ahsn-rate-chart .main-svg")
    button = page.locator(f'button.chart-save[data-chart="ahsn-rate-chart"][data-format="{kind}"]')
    assert button.get_attribute("aria-label") == f"Save the chart as {kind.upper()}"
    button.focus()
    with page.expect_download() as saving:
        page.keyboard.press("Enter")
    download = saving.value
    assert download.suggested_filename == f"tcam-kss-adoption-q3_2019_20.{kind}"
    content = Path(download.path()).read_bytes()
    if kind == "png":
        assert content.startswith(b"\x89PNG")
    else:
        assert b"<svg" in content[:500] and b"Q3 2019/20" in content
    status = page.locator('button.chart-save[data-chart="ahsn-rate-chart"] ~ .chart-save-status')
    status.filter(has_text="Saved").wait_for()


def test_save_buttons_are_disabled_until_dash_has_drawn_the_chart(server):
    import requests

    first = requests.get(f"{server.url}/compare", timeout=30).text
    painted = first[first.index('<div id="prerendered"') : first.index('<div id="react-entry-point"')]
    buttons = painted.count('class="chart-save needs-script"')
    assert buttons == 4 and painted.count("disabled") >= buttons
