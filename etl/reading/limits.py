"""What reading one uploaded file may cost: every cap in one frozen dataclass.

The caps are far above any real return (5 to 20 trusts, 8 or 9 columns, a few kilobytes)
and far below what would hurt a worker. They bound the work, not only the bytes: a 58 KB
workbook can ask the reader to go through 300 million cells. Each is checked before the
spreadsheet library runs (etl/reading/zipcheck.py for .xlsx and .ods, etl/reading/biff.py
for .xls), and again on what it gives back. They are parameters, not settings read here:
the caller (the store, the build) decides where they come from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class ReadLimits:
    # the file as sent (METRICS_MAX_UPLOAD_BYTES)
    max_bytes: int = 5 * 1024 * 1024
    # organisation rows for one AHSN in one quarter, for every programme (METRICS_MAX_TRUSTS_PER_RETURN):
    # each programme's own most (organisations.most_per_return: TCAM 300) applies within it
    max_trusts_per_return: int = 10_000
    # rows and columns of the table read, declared by a sheet or found in it
    max_rows: int = 20_000
    max_columns: int = 100
    # cells with a value, over every sheet read
    max_cells: int = 250_000
    # Sheets in a workbook. A return is one sheet, perhaps beside an instructions sheet;
    # a workbook kept with a sheet for every quarter since 2018 has about 30.
    max_sheets: int = 50
    # Cells the reader goes through, filled or not: for each sheet the rectangle from A1 to
    # its farthest cell (the larger of what the sheet declares and what it holds), added
    # over every sheet. The reader builds every cell of that rectangle, about 0.1 s of CPU per
    # 200,000 cells, so this is about half a second; a national file of 20,000 rows of 9
    # columns is 180,000. A workbook of 150 sheets each reaching CV20000 is 300 million.
    max_scanned_cells: int = 1_000_000
    # XML elements in the sheets of an .xlsx or .ods: what inspecting one costs (a filled cell
    # is two or three; empty cells and rows cost as much to go through and count for nothing)
    max_elements: int = 1_000_000
    # Characters in one cell, in every format. A return's longest value is a comment (at
    # most 1,000 characters): ten times that is room for any real cell.
    max_cell_chars: int = 10_000
    # Merged ranges of cells over every sheet: a return has none, or an AHSN or quarter typed
    # once down its rows; each is checked against the table's rows
    max_merges: int = 1_000
    # .xlsx / .ods: parts in the zip, unpacked size of one part and of all of them
    max_parts: int = 200
    max_part_bytes: int = 20 * 1024 * 1024
    max_unpacked_bytes: int = 50 * 1024 * 1024
    # problems reported one by one; the rest are counted
    max_problems: int = 100
    # The child process that reads the file: address space, and seconds, both of the wall
    # clock (the parent kills it) and of CPU (the kernel stops it, even with no parent)
    memory_bytes: int = 768 * 1024 * 1024
    seconds: float = 20.0

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> ReadLimits:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})
