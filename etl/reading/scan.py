"""What looking into a workbook before the reader finds, and the caps it is held to as it goes.

Each format's inspection (etl/reading/xlsx.py, ods.py, biff.py) walks the sheets exactly as
python-calamine will, and reports each sheet and each filled cell to one `Budget`, which
refuses the file as soon as it passes a cap: more sheets than `max_sheets`, a sheet reaching
past `max_rows` or `max_columns`, more filled cells than `max_cells`, more cells to go
through (each sheet's rectangle from A1 to its farthest cell, declared or actual) than
`max_scanned_cells`, or a cell of more than `max_cell_chars` characters. So the cost of
reading is bounded by the work the reader will do, not by the file's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from etl.quarters import shortened
from etl.reading.grid import column_letter
from etl.reading.limits import ReadLimits

PLAIN_COPY = (
    "To send a plain copy: select the return's cells, copy them, paste them into a new "
    "workbook with Paste Special > Values, and save that as an Excel Workbook (.xlsx)"
)
DAMAGED_FIX = "Open it in Excel or LibreOffice, save it again as .xlsx, and upload that copy"
CROPPED_FIX = (
    "Delete every row and column below and to the right of the return (select them, "
    "right-click > Delete), save, and upload it again. "
)


class Refused(Exception):
    """Why the file cannot be read: `message` and `fix` for a person, and the row of the
    sheet or file it is about, when it is about one cell."""

    def __init__(self, message: str, fix: str, row: int | None = None):
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.row = row


def too_long(limit: int, cell: str | None = None) -> str:
    """The one message for a cell over `max_cell_chars`, in every format."""
    return (
        f"{'cell ' + cell if cell else 'a cell'} holds more than {limit:,} characters; no value of a "
        "return is that long"
    )


TOO_LONG_FIX = "Check the cell: shorten it, or delete what was pasted into it by mistake"


def sheet_name(name: str) -> str:
    return f"'{shortened(name)}'"


@dataclass
class SheetScan:
    name: str
    part: str  # the part of a zip that holds it, or "" (.xls)
    hidden: bool = False
    declared: tuple[int, int] | None = None  # (rows, columns) the sheet says it spans
    max_row: int = 0  # 1-based extent of the cells holding something
    max_col: int = 0
    cells: int = 0  # cells holding something
    formulas: dict[tuple[int, int], bool] = field(default_factory=dict)  # (row, col0) -> value kept
    # (row, col0) -> the Excel error a cell shows (#N/A): calamine would read it as blank
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    # formula cells whose saved value is the empty text (Excel's =IF(...,"",...)): calamine
    # reads them as blank, which is what they show
    empty_texts: set[tuple[int, int]] = field(default_factory=set)
    # hidden rows as (first, last, 1-based) ranges: an .ods hides a million rows in one element
    hidden_rows: list[tuple[int, int]] = field(default_factory=list)
    # whether the sheet has an autofilter (its hidden rows may be the ones filtered out)
    filtered: bool = False
    # merged ranges as (first row, first column, last row, last column): rows 1-based,
    # columns 0-based, as a cell is placed
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    # hidden columns as (first, last, 0-based) ranges: a sheet may hide every column after the return
    hidden_cols: list[tuple[int, int]] = field(default_factory=list)

    def hide_cols(self, first: int, last: int) -> None:
        """Columns first to last (0-based) are hidden."""
        if first <= last:
            self.hidden_cols.append((first, last))

    def hide_rows(self, first: int, last: int) -> None:
        """Rows first to last (1-based) are hidden; a run of hidden rows is kept as one range."""
        if self.hidden_rows and self.hidden_rows[-1][1] + 1 == first:
            self.hidden_rows[-1] = (self.hidden_rows[-1][0], last)
        else:
            self.hidden_rows.append((first, last))

    @property
    def area(self) -> int:
        """Cells the reader goes through for it: from A1 to its farthest cell, declared or held."""
        rows, cols = self.declared or (0, 0)
        return max(rows, self.max_row) * max(cols, self.max_col)


@dataclass
class Package:
    kind: str  # "xlsx", "ods" or "xls"
    sheets: list[SheetScan]


class Budget:
    """The caps of `limits`, spent sheet by sheet and cell by cell; Refused when one is passed.
    `what` names the file for a person ("workbook", "spreadsheet")."""

    def __init__(self, limits: ReadLimits, what: str = "workbook"):
        self.limits, self.what = limits, what
        self.cells_left = limits.max_cells
        self.elements_left = limits.max_elements  # spent by the XML walks (xlsx.py, ods.py)
        self.scanned_before = 0  # cells to go through on the sheets finished
        self.merges_left = limits.max_merges

    def sheets(self, count: int) -> None:
        if count > self.limits.max_sheets:
            raise Refused(
                f"the {self.what} has {count:,} sheets; a return is one sheet, and at most "
                f"{self.limits.max_sheets} are read",
                "Delete the sheets that are not the return, save, and upload it again. " + PLAIN_COPY,
            )

    def declared(self, sheet: SheetScan, rows: int, cols: int, ref: str) -> None:
        """What a sheet says it spans (an .xlsx's dimension, an .xls's DIMENSIONS record)."""
        last = sheet.declared or (0, 0)
        sheet.declared = (max(rows, last[0]), max(cols, last[1]))
        if rows > self.limits.max_rows or cols > self.limits.max_columns:
            self._far(sheet, f"says it spans {ref}")
        self._scanned(sheet, f"says it spans {ref}")

    def cell(self, sheet: SheetScan, row: int, col: int, repeat_rows: int = 1, repeat_cols: int = 1) -> None:
        """A filled cell at `row` (1-based), `col` (0-based); an .ods cell may stand for a block."""
        count = repeat_rows * repeat_cols
        sheet.cells += count
        self.cells_left -= count
        if self.cells_left < 0:
            raise Refused(
                f"the {self.what} has more than {self.limits.max_cells:,} filled cells; a return has "
                "about 9 for each trust",
                "Check it is the right file. " + PLAIN_COPY,
            )
        last_row, last_col = row + repeat_rows - 1, col + repeat_cols
        if last_row > sheet.max_row or last_col > sheet.max_col:
            sheet.max_row, sheet.max_col = max(sheet.max_row, last_row), max(sheet.max_col, last_col)
            where = f"has something in cell {column_letter(last_col - 1)}{last_row}"
            if last_row > self.limits.max_rows or last_col > self.limits.max_columns:
                self._far(sheet, where)
            self._scanned(sheet, where)

    def text(self, sheet: SheetScan, row: int, col: int, characters: int) -> None:
        """The characters of the cell at `row`, `col` (as for `cell`)."""
        if characters > self.limits.max_cell_chars:
            raise Refused(
                too_long(self.limits.max_cell_chars, f"{column_letter(col)}{row} of sheet {sheet_name(sheet.name)}"),
                TOO_LONG_FIX,
                row,
            )

    def merge(self, sheet: SheetScan, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        """A merged range of cells (rows 1-based, columns 0-based)."""
        first_row, last_row = min(first_row, last_row), max(first_row, last_row)
        first_col, last_col = min(first_col, last_col), max(first_col, last_col)
        if last_row == first_row and last_col == first_col:
            return  # one cell merged with itself
        sheet.merges.append((first_row, first_col, last_row, last_col))
        self.merges_left -= 1
        if self.merges_left < 0:
            raise Refused(
                f"the {self.what} has more than {self.limits.max_merges:,} merged ranges of cells; a "
                "return has none or a few",
                "Check it is the right file. " + PLAIN_COPY,
            )

    def too_many_elements(self) -> None:
        raise Refused(
            f"the {self.what}'s sheets are made of more than {self.limits.max_elements:,} pieces "
            "of XML (cells, rows, formatting); a return is made of a few thousand",
            "Check it is the right file. " + PLAIN_COPY,
        )

    def done(self, sheet: SheetScan) -> None:
        self.scanned_before += sheet.area

    def _far(self, sheet: SheetScan, where: str) -> None:
        raise Refused(
            f"sheet {sheet_name(sheet.name)} {where}, far outside any return (at most "
            f"{self.limits.max_rows:,} rows and {self.limits.max_columns} columns are read)",
            CROPPED_FIX + PLAIN_COPY,
        )

    def _scanned(self, sheet: SheetScan, where: str) -> None:
        total = self.scanned_before + sheet.area
        if total > self.limits.max_scanned_cells:
            raise Refused(
                f"the {self.what}'s sheets reach over {self.limits.max_scanned_cells:,} cells from A1 to their "
                f"farthest cells (sheet {sheet_name(sheet.name)} {where}), more than are read; a return "
                "reaches a few hundred",
                "Delete the sheets that are not the return, and on the return's sheet every row and column "
                "below and to the right of it, save, and upload it again. " + PLAIN_COPY,
            )
