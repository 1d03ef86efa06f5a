"""Reading a case table (etl/pathways/cases.py on etl/reading/casetable.py): read as meant and
said, or refused with the file, row, column and fix; hostile files refused as every upload is."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest

from etl.pathways.cases import MAX_CASES, case_table, read_case_table
from etl.programmes import TCAM
from etl.reading.casetable import check_case_table_file
from etl.reading.limits import ReadLimits
from etl.reading.result import ParsedCaseTable
from tests import hostile
from tests.conftest import ROOT

REVIEW = ROOT / "data" / "reference" / "tcam_qca_table_8_3.csv"
LIMITS = ReadLimits()


def read(name: str, content: bytes, conditions=("A", "B"), outcome="OUT"):
    """As the CLI reads it, without the child process: the child's answer goes through JSON."""
    parsed = check_case_table_file(name, content, TCAM, LIMITS)
    parsed = ParsedCaseTable.from_dict(json.loads(json.dumps(parsed.as_dict())))
    return case_table(parsed, list(conditions), outcome, LIMITS)


def said(table) -> list[str]:
    return [str(p) for p in table.problems]


def xlsx(rows: list[list], before: list[list] | None = None, sheets: dict[str, list[list]] | None = None) -> bytes:
    book = openpyxl.Workbook()
    first = book.active
    if sheets:
        for name, lines in sheets.items():
            other = book.create_sheet(name, 0)
            for line in lines:
                other.append(line)
    for line in (before or []) + rows:
        first.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_reviews_file_through_the_reading_child():
    table = read_case_table(
        "tcam_qca_table_8_3.csv", REVIEW.read_bytes(), ["nondelay", "Adopt", "PHARMA"], "outcome", LIMITS, TCAM
    )
    assert table.ok and table.readings == ()
    assert table.names == {"nondelay": "NONDELAY", "Adopt": "ADOPT", "PHARMA": "PHARMA", "outcome": "OUTCOME"}
    cases = table.case_set
    assert cases.ids == tuple(str(i) for i in range(1, 16))
    assert list(cases.columns) == [
        "EXPLICIT",
        "NONDELAY",
        "ADOPT",
        "EXP",
        "PILOT",
        "PHARMA",
        "CHAMP",
        "SENIOR",
        "CCG",
        "INTERSECT",
        "NETWORK",
        "PPI",
        "OUTCOME",
    ]
    assert cases.columns["OUTCOME"] == (0, 0, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1, 1)
    assert cases.source == "tcam_qca_table_8_3.csv"


def test_an_excel_table_as_people_make_it_is_read_as_meant_and_every_reading_said():
    content = xlsx(
        [
            ["Case no.", "A", "B", "OUT", "Notes"],
            [1, 1, 0, True, "first"],  # numbers as Excel stores them (1.0), and TRUE
            [2.0, "yes", "1.0", False, ""],
            ["3", 0, 1, 1, "third"],
        ],
        before=[["Spread conditions, TCAM"], []],
        sheets={"Instructions": [["Write 1 or 0"]]},
    )
    table = read("cases.xlsx", content)
    assert said(table) == []
    assert table.case_set.ids == ("1", "2", "3")
    assert dict(table.case_set.columns) == {"A": (1, 1, 0), "B": (0, 1, 1), "OUT": (1, 0, 1)}
    assert [str(r) for r in table.readings] == [
        "the case table was read from sheet 'Sheet'; 'Instructions' holds no case table and was not read",
        "the header row is row 3: row 1 above it is skipped",
        "column 'Notes' does not hold only 0s and 1s, so it is not in the raw table",
        "A: 'yes' read as 1 in row 5",
        "B: '1.0' read as 1 in row 5",
        "OUT: 'TRUE' read as 1 in row 4",
        "OUT: 'FALSE' read as 0 in row 5",
    ]


