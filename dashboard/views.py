"""What each page shows, read from its address: one parser per page.

A page's layout and its downloads both call the same `...View.read(db, programme, args)`
with the page's query string, so `/download/national.csv?quarters=...` holds exactly what
`/?quarters=...` shows. Quarters are always chosen by etl/report.py. Pure of Flask and Dash:
`args` is any mapping of query parameters (Dash's keyword arguments or request.args).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, urlencode

import pandas as pd

from dashboard.ahsn_story import Standing, standing
from etl import ahsns, collection, queries, report
from etl.ahsns import Ahsn
from etl.collection import QuarterStatus
from etl.programmes import Programme
from etl.quarters import Quarter, QuarterError
from etl.queries import Database
from etl.report import NationalTable


def _arg(args: Mapping, name: str) -> str | None:
    value = args.get(name)
    return value if isinstance(value, str) and value.strip() else None


def _flag(args: Mapping, name: str) -> bool:
    """?provisional=1 (or yes, true): a choice kept in the address."""
    return (_arg(args, name) or "").lower() in ("1", "yes", "true")


def _search(**params: str | None) -> str:
    """The query string of the params given ('' when none)."""
    kept = {k: v for k, v in params.items() if v}
    return "?" + urlencode(kept, safe="/,", quote_via=quote) if kept else ""


def provisional_coverage(db: Database, programme: Programme, quarters: list[Quarter]) -> dict[Quarter, str]:
    """Of these quarters, the unpublished ones, with their coverage in words."""
    published = set(report.shown_quarters(db, programme))
    returned = queries.england_rates(db, programme, [q.index for q in quarters]).set_index("quarter_index")
    expected = len(ahsns.all_ahsns())
    out = {}
    for q in quarters:
        if q in published:
            continue
        n = int(returned["ahsns_returned"].get(q.index, 0))
        out[q] = (f"all {expected} AHSNs have returned" if n >= expected
                  else f"{n} of {expected} AHSNs {'has' if n == 1 else 'have'} returned")
    return out


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
    provisional: bool = False  # ?provisional=1: unpublished quarters may be shown (marked)
    first_published: bool = False  # ?figures=first-published: as each quarter was first published
    unpublished: dict[Quarter, str] = field(default_factory=dict)  # quarters with data not published yet

    @classmethod
    def read(cls, db: Database, programme: Programme, args: Mapping) -> NationalView | None:
        """None when no quarter has data."""
        every = report.shown_quarters(db, programme, provisional=True)
        if not every:
            return None
        provisional = _flag(args, "provisional")
        first_published = _arg(args, "figures") == "first-published"
        if not report.shown_quarters(db, programme, provisional) and not provisional:
            provisional = True  # nothing is published yet: the figures so far, marked provisional
        asked = _arg(args, "quarters")
        quarters, note = report.choose_quarters(db, programme, asked, provisional)
        search = _search(quarters=",".join(q.label for q in quarters) if asked else None,
                         provisional="1" if provisional else None,
                         figures="first-published" if first_published else None)
        table = report.national_table(db, programme, quarters, first_published=first_published)
        return cls(quarters, note, table, search, provisional, first_published,
                   provisional_coverage(db, programme, every))

    def with_search(self, **changes: str | None) -> str:
        """This view's address with some choices changed (None removes one)."""
        current = {k: v[0] for k, v in parse_qs(self.search.lstrip("?")).items()}
        return _search(**{**current, **changes})

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
    provisional: dict[Quarter, str] = field(default_factory=dict)  # unpublished quarters shown, their coverage
    revisions: pd.DataFrame = None  # the AHSN's published figures revised since publication
    asked_provisional: bool = False  # ?provisional=1
    unpublished: dict[Quarter, str] = field(default_factory=dict)  # quarters with data not published yet

    @property
    def had_previous(self) -> bool:
        """Whether the AHSN made a return for the quarter before its latest."""
        return self.now is not None and bool((self.rates["quarter_index"] == self.now.quarter.index - 1).any())


    @classmethod
    def read(cls, db: Database, programme: Programme, slug: str | None, args: Mapping) -> AhsnView:
        ahsn = ahsns.by_slug(slug or "")
        sort = _arg(args, "sort")
        sort = sort if sort in TRUST_SORTS else "name"
        provisional = _flag(args, "provisional")
        search = _search(sort=sort if sort != "name" else None, provisional="1" if provisional else None)
        empty = pd.DataFrame()
        if ahsn is None:
            return cls(None, sort, search, empty, [], None, empty)
        every = report.shown_quarters(db, programme, provisional=True)
        unpublished = provisional_coverage(db, programme, every)
        if not report.shown_quarters(db, programme):
            provisional = True  # nothing is published yet: the figures so far, marked provisional
        quarters = report.shown_quarters(db, programme, provisional)
        shown = [q.index for q in quarters]
        axis = report.quarter_axis(db, programme, provisional)
        rates = queries.ahsn_rates(db, programme, shown, ahsn=ahsn.short_name) if shown else empty
        if not len(rates):
            return cls(ahsn, sort, search, rates, axis, None, empty, asked_provisional=provisional,
                       unpublished=unpublished)
        now = standing(rates, programme)
        trusts, _ = sorted_trusts(queries.trusts(db, programme, ahsn.short_name, now.quarter.index), sort)
        revisions = queries.revisions(db, programme, shown)
        return cls(ahsn, sort, search, rates, axis, now, trusts,
                   england=queries.england_rates(db, programme, shown),
                   missing=queries.trust_codes_missing(db, programme, ahsn.short_name, now.quarter.index),
                   levels=_only(queries.level_counts(db, programme, ahsn.short_name), shown),
                   nearest=trusts[trusts["counted"] & (trusts["adoption_level"] == programme.adopted_from_level - 1)],
                   provisional={q: c for q, c in unpublished.items() if q in quarters},
                   revisions=revisions[revisions["ahsn"] == ahsn.short_name],
                   asked_provisional=provisional, unpublished=unpublished)


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
    provisional: dict[Quarter, str] = field(default_factory=dict)  # unpublished quarters shown, their coverage
    asked_provisional: bool = False  # ?provisional=1
    unpublished: dict[Quarter, str] = field(default_factory=dict)  # quarters with data not published yet

    @classmethod
    def read(cls, db: Database, programme: Programme, args: Mapping) -> CompareView | None:
        """None when no quarter has data."""
        every = report.shown_quarters(db, programme, provisional=True)
        if not every:
            return None
        provisional = _flag(args, "provisional") or not report.shown_quarters(db, programme)
        shown = report.shown_quarters(db, programme, provisional)
        sort = _arg(args, "sort")
        sort = sort if sort in COMPARE_SORTS else "name"
        rates = queries.ahsn_rates(db, programme, [q.index for q in shown])
        order = ahsn_order(rates, list(queries.ahsn_list(db)["short_name"]), sort)
        unpublished = provisional_coverage(db, programme, every)
        search = _search(sort=sort if sort != "name" else None, provisional="1" if provisional else None)
        return cls(sort, search, report.quarter_axis(db, programme, provisional), order, rates,
                   {q: c for q, c in unpublished.items() if q in shown}, provisional, unpublished)


