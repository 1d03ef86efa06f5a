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
itself, in about a hundred lines, and tests/test_pathways_minimise.py checks it against an
independent brute force (every subset of every cube) on random truth tables.

Step 1, prime implicants, as QCA's "consistency cubes" (Dusa 2018) rather than Quine-McCluskey's
pairwise merging (the two give the same prime implicants). A subset m of a positive
configuration p's literals is an implicant when no forbidden configuration o agrees with p on
all of m, that is when m meets every difference set o ^ p; the prime implicants through p are
the minimal such m. Those sets of masks are computed for all 2^n masks at once as bitsets
(Python integers of 2^n bits), so the cost is a few big-integer operations per forbidden
configuration, and never the up to 3^n intermediate cubes merging builds when most of the
configurations are remainders (3^12 = 531,441 for the review's twelve conditions).

Step 2, every minimum cover, by Petrick's method: the product, over the positive
configurations, of the sum of the prime implicants covering each, multiplied out; a product
already covering the configuration is kept as it is (X(X + Y) = X); products with more terms
than a cover already known (a greedy one) are dropped, since they cannot be the fewest.
Every cover with the fewest terms survives this (each is reached by choosing, at every
configuration it does not yet cover, one of its own terms) and every product left covers
every positive configuration, so the smallest products left are exactly the minimum covers.
"""

from __future__ import annotations

from dataclasses import dataclass

# Past this many partial products the alternatives are too many to list: the caller is told
# to choose fewer conditions rather than wait (the review's file with all twelve conditions
# needs a few hundred).
MAX_PRODUCTS = 200_000


class TooComplex(Exception):
    """The minimum covers are too many to find and list (MAX_PRODUCTS)."""


@dataclass(frozen=True, order=True)
class Cube:
    mask: int  # the conditions the term names, as bits
    value: int  # for each of them: 1 present, 0 absent

    def covers(self, configuration: int) -> bool:
        return configuration & self.mask == self.value

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


def minimum_covers(positive: list[int], implicants: list[Cube], max_products: int = MAX_PRODUCTS
                   ) -> list[tuple[Cube, ...]]:
    """Every set of `implicants` with the fewest members that covers every `positive`
    configuration, each as a sorted tuple; [] when there is nothing to cover. Raises
    TooComplex past `max_products` partial products, ValueError if no cover exists."""
    if not positive:
        return []
    clauses = []
    for c in positive:
        clause = 0
        for i, cube in enumerate(implicants):
            if cube.covers(c):
                clause |= 1 << i
        if not clause:
            raise ValueError(f"configuration {c} is covered by no implicant")
        clauses.append(clause)
    clauses = sorted(set(clauses), key=lambda c: (c.bit_count(), c))
    bound = _greedy(clauses, len(implicants)).bit_count()
    products = {0}
    for clause in clauses:
        grown = set()
        for product in products:
            if product & clause:
                grown.add(product)
                continue
            if product.bit_count() >= bound:
                continue  # one more term would pass the bound
            rest = clause
            while rest:
                low = rest & -rest
                grown.add(product | low)
                rest ^= low
        products = grown
        if len(products) > max_products:
            raise TooComplex(f"more than {max_products:,} combinations of terms to compare")
    fewest = min(p.bit_count() for p in products)
    covers = [tuple(implicants[i] for i in range(len(implicants)) if p >> i & 1)
              for p in products if p.bit_count() == fewest]
    return sorted(covers)


def _greedy(clauses: list[int], count: int) -> int:
    """A cover (not always the smallest): repeatedly the implicant covering most clauses left."""
    chosen, left = 0, list(clauses)
    while left:
        best = max(range(count), key=lambda i: (sum(1 for c in left if c >> i & 1), -i))
        chosen |= 1 << best
        left = [c for c in left if not c >> best & 1]
    return chosen

