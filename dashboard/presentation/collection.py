"""A quarter's collection as the national team sees it (the Returns page, and its download): each
AHSN's return for the quarter and its status, and the revisions waiting for a decision, each
with what it would change."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

import pandas as pd
from dash import html

from dashboard.context import services
from dashboard.presentation import download_links
from dashboard.presentation.forms import field, post_form
from dashboard.security.auth import current_user
from etl import ahsns, collection, queries, statuses, words
from etl.collection import QuarterStatus
from etl.permissions import Action, allowed
from etl.programmes import Programme
from etl.quarters import Quarter, QuarterError
from etl.queries import Database


@dataclass(frozen=True)
class ReturnsView:
    """The Returns page's state, read from its address (?quarter=), as its download reads it."""

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
            asked = collection.status_of(statuses, Quarter.parse(args.get("quarter") or ""))
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
        row = {
            "ahsn": ahsn.short_name,
            "returned": bool(len(current)),
            "late": False,
            "days_late": None,
            "warnings": None,
            "earlier": None,
            "stored_at": None,
            "by": None,
            "submission": None,
            "missing": [f"{r['trust_name']} ({r['trust_code']})" for _, r in gone.iterrows()],
            "revisions_waiting": sorted(int(e) for e in pending.loc[pending["ahsn"] == ahsn.short_name, "event_id"]),
        }
        if not len(current):
            row["late"] = days < 0 and not status.is_published
            row["days_late"] = -days if row["late"] else None
            row["status"] = (
                f"✗ Late: no return, {-days:,} day{'s' if days != -1 else ''} after the due date"
                if row["late"]
                else "✗ No return"
                if status.is_published
                else "✗ No return yet"
            )
        else:
            c = current.iloc[0]
            stored = c["loaded_at"].to_pydatetime()
            # a demo return's time is when the demo store was built, not when it was returned
            late_by = 0 if c["is_demo"] else (stored.date() - status.due).days
            row.update(
                late=late_by > 0,
                days_late=late_by if late_by > 0 else None,
                warnings=int(c["warning_count"]),
                # the versions it took the place of: superseded, never a revision waiting or rejected
                earlier=sum(statuses.of_row(r).words == statuses.SUPERSEDED for _, r in mine.iterrows()),
                stored_at=stored,
                by=c["loaded_by"],
                submission=int(c["submission_id"]),
            )
            text = "✓ Returned" + (
                f" late, {late_by:,} day{'s' if late_by != 1 else ''} after the due date" if late_by > 0 else ""
            )
            if row["warnings"]:
                text += f" with {row['warnings']} warning{'s' if row['warnings'] != 1 else ''}"
            if row["earlier"]:
                text += f"; supersedes {row['earlier']} earlier version{'s' if row['earlier'] != 1 else ''}"
            row["status"] = text
        if row["revisions_waiting"]:
            row["status"] += "; ! revision " + ", ".join(map(str, row["revisions_waiting"])) + " waiting for approval"
        rows.append(row)
    return rows


