"""One cell at a time: what is read as meant (and said), and what is refused as ambiguous."""

from __future__ import annotations

import datetime as dt

import pytest

from etl.programmes import TCAM
from etl.reading import cells
from etl.reading.grid import CellError


@pytest.mark.parametrize(
    "typed, value, read_as",
    [
        ("12", 12, None),
        (12.0, 12, None),
        ("", None, None),
        (None, None, None),
        ("1,234", 1234, "1234"),
        ("1,234,567", 1234567, "1234567"),
        ("4.0", 4, "4"),
        ("007", 7, "7"),
        ("N/A", None, "not reported (blank)"),
        ("-", None, "not reported (blank)"),
        ("Not reported", None, "not reported (blank)"),
    ],
)
def test_counts_read_as_meant(typed, value, read_as):
    assert cells.count(typed, 10_000_000) == (value, read_as)


@pytest.mark.parametrize("typed", [100_000, 100_000.0, "100000", "100,000", "0100000"])
def test_the_largest_count_the_programme_states_is_accepted(typed):
    assert cells.count(typed, TCAM.max_count_per_row)[0] == TCAM.max_count_per_row == 100_000


TOO_MANY_FIX = (
    "Check the cell: real returns hold hundreds for a trust in a quarter. A total pasted into a "
    "trust's row, or a number typed twice, is the usual cause"
)
POWER = (
    "is a number written as a power of ten, not a count: Excel writes a long number that way in a CSV "
    "when its column is too narrow, losing digits"
)


@pytest.mark.parametrize(
    "typed, message",
    [
        (
            "100001",
            "'100001' referrals for one trust in one quarter is more than any trust makes (a return accepts "
            "at most 100,000)",
        ),
        (
            2_147_483_648.0,
            "'2147483648' referrals for one trust in one quarter is more than any trust makes (a "
            "return accepts at most 100,000)",
        ),
        (
            "2,147,483,648",
            "'2,147,483,648' referrals for one trust in one quarter is more than any trust makes (a "
            "return accepts at most 100,000)",
        ),
        (
            1e20,
            "'1E+20' referrals for one trust in one quarter is more than any trust makes (a return accepts "
            "at most 100,000)",
        ),  # a float Excel keeps, shown as Excel shows it
        (
            1e300,
            "'1E+300' referrals for one trust in one quarter is more than any trust makes (a return accepts "
            "at most 100,000)",
        ),
        (
            "9" * 5000,
            "'999999999999999999999999999999…99999 (5,000 characters)' has 5,000 digits: no number typed "
            "into a spreadsheet has more than 15",
        ),
        (
            "1" + ",000" * 2000,
            "'1,000,000,000,000,000,000,000,…0,000 (8,001 characters)' has 6,001 digits: no "
            "number typed into a spreadsheet has more than 15",
        ),
        ("1E+300", f"'1E+300' {POWER}"),
        ("1e20", f"'1e20' {POWER}"),
        ("1.23457E+11", f"'1.23457E+11' {POWER}"),
        ("10^20", f"'10^20' {POWER}"),
        ("2 x 10^5", f"'2 x 10^5' {POWER}"),
        ("1E3", f"'1E3' {POWER}"),
        (float("inf"), "the cell holds 'INF', which is not a number"),
        (float("-inf"), "the cell holds '-INF', which is not a number"),
        (float("nan"), "the cell holds 'NAN', which is not a number"),
        (-5.0, "'-5' is not a count of referrals"),
        (-0.5, "'-0.5' is not a count of referrals"),
        ("-" + "9" * 20, "'-99999999999999999999' has 20 digits: no number typed into a spreadsheet has more than 15"),
    ],
)
def test_counts_out_of_bounds_are_refused_by_cell_with_the_value_shortened(typed, message):
    with pytest.raises(cells.Unreadable) as refused:
        cells.count(typed, TCAM.max_count_per_row)
    assert refused.value.message == message
    assert len(refused.value.message) < 200 and len(refused.value.fix) > 20
    if "more than any trust" in message:
        assert refused.value.fix == TOO_MANY_FIX


