"""The crafted files of issue 22 (tests/fixtures/hostile, made by its make_binary.py): values no
return can hold, each refused by cell in every format; workbooks that ask the reader for far
more work than their size, refused before it runs; files whose parts say two things, read as
the reader reads them; cells too long, in every format. Each is read in the reading child, as
an upload is, and must be refused (or read) with a problem a person can act on. (The same
values in trajectory files: tests/test_trajectories.py.)"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from etl.programmes import TCAM
from etl.reading.limits import ReadLimits
from etl.reading.sandbox import run_child
from etl.validate import parse_return

TODAY = dt.date(2026, 11, 22)
HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
SECONDS = 10  # generous for a busy machine: each is refused in well under a second (docs/reading.md)
MEMORY_KB = 300 * 1024

TOO_MANY = "referrals for one trust in one quarter is more than any trust makes (a return accepts at most 100,000)"
POWER = "is a number written as a power of ten, not a count"
YEARS = "is outside the years a quarter can be in here: Q1 2013/14 (when the AHSNs began) to Q4 2099/00"
DIGITS = "'999999999999999999999999999999…99999 (5,000 characters)' has 5,000 digits"
LEVEL = "'444444444444444444444444444444…44444 (5,000 characters)' is not an adoption level"
NOT_A_QUARTER = "'Q1 999999999999999999999999999…99/00 (5,006 characters)' is not a quarter"

# (row, column, the start of the message) of every problem, in order
BY_CELL = {
    "out-of-bounds.csv": [
        (2, "referrals_made", f"'2147483648' {TOO_MANY}"),
        (3, "referrals_made", f"'2,147,483,648' {TOO_MANY}"),
        (4, "referrals_made", f"'1E+300' {POWER}"),
        (5, "referrals_made", f"'10^20' {POWER}"),
        (6, "referrals_made", f"'1e20' {POWER}"),
        (7, "referrals_made", DIGITS),
        (8, "referrals_made", "'-5' is not a count of referrals"),
        (9, "referrals_made", "'inf' is not a count of referrals"),
        (10, "referrals_made", "'NaN' is not a count of referrals"),
        (11, "quarter", f"'Q4 9999/00' {YEARS}"),
        (12, "quarter", NOT_A_QUARTER),
        (13, "quarter", f"'Q4 FY9999/00' {YEARS}"),
        (14, "adoption_level", LEVEL),
        (15, "referrals_completed", f"'100001' {TOO_MANY}"),
    ],
    "out-of-bounds.xlsx": [
        (2, "referrals_made", f"'2147483648' {TOO_MANY}"),
        (3, "referrals_made", f"'1E+20' {TOO_MANY}"),
        (4, "referrals_made", f"'1E+300' {TOO_MANY}"),
        (5, "referrals_made", "the cell holds 'INF', which is not a number"),
        (6, "referrals_made", "the cell holds 'NAN', which is not a number"),
        (7, "referrals_made", "'-5' is not a count of referrals"),
        (8, "referrals_made", f"'1E+300' {POWER}"),
        (9, "referrals_made", f"'10^20' {POWER}"),
        (10, "referrals_made", DIGITS),
        (11, "quarter", f"'Q4 9999/00' {YEARS}"),
        (12, "adoption_level", LEVEL),
        (13, "referrals_completed", f"'100001' {TOO_MANY}"),
    ],
    "out-of-bounds.ods": [
        (2, "referrals_made", f"'2147483648' {TOO_MANY}"),
        (3, "referrals_made", f"'1E+300' {TOO_MANY}"),
        (4, "referrals_made", "the cell holds 'INF', which is not a number"),
        (5, "quarter", f"'Q4 9999/00' {YEARS}"),
    ],
    "out-of-bounds.xls": [
        (2, "referrals_made", f"'2147483648' {TOO_MANY}"),
        (3, "referrals_made", f"'1E+300' {TOO_MANY}"),
        (4, "referrals_made", "the cell holds 'INF', which is not a number"),
        (5, "referrals_made", "the cell holds 'NAN', which is not a number"),
        (6, "quarter", f"'Q4 9999/00' {YEARS}"),
    ],
    # the sheet calamine reads, not the decoy: its Excel error and unsaved formula are found
    "decoy-id.xlsx": [
        (2, "referrals_completed", "cell H2 holds a formula whose result was not saved"),
        (2, "referrals_made", "the cell shows the Excel error #N/A"),
    ],
    "capital-path.xlsx": [
        (2, "referrals_completed", "cell H2 holds a formula whose result was not saved"),
        (2, "referrals_made", "the cell shows the Excel error #N/A"),
    ],
    "long-cell.xlsx": [
        (2, None, "cell I2 of sheet 'Return' holds more than 10,000 characters; no value of a return is that long")
    ],
    "long-shared-string.xlsx": [(2, None, "cell I2 of sheet 'Return' holds more than 10,000 characters")],
    "long-cell.ods": [(2, None, "cell I2 of sheet 'Return' holds more than 10,000 characters")],
    "million-spaces.ods": [(2, None, "cell I2 of sheet 'Return' holds more than 10,000 characters")],
    "long-cell.xls": [(2, None, "cell I2 of sheet 'Return' holds more than 10,000 characters")],
}

# files refused as a whole: the start of the one problem
WHOLE = {
    "many-far-sheets.xlsx": "the workbook has 150 sheets; a return is one sheet, and at most 50 are read",
    "many-far-sheets.xls": "the workbook has 150 sheets; a return is one sheet, and at most 50 are read",
    "many-far-sheets.ods": "the spreadsheet's sheets reach over 1,000,000 cells from A1 to their farthest cells "
    "(sheet 'Q1' has something in cell CV20000), more than are read",
    "fifty-far-sheets.xlsx": "the workbook's sheets reach over 1,000,000 cells from A1 to their farthest cells "
    "(sheet 'Q1' has something in cell CV20000), more than are read",
    "decoy-id-far-cell.xlsx": "sheet 'Return' has something in cell XFD1048576, far outside any return",
    "far-cell.xls": "sheet 'Return' says it spans 65,536 rows and 256 columns, far outside any return",
    "namespace-trick.ods": "the spreadsheet's sheets reach over 1,000,000 cells from A1 to their farthest cells "
    "(sheet 'Trick' has something in cell CV20000)",
    "macro-renamed.xlsx": "the workbook contains macros, which a return must not hold",
    "link-renamed.xlsx": "the workbook links to other files (external links)",
    "sheet-links-out.xlsx": "the workbook links to something outside the file (oleObject in "
    "xl/worksheets/_rels/sheet1.xml.rels)",
}


def test_every_hostile_fixture_has_an_expected_reading():
    made = {p.name for p in HOSTILE.iterdir() if p.suffix in (".csv", ".xlsx", ".xls", ".ods")}
    assert made == set(BY_CELL) | set(WHOLE) | {"sheet-hyperlink.xlsx"}


@pytest.mark.parametrize("name", sorted(BY_CELL))
def test_each_value_no_return_can_hold_is_refused_by_cell(name):
    """In every format: the file, row and column, the value (shortened) and how to fix it;
    a file with a problem is stored not at all (tests/test_store_writes.py)."""
    result = parse_return(name, (HOSTILE / name).read_bytes(), TCAM, ReadLimits(), TODAY)
    found = [(p.row, p.column, p.message) for p in result.problems]
    assert len(found) == len(BY_CELL[name]), found
    for (row, column, message), (want_row, want_column, start) in zip(found, BY_CELL[name]):
        assert (row, column) == (want_row, want_column) and message.startswith(start), (row, column, message)
        assert len(message) < 200
    assert all(p.file == name and len(p.fix) > 20 for p in result.problems)
    assert not result.ok
    if name == "out-of-bounds.csv":  # the largest count a trust can have is read, on the row beside
        assert [(r.row, r.referrals_made) for r in result.records] == [(16, 100_000)]


@pytest.mark.parametrize("name", sorted(WHOLE))
def test_a_file_asking_for_far_more_work_than_its_size_is_refused_before_the_reader_runs(name):
    run = run_child([(name, (HOSTILE / name).read_bytes())], TCAM, ReadLimits(), TODAY)
    assert run.failure is None, run.failure  # refused by the inspection, not stopped by the sandbox
    assert run.seconds < SECONDS and 0 < run.peak_rss_kb < MEMORY_KB
    [result] = run.results
    assert [p.message[: len(WHOLE[name])] for p in result.problems] == [WHOLE[name]]
    assert len(result.problems[0].fix) > 20


def test_a_hyperlink_to_a_web_page_is_no_link_to_another_file():
    result = parse_return(
        "sheet-hyperlink.xlsx", (HOSTILE / "sheet-hyperlink.xlsx").read_bytes(), TCAM, ReadLimits(), TODAY
    )
    assert result.ok and [r.trust_code for r in result.records] == ["RHU"]


def test_the_attackers_workbook_is_small_and_within_every_cap_of_before():
    """~58 KB, 150 sheets each reaching CV20000 (20,000 rows, 100 columns: the caps of the
    day), 300 million cells for the reader to build: refused now by the caps on sheets and
    on cells to go through (docs/reading.md has what it cost before and costs now)."""
    content = (HOSTILE / "many-far-sheets.xlsx").read_bytes()
    assert len(content) < 70_000
    before = ReadLimits(max_sheets=10**6, max_scanned_cells=10**12, max_elements=10**9)
    from etl.reading.xlsx import inspect_xlsx

    package = inspect_xlsx(content, before)
    assert len(package.sheets) == 150
    assert {(s.max_row, s.max_col) for s in package.sheets} == {(20_000, 100)}
    assert sum(s.area for s in package.sheets) == 300_000_000