def grid(status: QuarterStatus, today: dt.date) -> html.Div:
    ctx = services()
    rows = returns_grid(ctx.db, ctx.programme, status, today)  # as /download/returns.* holds them
    quarter = status.quarter
    table_rows = []
    for r in rows:
        row_class = (
            "returns-pending"
            if r["revisions_waiting"]
            else "returns-late"
            if r["late"] and not r["returned"]
            else "returns-none"
            if not r["returned"]
            else "returns-warnings"
            if r["warnings"]
            else "returns-ok"
        )
        if r["returned"]:
            missing = "; ".join(r["missing"]) or "none"
        else:
            missing = f"all {len(r['missing'])} (no return yet)" if r["missing"] else ""
        table_rows.append(
            html.Tr(
                className=row_class,
                children=[
                    html.Th(r["ahsn"], scope="row"),
                    html.Td(r["status"]),
                    html.Td(f"{r['stored_at']:%d %b %Y %H:%M} UTC" if r["stored_at"] else "—"),
                    html.Td(f"{r['by']} (submission {r['submission']})" if r["by"] else "—"),
                    html.Td(missing or "—"),
                ],
            )
        )
    late = sum(1 for r in rows if r["late"] and not r["returned"])
    summary = words.capital(status.coverage) + f" for {quarter.label}"
    if late:
        summary += f"; {late} {'is' if late == 1 else 'are'} late"
    return html.Div(
        [
            html.P(html.Strong(summary + "."), className="returns-summary", id="returns-summary"),
            html.P("Scroll the table sideways to see every column →", className="scroll-hint"),
            html.Div(
                className="table-wrap",
                role="region",
                tabIndex=0,
                **{"aria-labelledby": "returns-caption"},
                children=html.Table(
                    className="upload-table returns-grid",
                    children=[
                        html.Caption(f"Returns for {quarter.label}, by AHSN", id="returns-caption"),
                        html.Thead(
                            html.Tr(
                                [
                                    html.Th(h, scope="col")
                                    for h in (
                                        "AHSN",
                                        "Status",
                                        "Stored",
                                        "By",
                                        f"{words.capital(ctx.programme.organisations)} of {(quarter - 1).label} missing now",
                                    )
                                ]
                            )
                        ),
                        html.Tbody(table_rows),
                    ],
                ),
            ),
            download_links.links(
                "this table", "returns", f"?quarter={quote(quarter.label, safe='/')}", "returns-download"
            ),
        ]
    )


def late_ahsns(status: QuarterStatus) -> list[str]:
    """The AHSNs with no return for the quarter (yet)."""
    ctx = services()
    returned = set(queries.ahsn_rates(ctx.db, ctx.programme, [status.quarter.index])["ahsn"])
    return [a.short_name for a in ahsns.all_ahsns() if a.short_name not in returned]


def revisions() -> html.Section:
    """Every revision waiting for a decision: what it changes, and (for who may) approve or reject it."""
    ctx = services()
    pending = queries.pending_revisions(ctx.db, ctx.programme)
    if not len(pending):
        return html.Section(
            [
                html.H2("Revisions waiting for approval"),
                html.P("None: no change to a published quarter is waiting.", id="returns-no-revisions"),
            ],
            className="returns-revisions",
        )
    items = []
    for event_id, group in pending.groupby("event_id", sort=True):
        first = group.iloc[0]
        how = (
            "a restore of submission " + str(int(first["submission_id"]))
            if first["action"] == "restore"
            else f"{first['file_name']} (submission {int(first['submission_id'])})"
        )
        changes = queries.revision_trust_changes(ctx.db, ctx.programme, int(event_id))
        items.append(
            html.Article(
                className="returns-revision",
                id=f"revision-{int(event_id)}",
                children=[
                    html.H3(
                        f"Revision {int(event_id)}: "
                        + ", ".join(f"{r['ahsn']} {r['quarter']}" for _, r in group.iterrows())
                    ),
                    html.P(f"By {first['by_user']} on {first['happened_at']:%d %b %Y %H:%M} UTC: {how}."),
                    html.Ul(
                        [
                            html.Li(
                                [
                                    f"{r['ahsn']} {r['quarter']}: ",
                                    html.Strong(
                                        words.stored_rate(
                                            r["before_rate"], r["before_adopted"], r["before_counted"], ctx.programme
                                        )
                                    ),
                                    " now → ",
                                    html.Strong(
                                        words.stored_rate(
                                            r["after_rate"], r["after_adopted"], r["after_counted"], ctx.programme
                                        )
                                    ),
                                    " if approved",
                                ]
                            )
                            for _, r in group.iterrows()
                        ],
                        className="returns-before-after",
                    ),
                    trust_changes(changes),
                    None
                    if not allowed(current_user(), Action.DECIDE_REVISION)
                    else html.Div(
                        className="returns-decisions",
                        children=[
                            post_form(
                                f"/revisions/{int(event_id)}/approve",
                                [
                                    field(
                                        "Why approve",
                                        f"revision-{int(event_id)}-approve-reason",
                                        name="reason",
                                        type="text",
                                        required=True,
                                        maxLength=500,
                                    ),
                                    html.Button(
                                        f"Approve revision {int(event_id)}",
                                        type="submit",
                                        className="upload-button upload-button-primary",
                                    ),
                                ],
                                "returns-form",
                            ),
                            post_form(
                                f"/revisions/{int(event_id)}/reject",
                                [
                                    field(
                                        "Why reject",
                                        f"revision-{int(event_id)}-reject-reason",
                                        name="reason",
                                        type="text",
                                        required=True,
                                        maxLength=500,
                                    ),
                                    html.Button(
                                        f"Reject revision {int(event_id)}", type="submit", className="upload-button"
                                    ),
                                ],
                                "returns-form",
                            ),
                        ],
                    ),
                ],
            )
        )
    return html.Section(
        [html.H2(f"Revisions waiting for approval ({len(items)})"), *items],
        className="returns-revisions",
        id="returns-revisions",
    )


