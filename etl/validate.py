"""Check a quarterly return and turn it into clean rows, reporting every problem at once.

Two steps, both pure (bytes and data frames in, results out, nothing written):
- `parse_return` checks the file on its own: it reads the file and checks every cell in a
  sandboxed child process (etl.reading), with the caps of `limits`.
- `check_against_store` compares it with what is already loaded: a trust claimed by two
  AHSNs (an error), each untyped trust's type carried over from its previous return, and
  the warnings that do not block (missing trusts, big level drops, referral jumps).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import NamedTuple

import pandas as pd

from etl import words
from etl.problems import Problem
from etl.programmes import Programme
from etl.quarters import Quarter
from etl.reading.check import too_big
from etl.reading.kinds import clean_file_name
from etl.reading.limits import ReadLimits
from etl.reading.result import Interpretation, ParsedReturn
from etl.reading.sandbox import read_files
from etl.reading.table import layout_for
from etl.reference import Reference, organisations
from etl.rows import TrustRow

__all__ = [
    "layout_for",
    "Interpretation",
    "ParsedReturn",
    "ReadLimits",
    "check_against_store",
    "parse_return",
    "parse_returns",
]

REFERRAL_JUMP = 10  # a trust's referrals growing more than this many times is worth a look


class _Seen(NamedTuple):
    """What a trust's row the quarter before said, from this file or from the store."""

    trust_name: str
    adoption_level: int
    referrals_made: int | None
    trust_type: str | None = None


def parse_return(
    file_name: str,
    content: bytes,
    programme: Programme,
    limits: ReadLimits,
    today: dt.date | None,
) -> ParsedReturn:
    """Check a file on its own. `today` None skips the future-quarter rule (used when
    rebuilding from files that were accepted in the past)."""
    return parse_returns([(file_name, content)], programme, limits, today)[0]


def parse_returns(
    files: list[tuple[str, bytes]], programme: Programme, limits: ReadLimits, today: dt.date | None
) -> list[ParsedReturn]:
    """parse_return for each file, reading them all in one child process (a failure there
    is pinned on its file by reading each alone)."""
    named = [(clean_file_name(name), content) for name, content in files]
    results: dict[int, ParsedReturn] = {}
    to_read = []
    for i, (name, content) in enumerate(named):
        if len(content) > limits.max_bytes:  # refused before anything is sent to a child
            results[i] = ParsedReturn(name, problems=[too_big(name, len(content), limits.max_bytes)])
        else:
            to_read.append(i)
    for i, parsed in zip(to_read, read_files([named[i] for i in to_read], programme, limits, today)):
        results[i] = parsed
    return [results[i] for i in range(len(named))]


