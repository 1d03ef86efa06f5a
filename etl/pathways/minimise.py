"""Boolean minimisation for crisp-set QCA: prime implicants, and every cover with the fewest terms.

Configurations are integers of `n` bits, the first condition the highest bit, so the
configuration written "1010" is int("1010", 2). A term (an implicant, a "cube") is
`Cube(mask, value)`: the conditions it names are the bits of `mask`, and `value` says for
each whether it must be present (1) or absent (0); a configuration c is in it when
`c & mask == value`. The empty term, Cube(0, 0), holds for every configuration.

Why our own, not a library
--------------------------
QCA needs three things of the minimisation: (1) the prime implicants of the configurations
allowed (the positive ones, and for the parsimonious solution the logical remainders too)
that never cover a negative or contradictory configuration; (2) *every* cover of the positive
configurations with the fewest prime implicants, because when several models tie the review's
method reports each (M1, M2, ...); (3) a result that can be checked. sympy's logic module
(`SOPform` / `simplify_logic` with don't-cares) meets (1) but returns one minimal form, "one of
the (perhaps many) functions that satisfy the conditions" (its documentation), so it cannot list
tied models, and its cover step is not documented as the fewest terms; adding sympy (tens of
megabytes) to get half of what is needed is a poor trade. So this module does both steps
itself, in under two hundred lines, and tests/test_pathways_minimise.py checks it against an
independent brute force (every subset of every cube) on random truth tables.

Step 1, prime implicants, as QCA's "consistency cubes" (Dusa 2018) rather than Quine-McCluskey's
pairwise merging (the two give the same prime implicants). A subset m of a positive
configuration p's literals is an implicant when no forbidden configuration o agrees with p on
all of m, that is when m meets every difference set o ^ p; the prime implicants through p are
the minimal such m. Those sets of masks are computed for all 2^n masks at once as bitsets
(Python integers of 2^n bits), so the cost is a few big-integer operations per forbidden
configuration, and never the up to 3^n intermediate cubes merging builds when most of the
configurations are remainders (3^12 = 531,441 for the review's twelve conditions).

Step 2, every minimum cover. Petrick's method states the problem: each positive configuration
needs one of the prime implicants that cover it (a product of sums), and the models are the
smallest sets of implicants meeting every need. Multiplying that product out, as the textbook
does, passes millions of partial products when a dozen conditions leave most configurations
unobserved (30 random cases over 12 conditions: over 2 million after ten minutes). So a
depth-first search solves it instead: it takes the unmet need with the fewest choices, tries
each of its implicants in turn and leaves those already tried out of the later branches (so
each cover is found exactly once), and prunes where the needs left that share no implicant
outnumber the terms left. It looks for covers of the least possible size first, then one more,
and so on, so the first size with any cover is the fewest, and every cover of that size is
found. A need that contains another's implicants is dropped first (meeting the other meets it).
Past MAX_COVERS tied covers, or MAX_WORK needs looked at in the search, it stops and says so, rather than list
thousands of models or keep a person waiting.
"""

from __future__ import annotations

from dataclasses import dataclass

# Past this many tied covers a list says nothing a person can use (the review's file with all
# twelve conditions has 5). Past this much work (needs looked at, over every step of the search:
# about a second) the caller is told to choose fewer conditions rather than wait.
MAX_COVERS = 100
MAX_WORK = 600_000


class TooComplex(Exception):
    """The search for the smallest covers would take too long (MAX_WORK)."""


class TooManyCovers(Exception):
    """More covers tie for the fewest terms than can usefully be listed (MAX_COVERS)."""


@dataclass(frozen=True, order=True)
class Cube:
    mask: int  # the conditions the term names, as bits
    value: int  # for each of them: 1 present, 0 absent

    def covers(self, configuration: int) -> bool:
        return configuration & self.mask == self.value

    def configurations(self, n: int):
        """Every configuration of n conditions in the term."""
        free = ((1 << n) - 1) & ~self.mask
        subset = free
        while True:
            yield self.value | subset
            if not subset:
                return
            subset = (subset - 1) & free

    def literals(self, n: int) -> tuple[tuple[int, int], ...]:
        """(condition position, 1 present / 0 absent), in the order of the conditions."""
        return tuple((i, (self.value >> (n - 1 - i)) & 1) for i in range(n) if self.mask >> (n - 1 - i) & 1)


def _subsets_table(n: int) -> list[int]:
    """table[x]: the set of every mask m contained in x (m & ~x == 0), as a bitset of 2^n bits."""
    table = [1]  # the subsets of 0: only 0 itself
    for x in range(1, 1 << n):
        low = x & -x
        rest = table[x ^ low]
        table.append(rest | (rest << low))  # each subset without the bit, and with it
    return table


