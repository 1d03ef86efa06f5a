"""Which quarters a page or download shows, and the national table (Table 8.1 of the national
review): AHSNs x chosen quarters.

Every page, every download and `python -m etl report` choose their quarters here
(`shown_quarters`, `default_quarters`, `choose_quarters`), so a rule about which quarters
may be shown (published or provisional) is made in one place.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pandas as pd

from etl import queries
from etl.programmes import Programme
from etl.quarters import Quarter, QuarterError, parse_list
from etl.queries import Database

TOTAL = "Total"
NO_RETURN = "no return"


def whole_percent(part: int, whole: int) -> int:
    """part/whole as a whole percent, rounded half up (2/7 -> 29, 1/8 -> 13)."""
    return (200 * part + whole) // (2 * whole)


def change_column(earlier: Quarter, later: Quarter) -> str:
    return f"change_{earlier.key}_to_{later.key}"


def shown_quarters(db: Database, programme: Programme) -> list[Quarter]:
    """The quarters the pages and downloads may show, oldest first: every quarter with a return."""
    return [Quarter.from_index(int(i)) for i in queries.loaded_quarters(db, programme)["quarter_index"]]


def quarter_axis(db: Database, programme: Programme) -> list[Quarter]:
    """Every quarter from the first shown to the last, gaps included (a chart's x axis)."""
    shown = shown_quarters(db, programme)
    return [Quarter.from_index(i) for i in range(shown[0].index, shown[-1].index + 1)] if shown else []


def default_quarters(db: Database, programme: Programme) -> list[Quarter]:
    """The programme's checkpoint quarters that have data, then the latest quarter shown."""
    shown = shown_quarters(db, programme)
    chosen = [q for q in map(Quarter.parse, programme.checkpoint_quarters) if q in shown]
    if shown and shown[-1] not in chosen:
        chosen.append(shown[-1])
    return sorted(chosen)


def choose_quarters(db: Database, programme: Programme, text: str | None) -> tuple[list[Quarter], str | None]:
    """The quarters a `?quarters=Q3 2018/19,Q3 2019/20` asks for, and, if they could not all
    be used, a sentence saying why (then the default quarters, or those asked for that can be)."""
    if not text:
        return default_quarters(db, programme), None
    try:
        asked = sorted(set(parse_list(text)))
    except QuarterError as err:
        return default_quarters(db, programme), f"{err}. Showing the default quarters."
    shown = set(shown_quarters(db, programme))
    missing = [q.label for q in asked if q not in shown]
    asked = [q for q in asked if q in shown]
    if len(asked) >= 2:
        return asked, (f"No data loaded for {', '.join(missing)}; not shown." if missing else None)
    return default_quarters(db, programme), "Choose two or more quarters with data. Showing the default quarters."


@dataclass(frozen=True)
class NationalTable:
    """Rows: the AHSNs in the review's order, then Total. For each quarter q the columns
    q.key (rate, <NA> for no return), q.key_adopted and q.key_trusts; then one change
    column per pair of neighbouring quarters (<NA> when either side has no return)."""

    quarters: list[Quarter]
    frame: pd.DataFrame

    @property
    def change_columns(self) -> list[tuple[Quarter, Quarter, str]]:
        return [(a, b, change_column(a, b)) for a, b in zip(self.quarters, self.quarters[1:])]

    def _ahsn_rates(self, quarter: Quarter) -> pd.Series:
        return self.frame.loc[~self.frame["is_total"], quarter.key]  # one column, not every row copied

    def at_target(self, quarter: Quarter, target_percent: int) -> int:
        return int((self._ahsn_rates(quarter).dropna() >= target_percent).sum())

    def returned(self, quarter: Quarter) -> int:
        return int(self._ahsn_rates(quarter).notna().sum())


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
    return NationalTable(quarters, frame)


def to_csv(table: NationalTable) -> str:
    """The table as published: ahsn, the rates, then the changes; whole numbers."""
    header = ["ahsn"] + [q.key for q in table.quarters] + [c for _, _, c in table.change_columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for _, row in table.frame.iterrows():
        cells = [row["ahsn"]]
        cells += [NO_RETURN if pd.isna(row[q.key]) else int(row[q.key]) for q in table.quarters]
        cells += ["n/a" if pd.isna(row[c]) else int(row[c]) for _, _, c in table.change_columns]
        writer.writerow(cells)
    return out.getvalue()


def target_sentence(table: NationalTable, target_percent: int) -> str:
    """'7 of 15 AHSNs at or above 50% in Q3 2019/20, up from 3 in Q3 2018/19.'"""
    parts = []
    previous = None
    for q in table.quarters:
        count, returned = table.at_target(q, target_percent), table.returned(q)
        text = f"{count} of {returned} AHSNs at or above {target_percent}% in {q.label}"
        if previous is not None:
            before_q, before = previous
            if count == before:
                text += f", the same as in {before_q.label}"
            else:
                text += f", {'up' if count > before else 'down'} from {before} in {before_q.label}"
        parts.append(text)
        previous = (q, count)
    return "; ".join(parts) + "."
