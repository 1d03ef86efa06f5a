"""What each page shows, read from its address: one parser per page.

A page's layout and its downloads both call the same `...View.read(db, programme, args)`
with the page's query string, so `/download/national.csv?quarters=...` holds exactly what
`/?quarters=...` shows. Quarters are always chosen by etl/report.py. Pure of Flask and Dash:
`args` is any mapping of query parameters (Dash's keyword arguments or request.args).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pandas as pd

from dashboard.ahsn_story import Standing, standing
from etl import ahsns, queries, report
from etl.ahsns import Ahsn
from etl.programmes import Programme
from etl.quarters import Quarter, QuarterError
from etl.queries import Database
from etl.report import NationalTable


def _arg(args: Mapping, name: str) -> str | None:
    value = args.get(name)
    return value if isinstance(value, str) and value.strip() else None


# ---- the national overview: /?quarters= ------------------------------------------------------


def quarters_search(quarters: list[Quarter]) -> str:
    """The URL query for a choice of quarters: ?quarters=Q3%202018/19,Q3%202019/20"""
    return "?quarters=" + quote(",".join(q.label for q in sorted(quarters)), safe="/,")


@dataclass(frozen=True)
class NationalView:
    quarters: list[Quarter]
    note: str | None  # why the address's choice of quarters could not be used as asked
    table: NationalTable
    search: str  # the query that reproduces this view ("" for the default quarters)

    @classmethod
    def read(cls, db: Database, programme: Programme, args: Mapping) -> NationalView | None:
        """None when no quarter has data."""
        if not report.shown_quarters(db, programme):
            return None
        asked = _arg(args, "quarters")
        quarters, note = report.choose_quarters(db, programme, asked)
        search = quarters_search(quarters) if asked else ""
        return cls(quarters, note, report.national_table(db, programme, quarters), search)

    def trust_rows(self, db: Database, programme: Programme) -> pd.DataFrame:
        """Every trust row of every return the table is made of."""
        return queries.trust_rows(db, programme, [q.index for q in self.quarters])


# ---- an AHSN's page: /ahsn/<slug>?sort= --------------------------------------------------------

TRUST_SORTS = {  # ?sort= value -> (column label, frame column, descending first)
    "name": ("Trust", "trust_name", False),
    "type": ("Type", "type_order", False),
    "level": ("Level", "adoption_level", True),
    "change": ("Change since last quarter", "level_change", True),
    "made": ("Referrals made", "referrals_made", True),
    "completed": ("Referrals completed", "referrals_completed", True),
    "completion": ("Completion rate", "completion_percent", True),
}


def sorted_trusts(trusts: pd.DataFrame, sort: str | None) -> tuple[pd.DataFrame, str]:
    """The trusts in the order asked for (by name unless told), and the sort key used."""
    key = sort if sort in TRUST_SORTS else "name"
    frame = trusts.assign(level_change=trusts["adoption_level"] - trusts["previous_level"],
                          type_order=(~trusts["counted"]).astype(int).astype(str) + trusts["trust_type"])
    _, column, descending = TRUST_SORTS[key]
    frame = frame.sort_values([column, "trust_name"], ascending=[not descending, True], na_position="last",
                              kind="stable")
    return frame, key


@dataclass(frozen=True)
class AhsnView:
    ahsn: Ahsn | None  # None: no AHSN at this address
    sort: str
    search: str
    rates: pd.DataFrame  # the AHSN's quarters with a return, among those shown
    axis: list[Quarter]  # every quarter from the first shown to the last
    now: Standing | None  # None: no return yet
    trusts: pd.DataFrame  # the latest return's trusts, sorted as asked
    england: pd.DataFrame = None  # England's rate at each quarter shown
    missing: pd.DataFrame = None  # trusts of the return a quarter earlier not in the latest one
    levels: pd.DataFrame = None  # counted trusts at each level, per quarter with a return
    nearest: pd.DataFrame = None  # counted trusts one level below adopting: the ones that can move the rate next

    @property
    def had_previous(self) -> bool:
        """Whether the AHSN made a return for the quarter before its latest."""
        return self.now is not None and bool((self.rates["quarter_index"] == self.now.quarter.index - 1).any())


    @classmethod
    def read(cls, db: Database, programme: Programme, slug: str | None, args: Mapping) -> AhsnView:
        ahsn = ahsns.by_slug(slug or "")
        sort = _arg(args, "sort")
        sort = sort if sort in TRUST_SORTS else "name"
        search = "?" + urlencode({"sort": sort}) if sort != "name" else ""
        empty = pd.DataFrame()
        if ahsn is None:
            return cls(None, sort, search, empty, [], None, empty)
        shown = [q.index for q in report.shown_quarters(db, programme)]
        rates = queries.ahsn_rates(db, programme, shown, ahsn=ahsn.short_name) if shown else empty
        if not len(rates):
            return cls(ahsn, sort, search, rates, report.quarter_axis(db, programme), None, empty)
        now = standing(rates, programme)
        trusts, _ = sorted_trusts(queries.trusts(db, programme, ahsn.short_name, now.quarter.index), sort)
        return cls(ahsn, sort, search, rates, report.quarter_axis(db, programme), now, trusts,
                   england=queries.england_rates(db, programme, shown),
                   missing=queries.trust_codes_missing(db, programme, ahsn.short_name, now.quarter.index),
                   levels=_only(queries.level_counts(db, programme, ahsn.short_name), shown),
                   nearest=trusts[trusts["counted"] & (trusts["adoption_level"] == programme.adopted_from_level - 1)])


def _only(frame: pd.DataFrame, quarter_indexes: list[int]) -> pd.DataFrame:
    return frame[frame["quarter_index"].isin(quarter_indexes)]


# ---- compare regions: /compare?sort= ---------------------------------------------------------

COMPARE_SORTS = {"name": "A to Z", "latest": "latest rate, highest first", "trusts": "number of acute trusts"}


def ahsn_order(rates: pd.DataFrame, names: list[str], sort: str) -> list[str]:
    """AHSN short names in the order asked for (alphabetical unless told)."""
    alphabetical = sorted(names, key=str.lower)
    if sort not in ("latest", "trusts"):
        return alphabetical
    latest = rates.sort_values("quarter_index").groupby("ahsn").tail(1).set_index("ahsn")
    column = "rate_percent" if sort == "latest" else "counted_trusts"
    value = {a: (latest[column].get(a) if a in latest.index else -1) for a in alphabetical}
    return sorted(alphabetical, key=lambda a: -int(value[a]))


@dataclass(frozen=True)
class CompareView:
    sort: str
    search: str
    axis: list[Quarter]
    order: list[str]  # AHSN short names, in the order shown
    rates: pd.DataFrame  # every AHSN-quarter with a return, among the quarters shown

    @classmethod
    def read(cls, db: Database, programme: Programme, args: Mapping) -> CompareView | None:
        """None when no quarter has data."""
        shown = report.shown_quarters(db, programme)
        if not shown:
            return None
        sort = _arg(args, "sort")
        sort = sort if sort in COMPARE_SORTS else "name"
        rates = queries.ahsn_rates(db, programme, [q.index for q in shown])
        order = ahsn_order(rates, list(queries.ahsn_list(db)["short_name"]), sort)
        return cls(sort, "?sort=" + sort if sort != "name" else "", report.quarter_axis(db, programme),
                   order, rates)


# ---- returns this quarter: /returns?quarter= -------------------------------------------------


@dataclass(frozen=True)
class ReturnsView:
    choices: list[Quarter]  # newest first: the return being made now, then each quarter shown
    quarter: Quarter | None

    @classmethod
    def read(cls, db: Database, programme: Programme, args: Mapping) -> ReturnsView:
        shown = report.shown_quarters(db, programme)[::-1]
        choices = [shown[0] + 1, *shown] if shown else []
        asked = None
        with contextlib.suppress(QuarterError):
            asked = Quarter.parse(_arg(args, "quarter") or "")
        chosen = asked if asked in choices else (choices[1] if len(choices) > 1 else None)
        return cls(choices, chosen)


def returns_grid(db: Database, programme: Programme, quarter: Quarter) -> list[dict]:
    """One row per AHSN: whether it has returned for the quarter, when and by whom, its
    warnings, the versions replaced, and the trusts of its return a quarter earlier that are
    missing now (all of them while there is no return yet)."""
    history = queries.submissions(db, programme)
    here = history[history["quarter_index"] == quarter.index]
    rows = []
    for ahsn in ahsns.all_ahsns():
        mine = here[here["ahsn"] == ahsn.short_name]
        current = mine[mine["is_current"]]
        gone = queries.trust_codes_missing(db, programme, ahsn.short_name, quarter.index)
        missing = [f"{r['trust_name']} ({r['trust_code']})" for _, r in gone.iterrows()]
        if not len(current):
            rows.append({"ahsn": ahsn.short_name, "returned": False, "warnings": None, "earlier": None,
                         "stored_at": None, "by": None, "submission": None, "missing": missing})
            continue
        c = current.iloc[0]
        rows.append({"ahsn": ahsn.short_name, "returned": True, "warnings": int(c["warning_count"]),
                     "earlier": len(mine) - 1, "stored_at": c["loaded_at"],
                     "by": c["loaded_by"], "submission": int(c["submission_id"]), "missing": missing})
    return rows