def prime_implicants(n: int, positive: set[int], forbidden: set[int]) -> list[Cube]:
    """Every prime implicant of the configurations not `forbidden` that covers at least one
    `positive` configuration (positive and forbidden are disjoint), sorted."""
    if positive & forbidden:
        raise ValueError("a configuration cannot be both positive and forbidden")
    if not positive:
        return []
    full = (1 << n) - 1
    size = 1 << n
    subsets = _subsets_table(n)
    every = (1 << size) - 1
    # lacking[b]: the masks without bit b
    lacking = [every ^ _with_bit(b, size) for b in range(n)]
    primes: set[Cube] = set()
    for p in positive:
        failing = 0  # masks m on which some forbidden o agrees with p: m within ~(o ^ p)
        for o in forbidden:
            failing |= subsets[full ^ (o ^ p)]
        implicant = every ^ failing  # up-closed: a larger mask (a smaller cube) stays an implicant
        not_minimal = 0
        for b in range(n):
            not_minimal |= (implicant & lacking[b]) << (1 << b)  # m | bit, where m is an implicant
        minimal = implicant & ~not_minimal
        while minimal:
            low = minimal & -minimal
            mask = low.bit_length() - 1
            primes.add(Cube(mask, p & mask))
            minimal ^= low
    return sorted(primes)


def _with_bit(b: int, size: int) -> int:
    """The set of masks (0 .. size - 1) that have bit b, as a bitset."""
    out = 0
    for m in range(size):
        if m >> b & 1:
            out |= 1 << m
    return out


def minimum_covers(
    positive: list[int], implicants: list[Cube], max_covers: int = MAX_COVERS, max_work: int = MAX_WORK
) -> list[tuple[Cube, ...]]:
    """Every set of `implicants` with the fewest members that covers every `positive`
    configuration, each as a sorted tuple; [] when there is nothing to cover. Raises
    TooManyCovers past `max_covers` of them, TooComplex past `max_work` needs looked at,
    ValueError if no cover exists."""
    if not positive:
        return []
    clauses = _clauses(positive, implicants)
    everything = (1 << len(implicants)) - 1
    work = 0

    def search(open_: list[int], allowed: int, chosen: int, left: int, found: list[int]) -> None:
        nonlocal work
        work += len(open_) + 1
        if work > max_work:
            raise TooComplex("it would take more than a second or two")
        if not open_:
            found.append(chosen)
            if len(found) > max_covers:
                raise TooManyCovers(f"more than {max_covers:,} covers with {chosen.bit_count()} terms")
            return
        if left == 1:  # the last term must be in every need left: each such is a cover
            last = allowed
            for c in open_:
                last &= c
            while last:
                low = last & -last
                found.append(chosen | low)
                last ^= low
            if len(found) > max_covers:
                raise TooManyCovers(f"more than {max_covers:,} covers with {chosen.bit_count() + 1} terms")
            return
        if left < 1 or _lower_bound(open_, allowed) > left:
            return
        options = min((c & allowed for c in open_), key=int.bit_count)
        while options:
            low = options & -options
            search([c for c in open_ if not c & low], allowed, chosen | low, left - 1, found)
            allowed ^= low  # the later branches leave it out: each cover is found once
            options ^= low

    for size in range(_lower_bound(clauses, everything), _greedy(clauses, len(implicants)).bit_count() + 1):
        found: list[int] = []
        search(clauses, everything, 0, size, found)
        if found:
            return sorted(tuple(implicants[i] for i in range(len(implicants)) if p >> i & 1) for p in found)
    raise AssertionError("the greedy cover has that many terms, so a cover of that size exists")


def _clauses(positive: list[int], implicants: list[Cube]) -> list[int]:
    """For each positive configuration, the implicants covering it (a bitset), leaving out any
    that holds another: covering the smaller one covers it."""
    clauses = set()
    for c in positive:
        clause = 0
        for i, cube in enumerate(implicants):
            if cube.covers(c):
                clause |= 1 << i
        if not clause:
            raise ValueError(f"configuration {c} is covered by no implicant")
        clauses.add(clause)
    ordered = sorted(clauses, key=lambda c: (c.bit_count(), c))
    return [c for i, c in enumerate(ordered) if not any(d & c == d for d in ordered[:i])]


def _lower_bound(open_: list[int], allowed: int) -> int:
    """Terms still needed at least: clauses sharing no implicant each need one of their own."""
    needed, used = 0, 0
    for clause in sorted((c & allowed for c in open_), key=int.bit_count):
        if not clause & used:
            needed += 1
            used |= clause
    return needed


def _greedy(clauses: list[int], count: int) -> int:
    """A cover (not always the smallest): repeatedly the implicant meeting most needs left."""
    meets = [0] * count  # for each implicant, the needs it meets, as a bitset
    for j, clause in enumerate(clauses):
        rest = clause
        while rest:
            low = rest & -rest
            meets[low.bit_length() - 1] |= 1 << j
            rest ^= low
    chosen, left = 0, (1 << len(clauses)) - 1
    while left:
        best = max(range(count), key=lambda i: ((meets[i] & left).bit_count(), -i))
        chosen |= 1 << best
        left &= ~meets[best]
    return chosen
