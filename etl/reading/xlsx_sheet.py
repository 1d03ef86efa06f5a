"""One worksheet of an .xlsx walked as python-calamine walks it, and the shared strings too long
for a cell (etl/reading/xlsx.py finds the sheets first).

In each sheet, cells are placed as calamine places them (cells_reader.rs): only inside the
first `sheetData`; a `row` without `r` is the one after the last; a cell without `r` is the
one after the last in its row; `r` is read as letters then digits, and anything else there is
refused (calamine would fail or place the cell far away). A cell holds a value when its last
child is `is`, or a `v` with a value (calamine reads a `v` before an `f` as empty).
"""

from __future__ import annotations

import functools
import re

from etl.reading.limits import ReadLimits
from etl.reading.scan import DAMAGED_FIX, Budget, Refused, SheetScan, sheet_name
from etl.reading.zipcheck import Parts, local_name, scan_xml

MAX_XLSX_COLUMNS = 16_384  # XFD, Excel's last column
_ROW_REF = re.compile(r"[A-Za-z]{0,3}([0-9]{1,7})")
_CELL_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")


def long_shared_strings(parts: Parts, folder: str, limits: ReadLimits) -> set[int]:
    """The positions of the shared strings longer than a cell may be (a cell refers to one by
    its position; calamine reads `<folder>sharedStrings.xml`)."""
    data = parts.get(folder + "sharedStrings.xml")
    if data is None:
        return set()
    long: set[int] = set()
    state = {"index": -1, "chars": 0}

    def start(tag, attrs):
        if local_name(tag) == "si":
            state["index"] += 1
            state["chars"] = 0

    def text(chunk):
        state["chars"] += len(chunk)
        if state["chars"] > limits.max_cell_chars:
            long.add(state["index"])

    scan_xml(data, start, text=text, part=folder + "sharedStrings.xml")
    return long


def scan_sheet(sheet: SheetScan, data: bytes, budget: Budget, long_strings: set[int]) -> None:
    """Each cell where calamine puts it, reported to `budget`; formulas and Excel errors noted.
    (Written for speed: a sheet may hold 250,000 cells, each a few callbacks from expat.)"""
    local_names: dict[str, str] = {}
    in_data = done = False
    row = col = 0  # 0-based, as calamine counts (row_index, col_index)
    in_cell = False
    # the cell being read: where, its type, how deep inside it, its last child, the characters
    # of its value, the start of its value, whether it has a formula
    c_row = c_col = depth = chars = last_chars = 0
    c_type = last = None
    value = ""
    formula = False
    elements = budget.elements_left

    def start(tag, attrs):
        nonlocal in_data, row, col, in_cell, c_row, c_col, depth, chars, last_chars, c_type, last, value, formula
        nonlocal elements
        elements -= 1
        if elements < 0:
            budget.too_many_elements()
        if done:  # after the cells: the merged ranges and the autofilter
            name = local_names.get(tag) or local_names.setdefault(tag, local_name(tag))
            if name == "mergeCell":
                _merge(sheet, attrs.get("ref"), budget)
            elif name == "autoFilter":
                sheet.filtered = True
            return
        name = local_names.get(tag) or local_names.setdefault(tag, local_name(tag))
        if in_cell:
            if depth == 0:  # a child of the cell: its last one decides its value
                last = name
                last_chars = 0
            depth += 1
            if name == "f":
                formula = True
        elif not in_data:
            if name == "dimension":
                _dimension(sheet, attrs, budget)
            elif name == "col" and attrs.get("hidden") in ("1", "true"):
                _hidden_columns(sheet, attrs)
            elif name == "sheetData":
                in_data = True
        elif name == "c":
            r = attrs.get("r")
            if r is None:
                c_row, c_col = row, col
            else:
                c_row, c_col = _cell_of(r, sheet)
                col = c_col
            in_cell, c_type, depth, last, chars, last_chars, value, formula = (
                True,
                attrs.get("t"),
                0,
                None,
                0,
                0,
                "",
                False,
            )
        elif name == "row":
            r = attrs.get("r")
            if r is not None:
                row = _row_of(r, sheet)
            if attrs.get("hidden") in ("1", "true"):
                sheet.hide_rows(row + 1, row + 1)

    def text(chunk):
        nonlocal chars, last_chars, value
        if in_cell and depth > 0 and (last == "v" or last == "is"):
            chars += len(chunk)
            last_chars += len(chunk)
            if len(value) < 20:
                value += chunk

    def end(tag):
        nonlocal in_cell, depth, row, col, done
        if done or not in_data:
            return
        if in_cell:
            if depth > 0:
                depth -= 1
                return
            in_cell = False
            col += 1
            _cell_done(sheet, budget, long_strings, c_row + 1, c_col, c_type, last, last_chars, chars, value, formula)
            return
        name = local_names.get(tag) or local_names.setdefault(tag, local_name(tag))
        if name == "row":
            row += 1
            col = 0
        elif name == "sheetData":
            done = True

    scan_xml(data, start, end, text, part=sheet.part)
    budget.elements_left = elements


