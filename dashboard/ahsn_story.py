"""An AHSN's standing in words: pure functions of its rates and its trusts (used by its page)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from etl.programmes import Programme
from etl.quarters import Quarter
from etl.report import whole_percent


def trusts_to_go(adopted: int, counted: int, target: int) -> int:
    """How many more acute trusts must adopt for the (whole-percent) rate to reach the target."""
    for extra in range(0, counted - adopted + 1):
        if whole_percent(adopted + extra, counted) >= target:
            return extra
    return counted - adopted


def change_words(now: int, before: int | None, since: str) -> str:
    if before is None:
        return f"no return to compare with {since}"
    diff = now - before
    if diff == 0:
        return f"no change since {since}"
    return f"{'up' if diff > 0 else 'down'} {abs(diff)} percentage point{'s' if abs(diff) != 1 else ''} since {since} ({before}%)"


@dataclass(frozen=True)
class Standing:
    """Where an AHSN stands at its latest return."""

    quarter: Quarter
    rate: int
    adopted: int
    counted: int
    at_target: bool
    to_go: int  # more counted trusts that must adopt to reach the target
    since_last: str  # "up 20 percentage points since Q1 2020/21 (30%)"
    since_year: str


def standing(rates: pd.DataFrame, programme: Programme) -> Standing:
    """The latest figure and its changes, from one AHSN's rates (one row per quarter returned)."""
    latest = rates.iloc[-1]
    q = Quarter.from_index(int(latest["quarter_index"]))
    by_index = {int(i): int(r) for i, r in zip(rates["quarter_index"], rates["rate_percent"]) if pd.notna(r)}
    rate, adopted, counted = int(latest["rate_percent"]), int(latest["adopted_trusts"]), int(latest["counted_trusts"])
    return Standing(
        quarter=q, rate=rate, adopted=adopted, counted=counted,
        at_target=rate >= programme.target_percent,
        to_go=trusts_to_go(adopted, counted, programme.target_percent),
        since_last=change_words(rate, by_index.get(q.index - 1), (q - 1).label),
        since_year=change_words(rate, by_index.get(q.index - 4), (q - 4).label),
    )


def _type_words(trust_type: str) -> str:
    return str(trust_type).replace("_", " ")


def what_changed(trusts: pd.DataFrame, missing: pd.DataFrame, programme: Programme, quarter: Quarter,
                 had_previous: bool) -> list[str]:
    """One plain sentence per change in the latest return against the one before: a trust
    that moved level, joined or left. Trusts that do not count toward the rate say so."""
    before_q = quarter - 1
    if not had_previous:
        return [f"There is no return for {before_q.label} to compare {quarter.label} with."]
    out = []
    for _, t in trusts.iterrows():
        before, now = t["previous_level"], int(t["adoption_level"])
        name = f"{t['trust_name']} ({t['trust_code']})"
        counted = bool(t["counted"])
        if not counted:
            name += f", a {_type_words(t['trust_type'])} trust not counted toward the rate,"
        now_words = f"level {now} {programme.level(now).name}"
        if pd.isna(before):
            out.append(f"{name} is new in this return, at {now_words}.")
        elif int(before) != now:
            before = int(before)
            note = ""
            if counted and programme.is_adopted(now) and not programme.is_adopted(before):
                note = ": it now counts as adopted"
            elif counted and programme.is_adopted(before) and not programme.is_adopted(now):
                note = ": it no longer counts as adopted"
            out.append(f"{name} moved {'up' if now > before else 'down'} from level {before} "
                       f"{programme.level(before).name} to {now_words}{note}.")
    for _, t in missing.iterrows():
        level = int(t["adoption_level"])
        out.append(f"{t['trust_name']} ({t['trust_code']}), at level {level} {programme.level(level).name} in "
                   f"{before_q.label}, is not in the {quarter.label} return.")
    if not out:
        out.append(f"No trust changed level between {before_q.label} and {quarter.label}.")
    return out
