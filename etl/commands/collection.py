"""A quarter's collection on the command line: every quarter's state, signing one off, due dates,
and the revisions waiting for a decision."""

from __future__ import annotations

import datetime as dt
import sys

import pandas as pd

from etl import ahsns, collection, queries, words
from etl.commands.context import Context, progress, write_csv


def cmd_quarters(ctx: Context, args) -> int:
    ctx.store.ensure(progress=progress)
    clock = collection.clock(ctx.db, ctx.programme)
    today = clock.today
    if clock.note:
        print(clock.note, file=sys.stderr)  # the CSV on stdout stays a table
    rows = [
        [
            "quarter",
            "state",
            "due",
            "due_set_by_hand",
            "days_to_due",
            "ahsns_returned",
            "ahsns_expected",
            "trusts_returned",
            "published_at",
            "published_by",
            "revised_figures",
            "revisions_waiting",
        ]
    ]
    for s in collection.statuses(ctx.db, ctx.programme, today):
        rows.append(
            [
                s.quarter.label,
                s.state,
                s.due.isoformat(),
                "yes" if s.due_set_by_hand else "no",
                s.days_to_due(today),
                s.ahsns_returned,
                s.ahsns_expected,
                s.trusts_returned,
                s.published_at.isoformat(sep=" ", timespec="seconds") if s.published_at else "",
                s.published_by or "",
                s.revised_figures,
                s.pending_revisions,
            ]
        )
    write_csv(rows)
    return 0


def cmd_sign_off(ctx: Context, args) -> int:
    quarter = args.quarter  # read by etl/cli.py
    ctx.store.ensure(progress=progress)
    status = collection.status_of(collection.statuses(ctx.db, ctx.programme, dt.date.today()), quarter)
    if status is not None and not status.is_published and not status.is_complete and not args.incomplete:
        returned = set(queries.ahsn_rates(ctx.db, ctx.programme, [quarter.index])["ahsn"])
        missing = [a.short_name for a in ahsns.all_ahsns() if a.short_name not in returned]
        print(
            f"error: {status.coverage} for {quarter.label}; no return yet from {', '.join(missing)}. "
            "Sign it off anyway with --incomplete (their figures will be revisions when they come).",
            file=sys.stderr,
        )
        return 1
    event = ctx.store.sign_off(ctx.programme, quarter, by=args.by, note=args.note)
    coverage = f"; {status.coverage}" if status else ""
    print(
        f"{quarter.label} is published (event {event.id}){coverage}. Changes to its returns now wait "
        "for approval (`python -m etl revisions`)."
    )
    return 0


def cmd_due_date(ctx: Context, args) -> int:
    quarter, due = args.quarter, args.date  # read and checked by etl/cli.py
    ctx.store.ensure(progress=progress)
    event = ctx.store.set_due_date(ctx.programme, quarter, due, args.reason, by=args.by)
    print(f"returns for {quarter.label} are due on {due:%-d %B %Y} (event {event.id})")
    return 0


def cmd_revisions(ctx: Context, args) -> int:
    ctx.store.ensure(progress=progress)
    rows = [
        [
            "revision",
            "kind",
            "ahsn",
            "quarter",
            "by",
            "at",
            "file_name",
            "rate_now",
            "rate_after",
            "adopted_now",
            "adopted_after",
        ]
    ]
    for r in queries.pending_revisions(ctx.db, ctx.programme).to_dict("records"):
        rows.append(
            [
                r["event_id"],
                r["action"],
                r["ahsn"],
                r["quarter"],
                r["by_user"],
                r["happened_at"].isoformat(sep=" ", timespec="seconds"),
                r["file_name"],
                words.percent(r["before_rate"]),
                words.percent(r["after_rate"]),
                _of(r["before_adopted"], r["before_counted"]),
                _of(r["after_adopted"], r["after_counted"]),
            ]
        )
    write_csv(rows)
    if len(rows) == 1:
        print("no revisions are waiting", file=sys.stderr)
    return 0


def _of(adopted, counted) -> str:
    return "" if pd.isna(adopted) else f"{int(adopted)} of {int(counted)}"


def cmd_decide(ctx: Context, args) -> int:
    approve = args.command == "approve"
    ctx.store.ensure(progress=progress)
    event = ctx.store.decide_revision(args.id, approve, args.reason, by=args.by)
    if approve:
        print(f"revision {args.id} approved (event {event.id}): the published figures show it, with a revision mark")
    else:
        print(f"revision {args.id} rejected (event {event.id}): it is kept, and never counted")
    return 0
