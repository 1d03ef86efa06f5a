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

Pure: nothing is read or written here. The parts are etl.pathways.analysis_parts, the solutions
etl.pathways.solutions, the Boolean minimisation etl.pathways.minimise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from etl.pathways.analysis_parts import (  # noqa: F401  (imported from here by the rest of the code)
    CONSERVATIVE,
    CONTRADICTION,
    MAX_CONDITIONS,
    PARSIMONIOUS,
    SOLUTION_KINDS,
    Analysis,
    AnalysisError,
    CaseSet,
    Configuration,
    Model,
    Necessity,
    RawTable,
    Solution,
    Term,
    Variation,
    Wording,
    bits,
    share,
    too_little_variation,
)
from etl.pathways.solutions import solution

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
        rows.append(Configuration(bits(c, n), tuple(ids[i] for i in members), out, positive))
    remainders = tuple(bits(c, n) for c in range(1 << n) if c not in by_configuration)

    solutions = {}
    for target in ("1", "0"):
        solutions[target] = solution(
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


def _plain_wording(name: str, is_outcome: bool) -> Wording:
    if is_outcome:
        return Wording(f"with {name}", f"without {name}")
    return Wording(f"{name} present", f"{name} absent")


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