@pytest.mark.parametrize(
    "typed, message",
    [
        (
            "2.000",
            "'2.000' could be 2000 (with a full stop between thousands, as in much of Europe) or 2 "
            "(with a decimal point)",
        ),
        (
            "1.234",
            "'1.234' could be 1234 (with a full stop between thousands, as in much of Europe) or the "
            "decimal 1.234, which is not a whole number",
        ),
        ("1,05", "'1,05' could be 1.05 (with a decimal comma) or 105 (with the comma in the wrong place)"),
        ("1,2,3", "'1,2,3' could be 123 or the 3 numbers 1, 2 and 3"),
        ("12,34", "'12,34' could be 12.34 (with a decimal comma) or 1234 (with the comma in the wrong place)"),
        (
            "1234,567",
            "'1234,567' could be 1234.567 (with a decimal comma) or 1234567 (with the comma in the wrong place)",
        ),
        ("1 234", "'1 234' has spaces in it: it could be 1234 or several numbers"),
        ("12.5", "'12.5' is not a count of referrals"),
        ("-5", "'-5' is not a count of referrals"),
        ("none", "'none' is not a count of referrals"),
        (12.5, "'12.5' is not a count of referrals"),
        (True, "'TRUE' is a yes/no value, not a count of referrals"),
        (
            dt.datetime(2021, 2, 1),
            "the cell holds a date or time (1 February 2021), not a count: Excel may "
            "have turned what was typed into a date",
        ),
        (CellError("#DIV/0!"), "the cell shows the Excel error #DIV/0!"),
    ],
)
def test_counts_that_could_mean_two_things_or_none_are_refused(typed, message):
    with pytest.raises(cells.Unreadable) as refused:
        cells.count(typed, TCAM.max_count_per_row)
    assert refused.value.message == message


@pytest.mark.parametrize(
    "typed, level, read_as",
    [
        (4, 4, None),
        (4.0, 4, None),
        ("4", 4, None),
        ("4 - Live", 4, "4"),
        ("4 – live", 4, "4"),
        ("Live", 4, "4"),
        ("Level 4", 4, "4"),
        ("level 4: Live", 4, "4"),
        ("5 Embedded", 5, "5"),
        ("not started", 1, "1"),
        ("Implementing", 3, "3"),
        ("4.0", 4, "4"),
    ],
)
def test_levels_read_as_meant(typed, level, read_as):
    assert cells.level(typed, TCAM) == (level, read_as)


@pytest.mark.parametrize(
    "typed, message",
    [
        ("4 - Embedded", "'4 - Embedded' could be level 4 (Live) or level 5 (Embedded)"),
        ("6", "'6' is not an adoption level"),
        ("Level 6", "'Level 6' is not an adoption level"),
        ("Going well", "'Going well' is not an adoption level"),
        ("", "the adoption level is blank"),
        ("2.000", "'2.000' is not an adoption level"),
        ("4" * 5000, "'444444444444444444444444444444…44444 (5,000 characters)' is not an adoption level"),
        ("Level " + "4" * 50, "'Level 444444444444444444444444…44444 (56 characters)' is not an adoption level"),
        (1e300, "'1E+300' is not an adoption level"),
        (float("inf"), "'INF' is not an adoption level"),
        (float("nan"), "'NAN' is not an adoption level"),
    ],
)
def test_levels_refused(typed, message):
    with pytest.raises(cells.Unreadable) as refused:
        cells.level(typed, TCAM)
    assert refused.value.message == message


