"""Crisp-set Qualitative Comparative Analysis (QCA), as the national review did it (section 8.4).

A case set (each case's id, and for each condition and the outcome a 0 or a 1) and a choice
(which conditions, in which order, and which column is the outcome) go in; an `Analysis` comes
out, every part a frozen dataclass:

- the raw table (the review's Table 8.3) with each condition's variation, flagging those with
  too little (`too_little_variation`: the review's rule);
- necessity: for each chosen condition, present and absent, the share of the cases with the
  outcome that have it (consistency) and the share of the cases that have it with the outcome
  (coverage), for the outcome and for its absence;
- the truth table (Table 8.4): each observed configuration with its cases and its outcome,
  1, 0, or C (a contradiction: its cases disagree), and the unobserved configurations, the
  logical remainders;
- the solutions (Table 8.5) for the outcome and for its absence: every model (M1, M2, ...)
  with the fewest prime implicants that covers every configuration with that outcome and
  none without it or contradictory; parsimonious (the remainders may be assumed either way,
  whichever gives the simpler solution) unless conservative is asked for (no remainders).
  Each term with its cases, raw and unique coverage and consistency; each model with its
  coverage and consistency; each in the review's notation (upper case present, lower case
  absent, * and, + or) and in words made from the caller's wording of each condition.

Pure: nothing is read or written here. The Boolean minimisation is etl.pathways.minimise.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from etl.pathways.minimise import MAX_COVERS, Cube, TooComplex, TooManyCovers, minimum_covers, prime_implicants

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
        return _share(self.with_both, self.with_outcome)

    @property
    def coverage(self) -> float | None:
        return _share(self.with_both, self.with_condition)


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


# ---- the analysis -----------------------------------------------------------------------


def analyse(
    case_set: CaseSet,
    conditions: Sequence[str],
    outcome: str,
    *,
    kind: str = PARSIMONIOUS,
    wordings: Mapping[str, Wording] | None = None,
) -> Analysis:
    """The whole analysis of `outcome` by `conditions` (in that order) over the case set.
    `wordings`: a condition's or the outcome's words, by column name; a column without them
    is said by its name ("PHARMA present"). Raises AnalysisError for a choice that cannot
    be analysed."""
    conditions = tuple(conditions)
    _check_choice(case_set, conditions, outcome, kind)
    words = {
        name: (wordings or {}).get(name) or _plain_wording(name, name == outcome) for name in (*conditions, outcome)
    }
    n = len(conditions)
    ids = case_set.ids
    result = case_set.columns[outcome]
    configuration_of = [int("".join(str(case_set.columns[c][i]) for c in conditions), 2) for i in range(len(ids))]

    by_configuration: dict[int, list[int]] = {}
    for i, c in enumerate(configuration_of):
        by_configuration.setdefault(c, []).append(i)
    rows = []
    for c in sorted(by_configuration):
        members = by_configuration[c]
        positive = sum(result[i] for i in members)
        out = "1" if positive == len(members) else "0" if positive == 0 else CONTRADICTION
        rows.append(Configuration(_bits(c, n), tuple(ids[i] for i in members), out, positive))
    remainders = tuple(_bits(c, n) for c in range(1 << n) if c not in by_configuration)

    solutions = {}
    for target in ("1", "0"):
        solutions[target] = _solution(
            case_set, conditions, outcome, target, kind, configuration_of, by_configuration, rows, words
        )
    notes = _notes(case_set, conditions, outcome, rows, remainders, words)
    return Analysis(
        conditions,
        outcome,
        kind,
        case_set.source,
        case_set.noun,
        ids,
        _raw_table(case_set, conditions, outcome),
        _necessity(case_set, conditions, outcome),
        tuple(rows),
        remainders,
        solutions,
        words,
        notes,
    )


def _check_choice(case_set: CaseSet, conditions: tuple[str, ...], outcome: str, kind: str) -> None:
    if kind not in SOLUTION_KINDS:
        raise AnalysisError(f"'{kind}' is not a kind of solution: choose {' or '.join(SOLUTION_KINDS)}")
    known = list(case_set.columns)
    unknown = [c for c in (*conditions, outcome) if c not in case_set.columns]
    if unknown:
        raise AnalysisError(
            f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not a column of the "
            f"case set; its columns are {', '.join(known)}"
        )
    if not conditions:
        raise AnalysisError("choose at least one condition")
    if len(set(conditions)) != len(conditions):
        twice = sorted({c for c in conditions if conditions.count(c) > 1})
        raise AnalysisError(
            f"{', '.join(twice)} {'is' if len(twice) == 1 else 'are'} chosen twice: name each condition once"
        )
    if outcome in conditions:
        raise AnalysisError(f"{outcome} is the outcome, so it cannot also be a condition")
    if len(conditions) > MAX_CONDITIONS:
        raise AnalysisError(
            f"{len(conditions)} conditions are chosen; at most {MAX_CONDITIONS} can be analysed together "
            f"({MAX_CONDITIONS} already make {1 << MAX_CONDITIONS:,} possible configurations for "
            f"{len(case_set.ids)} {case_set.noun[1] if len(case_set.ids) != 1 else case_set.noun[0]}). "
            "Choose the conditions that matter most: those with enough variation, that the evidence "
            "supports best"
        )
    if not case_set.ids:
        raise AnalysisError("the case set has no cases")


def _bits(configuration: int, n: int) -> str:
    return format(configuration, f"0{n}b") if n else ""


def _plain_wording(name: str, is_outcome: bool) -> Wording:
    if is_outcome:
        return Wording(f"with {name}", f"without {name}")
    return Wording(f"{name} present", f"{name} absent")


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _raw_table(case_set: CaseSet, conditions: tuple[str, ...], outcome: str) -> RawTable:
    columns = tuple(case_set.columns)
    rows = tuple((case, tuple(case_set.columns[c][i] for c in columns)) for i, case in enumerate(case_set.ids))
    variation = tuple(
        Variation(
            c,
            sum(case_set.columns[c]),
            len(case_set.ids) - sum(case_set.columns[c]),
            c in conditions or c == outcome,
            c == outcome,
        )
        for c in columns
    )
    return RawTable(columns, rows, variation)


def _necessity(case_set: CaseSet, conditions: tuple[str, ...], outcome: str) -> tuple[Necessity, ...]:
    result = case_set.columns[outcome]
    out = []
    for target in (1, 0):
        with_outcome = sum(1 for r in result if r == target)
        for name in conditions:
            values = case_set.columns[name]
            for present in (True, False):
                want = 1 if present else 0
                has = [v == want for v in values]
                out.append(
                    Necessity(
                        name,
                        present,
                        name.upper() if present else name.lower(),
                        str(target),
                        sum(1 for h, r in zip(has, result) if h and r == target),
                        with_outcome,
                        sum(has),
                    )
                )
    return tuple(out)


def _solution(
    case_set: CaseSet,
    conditions: tuple[str, ...],
    outcome: str,
    target: str,
    kind: str,
    configuration_of: list[int],
    by_configuration: dict[int, list[int]],
    rows: list[Configuration],
    words: Mapping[str, Wording],
) -> Solution:
    """The models for one outcome value (`target`: "1" the outcome, "0" its absence)."""
    wording = words[outcome].present if target == "1" else words[outcome].absent
    n = len(conditions)
    result = [1 if r == int(target) else 0 for r in case_set.columns[outcome]]
    with_outcome = sum(result)
    noun = case_set.noun
    positive = {int(r.configuration, 2) for r in rows if r.outcome == target}
    forbidden = {int(r.configuration, 2) for r in rows if r.outcome != target}  # the other outcome, and C
    if kind == CONSERVATIVE:
        forbidden |= {c for c in range(1 << n) if c not in by_configuration}
    if not positive:
        if with_outcome:
            note = (
                f"every {noun[0]} {wording} is in a contradictory configuration, so no term can "
                "cover it: tell the cases apart with another condition, or check the data"
            )
        else:
            note = f"there is no {noun[0]} {wording}, so nothing to explain"
        return Solution(target, kind, wording, with_outcome, (), note)
    remainder_set = {c for c in range(1 << n) if c not in by_configuration}
    try:
        covers = minimum_covers(sorted(positive), prime_implicants(n, positive, forbidden))
    except (TooManyCovers, TooComplex) as err:
        unseen = (
            f"with {len(remainder_set):,} of the {1 << n:,} configurations observed in no {noun[0]}, "
            if remainder_set and kind == PARSIMONIOUS
            else ""
        )
        why = (
            f"more than {MAX_COVERS} models are equally simple: {unseen}these {noun[1]} cannot choose between them"
            if isinstance(err, TooManyCovers)
            else f"finding the simplest models would take too long ({err})"
        )
        fewer = "choose fewer conditions" + (", or ask for the conservative solution" if unseen else "")
        return Solution(target, kind, wording, with_outcome, (), f"{why}; {fewer}")

    covered_by: dict[Cube, list[int]] = {}  # the cases in each term, counted once for every model

    def cases_in(cube: Cube) -> list[int]:
        if cube not in covered_by:
            covered_by[cube] = [i for i, c in enumerate(configuration_of) if cube.covers(c)]
        return covered_by[cube]

    def term(cube: Cube, others: tuple[Cube, ...]) -> Term:
        covered = cases_in(cube)
        by_others = {i for other in others for i in cases_in(other)}
        literals = tuple((conditions[i], bool(v)) for i, v in cube.literals(n))
        groups: dict[int, list[str]] = {}
        for i in covered:
            groups.setdefault(configuration_of[i], []).append(case_set.ids[i])
        hits = sum(result[i] for i in covered)
        unique = sum(result[i] for i in covered if i not in by_others)
        return Term(
            expression="*".join(c.upper() if p else c.lower() for c, p in literals) or "1",
            literals=literals,
            case_groups=tuple(tuple(g) for g in groups.values()),  # in the order of their first case
            raw_coverage=hits / with_outcome,
            unique_coverage=unique / with_outcome,
            consistency=_share(hits, len(covered)),
            words=_term_words(literals, words),
            reach=_reach(hits, with_outcome, noun, wording),
            remainders=assumed(cube),
        )

    @functools.cache
    def assumed(cube: Cube) -> tuple[str, ...]:
        return tuple(_bits(c, n) for c in sorted(cube.configurations(n)) if c in remainder_set)

    models = []
    for cover in sorted(covers, key=lambda cv: (sum(c.mask.bit_count() for c in cv), _order(cv, n))):
        cover = tuple(sorted(cover, key=lambda c: _literal_order(c, n)))
        terms = tuple(term(c, tuple(o for o in cover if o != c)) for c in cover)
        covered = [i for i, c in enumerate(configuration_of) if any(cube.covers(c) for cube in cover)]
        hits = sum(result[i] for i in covered)
        models.append(
            Model(
                f"M{len(models) + 1}",
                terms,
                hits / with_outcome,
                _share(hits, len(covered)),
                _reach(hits, with_outcome, noun, wording),
            )
        )
    return Solution(target, kind, wording, with_outcome, tuple(models))


def _literal_order(cube: Cube, n: int) -> tuple:
    """Terms in the order of the conditions they name, present before absent."""
    return tuple((i, 1 - v) for i, v in cube.literals(n))


def _order(cover: tuple[Cube, ...], n: int) -> tuple:
    return tuple(sorted(_literal_order(c, n) for c in cover))


def _term_words(literals: tuple[tuple[str, bool], ...], words: Mapping[str, Wording]) -> str:
    if not literals:
        return "whatever the conditions"
    said = [words[c].present if present else words[c].absent for c, present in literals]
    return said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]


def _reach(hits: int, of: int, noun: tuple[str, str], wording: str) -> str:
    """'all 7 AHSNs at target', '4 of the 8 AHSNs not at target', 'the one AHSN at target'."""
    plural = noun[1] if of != 1 else noun[0]
    if hits == of:
        return f"the one {noun[0]} {wording}" if of == 1 else f"all {of} {plural} {wording}"
    return f"{hits} of the {of} {plural} {wording}"


def _notes(
    case_set: CaseSet,
    conditions: tuple[str, ...],
    outcome: str,
    rows: list[Configuration],
    remainders: tuple[str, ...],
    words: Mapping[str, Wording],
) -> tuple[str, ...]:
    noun = case_set.noun
    total = len(case_set.ids)
    notes = []
    for name in (*conditions, outcome):
        values = case_set.columns[name]
        present = sum(values)
        v = Variation(name, present, total - present, True, name == outcome)
        if not v.flagged:
            continue
        what = "the outcome" if name == outcome else name
        if v.differ == 0:
            state = words[name].present if present else words[name].absent
            notes.append(
                f"{what} is the same in every {noun[0]} ({state} in all {total}): it cannot tell any of them apart"
            )
        else:
            notes.append(
                f"{what}: only {v.differ} of the {total} {noun[1]} differ from the rest "
                f"({present} present, {total - present} absent), a third or fewer: too little "
                "variation by the review's rule"
            )
    for row in rows:
        if row.outcome == CONTRADICTION:
            notes.append(
                f"configuration {row.configuration} is a contradiction: of its {noun[1]} "
                f"{', '.join(row.cases)}, {row.with_outcome} {words[outcome].present} and "
                f"{len(row.cases) - row.with_outcome} {words[outcome].absent}. No solution covers "
                "it; another condition may tell them apart"
            )
    observed = len(rows)
    notes.append(
        f"{observed} of the {observed + len(remainders):,} possible configurations "
        f"{'was' if observed == 1 else 'were'} observed; the other {len(remainders):,} are "
        "logical remainders"
    )
    return tuple(notes)
