"""Spreadsheets (.xlsx, .xls, .ods): the cells of every visible sheet, through python-calamine.

Each is inspected first, walking its parts or records exactly as calamine will (xlsx.py,
ods.py, biff.py), so that calamine only ever reads a file whose sheets, extents, cell
counts and cell lengths are within the caps. Then, on what calamine opened: it must have
read the file as the format inspected (calamine tries .xls, .xlsx, .xlsb and .ods in turn),
with the sheets inspected and no others, each named once; and each cell's text is held to
the cap again as it is read (the cap's only check for .xls, whose cells cannot be longer
than 65,535 characters).
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from etl.reading.biff import inspect_xls
from etl.reading.grid import CellError, Grid, column_letter, drop_blank_rows
from etl.reading.limits import ReadLimits
from etl.reading.ods import inspect_ods
from etl.reading.result import Interpretation
from etl.reading.scan import DAMAGED_FIX, PLAIN_COPY, TOO_LONG_FIX, Package, Refused, SheetScan, sheet_name, too_long
from etl.reading.xlsx import inspect_xlsx

NAMES = {"xlsx": "Excel", "ods": "OpenDocument", "xls": "Excel"}


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def inspect_ole2(content: bytes, limits: ReadLimits) -> Package:
    """An OLE2 compound file is an .xls, or an .xlsx Excel encrypted with a password, or a
    Word or other Office file."""
    if _utf16("EncryptedPackage") in content:
        raise Refused(
            "the Excel file is password-protected (encrypted)",
            "Remove the password (in Excel: File > Info > Protect Workbook > Encrypt with "
            "Password, and clear it), save, and upload it again",
        )
    if _utf16("_VBA_PROJECT_CUR") in content:
        raise Refused(
            "the workbook contains macros, which a return must not hold",
            "In Excel use File > Save As and choose 'Excel Workbook (.xlsx)': that copy "
            "has no macros. Upload that copy",
        )
    if _utf16("WordDocument") in content:
        raise Refused(
            "this is a Word document, not a spreadsheet", "Put the return in the Excel template and upload that"
        )
    if _utf16("Workbook") not in content and _utf16("Book") not in content:
        raise Refused(
            "this is an Office file but not an Excel workbook", "Upload the return itself, as .xlsx, .xls, .ods or CSV"
        )
    return inspect_xls(content, limits)


INSPECT = {"xlsx": inspect_xlsx, "ods": inspect_ods, "xls": inspect_ole2}


def read_book(kind: str, content: bytes, limits: ReadLimits) -> tuple[list[Grid], list[Interpretation]]:
    """Every visible sheet's cells, or Refused."""
    package = INSPECT[kind](content, limits)
    import python_calamine  # only files that are spreadsheets pay for it

    name = NAMES[kind]
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(BytesIO(content))
        metadata = book.sheets_metadata
    except python_calamine.PasswordError:
        raise Refused(
            f"the {name} file is password-protected (encrypted)", "Remove the password, save, and upload it again"
        ) from None
    except BaseException as err:  # calamine's errors, and a Rust panic (a BaseException)
        if isinstance(err, (KeyboardInterrupt, SystemExit, MemoryError)):
            raise
        raise Refused(f"the {name} file cannot be opened ({_plain(err)})", DAMAGED_FIX) from None
    _same_as_inspected(kind, package, book, [m.name for m in metadata], python_calamine)
    hidden = [m.name for m in metadata if str(m.visible).rsplit(".", 1)[-1] != "Visible"]
    if hidden:
        raise Refused(
            f"the workbook has hidden sheet{'s' if len(hidden) > 1 else ''} "
            f"{', '.join(sheet_name(n) for n in hidden)}: what you see is not all the file holds",
            "Right-click a sheet tab > Unhide, and delete the sheets that are not the "
            "return; or " + PLAIN_COPY[0].lower() + PLAIN_COPY[1:],
        )
    scans = {s.name: s for s in package.sheets}
    if len(package.sheets) == len(metadata):  # an .xls's names may be decoded differently: by position
        scans.update({m.name: s for m, s in zip(metadata, package.sheets) if m.name not in scans})
    grids: list[Grid] = []
    cells = 0
    for meta in metadata:
        if str(meta.typ).rsplit(".", 1)[-1] != "WorkSheet":
            continue  # chart sheets hold no cells
        try:
            values = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
        except BaseException as err:
            if isinstance(err, (KeyboardInterrupt, SystemExit, MemoryError)):
                raise
            raise Refused(
                f"sheet {sheet_name(meta.name)} of the {name} file cannot be read ({_plain(err)})", DAMAGED_FIX
            ) from None
        if len(values) > limits.max_rows or any(len(r) > limits.max_columns for r in values[:1]):
            raise Refused(
                f"sheet {sheet_name(meta.name)} has {len(values):,} rows and "
                f"{max((len(r) for r in values), default=0)} columns, far more than a return",
                "Delete every row and column outside the return, save, and upload it again",
            )
        scan = scans.get(meta.name)
        rows = []
        for number, row in enumerate(values, start=1):
            for col, value in enumerate(row):
                if value != "":
                    cells += 1
                    if isinstance(value, str) and len(value) > limits.max_cell_chars:
                        raise Refused(
                            too_long(
                                limits.max_cell_chars, f"{column_letter(col)}{number} of sheet {sheet_name(meta.name)}"
                            ),
                            TOO_LONG_FIX,
                            number,
                        )
            rows.append((number, [_cell(v) for v in row]))
        for (r, c), text in scan.errors.items() if scan else ():
            if r <= len(rows) and c < len(rows[r - 1][1]):
                rows[r - 1][1][c] = CellError(text)  # calamine reads an error as blank
        rows = [(n, _trim(cells_)) for n, cells_ in rows]
        if cells > limits.max_cells:
            raise Refused(f"the workbook has more than {limits.max_cells:,} filled cells", "Check it is the right file")
        grids.append(_grid(meta.name, drop_blank_rows(rows), scan))
    interpretations = []
    if kind == "xls":
        interpretations.append(
            Interpretation(
                None,
                None,
                None,
                note="an .xls file (Excel 97-2003): any formula in it is read as the value Excel last showed",
            )
        )
    return grids, interpretations


