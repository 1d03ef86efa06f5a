"""The analysis (etl/pathways/qca.py) on small case sets whose answers are worked by hand:
the review's tables, contradictions, tied models, a condition the same in every case, an
outcome no case has or every case has, one case, too many conditions, and the parsimonious and
conservative solutions differing."""

from __future__ import annotations

import csv
import io
import random

import pytest

from etl.pathways.conditions import programme_conditions, wordings_for
from etl.pathways.qca import (
    CONSERVATIVE,
    MAX_CONDITIONS,
    AnalysisError,
    CaseSet,
    Variation,
    Wording,
    analyse,
    too_little_variation,
)
from etl.programmes import TCAM
from tests.conftest import ROOT

REVIEW = ROOT / "data" / "reference" / "tcam_qca_table_8_3.csv"
FOUR = ["NONDELAY", "ADOPT", "PHARMA", "INTERSECT"]


def case_set(text: str, noun=("case", "cases")) -> CaseSet:
    rows = list(csv.DictReader(io.StringIO(text.strip())))
    names = [k for k in rows[0] if k != "case"]
    return CaseSet(tuple(r["case"] for r in rows), {n: tuple(int(r[n]) for r in rows) for n in names}, "test", noun)


def review() -> CaseSet:
    return case_set(REVIEW.read_text(), ("AHSN", "AHSNs"))


def models(analysis, target="1") -> list[str]:
    return [m.expression for m in analysis.solutions[target].models]


def test_the_reviews_tables_8_4_and_8_5_exactly():
    data = review()
    a = analyse(data, FOUR, "OUTCOME", wordings=wordings_for(data.columns, programme_conditions(TCAM)))
    assert [(r.configuration, r.outcome, r.cases) for r in a.truth_table] == [
        ("0010", "0", ("12",)),
        ("0011", "0", ("2",)),
        ("0101", "0", ("1",)),
        ("0111", "0", ("3",)),
        ("1001", "0", ("5", "7", "11")),
        ("1010", "1", ("4",)),
        ("1011", "1", ("15",)),
        ("1100", "0", ("10",)),
        ("1110", "1", ("8", "9")),
        ("1111", "1", ("6", "13", "14")),
    ]
    assert a.remainders == ("0000", "0001", "0100", "0110", "1000", "1101")
    (success,) = a.solutions["1"].models
    (term,) = success.terms
    assert (term.expression, term.case_groups) == ("NONDELAY*PHARMA", (("4",), ("6", "13", "14"), ("8", "9"), ("15",)))
    assert (term.raw_coverage, term.unique_coverage, term.consistency) == (1.0, 1.0, 1.0)
    assert (success.coverage, success.consistency) == (1.0, 1.0)
    assert f"{term.words}: {term.reach}" == "a prompt start and a pharmacist at the AHSN: all 7 AHSNs at target"
    assert success.remainders == ()  # success needs no assumption about unobserved configurations
    (failure,) = a.solutions["0"].models
    assert failure.expression == "nondelay + pharma"
    assert [(t.case_groups, t.raw_coverage, t.unique_coverage) for t in failure.terms] == [
        ((("1",), ("2",), ("3",), ("12",)), 0.5, 0.375),
        ((("1",), ("5", "7", "11"), ("10",)), 0.625, 0.5),
    ]
    assert failure.coverage == 1.0
    assert [t.words for t in failure.terms] == ["a delayed start", "no pharmacist at the AHSN"]
    assert failure.reach == "all 8 AHSNs not at target"
    assert failure.remainders == a.remainders  # failure assumes all six


def test_the_reviews_variation_by_its_rule():
    """On Table 8.3, a third (5 of 15) or fewer differ on ten of the twelve conditions: the rule
    flags PPI, NETWORK and PILOT, which the review dropped for it, but also NONDELAY (4 of 15,
    as PILOT), PHARMA and INTERSECT (5 of 15), which it kept."""
    a = analyse(review(), FOUR, "OUTCOME")
    flagged = {v.column: v.differ for v in a.raw.variation if v.flagged}
    assert flagged == {
        "EXPLICIT": 5,
        "NONDELAY": 4,
        "PILOT": 4,
        "PHARMA": 5,
        "CHAMP": 5,
        "SENIOR": 4,
        "INTERSECT": 5,
        "NETWORK": 3,
        "PPI": 3,
    }
    assert {v.column for v in a.raw.variation if not v.flagged} == {"ADOPT", "EXP", "CCG", "OUTCOME"}
    assert [v.column for v in a.raw.variation if v.chosen] == [*FOUR[:1], "ADOPT", "PHARMA", "INTERSECT", "OUTCOME"]


