"""python -m etl: load, report, template, history, restore, quarters, sign-off, revisions, trajectory, pathways, users, ...

The command line is a composition root of its own: `main` reads the settings once, makes
the store, its database reader and the accounts (etl/commands/context.py), and hands them to
the command (etl/commands/, one module a group). Every command that reads or writes data
first makes sure the store has a current database (`Store.ensure`: the demo data built into an
empty store, a write a crash left behind finished); the web app never does that in a request.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from etl.commands.collection import cmd_decide, cmd_due_date, cmd_quarters, cmd_revisions, cmd_sign_off
from etl.commands.conditions import cmd_conditions
from etl.commands.context import Context, progress, warn_left_out
from etl.commands.pathways import cmd_pathways
from etl.commands.returns import (
    cmd_history,
    cmd_load,
    cmd_quarantine,
    cmd_release,
    cmd_report,
    cmd_restore,
    cmd_template,
)
from etl.commands.trajectories import cmd_trajectory
from etl.commands.users import cmd_users
from etl.errors import Refusal
from etl.pathways.qca import MAX_CONDITIONS, SOLUTION_KINDS
from etl.quarters import FIRST_YEAR, LAST_YEAR, Quarter, QuarterError, parse_list, shortened
from etl.settings import Settings, SettingsError, as_markdown
from etl.users import UserError


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m etl", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    load = commands.add_parser("load", help="validate quarterly return files and load them")
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument("--check", action="store_true", help="validate only; store nothing")
    load.add_argument("--by", help="who is loading (default: your user name)")

    report = commands.add_parser("report", help="print the national table as CSV")
    report.add_argument(
        "--quarters",
        help='e.g. "Q3 2018/19,Q3 2019/20,Q2 2020/21", or "all" (default: the '
        "programme's checkpoint quarters and the latest published)",
    )
    report.add_argument(
        "--provisional",
        action="store_true",
        help="include quarters not yet published (marked provisional, with their coverage)",
    )

    commands.add_parser("quarters", help="every quarter: open or published, due date, coverage")
    sign_off = commands.add_parser(
        "sign-off", aliases=["publish"], help="sign a quarter off: its figures become the published ones"
    )
    sign_off.add_argument("quarter", help='e.g. "Q3 2020/21"')
    sign_off.add_argument("--note", default="", help="a note kept with the sign-off")
    sign_off.add_argument("--incomplete", action="store_true", help="sign it off although not every AHSN has returned")
    sign_off.add_argument("--by", help="who is signing off (default: your user name)")
    due = commands.add_parser("due-date", help="set another due date for one quarter's returns")
    due.add_argument("quarter")
    due.add_argument("date", help="YYYY-MM-DD")
    due.add_argument("--reason", required=True)
    due.add_argument("--by")
    commands.add_parser("revisions", help="changes to published quarters waiting for approval")
    for name, what in (
        ("approve", "let a change to a published quarter take effect"),
        ("reject", "turn down a change to a published quarter (it is kept, never counted)"),
    ):
        decide = commands.add_parser(name, help=what)
        decide.add_argument("id", type=int, help="the revision's number, as `revisions` lists it")
        decide.add_argument("--reason", required=True, help="why, in a few words (shown with the revision)")
        decide.add_argument("--by")

    template = commands.add_parser("template", help="write a ready-to-fill return for an AHSN")
    template.add_argument("--ahsn", required=True)
    template.add_argument("--quarter", required=True)
    template.add_argument("--output", type=Path, help="file to write (default: standard output)")
    template.add_argument(
        "--format",
        choices=("csv", "xlsx"),
        default="csv",
        help="csv (default) or xlsx: an Excel workbook with drop-down lists and the columns explained (needs --output)",
    )

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
    for name, what in (
        ("quarantine", "leave a stored submission out of every figure (it is kept)"),
        ("release", "take a quarantined submission back into the figures"),
    ):
        marked = commands.add_parser(name, help=what)
        marked.add_argument("id", type=int)
        marked.add_argument("--reason", required=True, help="why, in a few words (kept with the event)")
        marked.add_argument("--by", help="who is doing it (default: your user name)")
    rebuild = commands.add_parser("rebuild", help="rebuild the database from the events and kept rows")
    rebuild.add_argument(
        "--reparse",
        action="store_true",
        help="read every kept original again (not quarantined ones) with today's reader",
    )
    settings_p = commands.add_parser("settings", help="list the settings and their current values")
    settings_p.add_argument(
        "--markdown", action="store_true", help="print the settings table for the README instead (defaults, not values)"
    )
    commands.add_parser(
        "init", help="build the store from the embedded demo data if it is empty, and repair it after a crashed write"
    )

    users = commands.add_parser("users", help="manage who may upload returns")
    sub = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = sub.add_parser("add", help="add a user (asks for the password)")
    add.add_argument("name")
    who = add.add_mutually_exclusive_group(required=True)
    who.add_argument("--ahsn", help="the AHSN this user submits for, e.g. Wessex")
    who.add_argument("--national", action="store_true", help="a national administrator, who may submit for every AHSN")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input (for scripts)"
    )
    add.add_argument("--email", help="where reminders and receipts go (if e-mail is set up)")
    add.add_argument(
        "--programmes",
        metavar="CODES",
        help="the programmes a submitter submits for, e.g. tcam,pincer (default: tcam)",
    )
    granted = sub.add_parser("programmes", help="set the programmes a submitter submits for (and no others)")
    granted.add_argument("name")
    granted.add_argument("codes", metavar="CODES", help="e.g. tcam,pincer")
    email = sub.add_parser("email", help="set a user's e-mail address (empty to remove it)")
    email.add_argument("name")
    email.add_argument("address")
    remove = sub.add_parser("remove", help="remove a user (their sessions end at once)")
    remove.add_argument("name")
    sub.add_parser("list", help="list the users and what each may do")
    passwd = sub.add_parser("passwd", help="set a user's password (their sessions end)")
    passwd.add_argument("name")
    passwd.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input (for scripts)"
    )

    pathways = commands.add_parser(
        "pathways",
        help="which combinations of conditions went with an outcome (crisp-set QCA, as the national review did)",
    )
    cases = pathways.add_mutually_exclusive_group(required=True)
    cases.add_argument(
        "--cases",
        type=Path,
        metavar="FILE",
        help="a case table (CSV, .xlsx, .xls or .ods): a case column, one 0/1 column per "
        "condition and a 0/1 outcome column, as the review's Table 8.3",
    )
    cases.add_argument(
        "--quarter",
        help='the live AHSNs as the cases, at this quarter (e.g. "Q3 2019/20"): their recorded conditions, '
        "and the outcome OUTCOME, their headline at or above the programme's target",
    )
    cases.add_argument(
        "--live", action="store_true", help="the live AHSNs at the latest quarter signed off (see --quarter)"
    )
    pathways.add_argument(
        "--conditions",
        metavar="A,B,C",
        help=f"the conditions to analyse, in order (at most {MAX_CONDITIONS}; needed with --cases; "
        "for the live AHSNs the programme's usual choice by default, TCAM's the review's four)",
    )
    pathways.add_argument(
        "--outcome", metavar="NAME", help="the outcome column (needed with --cases; the live AHSNs' is OUTCOME)"
    )
    pathways.add_argument(
        "--solution",
        choices=SOLUTION_KINDS,
        default=SOLUTION_KINDS[0],
        help="parsimonious (default: configurations observed in no case may be assumed "
        "either way) or conservative (only those observed)",
    )
    pathways.add_argument("--json", action="store_true", help="print the analysis as one JSON object")
    spread = commands.add_parser(
        "conditions",
        help="each AHSN's spread conditions (the pathways analysis's cases): load, history, template, restore",
    )
    what = spread.add_subparsers(dest="conditions_command", required=True, metavar="ACTION")
    load_c = what.add_parser("load", help="record the conditions a file holds (a new version for each AHSN in it)")
    load_c.add_argument("file", type=Path, metavar="FILE")
    load_c.add_argument("--reason", help="why, in a few words (kept with each version; not needed with --check)")
    load_c.add_argument("--check", action="store_true", help="read and check only; print what it would change")
    load_c.add_argument("--by", help="who is recording them (default: your user name)")
    history_c = what.add_parser("history", help="every version of every AHSN's conditions: who, when, why, what")
    history_c.add_argument("--ahsn", help="one AHSN only")
    template_c = what.add_parser("template", help="every AHSN and condition as a file to fill in and load")
    template_c.add_argument("--output", type=Path, help="file to write (default: standard output)")
    restore_c = what.add_parser("restore", help="make an earlier version of an AHSN's conditions current again")
    restore_c.add_argument("--ahsn", required=True)
    restore_c.add_argument("--version", type=int, required=True, help="the version, as `conditions history` numbers it")
    restore_c.add_argument("--reason", required=True, help="why, in a few words (kept with the new version)")
    restore_c.add_argument("--by", help="who is restoring it (default: your user name)")
    _every_command_takes_a_programme(parser)
    return parser


def _every_command_takes_a_programme(parser: argparse.ArgumentParser) -> None:
    """`--programme CODE` before or after any command, at any depth (`trajectory load`); never
    given, METRICS_PROGRAMME's. SUPPRESS: a subcommand's parser never overwrites a code given
    before it."""
    parser.add_argument(
        "--programme",
        default=argparse.SUPPRESS,
        metavar="CODE",
        help="the programme to work on, e.g. pincer (default: METRICS_PROGRAMME, tcam)",
    )
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in {id(p): p for p in action.choices.values()}.values():  # an alias is the same parser
                _every_command_takes_a_programme(sub)


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
            raise ArgumentProblem(
                f"{args.quarter.label} has not begun: a due date can be set for a quarter "
                f"that has begun (the latest is {Quarter.containing(today).label})"
            )
        try:
            args.date = dt.date.fromisoformat(args.date)
        except ValueError:
            raise ArgumentProblem(f"'{shortened(args.date)}' is not a date: write it like 2021-02-15") from None
        if not FIRST_YEAR <= args.date.year <= LAST_YEAR + 1:
            raise ArgumentProblem(
                f"{args.date:%-d %B %Y} is not a due date a return can have: write a date "
                f"from {FIRST_YEAR} to {LAST_YEAR + 1}, after the quarter"
            )


def main(argv: list[str] | None = None, settings: Settings | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        read_arguments(args, dt.date.today())
    except ArgumentProblem as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    try:
        settings = settings or Settings.from_env()
    except SettingsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    code = getattr(args, "programme", None)
    programme = settings.programmes.get(code.strip().lower()) if code else settings.programme
    if programme is None:
        known = ", ".join(settings.programmes.codes)
        print(f"error: --programme {shortened(code)!r} is not a programme (known: {known})", file=sys.stderr)
        return 2
    context = Context.from_settings(settings, programme)
    try:
        return COMMANDS[args.command](context, args)
    except (QuarterError, Refusal, UserError) as err:  # anything else is a bug: its traceback shows
        print(f"error: {err}", file=sys.stderr)
        return 1


def cmd_rebuild(ctx: Context, args) -> int:
    path = ctx.store.rebuild(progress=progress, reparse=args.reparse)
    source = "the kept originals, read again" if args.reparse else "the events and their kept rows"
    print(f"rebuilt {path.name} from {source}")
    warn_left_out(ctx)
    return 0


def cmd_init(ctx: Context, args) -> int:
    path = ctx.store.ensure(progress=progress)
    print(f"store ready: {path}")
    warn_left_out(ctx)
    return 0


def cmd_settings(ctx: Context, args) -> int:
    if args.markdown:
        print(as_markdown())
        return 0
    for setting, value in ctx.settings.shown():
        print(f"{setting.name}={value}\n    {setting.help}")
    return 0


COMMANDS = {
    "load": cmd_load,
    "report": cmd_report,
    "template": cmd_template,
    "history": cmd_history,
    "restore": cmd_restore,
    "rebuild": cmd_rebuild,
    "settings": cmd_settings,
    "quarantine": cmd_quarantine,
    "release": cmd_release,
    "quarters": cmd_quarters,
    "sign-off": cmd_sign_off,
    "publish": cmd_sign_off,
    "due-date": cmd_due_date,
    "revisions": cmd_revisions,
    "approve": cmd_decide,
    "reject": cmd_decide,
    "init": cmd_init,
    "users": cmd_users,
    "trajectory": cmd_trajectory,
    "pathways": cmd_pathways,
    "conditions": cmd_conditions,
}
