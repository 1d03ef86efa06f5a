"""The data interface (/download/...): numbers as numbers in CSV, Excel and JSON, the page's
query, the page's figures, and nothing a spreadsheet would run. On a real app and the demo store."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from dashboard.presentation import sheets, tables
from dashboard.presentation.national_table import STYLES, cells
from etl.programmes import TCAM
from etl.report import NationalTable, default_quarters, national_table
from etl.users import Users
from tests.conftest import make_app
from tests.upload_helpers import PASSWORD, sign_in

QUARTERS = "Q3 2018/19,Q3 2019/20,Q2 2020/21"


@pytest.fixture
def client(settings):
    return make_app(settings).server.test_client()


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def workbook(response):
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.data)).active


def test_national_csv_holds_the_pages_numbers_as_numbers(client, db):
    rows = csv_rows(client.get("/download/national.csv", query_string={"quarters": QUARTERS}))
    assert rows[0][:6] == [
        "AHSN",
        "Adoption rate Q3 2018/19 (%)",
        "Adoption rate Q3 2019/20 (%)",
        "Adoption rate Q2 2020/21 (%)",
        "Change Q3 2018/19 to Q3 2019/20 (percentage points)",
        "Change Q3 2019/20 to Q2 2020/21 (percentage points)",
    ]
    assert rows[0][6:8] == ["Acute trusts adopted Q3 2018/19", "Acute trusts Q3 2018/19"]
    table = national_table(db, TCAM, default_quarters(db, TCAM))
    shown = cells(table, TCAM)
    assert len(rows) == 1 + len(shown) and rows[-1][0] == "England (Total)"
    for row, (_facts, row_cells) in zip(rows[1:], shown):
        assert [int(v) for v in row[1:6]] == [c.value for c in row_cells]  # every one a plain number
        assert [int(v) for v in row[6:12]] == [v for c in row_cells[:3] for v in (c.adopted, c.trusts)]
        assert row[12:] == ["", "", ""]  # revised since first published: none on the demo data
    nenc = next(r for r in rows if r[0] == "NENC")
    assert nenc[4] == "-19"  # a fall is a negative number, not "▼ −19"


def test_national_excel_keeps_the_colours_and_symbols_as_formatting_over_numbers(client):
    sheet = workbook(client.get("/download/national.xlsx", query_string={"quarters": QUARTERS}))
    assert sheet.cell(1, 1).value.startswith("TCAM adoption rate by AHSN")
    assert (
        sheet.cell(2, 1).value.startswith("Data as of Q2 2020/21")
        and "/download/national.xlsx" in sheet.cell(2, 1).value
    )
    assert sheet.cell(4, 1).value == "AHSN"
    oxford = [sheet.cell(5, c) for c in range(1, 13)]
    assert oxford[0].value == "Oxford"
    assert [c.value for c in oxford[1:4]] == [0, 0.2, 0.2] and oxford[1].number_format.startswith("0%")
    assert oxford[1].fill.fgColor.rgb.endswith(STYLES["below"]["background"][1:])
    change = oxford[4]
    assert change.value == 20 and change.data_type == "n" and "▲ +" in change.number_format
    assert change.fill.fgColor.rgb.endswith(STYLES["increase"]["background"][1:])
    assert [c.value for c in oxford[6:8]] == [0, 5]
    west_of_england = next(r for r in sheet.iter_rows(min_row=5) if r[0].value == "West of England")
    assert west_of_england[5].value == 50 and "▲▲" in west_of_england[5].number_format
    total = next(r for r in sheet.iter_rows(min_row=5) if r[0].value == "England (Total)")
    assert total[0].font.b and total[3].value == pytest.approx(0.51)


def test_few_trusts_dagger_is_formatting_over_the_number(db):
    table = national_table(db, TCAM, default_quarters(db, TCAM))
    frame = table.frame.copy()
    q = table.quarters[0]
    frame.loc[0, [q.key, q.key + "_adopted", q.key + "_trusts"]] = [33, 1, 3]  # one of three trusts
    sheet = tables.national(NationalTable(table.quarters, frame), TCAM)
    cell = openpyxl.load_workbook(io.BytesIO(sheets.to_excel(sheet))).active.cell(5, 2)
    assert cell.value == pytest.approx(0.33) and cell.number_format == '0%" †"'


def test_national_json_for_analysts(client):
    body = client.get("/download/national.json", query_string={"quarters": QUARTERS}).get_json()
    assert body["columns"][1] == {"key": "rate_q3_2018_19", "name": "Adoption rate Q3 2018/19 (%)", "type": "integer"}
    assert body["rows"][0]["ahsn"] == "Oxford" and body["rows"][0]["change_q3_2018_19_to_q3_2019_20"] == 20
    assert body["as_of"].startswith("Data as of Q2 2020/21")


def test_the_download_takes_the_pages_query(client):
    rows = csv_rows(client.get("/download/national.csv?quarters=Q3%202018/19,Q2%202020/21"))
    assert rows[0][1:4] == [
        "Adoption rate Q3 2018/19 (%)",
        "Adoption rate Q2 2020/21 (%)",
        "Change Q3 2018/19 to Q2 2020/21 (percentage points)",
    ]
    response = client.get("/download/national.csv?quarters=Q3%202018/19,Q2%202020/21")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=tcam-national-q3_2018_19-to-q2_2020_21.csv"
    )


def test_no_return_is_blank_never_zero():
    frame_cells = [["A", None, 20, None]]
    sheet = sheets.Sheet(
        "t",
        "T",
        [
            sheets.Column("AHSN", "ahsn"),
            sheets.Column("R1", "r1", "percent"),
            sheets.Column("R2", "r2", "percent"),
            sheets.Column("C", "c", "points"),
        ],
        frame_cells,
    )
    assert list(csv.reader(io.StringIO(sheets.to_csv(sheet))))[1] == ["A", "", "20", ""]
    assert json.loads(sheets.to_json(sheet))["rows"][0] == {"ahsn": "A", "r1": None, "r2": 20, "c": None}
    book = openpyxl.load_workbook(io.BytesIO(sheets.to_excel(sheet))).active
    assert [book.cell(5, c).value for c in range(1, 5)] == ["A", None, 0.2, None]


def test_every_text_cell_is_neutralised_in_every_format(db):
    table = national_table(db, TCAM, default_quarters(db, TCAM))
    frame = table.frame.copy()
    frame.loc[0, "ahsn"] = '=HYPERLINK("http://evil.example","click")'
    sheet = tables.national(NationalTable(table.quarters, frame), TCAM)
    safe = '\'=HYPERLINK("http://evil.example","click")'
    assert list(csv.reader(io.StringIO(sheets.to_csv(sheet))))[1][0] == safe
    assert json.loads(sheets.to_json(sheet))["rows"][0]["ahsn"] == safe
    cell = openpyxl.load_workbook(io.BytesIO(sheets.to_excel(sheet))).active.cell(5, 1)
    assert cell.value == safe and cell.data_type == "s"


def test_trusts_download_is_every_trust_row_of_every_return_shown(client, db):
    rows = csv_rows(client.get("/download/trusts.csv", query_string={"quarters": QUARTERS}))
    head = rows[0]
    assert head[:6] == ["AHSN", "Quarter", "Trust code", "Trust name", "Trust type", "Counted toward the rate"]
    records = [dict(zip(head, r)) for r in rows[1:]]
    expected = db.query(
        "SELECT sum(all_trusts)::INTEGER AS n FROM ahsn_quarters WHERE list_contains(?, quarter)", [QUARTERS.split(",")]
    )["n"].iloc[0]
    assert len(records) == expected
    assert {r["Quarter"] for r in records} == set(QUARTERS.split(","))
    # the adopted acute trusts add up to the national table's numerators
    kss = [r for r in records if r["AHSN"] == "KSS" and r["Quarter"] == "Q2 2020/21"]
    assert sum(r["Adopted (counted, level 4 or above)"] == "true" for r in kss) == 5
    assert sum(r["Counted toward the rate"] == "true" for r in kss) == 10
    assert {r["Trust type"] for r in kss if r["Counted toward the rate"] == "false"} == {"mental health", "community"}


def test_ahsn_download_is_its_trust_table_in_the_pages_order(client):
    rows = csv_rows(client.get("/download/ahsn/kss.csv?sort=level"))
    head = rows[0]
    levels = [int(r[head.index("Adoption level")]) for r in rows[1:]]
    assert levels == sorted(levels, reverse=True)
    mental = next(r for r in rows[1:] if r[head.index("Trust type")] == "mental health")
    assert mental[head.index("Counted toward the rate")] == "false"
    assert mental[head.index("Adopted (counted, level 4 or above)")] == "false"
    sheet = workbook(client.get("/download/ahsn/kss.xlsx"))
    assert sheet.cell(1, 1).value == "Trusts in the KSS return for Q2 2020/21"
    completion = [sheet.cell(r, 14) for r in range(5, 17) if sheet.cell(r, 14).value is not None]
    assert completion and all(0 < c.value <= 1 and c.number_format == "0%" for c in completion)
    assert client.get("/download/ahsn/atlantis.csv").status_code == 404


def test_compare_levels_and_unknown_tables(client):
    rows = csv_rows(client.get("/download/compare.csv"))
    assert rows[0][:3] == ["AHSN", "Quarter", "Adoption rate (%)"]
    assert rows[1][0] == "East Midlands"  # A to Z, as the page
    assert csv_rows(client.get("/download/compare.csv?sort=latest"))[1][0] == "West of England"
    assert csv_rows(client.get("/download/levels.csv"))[4] == ["4", "Live", TCAM.level(4).description, "true"]
    assert client.get("/download/atlantis.csv").status_code == 404
    assert client.get("/download/national.txt").status_code == 404


def test_returns_download_is_for_the_national_team_only(settings, store):
    app = make_app(settings)
    assert app.server.test_client().get("/download/returns.csv").status_code == 401
    accounts = Users(store.root)
    accounts.add("kss-user", PASSWORD, "ahsn", "KSS")
    accounts.add("nat-user", PASSWORD, "national")
    submitter, national = app.server.test_client(), app.server.test_client()
    sign_in(submitter, "", "kss-user")
    assert submitter.get("/download/returns.csv").status_code == 403
    sign_in(national, "", "nat-user")
    rows = csv_rows(national.get("/download/returns.csv?quarter=Q2%202020/21"))
    returned = rows[0].index("Returned")
    assert len(rows) == 16 and all(r[returned] == "true" for r in rows[1:])


# ---- revised figures, marked in every download (issue 20) -------------------------------------


@pytest.fixture
def revised(store, db):
    """KSS's Q2 2020/21 revised after sign-off (one more trust live: 50% -> 60%), approved."""
    from etl.quarters import Quarter
    from tests.returns import filled_return, trust_codes

    q2 = Quarter.parse("Q2 2020/21")
    not_live = next(c for c, level, kind in trust_codes(db, "KSS", q2) if level < 4 and kind == "acute")
    [accepted] = store.load([("kss-q2.csv", filled_return(db, "KSS", q2, levels={not_live: 4}))], TCAM)
    store.decide_revision(accepted.submission_id, True, "the trust went live in September", by="nat")
    return not_live


