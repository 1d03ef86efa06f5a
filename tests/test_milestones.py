"""Milestones recognised from the returns: each AHSN's own moments, in plain words, in the quarters
shown, never ranked; on the demo data, the quarters its real events happened."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from etl import milestones, report
from etl.programmes import TCAM
from etl.quarters import Quarter
from etl.queries import Database
from tests.returns import filled_return, trust_codes

Q = Quarter.parse


def rates(*rows) -> pd.DataFrame:
    """(quarter, adopted, counted, referrals made) per return."""
    return pd.DataFrame(
        [
            {
                "quarter_index": Q(q).index,
                "adopted_trusts": a,
                "counted_trusts": c,
                "rate_percent": (200 * a + c) // (2 * c),
                "referrals_made": made,
            }
            for q, a, c, made in rows
        ]
    )


NO_TRAJECTORY = pd.DataFrame(columns=["quarter_index", "version_event_id", "step_quarter_index", "target_percent"])


def test_each_kind_is_recognised_the_first_quarter_it_holds_in_plain_words():
    found = milestones.of_ahsn(
        "Oxford",
        rates(
            ("Q1 2019/20", 0, 4, None),
            ("Q2 2019/20", 1, 4, 90),
            ("Q3 2019/20", 2, 4, 1200),
            ("Q4 2019/20", 4, 4, 2500),
            ("Q1 2020/21", 4, 4, 2600),
        ),
        NO_TRAJECTORY,
        TCAM,
    )
    assert [(m.quarter.label, m.sentence) for m in found] == [
        ("Q2 2019/20", "Oxford had its first acute trust live: 1 of 4 acute trusts at level 4 or above."),
        ("Q3 2019/20", "Oxford reached the national 50% target: 50% (2 of 4 acute trusts)."),
        ("Q3 2019/20", "Oxford made 1,000 referrals or more in a quarter for the first time: 1,200."),
        ("Q4 2019/20", "Oxford had every acute trust live: all 4."),
        ("Q4 2019/20", "Oxford made 2,000 referrals or more in a quarter for the first time: 2,500."),
    ]


def test_what_was_already_so_at_the_first_return_is_no_moment():
    found = milestones.of_ahsn(
        "Wessex", rates(("Q1 2019/20", 4, 4, 3000), ("Q2 2019/20", 4, 4, 3100)), NO_TRAJECTORY, TCAM
    )
    assert found == []
    again = milestones.of_ahsn(
        "Wessex",
        rates(("Q1 2019/20", 2, 4, 10), ("Q2 2019/20", 1, 4, 10), ("Q3 2019/20", 2, 4, 10)),
        NO_TRAJECTORY,
        TCAM,
    )
    assert again == []  # at 50% from the start: falling and rising again is not reaching it


def test_referral_thresholds_come_from_the_programme():
    rows = rates(("Q1 2019/20", 1, 4, 10), ("Q2 2019/20", 1, 4, 60))
    assert [
        m.text
        for m in milestones.of_ahsn("A", rows, NO_TRAJECTORY, replace(TCAM, referral_milestones=(50,)))
        if m.kind == "referrals"
    ] == ["made 50 referrals or more in a quarter for the first time: 60"]


def targets(*rows, version=1) -> pd.DataFrame:
    """(quarter, step quarter, target) per quarter judged; version None: published before any trajectory."""
    return pd.DataFrame(
        [
            {
                "quarter_index": Q(q).index,
                "version_event_id": version if judged else None,
                "step_quarter_index": Q(s).index if s else None,
                "target_percent": t,
            }
            for q, s, t, judged in rows
        ]
    )


def test_a_trajectory_step_is_met_where_the_rate_first_reaches_it_in_a_judged_quarter():
    rows = rates(("Q1 2019/20", 0, 10, None), ("Q2 2019/20", 2, 10, None), ("Q3 2019/20", 4, 10, None))
    judged = targets(
        ("Q1 2019/20", None, None, True),
        ("Q2 2019/20", "Q2 2019/20", 20, True),
        ("Q3 2019/20", "Q2 2019/20", 20, True),
        ("Q4 2019/20", "Q4 2019/20", 40, True),
    )
    steps = [m.sentence for m in milestones.of_ahsn("KSS", rows, judged, TCAM) if m.kind == "step"]
    assert steps == [
        "KSS met its trajectory step of 20% for Q2 2019/20: 20% (2 of 10 acute trusts).",
        "KSS met its trajectory step of 40% for Q4 2019/20: 40% (4 of 10 acute trusts).",
    ]
    # quarters published before any trajectory was set are never judged against it afterwards
    unjudged = targets(
        ("Q1 2019/20", None, None, False),
        ("Q2 2019/20", "Q2 2019/20", 20, False),
        ("Q3 2019/20", "Q2 2019/20", 20, False),
        ("Q4 2019/20", "Q4 2019/20", 40, True),
    )
    assert [m for m in milestones.of_ahsn("KSS", rows, unjudged, TCAM) if m.kind == "step"] == []


def test_on_the_demo_data_west_of_england_reached_100_percent_in_q2_2020_21(tstore):
    db = Database(tstore)
    shown = report.shown_quarters(db, TCAM)
    found = milestones.recognise(db, TCAM, shown)
    woe = [(m.quarter.label, m.sentence) for m in found if m.ahsn == "West of England"]
    assert ("Q2 2020/21", "West of England had every acute trust live: all 6.") in woe
    assert (
        "Q2 2020/21",
        "West of England met its trajectory step of 85% for Q2 2020/21: 100% (6 of 6 acute trusts).",
    ) in woe
    assert ("Q3 2019/20", "Oxford had its first acute trust live: 1 of 5 acute trusts at level 4 or above.") in [
        (m.quarter.label, m.sentence) for m in found
    ]
    assert ("Q4 2019/20", "KSS reached the national 50% target: 50% (5 of 10 acute trusts).") in [
        (m.quarter.label, m.sentence) for m in found
    ]
    # newest quarter first, then AHSNs A to Z: never an order of merit
    keys = [(-m.quarter.index, m.ahsn.lower()) for m in found]
    assert keys == sorted(keys)
    recent = milestones.recent(found, shown)
    assert {m.quarter.label for m in recent} == {"Q1 2020/21", "Q2 2020/21"}


def test_unpublished_quarters_give_milestones_only_when_provisional_figures_are_asked_for(tstore):
    db = Database(tstore)
    codes = [c for c, level, kind in trust_codes(db, "NENC") if kind == "acute" and level < 4]
    tstore.load([("nenc.csv", filled_return(db, "NENC", levels=dict.fromkeys(codes, 4)))], TCAM)
    q3 = Q("Q3 2020/21")
    published = milestones.recognise(db, TCAM, report.shown_quarters(db, TCAM))
    provisional = milestones.recognise(db, TCAM, report.shown_quarters(db, TCAM, provisional=True))
    assert not [m for m in published if m.quarter == q3]
    assert "NENC had every acute trust live: all 16." in [m.sentence for m in provisional if m.quarter == q3]
