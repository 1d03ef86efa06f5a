"""A case table (the review's Table 8.3 is one) read into a CaseSet, or every problem with it.

    case,EXPLICIT,NONDELAY,ADOPT,...,OUTCOME
    1,1,0,1,...,0

The file's bytes are read where every upload is, in the sandboxed reading child with its
caps (etl/reading/casetable.py: CSV, .xlsx, .xls or .ods, title rows, an Instructions sheet,
encodings and delimiters); this module reads what the child found. The `case` column gives
each case's id (text; a spreadsheet's 4.0 is "4"); the chosen conditions and the outcome
must each be a column of 0s and 1s. Read as meant, and listed: TRUE/FALSE (Excel's yes/no
cells), "1.0" and "0.0", yes/no, present/absent. Refused, each with its file, row, column and
fix: a blank cell, any other value (a fuzzy-set score such as 0.67 is named as one), a date,
an Excel error, a formula whose value was not saved, a case without an id, two cases with
one id, a chosen column the file does not have (the columns it has are listed). Columns not
chosen are kept for the raw table when they too hold only 0s and 1s, and left out, with a
note, when they do not (a column of notes).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from etl.pathways.conditions import column_key
from etl.pathways.qca import CaseSet
from etl.problems import Problem
from etl.programmes import Programme
from etl.reading.casetable import CASE_KEYS
from etl.reading.cells import Unreadable, shown
from etl.reading.check_parts import NOTE, grouped, readings_said
from etl.reading.grid import column_letter, is_blank
from etl.reading.headings import header_key
from etl.reading.limits import ReadLimits
from etl.reading.result import Interpretation, ParsedCaseTable
from etl.reading.sandbox import read_files
from etl.reading.text import BAD_CHARACTERS, describe_character

# A QCA compares a handful to a few dozen cases; a table of thousands is not a case table,
# and its lists of cases would be unreadable.
MAX_CASES = 1000
MAX_ID_LENGTH = 60
PRESENT = {"yes", "y", "true", "present"}
ABSENT = {"no", "n", "false", "absent"}
_FUZZY = re.compile(r"0?[.,]\d+|\d{1,3}(?:[.,]\d+)?\s*%")


@dataclass(frozen=True)
class CaseTable:
    """A case table as read: the case set (None if there is any problem), the problems, and
    every value or layout read other than exactly as typed."""

    file_name: str
    case_set: CaseSet | None
    problems: tuple[Problem, ...] = ()
    readings: tuple[Interpretation, ...] = ()
    names: dict[str, str] | None = None  # each chosen name as asked -> the column's name in the file

    @property
    def ok(self) -> bool:
        return not self.problems


def read_case_table(
    file_name: str,
    content: bytes,
    conditions: Sequence[str],
    outcome: str,
    limits: ReadLimits,
    programme: Programme,
    noun: tuple[str, str] = ("case", "cases"),
) -> CaseTable:
    """The file read in the sandboxed child, then its chosen columns read as 0s and 1s."""
    parsed = read_files([(file_name, content)], programme, limits, None, kind="cases")[0]
    return case_table(parsed, conditions, outcome, limits, noun)


def case_table(
    parsed: ParsedCaseTable,
    conditions: Sequence[str],
    outcome: str,
    limits: ReadLimits,
    noun: tuple[str, str] = ("case", "cases"),
) -> CaseTable:
    """What the child read, with `conditions` and `outcome` (column names, matched ignoring
    case, spaces and punctuation) read as 0s and 1s."""
    if parsed.problems:
        return CaseTable(parsed.file_name, None, tuple(parsed.problems), tuple(parsed.interpretations))
    return _Reading(parsed, list(conditions), outcome, limits, noun).read()


class _Reading:
    def __init__(
        self, parsed: ParsedCaseTable, conditions: list[str], outcome: str, limits: ReadLimits, noun: tuple[str, str]
    ):
        self.parsed, self.conditions, self.outcome, self.limits, self.noun = parsed, conditions, outcome, limits, noun
        self.file = parsed.file_name
        self.found: list[tuple[int | None, str | None, str, str]] = []
        self.readings: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        self.formulas: dict[str, list[int]] = defaultdict(list)
        self.notes: list[Interpretation] = list(parsed.interpretations)
        self.saved = {(r, c): saved for r, c, saved in parsed.formulas}

    def problem(self, row: int | None, column: str | None, message: str, fix: str) -> None:
        self.found.append((row, column, message, fix))

    def read(self) -> CaseTable:
        header = self.parsed.header
        row = self.parsed.header_row
        case_at = next(i for i, h in enumerate(header) if header_key(h) in CASE_KEYS)
        names = self._chosen_columns(header, row, case_at)
        rows = self._case_rows(case_at)
        if len(rows) > MAX_CASES:
            self.problem(
                None,
                None,
                f"the table has {len(rows):,} cases; a case table for QCA holds a handful "
                f"to a few dozen (at most {MAX_CASES:,} are read)",
                "Check it is the right file",
            )
            rows = []
        if not rows and not self.found:
            self.problem(
                None,
                None,
                "the file has a header but no cases",
                "Add one row for each case: its id, then 0 or 1 in each column",
            )
        ids = self._ids(rows, case_at)
        chosen = {column_key(n) for n in names.values()}
        named = defaultdict(list)
        for position, name in enumerate(header):
            named[column_key(name)].append(position)
        columns: dict[str, tuple[int, ...]] = {}
        for position, name in enumerate(header):
            if position == case_at:
                continue
            if is_blank(name):
                if any(not is_blank(_at(cells, position)) for _, cells in rows):
                    self.notes.append(
                        Interpretation(
                            None, None, None, note=(f"column {column_letter(position)} has no name, so it was not read")
                        )
                    )
                continue
            if len(named[column_key(name)]) > 1:
                if column_key(name) not in chosen and position == named[column_key(name)][0]:
                    self.notes.append(
                        Interpretation(
                            None, None, None, note=(f"two columns are called {name}, so neither is in the raw table")
                        )
                    )
                continue  # a chosen one is a problem already
            values = self._column(rows, position, name, strict=column_key(name) in chosen)
            if values is None:
                self.notes.append(
                    Interpretation(
                        None,
                        None,
                        None,
                        note=(f"column '{name}' does not hold only 0s and 1s, so it is not in the raw table"),
                    )
                )
                continue
            columns[name] = values
        self.found.sort(key=lambda f: (f[0] is None, f[0] or 0))
        problems = tuple(grouped(self.file, self.found, self.limits))
        readings = tuple(self.notes + readings_said(self.readings, self.formulas, {n for n, _ in rows}))
        if problems:
            return CaseTable(self.file, None, problems, readings, names)
        case_set = CaseSet(tuple(ids), columns, self.file, self.noun)
        return CaseTable(self.file, case_set, (), readings, names)

    def _chosen_columns(self, header: list[str], row: int | None, case_at: int) -> dict[str, str]:
        """Each chosen name -> the file's column of that name; a problem for each not found."""
        by_key: dict[str, list[int]] = defaultdict(list)
        for position, name in enumerate(header):
            if position != case_at and not is_blank(name):
                by_key[column_key(name)].append(position)
        listed = ", ".join(h for h in header if not is_blank(h))
        names = {}
        for wanted in (*self.conditions, self.outcome):
            positions = by_key.get(column_key(wanted), [])
            what = "outcome" if wanted == self.outcome else "condition"
            if not positions:
                self.problem(
                    row,
                    wanted,
                    f"the file has no column {wanted} (the {what} chosen); its columns are {listed}",
                    f"Choose the {what} among those columns, or add a column named {wanted} to the file",
                )
            elif len(positions) > 1:
                letters = " and ".join(column_letter(p) for p in positions)
                self.problem(
                    row,
                    wanted,
                    f"columns {letters} are both called {header[positions[0]]}",
                    "Keep one of the two columns, or rename one",
                )
            else:
                names[wanted] = header[positions[0]]
        return names

    def _case_rows(self, case_at: int) -> list[tuple[int, list]]:
        """The rows of cases: a row that holds only a note below the table is a problem, not a case."""
        rows = []
        for number, cells in self.parsed.rows:
            filled = [c for c in cells if not is_blank(c)]
            if len(filled) == 1 and isinstance(filled[0], str) and (NOTE.match(filled[0]) or len(filled[0]) > 40):
                self.problem(
                    number,
                    None,
                    f"this row holds only '{filled[0].strip()[:50]}': it looks like a note, not a case",
                    "Delete the row, or move the note to another sheet",
                )
                continue
            rows.append((number, cells))
        return rows

    def _ids(self, rows: list[tuple[int, list]], case_at: int) -> list[str]:
        ids, first = [], {}
        column = self.parsed.header[case_at]
        for number, cells in rows:
            try:
                case = case_id(_at(cells, case_at))
            except Unreadable as bad:
                self.problem(number, column, bad.message, bad.fix)
                continue
            earlier = first.setdefault(case.casefold(), number)
            if earlier != number:
                self.problem(
                    number,
                    column,
                    f"case {case} is listed twice (also row {earlier})",
                    f"Give each {self.noun[0]} one row, with an id of its own",
                )
            ids.append(case)
        return ids

    def _column(self, rows: list[tuple[int, list]], position: int, name: str, strict: bool) -> tuple[int, ...] | None:
        """One column as 0s and 1s. `strict` (a chosen column): each cell that is not a
        problem; otherwise None at the first cell that is not 0 or 1, and nothing said."""
        is_outcome = column_key(name) == column_key(self.outcome)
        values, readings, formulas = [], [], []
        for number, cells in rows:
            saved = self.saved.get((number, position))
            if saved is False:
                if strict:
                    self.problem(
                        number,
                        name,
                        f"cell {column_letter(position)}{number} holds a formula whose "
                        "result was not saved in the file",
                        "Open the file in Excel or LibreOffice, let "
                        "it calculate, save it, and read it again (or type the value)",
                    )
                    continue
                return None
            try:
                value, read_as = crisp(_at(cells, position), is_outcome)
            except Unreadable as bad:
                if not strict:
                    return None
                self.problem(number, name, bad.message, bad.fix)
                continue
            if read_as is not None:
                readings.append((shown_cell(_at(cells, position)), read_as, number))
            if saved:
                formulas.append(number)
            values.append(value)
        for typed, read_as, number in readings:
            self.readings[(name, typed, read_as)].append(number)
        self.formulas[name].extend(formulas)
        return tuple(values)