def test_an_ods_and_a_semicolon_csv_in_windows_1252():
    cell = '<table:table-cell office:value-type="{t}" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
    text = '<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
    rows = [
        [text.format(v=v) for v in ("case", "A", "B", "OUT")],
        [text.format(v="Bristol"), *(cell.format(t="float", v=v) for v in (1, 0, 1))],
        [text.format(v="Leeds"), *(cell.format(t="float", v=v) for v in (0, 0, 0))],
    ]
    body = (
        hostile.ODS_OPEN
        + '<office:body><office:spreadsheet><table:table table:name="Cases">'
        + "".join(f"<table:table-row>{''.join(r)}</table:table-row>" for r in rows)
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    table = read("cases.ods", hostile.ods(body))
    assert said(table) == [] and table.case_set.ids == ("Bristol", "Leeds")
    assert table.case_set.columns["OUT"] == (1, 0)
    table = read("cases.csv", "case;A;B;OUT\nSaint-Étienne;1;0;1\n".encode("cp1252"))
    assert said(table) == [] and table.case_set.ids == ("Saint-Étienne",)
    assert any("semicolons" in str(r) for r in table.readings)
    assert any("Windows-1252" in str(r) for r in table.readings)


def test_every_value_that_is_not_0_or_1_is_a_problem_naming_row_column_and_fix():
    content = b"case,A,B,OUT\n1,2,0,1\n2,0.5,1,0\n3,maybe,,1\n4,1,0,50%\n5,1,0,1\n"
    assert said(read("bad.csv", content)) == [
        "bad.csv, row 2, column A: '2' is not 0 or 1. Write 1 where the condition was present in the case and 0 "
        "where it was absent.",
        "bad.csv, row 3, column A: '0.5' looks like a fuzzy-set score; a crisp-set analysis needs each value 0 "
        "or 1. Decide whether the case is in (1) or out (0), and write that.",
        "bad.csv, row 4, column A: 'maybe' is not 0 or 1. Write 1 where the condition was present in the case "
        "and 0 where it was absent.",
        "bad.csv, row 4, column B: the cell is blank. Write 1 where the condition was present in the case and 0 "
        "where it was absent; if it is not known, leave this condition out of the analysis or the case out of "
        "the table.",
        "bad.csv, row 5, column OUT: '50%' looks like a fuzzy-set score; a crisp-set analysis needs each value 0 "
        "or 1. Decide whether the case is in (1) or out (0), and write that.",
    ]


def test_the_same_problem_on_many_rows_is_one_problem_listing_them():
    content = b"case,A,B,OUT\n1,,0,1\n2,,1,0\n3,,0,1\n"
    (problem,) = read("blank.csv", content).problems
    assert (problem.rows, problem.column, problem.message) == ((2, 3, 4), "A", "the cell is blank")


def test_a_blank_outcome_says_to_leave_the_case_out():
    (problem,) = read("o.csv", b"case,A,B,OUT\n1,1,0,\n").problems
    assert problem.fix == (
        "Write 1 where the case has the outcome and 0 where it has not; a case whose outcome "
        "is not known must be left out of the table"
    )


def test_case_ids_missing_or_twice():
    content = b"case,A,B,OUT\n1,1,0,1\n,0,1,0\n4,1,1,1\n 4 ,0,0,0\nx,1,1,1\nX,0,0,0\n"
    assert said(read("ids.csv", content)) == [
        "ids.csv, row 3, column case: the case has no id. Give every case a short id in the case column "
        "(1, 2, 3, or a name).",
        "ids.csv, row 5, column case: case 4 is listed twice (also row 4). Give each case one row, with an id "
        "of its own.",
        "ids.csv, row 7, column case: case X is listed twice (also row 6). Give each case one row, with an id "
        "of its own.",
    ]


def test_an_unknown_condition_or_outcome_lists_the_columns_found():
    assert said(read("t.csv", b"case,A,B,OUT\n1,1,0,1\n", ["A", "PHARMA"], "SUCCESS")) == [
        "t.csv, row 1, column PHARMA: the file has no column PHARMA (the condition chosen); its columns are "
        "case, A, B, OUT. Choose the condition among those columns, or add a column named PHARMA to the file.",
        "t.csv, row 1, column SUCCESS: the file has no column SUCCESS (the outcome chosen); its columns are "
        "case, A, B, OUT. Choose the outcome among those columns, or add a column named SUCCESS to the file.",
    ]


def test_two_columns_of_one_name():
    content = b"case,A,a,OUT,B,B\n1,1,0,1,1,1\n"
    assert said(read("t.csv", content, ["A"])) == [
        "t.csv, row 1, column A: columns B and C are both called A. Keep one of the two columns, or rename one."
    ]
    table = read("t.csv", b"case,A,OUT,B,B\n1,1,1,1,0\n", ["A"])
    assert said(table) == [] and list(table.case_set.columns) == ["A", "OUT"]
    assert "two columns are called B, so neither is in the raw table" in [str(r) for r in table.readings]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            b"A,B,OUT\n1,0,1\n",
            "t.csv: no row of the file names a case column. Give the table a header row: case, "
            "then one column for each condition and one for the outcome, each cell 0 or 1 (as the "
            "review's Table 8.3).",
        ),
        (
            b"case,A,B,OUT\n",
            "t.csv: the file has a header but no cases. Add one row for each case: its id, then 0 or 1 in each column.",
        ),
        (
            b"",
            "t.csv: the file is empty. Give the table a header row: case, then one column for each condition and "
            "one for the outcome, each cell 0 or 1 (as the review's Table 8.3).",
        ),
        (
            b"case,A,B,OUT\n1,1,0,1\n2,1,0\n",
            "t.csv, row 3: the row has 3 values but the header has 4 columns, so it "
            "is not clear which are missing. Give the row one value for each column, "
            "leaving blank ones empty between commas (e.g. ,,).",
        ),
        (
            b"case,A,B,OUT\n1,1,0,1\nSource: the national review's interviews with each AHSN,,,\n",
            "t.csv, row 3: this row holds only 'Source: the national review's interviews with each': it looks like a "
            "note, not a case. Delete the row, or move the note to another sheet.",
        ),
    ],
)
def test_a_table_that_is_not_a_case_table(content, problem):
    assert said(read("t.csv", content)) == [problem]


