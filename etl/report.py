"""Which quarters a page or download shows, and the national table (Table 8.1 of the national
review): AHSNs x chosen quarters.

Every page, every download and `python -m etl report` choose their quarters here
(`shown_quarters`, `default_quarters`, `choose_quarters`), so the rule about which quarters
may be shown is made in one place: published quarters by default; an unpublished
(provisional) quarter only when asked for, and then always marked with its coverage
("4 of 15 AHSNs have returned").
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from etl import queries, words
from etl.programmes import Programme
from etl.quarters import Quarter, QuarterError, parse_list
from etl.queries import Database
from etl.templates import neutralise

TOTAL = "Total"


def change_column(earlier: Quarter, later: Quarter) -> str:
    return f"change_{earlier.key}_to_{later.key}"


def shown_quarters(db: Database, programme: Programme, provisional: bool = False) -> list[Quarter]:
    """The quarters pages and downloads may show, oldest first: the published ones with a
    return, or with `provisional` every quarter with a return."""
    rows = queries.collection_quarters(db, programme)
    rows = rows[rows["ahsns_returned"] > 0]
    if not provisional:
        rows = rows[rows["published_at"].notna()]
    return [Quarter.from_index(int(i)) for i in rows["quarter_index"]]


def quarter_axis(db: Database, programme: Programme, provisional: bool = False) -> list[Quarter]:
    """Every quarter from the first shown to the last, gaps included (a chart's x axis)."""
    shown = shown_quarters(db, programme, provisional)
    return [Quarter.from_index(i) for i in range(shown[0].index, shown[-1].index + 1)] if shown else []


def default_quarters(db: Database, programme: Programme, provisional: bool = False) -> list[Quarter]:
    """The programme's checkpoint quarters that are shown, then the latest published quarter,
    and with `provisional` the latest quarter with any return after it."""
    published = shown_quarters(db, programme)
    shown = shown_quarters(db, programme, provisional)
    chosen = [q for q in map(Quarter.parse, programme.checkpoint_quarters) if q in shown]
    for latest in published[-1:] + shown[-1:]:
        if latest not in chosen:
            chosen.append(latest)
    return sorted(chosen)


def choose_quarters(
    db: Database, programme: Programme, text: str | None, provisional: bool = False
) -> tuple[list[Quarter], str | None]:
    """The quarters a `?quarters=Q3 2018/19,Q3 2019/20` asks for, and, if they could not all
    be used, a sentence saying why (then the default quarters, or those asked for that can be)."""
    if not text:
        return default_quarters(db, programme, provisional), None
    try:
        asked = sorted(set(parse_list(text)))
    except QuarterError as err:
        return default_quarters(db, programme, provisional), f"{err}. Showing the default quarters."
    shown = set(shown_quarters(db, programme, provisional))
    with_data = set(shown_quarters(db, programme, provisional=True))
    unpublished = [q.label for q in asked if q not in shown and q in with_data]
    missing = [q.label for q in asked if q not in with_data]
    asked = [q for q in asked if q in shown]
    notes = []
    if unpublished:
        notes.append(
            f"{', '.join(unpublished)} {'is' if len(unpublished) == 1 else 'are'} not published yet: "
            "include provisional figures to see "
            f"{'it' if len(unpublished) == 1 else 'them'}, marked as such."
        )
    if missing:
        notes.append(f"No data loaded for {', '.join(missing)}; not shown.")
    if len(asked) >= 2:
        return asked, " ".join(notes) or None
    return default_quarters(db, programme, provisional), " ".join(
        notes + ["Choose two or more quarters with data. Showing the default quarters."]
    )


@dataclass(frozen=True)
class NationalTable:
    """Rows: the AHSNs in the review's order, then Total. For each quarter q the columns
    q.key (rate, <NA> for no return), q.key_adopted and q.key_trusts; then one change
    column per pair of neighbouring quarters (<NA> when either side has no return)."""

    quarters: list[Quarter]
    frame: pd.DataFrame
    # Unpublished quarters shown (asked for), with their coverage: "4 of 15 AHSNs have returned".
    provisional: dict[Quarter, str] = field(default_factory=dict)
    # Published figures changed since publication, by (AHSN short name, quarter): the revision
    # mark's words ("Revised 3 Apr 2021: first published 50%, now 60%. Why: ...").
    revisions: dict[tuple[str, Quarter], str] = field(default_factory=dict)
    first_published: bool = False  # the figures as first published (what the board saw), not as now

    @property
    def change_columns(self) -> list[tuple[Quarter, Quarter, str]]:
        return [(a, b, change_column(a, b)) for a, b in zip(self.quarters, self.quarters[1:])]

    def _ahsn_rates(self, quarter: Quarter) -> pd.Series:
        return self.frame.loc[~self.frame["is_total"], quarter.key]  # one column, not every row copied

    def at_target(self, quarter: Quarter, target_percent: int) -> int:
        return int((self._ahsn_rates(quarter).dropna() >= target_percent).sum())

    @cached_property
    def _returned(self) -> dict[Quarter, int]:
        # counted once: the table's cells ask for each quarter's coverage on every row
        return {q: int(self._ahsn_rates(q).notna().sum()) for q in self.quarters}

    def returned(self, quarter: Quarter) -> int:
        return self._returned[quarter]

    def is_complete(self, quarter: Quarter) -> bool:
        """Every AHSN has a return: its total is England's, its count of AHSNs national."""
        return self._returned[quarter] == self._ahsn_count

    @cached_property
    def _ahsn_count(self) -> int:
        return int((~self.frame["is_total"]).sum())


def national_table(
    db: Database, programme: Programme, quarters: list[Quarter], first_published: bool = False
) -> NationalTable:
    """The table at these quarters: the figures as they stand (revisions approved since
    publication included, each marked), or with `first_published` as each quarter was first
    published (then the marks say what they have become)."""
    quarters = sorted(set(quarters))
    indexes = [q.index for q in quarters]
    ahsn_list = queries.ahsn_list(db)
    if not is_share(programme):
        return _headline_table(db, programme, quarters, ahsn_list, first_published)
    if first_published:
        rates = queries.first_published_rates(db, programme, indexes)
        england = _england_of(rates)
    else:
        rates = queries.ahsn_rates(db, programme, indexes)
        england = queries.england_rates(db, programme, indexes)

    frame = pd.DataFrame(
        {
            "ahsn": list(ahsn_list["short_name"]) + [TOTAL],
            "slug": list(ahsn_list["slug"]) + [None],
            "is_total": [False] * len(ahsn_list) + [True],
        }
    )
    for q in quarters:
        these = rates[rates["quarter_index"] == q.index].set_index("ahsn")
        total = england[england["quarter_index"] == q.index]
        for suffix, column in (("", "rate_percent"), ("_adopted", "adopted_trusts"), ("_trusts", "counted_trusts")):
            values = list(these[column].reindex(ahsn_list["short_name"]))
            values.append(total[column].iloc[0] if len(total) else None)
            frame[q.key + suffix] = pd.array(values, dtype="Int64")
    for a, b, column in NationalTable(quarters, frame).change_columns:
        frame[column] = frame[b.key] - frame[a.key]
    published = set(shown_quarters(db, programme))
    coverage = {
        q: words.coverage(int(frame.loc[~frame["is_total"], q.key].notna().sum()), len(ahsn_list))
        for q in quarters
        if q not in published
    }
    marks = {
        (r["ahsn"], Quarter.from_index(int(r["quarter_index"]))): revision_words(r, first_published)
        for r in queries.revisions(db, programme, indexes).to_dict("records")
    }
    return NationalTable(quarters, frame, coverage, marks, first_published)


def is_share(programme: Programme) -> bool:
    """Whether the programme's headline is the share of its counted organisations adopting."""
    return programme.headline is None or programme.headline.kind == "share"


def _headline_table(
    db: Database, programme: Programme, quarters: list[Quarter], ahsn_list: pd.DataFrame, first_published: bool
) -> NationalTable:
    """The table of a rate or count headline (queries.headlines): for each quarter q, q.key the
    headline (a whole percent or the count), q.key_adopted its numerator (the count itself for a
    count) and q.key_trusts its denominator (<NA> for a count). The Total is England's rate (all
    numerators over all denominators of the AHSNs that returned) or total count."""
    indexes = [q.index for q in quarters]
    if first_published:
        figures = queries.first_published_headlines(db, programme, indexes)
    else:
        figures = queries.headlines(db, programme, indexes)
    frame = pd.DataFrame(
        {
            "ahsn": list(ahsn_list["short_name"]) + [TOTAL],
            "slug": list(ahsn_list["slug"]) + [None],
            "is_total": [False] * len(ahsn_list) + [True],
        }
    )
    is_count = programme.headline.kind == "count"
    for q in quarters:
        these = figures[figures["quarter_index"] == q.index].set_index("ahsn")
        value = list(these["value"].reindex(ahsn_list["short_name"]))
        numerator = list(these["numerator"].reindex(ahsn_list["short_name"]))
        denominator = list(these["denominator"].reindex(ahsn_list["short_name"]))
        returned = [n for n in numerator if not pd.isna(n)]
        if is_count:
            total = sum(int(n) for n in returned) if returned else None
            value.append(total)
            numerator.append(total)
            denominator.append(None)
        else:
            top = sum(int(n) for n in returned)
            bottom = sum(int(d) for d in denominator if not pd.isna(d))
            value.append(words.whole_percent(top, bottom) if bottom else None)
            numerator.append(top if returned else None)
            denominator.append(bottom if returned else None)
        frame[q.key] = pd.array(value, dtype="Int64")
        frame[q.key + "_adopted"] = pd.array(numerator, dtype="Int64")
        frame[q.key + "_trusts"] = pd.array(denominator, dtype="Int64")
    for a, b, column in NationalTable(quarters, frame).change_columns:
        frame[column] = frame[b.key] - frame[a.key]
    published = set(shown_quarters(db, programme))
    coverage = {
        q: words.coverage(int(frame.loc[~frame["is_total"], q.key].notna().sum()), len(ahsn_list))
        for q in quarters
        if q not in published
    }
    marks = {
        (r["ahsn"], Quarter.from_index(int(r["quarter_index"]))): headline_revision_words(r)
        for r in queries.revisions(db, programme, indexes).to_dict("records")
    }
    return NationalTable(quarters, frame, coverage, marks, first_published)


def headline_revision_words(r: dict) -> str:
    """A rate or count headline's revision mark: when and why its return changed since publication."""
    when = f"Revised {r['changed_at']:%-d %b %Y}" if not pd.isna(r["changed_at"]) else "Revised"
    why = f". Why: {r['reason']}" if isinstance(r["reason"], str) and r["reason"] else ""
    return f"{when}: the return changed since it was first published{why}"


def _england_of(rates: pd.DataFrame) -> pd.DataFrame:
    """England's row from the AHSNs' rows (all adopted counted trusts over all counted trusts)."""
    if not len(rates):
        return pd.DataFrame(columns=["quarter_index", "rate_percent", "adopted_trusts", "counted_trusts"])
    sums = rates.groupby("quarter_index", as_index=False)[["adopted_trusts", "counted_trusts"]].sum()
    sums["rate_percent"] = [
        words.whole_percent(int(a), int(c)) if c else None
        for a, c in zip(sums["adopted_trusts"], sums["counted_trusts"])
    ]
    return sums


def revision_words(r: dict, first_published: bool) -> str:
    """The revision mark's words: when, the figure first published and now, why, by whom."""
    when = f"Revised {r['changed_at']:%-d %b %Y}" if not pd.isna(r["changed_at"]) else "Revised"
    figures = (
        f"first published {words.percent(r['first_rate'])}, {'since revised to' if first_published else 'now'} "
        f"{words.percent(r['current_rate'])}"
    )
    why = f". Why: {r['reason']}" if isinstance(r["reason"], str) and r["reason"] else ""
    return f"{when}: {figures}{why}"


def to_csv(table: NationalTable) -> str:
    """The table as published: ahsn, the rates, then the changes; whole numbers. A provisional
    quarter's column says so, with its coverage. Text cells neutralised like every CSV the
    project writes (etl.templates.neutralise). The Total's change to or from a quarter not
    every AHSN has returned is n/a: that total is not England's."""
    header = (
        ["ahsn"]
        + [
            f"{q.key} (provisional: {table.provisional[q]})" if q in table.provisional else q.key
            for q in table.quarters
        ]
        + [c for _, _, c in table.change_columns]
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for _, row in table.frame.iterrows():
        cells = [row["ahsn"]]
        cells += [words.NO_RETURN if pd.isna(row[q.key]) else int(row[q.key]) for q in table.quarters]
        # a total of the AHSNs that have returned so far is compared with nothing (not England's)
        cells += [
            "n/a"
            if pd.isna(row[c]) or (row["is_total"] and not (table.is_complete(a) and table.is_complete(b)))
            else int(row[c])
            for a, b, c in table.change_columns
        ]
        writer.writerow([neutralise(c) for c in cells])
    return out.getvalue()


def target_sentence(table: NationalTable, target_percent: int | None) -> str:
    """'7 of 15 AHSNs at or above 50% in Q3 2019/20, up from 3 in Q3 2018/19.' A quarter not
    every AHSN has returned is never counted as national: 'provisional: 1 of the 4 AHSNs
    that have returned so far', and not compared with a whole quarter."""
    if target_percent is None:  # a count headline: each AHSN's trajectory is its target
        return "No national target: each AHSN's own trajectory is its target."
    parts = []
    previous = None
    for q in table.quarters:
        count, returned = table.at_target(q, target_percent), table.returned(q)
        if table.is_complete(q):
            text = f"{count} of {returned} AHSNs at or above {target_percent}% in {q.label}"
        else:
            text = (
                f"{count} of the {returned} AHSN{'s' if returned != 1 else ''} that "
                f"{'have' if returned != 1 else 'has'} returned so far at or above {target_percent}% "
                f"in {q.label}"
            )
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
