"""The second corpus of returns as NHS staff make them (issue 20; tests/fixtures/messy2/, made
by make_files.py with openpyxl and LibreOffice): each file is read exactly as meant, with every
value read differently from how it was typed in the readings list, or refused with one message
naming the file, row, column and fix. Nothing is stored that the person did not mean."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from etl.problems import ReturnRejected
from etl.programmes import TCAM
from etl.quarters import Quarter
from etl.reading import cells
from etl.reading.limits import ReadLimits
from etl.validate import ParsedReturn, parse_return

MESSY = Path(__file__).parent / "fixtures" / "messy2"
TODAY = dt.date(2026, 11, 22)
TEXT_MARK = "(a leading apostrophe is Excel's mark for text, not part of the value)"
HIDDEN = "this row is hidden in the sheet, so it would be read as a trust though it cannot be seen"
UNHIDE = (
    "Show every row (select the whole sheet, right-click a row number > Unhide), check the rows that "
    "appear, delete any you do not mean to send, save, and upload again"
)
MERGED = (
    "quarter: cell A2 is merged down over A2:A7, so its value 'Q3 2020/21' is read on rows 3-7 too",
    "ahsn: cell B2 is merged down over B2:B7, so its value 'Health Innovation North East a…mbria "
    "(46 characters)' is read on rows 3-7 too",
    "ahsn: 'Health Innovation North East and North Cumbria' read as NENC in 6 rows (2-7)",
)
NENC = [
    (2, "Q3 2020/21", "NENC", "RTD", "The Newcastle upon Tyne Hospitals", "acute", 4, 52, 40),
    (3, "Q3 2020/21", "NENC", "RR7", "Gateshead Health", "acute", 4, 31, 20),
    (4, "Q3 2020/21", "NENC", "RTF", "Northumbria Healthcare", "acute", 5, 77, 61),
    (5, "Q3 2020/21", "NENC", "RXP", "County Durham and Darlington", "acute", 3, None, None),
    (6, "Q3 2020/21", "NENC", "R0B", "South Tyneside and Sunderland", "acute", 2, None, None),
    (7, "Q3 2020/21", "NENC", "RX4", "Cumbria, Northumberland, Tyne and Wear", "mental_health", 1, None, None),
]

# file -> (records as (row, quarter, ahsn, code, name, type, level, made, completed), or
#          problems as (where, column, message, fix); then every reading, in order)
EXPECTED = {
    "apostrophes.csv": (
        [
            (2, "Q3 2020/21", "NENC", "RTD", "The Newcastle upon Tyne Hospitals", "acute", 4, 52, 40),
            (3, "Q3 2020/21", "NENC", "RR7", "Gateshead Health", "acute", 4, 31, 20),
            (4, "Q3 2020/21", "NENC", "RTF", "Northumbria Healthcare", "acute", 5, 77, 61),
            (5, "Q3 2020/21", "NENC", "RXP", "County Durham and Darlington", "acute", 3, 0, None),
        ],
        [
            "trust_code: ''RTD' read as RTD in row 2 (a leading apostrophe is Excel's mark for text, not part of the value)",
            "referrals_made: ''52' read as 52 in row 2 (a leading apostrophe is Excel's mark for text, not part of the value)",
            "trust_code: ''RR7' read as RR7 in row 3 (a leading apostrophe is Excel's mark for text, not part of the value)",
            "referrals_made: ''31' read as 31 in row 3 (a leading apostrophe is Excel's mark for text, not part of the value)",
            "trust_code: ''RTF' read as RTF in row 4 (a leading apostrophe is Excel's mark for text, not part of the value)",
            "referrals_made: ''77' read as 77 in row 4 (a leading apostrophe is Excel's mark for text, not part of the value)",
            "trust_code: ''RXP' read as RXP in row 5 (a leading apostrophe is Excel's mark for text, not part of the value)",
            "referrals_made: ''0' read as 0 in row 5 (a leading apostrophe is Excel's mark for text, not part of the value)",
        ],
    ),
    "count-units.csv": (
        [
            (2, "Q3 2020/21", "NENC", "RTD", "The Newcastle upon Tyne Hospitals", "acute", 4, 52, 40),
            (3, "Q3 2020/21", "NENC", "RR7", "Gateshead Health", "acute", 4, 31, 20),
        ],
        [
            "header: 'Referrals made (number)' read as referrals_made in row 1",
            "header: 'Referrals completed (n)' read as referrals_completed in row 1",
        ],
    ),
    "empty-text-formulas-libreoffice.ods": (
        [
            (2, "Q3 2020/21", "NENC", "RTD", "The Newcastle upon Tyne Hospitals", "acute", 4, 52, 40),
            (3, "Q3 2020/21", "NENC", "RR7", "Gateshead Health", "acute", 4, 31, 20),
            (4, "Q3 2020/21", "NENC", "RTF", "Northumbria Healthcare", "acute", 5, 77, 61),
            (5, "Q3 2020/21", "NENC", "RXP", "County Durham and Darlington", "acute", 3, None, None),
        ],
        [
            "column 'Tracker count' (column I) is not part of the return: ignored, nothing in it is read or stored",
            'referrals_made: the formula in row 5 shows nothing (the empty text, as =IF(...,"",...) gives) and was read as blank',
            'referrals_completed: the formula in row 5 shows nothing (the empty text, as =IF(...,"",...) gives) and was read as blank',
            "referrals_completed: 3 formulas in rows 2-4 were read as the value Excel last showed",
        ],
    ),
    "empty-text-formulas-libreoffice.xlsx": (
        [
            (2, "Q3 2020/21", "NENC", "RTD", "The Newcastle upon Tyne Hospitals", "acute", 4, 52, 40),
            (3, "Q3 2020/21", "NENC", "RR7", "Gateshead Health", "acute", 4, 31, 20),
            (4, "Q3 2020/21", "NENC", "RTF", "Northumbria Healthcare", "acute", 5, 77, 61),
            (5, "Q3 2020/21", "NENC", "RXP", "County Durham and Darlington", "acute", 3, None, None),
        ],
        [
            "column 'Tracker count' (column I) is not part of the return: ignored, nothing in it is read or stored",
            'referrals_made: the formula in row 5 shows nothing (the empty text, as =IF(...,"",...) gives) and was read as blank',
            'referrals_completed: the formula in row 5 shows nothing (the empty text, as =IF(...,"",...) gives) and was read as blank',
            "referrals_completed: 3 formulas in rows 2-4 were read as the value Excel last showed",
        ],
    ),
    "empty-text-formulas.xlsx": (
        [
            (2, "Q3 2020/21", "NENC", "RTD", "The Newcastle upon Tyne Hospitals", "acute", 4, 52, 40),
            (3, "Q3 2020/21", "NENC", "RR7", "Gateshead Health", "acute", 4, 31, 20),
            (4, "Q3 2020/21", "NENC", "RTF", "Northumbria Healthcare", "acute", 5, 77, 61),
            (5, "Q3 2020/21", "NENC", "RXP", "County Durham and Darlington", "acute", 3, None, None),
        ],
        [
            "column 'Tracker count' (column I) is not part of the return: ignored, nothing in it is read or stored",
            'referrals_made: the formula in row 5 shows nothing (the empty text, as =IF(...,"",...) gives) and was read as blank',
            'referrals_completed: the formula in row 5 shows nothing (the empty text, as =IF(...,"",...) gives) and was read as blank',
            "referrals_completed: 3 formulas in rows 2-4 were read as the value Excel last showed",
        ],
    ),
    "extra-columns.xlsx": (
        [
            (2, "Q3 2020/21", "NENC", "RTD", "The Newcastle upon Tyne Hospitals", "acute", 4, 52, 40),
            (3, "Q3 2020/21", "NENC", "RR7", "Gateshead Health", "acute", 4, 31, 20),
            (4, "Q3 2020/21", "NENC", "RTF", "Northumbria Healthcare", "acute", 5, 77, 61),
            (5, "Q3 2020/21", "NENC", "RXP", "County Durham and Darlington", "acute", 3, None, None),
        ],
        [
            "columns 'ICS' (column A), 'Region' (column B), 'Programme lead' (column H), 'Go-live date' (column I), 'RAG status' (column M) are not part of the return: ignored, nothing in them is read or stored"
        ],
    ),
    "filtered-rows.ods": (
        [
            (
                "rows 5-7",
                None,
                "this row is hidden in the sheet, so it would be read as a trust though it cannot be seen (the sheet has a filter, which hides the rows it filters out)",
                "Show every row (clear the filter: Data > Clear in Excel, Data > More Filters > Reset Filter in LibreOffice; then select the whole sheet, right-click a row number > Unhide), check the rows that appear, delete any you do not mean to send, save, and upload again",
            )
        ],
        [],
    ),
    "guidance-row.xlsx": (
        [
            (
                "row 2",
                None,
                "this row looks like guidance on filling in the return ('e.g. Q3 2020/21', 'e.g. NENC', 'e.g. RX1'), not a trust",
                "Delete the row: under the header, the return holds one row per trust",
            )
        ],
        [],
    ),
    "hidden-rows.xls": (
        [
            (
                "rows 4-5",
                None,
                "this row is hidden in the sheet, so it would be read as a trust though it cannot be seen",
                "Show every row (select the whole sheet, right-click a row number > Unhide), check the rows that appear, delete any you do not mean to send, save, and upload again",
            )
        ],
        ["an .xls file (Excel 97-2003): any formula in it is read as the value Excel last showed"],
    ),
    "hidden-rows.xlsx": (
        [
            (
                "rows 4-5",
                None,
                "this row is hidden in the sheet, so it would be read as a trust though it cannot be seen",
                "Show every row (select the whole sheet, right-click a row number > Unhide), check the rows that appear, delete any you do not mean to send, save, and upload again",
            )
        ],
        [],
    ),
    "hidden-title-row.xlsx": (
        [
            (3, "Q3 2020/21", "NENC", "RTD", "The Newcastle upon Tyne Hospitals", "acute", 4, 52, 40),
            (4, "Q3 2020/21", "NENC", "RR7", "Gateshead Health", "acute", 4, 31, 20),
            (5, "Q3 2020/21", "NENC", "RTF", "Northumbria Healthcare", "acute", 5, 77, 61),
        ],
        ["the header row is row 2: row 1 above it ('NENC TCAM return, drafted by the programme team') is skipped"],
    ),
    "level-label-conflict.csv": (
        [
            (
                "row 2",
                "adoption_level",
                "'Embedded (4)' could be level 4 (Live) or level 5 (Embedded)",
                "Write the level you mean as a number",
            )
        ],
        ["adoption_level: 'Stage 4 - Live' read as 4 in row 3"],
    ),
    "level-labels.csv": (
        [
            (2, "Q3 2020/21", "NENC", "RTD", "The Newcastle upon Tyne Hospitals", "acute", 4, 52, 40),
            (3, "Q3 2020/21", "NENC", "RR7", "Gateshead Health", "acute", 4, 31, 20),
            (4, "Q3 2020/21", "NENC", "RTF", "Northumbria Healthcare", "acute", 5, 77, 61),
            (5, "Q3 2020/21", "NENC", "RXP", "County Durham and Darlington", "acute", 3, None, None),
            (6, "Q3 2020/21", "NENC", "R0B", "South Tyneside and Sunderland", "acute", 2, None, None),
            (7, "Q3 2020/21", "NENC", "RX4", "Cumbria, Northumberland, Tyne and Wear", "mental_health", 1, None, None),
        ],
        [
            "adoption_level: 'Stage 4 - Live' read as 4 in row 2",
            "adoption_level: 'Live (4)' read as 4 in row 3",
            "adoption_level: 'Embedded (5)' read as 5 in row 4",
            "adoption_level: '3. Implementing' read as 3 in row 5",
            "adoption_level: 'L2' read as 2 in row 6",
            "adoption_level: 'Not started (1)' read as 1 in row 7",
        ],
    ),
    "merged-ahsn-quarter.ods": (
        [
            (2, "Q3 2020/21", "NENC", "RTD", "The Newcastle upon Tyne Hospitals", "acute", 4, 52, 40),
            (3, "Q3 2020/21", "NENC", "RR7", "Gateshead Health", "acute", 4, 31, 20),
            (4, "Q3 2020/21", "NENC", "RTF", "Northumbria Healthcare", "acute", 5, 77, 61),
            (5, "Q3 2020/21", "NENC", "RXP", "County Durham and Darlington", "acute", 3, None, None),
            (6, "Q3 2020/21", "NENC", "R0B", "South Tyneside and Sunderland", "acute", 2, None, None),
            (7, "Q3 2020/21", "NENC", "RX4", "Cumbria, Northumberland, Tyne and Wear", "mental_health", 1, None, None),
        ],
        [
            "quarter: cell A2 is merged down over A2:A7, so its value 'Q3 2020/21' is read on rows 3-7 too",
            "ahsn: cell B2 is merged down over B2:B7, so its value 'Health Innovation North East a…mbria (46 characters)' is read on rows 3-7 too",
            "ahsn: 'Health Innovation North East and North Cumbria' read as NENC in 6 rows (2-7)",
        ],
    ),
    "merged-ahsn-quarter.xls": (
        [
            (2, "Q3 2020/21", "NENC", "RTD", "The Newcastle upon Tyne Hospitals", "acute", 4, 52, 40),
            (3, "Q3 2020/21", "NENC", "RR7", "Gateshead Health", "acute", 4, 31, 20),
            (4, "Q3 2020/21", "NENC", "RTF", "Northumbria Healthcare", "acute", 5, 77, 61),
            (5, "Q3 2020/21", "NENC", "RXP", "County Durham and Darlington", "acute", 3, None, None),
            (6, "Q3 2020/21", "NENC", "R0B", "South Tyneside and Sunderland", "acute", 2, None, None),
            (7, "Q3 2020/21", "NENC", "RX4", "Cumbria, Northumberland, Tyne and Wear", "mental_health", 1, None, None),
        ],
        [
            "an .xls file (Excel 97-2003): any formula in it is read as the value Excel last showed",
            "quarter: cell A2 is merged down over A2:A7, so its value 'Q3 2020/21' is read on rows 3-7 too",
            "ahsn: cell B2 is merged down over B2:B7, so its value 'Health Innovation North East a…mbria (46 characters)' is read on rows 3-7 too",
            "ahsn: 'Health Innovation North East and North Cumbria' read as NENC in 6 rows (2-7)",
        ],
    ),
    "merged-ahsn-quarter.xlsx": (
        [
            (2, "Q3 2020/21", "NENC", "RTD", "The Newcastle upon Tyne Hospitals", "acute", 4, 52, 40),
            (3, "Q3 2020/21", "NENC", "RR7", "Gateshead Health", "acute", 4, 31, 20),
            (4, "Q3 2020/21", "NENC", "RTF", "Northumbria Healthcare", "acute", 5, 77, 61),
            (5, "Q3 2020/21", "NENC", "RXP", "County Durham and Darlington", "acute", 3, None, None),
            (6, "Q3 2020/21", "NENC", "R0B", "South Tyneside and Sunderland", "acute", 2, None, None),
            (7, "Q3 2020/21", "NENC", "RX4", "Cumbria, Northumberland, Tyne and Wear", "mental_health", 1, None, None),
        ],
        [
            "quarter: cell A2 is merged down over A2:A7, so its value 'Q3 2020/21' is read on rows 3-7 too",
            "ahsn: cell B2 is merged down over B2:B7, so its value 'Health Innovation North East a…mbria (46 characters)' is read on rows 3-7 too",
            "ahsn: 'Health Innovation North East and North Cumbria' read as NENC in 6 rows (2-7)",
        ],
    ),
    "merged-referrals.xlsx": (
        [
            (
                "rows 3-4",
                "referrals_made",
                "cells G3:G4 of referrals_made are merged into one, so it is not clear which trust the value '108' is for",
                "Unmerge the cells (Excel: Home > Merge & Center > Unmerge Cells; LibreOffice: Format > Merge and Unmerge Cells > Split Cells) and give each trust its own value",
            )
        ],
        [],
    ),
    "misnamed-column.csv": (
        [
            (
                "row 1",
                "Referals made",
                "this is not a column of the return, and the return's referrals_made column is missing: it may be referrals_made under another name",
                "If it holds referrals made, head it referrals_made; if not, add a referrals_made column (columns that are not the return's are ignored)",
            )
        ],
        ["column 'ICS' (column I) is not part of the return: ignored, nothing in it is read or stored"],
    ),
    "months-not-a-quarter.csv": (
        [
            (
                "row 2",
                "quarter",
                "'Sep-Nov 2020' is not one NHS quarter; NHS quarters run Q1 Apr-Jun, Q2 Jul-Sep, Q3 Oct-Dec, Q4 Jan-Mar",
                "Write the quarter the return is for, like Q3 2020/21",
            ),
            (
                "row 3",
                "quarter",
                "'2020 Q1 (Oct-Dec)' says Q1, but Oct-Dec 2020 is Q3 2020/21 (NHS quarters start in April: Q1 is Apr-Jun)",
                "Check which quarter the return is for, and write it like Q3 2020/21",
            ),
            (
                "row 4",
                "quarter",
                "'2020 Q4 (Jan-Mar)' could be Q4 2019/20 (January to March 2020) or Q4 2020/21 (the NHS year 2020/21, January to March 2021)",
                "Write the NHS quarter with its year, like Q4 2019/20",
            ),
            (
                "row 5",
                "quarter",
                "'Oct-Dec' does not say which year",
                "Write the quarter with its NHS year, like Q3 2020/21",
            ),
            (
                "row 6",
                "quarter",
                "'November 2020' is a month, not a quarter; it falls in Q3 2020/21",
                "Write the quarter the return is for, e.g. Q3 2020/21",
            ),
        ],
        [],
    ),
    "percent-beside-counts.csv": (
        [
            (2, "Q3 2020/21", "NENC", "RTD", "The Newcastle upon Tyne Hospitals", "acute", 4, 52, 40),
            (3, "Q3 2020/21", "NENC", "RR7", "Gateshead Health", "acute", 4, 31, 20),
            (4, "Q3 2020/21", "NENC", "RTF", "Northumbria Healthcare", "acute", 5, 77, 61),
        ],
        [
            "column '% completed' (column I: a percentage or rate, not a count) is not part of the return: ignored, nothing in it is read or stored"
        ],
    ),
    "percent-completed.xlsx": (
        [
            (
                "row 1",
                "Referrals completed (%)",
                "this column holds a percentage or rate, but the return needs referrals_completed: the number of those referrals completed",
                "Give each trust's count in a column headed referrals_completed (a percentage or total cannot be turned back into the quarter's count for certain); this column may stay beside it, and is not read",
            )
        ],
        [],
    ),
    "quarters-as-months.csv": (
        [
            (2, "Q3 2020/21", "NENC", "RTD", "The Newcastle upon Tyne Hospitals", "acute", 4, 52, 40),
            (3, "Q3 2020/21", "NENC", "RR7", "Gateshead Health", "acute", 4, 31, 20),
            (4, "Q3 2020/21", "NENC", "RTF", "Northumbria Healthcare", "acute", 5, 77, 61),
            (5, "Q3 2020/21", "NENC", "RXP", "County Durham and Darlington", "acute", 3, None, None),
            (6, "Q4 2020/21", "NENC", "R0B", "South Tyneside and Sunderland", "acute", 2, None, None),
            (7, "Q4 2020/21", "NENC", "RX4", "Cumbria, Northumberland, Tyne and Wear", "mental_health", 1, None, None),
        ],
        [
            "quarter: 'Oct-Dec 2020' read as Q3 2020/21 in row 2",
            "quarter: 'October to December 2020' read as Q3 2020/21 in row 3",
            "quarter: '2020 Q3 (Oct-Dec)' read as Q3 2020/21 in row 4",
            "quarter: 'Oct 2020 - Dec 2020' read as Q3 2020/21 in row 5",
            "quarter: 'Jan-Mar 2021' read as Q4 2020/21 in row 6",
            "quarter: 'Q4 2020/21 (Jan-Mar)' read as Q4 2020/21 in row 7",
        ],
    ),
    "running-total.ods": (
        [
            (
                "row 1",
                "Referrals made (cumulative)",
                "this column holds a running total, but the return needs referrals_made: the number of referrals made in the quarter",
                "Give each trust's count in a column headed referrals_made (a percentage or total cannot be turned back into the quarter's count for certain); this column may stay beside it, and is not read",
            )
        ],
        [],
    ),
    "stacked-quarters.xlsx": (
        [
            (
                "row 7",
                None,
                "this row repeats the header of row 1 (row 6 above it, 'Q3 2020/21 return', is a title): the sheet holds two tables one under the other",
                "Delete row 7 and the title above it, so that the rows below are read with the header of row 1 (a file may hold several quarters, each trust once in each); or send the second table as a file of its own",
            )
        ],
        [],
    ),
    "stacked-reordered.csv": (
        [
            (
                "row 4",
                None,
                "this row is a second header, with its columns in a different order from row 1's, so the rows below it cannot be read with the first header: the sheet holds two tables one under the other",
                "Send the second table as a file of its own, or put its columns in the same order as the first table's and delete row 4",
            )
        ],
        [],
    ),
}


def parsed(name: str, content: bytes | None = None) -> ParsedReturn:
    return parse_return(name, (MESSY / name).read_bytes() if content is None else content, TCAM, ReadLimits(), TODAY)


def test_every_file_of_the_corpus_is_covered():
    assert sorted(p.name for p in MESSY.iterdir() if p.suffix != ".py") == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_file_is_read_as_meant_or_refused_saying_where_and_how_to_fix_it(name):
    result = parsed(name)
    expected, readings = EXPECTED[name]
    if result.problems:
        assert [(p.where, p.column, p.message, p.fix) for p in result.problems] == expected
        assert not result.records or all(isinstance(e[0], str) for e in expected)
        for p in result.problems:
            assert p.file == name and str(p).startswith(name)
    else:
        assert [
            (
                r.row,
                r.quarter.label,
                r.ahsn,
                r.trust_code,
                r.trust_name,
                r.trust_type,
                r.adoption_level,
                r.referrals_made,
                r.referrals_completed,
            )
            for r in result.records
        ] == expected
    assert [str(i) for i in result.interpretations] == readings
    assert ParsedReturn.from_json(result.to_json()) == result  # as the child sends it, and as it is kept


REFUSED = sorted(n for n, (expected, _) in EXPECTED.items() if expected and isinstance(expected[0][0], str))


def test_the_refused_files_are_the_ones_meant_to_be():
    assert (
        sorted(
            [
                "filtered-rows.ods",
                "guidance-row.xlsx",
                "hidden-rows.xls",
                "hidden-rows.xlsx",
                "level-label-conflict.csv",
                "merged-referrals.xlsx",
                "misnamed-column.csv",
                "months-not-a-quarter.csv",
                "percent-completed.xlsx",
                "running-total.ods",
                "stacked-quarters.xlsx",
                "stacked-reordered.csv",
            ]
        )
        == REFUSED
    )


@pytest.mark.parametrize("name", REFUSED)
def test_a_refused_file_stores_nothing(store, name):
    before = sorted(p.name for p in store.root.rglob("*") if p.is_file())
    with pytest.raises(ReturnRejected):
        store.load([(name, (MESSY / name).read_bytes())], TCAM, loaded_by="test", today=TODAY)
    assert sorted(p.name for p in store.root.rglob("*") if p.is_file()) == before


def test_structure_is_one_message_not_an_error_for_every_cell():
    """A repeated header and a guidance row would otherwise fail every cell of their rows."""
    for name in ("stacked-quarters.xlsx", "stacked-reordered.csv", "guidance-row.xlsx"):
        [problem] = parsed(name).problems
        assert problem.column is None and problem.row is not None
    stacked = parsed("stacked-quarters.xlsx")
    assert "Delete row 7 and the title above it" in stacked.problems[0].fix


# ---- what a heading's unit means --------------------------------------------------------------


def _csv(header: list[str], *rows: list) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode()


BASE = ["quarter", "ahsn", "trust_code", "trust_name", "adoption_level"]
ROW = ["Q3 2020/21", "NENC", "RTD", "Newcastle", 4]


@pytest.mark.parametrize(
    "heading, column, unit",
    [
        ("Referrals completed (%)", "referrals_completed", "a percentage or rate"),
        ("% completed", "referrals_completed", "a percentage or rate"),
        ("Percent completed", "referrals_completed", "a percentage or rate"),
        ("Completion rate", "referrals_completed", "a percentage or rate"),
        ("Referrals made (per 1000 beds)", "referrals_made", "an average or a rate"),
        ("Referrals made year to date", "referrals_made", "a running total"),
    ],
)
def test_a_heading_with_a_unit_is_refused_where_the_count_is_missing(heading, column, unit):
    other = "referrals_made" if column == "referrals_completed" else "referrals_completed"
    result = parsed("units.csv", _csv(BASE + [other, heading], ROW + [50, 40]))
    [problem] = result.problems
    assert (problem.row, problem.column) == (1, heading)
    assert problem.message.startswith(f"this column holds {unit}, but the return needs {column}")
    assert not result.records


@pytest.mark.parametrize(
    "heading",
    [
        "Referrals made (number)",
        "Referrals made (n)",
        "Referrals made (count)",
        "No. of referrals made",
        "Referrals made (not cumulative)",
    ],
)
def test_a_count_s_own_unit_is_no_unit(heading):
    result = parsed("units.csv", _csv(BASE + [heading, "referrals_completed"], ROW + [50, 40]))
    assert result.ok and result.records[0].referrals_made == 50


# ---- cells --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, label",
    [
        ("Oct-Dec 2020", "Q3 2020/21"),
        ("October to December 2020", "Q3 2020/21"),
        ("2020 Q3 (Oct-Dec)", "Q3 2020/21"),
        ("Oct 2020 - Dec 2020", "Q3 2020/21"),
        ("Jan-Mar 2021", "Q4 2020/21"),
        ("Apr-Jun 2021", "Q1 2021/22"),
        ("Jul - Sep 2019", "Q2 2019/20"),
        ("Q3 (Oct-Dec 2020)", "Q3 2020/21"),
        ("FY20/21 Q4 Jan-Mar", "Q4 2020/21"),
        ("2020/21 Jan-Mar", "Q4 2020/21"),
        ("Oct–Dec 20", "Q3 2020/21"),
    ],
)
def test_quarters_written_as_months(typed, label):
    assert cells.quarter(typed) == (Quarter.parse(label), label)


@pytest.mark.parametrize(
    "typed, message",
    [
        (
            "Sep-Nov 2020",
            "'Sep-Nov 2020' is not one NHS quarter; NHS quarters run Q1 Apr-Jun, Q2 Jul-Sep, Q3 Oct-Dec, Q4 Jan-Mar",
        ),
        ("Nov 2020 - Jan 2021", "'Nov 2020 - Jan 2021' is not one NHS quarter"),
        ("Oct 2020 - Dec 2021", "'Oct 2020 - Dec 2021' is not one NHS quarter"),
        ("2020 Q1 (Oct-Dec)", "'2020 Q1 (Oct-Dec)' says Q1, but Oct-Dec 2020 is Q3 2020/21"),
        (
            "Q3 2019/20 (Oct-Dec 2020)",
            "'Q3 2019/20 (Oct-Dec 2020)' says the NHS year 2019/20, but Oct-Dec 2020 is in 2020/21",
        ),
        ("2021 Q4 (Jan-Mar)", "'2021 Q4 (Jan-Mar)' could be Q4 2020/21 (January to March 2021) or Q4 2021/22"),
        ("Oct-Dec", "'Oct-Dec' does not say which year"),
        ("October 2020", "'October 2020' is a month, not a quarter; it falls in Q3 2020/21"),
        ("Apr-Jun 2011", "'Apr-Jun 2011' is outside the years a quarter can be in here"),
    ],
)
def test_months_that_are_not_one_quarter_are_refused_saying_why(typed, message):
    with pytest.raises(cells.Unreadable) as refused:
        cells.quarter(typed)
    assert refused.value.message.startswith(message)


@pytest.mark.parametrize(
    "typed, level",
    [
        ("Stage 4 - Live", 4),
        ("Live (4)", 4),
        ("Embedded (5)", 5),
        ("4. Live", 4),
        ("L4", 4),
        ("Stage 5", 5),
        ("Implementing [3]", 3),
        ("Live - Level 4", 4),
        ("TCAM level 2", 2),
        ("not started (1)", 1),
    ],
)
def test_level_labels_in_other_words(typed, level):
    assert cells.level(typed, TCAM) == (level, str(level))


@pytest.mark.parametrize(
    "typed, message",
    [
        ("Embedded (4)", "'Embedded (4)' could be level 4 (Live) or level 5 (Embedded)"),
        ("Stage 4 - Engaged", "'Stage 4 - Engaged' could be level 4 (Live) or level 2 (Engaged)"),
        ("Going well (4)", "'Going well (4)' is not an adoption level"),
        ("Stage 6", "'Stage 6' is not an adoption level"),
    ],
)
def test_level_labels_whose_number_and_name_disagree_are_refused(typed, message):
    with pytest.raises(cells.Unreadable) as refused:
        cells.level(typed, TCAM)
    assert refused.value.message == message


def test_an_apostrophe_is_excel_s_text_marker_only_at_the_start():
    result = parsed(
        "marks.csv",
        _csv(
            BASE + ["referrals_made", "referrals_completed", "Notes"],
            ["'Q3 2020/21", "NENC", "'rtd", "Newcastle", "'4", "'1,234", "''5", "'quoted"],
        ),
    )
    assert [(p.column, p.message) for p in result.problems] == [
        ("referrals_completed", "'''5' is not a count of referrals")
    ]
    result = parsed(
        "marks.csv",
        _csv(
            BASE + ["referrals_made", "referrals_completed", "Notes"],
            ["'Q3 2020/21", "NENC", "'rtd", "Newcastle", "'4", "'1,234", "'", "'quoted"],
        ),
    )
    assert result.ok
    [record] = result.records
    assert (
        record.quarter.label,
        record.trust_code,
        record.adoption_level,
        record.referrals_made,
        record.referrals_completed,
        record.comment,
    ) == ("Q3 2020/21", "RTD", 4, 1234, None, "'quoted")
    assert [str(i) for i in result.interpretations] == [
        "header: 'Notes' read as comment in row 1",
        "the file has no trust_type column: each trust's type is taken from its previous return (acute for a "
        "trust with no previous return), with a warning",
        f"quarter: ''Q3 2020/21' read as Q3 2020/21 in row 2 {TEXT_MARK}",
        f"trust_code: ''rtd' read as RTD in row 2 {TEXT_MARK}",
        f"adoption_level: ''4' read as 4 in row 2 {TEXT_MARK}",
        f"referrals_made: ''1,234' read as 1234 in row 2 {TEXT_MARK}",
        f"referrals_completed: ''' read as blank in row 2 {TEXT_MARK}",
    ]


# ---- merged cells written as LibreOffice keeps them -------------------------------------------


def _merged(merges: list[str], rows: list[list]) -> bytes:
    """An .xlsx with these merges over these rows, the covered cells keeping what they hold (as
    LibreOffice does when asked to keep the contents of hidden cells)."""
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    with zipfile.ZipFile(out) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    refs = "".join(f'<mergeCell ref="{m}"/>' for m in merges)
    parts["xl/worksheets/sheet1.xml"] = re.sub(
        rb"</sheetData>",
        f'</sheetData><mergeCells count="{len(merges)}">{refs}</mergeCells>'.encode(),
        parts["xl/worksheets/sheet1.xml"],
    )
    again = io.BytesIO()
    with zipfile.ZipFile(again, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return again.getvalue()


HEADER = BASE + ["referrals_made", "referrals_completed"]


def test_a_covered_cell_that_still_holds_a_value_is_refused():
    content = _merged(
        ["B2:B3"],
        [
            HEADER,
            ["Q3 2020/21", "NENC", "RTD", "Newcastle", 4, 5, 1],
            ["Q3 2020/21", "KSS", "RR7", "Gateshead", 4, 5, 1],
        ],
    )
    [problem] = parsed("covered.xlsx", content).problems
    assert (problem.row, problem.column, problem.message) == (
        3,
        "ahsn",
        "cell B3 is covered by the merged cell B2:B3 but still holds 'KSS', which cannot be seen",
    )


def test_a_merge_across_columns_or_with_the_header_is_refused_naming_its_range():
    rows = [HEADER, ["Q3 2020/21", "NENC", "RTD", "Newcastle", 4, 5, 1], ["Q3 2020/21", "NENC", "RR7", "Gateshead", 4]]
    result = parsed("across.xlsx", _merged(["F3:G3"], rows))
    assert {(p.row, p.column, p.message) for p in result.problems} == {
        (
            3,
            c,
            "cells F3:G3 across referrals_made and referrals_completed are merged into one, so it is not clear "
            "which trust what they hold is for",
        )
        for c in ("referrals_made", "referrals_completed")
    }
    result = parsed("header.xlsx", _merged(["A1:A3"], [HEADER, [None] + rows[1][1:], [None] + rows[2][1:]]))
    assert {p.message for p in result.problems} == {
        "cells A1:A3 are merged with the header row, so what they hold for the trusts cannot be told apart from "
        "the column's name"
    }


def test_a_merged_title_above_the_header_is_no_concern():
    content = _merged(["A1:G1"], [["NENC TCAM return"], HEADER, ["Q3 2020/21", "NENC", "RTD", "Newcastle", 4, 5, 1]])
    assert parsed("title.xlsx", content).ok


# ---- the untouched template ---------------------------------------------------------------------


def test_an_untouched_template_is_stored_with_a_warning_in_the_check_and_the_receipt(store, db):
    """The store's own template for Wessex's next quarter, sent back as it came: the same trusts
    at the same levels, every referral blank, where the quarter before had figures."""
    from etl.templates import template_csv, template_xlsx
    from tests.returns import NEXT_QUARTER

    for name, content in (
        ("template.csv", template_csv(db, TCAM, "Wessex", NEXT_QUARTER).encode()),
        ("template.xlsx", template_xlsx(db, TCAM, "Wessex", NEXT_QUARTER)),
    ):
        [checked] = store.check([(name, content)], TCAM)
        assert checked.ok
        [warning] = [w for w in checked.warnings if "template" in w.message]
        assert warning.message.startswith(
            "Wessex's return for Q3 2020/21 is the same as its return for Q2 2020/21 (the same "
        )
        assert warning.message.endswith(
            "trusts at the same levels) and every referral figure is blank, where "
            "Q2 2020/21 had figures: it looks like the template before it was filled in"
        )
    [accepted] = store.load(
        [("template.csv", template_csv(db, TCAM, "Wessex", NEXT_QUARTER).encode())], TCAM, loaded_by="test", today=TODAY
    )
    assert any("looks like the template" in w.message for w in accepted.warnings)
    from etl.store import Store

    [event] = [e for e in Store(store.root).events() if getattr(e, "id", None) == accepted.submission_id]
    assert any("looks like the template" in w for w in event.warnings)  # kept with the submission


def test_a_filled_in_template_has_no_such_warning(store, db):
    from tests.returns import filled_return

    [checked] = store.check([("filled.csv", filled_return(db, "Wessex"))], TCAM)
    assert checked.ok and not any("template" in w.message for w in checked.warnings)


# ---- what the person is told: the readings in --check, the warning in the receipt -------------


def test_load_check_lists_the_ignored_columns_and_the_merged_cells_as_read(settings, capsys):
    from etl.cli import main

    code = main(
        ["load", "--check", str(MESSY / "extra-columns.xlsx"), str(MESSY / "merged-ahsn-quarter.ods")],
        settings=settings,
    )
    out = capsys.readouterr().out
    assert code == 0
    assert (
        "columns 'ICS' (column A), 'Region' (column B), 'Programme lead' (column H), 'Go-live date' (column I), "
        "'RAG status' (column M) are not part of the return: ignored, nothing in them is read or stored"
    ) in out
    assert "quarter: cell A2 is merged down over A2:A7, so its value 'Q3 2020/21' is read on rows 3-7 too" in out


def test_the_receipt_carries_the_untouched_template_s_warning(store, db):
    """Posted as a submitter posts it, with a real SMTP server taking the receipt."""
    from aiosmtpd.controller import Controller

    from etl.templates import template_csv
    from etl.users import Users
    from tests.live import free_port
    from tests.returns import NEXT_QUARTER
    from tests.test_mail import Inbox, client_with_mail
    from tests.upload_helpers import PASSWORD, sign_in

    Users(store.root).add("asha", PASSWORD, "ahsn", "Wessex", email="asha@wessex.example")
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        client = client_with_mail(store, controller.port)
        csrf = sign_in(client, "", "asha")
        content = template_csv(db, TCAM, "Wessex", NEXT_QUARTER).encode()
        stored = client.post("/upload/commit", data={"csrf_token": csrf, "file": (io.BytesIO(content), "wessex.csv")})
        assert stored.status_code == 200
        [message] = box.wait_for(1)
    finally:
        controller.stop()
    body = " ".join(message.get_payload(decode=True).decode().split())
    assert "warning" in body and "it looks like the template before it was filled in" in body
