"""What the history offers to download: first the rows as the figures count them, as a CSV safe
to open; second the file exactly as uploaded, labelled as unchecked. And every CSV or Excel
file the app or the command line writes keeps a spreadsheet from running a cell as a formula."""

from __future__ import annotations

import csv
import importlib
import io
import re
import time

import openpyxl
import pytest
from upload_helpers import as_json, build_seed_store, copy_store, fixture_bytes, sign_in

from etl.cli import main
from etl.templates import neutralise
from tests.conftest import make_app, settings_for

# what a spreadsheet would run: = + - @ first, or after spaces and control characters, or
# full-width; a plain number (-5) is only a number
RUNS = re.compile(r"^[\x00-\x20\x7f\xa0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]")
NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?$")
HOSTILE_NAME = '=HYPERLINK("evil.example","open").csv'
HOSTILE_USER = " =cmd|' /c calc'!A0"  # a space first: some spreadsheets skip it


def would_run(cell: str) -> bool:
    return bool(RUNS.match(cell)) and not NUMBER.match(cell)


def cells_of_csv(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for c in row]


@pytest.fixture(scope="module")
def seed_template(tmp_path_factory):
    root = tmp_path_factory.mktemp("downloads-seed") / "store"
    build_seed_store(root)
    return root


@pytest.fixture
def seed(seed_template, tmp_path):
    return copy_store(seed_template, tmp_path / "store")


@pytest.fixture
def app(seed):
    return make_app(settings_for(seed.root))


def store_hostile(client, store) -> int:
    """Store the hostile fixture as wessex; once the figures being served hold it."""
    csrf = sign_in(client, "", "wessex")
    page = client.post(
        "/upload/commit",
        data={"csrf_token": csrf, "file": (io.BytesIO(fixture_bytes("wessex-hostile.csv")), "wessex-hostile.csv")},
    )
    deadline = time.monotonic() + 30
    while not store.is_current() and time.monotonic() < deadline:  # published in the background
        time.sleep(0.05)
    return as_json(page)["stored"][0]["submission_id"]


def test_rows_as_counted_are_a_csv_of_what_the_figures_hold_safe_to_open(app, seed):
    client = app.server.test_client()
    submission = store_hostile(client, seed)
    page = client.get(f"/history/{submission}/counted.csv")
    assert page.status_code == 200
    assert page.headers["Content-Disposition"] == (
        f"attachment; filename=submission-{submission}-wessex-hostile-as-counted.csv"
    )
    assert page.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert page.headers["Cache-Control"] == "no-store"
    assert page.data.decode("utf-8-sig").splitlines() == [
        "row,quarter,ahsn,trust_code,trust_name,trust_type,adoption_level,referrals_made,referrals_completed,comment",
        "2,Q2 2020/21,Wessex,RHU,<script>alert('x')</script><b>Portsmouth</b>,acute,4,40,30,",
        '3,Q2 2020/21,Wessex,R1F,"\'=HYPERLINK(""http://evil.example"",""click"")",acute,4,12,10,',
        "4,Q2 2020/21,Wessex,RHM,'+Southampton General,acute,3,20,15,",
        "5,Q2 2020/21,Wessex,RN3,'@Great Western Hospitals,acute,2,0,0,",
        "6,Q2 2020/21,Wessex,RW1,'-Southern Health,mental_health,2,,,",
    ]
    # the original is still there, byte for byte, as the second choice
    original = client.get(f"/history/{submission}/original")
    assert original.data == fixture_bytes("wessex-hostile.csv")


def test_rows_as_counted_are_refused_as_the_original_is(app, seed):
    kss = next(e.id for e in seed.events() if e.returns[0].ahsn == "KSS")
    client = app.server.test_client()
    assert client.get(f"/history/{kss}/counted.csv").status_code == 401
    sign_in(client, "", "wessex")
    refused = client.get(f"/history/{kss}/counted.csv")
    assert refused.status_code == 403
    assert as_json(refused) == {
        "error": f"Submission {kss} holds returns of AHSNs you may not see (you are a submitter for Wessex)."
    }
    assert client.get("/history/999/counted.csv").status_code == 404
    assert client.get("/history/99999999999999999999999/counted.csv").status_code == 404


