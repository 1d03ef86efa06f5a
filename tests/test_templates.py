"""The Excel template: the AHSN's trusts pre-filled, drop-down lists, the columns explained,
every cell neutralised, and it reads back through the same parser unchanged. And what
`etl load --check` prints of a file's reading."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl

from etl.cli import main
from etl.programmes import TCAM
from etl.reading.limits import ReadLimits
from etl.templates import csv_columns, template_rows, template_xlsx
from etl.validate import parse_return
from tests.conftest import make_app
from tests.returns import NEXT_QUARTER, filled_return

# TCAM's template, as it always was
CSV_COLUMNS = [
    "quarter",
    "ahsn",
    "trust_code",
    "trust_name",
    "trust_type",
    "adoption_level",
    "referrals_made",
    "referrals_completed",
]

TODAY = dt.date(2026, 11, 22)
MESSY = Path(__file__).parent / "fixtures" / "messy"


def test_the_excel_template_reads_back_unchanged(store, db):
    rows = template_rows(db, TCAM, "Wessex", NEXT_QUARTER)
    assert len(rows) > 3
    result = parse_return("wessex.xlsx", template_xlsx(db, TCAM, "Wessex", NEXT_QUARTER), TCAM, ReadLimits(), TODAY)
    assert result.ok, result.problems
    assert [
        [
            r.quarter.label,
            r.ahsn,
            r.trust_code,
            r.trust_name,
            r.trust_type,
            r.adoption_level,
            r.referrals_made,
            r.referrals_completed,
        ]
        for r in result.records
    ] == [[*row[:6], None, None] for row in rows]
    assert all(r.trust_type_given and r.comment is None for r in result.records)
    # the only reading: the explanations sheet is not the return
    assert [str(i) for i in result.interpretations] == [
        "the return was read from sheet 'Return'; sheet 'About the columns' holds no return table and was not read"
    ]


def test_the_excel_template_has_drop_down_lists_and_explains_every_column(store, db):
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx(db, TCAM, "Wessex", NEXT_QUARTER)))
    sheet = book["Return"]
    assert csv_columns(TCAM) == CSV_COLUMNS
    assert [c.value for c in sheet[1]] == CSV_COLUMNS + ["comment"]
    lists = {
        str(dv.sqref).split(":")[0][0]: dv.formula1 for dv in sheet.data_validations.dataValidation if dv.type == "list"
    }
    assert lists == {"F": '"1,2,3,4,5"', "E": '"acute,mental_health,community,other"'}
    whole = [dv for dv in sheet.data_validations.dataValidation if dv.type == "whole"]
    assert {str(dv.sqref).split(":")[0][0] for dv in whole} == {"G", "H"}
    about = book["About the columns"]
    assert [r[0].value for r in about.iter_rows(min_row=2)] == CSV_COLUMNS + ["comment"]
    assert "4 Live: Referrals are being sent" in about["B7"].value


def test_every_cell_a_template_writes_is_neutralised(store, db):
    hostile = filled_return(db, "Wessex").decode().splitlines()
    code = hostile[1].split(",")[2]
    hostile[1] = hostile[1].replace(hostile[1].split(",")[3], '"=HYPERLINK(""http://evil.example"")"')
    store.load([("w.csv", ("\n".join(hostile) + "\n").encode())], TCAM, today=TODAY)
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx(db, TCAM, "Wessex", NEXT_QUARTER + 1)))
    names = {r[2].value: r[3].value for r in book["Return"].iter_rows(min_row=2)}
    assert names[code] == '\'=HYPERLINK("http://evil.example")'
    formulas = [c.coordinate for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_the_template_command_writes_an_excel_workbook(store, settings, tmp_path, capsys):
    out = tmp_path / "wessex.xlsx"
    assert (
        main(
            ["template", "--ahsn", "KSS AHSN", "--quarter", "Q3 2020/21", "--format", "xlsx", "--output", str(out)],
            settings=settings,
        )
        == 0
    )
    assert parse_return("kss.xlsx", out.read_bytes(), TCAM, ReadLimits(), TODAY).ok
    assert main(["template", "--ahsn", "KSS", "--quarter", "Q3 2020/21", "--format", "xlsx"], settings=settings) == 1
    assert "give the file with --output" in capsys.readouterr().err


def test_the_template_endpoint_serves_the_excel_workbook(settings):
    from upload_helpers import PASSWORD, sign_in

    from etl.users import Users

    Users(settings.data_dir).add("asha", PASSWORD, "ahsn", "Wessex")
    client = make_app(settings).server.test_client()
    sign_in(client, "", "asha")  # filled in from Wessex's last return: its own submitter's
    page = client.get("/upload/template?ahsn=Wessex&quarter=Q3+2020/21&format=xlsx")
    assert page.status_code == 200
    assert page.headers["Content-Disposition"] == "attachment; filename=tcam-return-wessex-q3_2020_21.xlsx"
    assert page.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert parse_return("t.xlsx", page.data, TCAM, ReadLimits(), TODAY).ok


def test_load_check_prints_every_reading_and_what_was_read_for_each_trust(settings, capsys):
    code = main(["load", "--check", str(MESSY / "levels-in-words.csv")], settings=settings)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.splitlines() == [
        "levels-in-words.csv:",
        "  read differently from how it was typed:",
        "    adoption_level: '4 - Live' read as 4 in 2 rows (2, 7)",
        "    adoption_level: 'Live' read as 4 in row 3",
        "    adoption_level: 'Level 3' read as 3 in row 4",
        "    adoption_level: '5 Embedded' read as 5 in row 5",
        "    adoption_level: 'not started' read as 1 in row 6",
        "  what was read for each trust:",
        "    row 2: Q3 2020/21, Wessex, RHU Portsmouth Hospitals, acute, level 4, referrals made 40, completed 30",
        "    row 3: Q3 2020/21, Wessex, R1F Isle of Wight, acute, level 4, referrals made 12, completed 10",
        "    row 4: Q3 2020/21, Wessex, RHM Southampton General, acute, level 3, referrals made not reported, "
        "completed not reported",
        "    row 5: Q3 2020/21, Wessex, RN3 Great Western Hospitals, acute, level 5, referrals made 80, completed 41",
        "    row 6: Q3 2020/21, Wessex, RW1 Southern Health, mental health, level 1, referrals made not reported, "
        "completed not reported",
        "    row 7: Q3 2020/21, Wessex, RD3 Dorset County, acute, level 4, referrals made 7, completed 7",
    ]
    assert err.endswith("0 problem(s); nothing was stored (--check)\n")
