"""Trajectories and milestones on the pages, the downloads and the endpoints, called on a real app
and store (the demo data with the demo trajectories), without a browser."""

from __future__ import annotations

import base64
import csv
import importlib
import io
from dataclasses import replace
from types import SimpleNamespace

import openpyxl
import pytest
from flask import session
from upload_helpers import sign_in

from dashboard.context import services
from etl import queries
from etl.permissions import Action, allowed
from etl.programmes import TCAM
from etl.queries import Database
from etl.report import national_table, to_csv
from etl.users import User, Users
from tests.conftest import FIXTURES, ROOT, make_app, page_request, settings_for
from tests.returns import filled_return, trust_codes
from tests.test_page_layouts import find, text_of

PASSWORD = "a long enough password"
TABLE_8_1 = (ROOT / "data" / "reference" / "tcam_table_8_1.csv").read_text()


@pytest.fixture
def app(tstore):
    accounts = Users(tstore.root)
    accounts.add("nat", PASSWORD, "national")
    accounts.add("wessex", PASSWORD, "ahsn", "Wessex")
    return make_app(settings_for(tstore.root))


@pytest.fixture
def pages(app) -> SimpleNamespace:
    names = ("ahsn", "compare", "national", "trajectories")
    return SimpleNamespace(**{n: importlib.import_module(f"dashboard.pages.{n}") for n in names})


@pytest.fixture
def as_user(app):
    """A request context signed in as the named user (None: signed out)."""
    contexts = []

    def context(name: str | None = None):
        while contexts:
            contexts.pop().pop()
        ctx = page_request(app)
        ctx.push()
        if name:
            user = services().users.get(name)
            session["sid"], _csrf = services().sessions.start(user.name, user.stamp)
        contexts.append(ctx)

    yield context
    while contexts:
        contexts.pop().pop()


def test_table_8_1_is_unchanged_by_the_trajectories(tstore):
    db = Database(tstore)
    from etl.report import default_quarters

    assert to_csv(national_table(db, TCAM, default_quarters(db, TCAM))) == TABLE_8_1


def test_the_ahsn_page_says_where_it_stands_against_its_trajectory_and_the_next_step(as_user, pages):
    as_user()
    page = pages.ahsn.layout(slug="innovation-agency")
    assert text_of(find(page, "ahsn-trajectory-now")) == (
        "Against its own trajectory. ○ Behind its trajectory in Q2 2020/21: 56% against 60% (its step for this "
        "quarter), 1 acute trust short."
    )
    nxt = text_of(find(page, "ahsn-trajectory-next"))
    assert nxt.startswith(
        "Next step, 65% by Q4 2020/21: 2 more acute trusts reaching level 4 (Live) would meet "
        "it (11 of 16). Nearest (acute trusts at level 3 Implementing): "
    )
    assert "Trajectory version 1, set by demo data on" in text_of(find(page, "ahsn-trajectory"))
    kss = pages.ahsn.layout(slug="kss")
    assert text_of(find(kss, "ahsn-trajectory-now")).endswith(
        "✓ On its trajectory in Q2 2020/21: 50% against 50% (its step for this quarter), exactly on it."
    )
    # the chart: the target, England and KSS as lines; the trajectory as steps with its own legend entry
    chart = find(kss, "ahsn-rate-chart").figure
    assert [t["name"] for t in chart["data"]] == ["Target 50%", "England", "KSS"]
    shapes = chart["layout"]["shapes"]
    assert [s["name"] for s in shapes if s["showlegend"]] == ["KSS's trajectory"]
    levels = [s["y0"] for s in shapes if s["y0"] == s["y1"]]
    assert levels == [10, 10, 10, 10, 30, 30, 50]  # Q4 2018/19 to Q2 2020/21, a step a quarter
    assert chart["data"][2]["customdata"][-1] == "5 of 10 acute trusts<br>trajectory: 50%"


def test_west_of_england_page_celebrates_every_trust_live_in_q2_2020_21(as_user, pages):
    as_user()
    page = pages.ahsn.layout(slug="west-of-england")
    now = [text_of(li) for li in find(page, "ahsn-milestones-now").children]
    assert "★ West of England had every acute trust live: all 6." in now
    assert "★ West of England met its trajectory step of 85% for Q2 2020/21: 100% (6 of 6 acute trusts)." in now
    earlier = text_of(find(page, "ahsn-milestones-earlier"))
    assert "Q3 2018/19: West of England made 1,000 referrals or more in a quarter for the first time: 1,043." in earlier


