"""What a crisp-set QCA is made of (etl/pathways/qca.py makes them): the case set, each
condition's wording, and every part of an Analysis (the raw table and its variation, necessity,
the truth table's configurations, the solutions' terms and models), each a frozen dataclass.
Pure: nothing is read or written here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# 2^12 = 4,096 configurations: already far more than any set of AHSNs can fill (the review's
# twelve conditions over 15 AHSNs leave 4,081 of them unobserved). More conditions only add
# remainders, and the search for tied models grows with them.
MAX_CONDITIONS = 12
PARSIMONIOUS, CONSERVATIVE = "parsimonious", "conservative"
SOLUTION_KINDS = (PARSIMONIOUS, CONSERVATIVE)
CONTRADICTION = "C"


class AnalysisError(ValueError):
    """The choice cannot be analysed (an unknown column, too many conditions, ...): the
    message says why and what to do, in words for the person who chose."""


@dataclass(frozen=True)
class Wording:
    """A condition (or the outcome) in a few words, present and absent: "a prompt start" /
    "a delayed start"; "at target" / "not at target"."""

    present: str
    absent: str


@dataclass(frozen=True)
class CaseSet:
    """The cases: their ids as text, in table order, and for every column (the conditions
    and the outcome, in table order) one 0 or 1 per case."""

    ids: tuple[str, ...]
    columns: Mapping[str, tuple[int, ...]]
    source: str = ""  # where the cases came from: a file's name
    noun: tuple[str, str] = ("case", "cases")  # what a case is, singular and plural

    def __post_init__(self):
        if len(set(self.ids)) != len(self.ids):
            raise AnalysisError("two cases have the same id")
        for name, values in self.columns.items():
            if len(values) != len(self.ids) or any(v not in (0, 1) for v in values):
                raise AnalysisError(f"column {name} must hold one 0 or 1 for each case")


# ---- the parts of an analysis -----------------------------------------------------------


def too_little_variation(present: int, absent: int) -> bool:
    """The review's rule: a condition on which a third or fewer of the cases differ from the
    rest has too little variation. Counted as: the smaller of the two groups (the cases
    where it is present, or those where it is absent) is at most a third of all the cases,
    3 x smaller <= cases. Of 15 cases, 5 differing is flagged and 6 is not; of 14, 4 is
    flagged and 5 is not; a condition the same in every case is always flagged."""
    return 3 * min(present, absent) <= present + absent


@dataclass(frozen=True)
class Variation:
    column: str
    present: int  # cases with a 1
    absent: int  # cases with a 0
    chosen: bool  # one of the analysis's conditions (or its outcome)
    is_outcome: bool = False

    @property
    def differ(self) -> int:
        """How many cases differ from the rest: the smaller group."""
        return min(self.present, self.absent)

    @property
    def flagged(self) -> bool:
        return too_little_variation(self.present, self.absent)


@dataclass(frozen=True)
class RawTable:
    """Table 8.3: every case's value of every column of the case set, and their variation."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[int, ...]], ...]  # (case id, one value per column)
    variation: tuple[Variation, ...]


@dataclass(frozen=True)
class Necessity:
    """Is a condition (present or absent) necessary for an outcome? How many of the cases
    with the outcome have it (consistency), and how many of the cases with it have the
    outcome (coverage). None where there is no case to divide by."""

    condition: str
    present: bool
    literal: str  # "PHARMA" present, "pharma" absent
    outcome: str  # "1" the outcome, "0" its absence
    with_both: int  # cases with the condition (so) and the outcome (so)
    with_outcome: int
    with_condition: int

    @property
    def consistency(self) -> float | None:
        return share(self.with_both, self.with_outcome)

    @property
    def coverage(self) -> float | None:
        return share(self.with_both, self.with_condition)


@dataclass(frozen=True)
class Configuration:
    """One row of the truth table: a combination of the conditions seen in some cases."""

    configuration: str  # "1010": one digit per condition, in the order chosen
    cases: tuple[str, ...]
    outcome: str  # "1", "0", or "C" where its cases disagree
    with_outcome: int  # how many of its cases have the outcome

    @property
    def consistency(self) -> float:
        """The share of its cases with the outcome."""
        return self.with_outcome / len(self.cases)


@dataclass(frozen=True)
class Term:
    """A prime implicant of a solution: a conjunction of conditions present or absent."""

    expression: str  # "NONDELAY*PHARMA"; "1" for the term that holds in every case
    literals: tuple[tuple[str, bool], ...]  # (condition, present)
    case_groups: tuple[tuple[str, ...], ...]  # the cases it covers, one group per configuration
    raw_coverage: float
    unique_coverage: float
    consistency: float | None
    words: str  # "a prompt start and a pharmacist at the AHSN"
    reach: str  # "all 7 AHSNs at target"
    remainders: tuple[str, ...]  # the unobserved configurations it covers (assumed, not seen)

    @property
    def cases(self) -> tuple[str, ...]:
        return tuple(c for group in self.case_groups for c in group)


@dataclass(frozen=True)
class Model:
    name: str  # "M1"
    terms: tuple[Term, ...]
    coverage: float
    consistency: float | None
    reach: str  # "all 8 AHSNs not at target"

    @property
    def expression(self) -> str:
        return " + ".join(t.expression for t in self.terms)

    @property
    def words(self) -> str:
        return "; or ".join(t.words for t in self.terms)

    @property
    def remainders(self) -> tuple[str, ...]:
        """The simplifying assumptions: unobserved configurations the model takes to have
        the outcome (only a parsimonious solution makes any)."""
        return tuple(sorted({r for t in self.terms for r in t.remainders}))


@dataclass(frozen=True)
class Solution:
    outcome: str  # "1": the outcome; "0": its absence
    kind: str  # "parsimonious" or "conservative"
    wording: str  # "at target"
    with_outcome: int  # cases with this outcome (the coverages' denominator)
    models: tuple[Model, ...]
    note: str = ""  # why there is no model, when there is none (nothing to explain, or too many)

    @property
    def in_every_model(self) -> tuple[str, ...]:
        """The terms every tied model has (all of them when there is one model)."""
        if not self.models:
            return ()
        common = set.intersection(*({t.expression for t in m.terms} for m in self.models))
        return tuple(t.expression for t in self.models[0].terms if t.expression in common)


@dataclass(frozen=True)
class Analysis:
    conditions: tuple[str, ...]
    outcome: str
    kind: str
    source: str
    noun: tuple[str, str]
    cases: tuple[str, ...]
    raw: RawTable
    necessity: tuple[Necessity, ...]
    truth_table: tuple[Configuration, ...]
    remainders: tuple[str, ...]
    solutions: Mapping[str, Solution]  # "1" and "0"
    wordings: Mapping[str, Wording] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # what the reader should know: too little variation, contradictions


def bits(configuration: int, n: int) -> str:
    """A configuration (a number whose bits are the conditions, first condition highest) as 0s and 1s."""
    return format(configuration, f"0{n}b") if n else ""


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
