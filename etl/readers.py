"""Turn the bytes of an uploaded return (CSV or .xlsx) into a header and rows of text.

Reading knows nothing of TCAM: it only gets cells out of a file, or says in plain words
why it cannot. Row numbers are the ones a spreadsheet shows (the header is row 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from etl.problems import Problem

XLSX_MAGIC = b"PK\x03\x04"
SAVE_AS_CSV = "Open it in Excel and use File > Save As > 'CSV UTF-8 (Comma delimited)', then upload that file"


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells)


def read_table(file_name: str, content: bytes, max_bytes: int) -> Table | Problem:
    """The table in a file, or the one problem that stops it being read at all."""
    if len(content) > max_bytes:
        return Problem(
            file_name, None, None,
            f"the file is {len(content):,} bytes, over the limit of {max_bytes:,} bytes",
            "A quarterly return is a few kilobytes: check you chose the right file, "
            "or split a national file into one file per AHSN",
        )
    if not content.strip(b"\xef\xbb\xbf \t\r\n"):
        return Problem(file_name, None, None, "the file is empty",
                       "Fill in the template (python -m etl template) and upload it again")
    if content.startswith(XLSX_MAGIC) or file_name.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(file_name, content)
    return _read_csv(file_name, content)


def _read_csv(file_name: str, content: bytes) -> Table | Problem:
    if b"\x00" in content[:4096] or content.startswith((b"%PDF", b"\xd0\xcf\x11\xe0")):
        return Problem(file_name, None, None, "this is not a CSV or Excel (.xlsx) file",
                       f"Upload the return as CSV or .xlsx. {SAVE_AS_CSV}")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = content[: err.start].count(b"\n") + 1
        return Problem(file_name, line, None, "the file is not UTF-8 text (it may be an old Excel CSV export)",
                       SAVE_AS_CSV)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        records = list(reader)
    except csv.Error as err:
        return Problem(file_name, reader.line_num, None, f"the file is not valid CSV ({err})",
                       "Check this row for a double quote that is opened but not closed")
    return _to_table(file_name, records)


def _read_xlsx(file_name: str, content: bytes) -> Table | Problem:
    # Imported here: only uploads of .xlsx pay for openpyxl.
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        return Problem(file_name, None, None, f"the Excel file cannot be opened ({type(err).__name__})",
                       "Save it again from Excel as .xlsx, or as 'CSV UTF-8'")
    try:
        sheet = book.worksheets[0]
        records = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    return _to_table(file_name, records)


def _cell_text(value: object) -> str:
    """Excel cells as the text a CSV of the same sheet would hold."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def _to_table(file_name: str, records: list[list[str]]) -> Table | Problem:
    numbered = [(i + 1, list(r)) for i, r in enumerate(records)]
    # Spreadsheets leave fully blank rows and trailing blank cells: they carry nothing.
    numbered = [(n, _trim(cells)) for n, cells in numbered if any(str(c).strip() for c in cells)]
    if not numbered:
        return Problem(file_name, None, None, "the file has no header row and no data",
                       "Fill in the template (python -m etl template) and upload it again")
    (_, header), rows = numbered[0], numbered[1:]
    return Table([h.strip() for h in header], rows)


def _trim(cells: list[str]) -> list[str]:
    while cells and not str(cells[-1]).strip():
        cells = cells[:-1]
    return cells