def _level(value) -> str:
    return "—" if pd.isna(value) else str(int(value))


def _differ(a, b) -> bool:
    """Two cells differ (a blank and a number differ; two blanks do not)."""
    if pd.isna(a) or pd.isna(b):
        return pd.isna(a) != pd.isna(b)
    return a != b


def trust_changes(changes: pd.DataFrame) -> html.Table | html.P:
    if not len(changes):
        return html.P("No trust's level, type or referrals change: the figures stay as they are.")
    rows = []
    for _, c in changes.iterrows():
        if pd.isna(c["level_now"]):
            what = f"added, at level {_level(c['level_after'])}"
        elif pd.isna(c["level_after"]):
            what = "left out of the new return"
        else:
            parts = []
            if _differ(c["level_now"], c["level_after"]):
                parts.append(f"level {_level(c['level_now'])} → {_level(c['level_after'])}")
            if _differ(c["type_now"], c["type_after"]):
                parts.append(f"type {words.type_words(c['type_now'])} → {words.type_words(c['type_after'])}")
            if _differ(c["made_now"], c["made_after"]):
                parts.append(f"referrals made {words.count(c['made_now'])} → {words.count(c['made_after'])}")
            if _differ(c["completed_now"], c["completed_after"]):
                parts.append(f"completed {words.count(c['completed_now'])} → {words.count(c['completed_after'])}")
            what = "; ".join(parts)
        rows.append(html.Tr([html.Th(f"{c['trust_name']} ({c['trust_code']})", scope="row"), html.Td(what)]))
    return html.Div(
        className="table-wrap",
        role="region",
        tabIndex=0,
        **{"aria-label": "What changes, trust by trust"},
        children=html.Table(
            className="upload-table returns-trust-changes",
            children=[
                html.Caption("What changes, trust by trust"),
                html.Thead(html.Tr([html.Th("Trust", scope="col"), html.Th("Change", scope="col")])),
                html.Tbody(rows),
            ],
        ),
    )


def decided(db: Database, programme: Programme, event_id: str | None) -> html.Div | None:
    """Where a revision just approved or rejected stands, read from the store by its id (etl.statuses),
    so that reloading the page says where it stands, never that it has just happened."""
    if not event_id or not event_id.isdigit():
        return None
    touched = queries.revision_standing(db, programme, int(event_id))
    if not len(touched):
        return None
    said = []
    for _, r in touched.iterrows():
        status = statuses.of_row(r)
        text = f"{r['ahsn']} {r['quarter']}: {status.shown}"
        if isinstance(r["decided_by"], str):
            text += f" by {r['decided_by']}, {r['decided_at']:%d %b %Y}" + (
                f" ({r['decision_reason']})" if isinstance(r["decision_reason"], str) else ""
            )
        said.append(text)
    return html.Div(
        html.P(f"Revision {int(event_id)}: " + "; ".join(said) + "."),
        className="upload-panel upload-panel-success",
        role="status",
        id="returns-decided",
    )
