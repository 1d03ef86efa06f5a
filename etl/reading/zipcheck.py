"""Look inside an .xlsx or .ods (both are zip files) before any spreadsheet library does.

Everything is checked cheaply and with caps, so that no file can make the reader allocate
more than the caps allow:
- the zip's directory: number of parts, encryption, compression method, the unpacked size
  each part declares and their total;
- each part's actual unpacked size, by decompressing its raw stream ourselves with a cap
  (a crafted zip can declare 1 KB and unpack to gigabytes), and its CRC;
- the XML, with expat and no DOCTYPE allowed (no entities: no XXE, no billion laughs);
- what a return must not hold: macros, links to other files, hidden sheets;
- each sheet's declared and actual extent and its number of cells, without building a grid,
  and where formulas are (their shown value is read, and the preview says so).
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from io import BytesIO
from xml.parsers import expat

from etl.reading.limits import ReadLimits

PLAIN_COPY = ("To send a plain copy: select the return's cells, copy them, paste them into a new "
              "workbook with Paste Special > Values, and save that as an Excel Workbook (.xlsx)")


class Refused(Exception):
    """Why the file cannot be read: `message` and `fix` for a person."""

    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.message = message
        self.fix = fix


DAMAGED_FIX = "Open it in Excel or LibreOffice, save it again as .xlsx, and upload that copy"


@dataclass
class SheetScan:
    name: str
    part: str
    hidden: bool = False
    declared: tuple[int, int] | None = None  # (rows, columns) the sheet says it spans
    max_row: int = 0  # 1-based extent of the cells holding something
    max_col: int = 0
    cells: int = 0  # cells holding something
    formulas: dict[tuple[int, int], bool] = field(default_factory=dict)  # (row, col0) -> value kept
    # (row, col0) -> the Excel error a cell shows (#N/A): calamine would read it as blank
    errors: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass
class Package:
    kind: str  # "xlsx" or "ods"
    sheets: list[SheetScan]


# ---- the zip ----------------------------------------------------------------------------


def unpack(content: bytes, limits: ReadLimits, what: str = "Excel") -> dict[str, bytes]:
    """Every part, unpacked with caps, or Refused."""
    try:
        archive = zipfile.ZipFile(BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error) as err:
        raise Refused(f"the {what} file cannot be opened: it is damaged or not a complete file "
                      f"({_plain(err)})", DAMAGED_FIX) from None
    if len(infos) > limits.max_parts:
        raise Refused(f"the {what} file is made of {len(infos):,} parts; a return has about a dozen",
                      "Check it is the right file. " + PLAIN_COPY)
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise Refused(f"the {what} file is damaged: it holds two parts with the same name", DAMAGED_FIX)
    for info in infos:
        if info.flag_bits & 0x1:
            raise Refused(f"the {what} file is password-protected (encrypted)",
                          "Remove the password (in Excel: File > Info > Protect Workbook > Encrypt "
                          "with Password, and clear it), save, and upload it again")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Refused(f"the {what} file is packed with a compression method spreadsheets do "
                          f"not use (method {info.compress_type})", DAMAGED_FIX)
        if info.file_size > limits.max_part_bytes:
            raise Refused(_too_big(info.filename, info.file_size, what), _too_big_fix())
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_unpacked_bytes:
        raise Refused(f"the {what} file would be {_mb(declared)} unpacked; a return is a few kilobytes",
                      _too_big_fix())
    parts: dict[str, bytes] = {}
    total = 0
    for info in infos:
        data = _inflate(content, info, limits.max_part_bytes, what)
        total += len(data)
        if total > limits.max_unpacked_bytes:
            raise Refused(f"the {what} file unpacks to more than {_mb(limits.max_unpacked_bytes)}; "
                          "a return is a few kilobytes", _too_big_fix())
        parts[info.filename] = data
    return parts


def _inflate(content: bytes, info: zipfile.ZipInfo, cap: int, what: str) -> bytes:
    """One part's bytes, decompressed from its raw stream with a cap, checked against the
    size and CRC the directory declares (what other readers will trust)."""
    damaged = Refused(f"the {what} file cannot be opened: part {info.filename} is damaged", DAMAGED_FIX)
    offset = info.header_offset
    header = content[offset:offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise damaged
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = offset + 30 + name_length + extra_length
    raw = content[start:start + info.compress_size]
    if len(raw) != info.compress_size:
        raise damaged
    if info.compress_type == zipfile.ZIP_STORED:
        data = raw
    else:
        inflater = zlib.decompressobj(-15)
        try:
            data = inflater.decompress(raw, cap + 1)  # never more than cap + 1 bytes
        except zlib.error:
            raise damaged from None
        if len(data) > cap:
            raise Refused(_too_big(info.filename, None, what), _too_big_fix())
    if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
        raise damaged
    return data


def _too_big(part: str, size: int | None, what: str) -> str:
    amount = f"is {_mb(size)}" if size is not None else "is larger than the limit"
    return (f"part {part} of the {what} file {amount} unpacked; a whole return is a few "
            "kilobytes, so this file holds something else as well (often thousands of unused "
            "cells or text)")


def _too_big_fix() -> str:
    return "Check it is the right file. " + PLAIN_COPY


def _mb(size: int) -> str:
    return f"{size / 1_048_576:,.1f} MB" if size >= 1_048_576 else f"{size / 1024:,.0f} KB"


def _plain(err: Exception) -> str:
    text = str(err).rstrip(".")
    return text[:120] if text else type(err).__name__


# ---- XML, safely ------------------------------------------------------------------------


def scan_xml(data: bytes, start, end=None, text=None, part: str = "", what: str = "Excel") -> None:
    """Run expat over `data` with the given handlers; no DOCTYPE, so no entities at all."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def doctype(*_args):
        raise Refused(f"the {what} file cannot be opened: part {part} declares a DOCTYPE, which "
                      "spreadsheets never write (it can be used to read files or exhaust memory)",
                      DAMAGED_FIX)

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.ExternalEntityRefHandler = lambda *_a: doctype()
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
        parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except expat.ExpatError as err:
        raise Refused(f"the {what} file cannot be opened: part {part} is not well-formed XML "
                      f"(line {err.lineno})", DAMAGED_FIX) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def parse_ref(ref: str) -> tuple[int, int] | None:
    """'XFD1048576' -> (1048576, 16383): row (1-based) and column (0-based)."""
    m = _CELL_REF.match(ref or "")
    if not m:
        return None
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col - 1


