"""Trajectories on the command line: load a file (or only check it), every version, and the file to
edit."""

from __future__ import annotations

import datetime as dt
import sys

from etl import ahsns, queries
from etl.commands.context import Context, progress, write_csv, write_out
from etl.errors import NotFound
from etl.events import SetTrajectory
from etl.problems import ReturnRejected
from etl.quarters import Quarter
from etl.templates import trajectory_csv
from etl.trajectories import steps_words


def cmd_trajectory(ctx: Context, args) -> int:
    if args.trajectory_command == "history":
        return _trajectory_history(ctx, args)
    if args.trajectory_command == "template":
        ctx.store.ensure(progress=progress)
        order = [a.short_name for a in ahsns.all_ahsns()]
        latest = queries.store_status(ctx.db, ctx.programme).latest_quarter_index
        text = trajectory_csv(
            ctx.store.trajectory_versions(ctx.programme),
            order,
            Quarter.from_index(latest) if latest is not None else Quarter.containing(dt.date.today()),
        )
        return write_out(text, args.output)
    try:
        content = args.file.read_bytes()
    except OSError as err:
        print(f"error: {args.file}: cannot read the file ({err.strerror})", file=sys.stderr)
        return 1
    ctx.store.ensure(progress=progress)
    parsed, found = ctx.store.check_trajectory(args.file.name, content, ctx.programme)
    for reading in parsed.interpretations:
        print(f"read: {parsed.file_name}: {reading}", file=sys.stderr)
    if parsed.problems:
        for p in parsed.problems:
            print(p, file=sys.stderr)
        print(
            f"{len(parsed.problems)} problem(s) found; nothing was stored. Fix them and load the file again.",
            file=sys.stderr,
        )
        return 1
    if args.check:
        for c in found:
            now = "unchanged" if c.unchanged else f"would be version {c.version}"
            before = f" (now: {steps_words(c.before.steps)})" if c.before is not None and not c.unchanged else ""
            print(f"{c.ahsn}: {steps_words(c.steps)}; {now}{before}")
        print("nothing was stored (--check)", file=sys.stderr)
        return 0
    try:
        events = ctx.store.set_trajectory(
            args.file.name, content, ctx.programme, args.reason or "", by=args.by, parsed=parsed
        )
    except ReturnRejected as rejected:
        for p in rejected.problems:
            print(p, file=sys.stderr)
        return 1
    for e in events:
        print(f"{e.ahsn}: trajectory version {_version_of(ctx, e)} set: {steps_words(e.steps)} (event {e.id})")
    unchanged = sorted({c.ahsn for c in found} - {e.ahsn for e in events})
    if unchanged:
        print(f"unchanged, so no new version: {', '.join(unchanged)}", file=sys.stderr)
    return 0


def _version_of(ctx: Context, event: SetTrajectory) -> int:
    versions = ctx.store.trajectory_versions(ctx.programme).get(event.ahsn, [])
    return next(i for i, v in enumerate(versions, start=1) if v.id == event.id)


def _trajectory_history(ctx: Context, args) -> int:
    ctx.store.ensure(progress=progress)
    wanted = None
    if args.ahsn:
        found = ahsns.resolve(args.ahsn)
        if found is None:
            raise NotFound(f"'{args.ahsn}' is not one of the 15 AHSNs")
        wanted = found.short_name
    rows = [["ahsn", "version", "current", "event", "set_by", "set_at", "reason", "file_name", "steps"]]
    versions = ctx.store.trajectory_versions(ctx.programme)
    for ahsn in (a.short_name for a in ahsns.all_ahsns()):
        if wanted is not None and ahsn != wanted:
            continue
        mine = versions.get(ahsn, [])
        for number, e in reversed(list(enumerate(mine, start=1))):
            rows.append(
                [
                    ahsn,
                    number,
                    "yes" if number == len(mine) else "no",
                    e.id,
                    e.loaded_by,
                    e.loaded_at.replace("T", " ").replace("+00:00", ""),
                    e.reason,
                    e.file_name,
                    steps_words(e.steps),
                ]
            )
    write_csv(rows)
    if len(rows) == 1:
        print("no trajectory has been set" + (f" for {wanted}" if wanted else ""), file=sys.stderr)
    return 0
