"""An AHSN's standing in words: pure functions of its rates and its trusts (used by its page)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from etl import words
from etl.programmes import Programme
from etl.quarters import Quarter
from etl.words import whole_percent


def trusts_needed(counted: int, target: int) -> int:
    """The fewest adopted counted trusts whose whole-percent rate reaches the target."""
    return next((k for k in range(counted + 1) if whole_percent(k, counted) >= target), counted) if counted else 0


def trusts_to_go(adopted: int, counted: int, target: int) -> int:
    """How many more counted trusts must adopt for the (whole-percent) rate to reach the target."""
    return max(0, trusts_needed(counted, target) - adopted)


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
        quarter=q,
        rate=rate,
        adopted=adopted,
        counted=counted,
        at_target=programme.target_percent is not None and rate >= programme.target_percent,
        to_go=0 if programme.target_percent is None else trusts_to_go(adopted, counted, programme.target_percent),
        since_last=change_words(rate, by_index.get(q.index - 1), (q - 1).label),
        since_year=change_words(rate, by_index.get(q.index - 4), (q - 4).label),
    )


def what_changed(
    trusts: pd.DataFrame, missing: pd.DataFrame, programme: Programme, quarter: Quarter, had_previous: bool
) -> list[str]:
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
            name += f", a {words.type_words(t['trust_type'])} {words.organisations(programme, 1)} not counted toward the rate,"
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
            out.append(
                f"{name} moved {'up' if now > before else 'down'} from level {before} "
                f"{programme.level(before).name} to {now_words}{note}."
            )
    for _, t in missing.iterrows():
        level = int(t["adoption_level"])
        out.append(
            f"{t['trust_name']} ({t['trust_code']}), at level {level} {programme.level(level).name} in "
            f"{before_q.label}, is not in the {quarter.label} return."
        )
    if not out:
        out.append(f"No {programme.organisation} changed level between {before_q.label} and {quarter.label}.")
    return out


# ---- against the AHSN's own trajectory (etl/trajectories.py) ----------------------------------

ON_MARK, BEHIND_MARK = "✓", "○"  # a symbol beside every colour: on (or above) and behind a trajectory


@dataclass(frozen=True)
class Against:
    """A rate against a trajectory's target: on (at or above) or behind, by how many trusts."""

    target: int
    on: bool
    trusts: int  # ahead by (on) or short by (behind), in counted trusts

    @property
    def mark(self) -> str:
        return ON_MARK if self.on else BEHIND_MARK

    def by(self, programme: Programme) -> str:
        """'exactly on it', '1 acute trust ahead', '2 acute trusts short' (TCAM's words)."""
        if self.on and not self.trusts:
            return "exactly on it"
        count = f"{self.trusts} {words.counted(programme, self.trusts)}"
        return f"{count} ahead" if self.on else f"{count} short"


def against(adopted: int, counted: int, target: int) -> Against:
    need = trusts_needed(counted, target)
    return Against(target, adopted >= need, abs(adopted - need))


def trajectory_story(
    name: str, now: Standing, judged: dict | None, steps: pd.DataFrame, nearest: list[str], programme: Programme
) -> list[str]:
    """Where the AHSN stands against its own trajectory in its latest quarter, and what it takes
    to meet the next step, in plain sentences. `judged`: the trajectory_targets row of the
    latest quarter (None: outside the trajectory's quarters); `steps`: the newest version's."""
    q = now.quarter
    out = []
    target = None if judged is None or pd.isna(judged.get("target_percent")) else int(judged["target_percent"])
    if target is None:
        if judged is not None and pd.isna(judged.get("version_event_id")):
            out.append(f"{q.label} was published before {name}'s trajectory was set, so it is not judged against it.")
        else:
            out.append(f"{name}'s trajectory sets no target for {q.label}: its first step is later.")
    else:
        a = against(now.adopted, now.counted, target)
        step_q = judged["step_quarter"]
        set_for = f"its step for {step_q}" if step_q != q.label else "its step for this quarter"
        state = "On its trajectory" if a.on else "Behind its trajectory"
        out.append(f"{a.mark} {state} in {q.label}: {now.rate}% against {target}% ({set_for}), {a.by(programme)}.")
    later = steps[steps["quarter_index"] > q.index].sort_values("quarter_index")
    if not len(later):
        if len(steps):
            last = steps.sort_values("quarter_index").iloc[-1]
            out.append(f"No later step is set: the last is {int(last['target_percent'])}% by {last['quarter']}.")
        return out
    step = later.iloc[0]
    goal, by = int(step["target_percent"]), step["quarter"]
    need = trusts_to_go(now.adopted, now.counted, goal)
    if not need:
        out.append(
            f"Next step, {goal}% by {by}: already met ({words.of_counted(now.adopted, now.counted, programme)} "
            "adopting)."
        )
        return out
    level = programme.level(programme.adopted_from_level)
    text = (
        f"Next step, {goal}% by {by}: {words.more_counted(need, programme)} reaching level "
        f"{level.number} ({level.name}) would meet it ({now.adopted + need} of {now.counted})."
    )
    if nearest:
        below = programme.level(programme.adopted_from_level - 1)
        text += f" Nearest ({words.counted(programme)} at level {below.number} {below.name}): {', '.join(nearest)}."
    out.append(text)
    return out