# ---- .xlsx ------------------------------------------------------------------------------


def inspect_xlsx(content: bytes, limits: ReadLimits) -> Package:
    parts = unpack(content, limits, "Excel")
    if "xl/workbook.xml" not in parts:
        if "word/document.xml" in parts:
            raise Refused("this is a Word document, not a spreadsheet",
                          "Put the return in the Excel template and upload that")
        if "ppt/presentation.xml" in parts:
            raise Refused("this is a PowerPoint file, not a spreadsheet",
                          "Put the return in the Excel template and upload that")
        raise Refused("this is a zip file but not an Excel workbook",
                      "Upload the return itself, as .xlsx, .xls, .ods or CSV")
    lowered = {name.lower(): name for name in parts}
    if any(n.endswith("vbaproject.bin") for n in lowered) or \
            b"macroEnabled" in parts.get("[Content_Types].xml", b""):
        raise Refused("the workbook contains macros, which a return must not hold",
                      "In Excel use File > Save As and choose 'Excel Workbook (.xlsx)': that copy "
                      "has no macros. Upload that copy")
    if any(n.startswith("xl/externallinks/") for n in lowered):
        raise Refused("the workbook links to other files (external links), so some values may "
                      "come from a file we cannot see",
                      "In Excel use Data > Edit Links > Break Link, save, and upload it again. "
                      + PLAIN_COPY)

    # which sheet is which part
    targets: dict[str, str] = {}

    def rel(tag, attrs):
        if _local(tag) == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            targets[attrs.get("Id", "")] = _normpath(target)

    scan_xml(parts.get("xl/_rels/workbook.xml.rels", b"<r/>"), rel, part="xl/_rels/workbook.xml.rels")

    sheets: list[SheetScan] = []

    def workbook(tag, attrs):
        if _local(tag) == "sheet":
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            sheets.append(SheetScan(attrs.get("name", "?"), targets.get(rid, ""),
                                    hidden=attrs.get("state", "visible") in ("hidden", "veryHidden")))

    scan_xml(parts["xl/workbook.xml"], workbook, part="xl/workbook.xml")
    hidden = [s.name for s in sheets if s.hidden]
    if hidden:
        raise Refused(
            f"the workbook has hidden sheet{'s' if len(hidden) > 1 else ''} "
            f"{', '.join(repr(n) for n in hidden)}: what Excel shows is not all the file holds",
            "Right-click a sheet tab > Unhide, and delete the sheets that are not the return; "
            "or " + PLAIN_COPY[0].lower() + PLAIN_COPY[1:])
    budget = [limits.max_cells]
    for sheet in sheets:
        if sheet.part in parts:
            _scan_xlsx_sheet(sheet, parts[sheet.part], limits, budget)
    return Package("xlsx", sheets)