def _cell_done(
    sheet: SheetScan,
    budget: Budget,
    long_strings: set[int],
    row: int,
    col: int,
    kind: str | None,
    last: str | None,
    last_chars: int,
    chars: int,
    value: str,
    formula: bool,
) -> None:
    if last == "is":
        filled = True
    elif last == "v":
        filled = kind not in ("inlineStr", "is") and (last_chars > 0 or kind in ("b", "e", "str", "d"))
    else:
        filled = False  # no value, or a formula after its value (calamine reads it as empty)
    if formula:
        # Excel saves a formula showing the empty text (=IF(G2="","",...)) as a string with
        # no characters, with an empty <v> or none: a value, the empty text, not one unsaved
        if kind == "str" and chars == 0:
            sheet.empty_texts.add((row, col))
            filled = False
            sheet.formulas[(row, col)] = True
        else:
            sheet.formulas[(row, col)] = filled
    if not filled:
        return
    budget.cell(sheet, row, col)
    if chars > budget.limits.max_cell_chars:
        budget.text(sheet, row, col, chars)
    if kind == "s" and long_strings:
        try:
            index = int(value.strip())
        except ValueError:
            index = -1
        if index in long_strings:
            budget.text(sheet, row, col, budget.limits.max_cell_chars + 1)
    if kind == "e":
        sheet.errors[(row, col)] = value.strip() or "#N/A"


def _merge(sheet: SheetScan, ref: str | None, budget: Budget) -> None:
    """A merged range (mergeCell ref="A2:A8"), kept to say how its cells are read."""
    corners = [_cell_of(corner, sheet) for corner in (ref or "").split(":")] if ref else []
    if len(corners) == 1:
        return  # one cell merged with itself: nothing merged
    if len(corners) != 2:
        raise Refused(
            f"the Excel file is damaged: sheet {sheet_name(sheet.name)} merges a range called '{(ref or '')[:20]}'",
            DAMAGED_FIX,
        )
    (r1, c1), (r2, c2) = corners
    budget.merge(sheet, min(r1, r2) + 1, min(c1, c2), max(r1, r2) + 1, max(c1, c2))


def _hidden_columns(sheet: SheetScan, attrs: dict) -> None:
    """<col min="3" max="4" hidden="1"/>: columns C to D (1-based, as Excel numbers them) hidden."""
    try:
        first, last = int(attrs.get("min", "")), int(attrs.get("max", attrs.get("min", "")))
    except ValueError:
        first = last = 0
    if not 1 <= first <= last <= MAX_XLSX_COLUMNS:
        raise Refused(
            f"the Excel file is damaged: sheet {sheet_name(sheet.name)} hides columns "
            f"'{str(attrs.get('min'))[:10]}' to '{str(attrs.get('max'))[:10]}'",
            DAMAGED_FIX,
        )
    sheet.hide_cols(first - 1, last - 1)


def _dimension(sheet: SheetScan, attrs: dict, budget: Budget) -> None:
    ref = attrs.get("ref")
    if ref is None:
        raise Refused(
            f"the Excel file is damaged: sheet {sheet_name(sheet.name)} has a dimension without a range", DAMAGED_FIX
        )
    corners = [_cell_of(corner, sheet) for corner in ref.split(":")]
    if len(corners) > 2:
        raise Refused(
            f"the Excel file is damaged: sheet {sheet_name(sheet.name)} has a range of three corners", DAMAGED_FIX
        )
    last_row, last_col = corners[-1]
    budget.declared(sheet, last_row + 1, last_col + 1, ref)


def _row_of(ref: str, sheet: SheetScan) -> int:
    """A row's r (0-based), read as calamine's get_row: letters ignored, then digits."""
    m = _ROW_REF.fullmatch(ref)
    if m is None or int(m.group(1)) == 0:
        raise Refused(
            f"the Excel file is damaged: sheet {sheet_name(sheet.name)} has a row numbered '{ref[:20]}'", DAMAGED_FIX
        )
    return int(m.group(1)) - 1


def _cell_of(ref: str, sheet: SheetScan) -> tuple[int, int]:
    """A cell reference (0-based row and column), read as calamine's get_row_column."""
    m = _CELL_REF.fullmatch(ref)
    if m is None or m.group(2) == "0" * len(m.group(2)):
        raise Refused(
            f"the Excel file is damaged: sheet {sheet_name(sheet.name)} has a cell called '{ref[:20]}'", DAMAGED_FIX
        )
    return int(m.group(2)) - 1, _column(m.group(1))


@functools.lru_cache(maxsize=4096)
def _column(letters: str) -> int:
    """'A' -> 0, 'aa' -> 26 (a sheet has a few columns, each met on every row)."""
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return col - 1
