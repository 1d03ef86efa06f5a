"""The cells of one sheet (or a CSV), as read, before anything is interpreted.

A cell is a str (CSV, and text in a spreadsheet) or what the spreadsheet stored: float,
bool, datetime.date/datetime/time/timedelta, or CellError. Row numbers are the ones a
spreadsheet shows (1 is the first line of the file or sheet).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CellError:
    """An Excel error value shown in a cell (#N/A, #REF!, #DIV/0!)."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Grid:
    # "" for a CSV, else the sheet's name
    sheet: str
    # (spreadsheet row number, cells), fully blank rows left out
    rows: list[tuple[int, list]]
    # CSV rows keep their exact cell count, so a ragged row can be refused; in a spreadsheet
    # a row is as wide as the sheet
    ragged_matters: bool = False
    # (row, column index) of formula cells: True if the file kept the value last shown
    formulas: dict[tuple[int, int], bool] = field(default_factory=dict)
    # formula cells whose saved value is the empty text (=IF(...,"",...)): read as blank, said so
    empty_texts: set[tuple[int, int]] = field(default_factory=set)
    # rows hidden in the sheet, as (first, last) ranges; `filtered`: the sheet has an autofilter
    hidden_rows: list[tuple[int, int]] = field(default_factory=list)
    filtered: bool = False
    # merged cells: (first row, first column index, last row, last column index)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    # columns hidden in the sheet, as (first, last, 0-based) ranges
    hidden_cols: list[tuple[int, int]] = field(default_factory=list)

    def column_hidden(self, index: int) -> bool:
        return any(first <= index <= last for first, last in self.hidden_cols)

    def hidden_among(self, rows) -> list[int]:
        """Which of these row numbers are hidden in the sheet (ranges sorted, by bisection)."""
        if not self.hidden_rows:
            return []
        ranges = sorted(self.hidden_rows)
        firsts = [first for first, _ in ranges]
        out = []
        for r in rows:
            at = bisect.bisect_right(firsts, r) - 1
            if at >= 0 and ranges[at][1] >= r:
                out.append(r)
        return out


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def drop_blank_rows(rows: list[tuple[int, list]]) -> list[tuple[int, list]]:
    return [(n, cells) for n, cells in rows if any(not is_blank(c) for c in cells)]
