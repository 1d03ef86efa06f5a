"""Milestones: moments worth celebrating, recognised from the returns.

The national review found that the AHSNs that spread innovation well celebrated successes and
tracked process milestones alongside the outcome, and warned against benchmarking that works
as "blame and shame". A milestone is an AHSN's own moment, said in plain words and never
ranked against another AHSN's:

- its first counted trust live (TCAM: its first acute trust at level 4 or above);
- each step of its trajectory met (etl/trajectories.py), as the quarter was judged;
- the national target reached;
- every counted trust live;
- referrals in a quarter reaching one of the programme's `referral_milestones` for the first time.

Each is recognised in the first quarter it holds, from the current figures of the quarters
shown (published ones unless provisional figures are asked for), and only when an earlier
return shows it had not yet happened: a state the AHSN was already in at its first return is
not a moment anyone saw. A trajectory step counts only in a quarter some version of the
trajectory judged (never retrospectively).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from etl import queries, words
from etl.programmes import Programme
from etl.quarters import Quarter
from etl.queries import Database

KINDS = ("first-live", "step", "target", "all-live", "referrals")  # the order within one quarter
MARK = "★"
RATE_COLUMNS = ["quarter_index", "adopted_trusts", "counted_trusts", "rate_percent", "referrals_made"]
TARGET_COLUMNS = ["quarter_index", "version_event_id", "step_quarter_index", "target_percent"]


@dataclass(frozen=True)
class Milestone:
    ahsn: str
    quarter: Quarter
    kind: str  # one of KINDS
    text: str  # what happened, after the AHSN's name (TCAM: "had its first acute trust live: 1 of 5")

    @property
    def sentence(self) -> str:
        return f"{self.ahsn} {self.text}."

    def as_row(self) -> dict:
        return {"ahsn": self.ahsn, "quarter": self.quarter.label, "kind": self.kind, "milestone": self.sentence}


def _first(rows: list[dict], holds) -> int | None:
    """The index of the first return where `holds`, if an earlier return shows it did not."""
    at = next((i for i, r in enumerate(rows) if holds(r)), None)
    return at if at else None  # 0 (already so at the first return) is not a moment anyone saw


def of_ahsn(ahsn: str, rates: pd.DataFrame, targets: pd.DataFrame, programme: Programme) -> list[Milestone]:
    """One AHSN's milestones, oldest first. rates: its quarters with a return (quarter_index,
    adopted_trusts, counted_trusts, rate_percent, referrals_made); targets: its rows of
    queries.trajectory_targets (quarter_index, version_event_id, step_quarter_index, target_percent)."""
    return _of_records(ahsn, rates.to_dict("records"), targets.to_dict("records"), programme)


def _of_records(ahsn: str, rates: list[dict], targets: list[dict], programme: Programme) -> list[Milestone]:
    rows = sorted(rates, key=lambda r: r["quarter_index"])
    found: list[Milestone] = []

    def add(i: int | None, kind: str, text: str) -> None:
        if i is not None:
            found.append(Milestone(ahsn, Quarter.from_index(int(rows[i]["quarter_index"])), kind, text))

    def rate(r) -> int | None:
        return None if pd.isna(r["rate_percent"]) else int(r["rate_percent"])

    i = _first(rows, lambda r: r["adopted_trusts"] >= 1)
    if i is not None:
        n = int(rows[i]["adopted_trusts"])
        add(
            i,
            "first-live",
            (
                f"had its first {words.counted(programme, 1)} {words.adopted(programme)}"
                if n == 1
                else f"had its first {n} {words.counted(programme)} {words.adopted(programme)}"
            )
            + f": {words.of_counted(n, int(rows[i]['counted_trusts']), programme)} at level "
            f"{programme.adopted_from_level} or above",
        )
    target = programme.target_percent
    # a programme without a flat national target (a count, judged by trajectories) has no such milestone
    i = None if target is None else _first(rows, lambda r: rate(r) is not None and rate(r) >= target)
    if i is not None:
        add(
            i,
            "target",
            f"reached the national {target}% target: {rate(rows[i])}% "
            f"({words.of_counted(int(rows[i]['adopted_trusts']), int(rows[i]['counted_trusts']), programme)})",
        )
    i = _first(rows, lambda r: r["counted_trusts"] > 0 and r["adopted_trusts"] == r["counted_trusts"])
    if i is not None:
        add(
            i,
            "all-live",
            f"had every {words.counted(programme, 1)} {words.adopted(programme)}: all {int(rows[i]['counted_trusts'])}",
        )
    for threshold in programme.referral_milestones:
        i = _first(rows, lambda r, t=threshold: not pd.isna(r["referrals_made"]) and r["referrals_made"] >= t)
        if i is not None:
            add(
                i,
                "referrals",
                f"made {threshold:,} referrals or more in a quarter for the first time: "
                f"{int(rows[i]['referrals_made']):,}",
            )
    found.extend(_steps_met(ahsn, rows, targets, programme))
    return sorted(found, key=lambda m: (m.quarter, KINDS.index(m.kind)))


def _steps_met(ahsn: str, rows: list[dict], targets: list[dict], programme: Programme) -> list[Milestone]:
    """Each step of the trajectory (as its own quarter was judged) in the first quarter the rate
    reached it, when that quarter was judged against some version of the trajectory."""
    if not targets or not rows:
        return []
    judged = {int(t["quarter_index"]) for t in targets if not pd.isna(t["version_event_id"])}
    steps = sorted(
        (t for t in targets if t["quarter_index"] == t["step_quarter_index"] and not pd.isna(t["target_percent"])),
        key=lambda t: t["quarter_index"],
    )
    out, previous = [], None
    for step in steps:
        goal = int(step["target_percent"])
        if goal == previous or goal == 0:
            continue  # a level step is met with the one before it; 0% is met by anyone
        previous = goal
        at = _first(rows, lambda r, g=goal: not pd.isna(r["rate_percent"]) and r["rate_percent"] >= g)
        if at is None or int(rows[at]["quarter_index"]) not in judged:
            continue
        r = rows[at]
        out.append(
            Milestone(
                ahsn,
                Quarter.from_index(int(r["quarter_index"])),
                "step",
                f"met its trajectory step of {goal}% for {Quarter.from_index(int(step['quarter_index'])).label}: "
                f"{int(r['rate_percent'])}% ({words.of_counted(int(r['adopted_trusts']), int(r['counted_trusts']), programme)})",
            )
        )
    return out


def recognise(db: Database, programme: Programme, quarters: list[Quarter], ahsn: str | None = None) -> list[Milestone]:
    """The milestones in these quarters (the quarters a page shows), newest quarter first, then
    AHSNs A to Z: never an order of merit."""
    if not quarters:
        return []
    rates = queries.ahsn_rates(db, programme, [q.index for q in quarters], ahsn=ahsn)
    targets = queries.trajectory_targets(db, programme, ahsn)
    # grouped as plain records: pandas' per-group filtering cost more than the rules themselves
    rates_of: dict[str, list[dict]] = defaultdict(list)
    for r in rates[["ahsn", *RATE_COLUMNS]].to_dict("records"):
        rates_of[r["ahsn"]].append(r)
    targets_of: dict[str, list[dict]] = defaultdict(list)
    for t in targets[["ahsn", *TARGET_COLUMNS]].to_dict("records"):
        targets_of[t["ahsn"]].append(t)
    out: list[Milestone] = []
    for name, mine in rates_of.items():
        out.extend(_of_records(name, mine, targets_of[name], programme))
    return sorted(out, key=lambda m: (-m.quarter.index, m.ahsn.lower(), KINDS.index(m.kind)))


def recent(milestones: list[Milestone], quarters: list[Quarter], count: int = 2) -> list[Milestone]:
    """Those of the latest `count` quarters shown."""
    latest = sorted(quarters)[-count:]
    return [m for m in milestones if m.quarter in latest]
