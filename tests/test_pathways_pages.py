"""The Pathways page, its downloads and recording conditions, called on a real app and store (the
demo data with its illustrative conditions), without a browser."""

from __future__ import annotations

import base64
import csv
import importlib
import io
import json

import pytest
from flask import session
from upload_helpers import PASSWORD, sign_in

from dashboard.context import services
from dashboard.presentation.pathways import PathwaysView
from etl import queries
from etl.programmes import TCAM
from etl.queries import Database
from etl.store import Store
from etl.users import Users
from tests.conftest import DEMO_RETURNS, ROOT, make_app, page_request, settings_for
from tests.test_page_layouts import find, text_of

DEMO_CONDITIONS = ROOT / "data" / "demo" / "conditions"
WESSEX = b"ahsn,condition,present,evidence\nWessex,NONDELAY,yes,began April 2018\nWessex,PHARMA,0,no pharmacist\n"


@pytest.fixture(scope="module")
def conditions_template(tmp_path_factory):
    root = tmp_path_factory.mktemp("pathways") / "store"
    Store(root, demo_returns=DEMO_RETURNS, demo_conditions=DEMO_CONDITIONS).ensure()
    return root


@pytest.fixture
def cstore(conditions_template, tmp_path) -> Store:
    import shutil

    root = tmp_path / "store"
    shutil.copytree(conditions_template, root)
    return Store(root)


@pytest.fixture
def app(cstore):
    accounts = Users(cstore.root)
    accounts.add("nat", PASSWORD, "national")
    accounts.add("wessex", PASSWORD, "ahsn", "Wessex")
    return make_app(settings_for(cstore.root))


@pytest.fixture
def page(app):
    return importlib.import_module("dashboard.pages.pathways")


@pytest.fixture
def as_user(app):
    contexts = []

    def context(name: str | None = None, path: str = "/pathways"):
        while contexts:
            contexts.pop().pop()
        ctx = page_request(app, path)
        ctx.push()
        if name:
            user = services().users.get(name)
            session["sid"], _csrf = services().sessions.start(user.name, user.stamp)
        contexts.append(ctx)

    yield context
    while contexts:
        contexts.pop().pop()


def test_the_review_case_set_gives_the_reviews_pathway_in_words_first(app):
    client = app.server.test_client()
    response = client.get("/tcam/pathways")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "one pathway: a prompt start and a pharmacist at the AHSN (" in text
    assert "NONDELAY*PHARMA" in text and "covers all 7 AHSNs at target" in text
    assert "anonymised as published" in text
    # the tables: Table 8.5's solution for failure, the remainders, a flagged variation
    assert "M1: nondelay + pharma" in text
    assert "⚠ too little" in text and "logical remainders" in text
    assert "Small N: 15 cases" in text


def test_the_live_case_set_lists_the_ahsns_left_out_and_says_the_conditions_are_illustrative(as_user, page):
    as_user()
    layout = page.layout(cases="live", quarter="Q3 2019/20")
    assert "Illustrative conditions" in text_of(find(layout, "pathways-illustrative"))
    left = text_of(find(layout, "pathways-left-out"))
    assert "UCLP (no conditions recorded)" in left and "NENC (PHARMA not recorded)" in left
    assert "13 cases" in text_of(find(layout, "pathways-method"))
    assert "Sign in" in text_of(find(layout, "conditions-record"))


def test_the_state_is_read_from_the_address_and_bad_choices_fall_back_and_are_said():
    columns = ["NONDELAY", "PHARMA", "ADOPT", "OUTCOME"]
    view = PathwaysView.read(
        "tcam",
        {"conditions": "PHARMA,NOPE,NONDELAY", "solution": "magic", "cases": "live", "quarter": "Q9 2020"},
        columns,
        ("NONDELAY",),
        ["Q2 2020/21", "Q1 2020/21"],
        True,
    )
    assert view.conditions == ("NONDELAY", "PHARMA") and view.solution == "parsimonious"
    assert view.quarter == "Q2 2020/21" and len(view.notes) == 3
    assert view.search(solution="conservative") == (
        "?cases=live&quarter=Q2+2020%2F21&conditions=NONDELAY%2CPHARMA&solution=conservative"
    )


