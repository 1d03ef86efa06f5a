"""An .xls (Excel 97-2003) looked into before python-calamine reads it.

An .xls is not a zip: it is an OLE2 compound file holding a `Workbook` stream of BIFF
records. calamine (0.37, src/cfb.rs and src/xls.rs) parses every sheet when it opens the
file, and for each one reserves room for the cells its DIMENSIONS record declares and then
builds the rectangle its cells span, so a few bytes can cost gigabytes (a cell at IV65536 is
a 16-million-cell sheet). The cheap bound is to walk the same records first, which costs
time in proportion to the file (at most `max_bytes`), and hold them to the same caps as an
.xlsx (etl/reading/scan.py): sheets, declared and actual extents, filled cells, cells to go
through. The stream is found as calamine finds it: the first directory entry named
Workbook, Book, WORKBOOK or BOOK, through the file's sector chains (a chain that loops or
runs off the file is refused: calamine would loop until out of memory). The records are
read as calamine reads them: CONTINUE records join the one before; the workbook's records
end at EOF; each sheet starts at its BoundSheet8 offset, and an embedded chart's records
(a BOF inside the sheet) are skipped.

A cell's text is at most 65,535 characters in this format (its length is two bytes), so the
cap on characters per cell is checked on what calamine gives back (etl/reading/book.py).
"""

from __future__ import annotations

import struct

from etl.reading.limits import ReadLimits
from etl.reading.scan import Budget, Package, Refused, SheetScan

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENDOFCHAIN, DIFSECT, RESERVED = 0xFFFF_FFFE, 0xFFFF_FFFC, 0xFFFF_FFFA
STREAM_NAMES = ("Workbook", "Book", "WORKBOOK", "BOOK")
XLS_FIX = "Open it in Excel or LibreOffice, save it as .xlsx, and upload that copy"
# BIFF record types (MS-XLS 2.3)
BOF, EOF, CONTINUE, FILEPASS, BOUNDSHEET8, DIMENSIONS = 0x0809, 0x000A, 0x003C, 0x002F, 0x0085, 0x0200
FORMULA, MULRK = 0x0006, 0x00BD
# what the reader needs besides cells: a row's flags (hidden), merged ranges, an autofilter
ROW, MERGEDCELLS, FILTERMODE, AUTOFILTERINFO = 0x0208, 0x00E5, 0x009B, 0x009D
ROW_HIDDEN = 0x20  # fDyZero: the row has no height
COLINFO, COLINFO_HIDDEN = 0x007D, 0x0001  # a range of columns' width and flags; fHidden
# records that put one value in a cell: Number, Label, RString, BoolErr, Rk, LabelSst
ONE_CELL = (0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD)


def damaged(why: str) -> Refused:
    return Refused(f"the Excel file is damaged ({why})", XLS_FIX)


def _u16(data: bytes, at: int) -> int:
    return struct.unpack_from("<H", data, at)[0]


def _u32(data: bytes, at: int) -> int:
    return struct.unpack_from("<I", data, at)[0]


