"""Returns as NHS staff make them (tests/fixtures/messy/, made by hand and by make_binary.py):
each is read exactly as meant, with every reading listed, or refused with a message a person
can act on. Nothing is stored with a value the person did not mean."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from etl import queries
from etl.problems import ReturnRejected
from etl.programmes import TCAM
from etl.quarters import Quarter
from etl.reading.limits import ReadLimits
from etl.validate import ParsedReturn, parse_return

MESSY = Path(__file__).parent / "fixtures" / "messy"
TODAY = dt.date(2026, 11, 22)

# file -> (records as (row, quarter, ahsn, code, name, type, level, made, completed, comment),
#          or problems as (where, column, message); then the interpretations, in order)
EXPECTED = {
    "ahsn-names.csv": (
        [
            (2, "Q3 2020/21", "KSS", "RVV", "East Kent Hospitals", "acute", 5, 5, 1, None),
            (3, "Q3 2020/21", "KSS", "RWF", "Maidstone and Tunbridge Wells", "acute", 4, 5, 1, None),
            (4, "Q3 2020/21", "KSS", "RXC", "East Sussex Healthcare", "acute", 4, 5, 1, None),
            (5, "Q3 2020/21", "KSS", "RYR", "Sussex Partnership", "mental_health", 3, 5, 1, None),
        ],
        [
            "ahsn: 'Kent Surrey Sussex' read as KSS in row 2",
            "ahsn: 'KSS AHSN' read as KSS in row 3",
            "ahsn: 'Health Innovation KSS' read as KSS in row 4",
            "ahsn: 'Health Innovation Kent Surrey Sussex' read as KSS in row 5",
        ],
    ),
    "calendar-quarter-and-level-conflict.csv": (
        [
            (
                "rows 2-3",
                "quarter",
                "'Q3 2020' does not say which NHS year: it could be Q3 2020/21 or, counting calendar quarters from January, Q2 2020/21",
            ),
            ("row 3", "adoption_level", "'4 - Embedded' could be level 4 (Live) or level 5 (Embedded)"),
        ],
        [],
    ),
    "commas-in-numbers.csv": (
        [
            (
                "row 2",
                "referrals_made",
                "'1,05' could be 1.05 (with a decimal comma) or 105 (with the comma in the wrong place)",
            ),
            ("row 3", "referrals_made", "'1,2,3' could be 123 or the 3 numbers 1, 2 and 3"),
        ],
        [],
    ),
    "descriptive-headers.csv": (
        [
            (2, "Q3 2020/21", "Wessex", "RHU", "Portsmouth Hospitals", "acute", 4, 40, 30, None),
            (
                3,
                "Q3 2020/21",
                "Wessex",
                "R1F",
                "Isle of Wight",
                "acute",
                4,
                12,
                10,
                "Live from November; figures for Nov-Dec only",
            ),
            (
                4,
                "Q3 2020/21",
                "Wessex",
                "RHM",
                "Southampton General",
                "acute",
                3,
                None,
                None,
                "IG sign-off expected in January",
            ),
        ],
        [
            "header: 'Reporting quarter' read as quarter in row 1",
            "header: 'AHSN name' read as ahsn in row 1",
            "header: 'Trust code (ODS)' read as trust_code in row 1",
            "header: 'Adoption level (1-5)' read as adoption_level in row 1",
            "header: 'No. of referrals made' read as referrals_made in row 1",
            "header: 'No. of referrals completed' read as referrals_completed in row 1",
            "header: 'Notes' read as comment in row 1",
        ],
    ),
    "error-cell.xlsx": ([("row 2", "referrals_made", "the cell shows the Excel error #REF!")], []),
    "european-thousands.csv": (
        [
            (
                "row 2",
                "referrals_made",
                "'2.000' could be 2000 (with a full stop between thousands, as in much of Europe) or 2 (with a decimal point)",
            ),
            (
                "row 2",
                "referrals_completed",
                "'1.234' could be 1234 (with a full stop between thousands, as in much of Europe) or the decimal 1.234, which is not a whole number",
            ),
        ],
        [],
    ),
    "formula-without-value.xlsx": (
        [("row 2", "referrals_completed", "cell H2 holds a formula whose result was not saved in the file")],
        [],
    ),
    "kss-libreoffice.ods": (
        [
            (3, "Q3 2020/21", "KSS", "RVV", "East Kent Hospitals", "acute", 5, 52, 40, None),
            (4, "Q3 2020/21", "KSS", "RWF", "Maidstone and Tunbridge Wells", "acute", 4, 31, 20, None),
            (5, "Q3 2020/21", "KSS", "RXC", "East Sussex Healthcare", "acute", 3, None, None, "awaiting IG sign-off"),
            (6, "Q3 2020/21", "KSS", "RYR", "Sussex Partnership", "mental_health", 3, None, None, None),
        ],
        [
            "the header row is row 2: row 1 above it ('Kent Surrey Sussex AHSN - TCAM Q3 2020/21') is skipped",
            "header: 'Notes' read as comment in row 2",
            "ahsn: 'KSS AHSN' read as KSS in 4 rows (3-6)",
            "adoption_level: '5 - Embedded' read as 5 in row 3",
            "adoption_level: 'Level 4' read as 4 in row 4",
            "referrals_made: 'N/A' read as not reported (blank) in row 5",
            "referrals_completed: 'N/A' read as not reported (blank) in row 5",
        ],
    ),
    "kss-libreoffice.xls": (
        [
            (3, "Q3 2020/21", "KSS", "RVV", "East Kent Hospitals", "acute", 5, 52, 40, None),
            (4, "Q3 2020/21", "KSS", "RWF", "Maidstone and Tunbridge Wells", "acute", 4, 31, 20, None),
            (5, "Q3 2020/21", "KSS", "RXC", "East Sussex Healthcare", "acute", 3, None, None, "awaiting IG sign-off"),
            (6, "Q3 2020/21", "KSS", "RYR", "Sussex Partnership", "mental_health", 3, None, None, None),
        ],
        [
            "an .xls file (Excel 97-2003): any formula in it is read as the value Excel last showed",
            "the header row is row 2: row 1 above it ('Kent Surrey Sussex AHSN - TCAM Q3 2020/21') is skipped",
            "header: 'Notes' read as comment in row 2",
            "ahsn: 'KSS AHSN' read as KSS in 4 rows (3-6)",
            "adoption_level: '5 - Embedded' read as 5 in row 3",
            "adoption_level: 'Level 4' read as 4 in row 4",
            "referrals_made: 'N/A' read as not reported (blank) in row 5",
            "referrals_completed: 'N/A' read as not reported (blank) in row 5",
        ],
    ),
    "levels-in-words.csv": (
        [
            (2, "Q3 2020/21", "Wessex", "RHU", "Portsmouth Hospitals", "acute", 4, 40, 30, None),
            (3, "Q3 2020/21", "Wessex", "R1F", "Isle of Wight", "acute", 4, 12, 10, None),
            (4, "Q3 2020/21", "Wessex", "RHM", "Southampton General", "acute", 3, None, None, None),
            (5, "Q3 2020/21", "Wessex", "RN3", "Great Western Hospitals", "acute", 5, 80, 41, None),
            (6, "Q3 2020/21", "Wessex", "RW1", "Southern Health", "mental_health", 1, None, None, None),
            (7, "Q3 2020/21", "Wessex", "RD3", "Dorset County", "acute", 4, 7, 7, None),
        ],
        [
            "adoption_level: '4 - Live' read as 4 in 2 rows (2, 7)",
            "adoption_level: 'Live' read as 4 in row 3",
            "adoption_level: 'Level 3' read as 3 in row 4",
            "adoption_level: '5 Embedded' read as 5 in row 5",
            "adoption_level: 'not started' read as 1 in row 6",
        ],
    ),
    "multi-sheet-formulas.xlsx": (
        [
            (4, "Q3 2020/21", "Wessex", "RHU", "Portsmouth Hospitals", "acute", 4, 40, 30, None),
            (5, "Q3 2020/21", "Wessex", "R1F", "Isle of Wight", "acute", 4, 12, 9, "went live in October"),
            (6, "Q3 2020/21", "Wessex", "RHM", "Southampton General", "acute", 3, None, None, None),
        ],
        [
            "the return was read from sheet 'Return Q3'; sheet 'Instructions' holds no return table and was not read",
            "the header row is row 3: row 1 above it ('TCAM return - Health Innovation Wessex') is skipped",
            "header: 'Trust code (ODS)' read as trust_code in row 3",
            "header: 'Adoption level (1-5)' read as adoption_level in row 3",
            "header: 'No. of referrals made' read as referrals_made in row 3",
            "header: 'No. of referrals completed' read as referrals_completed in row 3",
            "header: 'Comments' read as comment in row 3",
            "ahsn: 'Health Innovation Wessex' read as Wessex in 3 rows (4-6)",
            "adoption_level: '4 - Live' read as 4 in row 4",
            "adoption_level: 'Live' read as 4 in row 5",
            "referrals_completed: 2 formulas in rows 4-5 were read as the value Excel last showed",
        ],
    ),
    "no-header-row.csv": ([("row 1", None, "the first row holds data, not the names of the columns")], []),
    "no-trust-type.csv": (
        [
            (2, "Q3 2020/21", "Wessex", "RHU", "Portsmouth Hospitals", "acute", 4, 40, 30, None),
            (3, "Q3 2020/21", "Wessex", "RW1", "Southern Health", "acute", 2, None, None, None),
            (4, "Q3 2020/21", "Wessex", "RX9", "Testbury New Trust", "acute", 1, None, None, None),
        ],
        [
            "the file has no trust_type column: each trust's type is taken from its previous return (acute for a trust with no previous return), with a warning"
        ],
    ),
    "not-reported-and-thousands.csv": (
        [
            (2, "Q3 2020/21", "Wessex", "RHU", "Portsmouth Hospitals", "acute", 4, None, None, None),
            (3, "Q3 2020/21", "Wessex", "R1F", "Isle of Wight", "acute", 4, None, None, None),
            (4, "Q3 2020/21", "Wessex", "RHM", "Southampton General", "acute", 3, None, None, None),
            (5, "Q3 2020/21", "Wessex", "RN3", "Great Western Hospitals", "acute", 4, 1234, 987, None),
        ],
        [
            "referrals_made: 'N/A' read as not reported (blank) in row 2",
            "referrals_completed: 'N/A' read as not reported (blank) in row 2",
            "referrals_made: '-' read as not reported (blank) in row 3",
            "referrals_completed: '-' read as not reported (blank) in row 3",
            "referrals_made: 'not reported' read as not reported (blank) in row 4",
            "referrals_completed: 'not reported' read as not reported (blank) in row 4",
            "referrals_made: '1,234' read as 1234 in row 5",
        ],
    ),
    "note-below-table.csv": (
        [
            (
                "row 4",
                None,
                "this row holds only 'Notes: Isle of Wight figures are provisional and w': it looks like a note, not a trust",
            )
        ],
        [],
    ),
    "quarter-as-date.xlsx": (
        [
            (
                "rows 2-3",
                "quarter",
                "the cell holds a date (1 October 2020), not a quarter; that date falls in Q3 2020/21",
            )
        ],
        [],
    ),
    "quarter-filled-once.csv": (
        [
            ("row 2", "quarter", "the quarter is only on row 2: every trust row needs it"),
            ("row 2", "ahsn", "the AHSN is only on row 2: every trust row needs it"),
        ],
        [],
    ),
    "quarters-written-differently.csv": (
        [
            (2, "Q3 2020/21", "Wessex", "RHU", "Portsmouth Hospitals", "acute", 4, 40, 30, None),
            (3, "Q3 2020/21", "Wessex", "R1F", "Isle of Wight", "acute", 4, 12, 10, None),
            (4, "Q3 2020/21", "Wessex", "RHM", "Southampton General", "acute", 3, None, None, None),
            (5, "Q3 2020/21", "Wessex", "RN3", "Great Western Hospitals", "acute", 2, None, None, None),
            (6, "Q3 2020/21", "Wessex", "RW1", "Southern Health", "mental_health", 2, None, None, None),
        ],
        [
            "quarter: 'Q3 2020-21' read as Q3 2020/21 in row 2",
            "quarter: '2020/21 Q3' read as Q3 2020/21 in row 3",
            "quarter: 'Q3 FY20/21' read as Q3 2020/21 in row 4",
            "quarter: '2020-21 Q3' read as Q3 2020/21 in row 5",
            "quarter: 'Q3 20/21' read as Q3 2020/21 in row 6",
        ],
    ),
    "ragged-short-row.csv": (
        [("row 3", None, "the row has 6 values but the header has 8 columns, so it is not clear which are missing")],
        [],
    ),
    "same-typo-on-every-row.csv": (
        [
            (
                "rows 2-13",
                "quarter",
                "'Q3 2020/22': an NHS year runs into the next calendar year, so 2020 is followed by 21 (write 2020/21)",
            )
        ],
        [],
    ),
    "semicolons.csv": (
        [
            (2, "Q3 2020/21", "Wessex", "RHU", "Portsmouth Hospitals, Queen Alexandra", "acute", 4, 40, 30, None),
            (3, "Q3 2020/21", "Wessex", "R1F", "Isle of Wight", "acute", 2, None, None, None),
        ],
        ["this CSV uses semicolons to separate values, not commas; read that way"],
    ),
    "title-rows.csv": (
        [
            (5, "Q3 2020/21", "Wessex", "RHU", "Portsmouth Hospitals", "acute", 4, 40, 30, None),
            (6, "Q3 2020/21", "Wessex", "R1F", "Isle of Wight", "acute", 2, None, None, None),
        ],
        ["the header row is row 4: rows 1-2 above it ('TCAM quarterly return') are skipped"],
    ),
    "totals-row.csv": ([("row 4", None, "this row looks like a totals row, not a trust")], []),
    "trailing-empty-columns.csv": (
        [
            (2, "Q3 2020/21", "Wessex", "RHU", "Portsmouth Hospitals", "acute", 4, 40, 30, None),
            (3, "Q3 2020/21", "Wessex", "R1F", "Isle of Wight", "acute", 2, None, None, None),
        ],
        [],
    ),
    "two-returns.xlsx": ([("", None, "sheets 'Q2 2020-21' and 'Q3 2020-21' each hold a return table")], []),
    "unicode-text.txt": (
        [
            (2, "Q3 2020/21", "Wessex", "RHU", "Hôpital de Portsmouth", "acute", 4, 40, 30, None),
            (3, "Q3 2020/21", "Wessex", "R1F", "Isle of Wight", "acute", 2, None, None, None),
        ],
        [
            "the file is UTF-16 text (Excel's 'Unicode Text'); read as such",
            "this CSV uses tabs to separate values, not commas; read that way",
        ],
    ),
    "windows-1252.csv": (
        [(2, "Q3 2020/21", "Wessex", "ZZ101", "Hôpital de Testbury", "acute", 4, 120, 80, None)],
        [
            "the file is not UTF-8, so it was read as Windows-1252 (what Excel's 'CSV (Comma delimited)' writes): check 'Hôpital'. In Excel use File > Save As > 'CSV UTF-8 (Comma delimited)', then upload that file to avoid this"
        ],
    ),
}


def parsed(name: str) -> ParsedReturn:
    return parse_return(name, (MESSY / name).read_bytes(), TCAM, ReadLimits(), TODAY)


def test_every_messy_file_is_covered():
    assert sorted(p.name for p in MESSY.iterdir() if p.suffix != ".py") == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_messy_file_is_read_as_meant_or_refused_saying_why(name):
    result = parsed(name)
    expected, interpretations = EXPECTED[name]
    if result.problems:
        assert [(p.where, p.column, p.message) for p in result.problems] == expected
        for p in result.problems:
            assert p.file == name and len(p.fix) > 15 and str(p).startswith(name)
            assert "Error" not in p.message and "Traceback" not in p.message
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
                r.comment,
            )
            for r in result.records
        ] == expected
    assert [str(i) for i in result.interpretations] == interpretations
    # and the same through the JSON the child sends (and the lead will keep beside originals)
    again = ParsedReturn.from_json(result.to_json())
    assert again == result


@pytest.mark.parametrize("name", ["european-thousands.csv", "commas-in-numbers.csv"])
def test_ambiguous_numbers_are_never_read_as_a_number(name):
    result = parsed(name)
    assert not result.ok
    assert all(p.column.startswith("referrals") and "could be" in p.message for p in result.problems)
    assert not any(r.row == 2 for r in result.records)


def test_a_ragged_row_is_refused_not_read_as_blanks():
    result = parsed("ragged-short-row.csv")
    assert not result.ok
    assert [r.row for r in result.records] == [2, 4]  # row 3 is not read at all


def test_the_same_problem_on_every_row_is_one_problem_listing_the_rows():
    result = parsed("same-typo-on-every-row.csv")
    [problem] = result.problems
    assert problem.rows == tuple(range(2, 14))
    assert str(problem).startswith("same-typo-on-every-row.csv, rows 2-13, column quarter: 'Q3 2020/22'")


@pytest.mark.parametrize(
    "name", sorted(n for n in EXPECTED if EXPECTED[n][0] and isinstance(EXPECTED[n][0][0][0], str))
)
def test_a_refused_messy_file_stores_nothing(store, name):
    before = sorted(p.name for p in store.root.rglob("*") if p.is_file())
    with pytest.raises(ReturnRejected):
        store.load([(name, (MESSY / name).read_bytes())], TCAM, loaded_by="test", today=TODAY)
    assert sorted(p.name for p in store.root.rglob("*") if p.is_file()) == before


def test_a_file_without_trust_types_carries_them_over_with_warnings(store, db):
    """Demo Wessex has mental health and community trusts: a file of the same trusts without a
    trust_type column must keep them out of the rate, and say so, and a rebuild agrees."""
    previous = queries.current_return_rows(db, TCAM)
    previous = previous[(previous["ahsn"] == "Wessex") & (previous["quarter"] == "Q2 2020/21")]
    not_acute = previous[previous["trust_type"] != "acute"]
    assert len(not_acute) >= 1
    lines = ["quarter,ahsn,trust_code,trust_name,adoption_level,referrals_made,referrals_completed"]
    for _, r in previous.iterrows():
        lines.append(f"Q3 2020/21,Wessex,{r['trust_code']},{r['trust_name']},{int(r['adoption_level'])},,")
    lines.append("Q3 2020/21,Wessex,ZZ999,Testbury New Trust,1,,")
    content = ("\n".join(lines) + "\n").encode()
    [accepted] = store.load([("untyped.csv", content)], TCAM, loaded_by="test", today=TODAY)
    messages = [w.message for w in accepted.warnings]
    assert any("taken as acute, as in Q2 2020/21" in m for m in messages)
    for kind in set(not_acute["trust_type"]):
        assert any(f"taken as {kind.replace('_', ' ')}, as in Q2 2020/21" in m for m in messages), messages
    assert any(
        "Testbury New Trust (ZZ999), which has no earlier return, so it is taken as acute" in m for m in messages
    )

    def types():
        rows = queries.current_return_rows(db, TCAM)
        now = rows[(rows["ahsn"] == "Wessex") & (rows["quarter"] == "Q3 2020/21")]
        return dict(zip(now["trust_code"], now["trust_type"]))

    stored = types()
    assert stored == {**dict(zip(previous["trust_code"], previous["trust_type"])), "ZZ999": "acute"}
    rate = queries.ahsn_rates(db, TCAM, [Quarter.parse("Q3 2020/21").index], ahsn="Wessex").iloc[0]
    assert rate["counted_trusts"] == (previous["trust_type"] == "acute").sum() + 1
    store.rebuild()
    assert types() == stored


def test_a_notes_column_is_kept_as_each_trusts_comment_in_the_database(store, db):
    [accepted] = store.load(
        [("notes.csv", (MESSY / "descriptive-headers.csv").read_bytes())], TCAM, loaded_by="test", today=TODAY
    )
    rows = db.query(
        "SELECT trust_code, comment FROM submitted_rows WHERE submission_id = ? ORDER BY row", [accepted.submission_id]
    )
    assert rows.fillna("(none)").values.tolist() == [
        ["RHU", "(none)"],
        ["R1F", "Live from November; figures for Nov-Dec only"],
        ["RHM", "IG sign-off expected in January"],
    ]
