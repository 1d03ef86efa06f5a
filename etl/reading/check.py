"""A return file on its own: read it, find the table, read every cell, and say everything.

`check_file` is what runs inside the reading child process (etl.reading.child): bytes in,
ParsedReturn out, no pandas, no database. Every problem names the file, row and column;
the same problem on many rows is reported once with the rows listed; every value read as
something other than what was typed is an Interpretation.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from etl import words
from etl.problems import Problem, row_list
from etl.programmes import Programme
from etl.quarters import Quarter
from etl.reading import cells as read
from etl.reading import shape
from etl.reading.book import read_book
from etl.reading.grid import column_letter, is_blank
from etl.reading.kinds import detect, kind_note
from etl.reading.limits import ReadLimits
from etl.reading.result import Interpretation, ParsedReturn
from etl.reading.scan import Refused
from etl.reading.table import Layout, Table, choose_delimiter, find_table, layout_for
from etl.reading.text import read_csv
from etl.reference import name_key, organisations
from etl.rows import TrustRow

LABELS = {"quarter": "quarter", "ahsn": "AHSN"}
_TOTALS = re.compile(r"^\s*(grand\s+)?(sub\s*)?totals?\b|^\s*all\s+trusts\b|^\s*sum\b", re.IGNORECASE)
_NOTE = re.compile(r"^\s*(notes?|n\.?b\.?|source|\*|please|figures|data)\b", re.IGNORECASE)


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


def open_table(
    file_name: str, content: bytes, limits: ReadLimits, layout: Layout
) -> tuple[Table | None, list[Problem], list[Interpretation]]:
    """The file's table of this layout (None when there is none), the problems met finding
    it, and how it was read (encoding, delimiter, sheet, header row, headers in words).
    Raises Refused for a file no spreadsheet should be (etl.reading.scan)."""
    if len(content) > limits.max_bytes:
        return None, [too_big(file_name, len(content), limits.max_bytes)], []
    if not content.strip(b"\xef\xbb\xbf \t\r\n"):
        return None, [Problem(file_name, None, None, "the file is empty", f"{layout.template} and upload it again")], []
    kind = detect(file_name, content)
    if isinstance(kind, Problem):
        return None, [kind], []
    notes: list[Interpretation] = []
    note = kind_note(file_name, kind)
    if note:
        notes.append(Interpretation(None, None, None, note=note))
    if kind == "csv":
        read_result = read_csv(file_name, content, limits, lambda samples: choose_delimiter(samples, layout))
        if isinstance(read_result, Problem):
            return None, [read_result], notes
        grid, read_notes = read_result
        grids = [grid]
    else:
        grids, read_notes = read_book(kind, content, limits)
    notes.extend(read_notes)
    table = find_table(file_name, grids, layout)
    if isinstance(table, Problem):
        return None, [table], notes
    return table, list(table.problems), notes + table.interpretations


def too_big(file_name: str, size: int, limit: int) -> Problem:
    return Problem(
        file_name,
        None,
        None,
        f"the file is {size:,} bytes, over the limit of {limit:,} bytes",
        "A quarterly return is a few kilobytes: check you chose the right file, "
        "or split a national file into one file per AHSN",
    )


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
        filled_down = self._fill_down_problems(rows)
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

    def _fill_down_problems(self, rows) -> set[str]:
        """A quarter or AHSN written only on the first row: one problem, not one per row."""
        reported = set()
        for column in ("quarter", "ahsn"):
            position = self.table.columns[column]
            values = [(n, cells[position] if position < len(cells) else None) for n, cells in rows]
            blank = [n for n, v in values if is_blank(v)]
            given = [(n, v) for n, v in values if not is_blank(v)]
            if not blank or not given or values[0][0] != given[0][0]:
                continue
            if len({read.shown(v) for _, v in given}) == 1 and len(given) <= max(1, len(values) // 3):
                where = row_list([n for n, _ in given])
                self.problem(
                    given[0][0],
                    column,
                    f"the {LABELS[column]} is only on row{'s' if len(given) > 1 else ''} "
                    f"{where}: every trust row needs it",
                    f"Fill it down: copy {read.quoted(given[0][1])} into rows {row_list(blank)}",
                )
                reported.add(column)
        return reported

    def _is_totals(self, cell: dict) -> bool:
        for column in ("trust_code", "trust_name", "quarter", "ahsn"):
            if isinstance(cell[column], str) and _TOTALS.match(cell[column]):
                return True
        numbers = [cell[c] for c in self.table.layout.counts if not is_blank(cell[c])]
        return bool(numbers) and all(is_blank(cell.get(c)) for c in ("trust_code", "trust_name", "adoption_level"))

    def _is_note(self, cells: list) -> str | None:
        filled = [c for c in cells if not is_blank(c)]
        if len(filled) != 1 or not isinstance(filled[0], str):
            return None
        position = next(i for i, c in enumerate(cells) if not is_blank(c))
        if position == self.table.columns.get("comment"):
            return None
        text = filled[0].strip()
        return text if _NOTE.match(text) or len(text) > 40 else None

    # ---- one row ----------------------------------------------------------------------

    def _record(self, row: int, cells: list, filled_down: set[str]) -> TrustRow | None:
        columns = self.table.columns
        cell = {
            name: (cells[columns[name]] if name in columns and columns[name] < len(cells) else None)
            for name in self.table.layout.columns
        }
        note = self._is_note(cells)
        if note is not None:
            self.problem(
                row,
                None,
                f"this row holds only '{note[:50]}': it looks like a note, not a trust",
                "Delete the row, or put the note in a Notes column on its trust's row",
            )
            return None
        if self._is_totals(cell):
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
        first_seen: dict[tuple, TrustRow] = {}
        ahsn_of: dict[tuple, TrustRow] = {}
        for r in self.result.records:
            key = (r.ahsn, r.quarter, r.trust_code)
            if key in first_seen:
                self.problem(
                    r.row,
                    "trust_code",
                    f"trust {r.trust_code} is listed twice for {r.ahsn} in {r.quarter.label} "
                    f"(also row {first_seen[key].row})",
                    "Keep one row per trust; add up its referrals if they were split",
                )
                continue
            first_seen[key] = r
            other = ahsn_of.setdefault((r.quarter, r.trust_code), r)
            if other.ahsn != r.ahsn:
                self.problem(
                    r.row,
                    "trust_code",
                    f"trust {r.trust_code} is listed under {r.ahsn} here and under "
                    f"{other.ahsn} in row {other.row}, both for {r.quarter.label}",
                    "A trust belongs to one AHSN: keep it in its own AHSN's return only",
                )

    def _plausible(self) -> None:
        counts: dict[tuple[str, Quarter], int] = defaultdict(int)
        for r in self.result.records:
            counts[(r.ahsn, r.quarter)] += 1
        # the programme's own most (organisations.most_per_return), within the deployment's ceiling
        most = min(self.limits.max_trusts_per_return, self.programme.max_organisations_per_return)
        one = self.programme.organisation
        for (ahsn, q), n in counts.items():
            if n > most:
                self.result.records = []  # not kept: they are not a return
                self.found.insert(
                    0,
                    (
                        None,
                        None,
                        f"the file holds {n:,} {one} rows for {ahsn} in {q.label}; a return holds one row "
                        f"per {one}, at most {most:,}",
                        f"Check it is the right file, and that each {one} is listed once",
                    ),
                )

    def _finish(self) -> None:
        self.result.problems.extend(grouped(self.file, self.found, self.limits))
        self.result.interpretations.extend(
            readings_said(self.readings, self.formulas, {r.row for r in self.result.records}, self.empty_formulas)
        )


def formula_cells(
    table: Table,
    row: int,
    columns: dict[str, int],
    formulas: dict[str, list[int]],
    problem,
    empty: dict[str, list[int]] | None = None,
) -> set[str]:
    """A row's formula cells: one with a saved value is noted in `formulas` (it is read as the
    value Excel last showed), or in `empty` if that value is the empty text (=IF(...,"",...));
    one without is a problem. The columns of those, checked no further."""
    unsaved: set[str] = set()
    for name, position in columns.items():
        saved = table.grid.formulas.get((row, position))
        if saved and empty is not None and (row, position) in table.grid.empty_texts:
            empty[name].append(row)
        elif saved:
            formulas[name].append(row)
        elif saved is not None:
            problem(
                row,
                name,
                f"cell {column_letter(position)}{row} holds a formula whose result was not saved in the file",
                "Open the file in Excel or LibreOffice, let it calculate, save it, "
                "and upload it again (or type the value)",
            )
            unsaved.add(name)
    return unsaved


def readings_said(
    readings: dict[tuple, list[int]],
    formulas: dict[str, list[int]],
    kept_rows: set[int],
    empty: dict[str, list[int]] | None = None,
) -> list[Interpretation]:
    """Every value read other than as typed, grouped by what was typed and how it was read
    (and why, when a key has a fourth part); the formulas of the rows kept, read as the value
    Excel last showed; and those showing the empty text, read as blank."""
    said = [
        Interpretation(key[0], key[1], key[2], tuple(rows), note=key[3] if len(key) > 3 else "")
        for key, rows in readings.items()
    ]
    for column, rows in (empty or {}).items():
        rows = [r for r in rows if r in kept_rows]
        if rows:
            one = len(rows) == 1
            said.append(
                Interpretation(
                    column,
                    None,
                    None,
                    tuple(rows),
                    note=(
                        f"{column}: {'the formula' if one else f'{len(rows)} formulas'} in row{'' if one else 's'} "
                        f'{row_list(rows)} {"shows" if one else "show"} nothing (the empty text, as =IF(...,"",...) gives) '
                        f"and {'was' if one else 'were'} read as blank"
                    ),
                )
            )
    for column, rows in formulas.items():
        rows = [r for r in rows if r in kept_rows]
        if rows:
            said.append(
                Interpretation(
                    column,
                    None,
                    None,
                    tuple(rows),
                    note=(
                        f"{column}: {'a formula' if len(rows) == 1 else f'{len(rows)} formulas'} in "
                        f"row{'s' if len(rows) > 1 else ''} {row_list(rows)} "
                        f"{'was' if len(rows) == 1 else 'were'} read as the value Excel last showed"
                    ),
                )
            )
    return said


def cut_ragged(
    table: Table, rows: list[tuple[int, list]], problem, named: str = "a trust name"
) -> list[tuple[int, list]]:
    """CSV rows with a different number of cells from the header are refused (`problem(row,
    column, message, fix)`): the values may have shifted, and missing cells are not blanks.
    `named`: the text that may hold a comma ("a trust name")."""
    if not table.grid.ragged_matters:
        return rows
    width = len(table.header)
    kept = []
    for number, cells in rows:
        n = len(cells)
        extra_blank = n > width and all(is_blank(c) for c in cells[width:])
        if n == width or extra_blank:
            kept.append((number, cells[:width]))
        elif n > width:
            problem(
                number,
                None,
                f"the row has {n} values but the header has {width} columns",
                f"Remove the extra values, or put {named} that contains a comma in double quotes",
            )
        else:
            problem(
                number,
                None,
                f"the row has {n} values but the header has {width} columns, so it is not clear which are missing",
                "Give the row one value for each column, leaving blank ones empty between commas (e.g. ,,)",
            )
    return kept


def grouped(file_name: str, found: list[tuple[int | None, str | None, str, str]], limits: ReadLimits) -> list[Problem]:
    """(row, column, message, fix) found, as Problems: the same problem on many rows is one,
    listing the rows; at most `limits.max_problems`, the rest counted."""
    by_kind: dict[tuple, list] = {}
    for row, column, message, fix in found:
        by_kind.setdefault((column, message, fix), []).append(row)
    problems = []
    for (column, message, fix), rows in by_kind.items():
        numbered = tuple(sorted({r for r in rows if r is not None}))
        problems.append(
            Problem(
                file_name,
                numbered[0] if numbered else None,
                column,
                message,
                fix,
                numbered if len(numbered) > 1 else (),
            )
        )
    most = limits.max_problems
    if len(problems) > most:
        rest = len(problems) - most
        problems = problems[:most] + [
            Problem(
                file_name,
                None,
                None,
                f"{rest:,} more problem{'s' if rest > 1 else ''} are not listed",
                "Fix the ones above and upload the file again to see the rest",
            )
        ]
    return problems