class Compound:
    """An OLE2 compound file's directory and streams, read as calamine reads them."""

    def __init__(self, content: bytes):
        if len(content) < 512 or not content.startswith(OLE2_MAGIC):
            raise damaged("it is not a complete Excel 97-2003 file")
        self.version = _u16(content, 26)
        shift = _u16(content, 30)
        if shift not in (9, 12) or _u16(content, 32) != 6:
            raise damaged("its sectors are of a size Excel never writes")
        self.size = 1 << shift
        self.data = content[self.size :]  # sector 0 follows the header (padded to a sector)
        self.maxid = len(content) // self.size
        dir_start, mini_fat_start = _u32(content, 48), _u32(content, 60)
        mini_fat_len, difat_start = _u32(content, 64), _u32(content, 68)
        difat = list(struct.unpack_from("<109I", content, 76))
        sector_id, seen = difat_start, set()
        while sector_id < RESERVED:
            if sector_id in seen:
                raise damaged("its sector table loops")
            seen.add(sector_id)
            difat.extend(self._u32s(self._sector(sector_id)))
            sector_id = difat.pop()
        self.fat: list[int] = []
        for sector_id in difat:
            if sector_id < DIFSECT:
                self.fat.extend(self._u32s(self._sector(sector_id)))
        directory = self._chain(dir_start, self.fat, self._sector, None)
        self.entries = []  # (name, start, length)
        for at in range(0, len(directory) - 127, 128):
            entry = directory[at : at + 128]
            name = entry[:64].decode("utf-16-le", "replace").split("\x00", 1)[0]
            length = _u32(entry, 120) if self.size == 512 else struct.unpack_from("<Q", entry, 120)[0]
            self.entries.append((name, _u32(entry, 116), length))
        if not self.entries or (self.version != 3 and self.entries[0][1] == ENDOFCHAIN):
            raise damaged("its directory is empty")
        self.mini = b""
        self.mini_fat: list[int] = []
        if mini_fat_len > 0:
            self.mini = self._chain(self.entries[0][1], self.fat, self._sector, self.entries[0][2])
            self.mini_fat = self._u32s(self._chain(mini_fat_start, self.fat, self._sector, mini_fat_len * self.size))

    def names(self) -> set[str]:
        return {name for name, _, _ in self.entries}

    def stream(self, name: str) -> bytes | None:
        for entry_name, start, length in self.entries:
            if entry_name == name:
                if length > len(self.data) + self.size:
                    raise damaged("a stream is longer than the file")
                if length < 4096:
                    return self._chain(start, self.mini_fat, self._mini_sector, length)
                return self._chain(start, self.fat, self._sector, length)
        return None

    def _sector(self, sector_id: int) -> bytes:
        if sector_id > self.maxid:
            raise damaged("a sector lies past the end of the file")
        return self.data[sector_id * self.size : (sector_id + 1) * self.size]

    def _mini_sector(self, sector_id: int) -> bytes:
        start = sector_id * 64
        if start + 64 > len(self.mini):  # calamine would read on into the file: not a real .xls
            raise damaged("a small stream lies outside its container")
        return self.mini[start : start + 64]

    @staticmethod
    def _chain(sector_id: int, fat: list[int], sector, length: int | None) -> bytes:
        out = bytearray()
        seen = set()
        while sector_id != ENDOFCHAIN:
            if sector_id in seen:
                raise damaged("a chain of its sectors loops")
            seen.add(sector_id)
            piece = sector(sector_id)
            out += piece if length is None else piece[: length - len(out)]
            if length is not None and len(out) >= length:
                break
            if sector_id >= len(fat):
                raise damaged("a chain of its sectors runs off its table")
            sector_id = fat[sector_id]
        return bytes(out)

    @staticmethod
    def _u32s(data: bytes) -> list[int]:
        return list(struct.unpack_from(f"<{len(data) // 4}I", data))


def workbook_stream(compound: Compound) -> bytes:
    for name in STREAM_NAMES:
        stream = compound.stream(name)
        if stream is not None:
            return stream
    raise Refused(
        "this is an Office file but not an Excel workbook", "Upload the return itself, as .xlsx, .xls, .ods or CSV"
    )


def records(stream: bytes, at: int = 0):
    """(type, data) of each record from `at`, CONTINUE records joined to the one before."""
    end = len(stream)
    while at < end:
        if at + 4 > end:
            raise damaged("a record is cut short")
        kind, length = struct.unpack_from("<HH", stream, at)
        if at + 4 + length > end:
            raise damaged("a record is cut short")
        data = stream[at + 4 : at + 4 + length]
        at += 4 + length
        while at + 4 < end and _u16(stream, at) == CONTINUE:
            more = _u16(stream, at + 2)
            if at + 4 + more > end:
                raise damaged("a record is cut short")
            data += stream[at + 4 : at + 4 + more]
            at += 4 + more
        yield kind, data