def test_without_trajectories_the_pages_show_the_flat_target_only(store):
    app = make_app(settings_for(store.root))  # the demo data without the demo trajectories
    with page_request(app):
        ahsn = importlib.import_module("dashboard.pages.ahsn").layout(slug="kss")
        assert find(ahsn, "ahsn-trajectory") is None
        assert "shapes" not in find(ahsn, "ahsn-rate-chart").figure["layout"]
        national = importlib.import_module("dashboard.pages.national").layout(against="trajectory")
        assert text_of(find(national, "national-trajectory-sentence")).startswith(
            "On or above their own trajectory: no AHSN had a trajectory target in Q3 2018/19"
        )
        cells = find(national, "national-table-grid").children[2].children[0].children[1:4]
        assert {c.className for c in cells} == {"c no-trajectory rate"}
        assert "Oxford has no trajectory" in cells[0].children.title


def test_the_national_overview_marks_rates_against_each_trajectory_when_asked(as_user, pages):
    as_user("nat")  # provisional figures are asked for below: the national team's
    default = pages.national.layout()
    assert find(default, "national-trajectory-sentence") is None
    assert text_of(find(default, "national-against")) == (
        "Mark the rates against: the national 50% target · each AHSN's own trajectory"
    )
    assert find(default, "against-trajectory").href == "/tcam/?against=trajectory"
    page = pages.national.layout(against="trajectory", quarters="Q3 2019/20,Q2 2020/21", provisional="1")
    assert find(page, "against-target").href == "/tcam/?quarters=Q3%202019/20,Q2%202020/21&provisional=1"
    assert text_of(find(page, "national-trajectory-sentence")) == (
        "On or above their own trajectory: 11 of the 14 AHSNs with a trajectory target and a return in Q3 2019/20; "
        "9 of the 15 AHSNs with a trajectory target and a return in Q2 2020/21."
    )
    rows = {text_of(r.children[0]): r.children[1:] for r in find(page, "national-table-grid").children[2].children}
    oxford = rows["Oxford"]
    assert (oxford[0].className, text_of(oxford[0].children.children[0])) == ("c no-trajectory rate", "20%")
    assert (oxford[1].className, text_of(oxford[1].children.children[0])) == ("c behind-trajectory rate", "○ 20%")
    assert "Behind its trajectory of 40% for Q2 2020/21: 1 acute trust short" in oxford[1].children.title
    woe = rows["West of England"]
    assert (woe[1].className, text_of(woe[1].children.children[0])) == ("c on-trajectory rate", "✓ 100%")
    assert rows["England (Total)"][1].className == "c no-trajectory rate"
    legend = text_of(find(page, "national-legend"))
    assert "On or above its own trajectory" in legend and "Behind its own trajectory" in legend
    assert find(page, "national-trajectory-note") is not None
    assert find(page, "national-download-csv").href == (
        "/tcam/download/national.csv?quarters=Q3%202019/20,Q2%202020/21&provisional=1&against=trajectory"
    )


def test_the_national_overview_lists_recent_milestones_a_to_z(as_user, pages):
    as_user()
    section = find(pages.national.layout(), "national-milestones")
    text = text_of(section)
    assert text.startswith("Recent milestones")
    assert [text_of(c) for c in section.children if type(c).__name__ == "H3"] == ["Q2 2020/21", "Q1 2020/21"]
    assert "West of England had every acute trust live: all 6" in text
    lists = [c for c in section.children if type(c).__name__ == "Ul"]
    names = [text_of(li.children[1]).split(" ")[0] for li in lists[0].children]
    assert names == sorted(names, key=str.lower)  # A to Z, never an order of merit


