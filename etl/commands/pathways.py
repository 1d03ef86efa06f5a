"""python -m etl pathways: which combinations of spread conditions went with an outcome (crisp-set QCA)."""

from __future__ import annotations

import json
import sys

from etl.commands.context import Context
from etl.pathways.cases import read_case_table
from etl.pathways.conditions import programme_conditions, wordings_for
from etl.pathways.output import as_json as pathways_json
from etl.pathways.output import as_text as pathways_text
from etl.pathways.qca import AnalysisError, analyse
from etl.reading.kinds import clean_file_name


def cmd_pathways(ctx: Context, args) -> int:
    """Bad input (an unreadable file, a column it lacks, a value not 0 or 1, a choice that
    cannot be analysed) is exit 2 with every problem; nothing is stored either way."""
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
        ctx.programme,
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
    definitions = programme_conditions(ctx.programme)
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
    if args.json:
        print(json.dumps(pathways_json(analysis), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(pathways_text(analysis))
    return 0