def _normpath(path: str) -> str:
    out: list[str] = []
    for piece in path.split("/"):
        if piece == "..":
            if out:
                out.pop()
        elif piece and piece != ".":
            out.append(piece)
    return "/".join(out)


def _scan_xlsx_sheet(sheet: SheetScan, data: bytes, limits: ReadLimits, budget: list[int]) -> None:
    state = {"row": 0, "col": -1, "value": False, "formula": False, "in_cell": False,
             "error": False, "in_v": False, "text": ""}

    def start(tag, attrs):
        name = _local(tag)
        if name == "c":
            pos = parse_ref(attrs.get("r", ""))
            if pos is None:  # no r: the cell after the previous one
                pos = (max(state["row"], 1), state["col"] + 1)
            state.update(row=pos[0], col=pos[1], value=False, formula=False, in_cell=True,
                         error=attrs.get("t") == "e", text="")
        elif name == "row":
            r = attrs.get("r")
            state["row"] = int(r) if r and r.isdigit() else state["row"] + 1
            state["col"] = -1
        elif state["in_cell"] and name in ("v", "t"):
            state["in_v"] = True  # a value counts only if it has text: <v/> is no value
        elif state["in_cell"] and name == "f":
            state["formula"] = True
        elif name == "dimension":
            ref = attrs.get("ref", "")
            last = parse_ref(ref.split(":")[-1])
            if last is not None:
                sheet.declared = (last[0], last[1] + 1)
                _check_extent(sheet, last[0], last[1] + 1, limits, declared=True, ref=ref)

    def text(data):
        if state["in_v"]:
            if data.strip():
                state["value"] = True
            if state["error"] and len(state["text"]) < 20:
                state["text"] += data

    def end(tag):
        if _local(tag) in ("v", "t"):
            state["in_v"] = False
        if _local(tag) != "c":
            return
        state["in_cell"] = False
        if not (state["value"] or state["formula"]):
            return  # an empty, formatted cell: nothing is read from it
        row, col = state["row"], state["col"]
        sheet.cells += 1
        budget[0] -= 1
        if budget[0] < 0:
            raise Refused(f"the workbook has more than {limits.max_cells:,} filled cells; a return "
                          "has about 9 for each trust", "Check it is the right file. " + PLAIN_COPY)
        if row > sheet.max_row or col + 1 > sheet.max_col:
            sheet.max_row, sheet.max_col = max(sheet.max_row, row), max(sheet.max_col, col + 1)
            _check_extent(sheet, row, col + 1, limits)
        if state["formula"]:
            sheet.formulas[(row, col)] = state["value"]
        if state["error"]:
            sheet.errors[(row, col)] = state["text"].strip() or "#N/A"

    scan_xml(data, start, end, text, part=sheet.part)


def _check_extent(sheet: SheetScan, rows: int, cols: int, limits: ReadLimits, declared: bool = False,
                  ref: str = "") -> None:
    if rows <= limits.max_rows and cols <= limits.max_columns:
        return
    from etl.reading.grid import column_letter

    where = f"says it spans {ref}" if declared else f"has something in cell {column_letter(cols - 1)}{rows}"
    raise Refused(
        f"sheet '{sheet.name}' {where}, far outside any return (at most {limits.max_rows:,} rows "
        f"and {limits.max_columns} columns are read)",
        "Delete every row and column below and to the right of the return (select them, "
        "right-click > Delete), save, and upload it again. " + PLAIN_COPY)


# ---- .ods -------------------------------------------------------------------------------

_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
STYLE_NS = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"


