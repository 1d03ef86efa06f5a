"""What each page shows, read from its address: one parser per page.

A page's layout and its downloads both call the same `...View.read(db, programme, args)`
with the page's query string, so `/download/national.csv?quarters=...` holds exactly what
`/?quarters=...` shows. Quarters are always chosen by etl/report.py. Pure of Flask and Dash:
`args` is any mapping of query parameters (Dash's keyword arguments or request.args).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, urlencode

import pandas as pd

from dashboard.presentation.ahsn_story import Standing, standing
from dashboard.presentation.headline_compare import with_headline
from etl import ahsns, milestones, queries, report, words
from etl.ahsns import Ahsn
from etl.milestones import Milestone
from etl.programmes import Programme
from etl.quarters import Quarter
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
    return {
        q: words.coverage(int(returned["ahsns_returned"].get(q.index, 0)), expected)
        for q in quarters
        if q not in published
    }


def nothing_shown(db: Database, programme: Programme) -> str:
    """Why a page or download about every AHSN has no figures to show its reader."""
    if not report.shown_quarters(db, programme, provisional=True):
        return "No returns have been loaded yet."
    return (
        "No quarter has been published yet; the figures so far are provisional, for those signed in who may see them."
    )


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
    # ?against=trajectory: each AHSN's rates against its own trajectory's target for the quarter
    # ((AHSN, quarter) -> target, None where it has none); None: against the flat national target
    trajectory: dict[tuple[str, Quarter], int | None] | None = None
    milestones: list[Milestone] = field(default_factory=list)  # in the latest two quarters shown
    refused_provisional: bool = False  # ?provisional=1 asked by someone who may not see them

    @classmethod
    def read(
        cls, db: Database, programme: Programme, args: Mapping, may_see_provisional: bool = True
    ) -> NationalView | None:
        """None when no quarter has data it may show (nothing_shown says why).
        `may_see_provisional`: whether unpublished quarters are for this reader
        (etl/permissions.py, Action.SEE_PROVISIONAL for every AHSN)."""
        every = report.shown_quarters(db, programme, provisional=True)
        provisional = _flag(args, "provisional") and may_see_provisional
        if not report.shown_quarters(db, programme):
            if not may_see_provisional:
                return None  # nothing is published, and the figures so far are not theirs to see
            provisional = True  # nothing is published yet: the figures so far, marked provisional
        if not every:
            return None
        first_published = _arg(args, "figures") == "first-published"
        asked = _arg(args, "quarters")
        quarters, note = report.choose_quarters(db, programme, asked, provisional)
        against_trajectory = _arg(args, "against") == "trajectory"
        search = _search(
            quarters=",".join(q.label for q in quarters) if asked else None,
            provisional="1" if provisional else None,
            figures="first-published" if first_published else None,
            against="trajectory" if against_trajectory else None,
        )
        table = report.national_table(db, programme, quarters, first_published=first_published)
        shown = report.shown_quarters(db, programme, provisional)
        return cls(
            quarters,
            note,
            table,
            search,
            provisional,
            first_published,
            provisional_coverage(db, programme, every),
            trajectory_targets(db, programme, quarters) if against_trajectory else None,
            milestones.recent(milestones.recognise(db, programme, shown), shown),
            _flag(args, "provisional") and not may_see_provisional,
        )

    def with_search(self, **changes: str | None) -> str:
        """This view's address with some choices changed (None removes one)."""
        current = {k: v[0] for k, v in parse_qs(self.search.lstrip("?")).items()}
        return _search(**{**current, **changes})

    def trust_rows(self, db: Database, programme: Programme) -> pd.DataFrame:
        """Every trust row of every return the table is made of (as first published, when asked)."""
        return queries.trust_rows(db, programme, [q.index for q in self.quarters], first_published=self.first_published)

    def trust_revisions(self, db: Database, programme: Programme) -> pd.DataFrame:
        """Each trust of those returns revised since first published (etl.queries.trust_revisions)."""
        return queries.trust_revisions(db, programme, [q.index for q in self.quarters])


