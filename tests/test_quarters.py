import datetime as dt

import pytest

from etl.quarters import Quarter, QuarterError, parse_list, span


@pytest.mark.parametrize("text", ["Q3 2019/20", "Q3 19/20", "q3 2019/20", " Q3  2019 / 20 ", "Q3 2019/2020"])
def test_accepted_spellings_of_one_quarter(text):
    q = Quarter.parse(text)
    assert (q.year, q.number, q.label, q.key) == (2019, 3, "Q3 2019/20", "q3_2019_20")


@pytest.mark.parametrize("text, message", [
    ("Q5 2019/20", "there is no quarter Q5"),
    ("Q0 2019/20", "there is no quarter Q0"),
    ("Q3 2019/21", "2019 is followed by 20"),
    ("Q3 2019/2021", "2019 is followed by 20"),
    ("Q3 19/19", "2019 is followed by 20"),
    ("Autumn 2019", "is not a quarter"),
    ("", "is not a quarter"),
    ("2019/20 Q3", "is not a quarter"),
])
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
        "Q3 2019/20", "Q4 2019/20", "Q1 2020/21", "Q2 2020/21"]
    assert Quarter.parse("Q3 2018/19") < Quarter.parse("Q1 2019/20")


def test_parse_list_keeps_the_given_order():
    assert [q.label for q in parse_list("Q3 2019/20, Q3 18/19,")] == ["Q3 2019/20", "Q3 2018/19"]
