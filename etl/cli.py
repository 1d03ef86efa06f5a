"""python -m etl: load, report, template, history, restore, quarters, publish, revisions, trajectory, pathways, users, ...

The command line is a composition root of its own: `main` reads the settings once, makes
the store, its database reader and the accounts, and hands them to the command. Commands
that read data need a built store: `init` (run by `make run`) builds the embedded demo data
into an empty one; `load`, `restore` and `rebuild` build it too, as writers.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import getpass
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl import ahsns, collection, queries
from etl.events import SetTrajectory
from etl.pathways.cases import read_case_table
from etl.pathways.conditions import programme_conditions, wordings_for
from etl.pathways.output import as_json as pathways_json
from etl.pathways.output import as_text as pathways_text
from etl.pathways.qca import MAX_CONDITIONS, SOLUTION_KINDS, AnalysisError, analyse
from etl.problems import ReturnRejected
from etl.quarters import FIRST_YEAR, LAST_YEAR, Quarter, QuarterError, parse_list, shortened
from etl.queries import Database
from etl.reading.kinds import clean_file_name
from etl.report import default_quarters, national_table, shown_quarters, to_csv
from etl.settings import Settings, SettingsError, as_markdown
from etl.store import Store, StoreBusy, StoreNotReady
from etl.templates import neutralise, template_csv, template_xlsx, trajectory_csv
from etl.trajectories import steps_words
from etl.users import UserError, Users


@dataclass(frozen=True)
class Context:
    """What a command works with, made once from the settings."""

    settings: Settings
    store: Store
    db: Database
    users: Users

    @property
    def programme(self):
        return self.settings.programme

    @classmethod
    def from_settings(cls, settings: Settings) -> Context:
        store = Store.from_settings(settings)
        return cls(settings, store, Database(store), Users(settings.data_dir))


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m etl", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    load = commands.add_parser("load", help="validate quarterly return files and load them")
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument("--check", action="store_true", help="validate only; store nothing")
    load.add_argument("--by", help="who is loading (default: your user name)")

    report = commands.add_parser("report", help="print the national table as CSV")
    report.add_argument("--quarters", help='e.g. "Q3 2018/19,Q3 2019/20,Q2 2020/21", or "all" (default: the '
                                           "programme's checkpoint quarters and the latest published)")
    report.add_argument("--provisional", action="store_true",
                        help="include quarters not yet published (marked provisional, with their coverage)")

    commands.add_parser("quarters", help="every quarter: open or published, due date, coverage")
    publish = commands.add_parser("publish", help="sign a quarter off: its figures become the published ones")
    publish.add_argument("quarter", help='e.g. "Q3 2020/21"')
    publish.add_argument("--note", default="", help="a note kept with the sign-off")
    publish.add_argument("--incomplete", action="store_true",
                         help="publish although not every AHSN has returned")
    publish.add_argument("--by", help="who is signing off (default: your user name)")
    due = commands.add_parser("due-date", help="set another due date for one quarter's returns")
    due.add_argument("quarter")
    due.add_argument("date", help="YYYY-MM-DD")
    due.add_argument("--reason", required=True)
    due.add_argument("--by")
    commands.add_parser("revisions", help="changes to published quarters waiting for approval")
    for name, what in (("approve", "let a change to a published quarter take effect"),
                       ("reject", "turn down a change to a published quarter (it is kept, never counted)")):
        decide = commands.add_parser(name, help=what)
        decide.add_argument("id", type=int, help="the revision's number, as `revisions` lists it")
        decide.add_argument("--reason", required=True, help="why, in a few words (shown with the revision)")
        decide.add_argument("--by")

    template = commands.add_parser("template", help="write a ready-to-fill return for an AHSN")
    template.add_argument("--ahsn", required=True)
    template.add_argument("--quarter", required=True)
    template.add_argument("--output", type=Path, help="file to write (default: standard output)")
    template.add_argument("--format", choices=("csv", "xlsx"), default="csv",
                          help="csv (default) or xlsx: an Excel workbook with drop-down lists and the "
                               "columns explained (needs --output)")

    trajectory = commands.add_parser("trajectory", help="each AHSN's stepped local targets: load, history, template")
    what = trajectory.add_subparsers(dest="trajectory_command", required=True, metavar="ACTION")
    set_t = what.add_parser("load", help="set the trajectories a file holds (a new version for each AHSN in it)")
    set_t.add_argument("file", type=Path, metavar="FILE")
    set_t.add_argument("--reason", help="why, in a few words (kept with each version; not needed with --check)")
    set_t.add_argument("--check", action="store_true", help="read and check only; print what it would change")
    set_t.add_argument("--by", help="who is setting it (default: your user name)")
    shown = what.add_parser("history", help="every version of every AHSN's trajectory: who, when, why, the steps")
    shown.add_argument("--ahsn", help="one AHSN only")
    blank = what.add_parser("template", help="every AHSN's trajectory now, as a file to edit and load again")
    blank.add_argument("--output", type=Path, help="file to write (default: standard output)")

    commands.add_parser("history", help="list every submission")
    restore = commands.add_parser("restore", help="make an earlier submission current again")
    restore.add_argument("id", type=int)
    restore.add_argument("--by", help="who is restoring (default: your user name)")
    for name, what in (("quarantine", "leave a stored submission out of every figure (it is kept)"),
                       ("release", "take a quarantined submission back into the figures")):
        marked = commands.add_parser(name, help=what)
        marked.add_argument("id", type=int)
        marked.add_argument("--reason", required=True, help="why, in a few words (kept with the event)")
        marked.add_argument("--by", help="who is doing it (default: your user name)")
    rebuild = commands.add_parser("rebuild", help="rebuild the database from the events and kept rows")
    rebuild.add_argument("--reparse", action="store_true",
                         help="read every kept original again (not quarantined ones) with today's reader")
    settings_p = commands.add_parser("settings", help="list the settings and their current values")
    settings_p.add_argument("--markdown", action="store_true",
                            help="print the settings table for the README instead (defaults, not values)")
    commands.add_parser("init", help="build the store from the embedded demo data if it is empty, "
                                     "and repair it after a crashed write")

    users = commands.add_parser("users", help="manage who may upload returns")
    sub = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = sub.add_parser("add", help="add a user (asks for the password)")
    add.add_argument("name")
    who = add.add_mutually_exclusive_group(required=True)
    who.add_argument("--ahsn", help="the AHSN this user submits for, e.g. Wessex")
    who.add_argument("--national", action="store_true",
                     help="a national administrator, who may submit for every AHSN")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input (for scripts)")
    add.add_argument("--email", help="where reminders and receipts go (if e-mail is set up)")
    email = sub.add_parser("email", help="set a user's e-mail address (empty to remove it)")
    email.add_argument("name")
    email.add_argument("address")
    remove = sub.add_parser("remove", help="remove a user (their sessions end at once)")
    remove.add_argument("name")
    sub.add_parser("list", help="list the users and what each may do")
    passwd = sub.add_parser("passwd", help="set a user's password (their sessions end)")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true",
                        help="read the password from standard input (for scripts)")

    pathways = commands.add_parser("pathways", help="which combinations of conditions went with an outcome "
                                                    "(crisp-set QCA, as the national review did)")
    pathways.add_argument("--cases", type=Path, required=True, metavar="FILE",
                          help="a case table (CSV, .xlsx, .xls or .ods): a case column, one 0/1 column per "
                               "condition and a 0/1 outcome column, as the review's Table 8.3")
    pathways.add_argument("--conditions", required=True, metavar="A,B,C",
                          help=f"the conditions to analyse, in order (at most {MAX_CONDITIONS})")
    pathways.add_argument("--outcome", required=True, metavar="NAME", help="the outcome column")
    pathways.add_argument("--solution", choices=SOLUTION_KINDS, default=SOLUTION_KINDS[0],
                          help="parsimonious (default: configurations observed in no case may be assumed "
                               "either way) or conservative (only those observed)")
    pathways.add_argument("--json", action="store_true", help="print the analysis as one JSON object")
    return parser


class ArgumentProblem(ValueError):
    """A quarter or date on the command line that cannot be one: exit 2, as argparse's own."""