def test_a_milestone_of_a_quarter_not_yet_published_is_marked_provisional(as_user, pages, tstore):
    db = Database(tstore)
    codes = [c for c, level, kind in trust_codes(db, "NENC") if kind == "acute" and level < 4]
    tstore.load([("nenc.csv", filled_return(db, "NENC", levels=dict.fromkeys(codes, 4)))], TCAM)
    as_user("nat")  # provisional figures: the national team's
    section = find(pages.national.layout(provisional="1"), "national-milestones")
    assert [text_of(c) for c in section.children if type(c).__name__ == "H3"] == [
        "Q3 2020/21 (provisional)",
        "Q2 2020/21",
    ]
    assert "NENC had every acute trust live: all 16." in text_of(section)
    assert "Q3 2020/21" not in text_of(find(pages.national.layout(), "national-milestones"))  # published only


def test_compare_draws_each_ahsns_trajectory_in_its_small_chart(as_user, pages):
    as_user()
    page = pages.compare.layout()
    for slug in ("kss", "oxford", "west-of-england"):
        shapes = find(page, f"compare-{slug}").figure["layout"]["shapes"]
        assert shapes and all(0 <= s["x0"] <= s["x1"] <= 9 for s in shapes)  # within the shared axes
    assert "and its own trajectory ( purple steps : the target each quarter" in text_of(find(page, "compare-key"))


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_downloads_follow_the_choice_and_hold_trajectories_and_milestones(app):
    client = app.server.test_client()
    default = rows_of(client.get("/download/national.csv"))
    assert not any("Trajectory" in h for h in default[0])
    marked = rows_of(client.get("/download/national.csv?against=trajectory"))
    head = marked[0]
    oxford = dict(zip(head, marked[1]))
    assert (oxford["Trajectory target Q2 2020/21 (%)"], oxford["On its trajectory Q2 2020/21"]) == ("40", "false")
    assert oxford["Trajectory target Q3 2018/19 (%)"] == ""
    book = openpyxl.load_workbook(io.BytesIO(client.get("/download/national.xlsx?against=trajectory").data)).active
    assert book.cell(5, 4).number_format == '"○ "0%' and book.cell(5, 4).value == pytest.approx(0.2)
    steps = rows_of(client.get("/download/trajectories.csv"))
    assert steps[0][:5] == ["AHSN", "Version", "Current", "By quarter", "Target (%)"]
    assert ["KSS", "1", "true", "Q2 2020/21", "50"] in [r[:5] for r in steps]
    found = rows_of(client.get("/download/milestones.csv"))
    assert ["Q2 2020/21", "West of England", "all-live", "West of England had every acute trust live: all 6."] in found
    compare = rows_of(client.get("/download/compare.csv"))
    kss = [dict(zip(compare[0], r)) for r in compare[1:] if r[0] == "KSS"]
    assert [r["Trajectory target (%)"] for r in kss] == ["", "", "", "10", "10", "10", "10", "30", "30", "50"]


def test_who_may_set_a_trajectory():
    nat, wessex = User("n", "national", None, "s"), User("w", "ahsn", "Wessex", "s")

    def may_set(user, programme, ahsn):
        return allowed(user, Action.SET_TRAJECTORY, ahsn=ahsn, programme=programme)

    assert may_set(nat, TCAM, "KSS") and may_set(wessex, TCAM, "Wessex") and not may_set(wessex, TCAM, "KSS")
    national_only = replace(TCAM, submitters_set_trajectories=False)
    assert may_set(nat, national_only, "Wessex") and not may_set(wessex, national_only, "Wessex")
    assert not may_set(None, TCAM, "Wessex")


