"""The solutions of a crisp-set QCA (etl/pathways/qca.py): for the outcome and for its absence,
every model with the fewest prime implicants (etl/pathways/minimise.py), each term with its cases,
coverage and consistency, in the review's notation and in words. Pure."""

from __future__ import annotations

import functools
from collections.abc import Mapping

from etl.pathways.analysis_parts import (
    CONSERVATIVE,
    PARSIMONIOUS,
    CaseSet,
    Configuration,
    Model,
    Solution,
    Term,
    Wording,
    bits,
    share,
)
from etl.pathways.minimise import MAX_COVERS, Cube, TooComplex, TooManyCovers, minimum_covers, prime_implicants


def solution(
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
            consistency=share(hits, len(covered)),
            words=_term_words(literals, words),
            reach=_reach(hits, with_outcome, noun, wording),
            remainders=assumed(cube),
        )

    @functools.cache
    def assumed(cube: Cube) -> tuple[str, ...]:
        return tuple(bits(c, n) for c in sorted(cube.configurations(n)) if c in remainder_set)

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
                share(hits, len(covered)),
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