def _at(cells: list, position: int):
    return cells[position] if position < len(cells) else None


def shown_cell(value) -> str:
    """A cell as a person sees it, including the dates and errors JSON carried as dicts."""
    return value["shown"] if isinstance(value, dict) else shown(value)


def _special(value, what: str) -> None:
    """A date, an Excel error, or text with an invisible character is never a value here."""
    if isinstance(value, dict):
        if value.get("kind") == "error":
            raise Unreadable(
                f"the cell shows the Excel error {value['shown']}",
                "Fix the formula behind it, or type the value, and save again",
            )
        if value.get("kind") == "date":
            raise Unreadable(
                f"the cell holds a date or time ({value['shown']}), not {what}: the spreadsheet "
                "may have turned what was typed into a date",
                "Format the cell as Number or Text, type the value again, and save",
            )
        raise Unreadable(f"'{value.get('shown')}' is not {what}", "Type the value again, and save")
    if isinstance(value, str):
        bad = BAD_CHARACTERS.search(value)
        if bad:
            raise Unreadable(
                f"the cell contains {describe_character(bad.group())}",
                "Retype the cell (the character may be invisible)",
            )


def crisp(value, is_outcome: bool = False) -> tuple[int, str | None]:
    """A condition's (or the outcome's) cell as 0 or 1, and how it was read when not as typed."""
    if is_outcome:
        fix = "Write 1 where the case has the outcome and 0 where it has not"
        blank_fix = fix + "; a case whose outcome is not known must be left out of the table"
    else:
        fix = "Write 1 where the condition was present in the case and 0 where it was absent"
        blank_fix = fix + "; if it is not known, leave this condition out of the analysis or the case out of the table"
    if is_blank(value):
        raise Unreadable("the cell is blank", blank_fix)
    _special(value, "0 or 1")
    if isinstance(value, bool):
        return int(value), str(int(value))
    if isinstance(value, (int, float)):
        if value in (0, 1):
            return int(value), None
        if 0 < value < 1:
            raise _fuzzy(shown(value))
        raise Unreadable(f"'{shown(value)}' is not 0 or 1", fix)
    text = str(value).strip()
    if text in ("0", "1"):
        return int(text), None
    if re.fullmatch(r"[01]\.0+", text):
        return int(text[0]), text[0]
    if text.casefold() in PRESENT:
        return 1, "1"
    if text.casefold() in ABSENT:
        return 0, "0"
    if _FUZZY.fullmatch(text):
        raise _fuzzy(text)
    raise Unreadable(f"'{text[:40]}' is not 0 or 1", fix)


def _fuzzy(text: str) -> Unreadable:
    return Unreadable(
        f"'{text}' looks like a fuzzy-set score; a crisp-set analysis needs each value 0 or 1",
        "Decide whether the case is in (1) or out (0), and write that",
    )


def case_id(value) -> str:
    """A case's id as text: 4 (or a spreadsheet's 4.0) is "4"."""
    fix = "Give every case a short id in the case column (1, 2, 3, or a name)"
    if is_blank(value):
        raise Unreadable("the case has no id", fix)
    _special(value, "a case id")
    text = shown(value)
    if len(text) > MAX_ID_LENGTH:
        raise Unreadable(f"the case id is {len(text):,} characters long; at most {MAX_ID_LENGTH} are read", fix)
    return text