def data_url(content: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(content).decode()


WESSEX_V2 = b"ahsn,quarter,target_percent,note\nHealth Innovation Wessex,Q4 2019/20,0.5,agreed\nWessex,Q4 2020/21,80,\n"


def test_the_page_previews_a_file_and_says_what_it_changes(as_user, pages):
    as_user()
    assert "Sign in to set a trajectory" in text_of(find(pages.trajectories.layout(), "trajectory-set"))
    as_user("wessex")
    layout = pages.trajectories.layout()
    assert find(layout, "trajectory-file-link").href == "/tcam/trajectories/file.csv?ahsn=wessex"
    preview = pages.trajectories.check_trajectory(data_url(WESSEX_V2), "wessex.csv")
    text = text_of(preview)
    assert "wessex.csv passed the checks: a trajectory for Wessex" in text
    assert (
        "Wessex version 2 25% by Q4 2018/19, 50% by Q2 2019/20, 65% by Q2 2020/21, 75% by Q4 2020/21 "
        "50% by Q4 2019/20, 80% by Q4 2020/21" in text
    )
    assert "target_percent: '0.5' read as 50% in row 2" in text
    assert text_of(find(preview, "trajectory-published-note")).startswith("Quarters up to Q2 2020/21 are published")
    assert find(preview, "trajectory-confirm") is not None
    other = pages.trajectories.check_trajectory(data_url(b"ahsn,quarter,target_percent\nKSS,Q4 2020/21,80\n"), "k.csv")
    assert "You may not set every trajectory in this file" in text_of(other)
    bad = (FIXTURES / "trajectories" / "bad" / "falling-and-duplicate.csv").read_bytes()
    problems = text_of(pages.trajectories.check_trajectory(data_url(bad), "falling.csv"))
    assert "2 problems in falling.csv: nothing was stored" in problems and "Wessex's target falls" in problems


def test_storing_checks_the_user_the_reason_and_the_file_again(app, tstore):
    db = Database(tstore)
    client = app.server.test_client()
    csrf = sign_in(client, "", "wessex")
    kss_file = (io.BytesIO(b"ahsn,quarter,target_percent\nKSS,Q4 2020/21,80\n"), "k.csv")
    other = client.post("/trajectories/commit", data={"csrf_token": csrf, "reason": "x", "file": kss_file})
    assert other.status_code == 403 and "KSS" in other.get_json()["error"]
    no_reason = client.post(
        "/trajectories/commit", data={"csrf_token": csrf, "reason": " ", "file": (io.BytesIO(WESSEX_V2), "w.csv")}
    )
    assert no_reason.status_code == 400
    no_csrf = client.post("/trajectories/commit", data={"reason": "x", "file": (io.BytesIO(WESSEX_V2), "w.csv")})
    assert no_csrf.status_code == 400
    assert len(queries.trajectory_versions(db, TCAM, "Wessex")) == 1
    stored = client.post(
        "/trajectories/commit",
        data={"csrf_token": csrf, "reason": "agreed at the March board", "file": (io.BytesIO(WESSEX_V2), "w.csv")},
    )
    assert stored.status_code == 200, stored.get_data(as_text=True)
    [event] = stored.get_json()["stored"]
    assert event["ahsn"] == "Wessex" and event["steps"] == [["Q4 2019/20", 50, "agreed"], ["Q4 2020/21", 80, None]]
    tstore.make_current()
    versions = queries.trajectory_versions(db, TCAM, "Wessex")
    assert versions.iloc[0][["version", "by_user", "reason"]].tolist() == [2, "wessex", "agreed at the March board"]
    original = client.get(f"/trajectories/{event['event']}/original")
    assert original.status_code == 200 and original.data == WESSEX_V2
    kss_version = int(queries.trajectory_versions(db, TCAM, "KSS")["event_id"].iloc[0])
    assert client.get(f"/trajectories/{kss_version}/original").status_code == 403
    assert app.server.test_client().get(f"/trajectories/{kss_version}/original").status_code == 401
    assert client.get("/trajectories/999999/original").status_code == 404
    again = client.post(
        "/trajectories/commit", data={"csrf_token": csrf, "reason": "again", "file": (io.BytesIO(WESSEX_V2), "w.csv")}
    )
    assert again.status_code == 409 and "nothing was stored" in again.get_json()["error"]


def test_a_preview_token_is_confirmed_by_the_page_form(app, tstore, pages):
    client = app.server.test_client()
    csrf = sign_in(client, "", "nat")
    with page_request(app):
        user = services().users.get("nat")
        token = services().pending.save(f"{user.name} trajectory", "w.csv", WESSEX_V2)
    stored = client.post(
        "/trajectories/commit", data={"csrf_token": csrf, "reason": "from the page", "token": token, "from_page": "1"}
    )
    assert stored.status_code == 303 and stored.headers["Location"].startswith("/trajectories?stored=")
    assert (
        client.post("/trajectories/commit", data={"csrf_token": csrf, "reason": "x", "token": token}).status_code == 404
    )