@pytest.mark.parametrize(
    ("present", "absent", "flagged"),
    [
        (10, 5, True),
        (9, 6, False),
        (5, 10, True),
        (6, 9, False),  # 15 cases: 5 is a third
        (10, 4, True),
        (9, 5, False),  # 14 cases: a third is 4.67
        (12, 0, True),
        (0, 1, True),
        (1, 1, False),
        (2, 1, True),
        (2, 2, False),
        (4, 2, True),
    ],
)
def test_too_little_variation_is_a_third_or_fewer_differing(present, absent, flagged):
    assert too_little_variation(present, absent) is flagged
    assert Variation("X", present, absent, True).flagged is flagged


def test_necessity_counts_the_cases_with_the_outcome_that_have_the_condition():
    a = analyse(review(), FOUR, "OUTCOME")
    got = {(n.literal, n.outcome): (n.consistency, n.coverage, n.with_both) for n in a.necessity}
    assert got[("NONDELAY", "1")] == (1.0, 7 / 11, 7)  # every AHSN at target started promptly
    assert got[("PHARMA", "1")] == (1.0, 0.7, 7)
    assert got[("pharma", "0")] == (5 / 8, 1.0, 5)  # no AHSN without a pharmacist reached it
    assert got[("nondelay", "1")] == (0.0, 0.0, 0)
    assert len(a.necessity) == 4 * 2 * 2


CONTRADICTION = """
case,A,B,OUT
1,1,0,1
2,1,0,0
3,1,1,1
4,0,1,0
5,0,0,0
"""


def test_a_contradiction_is_shown_and_never_covered_nor_assumed():
    a = analyse(case_set(CONTRADICTION), ["A", "B"], "OUT")
    rows = {r.configuration: r for r in a.truth_table}
    assert (rows["10"].outcome, rows["10"].cases, rows["10"].consistency) == ("C", ("1", "2"), 0.5)
    # A alone would be simpler, but it covers the contradiction 10: A*B it is
    assert models(a, "1") == ["A*B"]
    assert models(a, "0") == ["a"]
    for target in "10":
        for m in a.solutions[target].models:
            assert all("10" not in t.remainders for t in m.terms)  # never taken as a remainder
            assert not {"1", "2"} & {c for t in m.terms for c in t.cases}
    # case 1 is at the outcome but in the contradiction: coverage counts it as not covered
    assert a.solutions["1"].models[0].coverage == 0.5
    assert any("configuration 10 is a contradiction" in n for n in a.notes)


def test_an_outcome_only_in_contradictions_has_no_model_and_says_why():
    a = analyse(case_set("case,A,OUT\n1,1,1\n2,1,0\n3,0,0"), ["A"], "OUT")
    assert a.solutions["1"].models == ()
    assert "contradictory configuration" in a.solutions["1"].note
    assert models(a, "0") == ["a"]


TIES = """
case,A,B,C,OUT
1,0,0,0,1
2,0,0,1,1
3,0,1,1,1
4,1,1,1,1
5,1,1,0,1
6,1,0,0,1
7,0,1,0,0
8,1,0,1,0
"""


def test_tied_models_are_all_listed_in_order():
    """The classic cyclic table: two covers of three terms each, neither simpler."""
    for kind in ("parsimonious", CONSERVATIVE):  # every other configuration is observed
        a = analyse(case_set(TIES), ["A", "B", "C"], "OUT", kind=kind)
        solution = a.solutions["1"]
        assert [(m.name, m.expression) for m in solution.models] == [
            ("M1", "A*B + a*C + b*c"),
            ("M2", "A*c + a*b + B*C"),
        ]
        assert all(m.coverage == 1.0 for m in solution.models)
        assert solution.in_every_model == ()
        assert models(a, "0") == ["A*b*C + a*B*c"]