def _grid(name: str, rows: list, scan: SheetScan | None) -> Grid:
    """A sheet's cells, with what inspecting it found: formulas, hidden rows and columns, merged cells."""
    if scan is None:
        return Grid(name, rows)
    return Grid(
        name,
        rows,
        formulas=dict(scan.formulas),
        empty_texts=set(scan.empty_texts),
        hidden_rows=list(scan.hidden_rows),
        filtered=scan.filtered,
        merges=list(scan.merges),
        hidden_cols=list(scan.hidden_cols),
    )


def _same_as_inspected(kind: str, package: Package, book, names: list[str], calamine) -> None:
    """calamine opened the file as the format inspected, with the sheets inspected: the
    same names, in the same order, each once (two sheets of one name would read one twice)."""
    try:
        book.table_names  # noqa: B018 (an .xlsx without its tables loaded says so; any other format cannot)
        opened_as_xlsx = True
    except calamine.TablesNotLoaded:
        opened_as_xlsx = True
    except Exception:
        opened_as_xlsx = False
    if opened_as_xlsx != (kind == "xlsx"):
        raise Refused(
            f"the {NAMES[kind]} file is also another kind of spreadsheet, so it could be read two ways", DAMAGED_FIX
        )
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise Refused(
            f"the workbook has two sheets called {sheet_name(twice)}",
            "Rename one of them (sheet names differ in Excel), save, and upload it again",
        )
    inspected = [s.name for s in package.sheets]
    if names != inspected and (kind != "xls" or len(names) != len(inspected)):
        missed = next((n for n in names if n not in inspected), names[0] if names else "?")
        raise Refused(
            f"sheet {sheet_name(missed)} is not one that was checked before reading, so the file "
            "says two different things about its sheets",
            DAMAGED_FIX,
        )


def _trim(row: list) -> list:
    end = len(row)
    while end and (row[end - 1] == "" or row[end - 1] is None):
        end -= 1
    return row[:end]


def _cell(value):
    if isinstance(value, str):
        if value.startswith("#") and value in EXCEL_ERRORS:
            return CellError(value)
        return value
    if isinstance(value, (bool, int, float, dt.date, dt.datetime, dt.time, dt.timedelta)):
        return value
    return CellError(str(value))


EXCEL_ERRORS = {
    "#N/A",
    "#REF!",
    "#DIV/0!",
    "#VALUE!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#GETTING_DATA",
    "#SPILL!",
    "#CALC!",
}


def _plain(err: Exception) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text[:120]
