"""Every validation rule, each with a real malformed file (tests/fixtures/returns/)."""

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from etl.programmes import TCAM
from etl.reading.limits import ReadLimits
from etl.validate import parse_return

FIXTURES = Path(__file__).parent / "fixtures" / "returns"
TODAY = dt.date(2026, 11, 22)
HEADER = "quarter,ahsn,trust_code,trust_name,trust_type,adoption_level,referrals_made,referrals_completed"


def problems_of(name: str, content: bytes | None = None, max_bytes: int = 5_000_000):
    content = (FIXTURES / name).read_bytes() if content is None else content
    result = parse_return(name, content, TCAM, ReadLimits(max_bytes=max_bytes), TODAY)
    return [(p.row, p.column, p.message) for p in result.problems], result


EXPECTED = {
    "not_a_csv.csv": [(None, None, "this is not a CSV, Excel or OpenDocument spreadsheet file")],
    "empty.csv": [(None, None, "the file is empty")],
    "header_only.csv": [(None, None, "the file has a header but no trust rows")],
    "broken.xlsx": [
        (None, None, "the Excel file cannot be opened: it is damaged or not a complete file (File is not a zip file)")
    ],
    "bad_quoting.csv": [(2, None, "the file is not valid CSV (unexpected end of data)")],
    "missing_column.csv": [(1, "adoption_level", "this column is missing")],
    # 'region' is an extra column, ignored; 'Referals made' may be the missing referrals_made
    "unknown_column.csv": [
        (
            1,
            "Referals made",
            "this is not a column of the return, and the return's "
            "referrals_made column is missing: it may be referrals_made "
            "under another name",
        )
    ],
    "unknown_ahsn.csv": [(3, "ahsn", "'Wessexx' is not one of the 15 AHSNs")],
    "extra_values.csv": [(2, None, "the row has 9 values but the header has 8 columns")],
    "bad_quarters.csv": [
        (2, "quarter", "'Q5 2020/21': there is no quarter Q5; NHS quarters are Q1 to Q4"),
        (
            3,
            "quarter",
            "'Q3 2020/22': an NHS year runs into the next calendar year, so 2020 is followed by 21 (write 2020/21)",
        ),
        (4, "quarter", "'Autumn 2020' is not a quarter; write it like Q3 2019/20 (or Q3 19/20)"),
        (5, "quarter", "Q1 2090/91 has not started yet"),
    ],
    "bad_values.csv": [
        (2, "trust_code", "'R-1' is not an NHS organisation code"),
        (3, "trust_code", "'TOOLONG' is not an NHS organisation code"),
        (4, "trust_name", "the trust name is blank"),
        (5, "trust_type", "'hospice' is not a trust type"),
        (6, "adoption_level", "'6' is not an adoption level"),
        (7, "adoption_level", "'3.5' is not an adoption level"),
        (8, "adoption_level", "the adoption level is blank"),
        (9, "referrals_made", "'-5' is not a count of referrals"),
        (10, "referrals_made", "'12.5' is not a count of referrals"),
        (10, "referrals_completed", "'ten' is not a count of referrals"),
        (11, "referrals_completed", "60 referrals completed is more than the 50 made"),
        (12, "referrals_made", "referrals completed are given but referrals made are blank"),
    ],
    "duplicates.csv": [
        (4, "trust_code", "trust ZZ101 is listed twice for Wessex in Q3 2020/21 (also row 2)"),
        (5, "trust_code", "trust ZZ102 is listed under Oxford here and under Wessex in row 3, both for Q3 2020/21"),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file_reports_every_problem_with_row_and_column(name):
    found, result = problems_of(name)
    assert found == EXPECTED[name]
    assert all(str(p).startswith(f"{name}") for p in result.problems)  # each names the file


def test_every_fixture_file_is_covered():
    assert sorted(p.name for p in FIXTURES.iterdir()) == sorted(EXPECTED)


def test_every_problem_says_how_to_fix_it():
    for name in EXPECTED:
        _, result = problems_of(name)
        for p in result.problems:
            assert p.file == name
            assert len(p.fix) > 10, p
            assert str(p).startswith(name)


def test_problem_reads_as_one_sentence_with_place_and_fix():
    _, result = problems_of("unknown_ahsn.csv")
    assert str(result.problems[0]) == (
        "unknown_ahsn.csv, row 3, column ahsn: 'Wessexx' is not one of the 15 AHSNs. Did you mean "
        "Wessex? It may be written Wessex, Wessex Academic Health Science Network, Health Innovation "
        "Wessex or Wessex AHSN."
    )


def test_file_over_the_size_limit_is_refused_before_reading():
    content = (HEADER + "\n").encode() + b"Q3 2020/21,Wessex,ZZ101,Testbury,acute,4,1,1\n" * 50
    found, _ = problems_of("big.csv", content, max_bytes=1000)
    assert found == [(None, None, f"the file is {len(content):,} bytes, over the limit of 1,000 bytes")]


def test_bom_crlf_spaced_header_short_quarter_and_any_ahsn_name_are_accepted():
    content = (
        "\ufeff Quarter ,AHSN,Trust Code,trust_name,adoption_level,referrals_made,referrals_completed\r\n"
        'Q3 20/21,health innovation wessex,zz101,Testbury  Hospitals,4,"1,200",800\r\n'
        "Q3 20/21,Wessex Academic Health Science Network,ZZ102,Testbury Community,2,,\r\n"
        ",,,,,,\r\n"
    ).encode("utf-8")
    found, result = problems_of("excel-export.csv", content)
    assert found == []
    assert [
        (
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
    ] == [
        ("Q3 2020/21", "Wessex", "ZZ101", "Testbury Hospitals", "acute", 4, 1200, 800),
        ("Q3 2020/21", "Wessex", "ZZ102", "Testbury Community", "acute", 2, None, None),
    ]


def test_xlsx_with_the_same_content_is_accepted():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["Q3 2020/21", "Wessex", "ZZ101", "Testbury Hospitals", "acute", 4, 120.0, 80])
    sheet.append(["Q3 2020/21", "Wessex", "ZZ102", "Testbury Mind", "mental_health", 5, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    found, result = problems_of("return.xlsx", buffer.getvalue())
    assert found == []
    assert [(r.trust_code, r.trust_type, r.adoption_level, r.referrals_made) for r in result.records] == [
        ("ZZ101", "acute", 4, 120),
        ("ZZ102", "mental_health", 5, None),
    ]


def test_xlsx_errors_name_the_spreadsheet_row():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["Q3 2020/21", "Wessex", "ZZ101", "Testbury Hospitals", "acute", 9, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    found, _ = problems_of("return.xlsx", buffer.getvalue())
    assert found == [(2, "adoption_level", "'9' is not an adoption level")]


def test_html_and_formulas_in_names_are_kept_as_plain_text():
    content = (
        HEADER + "\nQ3 2020/21,Wessex,ZZ101,<script>alert(1)</script>,acute,4,10,5\n"
        'Q3 2020/21,Wessex,ZZ102,=HYPERLINK("x"),acute,2,,\n'
    ).encode()
    found, result = problems_of("hostile.csv", content)
    assert found == []
    assert [r.trust_name for r in result.records] == ["<script>alert(1)</script>", '=HYPERLINK("x")']


def test_rebuild_mode_skips_the_future_rule():
    content = (FIXTURES / "bad_quarters.csv").read_bytes().splitlines()
    future_only = b"\n".join([content[0], content[4]]) + b"\n"
    assert parse_return("f.csv", future_only, TCAM, ReadLimits(max_bytes=10_000), today=None).ok
