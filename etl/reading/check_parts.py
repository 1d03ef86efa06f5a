"""The parts every file's check shares (a return, a trajectory file, a case table): opening the
file's table, a file too big, CSV rows of the wrong width, formula cells, the values read other
than as typed said once, and the same problem on many rows grouped into one."""

from __future__ import annotations

import re

from etl.problems import Problem, row_list
from etl.reading.book import read_book
from etl.reading.grid import column_letter, is_blank
from etl.reading.headings import Layout
from etl.reading.kinds import detect, kind_note
from etl.reading.limits import ReadLimits
from etl.reading.result import Interpretation
from etl.reading.table import Table, choose_delimiter, find_table
from etl.reading.text import read_csv

# a row holding only a note under the table ("Notes: ...", "Source: ...")
NOTE = re.compile(r"^\s*(notes?|n\.?b\.?|source|\*|please|figures|data)\b", re.IGNORECASE)


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
