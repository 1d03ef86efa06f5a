"""Trajectories and milestones as a user sees them, in headless Chromium, from a live gunicorn on
the demo data with the demo trajectories (as `make run` serves it): the steps on the AHSN page's
chart and in compare, the national overview marked against each trajectory, setting a new
version on the Trajectories page, and no WCAG 2.2 AA violation or page wider than a phone."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from dashboard.presentation.national_table import STYLES
from etl.users import Users
from tests.browser.steps import goto, sign_in, submit
from tests.live import LiveServer
from tests.upload_helpers import PASSWORD

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]}}
PAGES = [
    "/tcam/ahsn/kss",
    "/tcam/ahsn/innovation-agency",
    "/tcam/?against=trajectory",
    "/tcam/compare",
    "/tcam/trajectories",
]


@pytest.fixture(scope="module")
def server(trajectory_store_template, tmp_path_factory):
    root = tmp_path_factory.mktemp("trajectory-pages") / "store"
    shutil.copytree(trajectory_store_template, root)
    Users(root).add("national-team", PASSWORD, "national")
    Users(root).add("kss-lead", PASSWORD, "ahsn", "KSS")
    live = LiveServer({"METRICS_DATA": str(root)})
    yield live
    live.stop()


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_the_ahsn_page_draws_the_trajectory_as_steps_beside_the_target(server, page):
    goto(page, server.url + "/tcam/ahsn/kss")
    chart = page.locator("#ahsn-rate-chart")
    assert chart.locator(".legendtext", has_text="KSS's trajectory").count() == 1
    assert chart.locator(".scatterlayer .trace").count() == 3  # the lines: target, England, KSS
    steps = chart.locator(".shapelayer path")
    assert steps.count() == 9  # a level segment for each quarter Q4 2018/19 to Q2 2020/21, and the two rises
    assert (
        page.locator("#ahsn-trajectory-now").inner_text().startswith("Against its own trajectory. ✓ On its trajectory")
    )
    page.get_by_text("Earlier milestones (6)").click()
    assert page.locator("#ahsn-milestones-earlier li").first.is_visible()


def test_the_national_overview_marks_each_rate_against_its_trajectory(server, page):
    goto(page, server.url + "/tcam/?quarters=Q3%202019/20,Q2%202020/21")
    page.get_by_role("link", name="each AHSN's own trajectory").click()
    page.wait_for_url("**/?quarters=Q3%202019/20,Q2%202020/21&against=trajectory")
    page.wait_for_selector("html[data-dash-ready]")
    cells = page.eval_on_selector_all(
        "#national-table-grid tbody tr",
        """rows => rows.map(r => [
        r.querySelector('th').innerText.trim(),
        [...r.querySelectorAll('td.rate')].map(td => [td.querySelector('.value').innerText.trim(), td.dataset.style,
                                                     getComputedStyle(td).backgroundColor])])""",
    )
    by_name = dict(cells)
    assert by_name["Oxford"][1][:2] == ["○ 20%", "behind-trajectory"]
    assert by_name["West of England"][1][:2] == ["✓ 100%", "on-trajectory"]
    for _, row in cells:
        for text, style, background in row:
            assert background == rgb(STYLES[style]["background"])
            assert text.startswith({"on-trajectory": "✓ ", "behind-trajectory": "○ "}.get(style, "")) and text[0] != " "
    assert page.locator("#national-trajectory-note").is_visible()
    assert page.locator("#national-milestones").get_by_text("West of England had every acute trust live").is_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="the national table, CSV").click()
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert "On its trajectory Q2 2020/21" in rows[0]
    page.get_by_role("link", name="the national 50% target").click()
    page.wait_for_url("**/?quarters=Q3%202019/20,Q2%202020/21")


def test_compare_shows_each_trajectory_in_its_small_chart(server, page):
    goto(page, server.url + "/tcam/compare")
    charts = page.locator("#compare-multiples .multiple-chart")
    assert charts.count() == 15
    assert all(c.locator(".shapelayer path").count() > 0 for c in charts.all())


def test_a_national_administrator_sets_a_new_version_and_every_page_shows_it(server, page, tmp_path):
    sign_in(page, server.url, "national-team", "/tcam/trajectories")
    file = tmp_path / "kss-2021.csv"
    file.write_text(
        "AHSN,By quarter,Target (%),Notes\nKent Surrey Sussex,Q4 2020/21,70 %,agreed with the trusts\n"
        "KSS,Q2 2021/22,80,\n"
    )
    page.locator("#trajectory-upload input[type=file]").set_input_files(str(file))
    page.locator("#trajectory-confirm").wait_for()
    changes = page.locator(".trajectory-changes tbody tr").first.inner_text()
    assert "version 2" in changes and "70% by Q4 2020/21, 80% by Q2 2021/22" in changes
    assert page.get_by_text("ahsn: 'Kent Surrey Sussex' read as KSS in row 2").is_visible()
    page.get_by_label("Why this trajectory").fill("raised after the March board")
    submit(page, page.locator("#trajectory-confirm"))
    page.locator("#trajectory-stored").wait_for()
    page.get_by_text("Every page of the dashboard shows it now").wait_for(timeout=60000)
    row = page.locator("#trajectory-kss").inner_text()
    assert "70% by Q4 2020/21" in row and "Version 2" in row and "raised after the March board" in row
    goto(page, server.url + "/tcam/ahsn/kss")
    assert page.locator("#ahsn-trajectory-next").inner_text().startswith("Next step, 70% by Q4 2020/21: 2 more")
    # Q2 2020/21 was published under version 1: still judged against its 50%
    assert "50% against 50%" in page.locator("#ahsn-trajectory-now").inner_text()


def test_a_submitter_may_set_only_their_own_ahsns_trajectory(server, page, tmp_path):
    sign_in(page, server.url, "kss-lead", "/tcam/trajectories")
    assert page.locator("#trajectory-file-link").get_attribute("href") == "/tcam/trajectories/file.csv?ahsn=kss"
    file = tmp_path / "wessex.csv"
    file.write_text("ahsn,quarter,target_percent\nWessex,Q4 2020/21,90\n")
    page.locator("#trajectory-upload input[type=file]").set_input_files(str(file))
    page.get_by_text("You may not set every trajectory in this file").wait_for()
    assert page.locator("#trajectory-confirm").count() == 0


@pytest.mark.parametrize("role", [None, "national-team"], ids=["signed-out", "national"])
def test_the_trajectory_pages_have_no_wcag_violation_and_fit_a_phone(server, browser, role):
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        if role:
            sign_in(page, server.url, role, "/tcam/trajectories")
        found, widths = {}, {}
        for path in PAGES:
            goto(page, server.url + path)
            if width == 1280:
                violations = Axe().run(page, options=WCAG).response["violations"]
                found[path] = [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in violations]
            widths[path] = page.evaluate("document.documentElement.scrollWidth")
        context.close()
        assert {p: v for p, v in found.items() if v} == {}
        assert {p: w for p, w in widths.items() if w > width} == {}