def test_a_revised_rate_is_marked_in_the_national_csv_json_and_excel(client, revised):
    rows = csv_rows(client.get("/download/national.csv", query_string={"quarters": QUARTERS}))
    assert rows[0][-3:] == ["Revised Q3 2018/19", "Revised Q3 2019/20", "Revised Q2 2020/21"]
    kss = next(r for r in rows if r[0] == "KSS")
    assert kss[3] == "60"
    assert kss[-1].startswith("Revised ") and kss[-1].endswith(
        ": first published 50%, now 60%. Why: the trust went live in September"
    )
    assert kss[-3:-1] == ["", ""]
    total = rows[-1]
    assert total[-1] == "Includes revised figures (KSS) since Q2 2020/21 was published"
    data = json.loads(client.get("/download/national.json", query_string={"quarters": QUARTERS}).data)
    [kss_json] = [r for r in data["rows"] if r["ahsn"] == "KSS"]
    assert kss_json["revised_q2_2020_21"] == kss[-1] and kss_json["revised_q3_2019_20"] is None
    assert any("first published" in n and "?figures=first-published" in n for n in data["notes"])
    ws = workbook(client.get("/download/national.xlsx", query_string={"quarters": QUARTERS}))
    header = [c.value for c in ws[4]]
    at = header.index("Adoption rate Q2 2020/21 (%)")
    kss_row = next(r for r in ws.iter_rows(min_row=5) if r[0].value == "KSS")
    assert kss_row[at].value == 0.6 and "✎" in kss_row[at].number_format  # a symbol, not colour alone
    assert "✎" not in kss_row[at - 1].number_format
    assert any(isinstance(c.value, str) and c.value.startswith("44% ✎") for c in ws["A"])  # the key


