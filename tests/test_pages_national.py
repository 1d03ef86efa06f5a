"""The national table and its downloads on the demo data, without a browser."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl

from dashboard import downloads
from dashboard.national_table import cells
from etl.programmes import TCAM as programme
from etl.quarters import Quarter
from etl.report import NationalTable, default_quarters, national_table

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference" / "tcam_table_8_1.csv"


def test_cells_equal_table_8_1(db):
    table = national_table(db, programme, default_quarters(db, programme))
    with REFERENCE.open(newline="") as f:
        reference = list(csv.DictReader(f))
    got = [[facts["ahsn"]] + [str(c.value) for c in row] for facts, row in cells(table, programme)]
    assert got == [list(r.values()) for r in reference]


def test_csv_download_is_the_table_with_what_each_rate_is_made_of(db):
    table = national_table(db, programme, default_quarters(db, programme))
    rows = list(csv.reader(io.StringIO(downloads.national_csv(table, programme))))
    assert rows[0] == ["AHSN", "Adoption rate Q3 2018/19", "Adoption rate Q3 2019/20", "Adoption rate Q2 2020/21",
                       "Change Q3 2018/19 to Q3 2019/20 (points)", "Change Q3 2019/20 to Q2 2020/21 (points)",
                       "Acute trusts adopted Q3 2018/19", "Acute trusts adopted Q3 2019/20",
                       "Acute trusts adopted Q2 2020/21"]
    assert len(rows) == 17 and rows[-1][0] == "England (Total)"
    oxford = rows[1]
    assert oxford[0] == "Oxford" and oxford[1].startswith("0%") and oxford[4].startswith("▲▲ +20") is False
    assert oxford[4].startswith("▲ +20")
    for row in rows[1:]:
        assert all(" of " in made_of for made_of in row[6:])


def test_no_return_shows_as_no_return(db):
    # a quarter before any return: every AHSN shows 'no return', never 0%
    quarters = [Quarter.parse("Q3 2018/19"), Quarter.parse("Q2 2020/21")]
    table = national_table(db, programme, quarters)
    frame = table.frame.copy()
    frame.loc[0, quarters[0].key] = None
    frame.loc[0, f"change_{quarters[0].key}_to_{quarters[1].key}"] = None
    shown = cells(NationalTable(quarters, frame), programme)[0][1]
    assert [c.text for c in shown] == ["no return", "20%", "n/a"]
    assert shown[0].style == "no-return"


def test_excel_keeps_the_colours_and_neutralises_text(db):
    table = national_table(db, programme, default_quarters(db, programme))
    book = openpyxl.load_workbook(io.BytesIO(downloads.national_excel(table, programme)))
    sheet = book.active
    assert sheet.cell(4, 1).value == "Oxford"
    assert sheet.cell(4, 2).value.startswith("0%") and sheet.cell(4, 2).fill.fgColor.rgb.endswith("FBE3D6")

    # A name a spreadsheet would run is written as text, in the workbook itself.
    frame = table.frame.copy()
    frame.loc[0, "ahsn"] = '=HYPERLINK("http://evil.example","click")'
    book = openpyxl.load_workbook(io.BytesIO(downloads.national_excel(NationalTable(table.quarters, frame), programme)))
    cell = book.active.cell(4, 1)
    assert cell.value == "'=HYPERLINK(\"http://evil.example\",\"click\")" and cell.data_type == "s"
