"""Who a trust's code belongs to, checked for a return against the reference list and the
returns stored (etl/validate.py runs it): a code another AHSN owns or held latest is refused,
naming that AHSN (and never blocking the owner's own correct return), and a code retired by a
merger is refused, or warned of, naming its successor. Pure: data frames in, problems added."""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

import pandas as pd

from etl import words
from etl.problems import Problem
from etl.programmes import Programme
from etl.quarters import Quarter
from etl.reading.result import ParsedReturn
from etl.reference import Reference
from etl.rows import TrustRow


def successors(codes: set[str], reference: Reference) -> set[str]:
    """The codes that replaced these after a merger, along the whole chain."""
    out, todo = set(), set(codes)
    while todo:
        found = {s.code for s in map(reference.successor, todo) if s is not None} - out - codes
        out |= found
        todo = found
    return out


class Held(NamedTuple):
    """An AHSN's current returns held a code from one quarter to another (quarter indexes)."""

    ahsn: str
    first: int
    last: int


def holders(history: pd.DataFrame | None, parsed: ParsedReturn, replaced: set) -> dict[str, list[Held]]:
    """code -> the AHSNs whose stored returns hold it (those of the returns this file replaces
    left out, since it replaces them)."""
    held: dict[str, list[Held]] = defaultdict(list)
    if history is not None:
        for code, ahsn, first, last in zip(
            history["trust_code"], history["ahsn"], history["first_quarter"], history["last_quarter"]
        ):
            if (ahsn, int(first)) in replaced and first == last:
                continue  # held only in a return this file replaces
            held[code].append(Held(ahsn, int(first), int(last)))
    return held


def _reference_words(programme: Programme) -> str:
    return f"the reference list of {programme.short_name} {words.organisations(programme)}"


def check_owners(
    parsed: ParsedReturn,
    kept: pd.DataFrame,
    reference: Reference,
    held: dict[str, list[Held]],
    programme: Programme,
) -> None:
    """Every code against the reference list and the returns stored. A listed code belongs to
    the AHSN the list names: another AHSN's row for it is refused, naming the owner, and the
    owner's own row is never refused for another AHSN's mistake (it is warned of, since that
    AHSN's return counts the trust too until it is corrected). A code not listed belongs to the
    AHSN whose return held it latest (any quarter), and to one AHSN a quarter."""
    same_quarter: dict[tuple[int, str], set[str]] = defaultdict(set)
    for a, q, c in zip(kept["ahsn"], kept["quarter_index"], kept["trust_code"]):
        same_quarter[(int(q), c)].add(a)
    unlisted: dict[tuple[str, str], list[int]] = defaultdict(list)
    for r in parsed.records:
        owner = reference.by_code(r.trust_code)
        others = sorted(same_quarter.get((r.quarter.index, r.trust_code), set()) - {r.ahsn})
        if owner is not None and owner.ahsn != r.ahsn:
            latest = _latest(held, r.trust_code, owner.ahsn)
            parsed.problems.append(
                Problem(
                    parsed.file_name,
                    r.row,
                    "trust_code",
                    f"trust {r.trust_code} is {owner.name}, one of {owner.ahsn}'s {words.organisations(programme)} "
                    f"in {_reference_words(programme)}, not {r.ahsn}'s"
                    + (f" ({owner.ahsn}'s return for {Quarter.from_index(latest).label} holds it)" if latest else ""),
                    f"Check the code: if the row is {owner.ahsn}'s {words.organisations(programme, 1)}, delete it "
                    f"(a trust is in its own AHSN's return); if the trust has moved to {r.ahsn}, ask the national "
                    "team to correct the reference list",
                )
            )
        elif owner is not None and others:
            parsed.warnings.append(
                Problem(
                    parsed.file_name,
                    r.row,
                    "trust_code",
                    f"trust {r.trust_code} ({owner.name}) is also in {' and '.join(others)}'s return for "
                    f"{r.quarter.label}, though {_reference_words(programme)} puts it in {r.ahsn}: until "
                    f"{' and '.join(others)} correct{'s' if len(others) == 1 else ''} that return, the trust is "
                    "counted in both",
                    f"Nothing to do in this file; the national team will ask {' and '.join(others)} to correct "
                    "their return",
                )
            )
        elif owner is None:
            if others:
                parsed.problems.append(
                    Problem(
                        parsed.file_name,
                        r.row,
                        "trust_code",
                        f"trust {r.trust_code} is already in {others[0]}'s return for {r.quarter.label}",
                        f"A trust belongs to one AHSN: check the code, or ask {others[0]} to correct their return",
                    )
                )
                continue
            q = r.quarter.index
            before = [(min(h.last, q), h.ahsn != r.ahsn, h.ahsn) for h in held.get(r.trust_code, ()) if h.first <= q]
            latest = max(before, default=None)  # the latest holder up to this quarter (this AHSN on a tie)
            if latest is not None and latest[1]:
                parsed.problems.append(
                    Problem(
                        parsed.file_name,
                        r.row,
                        "trust_code",
                        f"trust {r.trust_code} is {latest[2]}'s: {latest[2]}'s return for "
                        f"{Quarter.from_index(latest[0]).label} holds it"
                        + (
                            ""
                            if any(h.ahsn == r.ahsn for h in held.get(r.trust_code, ()))
                            else f", and no return of {r.ahsn}'s ever has"
                        ),
                        f"Check the code: a trust belongs to one AHSN. If it has moved from {latest[2]} to "
                        f"{r.ahsn}, ask the national team to add it to the reference list under {r.ahsn}",
                    )
                )
            elif reference:
                unlisted[(r.ahsn, r.trust_code)].append(r.row)
    listed = {r.ahsn for r in parsed.records if reference.by_code(r.trust_code) is not None}
    by_ahsn: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for (ahsn, code), rows in unlisted.items():
        by_ahsn[ahsn] += [(code, row) for row in rows]
    for ahsn, found in by_ahsn.items():
        if ahsn not in listed:
            continue  # a list that knows none of the AHSN's codes is not this data's list: no word per trust
        codes = sorted({code for code, _ in found})
        rows = sorted(row for _, row in found)
        one = len(codes) == 1
        parsed.warnings.append(
            Problem(
                parsed.file_name,
                rows[0],
                "trust_code",
                f"trust{'' if one else 's'} {', '.join(codes)} {'is' if one else 'are'} not in "
                f"{_reference_words(programme)}, so it cannot be checked that {'it is' if one else 'they are'} {ahsn}'s",
                "If it is a trust new to the programme, nothing to do: tell the national team so they add it; "
                "otherwise check the code",
                tuple(rows) if len(rows) > 1 else (),
            )
        )