def test_ties_in_the_review_with_all_twelve_conditions():
    """With every condition of Table 8.3, five single terms each cover the seven successes."""
    data = review()
    a = analyse(data, [c for c in data.columns if c != "OUTCOME"], "OUTCOME")
    success = a.solutions["1"].models
    assert [m.expression for m in success] == [
        "NONDELAY*PHARMA",
        "PILOT*CHAMP",
        "NONDELAY*PILOT*SENIOR",
        "PHARMA*CHAMP*NETWORK",
        "PHARMA*CHAMP*PPI",
    ]
    assert all(m.coverage == 1.0 for m in success)
    assert models(a, "0") == ["nondelay + pharma", "pilot + champ"]
    assert len(a.remainders) == 4096 - 14  # cases 13 and 14 agree on all twelve


SAME_EVERYWHERE = """
case,A,B,OUT
1,1,0,0
2,1,1,1
3,1,1,1
4,1,0,0
"""


def test_a_condition_present_in_every_case():
    a = analyse(case_set(SAME_EVERYWHERE), ["A", "B"], "OUT")
    assert {v.column: v.flagged for v in a.raw.variation}["A"] is True
    assert any(n.startswith("A is the same in every case (A present in all 4)") for n in a.notes)
    necessity = {(n.literal, n.outcome): n for n in a.necessity}
    assert necessity[("A", "1")].consistency == 1.0  # trivially "necessary": every case has it
    assert necessity[("a", "1")].coverage is None  # no case lacks A: nothing to divide by
    assert models(a) == ["B"]  # the remainders 0x let A drop out
    assert models(analyse(case_set(SAME_EVERYWHERE), ["A", "B"], "OUT", kind=CONSERVATIVE)) == ["A*B"]


def test_an_outcome_no_case_has():
    a = analyse(case_set("case,A,B,OUT\n1,1,0,0\n2,0,1,0\n3,1,1,0"), ["A", "B"], "OUT")
    assert a.solutions["1"].models == ()
    assert a.solutions["1"].note == "there is no case with OUT, so nothing to explain"
    assert {n.consistency for n in a.necessity if n.outcome == "1"} == {None}
    assert models(a, "0") == ["1"]  # every case lacks it, whatever the conditions
    assert a.solutions["0"].models[0].terms[0].words == "whatever the conditions"
    assert any(n.startswith("the outcome is the same in every case") for n in a.notes)


def test_an_outcome_every_case_has():
    a = analyse(case_set("case,A,B,OUT\n1,1,0,1\n2,0,1,1"), ["A", "B"], "OUT")
    assert a.solutions["0"].models == ()
    (model,) = a.solutions["1"].models
    assert model.expression == "1" and model.coverage == 1.0
    conservative = analyse(case_set("case,A,B,OUT\n1,1,0,1\n2,0,1,1"), ["A", "B"], "OUT", kind=CONSERVATIVE)
    assert models(conservative) == ["A*b + a*B"]


def test_a_single_case():
    a = analyse(case_set("case,A,OUT\nonly,1,1"), ["A"], "OUT")
    assert [(r.configuration, r.cases, r.outcome) for r in a.truth_table] == [("1", ("only",), "1")]
    assert a.remainders == ("0",)
    assert models(a) == ["1"] and models(
        analyse(case_set("case,A,OUT\nonly,1,1"), ["A"], "OUT", kind=CONSERVATIVE)
    ) == ["A"]
    assert a.solutions["1"].models[0].reach == "the one case with OUT"


def test_conservative_and_parsimonious_differ_by_the_remainders():
    data = review()
    conservative = analyse(data, FOUR, "OUTCOME", kind=CONSERVATIVE)
    assert models(conservative, "1") == ["NONDELAY*PHARMA"]  # the same: it needs no remainder
    assert models(conservative, "0") == [
        "NONDELAY*ADOPT*pharma*intersect + NONDELAY*adopt*pharma*INTERSECT + "
        "nondelay*ADOPT*INTERSECT + nondelay*adopt*PHARMA"
    ]
    assert all(not t.remainders for m in conservative.solutions["0"].models for t in m.terms)
    parsimonious = analyse(data, FOUR, "OUTCOME")
    assert models(parsimonious, "0") == ["nondelay + pharma"]
    assert models(conservative, "0") != models(parsimonious, "0")