def inspect_ods(content: bytes, limits: ReadLimits) -> Package:
    what = "OpenDocument"
    parts = unpack(content, limits, what)
    if parts.get("mimetype", b"").strip() != _ODS_MIME or "content.xml" not in parts:
        raise Refused("this is an OpenDocument file but not a spreadsheet",
                      "Upload the return itself, as .ods, .xlsx, .xls or CSV")
    if b"encryption-data" in parts.get("META-INF/manifest.xml", b""):
        raise Refused("the spreadsheet is password-protected (encrypted)",
                      "In LibreOffice use File > Save As, untick 'Save with password', and upload "
                      "that copy")
    if any(n.startswith(("Basic/", "Scripts/")) and not n.endswith("/") and
           not n.endswith("script-lc.xml") for n in parts):
        raise Refused("the spreadsheet contains macros, which a return must not hold",
                      "In LibreOffice use Tools > Macros > Organize Macros to delete them, or "
                      "copy the return's cells into a new spreadsheet, and upload that")

    hidden_styles: set[str] = set()
    sheets: list[SheetScan] = []
    budget = [limits.max_cells]
    state = {"style": None, "sheet": None, "row": 0, "col": 0, "row_repeat": 1, "row_has": False}

    def attr(attrs, ns, name):
        return attrs.get(f"{ns}}}{name}")

    def start(tag, attrs):
        if tag == f"{STYLE_NS}}}style":
            state["style"] = attr(attrs, STYLE_NS, "name")
        elif tag == f"{STYLE_NS}}}table-properties" and attr(attrs, TABLE_NS, "display") == "false":
            hidden_styles.add(state["style"])
        elif tag == f"{TABLE_NS}}}table":
            sheet = SheetScan(attr(attrs, TABLE_NS, "name") or "?", "content.xml",
                              hidden=attr(attrs, TABLE_NS, "style-name") in hidden_styles)
            sheets.append(sheet)
            state.update(sheet=sheet, row=0)
        elif tag == f"{TABLE_NS}}}table-row" and state["sheet"] is not None:
            state["row_repeat"] = _repeat(attr(attrs, TABLE_NS, "number-rows-repeated"))
            state["col"] = 0
            state["row_has"] = False
        elif tag in (f"{TABLE_NS}}}table-cell", f"{TABLE_NS}}}covered-table-cell") \
                and state["sheet"] is not None:
            repeat = _repeat(attr(attrs, TABLE_NS, "number-columns-repeated"))
            sheet = state["sheet"]
            filled = attr(attrs, OFFICE_NS, "value-type") is not None or \
                attr(attrs, TABLE_NS, "formula") is not None
            if filled:
                rows = state["row_repeat"]
                first_row = state["row"] + 1
                sheet.cells += repeat * rows
                budget[0] -= repeat * rows
                if budget[0] < 0:
                    raise Refused(f"the spreadsheet has more than {limits.max_cells:,} filled "
                                  "cells; a return has about 9 for each trust",
                                  "Check it is the right file")
                last_row, last_col = first_row + rows - 1, state["col"] + repeat
                if last_row > sheet.max_row or last_col > sheet.max_col:
                    sheet.max_row = max(sheet.max_row, last_row)
                    sheet.max_col = max(sheet.max_col, last_col)
                    _check_extent(sheet, last_row, last_col, limits)
                if attr(attrs, TABLE_NS, "formula") is not None:
                    for c in range(state["col"], last_col):
                        sheet.formulas[(first_row, c)] = attr(attrs, OFFICE_NS, "value-type") is not None
            state["col"] += repeat
            if state["col"] > 10_000_000:  # columns repeated past any sheet: a crafted file
                raise Refused("the spreadsheet is damaged (a row wider than any sheet)", DAMAGED_FIX)

    def end(tag):
        if tag == f"{TABLE_NS}}}table-row" and state["sheet"] is not None:
            state["row"] += state["row_repeat"]
        elif tag == f"{TABLE_NS}}}table":
            state["sheet"] = None

    scan_xml(parts["content.xml"], start, end, part="content.xml", what=what)
    hidden = [s.name for s in sheets if s.hidden]
    if hidden:
        raise Refused(
            f"the spreadsheet has hidden sheet{'s' if len(hidden) > 1 else ''} "
            f"{', '.join(repr(n) for n in hidden)}: what you see is not all the file holds",
            "Right-click a sheet tab > Show Sheet, and delete the sheets that are not the return; "
            "or copy the return's cells into a new spreadsheet, and upload that")
    return Package("ods", sheets)


def _repeat(value: str | None) -> int:
    try:
        return max(1, int(value)) if value else 1
    except ValueError:
        return 1
