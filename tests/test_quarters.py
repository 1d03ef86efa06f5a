import datetime as dt
import re

import pytest

from etl.quarters import Quarter, QuarterError, parse_list, span


@pytest.mark.parametrize("text", ["Q3 2019/20", "Q3 19/20", "q3 2019/20", " Q3  2019 / 20 ", "Q3 2019/2020"])
def test_accepted_spellings_of_one_quarter(text):
    q = Quarter.parse(text)
    assert (q.year, q.number, q.label, q.key) == (2019, 3, "Q3 2019/20", "q3_2019_20")


@pytest.mark.parametrize(
    "text, message",
    [
        ("Q5 2019/20", "there is no quarter Q5"),
        ("Q0 2019/20", "there is no quarter Q0"),
        ("Q3 2019/21", "2019 is followed by 20"),
        ("Q3 2019/2021", "2019 is followed by 20"),
        ("Q3 19/19", "2019 is followed by 20"),
        ("Autumn 2019", "is not a quarter"),
        ("", "is not a quarter"),
        ("2019/20 Q3", "is not a quarter"),
    ],
)
def test_impossible_quarters_are_refused_with_a_reason(text, message):
    with pytest.raises(QuarterError, match=message):
        Quarter.parse(text)


def test_nhs_year_runs_april_to_march():
    assert Quarter.parse("Q1 2018/19").start == dt.date(2018, 4, 1)
    assert Quarter.parse("Q3 2018/19").start == dt.date(2018, 10, 1)
    assert Quarter.parse("Q4 2018/19").start == dt.date(2019, 1, 1)
    assert Quarter.containing(dt.date(2019, 3, 31)).label == "Q4 2018/19"
    assert Quarter.containing(dt.date(2019, 4, 1)).label == "Q1 2019/20"
    assert Quarter.containing(dt.date(2026, 11, 22)).label == "Q3 2026/27"


def test_quarter_arithmetic_crosses_years():
    q = Quarter.parse("Q4 2019/20")
    assert (q + 1).label == "Q1 2020/21"
    assert (q - 4).label == "Q4 2018/19"
    assert [x.label for x in span(Quarter.parse("Q3 2019/20"), Quarter.parse("Q2 2020/21"))] == [
        "Q3 2019/20",
        "Q4 2019/20",
        "Q1 2020/21",
        "Q2 2020/21",
    ]
    assert Quarter.parse("Q3 2018/19") < Quarter.parse("Q1 2019/20")


def test_parse_list_keeps_the_given_order():
    assert [q.label for q in parse_list("Q3 2019/20, Q3 18/19,")] == ["Q3 2019/20", "Q3 2018/19"]


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "Q4 9999/00",
            "'Q4 9999/00' is outside the years a quarter can be in here: Q1 2013/14 (when the AHSNs "
            "began) to Q4 2099/00",
        ),
        ("Q1 2012/13", "'Q1 2012/13' is outside the years a quarter can be in here"),
        ("Q1 " + "9" * 5000 + "/00", "'Q1 999999999999999999999999999…99/00 (5,006 characters)' is not a quarter"),
        ("Q" + "4" * 5000 + " 2020/21", "is not a quarter"),
        ("x" * 10_000, "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…xxxxx (10,000 characters)' is not a quarter"),
    ],
)
def test_a_quarter_given_by_a_person_is_in_the_years_a_quarter_can_be_in(text, message):
    """Q4 9999/00 would end in the year 10000, which no date holds; 5,000 digits are more than
    Python turns into a number. Each is a QuarterError with the text shortened, never a ValueError."""
    with pytest.raises(QuarterError, match=re.escape(message)) as refused:
        Quarter.given(text)
    assert len(str(refused.value)) < 160


def test_the_first_and_last_quarters_given_are_read_and_stored_labels_in_any_year_are_read_back():
    assert Quarter.given("Q1 2013/14") == Quarter(2013, 1)
    assert Quarter.given("Q4 99/00") == Quarter(2099, 4)
    assert Quarter.parse("Q4 9999/00") == Quarter(9999, 4)  # a label already stored is never refused
    assert [q.label for q in parse_list("Q3 2019/20")] == ["Q3 2019/20"]
    with pytest.raises(QuarterError, match="outside the years"):
        parse_list("Q3 2019/20,Q4 9999/00")
