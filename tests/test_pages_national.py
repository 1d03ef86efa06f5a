"""The national table on the demo data, without a browser (its downloads: tests/test_downloads.py)."""

from __future__ import annotations

import csv
from pathlib import Path

from dashboard.presentation.national_table import cells
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
