"""The national programmes the dashboard knows, each defined once.

Everything programme-specific (adoption levels, what counts as adopted, the target, the
quarters the national review used as checkpoints) lives here, so a second programme is a
second entry in PROGRAMMES, not a change to the store, the validation or the pages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from etl.quarters import Quarter


@dataclass(frozen=True)
class Level:
    number: int
    name: str
    description: str


@dataclass(frozen=True)
class Programme:
    code: str
    short_name: str
    name: str
    description: str
    levels: tuple[Level, ...]
    adopted_from_level: int  # a trust at this level or above counts as adopted
    target_percent: int  # national target: share of counted trusts adopting, in percent
    counted_trust_types: tuple[str, ...]  # only these trust types count toward the rate
    checkpoint_quarters: tuple[str, ...]  # default quarters of the national table
    big_change_points: int  # a change above this is shown in the darkest colour
    # The type a trust is taken as when its return does not say and it has no earlier return.
    default_trust_type: str
    # The most a count of one trust in one quarter (referrals made, referrals completed) can
    # plausibly be: a larger one is refused where it is read, so no stored count, nor any sum
    # of them, can outgrow the database's columns (etl/schema.sql).
    max_count_per_row: int
    # What the programme's organisations are called, one and many: every sentence that names them
    # says it through these (etl/words.py: "2 of 4 acute trusts").
    organisation: str = "trust"
    organisations: str = "trusts"
    # A quarter's returns are due on this day of the month this many months after it ends
    # (a national administrator may set another date for one quarter).
    due_day: int = 15
    due_months_after_quarter_end: int = 2
    # Whether an AHSN's own submitters may set its trajectory (its stepped local targets,
    # etl/trajectories.py); national administrators always may.
    submitters_set_trajectories: bool = False
    # Referrals made by an AHSN in one quarter that are a milestone the first time they are
    # reached (etl/milestones.py), smallest first.
    referral_milestones: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        # England's sum of a quarter's counts (15 AHSNs of at most 10,000 trust rows) must fit
        # the database's BIGINT (9.2 x 10^18)
        if not 0 < self.max_count_per_row <= 10**12:
            raise ValueError(f"{self.code}: max_count_per_row must be from 1 to 10^12")

    @property
    def level_numbers(self) -> tuple[int, ...]:
        return tuple(level.number for level in self.levels)

    def level(self, number: int) -> Level:
        return next(level for level in self.levels if level.number == number)

    def is_adopted(self, level: int) -> bool:
        return level >= self.adopted_from_level

    def due_date(self, quarter: Quarter) -> dt.date:
        """When returns for the quarter are due by the programme's rule: Q3 2020/21
        (October to December 2020) -> 15 February 2021."""
        month_index = quarter.end.year * 12 + quarter.end.month - 1 + self.due_months_after_quarter_end
        return dt.date(month_index // 12, month_index % 12 + 1, self.due_day)


TRUST_TYPES = ("acute", "mental_health", "community", "other")

TCAM = Programme(
    code="tcam",
    short_name="TCAM",
    name="Transfers of Care Around Medicines",
    description=(
        "Acute trusts send information about a patient's medicines, with the patient's "
        "consent, to their community pharmacist after discharge, so that the pharmacist "
        "can follow up."
    ),
    levels=(
        Level(1, "Not started", "No agreement to adopt TCAM yet."),
        Level(2, "Engaged", "The trust has agreed to adopt and named a lead."),
        Level(3, "Implementing", "Information governance, IT and PharmOutcomes set-up under way."),
        Level(4, "Live", "Referrals are being sent to community pharmacies."),
        Level(5, "Embedded", "Referring is routine and sustained across the trust's wards."),
    ),
    adopted_from_level=4,
    target_percent=50,
    counted_trust_types=("acute",),
    checkpoint_quarters=("Q3 2018/19", "Q3 2019/20"),
    big_change_points=25,
    default_trust_type="acute",
    organisation="trust",
    organisations="trusts",
    # A TCAM referral follows a patient's discharge from an acute trust. Real returns hold
    # hundreds per trust per quarter; the largest trusts in England discharge about 50,000
    # admitted patients a quarter, so 100,000 is more than any trust could refer in one,
    # while a pasted total, a doubled number or a crafted value (2,147,483,648) is far above.
    max_count_per_row=100_000,
    # The national review: trajectories work when set with local partners, so each AHSN sets its own.
    submitters_set_trajectories=True,
    referral_milestones=(1_000, 2_000),
)

PROGRAMMES: dict[str, Programme] = {p.code: p for p in (TCAM,)}
