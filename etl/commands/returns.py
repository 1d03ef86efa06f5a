"""Returns on the command line: load (or only check) files, the national table, templates, the
history of submissions, restore, quarantine and release."""

from __future__ import annotations

import sys

from etl import ahsns, queries, statuses, words
from etl.commands.context import Context, progress, warn_left_out, write_csv, write_out
from etl.problems import ReturnRejected
from etl.report import default_quarters, national_table, shown_quarters, to_csv
from etl.templates import template_csv, template_xlsx


def cmd_load(ctx: Context, args) -> int:
    files = []
    for path in args.files:
        try:
            files.append((path.name, path.read_bytes()))
        except OSError as err:
            print(f"error: {path}: cannot read the file ({err.strerror})", file=sys.stderr)
            return 1
    if args.check:
        ctx.store.ensure(progress=progress)
        results = ctx.store.check(files, ctx.programme)
        problems = [p for r in results for p in r.problems]
        for r in results:
            print_reading(r)
        for p in problems:
            print(p, file=sys.stderr)
        for r in results:
            for w in r.warnings:
                print(f"warning: {w}", file=sys.stderr)
        print(f"{len(problems)} problem(s); nothing was stored (--check)", file=sys.stderr)
        return 1 if problems else 0
    try:
        accepted = ctx.store.load(files, ctx.programme, loaded_by=args.by, progress=progress)
    except ReturnRejected as rejected:
        for p in rejected.problems:
            print(p, file=sys.stderr)
        print(
            f"{len(rejected.problems)} problem(s) found; nothing was stored. Fix them and load the file(s) again.",
            file=sys.stderr,
        )
        return 1
    for a in accepted:
        for reading in a.interpretations:
            print(f"read: {a.file_name}: {reading}", file=sys.stderr)
        for w in a.warnings:
            print(f"warning: {w}", file=sys.stderr)
    rates = queries.ahsn_rates(ctx.db, ctx.programme)
    headlines = queries.headlines(ctx.db, ctx.programme)
    pending = queries.pending_revisions(ctx.db, ctx.programme)
    for a in accepted:
        for ahsn, quarter, rows in a.returns:
            waiting = pending[
                (pending["event_id"] == a.submission_id) & (pending["ahsn"] == ahsn) & (pending["quarter"] == quarter)
            ]
            if len(waiting):
                w = waiting.iloc[0]
                print(
                    f"stored {ahsn} {quarter} as revision {a.submission_id}: {quarter} is published, so this "
                    "return waits for a national administrator's approval; the published figure "
                    f"{words.percent(w['before_rate'])} stays until then (this return: {words.percent(w['after_rate'])}, "
                    f"{words.of_counted(int(w['after_adopted']), int(w['after_counted']), ctx.programme)}), "
                    f"{len(a.warnings)} warning(s)"
                )
                continue
            if ctx.programme.headline.kind == "share":
                rate = rates[(rates["ahsn"] == ahsn) & (rates["quarter"] == quarter)].iloc[0]
                adopted = words.of_counted(int(rate["adopted_trusts"]), int(rate["counted_trusts"]), ctx.programme)
                figure = f"{adopted} adopted ({rate['rate_percent']}%)"
            else:
                h = headlines[(headlines["ahsn"] == ahsn) & (headlines["quarter"] == quarter)].iloc[0]
                figure = words.headline(ctx.programme, h["value"], h["numerator"], h["denominator"])
            print(
                f"loaded {ahsn} {quarter}: {words.plural(rows, ctx.programme.organisation, ctx.programme.organisations)}, "
                f"{figure}, submission {a.submission_id}, {len(a.warnings)} warning(s)"
            )
    return 0