def read_arguments(args: argparse.Namespace, today: dt.date) -> None:
    """The quarters and dates given on the command line, read in place before any command
    runs: each a quarter in the years one can be in (Quarter.given), each date a real day in
    them, so no command meets a quarter it cannot work with (Q4 9999/00 has no end date)."""
    try:
        if getattr(args, "quarter", None) is not None:
            args.quarter = Quarter.given(args.quarter)
        quarters = getattr(args, "quarters", None)
        if quarters is not None and quarters.strip().lower() != "all":
            args.quarters = parse_list(quarters)
    except QuarterError as err:
        raise ArgumentProblem(str(err)) from None
    if args.command == "due-date":
        if args.quarter.start > today:
            raise ArgumentProblem(f"{args.quarter.label} has not begun: a due date can be set for a quarter "
                                  f"that has begun (the latest is {Quarter.containing(today).label})")
        try:
            args.date = dt.date.fromisoformat(args.date)
        except ValueError:
            raise ArgumentProblem(f"'{shortened(args.date)}' is not a date: write it like 2021-02-15") from None
        if not FIRST_YEAR <= args.date.year <= LAST_YEAR + 1:
            raise ArgumentProblem(f"{args.date:%-d %B %Y} is not a due date a return can have: write a date "
                                  f"from {FIRST_YEAR} to {LAST_YEAR + 1}, after the quarter")


