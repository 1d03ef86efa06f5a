"""The QCA minimisation against an independent brute force, on random truth tables.

The brute force shares nothing with etl/pathways/minimise.py: it lists every one of the 3^n
terms, keeps those that cover no forbidden configuration and cannot lose a condition without
covering one (the prime implicants), and tries every subset of them, smallest first, for the
covers. Through the whole analysis (etl/pathways/qca.py), every model of every solution must
cover every configuration with its outcome, none without it and no contradiction, have the
fewest terms there are, and every tied model must be listed.
"""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.pathways.minimise import Cube, TooComplex, TooManyCovers, minimum_covers, prime_implicants
from etl.pathways.qca import CONSERVATIVE, PARSIMONIOUS, CaseSet, analyse

PROPERTY = settings(max_examples=200, deadline=None, database=None)


# ---- the brute force ----------------------------------------------------------------------


def every_cube(n: int):
    for mask in range(1 << n):
        for value in range(1 << n):
            if value & ~mask == 0:
                yield mask, value


def covers(cube: tuple[int, int], configuration: int) -> bool:
    mask, value = cube
    return configuration & mask == value


def brute_primes(n: int, positive: set[int], forbidden: set[int]) -> set[tuple[int, int]]:
    def allowed(cube):
        return not any(covers(cube, f) for f in forbidden)

    primes = set()
    for cube in every_cube(n):
        mask, value = cube
        if not allowed(cube) or not any(covers(cube, p) for p in positive):
            continue
        larger = [(mask & ~(1 << b), value & ~(1 << b)) for b in range(n) if mask >> b & 1]
        if not any(allowed(c) for c in larger):
            primes.add(cube)
    return primes


def brute_covers(positive: set[int], primes: set[tuple[int, int]]) -> set[frozenset]:
    if not positive:
        return set()
    ordered = sorted(primes)
    for k in range(1, len(ordered) + 1):
        found = {frozenset(s) for s in combinations(ordered, k) if all(any(covers(c, p) for c in s) for p in positive)}
        if found:
            return found
    raise AssertionError("the prime implicants cover every positive configuration, so a cover exists")


# ---- random truth tables ------------------------------------------------------------------


@st.composite
def truth_tables(draw, most: int = 4):
    """(n, positive, forbidden): each configuration positive, forbidden (negative or a
    contradiction) or neither (a remainder)."""
    n = draw(st.integers(1, most))
    kinds = draw(st.lists(st.sampled_from("+-?"), min_size=1 << n, max_size=1 << n))
    positive = {c for c, k in enumerate(kinds) if k == "+"}
    forbidden = {c for c, k in enumerate(kinds) if k == "-"}
    return n, positive, forbidden


@given(truth_tables(most=5))
@PROPERTY
def test_prime_implicants_are_exactly_the_brute_forces(table):
    n, positive, forbidden = table
    found = {(c.mask, c.value) for c in prime_implicants(n, positive, forbidden)}
    assert found == brute_primes(n, positive, forbidden)


@given(truth_tables(most=4))
@PROPERTY
def test_minimum_covers_are_every_smallest_subset_of_the_prime_implicants(table):
    n, positive, forbidden = table
    primes = prime_implicants(n, positive, forbidden)
    found = {frozenset((c.mask, c.value) for c in cover) for cover in minimum_covers(sorted(positive), primes)}
    assert found == brute_covers(positive, {(c.mask, c.value) for c in primes})


def test_too_many_ties_or_too_long_a_search_is_refused_not_waited_for():
    n = 4
    positive = {0b0001, 0b0010, 0b0100, 0b1000, 0b0111, 0b1011, 0b1101, 0b1110}
    primes = prime_implicants(n, positive, set())  # everything else a remainder: one term covers all
    assert [c for cover in minimum_covers(sorted(positive), primes) for c in cover] == [Cube(0, 0)]
    checkerboard = {c for c in range(16) if c.bit_count() % 2}
    primes = prime_implicants(n, checkerboard, set(range(16)) - checkerboard)
    assert len(minimum_covers(sorted(checkerboard), primes)) == 1  # no two of them combine
    with pytest.raises(TooComplex):
        minimum_covers(sorted(checkerboard), primes, max_work=3)
    cyclic = {0b000, 0b001, 0b011, 0b111, 0b110, 0b100}  # two covers of three terms tie
    primes = prime_implicants(3, cyclic, {0b010, 0b101})
    assert len(minimum_covers(sorted(cyclic), primes)) == 2
    with pytest.raises(TooManyCovers):
        minimum_covers(sorted(cyclic), primes, max_covers=1)