def test_the_downloads_hold_the_analysis_the_page_shows(app):
    client = app.server.test_client()
    query = "?cases=review&conditions=NONDELAY,ADOPT,PHARMA,INTERSECT"
    body = json.loads(client.get(f"/pathways/analysis.json{query}").data)
    [model] = body["solutions"]["1"]
    assert [t["term"] for t in model["terms"]] == ["NONDELAY*PHARMA"]
    assert [m["expression"] for m in body["solutions"]["0"]] == ["nondelay + pharma"]
    rows = list(
        csv.reader(io.StringIO(client.get(f"/pathways/truth-table.csv{query}").get_data(as_text=True).lstrip("\ufeff")))
    )
    assert rows[0] == ["configuration", "NONDELAY", "ADOPT", "PHARMA", "INTERSECT", "outcome", "consistency", "cases"]
    live = json.loads(client.get("/pathways/analysis.json?cases=live&quarter=Q3%202019/20").data)
    assert live["illustrative"] is True and {"ahsn": "UCLP", "why": "no conditions recorded"} in live["left_out"]
    assert "text/csv" not in client.get("/pathways/nothing.csv").content_type


def data_url(content: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(content).decode()


def test_only_the_national_team_may_record_conditions_and_sees_a_preview_first(as_user, page):
    as_user("wessex")
    assert "Conditions are recorded by the national team" in text_of(find(page.layout(), "conditions-record"))
    assert "may not record conditions" in text_of(page.check_conditions(data_url(WESSEX), "w.csv"))
    as_user("nat")
    preview = text_of(page.check_conditions(data_url(WESSEX), "w.csv"))
    assert "w.csv passed the checks: conditions for Wessex" in preview
    assert "NONDELAY: present -> present" not in preview and "PHARMA: present -> absent" in preview
    assert "present: 'yes' read as 1 in row 2" in preview
    bad = b"ahsn,condition,present\nWessex,NONDELAY,0.67\nAtlantis,PHARMA,1\n"
    problems = text_of(page.check_conditions(data_url(bad), "bad.csv"))
    assert (
        "2 present" in problems
        and "fuzzy-set score" in problems
        and "'Atlantis' is not one of the 15 AHSNs" in problems
    )


def test_storing_and_restoring_conditions_checks_the_user_and_keeps_every_version(app, cstore):
    client = app.server.test_client()
    csrf = sign_in(client, "", "wessex")
    refused = client.post(
        "/pathways/conditions/commit", data={"csrf_token": csrf, "reason": "x", "file": (io.BytesIO(WESSEX), "w.csv")}
    )
    assert refused.status_code == 403
    client = app.server.test_client()
    csrf = sign_in(client, "", "nat")
    stored = client.post(
        "/pathways/conditions/commit",
        data={"csrf_token": csrf, "reason": "from the spring interviews", "file": (io.BytesIO(WESSEX), "w.csv")},
    )
    assert stored.status_code == 200, stored.get_data(as_text=True)
    cstore.make_current()
    db = Database(cstore)
    versions = queries.condition_versions(db, TCAM, "Wessex")
    assert versions.iloc[0][["version", "by_user", "reason", "recorded"]].tolist() == [
        2,
        "nat",
        "from the spring interviews",
        2,
    ]
    restored = client.post(
        "/pathways/conditions/restore", data={"csrf_token": csrf, "reason": "back", "ahsn": "Wessex", "version": "1"}
    )
    assert restored.status_code == 200, restored.get_data(as_text=True)
    cstore.make_current()
    versions = queries.condition_versions(db, TCAM, "Wessex")
    assert versions.iloc[0][["version", "restored_version", "recorded"]].tolist() == [3, 1, 12]