@pytest.mark.parametrize(
    "typed, read_as",
    [
        ("Q3 2020/21", None),
        ("q3 2020/21", None),
        ("Q3 20/21", "Q3 2020/21"),
        ("Q3 2020-21", "Q3 2020/21"),
        ("2020/21 Q3", "Q3 2020/21"),
        ("Q3 FY20/21", "Q3 2020/21"),
        ("2020-21 Q3", "Q3 2020/21"),
        ("Quarter 3 2020/21", "Q3 2020/21"),
        ("Q3 2020–21", "Q3 2020/21"),
        ("FY 2020/21 Q3", "Q3 2020/21"),
    ],
)
def test_quarters_read_as_meant(typed, read_as):
    quarter, said = cells.quarter(typed)
    assert (quarter.label, said) == ("Q3 2020/21", read_as)


@pytest.mark.parametrize(
    "typed, message",
    [
        (
            "Q3 2020",
            "'Q3 2020' does not say which NHS year: it could be Q3 2020/21 or, counting calendar "
            "quarters from January, Q2 2020/21",
        ),
        (
            dt.datetime(2021, 1, 15),
            "the cell holds a date (15 January 2021), not a quarter; that date falls in Q4 2020/21",
        ),
        ("2020-10-01", "the cell holds a date (1 October 2020), not a quarter; that date falls in Q3 2020/21"),
        (
            "Q3 2020-22",
            "'Q3 2020-22': an NHS year runs into the next calendar year, so 2020 is followed by 21 (write 2020/21)",
        ),
        ("", "the quarter is blank"),
        (
            "Q4 9999/00",
            "'Q4 9999/00' is outside the years a quarter can be in here: Q1 2013/14 (when the AHSNs "
            "began) to Q4 2099/00",
        ),
        (
            "Q4 FY9999/00",
            "'Q4 FY9999/00' is outside the years a quarter can be in here: Q1 2013/14 (when the AHSNs "
            "began) to Q4 2099/00",
        ),
        (
            "Q1 0000",
            "'Q1 0000' is outside the years a quarter can be in here: Q1 2013/14 (when the AHSNs began) to Q4 2099/00",
        ),
        (
            "Q1 2005/06",
            "'Q1 2005/06' is outside the years a quarter can be in here: Q1 2013/14 (when the AHSNs "
            "began) to Q4 2099/00",
        ),
        ("Q" + "3" * 5000 + " 2020/21", "'Q33333333333333333333333333333…20/21 (5,009 characters)' is not a quarter"),
        ("Q3 " + "2" * 5000, "'Q3 222222222222222222222222222…22222 (5,003 characters)' is not a quarter"),
        (
            dt.datetime(9999, 12, 31),
            "the cell holds a date (31 December 9999), not a quarter; that date falls in Q3 9999/00",
        ),
    ],
)
def test_quarters_refused(typed, message):
    with pytest.raises(cells.Unreadable) as refused:
        cells.quarter(typed)
    assert refused.value.message == message


@pytest.mark.parametrize(
    "typed",
    [
        "Kent Surrey Sussex",
        "KSS AHSN",
        "Health Innovation KSS",
        "kss",
        "Health Innovation Kent Surrey Sussex",
        "Kent Surrey Sussex AHSN",
        "Kent Surrey Sussex Academic Health Science Network",
    ],
)
def test_every_name_an_ahsn_has_had(typed):
    assert cells.ahsn(typed)[0] == "KSS"


def test_no_two_ahsns_share_a_name():
    from etl import ahsns

    for a in ahsns.all_ahsns():
        for name in ahsns.names_of(a):
            assert ahsns.resolve(name) == a
    assert ahsns.resolve("Network") is None and ahsns.resolve("East") is None


@pytest.mark.parametrize(
    "typed, kind, read_as",
    [
        ("acute", "acute", None),
        ("Mental Health", "mental_health", None),
        ("mental-health", "mental_health", None),
        ("MH", "mental_health", "mental_health"),
        ("Acute Trust", "acute", "acute"),
        ("Community Services", "community", "community"),
        ("", None, None),
    ],
)
def test_trust_types(typed, kind, read_as):
    assert cells.trust_type(typed, TCAM) == (kind, read_as)
