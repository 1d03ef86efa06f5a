"""python -m etl: load, report, template, history, restore, rebuild.

Each command works on a fresh checkout: the first one that needs the store builds the
embedded demo data into it.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from etl import ahsns, programmes, queries, settings
from etl.problems import ReturnRejected
from etl.quarters import Quarter, QuarterError, parse_list
from etl.report import default_quarters, national_table, to_csv
from etl.store import Store, StoreBusy
from etl.templates import template_csv, template_xlsx


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    load = commands.add_parser("load", help="validate quarterly return files and load them")
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument("--check", action="store_true", help="validate only; store nothing")
    load.add_argument("--by", help="who is loading (default: your user name)")

    report = commands.add_parser("report", help="print the national table as CSV")
    report.add_argument("--quarters", help='e.g. "Q3 2018/19,Q3 2019/20,Q2 2020/21" (default: the '
                                           "programme's checkpoint quarters and the latest)")

    template = commands.add_parser("template", help="write a ready-to-fill return for an AHSN")
    template.add_argument("--ahsn", required=True)
    template.add_argument("--quarter", required=True)
    template.add_argument("--output", type=Path, help="file to write (default: standard output)")
    template.add_argument("--format", choices=("csv", "xlsx"), default="csv",
                          help="csv (default) or xlsx: an Excel workbook with drop-down lists and the "
                               "columns explained (needs --output)")

    commands.add_parser("history", help="list every submission")
    restore = commands.add_parser("restore", help="make an earlier submission current again")
    restore.add_argument("id", type=int)
    restore.add_argument("--by", help="who is restoring (default: your user name)")
    commands.add_parser("rebuild", help="rebuild the database from the kept originals")
    commands.add_parser("settings", help="list the settings and their current values")
    commands.add_parser("init", help="build the store from the embedded demo data if it is empty, "
                                     "and repair it after a crashed write")

    _add_user_commands(commands)

    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (QuarterError, LookupError, StoreBusy) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


def _add_user_commands(commands) -> None:
    """Hook for the user-management commands (etl/users.py), when present."""
    try:
        from etl import users
    except ImportError:
        return
    users.add_commands(commands, COMMANDS)


def _progress(done: int, total: int, label: str) -> None:
    if total < 20 or not sys.stderr.isatty() and done != total:
        return
    print(f"\rreading kept files: {done}/{total}", end="\n" if done == total else "", file=sys.stderr)


def cmd_load(args) -> int:
    programme = programmes.current()
    files = []
    for path in args.files:
        try:
            files.append((path.name, path.read_bytes()))
        except OSError as err:
            print(f"error: {path}: cannot read the file ({err.strerror})", file=sys.stderr)
            return 1
    store = Store()
    if args.check:
        results = store.check(files, programme)
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
        accepted = store.load(files, programme, loaded_by=args.by, progress=_progress)
    except ReturnRejected as rejected:
        for p in rejected.problems:
            print(p, file=sys.stderr)
        print(f"{len(rejected.problems)} problem(s) found; nothing was stored. "
              "Fix them and load the file(s) again.", file=sys.stderr)
        return 1
    for a in accepted:
        for reading in a.interpretations:
            print(f"read: {a.file_name}: {reading}", file=sys.stderr)
        for w in a.warnings:
            print(f"warning: {w}", file=sys.stderr)
    rates = queries.ahsn_rates(programme)
    for a in accepted:
        for ahsn, quarter, rows in a.returns:
            rate = rates[(rates["ahsn"] == ahsn) & (rates["quarter"] == quarter)].iloc[0]
            print(f"loaded {ahsn} {quarter}: {rows} trusts, {rate['adopted_trusts']} of "
                  f"{rate['counted_trusts']} acute trusts adopted ({rate['rate_percent']}%), "
                  f"submission {a.submission_id}, {len(a.warnings)} warning(s)")
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
        made = "not reported" if r["referrals_made"] is None else f"{r['referrals_made']:,}"
        completed = "not reported" if r["referrals_completed"] is None else f"{r['referrals_completed']:,}"
        comment = f"; comment: {r['comment']}" if r.get("comment") else ""
        print(f"    row {r['row']}: {r['quarter'].label}, {r['ahsn']}, {r['trust_code']} {r['trust_name']}, "
              f"{r['trust_type'].replace('_', ' ')}, level {r['adoption_level']}, referrals made {made}, "
              f"completed {completed}{comment}")


def cmd_report(args) -> int:
    programme = programmes.current()
    Store().ensure(progress=_progress)
    quarters = parse_list(args.quarters) if args.quarters else default_quarters(programme)
    if len(quarters) < 1:
        print("error: no quarters to report", file=sys.stderr)
        return 1
    sys.stdout.write(to_csv(national_table(programme, quarters)))
    return 0


def cmd_template(args) -> int:
    programme = programmes.current()
    ahsn = ahsns.resolve(args.ahsn)
    if ahsn is None:
        print(f"error: '{args.ahsn}' is not one of the 15 AHSNs", file=sys.stderr)
        return 1
    quarter = Quarter.parse(args.quarter)
    if args.format == "xlsx":
        if not args.output:
            print("error: --format xlsx writes a workbook: give the file with --output", file=sys.stderr)
            return 1
        args.output.write_bytes(template_xlsx(programme, ahsn.short_name, quarter))
        print(f"wrote {args.output}", file=sys.stderr)
        return 0
    text = template_csv(programme, ahsn.short_name, quarter)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_history(args) -> int:
    programme = programmes.current()
    Store().ensure(progress=_progress)
    history = queries.submissions(programme)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["submission", "ahsn", "quarter", "status", "loaded_by", "loaded_at", "file_name",
                     "trust_rows", "warnings"])
    for _, r in history.iterrows():
        writer.writerow([r["submission_id"], r["ahsn"], r["quarter"],
                         "current" if r["is_current"] else "superseded", r["loaded_by"],
                         r["loaded_at"].isoformat(sep=" ", timespec="seconds"), r["file_name"],
                         r["trust_rows"], r["warning_count"]])
    return 0


def cmd_restore(args) -> int:
    event = Store().restore(args.id, restored_by=args.by)
    returns = ", ".join(f"{a} {q}" for a, q, _ in event["returns"])
    print(f"submission {args.id} is current again for {returns} (event {event['id']})")
    return 0


def cmd_rebuild(args) -> int:
    path = Store().rebuild(progress=_progress)
    print(f"rebuilt {path.name} from the kept originals")
    return 0


def cmd_init(args) -> int:
    path = Store().ensure(progress=_progress)
    print(f"store ready: {path}")
    return 0


def cmd_settings(args) -> int:
    for s in settings.SETTINGS:
        print(f"{s.name}={settings.get(s.name)}\n    {s.help}")
    return 0


COMMANDS = {
    "load": cmd_load, "report": cmd_report, "template": cmd_template, "history": cmd_history,
    "restore": cmd_restore, "rebuild": cmd_rebuild, "settings": cmd_settings,
    "init": cmd_init,
}
