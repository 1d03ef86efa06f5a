"""The third corpus of returns as NHS staff make them (issue 20, second pass; tests/fixtures/messy3/,
made by make_files.py with openpyxl and LibreOffice, on the demo data's trusts): each file is read
exactly as meant, every value read differently from how it was typed said, or refused with one
message naming the file, row, column and fix. Nothing is stored that the person did not mean."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from etl.programmes import TCAM
from etl.reading.limits import ReadLimits
from etl.validate import ParsedReturn, parse_return

MESSY = Path(__file__).parent / "fixtures" / "messy3"
TODAY = dt.date(2026, 11, 22)


def parsed(name: str, content: bytes | None = None) -> ParsedReturn:
    return parse_return(
        name, content if content is not None else (MESSY / name).read_bytes(), TCAM, ReadLimits(), TODAY
    )


# ---- A. hidden columns ----------------------------------------------------------------------------

UNHIDE_COLUMNS = (
    "Show every column (select the whole sheet, right-click a column letter > Unhide), check what appears, "
    "delete any column you do not mean to send, save, and upload again"
)


@pytest.mark.parametrize("name", ["hidden-column.xlsx", "hidden-column.ods", "hidden-column.xls"])
def test_a_hidden_column_holding_anything_is_refused_naming_its_letter(name):
    """Excel's <col hidden>, LibreOffice's table:visibility on a table-column, an .xls's COLINFO."""
    result = parsed(name)
    assert [(p.row, p.column, p.message, p.fix) for p in result.problems] == [
        (
            1,
            None,
            "columns D ('Previous code'), I ('Referrals made Q2') are hidden in the sheet but hold something "
            "in rows 1-7, so what would be read is not what can be seen",
            UNHIDE_COLUMNS,
        )
    ]
    assert str(result.problems[0]).startswith(f"{name}, row 1: columns D")


def test_a_hidden_empty_column_is_nothing():
    result = parsed("hidden-empty-column.xlsx")
    assert result.ok and len(result.records) == 6
    assert [r.referrals_made for r in result.records] == [109, 228, 263, 353, 372, 391]


def _hiding(first: str, last: str, cells: dict[str, object]) -> bytes:
    """A return whose columns first to last are hidden in one <col min max hidden> (Excel
    groups neighbouring hidden columns so), with `cells` written over the rows."""
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(
        ["quarter", "ahsn", "trust_code", "trust_name", "adoption_level", "referrals_made", "referrals_completed"]
    )
    sheet.append(["Q3 2020/21", "West of England", "DM321", "Teaselstow", 4, 109, 70])
    for ref, value in cells.items():
        sheet[ref] = value
    sheet.column_dimensions.group(first, last, hidden=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_hidden_column_of_the_return_says_what_it_is_read_as():
    result = parsed("code.xlsx", _hiding("C", "D", {}))
    [problem] = result.problems
    assert problem.message == (
        "columns C ('trust_code', read as trust_code), D ('trust_name', read as trust_name) are hidden in the "
        "sheet but hold something in rows 1-2, so what would be read is not what can be seen"
    )


def test_a_hidden_column_holding_one_value_under_the_header_names_that_row():
    result = parsed("one.xlsx", _hiding("H", "J", {"I2": "old figure"}))
    assert [p.message for p in result.problems if "hidden" in p.message] == [
        "column I is hidden in the sheet but holds something in row 2, so what would be read is not what can be seen"
    ]
    assert parsed("none.xlsx", _hiding("H", "J", {})).ok