def check_against_store(
    parsed: ParsedReturn,
    current: pd.DataFrame,
    programme: Programme,
    history: pd.DataFrame | None = None,
    reference: Reference | None = None,
) -> None:
    """Add the problems and warnings that need the data already loaded.

    `current` holds the current returns of the file's quarters and the quarters before them:
    ahsn, quarter_index, trust_code, trust_name, trust_type, adoption_level, referrals_made (one
    row per trust per AHSN-quarter). `history` (etl.queries.files.code_history) says which AHSNs'
    current returns have held each of the file's codes, and their successors', in any quarter;
    `reference` is the programme's reference list (etl.reference; by default its own)."""
    if not parsed.records:
        return
    replaced = {(a, q.index) for a, q, _ in parsed.returns()}
    by_return: dict[tuple[str, int], dict[str, TrustRow]] = defaultdict(dict)
    for r in parsed.records:
        by_return[(r.ahsn, r.quarter.index)][r.trust_code] = r

    # Only the rows that can matter to this file: its codes anywhere (owners, mergers), and its
    # AHSNs' own returns (what changed since the quarter before). A return of hundreds of GP
    # practices is then checked in time proportional to itself, not to the store or the batch.
    codes = {r.trust_code for r in parsed.records}
    ahsns_of = {a for a, _ in replaced}
    mine = current[current["trust_code"].isin(codes)]
    keep = [(a, q) not in replaced for a, q in zip(mine["ahsn"], mine["quarter_index"])]
    kept = mine.loc[pd.Series(keep, index=mine.index, dtype=bool)]
    reference = reference if reference is not None else organisations(programme)
    if history is not None:
        history = history[history["trust_code"].isin(codes | _successors(codes, reference))]
    held = _holders(history, parsed, replaced)
    _check_owners(parsed, kept, reference, held, programme)
    _check_mergers(parsed, reference, held, programme)

    current = current[current["ahsn"].isin(ahsns_of) | current["trust_code"].isin(codes)]
    stored: dict[tuple[str, int], dict[str, _Seen]] = defaultdict(dict)
    for rec in current.to_dict("records"):
        stored[(rec["ahsn"], rec["quarter_index"])][rec["trust_code"]] = _Seen(
            rec["trust_name"], rec["adoption_level"], _count(rec.get("referrals_made")), rec.get("trust_type")
        )
    _carry_over_trust_types(parsed, current, by_return, programme)
    for (ahsn, q_index), trusts in by_return.items():
        label = Quarter.from_index(q_index).label
        before_label = Quarter.from_index(q_index - 1).label
        earlier = by_return.get((ahsn, q_index - 1))
        previous = (
            {c: _Seen(r.trust_name, r.adoption_level, r.referrals_made, r.trust_type) for c, r in earlier.items()}
            if earlier
            else stored.get((ahsn, q_index - 1), {})
        )
        _warn_if_untouched_template(parsed, ahsn, label, before_label, trusts, previous, programme)
        for code, before in previous.items():
            now = trusts.get(code)
            if now is None:
                parsed.warnings.append(
                    Problem(
                        parsed.file_name,
                        None,
                        "trust_code",
                        f"{before.trust_name} ({code}) was in {ahsn}'s return for {before_label} "
                        f"but is missing from {label}",
                        "If it merged or left the programme, nothing to do; otherwise add its row",
                    )
                )
                continue
            if programme.levels and before.adoption_level - now.adoption_level >= 2:
                parsed.warnings.append(
                    Problem(
                        parsed.file_name,
                        now.row,
                        "adoption_level",
                        f"{now.trust_name} ({code}) dropped from level {before.adoption_level} "
                        f"to {now.adoption_level} since {before_label}",
                        "Check the level; a drop of two or more levels is unusual",
                    )
                )
            made_before = before.referrals_made
            made_now = now.referrals_made
            if (
                made_before is not None
                and not pd.isna(made_before)
                and made_before > 0
                and made_now is not None
                and made_now > REFERRAL_JUMP * made_before
            ):
                parsed.warnings.append(
                    Problem(
                        parsed.file_name,
                        now.row,
                        "referrals_made",
                        f"{now.trust_name} ({code}) made {made_now:,} referrals, more than "
                        f"{REFERRAL_JUMP} times the {int(made_before):,} of {before_label}",
                        "Check the figure is for this quarter only, not a running total",
                    )
                )


def _warn_if_untouched_template(
    parsed: ParsedReturn,
    ahsn: str,
    label: str,
    before_label: str,
    trusts: dict[str, TrustRow],
    previous: dict[str, _Seen],
    programme: Programme,
) -> None:
    """A return identical to the AHSN's previous one (the same trusts, names, types and levels)
    with every referral blank, where the previous one had figures, is what the template looks
    like before it is filled in (python -m etl template carries the levels over and leaves the
    referrals blank). Valid, so stored, but said, in the preview and the receipt."""
    if not previous or set(previous) != set(trusts):
        return
    if any(r.referrals_made is not None or r.referrals_completed is not None for r in trusts.values()):
        return
    if not any(_count(b.referrals_made) is not None for b in previous.values()):
        return
    for code, now in trusts.items():
        before = previous[code]
        if (
            int(before.adoption_level) != now.adoption_level
            or " ".join(str(before.trust_name).split()).lower() != now.trust_name.lower()
            or (now.trust_type_given and before.trust_type not in (None, now.trust_type))
        ):
            return
    parsed.warnings.append(
        Problem(
            parsed.file_name,
            None,
            "referrals_made",
            f"{ahsn}'s return for {label} is the same as its return for {before_label} (the same {len(trusts)} "
            f"{words.organisations(programme)} at the same levels) and every referral figure is blank, "
            f"where {before_label} had figures: it looks like the template before it was filled in",
            f"If {label}'s referrals are not known yet, nothing to do (they show as not reported); otherwise "
            "fill in each trust's referrals made and completed, and upload the file again",
        )
    )


def _count(value) -> int | None:
    """A stored count, or None when not reported (pandas may give NA or NaN)."""
    return None if value is None or pd.isna(value) else int(value)


