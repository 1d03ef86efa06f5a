"""Check a quarterly return and turn it into clean rows, reporting every problem at once.

Two steps, both pure (bytes and data frames in, results out, nothing written):
- `parse_return` checks the file on its own: it reads the file and checks every cell in a
  sandboxed child process (etl.reading), with the caps of `limits`.
- `check_against_store` compares it with what is already loaded: a trust claimed by two
  AHSNs (an error), each untyped trust's type carried over from its previous return, and
  the warnings that do not block (missing trusts, big level drops, referral jumps); whose each
  code is, against the reference list and mergers, is etl.code_owners.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import NamedTuple

import pandas as pd

from etl import code_owners, words
from etl.problems import Problem
from etl.programmes import Programme
from etl.quarters import Quarter
from etl.reading.check_parts import too_big
from etl.reading.headings import layout_for
from etl.reading.kinds import clean_file_name
from etl.reading.limits import ReadLimits
from etl.reading.result import Interpretation, ParsedReturn
from etl.reading.sandbox import read_files
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
        history = history[history["trust_code"].isin(codes | code_owners.successors(codes, reference))]
    held = code_owners.holders(history, parsed, replaced)
    code_owners.check_owners(parsed, kept, reference, held, programme)
    code_owners.check_mergers(parsed, reference, held, programme)

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
