"""One cell at a time: what is read as meant (and said), and what is refused as ambiguous."""

from __future__ import annotations

import datetime as dt

import pytest

from etl.programmes import TCAM
from etl.reading import cells
from etl.reading.grid import CellError


@pytest.mark.parametrize("typed, value, read_as", [
    ("12", 12, None), (12.0, 12, None), ("", None, None), (None, None, None),
    ("1,234", 1234, "1234"), ("12,345,678", 12345678, "12345678"), ("4.0", 4, "4"), ("007", 7, "7"),
    ("N/A", None, "not reported (blank)"), ("-", None, "not reported (blank)"),
    ("Not reported", None, "not reported (blank)"),
])
def test_counts_read_as_meant(typed, value, read_as):
    assert cells.count(typed, "referrals_made") == (value, read_as)


@pytest.mark.parametrize("typed, message", [
    ("2.000", "'2.000' could be 2000 (with a full stop between thousands, as in much of Europe) or 2 "
              "(with a decimal point)"),
    ("1.234", "'1.234' could be 1234 (with a full stop between thousands, as in much of Europe) or the "
              "decimal 1.234, which is not a whole number"),
    ("1,05", "'1,05' could be 1.05 (with a decimal comma) or 105 (with the comma in the wrong place)"),
    ("1,2,3", "'1,2,3' could be 123 or the 3 numbers 1, 2 and 3"),
    ("12,34", "'12,34' could be 12.34 (with a decimal comma) or 1234 (with the comma in the wrong place)"),
    ("1234,567", "'1234,567' could be 1234.567 (with a decimal comma) or 1234567 (with the comma in the wrong place)"),
    ("1 234", "'1 234' has spaces in it: it could be 1234 or several numbers"),
    ("12.5", "'12.5' is not a count of referrals"), ("-5", "'-5' is not a count of referrals"),
    ("none", "'none' is not a count of referrals"), (12.5, "'12.5' is not a count of referrals"),
    (True, "'TRUE' is a yes/no value, not a count of referrals"),
    (dt.datetime(2021, 2, 1), "the cell holds a date or time (1 February 2021), not a count: Excel may "
                              "have turned what was typed into a date"),
    (CellError("#DIV/0!"), "the cell shows the Excel error #DIV/0!"),
])
def test_counts_that_could_mean_two_things_or_none_are_refused(typed, message):
    with pytest.raises(cells.Unreadable) as refused:
        cells.count(typed, "referrals_made")
    assert refused.value.message == message


@pytest.mark.parametrize("typed, level, read_as", [
    (4, 4, None), (4.0, 4, None), ("4", 4, None), ("4 - Live", 4, "4"), ("4 – live", 4, "4"),
    ("Live", 4, "4"), ("Level 4", 4, "4"), ("level 4: Live", 4, "4"), ("5 Embedded", 5, "5"),
    ("not started", 1, "1"), ("Implementing", 3, "3"), ("4.0", 4, "4"),
])
def test_levels_read_as_meant(typed, level, read_as):
    assert cells.level(typed, TCAM) == (level, read_as)


@pytest.mark.parametrize("typed, message", [
    ("4 - Embedded", "'4 - Embedded' could be level 4 (Live) or level 5 (Embedded)"),
    ("6", "'6' is not an adoption level"), ("Level 6", "'Level 6' is not an adoption level"),
    ("Going well", "'Going well' is not an adoption level"), ("", "the adoption level is blank"),
    ("2.000", "'2.000' is not an adoption level"),
])
def test_levels_refused(typed, message):
    with pytest.raises(cells.Unreadable) as refused:
        cells.level(typed, TCAM)
    assert refused.value.message == message


@pytest.mark.parametrize("typed, read_as", [
    ("Q3 2020/21", None), ("q3 2020/21", None), ("Q3 20/21", "Q3 2020/21"), ("Q3 2020-21", "Q3 2020/21"),
    ("2020/21 Q3", "Q3 2020/21"), ("Q3 FY20/21", "Q3 2020/21"), ("2020-21 Q3", "Q3 2020/21"),
    ("Quarter 3 2020/21", "Q3 2020/21"), ("Q3 2020–21", "Q3 2020/21"), ("FY 2020/21 Q3", "Q3 2020/21"),
])
def test_quarters_read_as_meant(typed, read_as):
    quarter, said = cells.quarter(typed)
    assert (quarter.label, said) == ("Q3 2020/21", read_as)


@pytest.mark.parametrize("typed, message", [
    ("Q3 2020", "'Q3 2020' does not say which NHS year: it could be Q3 2020/21 or, counting calendar "
                "quarters from January, Q2 2020/21"),
    (dt.datetime(2021, 1, 15), "the cell holds a date (15 January 2021), not a quarter; that date falls in "
                               "Q4 2020/21"),
    ("2020-10-01", "the cell holds a date (1 October 2020), not a quarter; that date falls in Q3 2020/21"),
    ("Q3 2020-22", "'Q3 2020-22': an NHS year runs into the next calendar year, so 2020 is followed by 21 "
                   "(write 2020/21)"),
    ("", "the quarter is blank"),
])
def test_quarters_refused(typed, message):
    with pytest.raises(cells.Unreadable) as refused:
        cells.quarter(typed)
    assert refused.value.message == message


@pytest.mark.parametrize("typed", ["Kent Surrey Sussex", "KSS AHSN", "Health Innovation KSS", "kss",
                                   "Health Innovation Kent Surrey Sussex", "Kent Surrey Sussex AHSN",
                                   "Kent Surrey Sussex Academic Health Science Network"])
def test_every_name_an_ahsn_has_had(typed):
    assert cells.ahsn(typed)[0] == "KSS"


def test_no_two_ahsns_share_a_name():
    from etl import ahsns

    for a in ahsns.all_ahsns():
        for name in ahsns.names_of(a):
            assert ahsns.resolve(name) == a
    assert ahsns.resolve("Network") is None and ahsns.resolve("East") is None


@pytest.mark.parametrize("typed, kind, read_as", [
    ("acute", "acute", None), ("Mental Health", "mental_health", None), ("mental-health", "mental_health", None),
    ("MH", "mental_health", "mental_health"), ("Acute Trust", "acute", "acute"),
    ("Community Services", "community", "community"), ("", None, None),
])
def test_trust_types(typed, kind, read_as):
    assert cells.trust_type(typed, TCAM) == (kind, read_as)
