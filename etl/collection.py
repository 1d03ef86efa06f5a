"""The quarter's collection: which quarters are open for returns, due when, published, revised.

A quarter is open until a national administrator signs it off (publishes it); after that its
figures hold still, and a change to one of its returns is a revision that waits for
approval (etl/store/, etl/derived.sql). Due dates follow the programme's rule unless one
was set by hand. Everything here is a pure function of what the database holds and of
today's date, so the command line, the Returns page and the upload page say the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from etl import ahsns, queries, words
from etl.programmes import Programme
from etl.quarters import Quarter
from etl.queries import Database

OPEN, PUBLISHED, REVISED = "open", "published", "revised"
# The demo's returns end in 2020/21: counted from today's date every open quarter would be
# years late. While only demo returns are stored, the days are counted as on the day a
# fortnight before the next return falls due (issue 20: "due 2,118 days ago").
DEMO_DAYS_BEFORE_DUE = 14


@dataclass(frozen=True)
class Clock:
    """The day due dates are counted from, and what the pages say about it (None: today)."""

    today: dt.date
    note: str | None = None


def clock(db: Database, programme: Programme, today: dt.date | None = None) -> Clock:
    """Today, or, while every return of the programme is demo data, the demo's own day: a
    fortnight before the quarter after its latest return is due (never before that quarter
    has ended), so the demo reads as a collection under way."""
    today = today or dt.date.today()
    latest = queries.latest_demo_only_quarter(db, programme)
    if latest is None:
        return Clock(today)
    upcoming = Quarter.from_index(latest) + 1
    demo_day = max(
        upcoming.end + dt.timedelta(days=1), programme.due_date(upcoming) - dt.timedelta(DEMO_DAYS_BEFORE_DUE)
    )
    if demo_day >= today:
        return Clock(today)
    return Clock(
        demo_day,
        f"Demo data: due dates are counted as on {demo_day:%-d %b %Y}, as if the demo's returns had just "
        "been made, not from today's date. Once a real return is stored, today's date is used.",
    )


@dataclass(frozen=True)
class QuarterStatus:
    quarter: Quarter
    state: str  # OPEN, PUBLISHED or REVISED
    due: dt.date
    due_set_by_hand: bool
    ahsns_returned: int
    trusts_returned: int
    published_at: dt.datetime | None = None
    published_by: str | None = None
    revised_figures: int = 0
    pending_revisions: int = 0

    @property
    def is_published(self) -> bool:
        return self.state != OPEN

    @property
    def ahsns_expected(self) -> int:
        return len(ahsns.all_ahsns())

    @property
    def is_complete(self) -> bool:
        return self.ahsns_returned >= self.ahsns_expected

    @property
    def coverage(self) -> str:
        """'4 of 15 AHSNs have returned' (a whole quarter: 'all 15 AHSNs have returned')."""
        return words.coverage(self.ahsns_returned, self.ahsns_expected)

    def days_to_due(self, today: dt.date) -> int:
        """Days until the due date; negative once it has passed."""
        return (self.due - today).days

    def due_text(self, today: dt.date) -> str:
        """'due 15 Feb 2021 (in 12 days)', '(today)' or '(23 days ago)'."""
        days = self.days_to_due(today)
        when = "today" if days == 0 else f"in {_days(days)}" if days > 0 else f"{_days(-days)} ago"
        return f"due {self.due:%-d %b %Y} ({when})"


def _days(n: int) -> str:
    return words.plural(n, "day")


def statuses(db: Database, programme: Programme, today: dt.date) -> list[QuarterStatus]:
    """Every quarter the collection knows, oldest first: those with a return or a sign-off
    event, and the quarter after the latest of them once it has begun (its returns are
    being made, or are late)."""
    rows = queries.collection_quarters(db, programme)
    out = [_status(r, programme) for r in rows.to_dict("records")]
    upcoming = (out[-1].quarter + 1) if out else Quarter.containing(today) - 1
    if upcoming.start <= today:
        out.append(QuarterStatus(upcoming, OPEN, programme.due_date(upcoming), False, 0, 0))
    return out


def _status(row: dict, programme: Programme) -> QuarterStatus:
    quarter = Quarter.from_index(int(row["quarter_index"]))
    published = not pd.isna(row["published_at"])
    due_set = not pd.isna(row["due_date_set"])
    state = OPEN if not published else REVISED if row["revised_figures"] else PUBLISHED
    return QuarterStatus(
        quarter=quarter,
        state=state,
        due=pd.Timestamp(row["due_date_set"]).date() if due_set else programme.due_date(quarter),
        due_set_by_hand=due_set,
        ahsns_returned=int(row["ahsns_returned"]),
        trusts_returned=int(row["trusts_returned"]),
        published_at=pd.Timestamp(row["published_at"]).to_pydatetime() if published else None,
        published_by=row["published_by"] if published else None,
        revised_figures=int(row["revised_figures"]),
        pending_revisions=int(row["pending_revisions"]),
    )


def published(all_statuses: list[QuarterStatus]) -> list[QuarterStatus]:
    return [s for s in all_statuses if s.is_published]


def open_quarters(all_statuses: list[QuarterStatus]) -> list[QuarterStatus]:
    return [s for s in all_statuses if not s.is_published]


def status_of(all_statuses: list[QuarterStatus], quarter: Quarter) -> QuarterStatus | None:
    return next((s for s in all_statuses if s.quarter == quarter), None)


def default_quarter(all_statuses: list[QuarterStatus]) -> QuarterStatus | None:
    """The quarter the national team looks at first: the earliest open one with a return (the
    next to sign off), else the earliest open one, else the latest."""
    open_ones = open_quarters(all_statuses)
    with_returns = [s for s in open_ones if s.ahsns_returned]
    return (with_returns or open_ones or all_statuses[-1:] or [None])[0]


def earliest_open_without(all_statuses: list[QuarterStatus], returned: set[Quarter]) -> Quarter | None:
    """The earliest open quarter an AHSN has not returned (the return to make next)."""
    return next((s.quarter for s in open_quarters(all_statuses) if s.quarter not in returned), None)