def _latest(held: dict[str, list[Held]], code: str, ahsn: str) -> int | None:
    return max((h.last for h in held.get(code, ()) if h.ahsn == ahsn), default=None)


def check_mergers(
    parsed: ParsedReturn, reference: Reference, held: dict[str, list[Held]], programme: Programme
) -> None:
    """A code retired by a merger (the reference list names its successor) is refused in a
    quarter from the successor's first return on (in the store or in this file), naming the
    successor: the old codes' rows are not the merged trust (its level is not theirs, nor can
    their referrals be added up for certain), so they are never stored as two trusts. In a
    quarter before it, they are the trusts of that time. Before the successor has any return,
    the list cannot say when the merger happened: a warning."""
    retired: dict[tuple[str, int, str], list[TrustRow]] = defaultdict(list)
    for r in parsed.records:
        successor = reference.successor(r.trust_code)
        if successor is not None:
            retired[(r.ahsn, r.quarter.index, successor.code)].append(r)
    for (_ahsn, q_index, code), rows in retired.items():
        successor = reference.by_code(code)
        assert successor is not None
        in_file = [r.quarter.index for r in parsed.records if r.trust_code == code]
        started = min([h.first for h in held.get(code, ())] + in_file, default=None)
        old = ", ".join(f"{r.trust_name} ({r.trust_code})" for r in rows)
        numbers = tuple(r.row for r in rows) if len(rows) > 1 else ()
        label = Quarter.from_index(q_index).label
        if started is not None and started <= q_index:
            parsed.problems.append(
                Problem(
                    parsed.file_name,
                    rows[0].row,
                    "trust_code",
                    f"{old} merged into {successor.name} ({code}), which has returned since "
                    f"{Quarter.from_index(started).label}: in {label} the merged trust is {code}, one trust",
                    f"Give one row for {code} ({successor.name}) with the merged trust's level and referrals, and "
                    f"delete the row{'s' if len(rows) > 1 else ''} of {', '.join(r.trust_code for r in rows)}",
                    numbers,
                )
            )
        elif started is None:
            parsed.warnings.append(
                Problem(
                    parsed.file_name,
                    rows[0].row,
                    "trust_code",
                    f"The {_reference_words(programme)[4:]} says {old} merged into {successor.name} ({code}), "
                    f"which has no return yet",
                    f"If the merger had happened by the end of {label}, give one row for {code} instead; otherwise "
                    "nothing to do",
                    numbers,
                )
            )