def test_the_history_offers_what_was_counted_first_and_the_original_labelled(app, seed):
    history = importlib.import_module("dashboard.pages.history")
    client = app.server.test_client()
    sign_in(client, "", "kss")
    kss = max(e.id for e in seed.events() if e.returns[0].ahsn == "KSS")  # listed first: newest
    page = client.post(
        "/_dash-update-component",
        json={
            "output": "..history-table.children...history-url.search..",
            "outputs": [{"id": "history-table", "property": "children"}, {"id": "history-url", "property": "search"}],
            "inputs": [
                {"id": "history-ahsn", "property": "value", "value": "KSS"},
                {"id": "history-quarter", "property": "value", "value": history.EVERY_QUARTER},
                {"id": "history-figures-poll", "property": "disabled", "value": True},
            ],
            "state": [{"id": "history-url", "property": "search", "value": ""}],
            "changedPropIds": [],
        },
    )
    links = [
        (link["props"]["href"], _text(link["props"]["children"]))
        for link in _components(as_json(page), "A")
        if "/history/" in link["props"].get("href", "")
    ]
    assert links[:2] == [
        (f"/history/{kss}/counted.csv", f"Rows as counted (CSV) for submission {kss}"),
        (
            f"/history/{kss}/original",
            f"File as uploaded for submission {kss} (unchecked: may hold formulas or links; open with care)",
        ),
    ]


def _components(node, kind: str):
    if isinstance(node, dict):
        if node.get("type") == kind:
            yield node
        for value in node.values():
            yield from _components(value, kind)
    elif isinstance(node, list):
        for value in node:
            yield from _components(value, kind)


def _text(node) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return "".join(_text(n) for n in node)
    if isinstance(node, dict):
        return _text(node.get("props", {}).get("children", ""))
    return ""


# ---- every writer --------------------------------------------------------------------------


def test_neutralise_catches_the_disguised_ways_in():
    for value in (
        "=1+1",
        "+1",
        "-1+1",
        "@SUM(1)",
        "\t=1",
        "\r=1",
        "\n=1",
        " =1",
        "\x00=1",
        "\u00a0=1",
        "\uff1dcmd|' /c calc'!A0",
        "\uff20SUM(A1)",
        "\u3000=1",
    ):
        assert neutralise(value) == "'" + value, repr(value)
    for value in ("Portsmouth", "a=b", "Q3 2019/20", "", "'=already"):
        assert neutralise(value) == value
    assert neutralise(-5) == -5 and neutralise(None) is None


def test_every_csv_and_excel_file_the_app_and_command_line_write_is_safe_to_open(app, seed, tmp_path, capsys):
    """A file with formula trust names and comments, stored under a formula file name by a formula user,
    then every writer: the command line's history, report and template, the web template, the
    rows as counted, and the national table's CSV and Excel downloads."""
    settings = settings_for(seed.root)
    hostile = tmp_path / HOSTILE_NAME
    lines = fixture_bytes("wessex-hostile.csv").decode().splitlines()
    hostile.write_text("\n".join([lines[0] + ",comment"] + [line + ",=1+1 said the trust" for line in lines[1:]]))
    assert main(["load", str(hostile), "--by", HOSTILE_USER], settings=settings) == 0
    capsys.readouterr()
    written: dict[str, list[str]] = {}
    # (nothing in the seed store is published: the report is asked for provisional figures)
    for command in (
        ["history"],
        ["report", "--provisional"],
        ["template", "--ahsn", "Wessex", "--quarter", "Q3 2020/21"],
    ):
        assert main(command, settings=settings) == 0
        written[f"etl {command[0]}"] = cells_of_csv(capsys.readouterr().out)
    client = app.server.test_client()
    sign_in(client, "", "nat")
    submission = seed.events()[-1].id
    written["web template"] = cells_of_csv(client.get("/upload/template?ahsn=Wessex&quarter=Q3+2020/21").text)
    written["rows as counted"] = cells_of_csv(client.get(f"/history/{submission}/counted.csv").text)
    # the data interface, every table and format, as served (the seed is not published: provisional)
    for table in ("national", "trusts", "ahsn/wessex", "compare", "returns"):
        query = "?provisional=1" if table != "returns" else "?quarter=Q3+2020/21"
        written[f"{table}.csv"] = cells_of_csv(client.get(f"/download/{table}.csv{query}").text)
        book = openpyxl.load_workbook(io.BytesIO(client.get(f"/download/{table}.xlsx{query}").data))
        written[f"{table}.xlsx"] = [
            c.value for sheet in book for row in sheet.iter_rows() for c in row if isinstance(c.value, str)
        ]
    assert [c for c in written["etl history"] if "HYPERLINK" in c or "calc" in c] == [
        "'" + HOSTILE_USER,
        "'" + HOSTILE_NAME,
    ]  # the hostile text is there, neutralised
    assert "'=1+1 said the trust" in written["rows as counted"]
    assert "'+Southampton General" in written["web template"] and "'+Southampton General" in written["etl template"]
    assert {name: [c for c in cells if would_run(c)] for name, cells in written.items()} == {
        name: [] for name in written
    }
