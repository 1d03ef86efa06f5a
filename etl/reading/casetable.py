"""A case table on its own (the cases of a QCA, as the review's Table 8.3): its header and
cells, read with the same pieces as a return, before anything is interpreted.

    case,EXPLICIT,NONDELAY,ADOPT,...,OUTCOME
    1,1,0,1,...,0

Which columns matter (the conditions and the outcome chosen) is decided by whoever runs the
analysis, after reading, so this finds the table by its `case` column, keeps every column's
name and every cell as the file holds it, and leaves the 0s and 1s to
etl.pathways.cases, outside the child. It refuses what every reading refuses (hostile or
oversized files, hidden sheets, macros, control characters, ragged CSV rows) and says how
it read the file (encoding, delimiter, sheet, title rows). Runs inside the reading child
process (etl.reading.child), so it imports no pandas.
"""

from __future__ import annotations

import datetime as dt
import math

from etl.problems import Problem
from etl.programmes import Programme
from etl.reading.book import read_book
from etl.reading.cells import shown
from etl.reading.check_parts import cut_ragged, grouped, too_big
from etl.reading.grid import CellError, Grid, is_blank
from etl.reading.headings import header_key
from etl.reading.kinds import detect, kind_note
from etl.reading.limits import ReadLimits
from etl.reading.result import Interpretation, ParsedCaseTable
from etl.reading.table import Table
from etl.reading.text import read_csv
from etl.reading.zipcheck import Refused

# What people write as the heading of the case column, after header_key() has tidied it
# ("Case no." and "Case number" become "case"). An AHSN's name is a case's id too: the
# national team's file of each AHSN's spread conditions is read by this reader
# (etl/pathways/conditions_file.py).
CASE_KEYS = {"case", "case id", "id", "case ref", "case name", "case code", "case label", "ahsn", "ahsn name"}
LOOK = 20  # the header is looked for in each sheet's first rows
HOW = (
    "Give the table a header row: case, then one column for each condition and one for the "
    "outcome, each cell 0 or 1 (as the review's Table 8.3)"
)


def check_case_table_file(
    file_name: str, content: bytes, programme: Programme, limits: ReadLimits, today: dt.date | None = None
) -> ParsedCaseTable:
    """Bytes in, the case table's header and cells or problems out (`programme` and `today`
    are the reading child's common arguments; a case table needs neither)."""
    result = ParsedCaseTable(file_name)
    try:
        _read(result, content, limits)
    except Refused as refused:
        result.problems = [Problem(file_name, None, None, refused.message, refused.fix)]
        result.rows = []
    return result


def _read(result: ParsedCaseTable, content: bytes, limits: ReadLimits) -> None:
    file_name = result.file_name
    if len(content) > limits.max_bytes:
        result.problems.append(too_big(file_name, len(content), limits.max_bytes))
        return
    if not content.strip(b"\xef\xbb\xbf \t\r\n"):
        result.problems.append(Problem(file_name, None, None, "the file is empty", HOW))
        return
    kind = detect(file_name, content)
    if isinstance(kind, Problem):
        result.problems.append(kind)
        return
    note = kind_note(file_name, kind)
    if note:
        result.interpretations.append(Interpretation(None, None, None, note=note))
    if kind == "csv":
        read = read_csv(file_name, content, limits, _choose_delimiter)
        if isinstance(read, Problem):
            result.problems.append(read)
            return
        grid, notes = read
        grids = [grid]
    else:
        grids, notes = read_book(kind, content, limits)
    result.interpretations.extend(notes)
    found = [(g, _header_at(g.rows)) for g in grids]
    with_header = [(g, at) for g, at in found if at is not None]
    if not with_header:
        result.problems.append(Problem(file_name, None, None, "no row of the file names a case column", HOW))
        return
    if len(with_header) > 1:
        names = [f"'{g.sheet}'" for g, _ in with_header]
        result.problems.append(
            Problem(
                file_name,
                None,
                None,
                f"sheets {', '.join(names[:-1])} and {names[-1]} each hold a case table",
                "Keep one case table in the file: delete the other sheets, or save each as a file of its own",
            )
        )
        return
    grid, at = with_header[0]
    _say_where(result, grids, grid, at)
    header_row, header = grid.rows[at]
    table = Table(grid, header_row, header, {}, grid.rows[at + 1 :])
    found_problems: list[tuple[int | None, str | None, str, str]] = []
    rows = cut_ragged(table, table.rows, lambda *p: found_problems.append(p), named="a case id")
    result.problems.extend(grouped(file_name, found_problems, limits))
    result.sheet = grid.sheet
    result.header_row = header_row
    result.header = [shown(c) for c in header]
    result.rows = [(number, [_plain(c) for c in cells]) for number, cells in rows]
    result.formulas = sorted((r, c, saved) for (r, c), saved in grid.formulas.items() if r > header_row)


def _header_at(rows: list[tuple[int, list]]) -> int | None:
    """Index of the first of the first rows that has a case column and something beside it."""
    for i, (_, cells) in enumerate(rows[:LOOK]):
        filled = [c for c in cells if not is_blank(c)]
        if len(filled) >= 2 and any(isinstance(c, str) and header_key(c) in CASE_KEYS for c in filled):
            return i
    return None


def _choose_delimiter(samples: dict[str, list[tuple[int, list[str]]]]) -> str:
    """The delimiter whose first rows hold a header with a case column; commas when none does."""
    for delimiter, rows in samples.items():  # commas first
        if _header_at(rows) is not None:
            return delimiter
    return ","


def _say_where(result: ParsedCaseTable, grids: list[Grid], grid: Grid, at: int) -> None:
    others = [f"'{g.sheet}'" for g in grids if g is not grid and g.rows]
    if others:
        result.interpretations.append(
            Interpretation(
                None,
                None,
                None,
                note=(
                    f"the case table was read from sheet '{grid.sheet}'; {', '.join(others)} "
                    f"{'hold' if len(others) > 1 else 'holds'} no case table and {'were' if len(others) > 1 else 'was'} "
                    "not read"
                ),
            )
        )
    if at > 0:
        skipped = [n for n, _ in grid.rows[:at]]
        span = f"row {skipped[0]}" if len(skipped) == 1 else f"rows {skipped[0]}-{skipped[-1]}"
        result.interpretations.append(
            Interpretation(
                None,
                None,
                None,
                note=(
                    f"the header row is row {grid.rows[at][0]}: {span} above it "
                    f"{'is' if len(skipped) == 1 else 'are'} skipped"
                ),
            )
        )


def _plain(cell):
    """A cell as JSON can carry it: text, a number, TRUE/FALSE or blank as they are; a date,
    a time or an Excel error as {"kind": ..., "shown": how a person sees it}."""
    if cell is None or isinstance(cell, (str, bool, int)):
        return cell
    if isinstance(cell, float):
        return cell if math.isfinite(cell) else {"kind": "number", "shown": str(cell)}
    if isinstance(cell, CellError):
        return {"kind": "error", "shown": cell.text}
    return {"kind": "date", "shown": shown(cell)}