def inspect_xls(content: bytes, limits: ReadLimits) -> Package:
    compound = Compound(content)
    stream = workbook_stream(compound)
    sheets: list[tuple[int, SheetScan]] = []
    for kind, data in records(stream):
        if kind == FILEPASS and len(data) >= 2 and _u16(data, 0) != 0:
            raise Refused(
                "the Excel file is password-protected (encrypted)",
                "Remove the password (in Excel: File > Info > Protect Workbook > Encrypt with "
                "Password, and clear it), save, and upload it again",
            )
        if kind == BOUNDSHEET8:
            if len(data) < 8:
                raise damaged("a sheet's record is cut short")
            state = data[4] & 0x3F
            if state > 2 or data[5] not in (0, 1, 2, 6):
                raise damaged("a sheet's record is not one Excel writes")
            sheets.append((_u32(data, 0), SheetScan(_short_string(data[6:]), "", hidden=state != 0)))
        elif kind == EOF:
            break
    budget = Budget(limits)
    budget.sheets(len(sheets))
    for at, sheet in sheets:
        if at > len(stream):
            raise damaged(f"sheet '{sheet.name}' lies past the end of the file")
        _scan_sheet(stream, at, sheet, budget)
        budget.done(sheet)
    return Package("xls", [sheet for _, sheet in sheets])


def _scan_sheet(stream: bytes, at: int, sheet: SheetScan, budget: Budget) -> None:
    seen_bof, depth = False, 0
    for kind, data in records(stream, at):
        if depth:
            depth += 1 if kind == BOF else -1 if kind == EOF else 0
            continue
        if kind == BOF:
            depth, seen_bof = (depth + 1, seen_bof) if seen_bof else (depth, True)
        elif kind == EOF:
            return
        elif kind == DIMENSIONS:
            _dimensions(data, sheet, budget)
        elif kind in ONE_CELL or kind == FORMULA:
            if len(data) < 4:
                raise damaged(f"a cell of sheet '{sheet.name}' is cut short")
            budget.cell(sheet, _u16(data, 0) + 1, _u16(data, 2))
        elif kind == ROW:
            if len(data) < 16:
                raise damaged(f"a row of sheet '{sheet.name}' is cut short")
            if _u16(data, 12) & ROW_HIDDEN:
                sheet.hide_rows(_u16(data, 0) + 1, _u16(data, 0) + 1)
        elif kind == MERGEDCELLS:
            if len(data) < 2 or len(data) < 2 + 8 * _u16(data, 0):
                raise damaged(f"the merged cells of sheet '{sheet.name}' are cut short")
            for i in range(_u16(data, 0)):
                first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", data, 2 + 8 * i)
                budget.merge(sheet, first_row + 1, first_col, last_row + 1, last_col)
        elif kind == COLINFO:
            if len(data) < 10:
                raise damaged(f"the columns of sheet '{sheet.name}' are cut short")
            if _u16(data, 8) & COLINFO_HIDDEN:
                sheet.hide_cols(_u16(data, 0), min(_u16(data, 2), 255))
        elif kind in (FILTERMODE, AUTOFILTERINFO):
            sheet.filtered = True
        elif kind == MULRK:
            if len(data) < 6:
                raise damaged(f"a cell of sheet '{sheet.name}' is cut short")
            row, first, last = _u16(data, 0), _u16(data, 2), _u16(data, len(data) - 2)
            if last < first or len(data) != 6 + 6 * (last - first + 1):
                raise damaged(f"a row of sheet '{sheet.name}' is not laid out as Excel writes it")
            budget.cell(sheet, row + 1, first, repeat_cols=last - first + 1)


def _dimensions(data: bytes, sheet: SheetScan, budget: Budget) -> None:
    """What the sheet declares it spans; calamine reserves room for every cell of it."""
    if len(data) == 10:
        first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", data)
    elif len(data) == 14:
        first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", data)
    else:
        raise damaged(f"sheet '{sheet.name}' declares its size wrongly")
    if last_row >= 1 and last_row - 1 < first_row:
        raise damaged(f"sheet '{sheet.name}' declares it ends before it starts")
    rows, cols = max(last_row, first_row + 1), max(last_col, 1)
    budget.declared(sheet, rows, cols, f"{rows:,} rows and {cols:,} columns")


def _short_string(data: bytes) -> str:
    """A sheet's name (BIFF8 ShortXLUnicodeString: a count, a flag, then 1- or 2-byte letters)."""
    if len(data) < 2:
        return "?"
    count, wide = data[0], data[1] & 1
    raw = data[2 : 2 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", "replace").replace("\x00", "")