# ---- returns this quarter: /returns?quarter= -------------------------------------------------


@dataclass(frozen=True)
class ReturnsView:
    statuses: list[QuarterStatus]  # every quarter of the collection, oldest first
    status: QuarterStatus | None  # the quarter shown (None: no quarter yet)

    @property
    def quarter(self) -> Quarter | None:
        return self.status.quarter if self.status else None

    @classmethod
    def read(cls, db: Database, programme: Programme, args: Mapping, today: dt.date) -> ReturnsView:
        statuses = collection.statuses(db, programme, today)
        asked = None
        with contextlib.suppress(QuarterError):
            asked = collection.status_of(statuses, Quarter.parse(_arg(args, "quarter") or ""))
        return cls(statuses, asked or collection.default_quarter(statuses))


def returns_grid(db: Database, programme: Programme, status: QuarterStatus, today: dt.date) -> list[dict]:
    """One row per AHSN for the quarter: its status in words (returned, returned late, late,
    a revision waiting), when and by whom, its warnings, the versions replaced, the revisions
    waiting, and the trusts of its return a quarter earlier missing now (all of them while
    there is no return yet)."""
    quarter = status.quarter
    history = queries.submissions(db, programme)
    here = history[history["quarter_index"] == quarter.index]
    pending = queries.pending_revisions(db, programme)
    pending = pending[pending["quarter_index"] == quarter.index]
    days = status.days_to_due(today)
    rows = []
    for ahsn in ahsns.all_ahsns():
        mine = here[here["ahsn"] == ahsn.short_name]
        current = mine[mine["is_current"]]
        gone = queries.trust_codes_missing(db, programme, ahsn.short_name, quarter.index)
        row = {"ahsn": ahsn.short_name, "returned": bool(len(current)), "late": False, "days_late": None,
               "warnings": None, "earlier": None, "stored_at": None, "by": None, "submission": None,
               "missing": [f"{r['trust_name']} ({r['trust_code']})" for _, r in gone.iterrows()],
               "revisions_waiting": sorted(int(e) for e in pending.loc[pending["ahsn"] == ahsn.short_name,
                                                                         "event_id"])}
        if not len(current):
            row["late"] = days < 0 and not status.is_published
            row["days_late"] = -days if row["late"] else None
            row["status"] = (f"✗ Late: no return, {-days:,} day{'s' if days != -1 else ''} after the due date"
                             if row["late"] else "✗ No return" if status.is_published else "✗ No return yet")
        else:
            c = current.iloc[0]
            stored = c["loaded_at"].to_pydatetime()
            # a demo return's time is when the demo store was built, not when it was returned
            late_by = 0 if c["is_demo"] else (stored.date() - status.due).days
            row.update(late=late_by > 0, days_late=late_by if late_by > 0 else None,
                       warnings=int(c["warning_count"]), earlier=len(mine) - 1, stored_at=stored,
                       by=c["loaded_by"], submission=int(c["submission_id"]))
            text = "✓ Returned" + (f" late, {late_by:,} day{'s' if late_by != 1 else ''} after the due date"
                                   if late_by > 0 else "")
            if row["warnings"]:
                text += f" with {row['warnings']} warning{'s' if row['warnings'] != 1 else ''}"
            if row["earlier"]:
                text += f"; supersedes {row['earlier']} earlier version{'s' if row['earlier'] != 1 else ''}"
            row["status"] = text
        if row["revisions_waiting"]:
            row["status"] += "; ! revision " + ", ".join(map(str, row["revisions_waiting"])) + " waiting for approval"
        rows.append(row)
    return rows