def main(argv: list[str] | None = None, settings: Settings | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        read_arguments(args, dt.date.today())
    except ArgumentProblem as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    try:
        context = Context.from_settings(settings or Settings.from_env())
    except SettingsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    try:
        return COMMANDS[args.command](context, args)
    except (QuarterError, LookupError, StoreBusy, StoreNotReady, UserError, PermissionError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


def _progress(done: int, total: int, label: str) -> None:
    if total < 20 or not sys.stderr.isatty() and done != total:
        return
    print(f"\rreading kept files: {done}/{total}", end="\n" if done == total else "", file=sys.stderr)


def _write_csv(rows: list[list]) -> None:
    """CSV on standard output, every cell neutralised: it will be opened in a spreadsheet."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    for row in rows:
        writer.writerow([neutralise(v) for v in row])


def cmd_load(ctx: Context, args) -> int:
    files = []
    for path in args.files:
        try:
            files.append((path.name, path.read_bytes()))
        except OSError as err:
            print(f"error: {path}: cannot read the file ({err.strerror})", file=sys.stderr)
            return 1
    if args.check:
        ctx.store.ensure(progress=_progress)
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
        accepted = ctx.store.load(files, ctx.programme, loaded_by=args.by, progress=_progress)
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
    rates = queries.ahsn_rates(ctx.db, ctx.programme)
    pending = queries.pending_revisions(ctx.db, ctx.programme)
    for a in accepted:
        for ahsn, quarter, rows in a.returns:
            waiting = pending[(pending["event_id"] == a.submission_id) & (pending["ahsn"] == ahsn)
                              & (pending["quarter"] == quarter)]
            if len(waiting):
                w = waiting.iloc[0]
                print(f"stored {ahsn} {quarter} as revision {a.submission_id}: {quarter} is published, so this "
                      "return waits for a national administrator's approval; the published figure "
                      f"{_percent(w['before_rate'])} stays until then (this return: {_percent(w['after_rate'])}, "
                      f"{_of(w['after_adopted'], w['after_counted'])} acute trusts), {len(a.warnings)} warning(s)")
                continue
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


def cmd_report(ctx: Context, args) -> int:
    ctx.store.ensure(progress=_progress)
    if isinstance(args.quarters, str):  # "all" (read_arguments made any other a list)
        quarters = shown_quarters(ctx.db, ctx.programme, provisional=args.provisional)
    elif args.quarters:
        quarters = args.quarters
    else:
        quarters = default_quarters(ctx.db, ctx.programme, provisional=args.provisional)
    if len(quarters) < 1:
        hint = "" if args.provisional else ("; no quarter is published yet: add --provisional for the "
                                            "figures so far, or sign one off with `python -m etl publish`")
        print(f"error: no quarters to report{hint}", file=sys.stderr)
        return 1
    sys.stdout.write(to_csv(national_table(ctx.db, ctx.programme, quarters)))
    return 0


def cmd_template(ctx: Context, args) -> int:
    ahsn = ahsns.resolve(args.ahsn)
    if ahsn is None:
        print(f"error: '{args.ahsn}' is not one of the 15 AHSNs", file=sys.stderr)
        return 1
    ctx.store.ensure(progress=_progress)
    quarter = args.quarter
    if args.format == "xlsx":
        if not args.output:
            print("error: --format xlsx writes a workbook: give the file with --output", file=sys.stderr)
            return 1
        args.output.write_bytes(template_xlsx(ctx.db, ctx.programme, ahsn.short_name, quarter))
        print(f"wrote {args.output}", file=sys.stderr)
        return 0
    return _write_out(template_csv(ctx.db, ctx.programme, ahsn.short_name, quarter), args.output)


def _write_out(text: str, output: Path | None) -> int:
    """Write a CSV to the --output file (saying so on stderr), or else to stdout."""
    if output:
        output.write_text(text, encoding="utf-8")
        print(f"wrote {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_trajectory(ctx: Context, args) -> int:
    if args.trajectory_command == "history":
        return _trajectory_history(ctx, args)
    if args.trajectory_command == "template":
        ctx.store.ensure(progress=_progress)
        order = [a.short_name for a in ahsns.all_ahsns()]
        latest = queries.store_status(ctx.db, ctx.programme).latest_quarter_index
        text = trajectory_csv(ctx.store.trajectory_versions(ctx.programme), order,
                              Quarter.from_index(latest) if latest is not None else Quarter.containing(dt.date.today()))
        return _write_out(text, args.output)
    try:
        content = args.file.read_bytes()
    except OSError as err:
        print(f"error: {args.file}: cannot read the file ({err.strerror})", file=sys.stderr)
        return 1
    ctx.store.ensure(progress=_progress)
    parsed, found = ctx.store.check_trajectory(args.file.name, content, ctx.programme)
    for reading in parsed.interpretations:
        print(f"read: {parsed.file_name}: {reading}", file=sys.stderr)
    if parsed.problems:
        for p in parsed.problems:
            print(p, file=sys.stderr)
        print(f"{len(parsed.problems)} problem(s) found; nothing was stored. Fix them and load the file again.",
              file=sys.stderr)
        return 1
    if args.check:
        for c in found:
            now = "unchanged" if c.unchanged else f"would be version {c.version}"
            before = f" (now: {steps_words(c.before.steps)})" if c.before is not None and not c.unchanged else ""
            print(f"{c.ahsn}: {steps_words(c.steps)}; {now}{before}")
        print("nothing was stored (--check)", file=sys.stderr)
        return 0
    try:
        events = ctx.store.set_trajectory(args.file.name, content, ctx.programme, args.reason or "", by=args.by)
    except ReturnRejected as rejected:  # read again under the write lock: the same file, the same answer
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
    ctx.store.ensure(progress=_progress)
    wanted = None
    if args.ahsn:
        found = ahsns.resolve(args.ahsn)
        if found is None:
            raise LookupError(f"'{args.ahsn}' is not one of the 15 AHSNs")
        wanted = found.short_name
    rows = [["ahsn", "version", "current", "event", "set_by", "set_at", "reason", "file_name", "steps"]]
    versions = ctx.store.trajectory_versions(ctx.programme)
    for ahsn in (a.short_name for a in ahsns.all_ahsns()):
        if wanted is not None and ahsn != wanted:
            continue
        mine = versions.get(ahsn, [])
        for number, e in reversed(list(enumerate(mine, start=1))):
            rows.append([ahsn, number, "yes" if number == len(mine) else "no", e.id, e.loaded_by,
                         e.loaded_at.replace("T", " ").replace("+00:00", ""), e.reason, e.file_name,
                         steps_words(e.steps)])
    _write_csv(rows)
    if len(rows) == 1:
        print("no trajectory has been set" + (f" for {wanted}" if wanted else ""), file=sys.stderr)
    return 0


def cmd_history(ctx: Context, args) -> int:
    ctx.store.ensure(progress=_progress)
    history = queries.submissions(ctx.db, ctx.programme)
    rows = [["submission", "ahsn", "quarter", "status", "loaded_by", "loaded_at", "file_name",
             "trust_rows", "warnings"]]
    for _, r in history.iterrows():
        status = "quarantined" if r["is_quarantined"] else "current" if r["is_current"] else "superseded"
        rows.append([r["submission_id"], r["ahsn"], r["quarter"], status, r["loaded_by"],
                     r["loaded_at"].isoformat(sep=" ", timespec="seconds"), r["file_name"],
                     r["trust_rows"], r["warning_count"]])
    _write_csv(rows)
    return 0


def cmd_restore(ctx: Context, args) -> int:
    event = ctx.store.restore(args.id, restored_by=args.by)
    returns = ", ".join(f"{r.ahsn} {r.quarter}" for r in event.returns)
    print(f"submission {args.id} is current again for {returns} (event {event.id})")
    return 0


def cmd_quarters(ctx: Context, args) -> int:
    ctx.store.ensure(progress=_progress)
    today = dt.date.today()
    rows = [["quarter", "state", "due", "due_set_by_hand", "days_to_due", "ahsns_returned", "ahsns_expected",
             "trusts_returned", "published_at", "published_by", "revised_figures", "revisions_waiting"]]
    for s in collection.statuses(ctx.db, ctx.programme, today):
        rows.append([s.quarter.label, s.state, s.due.isoformat(), "yes" if s.due_set_by_hand else "no",
                     s.days_to_due(today), s.ahsns_returned, s.ahsns_expected, s.trusts_returned,
                     s.published_at.isoformat(sep=" ", timespec="seconds") if s.published_at else "",
                     s.published_by or "", s.revised_figures, s.pending_revisions])
    _write_csv(rows)
    return 0


def cmd_publish(ctx: Context, args) -> int:
    quarter = args.quarter
    ctx.store.ensure(progress=_progress)
    status = collection.status_of(collection.statuses(ctx.db, ctx.programme, dt.date.today()), quarter)
    if status is not None and not status.is_published and not status.is_complete and not args.incomplete:
        returned = set(queries.ahsn_rates(ctx.db, ctx.programme, [quarter.index])["ahsn"])
        missing = [a.short_name for a in ahsns.all_ahsns() if a.short_name not in returned]
        print(f"error: {status.coverage} for {quarter.label}; no return yet from {', '.join(missing)}. "
              "Publish anyway with --incomplete (their figures will be revisions when they come).",
              file=sys.stderr)
        return 1
    event = ctx.store.publish_quarter(ctx.programme, quarter, by=args.by, note=args.note)
    coverage = f"; {status.coverage}" if status else ""
    print(f"{quarter.label} is published (event {event.id}){coverage}. Changes to its returns now wait "
          "for approval (`python -m etl revisions`).")
    return 0


def cmd_due_date(ctx: Context, args) -> int:
    quarter, due = args.quarter, args.date
    event = ctx.store.set_due_date(ctx.programme, quarter, due, args.reason, by=args.by)
    print(f"returns for {quarter.label} are due on {due:%-d %B %Y} (event {event.id})")
    return 0


def cmd_revisions(ctx: Context, args) -> int:
    ctx.store.ensure(progress=_progress)
    rows = [["revision", "kind", "ahsn", "quarter", "by", "at", "file_name", "rate_now", "rate_after",
             "adopted_now", "adopted_after"]]
    for r in queries.pending_revisions(ctx.db, ctx.programme).to_dict("records"):
        rows.append([r["event_id"], r["action"], r["ahsn"], r["quarter"], r["by_user"],
                     r["happened_at"].isoformat(sep=" ", timespec="seconds"), r["file_name"],
                     _percent(r["before_rate"]), _percent(r["after_rate"]),
                     _of(r["before_adopted"], r["before_counted"]), _of(r["after_adopted"], r["after_counted"])])
    _write_csv(rows)
    if len(rows) == 1:
        print("no revisions are waiting", file=sys.stderr)
    return 0


def _percent(value) -> str:
    return "no return" if pd.isna(value) else f"{int(value)}%"


def _of(adopted, counted) -> str:
    return "" if pd.isna(adopted) else f"{int(adopted)} of {int(counted)}"


def cmd_decide(ctx: Context, args) -> int:
    approve = args.command == "approve"
    event = ctx.store.decide_revision(args.id, approve, args.reason, by=args.by)
    if approve:
        print(f"revision {args.id} approved (event {event.id}): the published figures show it, with "
              "a revision mark")
    else:
        print(f"revision {args.id} rejected (event {event.id}): it is kept, and never counted")
    return 0


def cmd_rebuild(ctx: Context, args) -> int:
    path = ctx.store.rebuild(progress=_progress, reparse=args.reparse)
    source = "the kept originals, read again" if args.reparse else "the events and their kept rows"
    print(f"rebuilt {path.name} from {source}")
    return 0


def cmd_quarantine(ctx: Context, args) -> int:
    event = ctx.store.quarantine(args.id, args.reason, by=args.by)
    returns = ", ".join(f"{r.ahsn} {r.quarter}" for r in event.returns)
    print(f"submission {args.id} is quarantined: left out of {returns} (event {event.id}); "
          f"`python -m etl release {args.id} --reason ...` takes it back")
    return 0


def cmd_release(ctx: Context, args) -> int:
    event = ctx.store.release(args.id, args.reason, by=args.by)
    print(f"submission {args.id} is released: back in the figures (event {event.id})")
    return 0


def cmd_init(ctx: Context, args) -> int:
    path = ctx.store.ensure(progress=_progress)
    print(f"store ready: {path}")
    return 0


def cmd_settings(ctx: Context, args) -> int:
    if args.markdown:
        print(as_markdown())
        return 0
    for setting, value in ctx.settings.shown():
        print(f"{setting.name}={value}\n    {setting.help}")
    return 0


def _ask_password(args) -> str:
    """Never from the command line itself: it would show in `ps` and the shell history."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise UserError("the two passwords are different")
    return first


def cmd_users(ctx: Context, args) -> int:
    if args.users_command == "add":
        user = ctx.users.add(args.name, _ask_password(args), "national" if args.national else "ahsn",
                             args.ahsn, email=args.email)
        print(f"added {user.name}, {user.description}" + (f", <{user.email}>" if user.email else ""))
    elif args.users_command == "email":
        ctx.users.set_email(args.name, args.address or None)
        print(f"e-mail of {args.name}: {args.address or 'none'}")
    elif args.users_command == "remove":
        ctx.users.remove(args.name)
        print(f"removed {args.name}")
    elif args.users_command == "passwd":
        ctx.users.set_password(args.name, _ask_password(args))
        print(f"changed the password of {args.name}; their sessions have ended")
    else:
        users = ctx.users.all()
        for u in users:
            print(f"{u.name}\t{u.description}" + (f"\t<{u.email}>" if u.email else ""))
        if not users:
            print("no users yet: add one with python -m etl users add NAME --ahsn AHSN "
                  "(or --national)", file=sys.stderr)
    return 0


def cmd_pathways(ctx: Context, args) -> int:
    """Bad input (an unreadable file, a column it lacks, a value not 0 or 1, a choice that
    cannot be analysed) is exit 2 with every problem; nothing is stored either way."""
    conditions = [c.strip() for c in args.conditions.split(",") if c.strip()]
    try:
        content = args.cases.read_bytes()
    except OSError as err:
        print(f"error: {args.cases}: cannot read the file ({err.strerror})", file=sys.stderr)
        return 2
    table = read_case_table(clean_file_name(args.cases.name), content, conditions, args.outcome.strip(),
                            ctx.settings.read_limits, ctx.programme)
    for reading in table.readings:
        print(f"read: {table.file_name}: {reading}", file=sys.stderr)
    if not table.ok:
        for p in table.problems:
            print(p, file=sys.stderr)
        print(f"{len(table.problems)} problem(s) found; nothing was analysed. Fix them and run it again.",
              file=sys.stderr)
        return 2
    names = table.names or {}
    chosen = [names[c] for c in conditions]
    definitions = programme_conditions(ctx.programme)
    try:
        analysis = analyse(table.case_set, chosen, names[args.outcome.strip()], kind=args.solution,
                           wordings=wordings_for(table.case_set.columns, definitions))
    except AnalysisError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(pathways_json(analysis), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(pathways_text(analysis))
    return 0


COMMANDS = {
    "load": cmd_load, "report": cmd_report, "template": cmd_template, "history": cmd_history,
    "restore": cmd_restore, "rebuild": cmd_rebuild, "settings": cmd_settings,
    "quarantine": cmd_quarantine, "release": cmd_release, "quarters": cmd_quarters, "publish": cmd_publish,
    "due-date": cmd_due_date, "revisions": cmd_revisions, "approve": cmd_decide, "reject": cmd_decide,
    "init": cmd_init, "users": cmd_users, "trajectory": cmd_trajectory,
    "pathways": cmd_pathways,
}