def test_dates_excel_errors_and_unsaved_formulas_are_refused():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["case", "A", "B", "OUT"])
    sheet.append([1, dt.datetime(1900, 1, 1), 0, 1])  # a 1 that Excel turned into a date
    sheet.append([2, "#N/A", 0, 1])
    sheet.append([3, "=1+0", 0, 1])  # openpyxl saves no value for a formula
    buffer = io.BytesIO()
    book.save(buffer)
    assert said(read("f.xlsx", buffer.getvalue())) == [
        "f.xlsx, row 2, column A: the cell holds a date or time (1 January 1900), not 0 or 1: the spreadsheet may "
        "have turned what was typed into a date. Format the cell as Number or Text, type the value again, and save.",
        "f.xlsx, row 3, column A: the cell shows the Excel error #N/A. Fix the formula behind it, or type the "
        "value, and save again.",
        "f.xlsx, row 4, column A: cell B4 holds a formula whose result was not saved in the file. Open the file in "
        "Excel or LibreOffice, let it calculate, save it, and read it again (or type the value).",
    ]


def test_more_cases_than_a_case_table_holds():
    content = ("case,A,OUT\n" + "".join(f"{i},1,0\n" for i in range(MAX_CASES + 1))).encode()
    assert [p.message for p in read("many.csv", content, ["A"]).problems] == [
        f"the table has {MAX_CASES + 1:,} cases; a case table for QCA holds a handful to a few dozen "
        f"(at most {MAX_CASES:,} are read)"
    ]


@pytest.mark.parametrize(
    "builder",
    [hostile.shared_strings_bomb, hostile.billion_laughs, hostile.csv_of_ones, hostile.macro_workbook],
    ids=lambda b: b.__name__,
)
def test_hostile_files_are_refused_by_the_reading_child_as_any_upload(builder):
    name, content = builder()
    table = read_case_table(name, content, ["A"], "OUT", LIMITS, TCAM)
    assert table.case_set is None and len(table.problems) == 1
    assert table.problems[0].file == name and table.problems[0].fix


def test_a_file_over_the_size_limit_is_refused_before_reading():
    table = read_case_table(
        "big.csv", b"case,A,OUT\n" + b"1,1,0\n" * 200, ["A"], "OUT", ReadLimits(max_bytes=100), TCAM
    )
    assert [p.message for p in table.problems] == ["the file is 1,211 bytes, over the limit of 100 bytes"]