def test_nothing_to_cover_gives_no_cover_and_no_prime_implicant():
    assert prime_implicants(3, set(), {1, 2}) == []
    assert minimum_covers([], []) == []
    with pytest.raises(ValueError):
        prime_implicants(2, {1}, {1})


# ---- through the whole analysis -----------------------------------------------------------


@st.composite
def case_sets(draw):
    n = draw(st.integers(1, 4))
    count = draw(st.integers(1, 14))
    rows = draw(st.lists(st.lists(st.integers(0, 1), min_size=n + 1, max_size=n + 1), min_size=count, max_size=count))
    names = [f"C{i}" for i in range(n)]
    columns = {name: tuple(r[i] for r in rows) for i, name in enumerate(names)}
    columns["OUT"] = tuple(r[n] for r in rows)
    return CaseSet(tuple(str(i + 1) for i in range(count)), columns), names


def cube_of(term, conditions) -> tuple[int, int]:
    n = len(conditions)
    mask = value = 0
    for name, present in term.literals:
        bit = 1 << (n - 1 - conditions.index(name))
        mask |= bit
        value |= bit if present else 0
    return mask, value


@given(case_sets(), st.sampled_from([PARSIMONIOUS, CONSERVATIVE]))
@PROPERTY
def test_every_model_is_a_smallest_cover_of_its_outcome_and_every_tie_is_listed(drawn, kind):
    case_set, conditions = drawn
    analysis = analyse(case_set, conditions, "OUT", kind=kind)
    n = len(conditions)
    observed = {int(r.configuration, 2): r.outcome for r in analysis.truth_table}
    assert set(analysis.remainders) == {format(c, f"0{n}b") for c in range(1 << n) if c not in observed}
    for target in ("1", "0"):
        positive = {c for c, out in observed.items() if out == target}
        forbidden = {c for c, out in observed.items() if out != target}  # the other outcome, and C
        if kind == CONSERVATIVE:
            forbidden |= {c for c in range(1 << n) if c not in observed}
        models = analysis.solutions[target].models
        primes = brute_primes(n, positive, forbidden)
        expected = brute_covers(positive, primes)
        found = {frozenset(cube_of(t, conditions) for t in m.terms) for m in models}
        assert found == expected  # the fewest terms, and every tie
        assert len(found) == len(models)  # each listed once
        for model in models:
            cubes = [cube_of(t, conditions) for t in model.terms]
            assert all(any(covers(c, p) for c in cubes) for p in positive)
            assert not any(covers(c, f) for c in cubes for f in forbidden)
            assert {o for o, out in observed.items() if out == "C"}.isdisjoint(
                {o for o in observed if any(covers(c, o) for c in cubes)}
            )
            _check_figures(case_set, conditions, analysis, target, model)
        assert [m.name for m in models] == [f"M{i}" for i in range(1, len(models) + 1)]


def _check_figures(case_set, conditions, analysis, target, model):
    """Coverage and consistency counted again from the cases themselves."""
    config = {
        case: int("".join(str(case_set.columns[c][i]) for c in conditions), 2) for i, case in enumerate(case_set.ids)
    }
    has = {case: case_set.columns["OUT"][i] == int(target) for i, case in enumerate(case_set.ids)}
    with_outcome = sum(has.values())
    union = set()
    for term in model.terms:
        cube = cube_of(term, conditions)
        mine = {case for case in case_set.ids if covers(cube, config[case])}
        others = {
            case
            for t in model.terms
            if t is not term
            for case in case_set.ids
            if covers(cube_of(t, conditions), config[case])
        }
        union |= mine
        assert set(term.cases) == mine
        assert term.raw_coverage == sum(has[c] for c in mine) / with_outcome
        assert term.unique_coverage == sum(has[c] for c in mine - others) / with_outcome
        assert term.consistency == 1.0  # no term covers a case without the outcome
        assert (
            term.expression == "*".join(name.upper() if present else name.lower() for name, present in term.literals)
            or "1"
        )
        assert list(term.literals) == sorted(term.literals, key=lambda lit: conditions.index(lit[0]))
        unobserved = set(analysis.remainders)
        assert term.remainders == tuple(sorted(r for r in unobserved if covers(cube, int(r, 2))))
    assert model.coverage == sum(has[c] for c in union) / with_outcome
    assert model.consistency == 1.0
