"""The sentences the pages, downloads, e-mails and the command line share, said one way.

Everything about a programme's organisations is said through its definition
(etl/programmes.py): TCAM counts acute trusts, so `counted(TCAM)` is "acute trusts" and
`of_counted(2, 4, TCAM)` is "2 of 4 acute trusts"; another programme's words come from its own
definition. Pure functions of numbers and a Programme: no data access, nothing that needs
pandas, so the reading child may use them too.
"""

from __future__ import annotations

import math

from etl.programmes import Programme

NO_RETURN = "no return"  # an AHSN-quarter without a return: never 0
NOT_REPORTED = "not reported"  # a count the return left blank
AHSN_COUNT = 15


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """'1 day', '2 days', '1,204 referrals'."""
    return f"{n:,} {singular if n == 1 else (plural_form or singular + 's')}"


def capital(text: str) -> str:
    """The first letter in upper case (a heading, the start of a sentence)."""
    return text[:1].upper() + text[1:]


NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def number(n: int) -> str:
    """A small number in words, as a sentence says it: 5 -> 'five' (11 and above as digits)."""
    return NUMBERS[n] if 0 <= n < len(NUMBERS) else f"{n:,}"


def adopted(programme: Programme) -> str:
    """What an adopted organisation is, after its name: 'live' (TCAM's level 4, Live), 'baseline
    uploaded'; 'adopted' for a programme without levels."""
    if not programme.levels:
        return "adopted"
    return programme.level(programme.adopted_from_level).name.lower()


def milestone_counts(programme: Programme) -> str:
    """What the programme's count milestones count, in a sentence: 'referrals'; '' without any."""
    if not programme.milestone_measure or not programme.referral_milestones:
        return ""
    measure = programme.measure(programme.milestone_measure)
    return measure.noun or measure.words


def with_article(text: str) -> str:
    """'an acute trust', 'a community trust'."""
    return f"{'an' if text[:1].lower() in 'aeiou' else 'a'} {text}"


def type_words(organisation_type: str) -> str:
    """An organisation type as said: 'mental_health' -> 'mental health'."""
    return str(organisation_type).replace("_", " ")


def counted_types(programme: Programme, joined_by: str = " and ") -> str:
    """The types that count toward the rate, as the definition says them: 'acute'."""
    said = {t.key: t.words for t in programme.organisation_types}
    return joined_by.join(said.get(t, type_words(t)) for t in programme.counted_trust_types)


def organisations(programme: Programme, n: int = 2) -> str:
    """The programme's organisations, of any type: 'trusts' ('trust' for one)."""
    return programme.organisation if n == 1 else programme.organisations


def counted(programme: Programme, n: int = 2) -> str:
    """The organisations that count toward the rate: 'acute trusts' ('acute trust' for one); just
    the organisations ('GP practices') when every type counts."""
    if set(programme.counted_trust_types) >= set(programme.type_keys):
        return organisations(programme, n)
    return f"{counted_types(programme)} {organisations(programme, n)}"


def counted_key(programme: Programme) -> str:
    """The counted organisations as a data column's name: 'acute_trusts'."""
    return counted(programme).lower().replace(" ", "_")


def of_counted(adopted: int, total: int, programme: Programme) -> str:
    """'2 of 4 acute trusts', '1 of 1 acute trust'."""
    return f"{adopted} of {total} {counted(programme, total)}"


def more_counted(n: int, programme: Programme) -> str:
    """'1 more acute trust', '3 more acute trusts'."""
    return f"{n} more {counted(programme, n)}"


def whole_percent(part: int, whole: int) -> int:
    """part/whole as a whole percent, rounded half up (2/7 -> 29, 1/8 -> 13)."""
    return (200 * part + whole) // (2 * whole)


def rate(adopted: int, total: int, programme: Programme) -> str:
    """'50% (2 of 4 acute trusts)'; 'no acute trusts' when none is counted."""
    if total == 0:
        return f"no {counted(programme)}"
    return f"{whole_percent(adopted, total)}% ({of_counted(adopted, total, programme)})"


def _missing(value) -> bool:
    """None, NaN or pandas' NA: a value the database or a return left blank."""
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))  # NaN is not itself
    except TypeError:  # pandas.NA will not say whether it equals itself
        return True


def stored_rate(percent, adopted, total, programme: Programme) -> str:
    """A rate as the database holds it (blank where there is no return), in the same words."""
    return NO_RETURN if _missing(percent) else rate(int(adopted), int(total), programme)


def percent(value) -> str:
    """'45%', or 'no return' for a blank rate."""
    return NO_RETURN if _missing(value) else f"{int(value)}%"


def count(value) -> str:
    """A count as said: '1,234', or 'not reported' where the return left it blank."""
    return NOT_REPORTED if _missing(value) else f"{int(value):,}"


def coverage(returned: int, expected: int = AHSN_COUNT) -> str:
    """'4 of 15 AHSNs have returned', '1 of 15 AHSNs has returned', 'all 15 AHSNs have returned'."""
    if returned >= expected:
        return f"all {expected} AHSNs have returned"
    return f"{returned} of {expected} AHSNs {'has' if returned == 1 else 'have'} returned"


def headline(programme: Programme, value, numerator=None, denominator=None) -> str:
    """An AHSN-quarter's headline as said, by the kind its definition gives: a share
    '50% (2 of 4 acute trusts)', a rate '86% (172 of 200 eligible mothers)', a count
    '1,234 people completing'; 'no return' where there is none."""
    kind = programme.headline.kind
    if kind == "count":
        return NO_RETURN if _missing(value) else f"{int(value):,} {programme.headline.words}"
    if _missing(value) and (_missing(denominator) or int(denominator) > 0):
        return NO_RETURN
    if kind == "share":
        return rate(int(numerator), int(denominator), programme)
    of = programme.measure(programme.headline.denominator).words
    if int(denominator) == 0:
        return f"no {of}"
    return f"{whole_percent(int(numerator), int(denominator))}% ({int(numerator):,} of {int(denominator):,} {of})"