def test_first_published_figures_in_the_downloads_are_what_the_board_saw(client, revised):
    query = {"quarters": QUARTERS, "figures": "first-published"}
    rows = csv_rows(client.get("/download/national.csv", query_string=query))
    kss = next(r for r in rows if r[0] == "KSS")
    assert kss[3] == "50" and ": first published 50%, since revised to 60%" in kss[-1]
    trusts = csv_rows(client.get("/download/trusts.csv", query_string=query))
    head = trusts[0]
    row = next(r for r in trusts if r[2] == revised and r[1] == "Q2 2020/21")
    assert row[head.index("Adoption level")] != "4"
    assert "since revised to 4" in row[head.index("Revised since first published")]
    now = csv_rows(client.get("/download/trusts.csv", query_string={"quarters": QUARTERS}))
    row = next(r for r in now if r[2] == revised and r[1] == "Q2 2020/21")
    assert row[head.index("Adoption level")] == "4"
    said = row[head.index("Revised since first published")]
    assert said.startswith("Revised ") and said.endswith(
        " (approved revision): level first published 3, now 4; referrals made first published blank, now 100; "
        "referrals completed first published blank, now 60. Why: the trust went live in September"
    )
    # a trust is marked exactly where its figures differ from what was first published
    figures = [head.index(c) for c in ("Trust type", "Adoption level", "Referrals made", "Referrals completed")]
    then = {r[2]: [r[i] for i in figures] for r in trusts if r[0] == "KSS" and r[1] == "Q2 2020/21"}
    kss_now = [r for r in now if r[0] == "KSS" and r[1] == "Q2 2020/21"]
    assert {r[2] for r in kss_now if r[head.index("Revised since first published")]} == {
        r[2] for r in kss_now if [r[i] for i in figures] != then[r[2]]
    }
    assert any(not r[head.index("Revised since first published")] for r in kss_now)


def test_an_ahsn_s_trusts_download_marks_the_revised_trust(client, revised):
    rows = csv_rows(client.get("/download/ahsn/kss.csv"))
    head = rows[0]
    [row] = [r for r in rows if r[2] == revised]
    assert row[head.index("Adoption level")] == "4" and "level first published" in row[-1]
    first = csv_rows(client.get("/download/ahsn/kss.csv", query_string={"figures": "first-published"}))
    [row] = [r for r in first if r[2] == revised]
    assert row[head.index("Adoption level")] != "4" and "since revised to 4" in row[-1]
    ws = workbook(client.get("/download/ahsn/kss.xlsx"))
    header = [c.value for c in ws[4]]
    level = header.index("Adoption level")
    marked = [r for r in ws.iter_rows(min_row=5) if r[2].value == revised]
    assert "✎" in marked[0][level].number_format
    data = json.loads(client.get("/download/ahsn/kss.json").data)
    assert revised in [r["trust_code"] for r in data["rows"] if r["revised"]]
    assert all(r["revised"] is None for r in data["rows"] if r["quarter"] != "Q2 2020/21")