def trajectory_targets(
    db: Database, programme: Programme, quarters: list[Quarter]
) -> dict[tuple[str, Quarter], int | None]:
    """(AHSN, quarter) -> the target its trajectory sets for the quarter as judged (a published
    quarter against the version in force when it was published), for AHSNs with a trajectory."""
    targets = queries.trajectory_targets(db, programme)
    wanted = {q.index for q in quarters}
    return {
        (a, Quarter.from_index(int(i))): (None if pd.isna(t) else int(t))
        for a, i, t in zip(targets["ahsn"], targets["quarter_index"], targets["target_percent"])
        if int(i) in wanted
    }


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
    frame = trusts.assign(
        level_change=trusts["adoption_level"] - trusts["previous_level"],
        type_order=(~trusts["counted"]).astype(int).astype(str) + trusts["trust_type"],
    )
    _, column, descending = TRUST_SORTS[key]
    frame = frame.sort_values(
        [column, "trust_name"], ascending=[not descending, True], na_position="last", kind="stable"
    )
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
    targets: pd.DataFrame = None  # the trajectory target each quarter is judged against (queries.trajectory_targets)
    steps: pd.DataFrame = None  # the steps of the AHSN's trajectory now (its newest version)
    version: dict | None = None  # the newest version: number, who set it, when, why (None: no trajectory)
    milestones: list[Milestone] = field(default_factory=list)  # in the quarters shown, newest first
    refused_provisional: bool = False  # ?provisional=1 asked by someone who may not see them
    quarter_asked: Quarter | None = None  # ?quarter=: the page as at that quarter (None: the latest)
    quarter_choices: list[Quarter] = field(default_factory=list)  # the AHSN's quarters with a return, oldest first
    quarter_refused: str | None = None  # a ?quarter= that is not one of them, as asked

    def trajectory_on_axis(self) -> list[int | None] | None:
        """The target of each quarter of the axis, or None when the AHSN has no trajectory."""
        if self.version is None:
            return None
        by_quarter = {
            int(q): (None if pd.isna(t) else int(t))
            for q, t in zip(self.targets["quarter_index"], self.targets["target_percent"])
        }
        return [by_quarter.get(q.index) for q in self.axis]

    def target_of(self, quarter: Quarter) -> dict | None:
        """The trajectory row a quarter is judged against (None: none)."""
        if self.version is None:
            return None
        row = self.targets[self.targets["quarter_index"] == quarter.index]
        return row.iloc[0].to_dict() if len(row) else None

    @property
    def had_previous(self) -> bool:
        """Whether the AHSN made a return for the quarter before its latest."""
        return self.now is not None and bool((self.rates["quarter_index"] == self.now.quarter.index - 1).any())

    @classmethod
    def read(
        cls,
        db: Database,
        programme: Programme,
        slug: str | None,
        args: Mapping,
        may_see_provisional: bool = True,
        may_see_every_provisional: bool = True,
    ) -> AhsnView:
        """`may_see_provisional`: whether this AHSN's unpublished quarters are for this reader;
        `may_see_every_provisional`: whether England's (every AHSN's) are too (etl/permissions.py)."""
        ahsn = ahsns.by_slug(slug or "")
        sort = _arg(args, "sort")
        sort = sort if sort in TRUST_SORTS else "name"
        provisional = _flag(args, "provisional") and may_see_provisional
        refused_provisional = _flag(args, "provisional") and not may_see_provisional
        empty = pd.DataFrame()
        if ahsn is None:
            return cls(None, sort, _search(sort=sort if sort != "name" else None), empty, [], None, empty)
        every = report.shown_quarters(db, programme, provisional=True)
        unpublished = provisional_coverage(db, programme, every)
        if not report.shown_quarters(db, programme) and may_see_provisional:
            provisional = True  # nothing is published yet: the figures so far, marked provisional
        quarters = report.shown_quarters(db, programme, provisional)
        published = [q.index for q in report.shown_quarters(db, programme)]
        axis = report.quarter_axis(db, programme, provisional) if quarters else []
        rates = (
            queries.ahsn_rates(db, programme, [q.index for q in quarters], ahsn=ahsn.short_name) if quarters else empty
        )
        choices = sorted(Quarter.from_index(int(i)) for i in rates["quarter_index"]) if len(rates) else []
        asked, quarter_refused = _asked_quarter(_arg(args, "quarter"), choices)
        if asked is not None:  # the page as it stood then: later quarters left out of every part
            quarters = [q for q in quarters if q <= asked]
            axis = [q for q in axis if q <= asked]
            rates = rates[rates["quarter_index"] <= asked.index]
        shown = [q.index for q in quarters]
        search = _search(
            quarter=asked.label if asked else None,
            sort=sort if sort != "name" else None,
            provisional="1" if provisional else None,
        )
        chosen = {"quarter_asked": asked, "quarter_choices": choices, "quarter_refused": quarter_refused}
        if not len(rates):
            return cls(
                ahsn,
                sort,
                search,
                rates,
                axis,
                None,
                empty,
                asked_provisional=provisional,
                unpublished=unpublished,
                refused_provisional=refused_provisional,
                **chosen,
            )
        now = standing(rates, programme)
        trusts, _ = sorted_trusts(queries.trusts(db, programme, ahsn.short_name, now.quarter.index), sort)
        revisions = queries.revisions(db, programme, shown)
        versions = queries.trajectory_versions(db, programme, ahsn.short_name)
        newest = versions[versions["is_newest"]]
        return cls(
            ahsn,
            sort,
            search,
            rates,
            axis,
            now,
            trusts,
            targets=queries.trajectory_targets(db, programme, ahsn.short_name),
            steps=queries.trajectory_steps(db, programme, ahsn.short_name, newest_only=True),
            version=newest.iloc[0].to_dict() if len(newest) else None,
            milestones=milestones.recognise(db, programme, quarters, ahsn.short_name),
            # England's rate of a quarter not yet published is every AHSN's provisional figures
            england=queries.england_rates(
                db, programme, shown if may_see_every_provisional else [i for i in shown if i in published]
            ),
            missing=queries.trust_codes_missing(db, programme, ahsn.short_name, now.quarter.index),
            levels=_only(queries.level_counts(db, programme, ahsn.short_name), shown),
            nearest=trusts[trusts["counted"] & (trusts["adoption_level"] == programme.adopted_from_level - 1)],
            provisional={q: c for q, c in unpublished.items() if q in quarters},
            revisions=revisions[revisions["ahsn"] == ahsn.short_name],
            asked_provisional=provisional,
            unpublished=unpublished,
            refused_provisional=refused_provisional,
            **chosen,
        )


