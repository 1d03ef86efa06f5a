"""A return file on its own: read it, find the table, read every cell, and say everything.

`check_file` is what runs inside the reading child process (etl.reading.child): bytes in,
ParsedReturn out, no pandas, no database. Every problem names the file, row and column;
the same problem on many rows is reported once with the rows listed; every value read as
something other than what was typed is an Interpretation.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from etl import words
from etl.problems import Problem
from etl.programmes import Programme
from etl.quarters import Quarter
from etl.reading import cells as read
from etl.reading import row_checks, shape
from etl.reading.check_parts import cut_ragged, formula_cells, grouped, open_table, readings_said
from etl.reading.grid import is_blank
from etl.reading.headings import layout_for
from etl.reading.limits import ReadLimits
from etl.reading.result import Interpretation, ParsedReturn
from etl.reading.scan import Refused
from etl.reading.table import Table
from etl.reference import name_key, organisations
from etl.rows import TrustRow


def check_file(
    file_name: str, content: bytes, programme: Programme, limits: ReadLimits, today: dt.date | None
) -> ParsedReturn:
    result = ParsedReturn(file_name)
    try:
        _check(result, content, programme, limits, today)
    except Refused as refused:
        result.problems = [Problem(file_name, refused.row, None, refused.message, refused.fix)]
        result.records = []
    return result


def _check(
    result: ParsedReturn, content: bytes, programme: Programme, limits: ReadLimits, today: dt.date | None
) -> None:
    file_name = result.file_name
    layout = layout_for(programme)
    table, problems, notes = open_table(file_name, content, limits, layout)
    result.interpretations.extend(notes)
    result.problems.extend(problems)
    if table is None:
        return
    if not all(name in table.columns or name == "trust_code" for name, required in layout.columns.items() if required):
        return  # nothing recognisable to check the rows against (codes may be found from names)
    if not table.rows:
        result.problems.append(
            Problem(
                file_name,
                None,
                None,
                "the file has a header but no trust rows",
                "Add one row per trust in the AHSN's area",
            )
        )
        return
    _Rows(result, table, programme, limits, today).check()


class _Rows:
    """Every data row of the table into a record, or problems."""

    def __init__(
        self, result: ParsedReturn, table: Table, programme: Programme, limits: ReadLimits, today: dt.date | None
    ):
        self.result, self.table, self.programme, self.limits, self.today = result, table, programme, limits, today
        self.file = result.file_name
        self.found: list[tuple[int | None, str | None, str, str]] = []  # (row, column, message, fix)
        # (column, typed, read as[, why]) -> rows
        self.readings: dict[tuple, list[int]] = defaultdict(list)
        self.formulas: dict[str, list[int]] = defaultdict(list)
        self.empty_formulas: dict[str, list[int]] = defaultdict(list)  # formulas showing the empty text
        self.refused_cells: set[tuple[int, str]] = set()  # (row, column) refused by the rows' shape

    def problem(self, row: int | None, column: str | None, message: str, fix: str) -> None:
        self.found.append((row, column, message, fix))

    def check(self) -> None:
        table = self.table
        rows = self._cut_ragged(table.rows)
        rows = shape.hidden_rows(table, rows, self.problem)
        shape.hidden_columns(table, rows, self.problem)
        rows = shape.guidance_rows(table, rows, self.problem)
        rows = shape.repeated_headers(table, rows, self.problem)
        rows, merged, self.refused_cells = shape.merged_cells(table, rows, self.problem)
        self.result.interpretations.extend(merged)
        filled_down = row_checks.fill_down_problems(self.table, rows, self.problem)
        for number, cells in rows:
            record = self._record(number, cells, filled_down)
            if record is not None:
                self.result.records.append(record)
        if "trust_type" not in table.columns:
            self.result.interpretations.append(
                Interpretation(
                    None,
                    None,
                    None,
                    note=(
                        "the file has no trust_type column: each trust's type is taken from its previous return "
                        f"({words.type_words(self.programme.default_trust_type)} for a trust with no previous return), "
                        "with a warning"
                    ),
                )
            )
        self._duplicates()
        self._plausible()
        self._finish()

    # ---- the shape of rows ------------------------------------------------------------

    def _cut_ragged(self, rows: list[tuple[int, list]]) -> list[tuple[int, list]]:
        return cut_ragged(self.table, rows, self.problem)

    # ---- one row ----------------------------------------------------------------------

    def _record(self, row: int, cells: list, filled_down: set[str]) -> TrustRow | None:
        columns = self.table.columns
        cell = {
            name: (cells[columns[name]] if name in columns and columns[name] < len(cells) else None)
            for name in self.table.layout.columns
        }
        note = row_checks.is_note(self.table, cells)
        if note is not None:
            self.problem(
                row,
                None,
                f"this row holds only '{note[:50]}': it looks like a note, not a trust",
                "Delete the row, or put the note in a Notes column on its trust's row",
            )
            return None
        if row_checks.is_totals(self.table, cell):
            self.problem(
                row,
                None,
                "this row looks like a totals row, not a trust",
                "Delete it: the dashboard adds up the trusts itself",
            )
            return None
        before = len(self.found)
        unsaved = formula_cells(self.table, row, columns, self.formulas, self.problem, self.empty_formulas)
        values: dict = {}
        incomplete: list[str] = []

        def take(name, function, *args):
            if name not in columns or name in unsaved:
                return None
            if (name in filled_down and is_blank(cell[name])) or (row, name) in self.refused_cells:
                incomplete.append(name)  # reported once, as a fill-down problem or by the rows' shape
                return None
            typed = cell[name]
            marked = name != "comment" and read.text_marked(typed)
            try:
                out = function(typed.strip()[1:] if marked else typed, *args)
            except read.Unreadable as bad:
                self.problem(row, name, bad.message, bad.fix)
                return None
            value, read_as = out if isinstance(out, tuple) else (out, None)
            if marked:
                shown_as = read_as or ("blank" if value is None else read.shown(value))
                self.readings[(name, read.shown(typed), shown_as, read.TEXT_MARK_NOTE)].append(row)
            elif read_as is not None:
                self.readings[(name, read.shown(typed), read_as)].append(row)
            return value

        values["quarter"] = take("quarter", read.quarter)
        q = values["quarter"]
        if q is not None and self.today is not None and q.start > self.today:
            self.problem(
                row,
                "quarter",
                f"{q.label} has not started yet",
                f"Returns can be made up to the current quarter, {Quarter.containing(self.today).label}",
            )
        values["ahsn"] = take("ahsn", read.ahsn)
        values["trust_name"] = take("trust_name", read.trust_name)
        if "trust_code" in columns and not (is_blank(cell["trust_code"]) and values["trust_name"]):
            values["trust_code"] = take("trust_code", read.trust_code, self.programme)
        elif values["ahsn"] is not None and values["trust_name"] is not None:
            values["trust_code"] = self._code_from_name(row, cell["trust_name"], values["ahsn"], values["trust_name"])
        trust_type = take("trust_type", read.trust_type, self.programme) if "trust_type" in columns else None
        level = take("adoption_level", read.level, self.programme) if self.programme.levels else None
        counts = {
            m.key: take(m.key, read.count, m.max_per_row, m, self.programme.organisation)
            for m in self.programme.measures
        }
        for pair in self.programme.pairs:
            self._pair(row, cell, pair, counts[pair.numerator], counts[pair.denominator])
        comment = take("comment", read.comment)
        if len(self.found) > before or incomplete:
            return None
        return TrustRow(
            row=row,
            quarter=q,
            ahsn=values["ahsn"],
            trust_code=values["trust_code"],
            trust_name=values["trust_name"],
            trust_type=trust_type or self.programme.default_trust_type,
            trust_type_given=trust_type is not None,
            adoption_level=level,
            referrals_made=counts.pop("referrals_made", None),
            referrals_completed=counts.pop("referrals_completed", None),
            comment=comment,
            measures=tuple(counts.items()),
        )

    def _code_from_name(self, row: int, typed, ahsn: str, name: str) -> str | None:
        """A trust named without its code: the one trust of its AHSN's reference list with that
        name (case, spacing, punctuation, 'The' and 'NHS (Foundation) Trust' aside), said so;
        none, or more than one, is a problem naming the row."""
        reference = organisations(self.programme)
        fix = f"Write the trust's ODS code in a trust_code column (the template lists {ahsn}'s trusts with theirs)"
        if not reference:
            self.problem(row, "trust_code", "the trust code is blank", "Write the trust's ODS code, e.g. RTH")
            return None
        found = reference.named(ahsn, name)
        if len(found) == 1:
            self.readings[("trust_code", read.shown(typed), found[0].code, f"by its name: {found[0].name}")].append(row)
            return found[0].code
        if found:
            self.problem(
                row,
                "trust_code",
                f"'{read.quoted(typed)}' could be any of "
                + ", ".join(f"{o.code} ({o.name})" for o in found)
                + f" in {ahsn}'s list of {words.organisations(self.programme)}, and the row gives no code",
                fix,
            )
        else:
            elsewhere = [o for o in reference.organisations if o.ahsn != ahsn and name_key(o.name) == name_key(name)]
            self.problem(
                row,
                "trust_code",
                f"the row gives no trust code, and '{read.quoted(typed)}' is not the name of any of {ahsn}'s "
                f"{len(reference.of_ahsn(ahsn))} {words.organisations(self.programme)} in the reference list"
                + "".join(f" (it is {o.ahsn}'s {o.code}, {o.name})" for o in elsewhere[:1]),
                fix,
            )
        return None

    def _pair(self, row: int, cell: dict, pair, numerator: int | None, denominator: int | None) -> None:
        """A count that is a part of another: never more than it, never without it."""
        part, whole = self.programme.measure(pair.numerator), self.programme.measure(pair.denominator)
        if numerator is not None and denominator is not None and numerator > denominator:
            self.problem(
                row,
                pair.numerator,
                (
                    pair.more_than or "{numerator} " + part.words + " is more than the {denominator} " + whole.words
                ).format(numerator=numerator, denominator=denominator),
                pair.more_than_fix or "Check both numbers",
            )
        if (
            denominator is None
            and numerator is not None
            and is_blank(cell[pair.denominator])
            and (row, pair.denominator) not in self.refused_cells
        ):
            self.problem(
                row,
                pair.denominator,
                pair.blank_denominator or f"{part.words} are given but {whole.words} are blank",
                pair.blank_denominator_fix or f"Fill in {whole.words}, or leave both blank if not reported",
            )

    # ---- the whole file ---------------------------------------------------------------

    def _duplicates(self) -> None:
        row_checks.duplicates(self.result.records, self.problem)

    def _plausible(self) -> None:
        row_checks.too_many_rows(self.result, self.found, self.limits, self.programme)

    def _finish(self) -> None:
        self.result.problems.extend(grouped(self.file, self.found, self.limits))
        self.result.interpretations.extend(
            readings_said(self.readings, self.formulas, {r.row for r in self.result.records}, self.empty_formulas)
        )
