"""The national table (Table 8.1 of the national review): AHSNs x chosen quarters.

Shared by `python -m etl report` and the national overview page, so both always agree.
Published quarters by default; an unpublished (provisional) quarter only when asked for,
and then always marked with its coverage ("4 of 15 AHSNs have returned").
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import pandas as pd

from etl import queries
from etl.programmes import Programme
from etl.quarters import Quarter
from etl.queries import Database
from etl.templates import neutralise

TOTAL = "Total"
NO_RETURN = "no return"


def whole_percent(part: int, whole: int) -> int:
    """part/whole as a whole percent, rounded half up (2/7 -> 29, 1/8 -> 13)."""
    return (200 * part + whole) // (2 * whole)


def change_column(earlier: Quarter, later: Quarter) -> str:
    return f"change_{earlier.key}_to_{later.key}"


def quarters_with_data(db: Database, programme: Programme, provisional: bool = False) -> list[Quarter]:
    """Quarters with at least one return, oldest first: published ones only, unless
    `provisional` (then every quarter with data)."""
    rows = queries.collection_quarters(db, programme)
    rows = rows[rows["ahsns_returned"] > 0]
    if not provisional:
        rows = rows[rows["published_at"].notna()]
    return [Quarter.from_index(int(i)) for i in rows["quarter_index"]]


def default_quarters(db: Database, programme: Programme, provisional: bool = False) -> list[Quarter]:
    """The programme's checkpoint quarters that have data, then the latest quarter: the latest
    published one, or with `provisional` the latest with any return."""
    candidates = quarters_with_data(db, programme, provisional)
    chosen = [q for q in map(Quarter.parse, programme.checkpoint_quarters) if q in candidates]
    if candidates and candidates[-1] not in chosen:
        chosen.append(candidates[-1])
    return sorted(chosen)


@dataclass(frozen=True)
class NationalTable:
    """Rows: the AHSNs in the review's order, then Total. For each quarter q the columns
    q.key (rate, <NA> for no return), q.key_adopted and q.key_trusts; then one change
    column per pair of neighbouring quarters (<NA> when either side has no return)."""

    quarters: list[Quarter]
    frame: pd.DataFrame
    # Unpublished quarters shown (asked for), with their coverage: "4 of 15 AHSNs have returned".
    provisional: dict[Quarter, str] = field(default_factory=dict)

    @property
    def change_columns(self) -> list[tuple[Quarter, Quarter, str]]:
        return [(a, b, change_column(a, b)) for a, b in zip(self.quarters, self.quarters[1:])]

    def _ahsn_rates(self, quarter: Quarter) -> pd.Series:
        return self.frame.loc[~self.frame["is_total"], quarter.key]  # one column, not every row copied

    def at_target(self, quarter: Quarter, target_percent: int) -> int:
        return int((self._ahsn_rates(quarter).dropna() >= target_percent).sum())

    def returned(self, quarter: Quarter) -> int:
        return int(self._ahsn_rates(quarter).notna().sum())

    def is_complete(self, quarter: Quarter) -> bool:
        """Every AHSN has a return: its total is England's, its count of AHSNs national."""
        return self.returned(quarter) == int((~self.frame["is_total"]).sum())


def national_table(db: Database, programme: Programme, quarters: list[Quarter]) -> NationalTable:
    quarters = sorted(set(quarters))
    indexes = [q.index for q in quarters]
    rates = queries.ahsn_rates(db, programme, indexes)
    england = queries.england_rates(db, programme, indexes)
    ahsn_list = queries.ahsn_list(db)

    frame = pd.DataFrame({
        "ahsn": list(ahsn_list["short_name"]) + [TOTAL],
        "slug": list(ahsn_list["slug"]) + [None],
        "is_total": [False] * len(ahsn_list) + [True],
    })
    for q in quarters:
        these = rates[rates["quarter_index"] == q.index].set_index("ahsn")
        total = england[england["quarter_index"] == q.index]
        for suffix, column in (("", "rate_percent"), ("_adopted", "adopted_trusts"), ("_trusts", "counted_trusts")):
            values = list(these[column].reindex(ahsn_list["short_name"]))
            values.append(total[column].iloc[0] if len(total) else None)
            frame[q.key + suffix] = pd.array(values, dtype="Int64")
    for a, b, column in NationalTable(quarters, frame).change_columns:
        frame[column] = frame[b.key] - frame[a.key]
    published = set(quarters_with_data(db, programme))
    coverage = {q: _coverage(int(frame.loc[~frame["is_total"], q.key].notna().sum()), len(ahsn_list))
                for q in quarters if q not in published}
    return NationalTable(quarters, frame, coverage)


def _coverage(returned: int, expected: int) -> str:
    if returned >= expected:
        return f"all {expected} AHSNs have returned"
    return f"{returned} of {expected} AHSNs {'has' if returned == 1 else 'have'} returned"


def to_csv(table: NationalTable) -> str:
    """The table as published: ahsn, the rates, then the changes; whole numbers. A provisional
    quarter's column says so, with its coverage. Text cells neutralised like every CSV the
    project writes (etl.templates.neutralise)."""
    header = (["ahsn"] + [f"{q.key} (provisional: {table.provisional[q]})" if q in table.provisional else q.key
                          for q in table.quarters]
              + [c for _, _, c in table.change_columns])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for _, row in table.frame.iterrows():
        cells = [row["ahsn"]]
        cells += [NO_RETURN if pd.isna(row[q.key]) else int(row[q.key]) for q in table.quarters]
        cells += ["n/a" if pd.isna(row[c]) else int(row[c]) for _, _, c in table.change_columns]
        writer.writerow([neutralise(c) for c in cells])
    return out.getvalue()


def target_sentence(table: NationalTable, target_percent: int) -> str:
    """'7 of 15 AHSNs at or above 50% in Q3 2019/20, up from 3 in Q3 2018/19.' A quarter not
    every AHSN has returned is never counted as national: 'provisional: 1 of the 4 AHSNs
    that have returned so far', and not compared with a whole quarter."""
    parts = []
    previous = None
    for q in table.quarters:
        count, returned = table.at_target(q, target_percent), table.returned(q)
        if table.is_complete(q):
            text = f"{count} of {returned} AHSNs at or above {target_percent}% in {q.label}"
        else:
            text = (f"{count} of the {returned} AHSN{'s' if returned != 1 else ''} that "
                    f"{'have' if returned != 1 else 'has'} returned so far at or above {target_percent}% "
                    f"in {q.label}")
        if q in table.provisional:
            text += f" (provisional: {table.provisional[q]})"
        if previous is not None and table.is_complete(q) and table.is_complete(previous[0]):
            before_q, before = previous
            if count == before:
                text += f", the same as in {before_q.label}"
            else:
                text += f", {'up' if count > before else 'down'} from {before} in {before_q.label}"
        parts.append(text)
        previous = (q, count)
    return "; ".join(parts) + "."