def _asked_quarter(text: str | None, choices: list[Quarter]) -> tuple[Quarter | None, str | None]:
    """(the quarter asked for, if it is one of the AHSN's and not its latest; the text asked for,
    if it could not be shown). The latest is the page without ?quarter=."""
    if text is None:
        return None, None
    try:
        asked = Quarter.parse(text)
    except ValueError:
        return None, text
    if asked not in choices:
        return None, asked.label
    return (None if asked == choices[-1] else asked), None


def _only(frame: pd.DataFrame, quarter_indexes: list[int]) -> pd.DataFrame:
    return frame[frame["quarter_index"].isin(quarter_indexes)]


# ---- compare regions: /compare?sort= ---------------------------------------------------------

COMPARE_SORTS = ("name", "latest", "trusts")  # ?sort= values; compare_sorts() says each in words


def compare_sorts(programme: Programme) -> dict[str, str]:
    """The orders /compare offers, ?sort= value -> its words."""
    latest = "latest count, highest first" if programme.headline and programme.headline.kind == "count" else None
    return {
        "name": "A to Z",
        "latest": latest or "latest rate, highest first",
        "trusts": f"number of {words.counted(programme)}",
    }


def ahsn_order(rates: pd.DataFrame, names: list[str], sort: str) -> list[str]:
    """AHSN short names in the order asked for (alphabetical unless told)."""
    alphabetical = sorted(names, key=str.lower)
    if sort not in ("latest", "trusts"):
        return alphabetical
    latest = rates.sort_values("quarter_index").groupby("ahsn").tail(1).set_index("ahsn")
    # the latest headline: a share's rate, or a rate's or count's own figure (with_headline's value)
    column = ("value" if "value" in latest else "rate_percent") if sort == "latest" else "counted_trusts"
    value = {
        a: (latest[column].get(a) if a in latest.index and pd.notna(latest[column].get(a)) else -1)
        for a in alphabetical
    }
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
    # (AHSN, quarter) -> its trajectory's target as judged, for AHSNs with a trajectory
    trajectory: dict[tuple[str, Quarter], int | None] = field(default_factory=dict)
    refused_provisional: bool = False  # ?provisional=1 asked by someone who may not see them

    def trajectory_of(self, ahsn: str) -> list[int | None] | None:
        """An AHSN's target at each quarter of the axis, or None when it has no trajectory."""
        if not any(a == ahsn for a, _ in self.trajectory):
            return None
        return [self.trajectory.get((ahsn, q)) for q in self.axis]

    @classmethod
    def read(
        cls, db: Database, programme: Programme, args: Mapping, may_see_provisional: bool = True
    ) -> CompareView | None:
        """None when no quarter has data it may show (nothing_shown says why)."""
        every = report.shown_quarters(db, programme, provisional=True)
        if not every:
            return None
        nothing_published = not report.shown_quarters(db, programme)
        if nothing_published and not may_see_provisional:
            return None
        provisional = (_flag(args, "provisional") and may_see_provisional) or nothing_published
        shown = report.shown_quarters(db, programme, provisional)
        sort = _arg(args, "sort")
        sort = sort if sort in COMPARE_SORTS else "name"
        rates = queries.ahsn_rates(db, programme, [q.index for q in shown])
        if not report.is_share(programme):  # a rate or count: each AHSN-quarter's own headline beside
            rates = with_headline(db, programme, rates)
        order = ahsn_order(rates, list(queries.ahsn_list(db)["short_name"]), sort)
        unpublished = provisional_coverage(db, programme, every)
        search = _search(sort=sort if sort != "name" else None, provisional="1" if provisional else None)
        axis = report.quarter_axis(db, programme, provisional)
        return cls(
            sort,
            search,
            axis,
            order,
            rates,
            {q: c for q, c in unpublished.items() if q in shown},
            provisional,
            unpublished,
            trajectory_targets(db, programme, axis),
            _flag(args, "provisional") and not may_see_provisional,
        )


# ---- returns this quarter: /returns?quarter= -------------------------------------------------
