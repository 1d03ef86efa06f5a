"""The Pathways page as a user sees it, in headless Chromium, from a live gunicorn on the demo data
with its illustrative conditions (as `make run` serves it): the review's pathway in words, a
condition ticked making a new address, the live AHSNs, recording conditions with a preview, and
no WCAG 2.2 AA violation, before and after Dash, or page wider than a phone."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from etl.store import Store
from etl.users import Users
from tests.browser.steps import goto, sign_in, submit
from tests.conftest import DEMO_RETURNS, DEMO_TRAJECTORIES, ROOT
from tests.live import LiveServer
from tests.upload_helpers import PASSWORD

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]}}
PAGES = [
    "/tcam/pathways",
    "/tcam/pathways?cases=live&quarter=Q3%202019/20",
    "/tcam/pathways?cases=review&solution=conservative",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("pathways-pages") / "store"
    Store(
        root,
        demo_returns=DEMO_RETURNS,
        demo_trajectories=DEMO_TRAJECTORIES,
        demo_conditions=ROOT / "data" / "demo" / "conditions",
    ).ensure()
    Users(root).add("national-team", PASSWORD, "national")
    live = LiveServer({"METRICS_DATA": str(root)})
    yield live
    live.stop()


def violations(page) -> list[str]:
    found = Axe().run(page, options=WCAG).response["violations"]
    return [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in found]


def test_the_page_has_no_wcag_violation_before_or_after_dash_and_fits_a_phone(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    found, widths = {}, {}
    for path in PAGES:
        goto(page, server.url + path)
        found[path] = violations(page)
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert {p: v for p, v in found.items() if v} == {}
    assert {p: w for p, w in widths.items() if w > 390} == {}
    before = browser.new_context(viewport={"width": 1280, "height": 900})
    page = before.new_page()
    page.route("**/_dash-component-suites/**", lambda route: route.abort())  # Dash never starts
    page.route("**/assets/*.js*", lambda route: route.abort())
    page.goto(server.url + "/tcam/pathways")
    page.locator("#prerendered h1").wait_for()
    assert "NONDELAY*PHARMA" in page.locator("#prerendered #pathways-summary").inner_text()
    assert page.locator("#prerendered input[type=checkbox]:checked").count() == 4
    assert violations(page) == []
    before.close()


def test_ticking_a_condition_makes_a_new_address_and_a_new_analysis(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    goto(page, server.url + "/tcam/pathways")
    summary = page.locator("#pathways-summary")
    assert "one pathway: a prompt start and a pharmacist at the AHSN" in summary.inner_text()
    page.get_by_label("INTERSECT (stakeholders from several sectors)").uncheck()
    page.wait_for_url("**conditions=NONDELAY%2CADOPT%2CPHARMA**")
    page.wait_for_function("!document.location.search.includes('INTERSECT')")
    page.locator("#pathways-truth").wait_for()
    assert page.locator("#pathways-truth thead th").all_inner_texts()[1:4] == ["NONDELAY", "ADOPT", "PHARMA"]
    submit(page, page.locator("#pathways-cases-live"))
    assert "Illustrative conditions" in page.locator("#pathways-illustrative").inner_text()
    assert "UCLP (no conditions recorded)" in page.locator("#pathways-left-out").inner_text()
    assert errors == []
    context.close()


def test_the_national_team_records_conditions_after_a_preview(server, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, server.url, "national-team", then="/tcam/pathways")
    file = tmp_path / "uclp.csv"
    file.write_text("AHSN,Condition,Present,Evidence\nUCLP,NONDELAY,yes,began at once\nUCLP,PHARMA,0,none\n")
    page.locator("#conditions-upload input[type=file]").set_input_files(str(file))
    page.locator("#conditions-confirm").wait_for()
    assert "present: 'yes' read as 1 in row 2" in page.locator("#conditions-result").inner_text()
    page.locator("#conditions-reason").fill("from the spring interviews")
    submit(page, page.locator("#conditions-confirm"))
    assert "Stored: new conditions for UCLP" in page.locator("#conditions-stored").inner_text()
    context.close()