def print_reading(parsed) -> None:
    """What was read from a file, for a person to compare with their spreadsheet: every
    reading other than exactly what was typed, then each trust as read."""
    print(f"{parsed.file_name}:")
    if parsed.interpretations:
        print("  read differently from how it was typed:")
        for reading in parsed.interpretations:
            print(f"    {reading}")
    else:
        print("  every value was read exactly as typed")
    if parsed.records:
        print("  what was read for each trust:")
    for r in parsed.records:
        made, completed = words.count(r.referrals_made), words.count(r.referrals_completed)
        comment = f"; comment: {r.comment}" if r.comment else ""
        print(
            f"    row {r.row}: {r.quarter.label}, {r.ahsn}, {r.trust_code} {r.trust_name}, "
            f"{words.type_words(r.trust_type)}, level {r.adoption_level}, referrals made {made}, "
            f"completed {completed}{comment}"
        )


def cmd_report(ctx: Context, args) -> int:
    ctx.store.ensure(progress=progress)
    if isinstance(args.quarters, str):  # "all" (etl/cli.py read any other as a list)
        quarters = shown_quarters(ctx.db, ctx.programme, provisional=args.provisional)
    elif args.quarters:
        quarters = args.quarters
    else:
        quarters = default_quarters(ctx.db, ctx.programme, provisional=args.provisional)
    if len(quarters) < 1:
        hint = (
            ""
            if args.provisional
            else (
                "; no quarter is published yet: add --provisional for the "
                "figures so far, or sign one off with `python -m etl sign-off`"
            )
        )
        print(f"error: no quarters to report{hint}", file=sys.stderr)
        return 1
    sys.stdout.write(to_csv(national_table(ctx.db, ctx.programme, quarters)))
    return 0


def cmd_template(ctx: Context, args) -> int:
    ahsn = ahsns.resolve(args.ahsn)
    if ahsn is None:
        print(f"error: '{args.ahsn}' is not one of the 15 AHSNs", file=sys.stderr)
        return 1
    ctx.store.ensure(progress=progress)
    quarter = args.quarter  # read by etl/cli.py
    if args.format == "xlsx":
        if not args.output:
            print("error: --format xlsx writes a workbook: give the file with --output", file=sys.stderr)
            return 1
        args.output.write_bytes(template_xlsx(ctx.db, ctx.programme, ahsn.short_name, quarter))
        print(f"wrote {args.output}", file=sys.stderr)
        return 0
    return write_out(template_csv(ctx.db, ctx.programme, ahsn.short_name, quarter), args.output)


def cmd_history(ctx: Context, args) -> int:
    ctx.store.ensure(progress=progress)
    history = queries.submissions(ctx.db, ctx.programme)
    rows = [
        ["submission", "ahsn", "quarter", "status", "loaded_by", "loaded_at", "file_name", "trust_rows", "warnings"]
    ]
    for _, r in history.iterrows():
        status = statuses.of_row(r).words
        rows.append(
            [
                r["submission_id"],
                r["ahsn"],
                r["quarter"],
                status,
                r["loaded_by"],
                r["loaded_at"].isoformat(sep=" ", timespec="seconds"),
                r["file_name"],
                r["trust_rows"],
                r["warning_count"],
            ]
        )
    write_csv(rows)
    warn_left_out(ctx)
    return 0


def cmd_restore(ctx: Context, args) -> int:
    ctx.store.ensure(progress=progress)
    event = ctx.store.restore(args.id, by=args.by)
    returns = ", ".join(f"{r.ahsn} {r.quarter}" for r in event.returns)
    print(f"submission {args.id} is current again for {returns} (event {event.id})")
    return 0


def cmd_quarantine(ctx: Context, args) -> int:
    ctx.store.ensure(progress=progress)
    event = ctx.store.quarantine(args.id, args.reason, by=args.by)
    returns = ", ".join(f"{r.ahsn} {r.quarter}" for r in event.returns)
    print(
        f"submission {args.id} is quarantined: left out of {returns} (event {event.id}); "
        f"`python -m etl release {args.id} --reason ...` takes it back"
    )
    return 0


def cmd_release(ctx: Context, args) -> int:
    ctx.store.ensure(progress=progress)
    event = ctx.store.release(args.id, args.reason, by=args.by)
    print(f"submission {args.id} is released: back in the figures (event {event.id})")
    return 0