def _carry_over_trust_types(
    parsed: ParsedReturn,
    current: pd.DataFrame,
    by_return: dict[tuple[str, int], dict[str, TrustRow]],
    programme: Programme,
) -> None:
    """A trust whose type the file does not give takes the type of its latest earlier
    return (this file's, or the store's), with a warning; one never typed takes the
    programme's default type, with a warning naming it. Never silent: the type decides
    whether it counts toward the rate."""
    untyped = [r for r in parsed.records if not r.trust_type_given]
    if not untyped:
        return
    earlier: dict[str, list[tuple[int, str]]] = defaultdict(list)  # code -> [(quarter, type)]
    if "trust_type" in current.columns:
        for code, q, kind in zip(current["trust_code"], current["quarter_index"], current["trust_type"]):
            if isinstance(kind, str):
                earlier[code].append((int(q), kind))
    for r in parsed.records:
        if r.trust_type_given:
            earlier[r.trust_code].append((r.quarter.index, r.trust_type))
    typed: dict[int, str] = {}  # row -> the type it takes
    carried: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    defaulted: list[TrustRow] = []
    for r in sorted(untyped, key=lambda r: r.quarter.index):
        before = [(q, kind) for q, kind in earlier[r.trust_code] if q < r.quarter.index]
        if before:
            q, kind = max(before)
            carried[(kind, Quarter.from_index(q).label, r.quarter.label)].append(r.row)
        else:
            kind = programme.default_trust_type
            defaulted.append(r)
        typed[r.row] = kind
        earlier[r.trust_code].append((r.quarter.index, kind))
    parsed.records = [r.typed(typed[r.row]) if r.row in typed else r for r in parsed.records]
    for (kind, from_label, _label), rows in carried.items():
        names = ", ".join(f"{r.trust_name} ({r.trust_code})" for r in parsed.records if r.row in rows)
        parsed.warnings.append(
            Problem(
                parsed.file_name,
                rows[0],
                "trust_type",
                f"the file does not give the trust type, so {names} {'is' if len(rows) == 1 else 'are'} "
                f"taken as {words.type_words(kind)}, as in {from_label}",
                f"If that is right, nothing to do; otherwise add a trust_type column ({', '.join(programme.type_keys)})",
                tuple(rows) if len(rows) > 1 else (),
            )
        )
    for r in defaulted:
        parsed.warnings.append(
            Problem(
                parsed.file_name,
                r.row,
                "trust_type",
                f"the file does not give the trust type of {r.trust_name} ({r.trust_code}), which "
                f"has no earlier return, so it is taken as {words.type_words(programme.default_trust_type)} and "
                f"{'counts' if programme.default_trust_type in programme.counted_trust_types else 'does not count'} "
                "toward the rate",
                f"If it is {_another_type(programme)} {words.organisations(programme, 1)}, add a trust_type column and "
                "upload the file again",
            )
        )


def _another_type(programme: Programme) -> str:
    """'a mental health, community or other' (every type but the default)."""
    others = [words.type_words(t) for t in programme.type_keys if t != programme.default_trust_type]
    return words.with_article(", ".join(others[:-1]) + " or " + others[-1] if len(others) > 1 else "".join(others))


def _successors(codes: set[str], reference: Reference) -> set[str]:
    """The codes that replaced these after a merger, along the whole chain."""
    out, todo = set(), set(codes)
    while todo:
        found = {s.code for s in map(reference.successor, todo) if s is not None} - out - codes
        out |= found
        todo = found
    return out


class _Held(NamedTuple):
    """An AHSN's current returns held a code from one quarter to another (quarter indexes)."""

    ahsn: str
    first: int
    last: int


def _holders(history: pd.DataFrame | None, parsed: ParsedReturn, replaced: set) -> dict[str, list[_Held]]:
    """code -> the AHSNs whose stored returns hold it (those of the returns this file replaces
    left out, since it replaces them)."""
    held: dict[str, list[_Held]] = defaultdict(list)
    if history is not None:
        for code, ahsn, first, last in zip(
            history["trust_code"], history["ahsn"], history["first_quarter"], history["last_quarter"]
        ):
            if (ahsn, int(first)) in replaced and first == last:
                continue  # held only in a return this file replaces
            held[code].append(_Held(ahsn, int(first), int(last)))
    return held


def _reference_words(programme: Programme) -> str:
    return f"the reference list of {programme.short_name} {words.organisations(programme)}"


def _check_owners(
    parsed: ParsedReturn,
    kept: pd.DataFrame,
    reference: Reference,
    held: dict[str, list[_Held]],
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


def _latest(held: dict[str, list[_Held]], code: str, ahsn: str) -> int | None:
    return max((h.last for h in held.get(code, ()) if h.ahsn == ahsn), default=None)


def _check_mergers(
    parsed: ParsedReturn, reference: Reference, held: dict[str, list[_Held]], programme: Programme
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
