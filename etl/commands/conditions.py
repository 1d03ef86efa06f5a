"""Spread conditions on the command line: load a file (or only check it), every version, the file to
fill in, and an earlier version restored. Only the national team records conditions: the command
line is the server operator's."""

from __future__ import annotations

import csv
import io
import sys

from etl import ahsns
from etl.commands.context import Context, progress, write_csv, write_out
from etl.errors import NotFound
from etl.pathways.conditions_file import template_rows, values_words
from etl.problems import ReturnRejected
from etl.templates import neutralise


def cmd_conditions(ctx: Context, args) -> int:
    programme = ctx.programme
    ctx.store.ensure(progress=progress)
    if args.conditions_command == "history":
        return _history(ctx, programme, args)
    if args.conditions_command == "template":
        rows = template_rows(programme, ctx.store.condition_versions(programme), _order())
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([[neutralise(v) for v in row] for row in rows])
        return write_out(out.getvalue(), args.output)
    if args.conditions_command == "restore":
        event = ctx.store.restore_conditions(programme, args.ahsn, args.version, args.reason or "", by=args.by)
        print(
            f"{event.ahsn}: version {args.version} of its conditions made current again (event {event.id}): "
            f"{values_words(event.values)}"
        )
        return 0
    try:
        content = args.file.read_bytes()
    except OSError as err:
        print(f"error: {args.file}: cannot read the file ({err.strerror})", file=sys.stderr)
        return 1
    parsed, found = ctx.store.check_conditions(args.file.name, content, programme)
    for reading in parsed.readings:
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
            said = "; ".join(c.differences()) if c.before is not None and not c.unchanged else values_words(c.values)
            print(f"{c.ahsn}: {now}: {said}")
        print("nothing was stored (--check)", file=sys.stderr)
        return 0
    try:
        events = ctx.store.set_conditions(
            args.file.name, content, programme, args.reason or "", by=args.by, parsed=parsed
        )
    except ReturnRejected as rejected:
        for p in rejected.problems:
            print(p, file=sys.stderr)
        return 1
    versions = ctx.store.condition_versions(programme)
    for e in events:
        number = next(i for i, v in enumerate(versions[e.ahsn], start=1) if v.id == e.id)
        print(f"{e.ahsn}: conditions version {number} recorded: {values_words(e.values)} (event {e.id})")
    unchanged = sorted({c.ahsn for c in found} - {e.ahsn for e in events})
    if unchanged:
        print(f"unchanged, so no new version: {', '.join(unchanged)}", file=sys.stderr)
    return 0


def _order() -> list[str]:
    return [a.short_name for a in ahsns.all_ahsns()]


def _history(ctx: Context, programme, args) -> int:
    wanted = None
    if args.ahsn:
        found = ahsns.resolve(args.ahsn)
        if found is None:
            raise NotFound(f"'{args.ahsn}' is not one of the 15 AHSNs")
        wanted = found.short_name
    rows = [
        ["ahsn", "version", "current", "event", "set_by", "set_at", "reason", "file_name", "restores", "conditions"]
    ]
    versions = ctx.store.condition_versions(programme)
    for ahsn in _order():
        if wanted is not None and ahsn != wanted:
            continue
        mine = versions.get(ahsn, [])
        numbers = {e.id: i for i, e in enumerate(mine, start=1)}
        for number, e in reversed(list(enumerate(mine, start=1))):
            rows.append(
                [
                    ahsn,
                    number,
                    "yes" if number == len(mine) else "no",
                    e.id,
                    e.loaded_by,
                    e.loaded_at.replace("T", " ").replace("+00:00", ""),
                    e.reason + (" (illustrative demo data)" if e.is_demo else ""),
                    e.file_name,
                    f"version {numbers[e.restored_from]}" if e.restored_from in numbers else "",
                    values_words(e.values),
                ]
            )
    write_csv(rows)
    if len(rows) == 1:
        print("no conditions have been recorded" + (f" for {wanted}" if wanted else ""), file=sys.stderr)
    return 0
