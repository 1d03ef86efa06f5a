"""The live case set: a programme's AHSNs as the cases of a pathways analysis.

Each AHSN is a case: its spread conditions as the national team recorded them (etl/store/
conditions.py; read from the database, etl.queries.current_conditions), and the outcome
OUTCOME, 1 where its headline (the share of its counted organisations adopting) was at or
above the programme's target at the chosen quarter, 0 where below. An AHSN is left out, and
listed with the reason, when it has no return for the quarter or lacks one of the chosen
conditions. `live_case_set` reads the database; `live_cases` is the pure part.

The review's own cases (its Table 8.3) are a case set of their own, anonymised as published
(cases 1-15): never tied to these AHSN names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from etl import ahsns, queries
from etl.pathways.conditions import OUTCOME
from etl.pathways.qca import CaseSet
from etl.programmes import Programme
from etl.quarters import Quarter


@dataclass(frozen=True)
class LiveCases:
    case_set: CaseSet | None  # None when no AHSN has everything the analysis needs
    left_out: tuple[tuple[str, str], ...]  # (AHSN, why) in the national table's order
    illustrative: bool  # some conditions used are the demo's, made up to show the feature
    quarter: str
    target_percent: float
    rates: dict[str, float]  # each case's headline at the quarter, percent


def live_cases(
    conditions: pd.DataFrame,
    rates: pd.DataFrame,
    chosen: Sequence[str],
    quarter: str,
    target_percent: float,
    order: Sequence[str],
    noun: tuple[str, str] = ("AHSN", "AHSNs"),
) -> LiveCases:
    """`conditions`: current_conditions (ahsn, condition, present, is_demo); `rates`: ahsn_rates
    at the quarter (ahsn, rate_percent); `order`: every AHSN's short name, in table order. The
    case set holds the chosen conditions, every other condition all its cases record, and OUTCOME."""
    recorded: dict[str, dict[str, int]] = {}
    demo = set()
    for row in conditions.itertuples(index=False):
        recorded.setdefault(row.ahsn, {})[row.condition] = int(bool(row.present))
        if row.is_demo:
            demo.add(row.ahsn)
    headline = {
        row.ahsn: float(row.rate_percent) for row in rates.itertuples(index=False) if pd.notna(row.rate_percent)
    }
    cases, left_out = [], []
    for ahsn in order:
        mine = recorded.get(ahsn)
        if ahsn not in headline:
            left_out.append((ahsn, f"no return for {quarter}"))
        elif not mine:
            left_out.append((ahsn, "no conditions recorded"))
        elif any(c not in mine for c in chosen):
            missing = [c for c in chosen if c not in mine]
            left_out.append((ahsn, f"{', '.join(missing)} not recorded"))
        else:
            cases.append(ahsn)
    if not cases:
        return LiveCases(None, tuple(left_out), False, quarter, target_percent, {})
    every = [c for c in dict.fromkeys(conditions["condition"]) if all(c in recorded[a] for a in cases)]
    columns = {c: tuple(recorded[a][c] for a in cases) for c in every}
    columns[OUTCOME] = tuple(int(headline[a] >= target_percent) for a in cases)
    return LiveCases(
        CaseSet(tuple(cases), columns, f"the live {noun[1]} at {quarter}", noun),
        tuple(left_out),
        any(a in demo for a in cases),
        quarter,
        target_percent,
        {a: headline[a] for a in cases},
    )


def live_case_set(db: queries.Database, programme: Programme, quarter: Quarter, chosen: Sequence[str]) -> LiveCases:
    """The programme's AHSNs at `quarter` as cases, with the chosen conditions: their current
    conditions and their headline at the quarter as the database holds them now."""
    return live_cases(
        queries.current_conditions(db, programme),
        queries.ahsn_rates(db, programme, [quarter.index]),
        chosen,
        quarter.label,
        programme.target_percent,
        [a.short_name for a in ahsns.all_ahsns()],
    )


def latest_quarter(db: queries.Database, programme: Programme) -> Quarter | None:
    """The quarter `--live` means: the latest signed off, or the latest with a return if none is."""
    status = queries.store_status(db, programme)
    label = status.latest_published_quarter or status.latest_quarter
    return Quarter.parse(label) if label else None
