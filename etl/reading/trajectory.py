"""A trajectory file on its own: each AHSN's stepped target rates, read and checked.

    ahsn,quarter,target_percent,note
    Wessex,Q4 2019/20,20,agreed with the trusts' chief pharmacists
    Wessex,Q2 2020/21,35,
    Wessex,Q4 2020/21,50,

One row per step: by `quarter`, the AHSN aims at `target_percent` of its counted trusts
adopting; the target holds until the next step. Read with the same pieces as a return (the
reading child, the encodings and delimiters, workbooks, title rows, headers in words, the
quarter and AHSN cells) and checked as strictly: every problem names the file, row and
column and how to fix it; every value read other than as typed is an Interpretation; a
value with two plausible readings is refused. Runs inside the reading child process
(etl.reading.child), so it imports no pandas.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from etl.problems import Problem
from etl.programmes import Programme
from etl.reading import cells as read
from etl.reading.check_parts import NOTE, cut_ragged, formula_cells, grouped, open_table, readings_said
from etl.reading.grid import is_blank
from etl.reading.headings import SYNONYMS, Layout, column_of, layout_for
from etl.reading.limits import ReadLimits
from etl.reading.result import ParsedTrajectory
from etl.reading.scan import Refused
from etl.reading.table import Table

# Ten years of quarterly steps: more for one AHSN is not a trajectory.
MAX_STEPS = 40

COLUMNS: dict[str, bool] = {"ahsn": True, "quarter": True, "target_percent": True, "note": False}
SYNONYMS = {
    "ahsn": SYNONYMS["ahsn"],
    "quarter": [
        "quarter",
        "by quarter",
        "by",
        "by end quarter",
        "by end",
        "target quarter",
        "step quarter",
        "quarter by",
        "reporting quarter",
        "financial quarter",
        "qtr",
        "period",
        "nhs quarter",
        "fy quarter",
        "quarter year",
        "when",
        "deadline",
    ],
    "target_percent": [
        "target percent",
        "target",
        "target rate",
        "target adoption rate",
        "adoption target",
        "adoption rate target",
        "rate target",
        "target adoption",
        "trajectory",
        "trajectory rate",
        "trajectory target",
        "trajectory percent",
        "target percentage",
        "percent",
        "percentage",
        "rate",
        "step target",
        "target acute trusts adopting",
        "acute trusts adopting",
    ],
    "note": [
        "note",
        "notes",
        "comment",
        "comments",
        "why",
        "reason",
        "rationale",
        "notes comments",
        "comments notes",
        "remarks",
    ],
}
TRAJECTORY = Layout(
    "trajectory",
    COLUMNS,
    SYNONYMS,
    "Start from the trajectory template (python -m etl trajectory template, or the Trajectories page)",
)


def check_trajectory_file(
    file_name: str, content: bytes, programme: Programme, limits: ReadLimits, today: dt.date | None = None
) -> ParsedTrajectory:
    """Bytes in, steps or problems out (`programme` and `today` are the child's common
    arguments: a trajectory's steps may be in any quarter, past or future)."""
    result = ParsedTrajectory(file_name)
    try:
        table, problems, notes = open_table(file_name, content, limits, TRAJECTORY)
        result.interpretations.extend(notes)
        if (
            table is not None
            and "target_percent" not in table.columns
            and _looks_like_a_return(table.header, programme)
        ):
            result.problems.append(
                Problem(
                    file_name,
                    table.header_row,
                    None,
                    "this is a quarterly return, not a trajectory",
                    "Upload returns on the Upload page (or with python -m etl load). A trajectory file has the "
                    "columns " + ", ".join(COLUMNS),
                )
            )
            return result
        result.problems.extend(problems)
        if table is None or not all(n in table.columns for n, required in COLUMNS.items() if required):
            return result
        if not table.rows:
            result.problems.append(
                Problem(
                    file_name,
                    None,
                    None,
                    "the file has a header but no steps",
                    "Add one row per step: the AHSN, the quarter and the target rate by then",
                )
            )
            return result
        _Steps(result, table, limits).check()
    except Refused as refused:
        result.problems = [Problem(file_name, refused.row, None, refused.message, refused.fix)]
        result.steps = []
    return result


def _looks_like_a_return(header: list, programme: Programme) -> bool:
    """A header naming a return's own columns (organisations, levels, counts): the wrong kind of file."""
    layout = layout_for(programme)
    own = {"trust_code", "trust_name", "adoption_level", *layout.counts}
    return len({column_of(c, layout) for c in header if not is_blank(c)} & own) >= 2


class _Steps:
    """Every row of the table into a step, or problems; then each AHSN's steps together."""

    def __init__(self, result: ParsedTrajectory, table: Table, limits: ReadLimits):
        self.result, self.table, self.limits = result, table, limits
        self.found: list[tuple[int | None, str | None, str, str]] = []
        self.readings: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        self.formulas: dict[str, list[int]] = defaultdict(list)

    def problem(self, row: int | None, column: str | None, message: str, fix: str) -> None:
        self.found.append((row, column, message, fix))

    def check(self) -> None:
        rows = cut_ragged(self.table, self.table.rows, self.problem, named="a note")
        named_above = False
        for number, cells in rows:
            step = self._step(number, cells, named_above)
            named_above = named_above or self._cell(cells, "ahsn") is not None
            if step is not None:
                self.result.steps.append(step)
        self._each_ahsn()
        self.found.sort(key=lambda f: (f[0] is None, f[0] or 0))  # in the order of the file's rows
        self.result.problems.extend(grouped(self.result.file_name, self.found, self.limits))
        self.result.interpretations.extend(
            readings_said(self.readings, self.formulas, {s["row"] for s in self.result.steps})
        )
        if not self.result.ok:
            self.result.steps = []  # nothing is half-read: a file with a problem gives no steps

    def _cell(self, cells: list, name: str):
        position = self.table.columns.get(name)
        value = cells[position] if position is not None and position < len(cells) else None
        return None if is_blank(value) else value

    def _step(self, row: int, cells: list, named_above: bool) -> dict | None:
        filled = [c for c in cells if not is_blank(c)]
        if (
            len(filled) == 1
            and isinstance(filled[0], str)
            and self._cell(cells, "note") is None
            and (NOTE.match(filled[0]) or len(filled[0].strip()) > 40)
        ):
            self.problem(
                row,
                None,
                f"this row holds only '{filled[0].strip()[:50]}': it looks like a note, not a step",
                "Delete the row, or put the note in a Notes column on its step's row",
            )
            return None
        before = len(self.found)
        unsaved = formula_cells(self.table, row, self.table.columns, self.formulas, self.problem)
        values = {}
        for name, reader in (
            ("ahsn", read.ahsn),
            ("quarter", read.quarter),
            ("target_percent", read.percent),
            ("note", read.comment),
        ):
            if name not in self.table.columns or name in unsaved:
                values[name] = None
                continue
            raw = self._cell(cells, name)
            try:
                out = reader(raw)
            except read.Unreadable as bad:
                fix = bad.fix
                if name == "ahsn" and raw is None and named_above:
                    fix = "Write the AHSN on every row: fill it down from the rows above"
                self.problem(row, name, bad.message, fix)
                continue
            value, read_as = out if isinstance(out, tuple) else (out, None)
            if read_as is not None:
                self.readings[(name, read.shown(raw), read_as)].append(row)
            values[name] = value
        if len(self.found) > before:
            return None
        return {
            "row": row,
            "ahsn": values["ahsn"],
            "quarter": values["quarter"],
            "target_percent": values["target_percent"],
            "note": values.get("note"),
        }

    def _each_ahsn(self) -> None:
        """Two targets for one quarter, a target that falls, more steps than a trajectory has."""
        by_ahsn: dict[str, list[dict]] = defaultdict(list)
        for step in self.result.steps:
            by_ahsn[step["ahsn"]].append(step)
        for ahsn, steps in by_ahsn.items():
            if len(steps) > MAX_STEPS:
                self.problem(
                    None,
                    None,
                    f"the file holds {len(steps)} steps for {ahsn}; a trajectory has at "
                    f"most {MAX_STEPS} (ten years of quarters)",
                    "Check it is the right file, and that each step is listed once",
                )
                continue
            seen: dict = {}
            for step in sorted(steps, key=lambda s: s["row"]):
                earlier = seen.get(step["quarter"])
                if earlier is not None:
                    self.problem(
                        step["row"],
                        "quarter",
                        f"{ahsn} has two targets for {step['quarter'].label} (also row {earlier['row']})",
                        "Keep one row per quarter: a step is one target by one quarter",
                    )
                else:
                    seen[step["quarter"]] = step
            ordered = sorted(seen.values(), key=lambda s: s["quarter"])
            for before, after in zip(ordered, ordered[1:]):
                if after["target_percent"] < before["target_percent"]:
                    self.problem(
                        after["row"],
                        "target_percent",
                        f"{ahsn}'s target falls from {before['target_percent']}% by "
                        f"{before['quarter'].label} (row {before['row']}) to {after['target_percent']}% "
                        f"by {after['quarter'].label}",
                        "A trajectory rises or stays level: check the quarters and the targets",
                    )