def test_more_conditions_than_practical_are_refused_with_a_reason():
    columns = {f"C{i}": (0, 1) for i in range(MAX_CONDITIONS + 1)} | {"OUT": (0, 1)}
    data = CaseSet(("1", "2"), columns)
    with pytest.raises(AnalysisError, match=r"13 conditions are chosen; at most 12 can be analysed together"):
        analyse(data, [f"C{i}" for i in range(MAX_CONDITIONS + 1)], "OUT")
    assert len(analyse(data, [f"C{i}" for i in range(MAX_CONDITIONS)], "OUT").remainders) == 4096 - 2


@pytest.mark.parametrize(
    ("conditions", "outcome", "message"),
    [
        (["A", "Z"], "OUT", "Z is not a column of the case set; its columns are A, B, OUT"),
        (["A", "A"], "OUT", "A is chosen twice"),
        (["A", "OUT"], "OUT", "OUT is the outcome, so it cannot also be a condition"),
        ([], "OUT", "choose at least one condition"),
    ],
)
def test_a_choice_that_cannot_be_analysed_says_why(conditions, outcome, message):
    with pytest.raises(AnalysisError, match=message):
        analyse(case_set("case,A,B,OUT\n1,1,0,1"), conditions, outcome)
    with pytest.raises(AnalysisError, match="not a kind of solution"):
        analyse(case_set("case,A,B,OUT\n1,1,0,1"), ["A"], "OUT", kind="simplest")


def test_a_case_set_must_be_zeros_and_ones_one_per_case():
    with pytest.raises(AnalysisError):
        CaseSet(("1", "2"), {"A": (1, 2)})
    with pytest.raises(AnalysisError):
        CaseSet(("1", "1"), {"A": (1, 0)})
    with pytest.raises(AnalysisError):
        CaseSet(("1", "2"), {"A": (1,)})


def test_words_come_from_the_callers_wording_or_the_column_names():
    data = case_set(CONTRADICTION)
    plain = analyse(data, ["A", "B"], "OUT")
    assert plain.solutions["1"].models[0].terms[0].words == "A present and B present"
    assert plain.solutions["0"].models[0].terms[0].words == "A absent"
    said = analyse(
        data,
        ["A", "B"],
        "OUT",
        wordings={"A": Wording("a champion", "no champion"), "OUT": Wording("live", "not live")},
    )
    term = said.solutions["1"].models[0].terms[0]
    assert (term.words, term.reach) == ("a champion and B present", "1 of the 2 cases live")
    assert said.solutions["0"].models[0].reach == "2 of the 3 cases not live"  # case 2 is in the contradiction


def test_terms_and_models_are_in_the_order_of_the_conditions():
    data = case_set(CONTRADICTION)
    a = analyse(data, ["B", "A"], "OUT")
    assert models(a) == ["B*A"]
    assert [r.configuration for r in a.truth_table] == ["00", "01", "10", "11"]


def test_more_tied_models_than_can_be_listed_are_said_not_listed():
    """Fifteen cases at random over twelve conditions: 4,081 configurations unobserved, and more
    than a hundred single-term models fit either outcome equally well."""
    rng = random.Random(1000)
    columns = {f"C{i}": tuple(rng.randint(0, 1) for _ in range(15)) for i in range(12)}
    columns["OUT"] = tuple(rng.randint(0, 1) for _ in range(15))
    data = CaseSet(tuple(str(i + 1) for i in range(15)), columns)
    a = analyse(data, [f"C{i}" for i in range(12)], "OUT")
    for target in "10":
        assert a.solutions[target].models == ()
        assert a.solutions[target].note == (
            "more than 100 models are equally simple: with 4,081 of the 4,096 configurations observed in no case, "
            "these cases cannot choose between them; choose fewer conditions, or ask for the conservative solution"
        )
    assert len(a.truth_table) == 15  # the rest of the analysis stands
    conservative = analyse(data, [f"C{i}" for i in range(12)], "OUT", kind=CONSERVATIVE)
    assert [len(s.models) for s in conservative.solutions.values()] == [1, 1]
