"""python -m etl pathways: which combinations of spread conditions went with an outcome (crisp-set QCA)."""

from __future__ import annotations

import json
import sys

from etl.commands.context import Context, progress
from etl.live_cases import latest_quarter, live_case_set
from etl.pathways.cases import read_case_table
from etl.pathways.conditions import (
    OUTCOME,
    analysed_by_default,
    column_key,
    programme_conditions,
    spread_conditions,
    wordings_for,
)
from etl.pathways.output import as_json as pathways_json
from etl.pathways.output import as_text as pathways_text
from etl.pathways.qca import AnalysisError, analyse
from etl.reading.kinds import clean_file_name


def cmd_pathways(ctx: Context, args) -> int:
    """Bad input (an unreadable file, a column it lacks, a value not 0 or 1, a choice that
    cannot be analysed) is exit 2 with every problem; nothing is stored either way."""
    programme = ctx.programme
    if args.cases is None:
        return _live(ctx, args, programme)
    if not args.conditions or not args.outcome:
        print(
            "error: with --cases, name the conditions (--conditions A,B,C) and the outcome (--outcome)", file=sys.stderr
        )
        return 2
    conditions = [c.strip() for c in args.conditions.split(",") if c.strip()]
    try:
        content = args.cases.read_bytes()
    except OSError as err:
        print(f"error: {args.cases}: cannot read the file ({err.strerror})", file=sys.stderr)
        return 2
    table = read_case_table(
        clean_file_name(args.cases.name),
        content,
        conditions,
        args.outcome.strip(),
        ctx.settings.read_limits,
        programme,
    )
    for reading in table.readings:
        print(f"read: {table.file_name}: {reading}", file=sys.stderr)
    if not table.ok:
        for p in table.problems:
            print(p, file=sys.stderr)
        print(
            f"{len(table.problems)} problem(s) found; nothing was analysed. Fix them and run it again.", file=sys.stderr
        )
        return 2
    names = table.names or {}
    chosen = [names[c] for c in conditions]
    definitions = programme_conditions(programme)
    try:
        analysis = analyse(
            table.case_set,
            chosen,
            names[args.outcome.strip()],
            kind=args.solution,
            wordings=wordings_for(table.case_set.columns, definitions),
        )
    except AnalysisError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return _print(analysis, args.json)


def _print(analysis, as_json: bool, extra: dict | None = None) -> int:
    if as_json:
        print(json.dumps({**pathways_json(analysis), **(extra or {})}, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(pathways_text(analysis))
    return 0


def _live(ctx: Context, args, programme) -> int:
    """The live AHSNs as the cases: their recorded conditions and whether their headline was at
    or above target at the quarter. AHSNs left out are listed, on stderr (and in the JSON)."""
    ctx.store.ensure(progress=progress)
    if args.outcome and column_key(args.outcome) != column_key(OUTCOME):
        print(
            f"error: the live AHSNs' outcome is {OUTCOME} (headline at or above target); leave --outcome out",
            file=sys.stderr,
        )
        return 2
    quarter = args.quarter if not args.live else latest_quarter(ctx.db, programme)
    if quarter is None:
        print("error: no quarter has returns yet, so the live AHSNs have no outcome", file=sys.stderr)
        return 2
    defined = {column_key(c.name): c.name for c in spread_conditions(programme)}
    if not defined:
        print(f"error: {programme.short_name} defines no spread conditions", file=sys.stderr)
        return 2
    asked = [c.strip() for c in args.conditions.split(",") if c.strip()] if args.conditions else None
    unknown = [c for c in asked or () if column_key(c) not in defined]
    if unknown:
        print(
            f"error: {', '.join(unknown)}: not a condition of {programme.short_name}; its conditions are "
            f"{', '.join(defined.values())}",
            file=sys.stderr,
        )
        return 2
    chosen = [defined[column_key(c)] for c in asked] if asked else list(analysed_by_default(programme))
    live = live_case_set(ctx.db, programme, quarter, chosen)
    for ahsn, why in live.left_out:
        print(f"left out: {ahsn}: {why}", file=sys.stderr)
    if live.illustrative:
        print("note: these conditions are illustrative (the demo's, made up to show the feature)", file=sys.stderr)
    if live.case_set is None:
        print(f"error: no AHSN has a return for {quarter.label} and every chosen condition recorded", file=sys.stderr)
        return 2
    try:
        analysis = analyse(
            live.case_set,
            chosen,
            OUTCOME,
            kind=args.solution,
            wordings=wordings_for(live.case_set.columns, programme_conditions(programme)),
        )
    except AnalysisError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    extra = {
        "quarter": quarter.label,
        "target_percent": live.target_percent,
        "left_out": [{"ahsn": a, "why": why} for a, why in live.left_out],
        "illustrative": live.illustrative,
    }
    return _print(analysis, args.json, extra)
