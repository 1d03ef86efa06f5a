"""What a programme is, once its definition is read: the frozen Programme and its parts (levels,
organisation types, measures and their pairs, the headline), and DefinitionError for a definition
that cannot be used. etl/programme_reading.py reads a definition into them; etl/programmes.py
holds the registry and is where the rest of the code imports them from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from etl.quarters import Quarter

HEADLINE_KINDS = ("share", "rate", "count")
SET_BY = ("ahsn", "national")


class DefinitionError(ValueError):
    """A programme definition that cannot be used; the message names the file and each field."""


@dataclass(frozen=True)
class Level:
    number: int
    name: str
    description: str


@dataclass(frozen=True)
class OrganisationType:
    key: str  # as a return and the database write it: "mental_health"
    words: str  # as said: "mental health"
    counts: bool  # whether an organisation of this type counts toward the headline
    aliases: tuple[str, ...] = ()  # other ways a return may write it ("mh")


@dataclass(frozen=True)
class Measure:
    key: str  # the return's column and the database's name: "referrals_made"
    words: str  # "referrals made"
    max_per_row: int  # the most one organisation can plausibly report in a quarter
    meaning: str = ""  # what the column holds, for messages
    headings: tuple[str, ...] = ()  # other headings people give the column
    stems: tuple[str, ...] = ()  # word beginnings of a heading that may be the column misnamed
    noun: str = ""  # what one of it is, in messages: "referrals" ("'x' is not a count of referrals")
    typical: str = ""  # how many a real row holds, in messages: "hundreds"
    explanation: str = ""  # the template's words for the column ({most}: max_per_row)


@dataclass(frozen=True)
class Pair:
    """Two measures of one row where the numerator is a part of the denominator."""

    numerator: str
    denominator: str
    # what a row breaking it is told (`{numerator}`, `{denominator}`: the numbers), and the fixes
    more_than: str = field(default="", compare=False)
    more_than_fix: str = field(default="", compare=False)
    blank_denominator: str = field(default="", compare=False)
    blank_denominator_fix: str = field(default="", compare=False)


@dataclass(frozen=True)
class Headline:
    """The one figure each AHSN-quarter is judged by.

    share: adopted counted organisations over counted organisations, a whole percent;
    rate: the sum of `numerator` over the sum of `denominator` across the AHSN's organisations,
    a whole percent; count: the sum of `measure` in the quarter."""

    kind: str  # one of HEADLINE_KINDS
    words: str  # "acute trusts adopting", "people completing"
    unit: str  # "percent", or what a count counts ("people")
    target_percent: int | None  # a flat national target (share, rate); None: each AHSN's trajectory
    big_change: int  # a change above this, in the headline's units, takes the darkest colour
    numerator: str | None = None  # rate
    denominator: str | None = None  # rate
    measure: str | None = None  # count


@dataclass(frozen=True)
class Programme:
    code: str
    short_name: str
    name: str
    description: str
    levels: tuple[Level, ...]
    adopted_from_level: int  # an organisation at this level or above counts as adopted
    target_percent: int | None  # the headline's national target, in percent (None: trajectories)
    counted_trust_types: tuple[str, ...]  # only these organisation types count toward the headline
    checkpoint_quarters: tuple[str, ...]  # default quarters of the national table
    big_change_points: int  # a change above this is shown in the darkest colour
    # The type an organisation is taken as when its return does not say and it has no earlier return.
    default_trust_type: str
    # The most one count of one organisation in one quarter can plausibly be (the largest of the
    # measures' own): a larger one is refused where it is read, so no stored count, nor any sum of
    # them, can outgrow the database's columns (etl/schema.sql).
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
    # Totals of `milestone_measure` in one AHSN-quarter that are a milestone the first time they
    # are reached (etl/milestones.py), smallest first.
    referral_milestones: tuple[int, ...] = ()
    milestone_measure: str | None = None
    headline: Headline | None = None
    organisation_types: tuple[OrganisationType, ...] = ()
    measures: tuple[Measure, ...] = ()
    pairs: tuple[Pair, ...] = ()
    first_quarter: str | None = None
    max_organisations_per_return: int = 300
    code_pattern: str = r"^[A-Z0-9]{3,5}$"
    code_example: str = "RTH"
    code_words: str = "the organisation's ODS code"
    reference_list: str | None = None  # relative to the definitions' folder
    # The reference list (and so every figure shown for it here) is invented: said wherever it shows.
    is_demo_data: bool = False
    # What the pages say of its demo data, after "Demo data." (organisations.demo_note)
    demo_note: str = ""
    trajectories_allowed: bool = True
    trajectory_unit: str = "percent"
    level_headings: tuple[str, ...] = ()  # other headings people give the level column
    level_stems: tuple[str, ...] = ()
    # The definition's text and file, so the reading child can be handed the programme itself.
    source: str = field(default="", compare=False, repr=False)
    file: str = field(default="", compare=False, repr=False)

    @property
    def level_numbers(self) -> tuple[int, ...]:
        return tuple(level.number for level in self.levels)

    @property
    def type_keys(self) -> tuple[str, ...]:
        """The organisation types a return may give, as written in the database."""
        return tuple(t.key for t in self.organisation_types)

    def level(self, number: int) -> Level:
        return next(level for level in self.levels if level.number == number)

    def is_adopted(self, level: int) -> bool:
        return level >= self.adopted_from_level

    def measure(self, key: str) -> Measure:
        return next(m for m in self.measures if m.key == key)

    def due_date(self, quarter: Quarter) -> dt.date:
        """When returns for the quarter are due by the programme's rule: Q3 2020/21
        (October to December 2020) -> 15 February 2021."""
        month_index = quarter.end.year * 12 + quarter.end.month - 1 + self.due_months_after_quarter_end
        return dt.date(month_index // 12, month_index % 12 + 1, self.due_day)
