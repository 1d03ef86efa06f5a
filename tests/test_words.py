"""The sentences pages, downloads, e-mails and the command line share (etl/words.py), said
through the programme's definition: TCAM's counted organisations are acute trusts; another
programme's words are its own."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from etl import statuses, words
from etl.programmes import TCAM

# A made-up programme counting GP practices, to show no sentence is TCAM's by accident.
PRACTICES = replace(
    TCAM,
    code="gp",
    counted_trust_types=("general_practice",),
    organisation="practice",
    organisations="practices",
    default_trust_type="general_practice",
)


def test_the_counted_organisations_come_from_the_programme():
    assert words.counted(TCAM) == "acute trusts" and words.counted(TCAM, 1) == "acute trust"
    assert words.counted(PRACTICES) == "general practice practices"
    assert words.of_counted(2, 4, TCAM) == "2 of 4 acute trusts"
    assert words.of_counted(1, 1, TCAM) == "1 of 1 acute trust"
    assert words.more_counted(1, TCAM) == "1 more acute trust"
    assert words.counted_key(TCAM) == "acute_trusts"
    assert words.organisations(PRACTICES, 1) == "practice"
    assert words.with_article(words.counted(TCAM, 1)) == "an acute trust"
    assert words.with_article("community trust") == "a community trust"


def test_a_rate_in_words():
    assert words.rate(2, 4, TCAM) == "50% (2 of 4 acute trusts)"
    assert words.rate(2, 7, TCAM) == "29% (2 of 7 acute trusts)"  # half up, whole percents
    assert words.rate(0, 0, TCAM) == "no acute trusts"
    assert words.stored_rate(None, None, None, TCAM) == "no return"
    assert words.stored_rate(pd.NA, pd.NA, pd.NA, TCAM) == "no return"
    assert words.stored_rate(63.0, 5, 8, TCAM) == "63% (5 of 8 acute trusts)"
    assert words.percent(float("nan")) == "no return" and words.percent(45) == "45%"


def test_blank_counts_and_coverage_are_said_one_way():
    assert [words.count(v) for v in (None, float("nan"), pd.NA, 0, 1234)] == [
        "not reported",
        "not reported",
        "not reported",
        "0",
        "1,234",
    ]
    assert words.coverage(4) == "4 of 15 AHSNs have returned"
    assert words.coverage(1) == "1 of 15 AHSNs has returned"
    assert words.coverage(15) == "all 15 AHSNs have returned"
    assert words.plural(1, "day") == "1 day" and words.plural(1204, "referral") == "1,204 referrals"


def test_types():
    assert words.type_words("mental_health") == "mental health"
    assert words.counted_types(replace(TCAM, counted_trust_types=("acute", "community"))) == "acute and community"


@pytest.mark.parametrize(
    ("quarantined", "current", "standing", "restored", "said", "shown", "may_restore"),
    [
        (False, True, "in effect", False, "current", "✓ Current", False),
        (False, True, None, False, "current", "✓ Current", False),
        (False, True, "in effect", True, "current (restored)", "✓ Current (restored)", False),
        (False, True, "approved", False, "current (approved revision)", "✓ Current (approved revision)", False),
        (False, False, "pending", False, "waiting for approval", "! Waiting for approval", False),
        (False, False, "rejected", False, "rejected", "✗ Rejected", True),
        (False, False, "in effect", False, "superseded", "○ Superseded", True),
        (False, False, "approved", False, "superseded", "○ Superseded", True),
        (True, False, "in effect", False, "quarantined", "⊘ Quarantined", False),
        (True, True, "pending", False, "quarantined", "⊘ Quarantined", False),
    ],
)
def test_every_status_is_said_one_way(quarantined, current, standing, restored, said, shown, may_restore):
    """A waiting revision is never 'superseded', nor offered for restore (issue 20)."""
    status = statuses.submission_status(
        is_quarantined=quarantined, is_current=current, standing=standing, is_restored=restored
    )
    assert (status.words, status.shown, status.may_restore) == (said, shown, may_restore)
    row = {"is_quarantined": quarantined, "is_current": current, "standing": standing, "is_restored": restored}
    assert statuses.of_row(row) == status
