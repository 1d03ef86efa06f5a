"""Hostile and careless files, built at test time: one small builder per kind.

Each returns (file name, bytes) and says in its docstring what it is. They are built here,
not committed, because they are big (a 5 MB CSV), or easier to read as code than as bytes
(a zip whose directory lies). tests/test_hostile.py checks each is refused quickly, within a
bounded amount of memory, with a problem a person can read, and that nothing is stored.
"""

from __future__ import annotations

import io
import struct
import zipfile

import openpyxl

HEADER = "quarter,ahsn,trust_code,trust_name,trust_type,adoption_level,referrals_made,referrals_completed"
ROW = "Q2 2020/21,Wessex,RHU,Portsmouth Hospitals,acute,4,40,30"


def _workbook(parts: dict[str, bytes | str] | None = None) -> dict[str, bytes]:
    """The parts of a small valid .xlsx (one real trust), with `parts` added or replaced."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(ROW.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as z:
        out = {n: z.read(n) for n in z.namelist()}
    for name, data in (parts or {}).items():
        out[name] = data.encode() if isinstance(data, str) else data
    return out


def _zip(parts: dict[str, bytes], level: int = 6) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buffer.getvalue()


def _patch(content: bytes, name: str, **fields) -> bytes:
    """Rewrite fields of one entry's local header and central directory record: flags,
    method, file_size (uncompressed), as a crafted zip would."""
    data = bytearray(content)
    encoded = name.encode()
    offsets = {"flags": (6, 8), "method": (8, 10), "file_size": (22, 24)}  # local, central
    i = 0
    while (i := data.find(b"PK\x03\x04", i)) != -1:
        n = struct.unpack("<H", data[i + 26 : i + 28])[0]
        if data[i + 30 : i + 30 + n] == encoded:
            for f, v in fields.items():
                fmt = "<I" if f == "file_size" else "<H"
                struct.pack_into(fmt, data, i + offsets[f][0], v)
        i += 4
    i = 0
    while (i := data.find(b"PK\x01\x02", i)) != -1:
        n = struct.unpack("<H", data[i + 28 : i + 30])[0]
        if data[i + 46 : i + 46 + n] == encoded:
            for f, v in fields.items():
                fmt = "<I" if f == "file_size" else "<H"
                struct.pack_into(fmt, data, i + offsets[f][1], v)
        i += 4
    return bytes(data)


# ---- .xlsx --------------------------------------------------------------------------------


def shared_strings_bomb() -> tuple[str, bytes]:
    """One real trust plus 60 MB of unused shared strings: a few hundred KB on disk (issue 8
    found 400 MB in a 413 KB file that passed every check)."""
    unused = b"<si><t>padding padding padding</t></si>" * 1_600_000
    strings = (
        b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        b'2006/main" count="1600000" uniqueCount="1600000">' + unused + b"</sst>"
    )
    return "strings.xlsx", _zip(_workbook({"xl/sharedStrings.xml": strings}), level=9)


def lying_zip_bomb() -> tuple[str, bytes]:
    """A sheet whose directory says 2 KB but which inflates to 200 MB of zeros."""
    parts = _workbook()
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet + b"\x00" * 200_000_000
    content = _zip(parts, level=1)
    return "bomb.xlsx", _patch(content, "xl/worksheets/sheet1.xml", file_size=2048)


def full_sheet_dimension() -> tuple[str, bytes]:
    """A 5 KB sheet that declares it spans every cell Excel has (A1:XFD1048576)."""
    parts = _workbook()
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = (
        sheet.replace("<sheetData>", '<dimension ref="A1:XFD1048576"/><sheetData>', 1)
        if "<dimension" not in sheet
        else __import__("re").sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', sheet)
    )
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    return "dimension.xlsx", _zip(parts)


def far_cell() -> tuple[str, bytes]:
    """One real trust and a single cell at XFD1048576, the last cell of a sheet (issue 8: a
    5 KB file grew a worker to 4.9 GB)."""
    parts = _workbook()
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    )
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    return "far.xlsx", _zip(parts)


def xxe() -> tuple[str, bytes]:
    """workbook.xml declaring an external entity that reads /etc/passwd."""
    parts = _workbook()
    book = parts["xl/workbook.xml"].decode()
    book = _doctype(book, '<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>')
    parts["xl/workbook.xml"] = book.replace('name="Sheet"', 'name="&x;"').encode()
    return "xxe.xlsx", _zip(parts)


def _doctype(xml: str, doctype: str) -> str:
    """The DOCTYPE goes after the XML declaration, if there is one."""
    if xml.startswith("<?xml"):
        end = xml.index("?>") + 2
        return xml[:end] + doctype + xml[end:]
    return doctype + xml


def billion_laughs() -> tuple[str, bytes]:
    """A sheet whose entities expand to 10^9 'lol's."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    parts = _workbook()
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = _doctype(sheet, f"<!DOCTYPE lolz [{entities}]>").replace("RHU", "&lol9;")
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    return "laughs.xlsx", _zip(parts)


def corrupt_deflate() -> tuple[str, bytes]:
    """A valid workbook with the middle of its sheet's compressed stream overwritten."""
    content = bytearray(_zip(_workbook()))
    info = zipfile.ZipFile(io.BytesIO(bytes(content))).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 10, start + min(info.compress_size, 60)):
        content[i] ^= 0xFF
    return "corrupt.xlsx", bytes(content)


def unknown_compression() -> tuple[str, bytes]:
    """A workbook whose sheet says it is packed with compression method 99."""
    return "method.xlsx", _patch(_zip(_workbook()), "xl/worksheets/sheet1.xml", method=99)


def encrypted_zip() -> tuple[str, bytes]:
    """Every part flagged as encrypted (a zip password)."""
    content = _zip(_workbook())
    for name in zipfile.ZipFile(io.BytesIO(content)).namelist():
        content = _patch(content, name, flags=1)
    return "locked.xlsx", content


def password_protected_xlsx() -> tuple[str, bytes]:
    """What Excel writes for 'Encrypt with Password': not a zip but an OLE2 compound file
    holding an EncryptedPackage stream (here only its header and directory names)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    names = "".join(n.ljust(32, "\x00") for n in ("Root Entry", "EncryptionInfo", "EncryptedPackage"))
    return "secret.xlsx", header + names.encode("utf-16-le") + b"\x00" * 4096


def macro_workbook() -> tuple[str, bytes]:
    """An .xlsm: a workbook with a VBA project."""
    return "macro.xlsm", _zip(_workbook({"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 fake VBA project"}))


def external_link() -> tuple[str, bytes]:
    """A workbook whose values come from another file (an external link part)."""
    link = '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    return "linked.xlsx", _zip(_workbook({"xl/externalLinks/externalLink1.xml": link}))


def hidden_first_sheet() -> tuple[str, bytes]:
    """Issue 8: a hidden first sheet says level 4 while the visible one says level 1."""
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "Old"
    hidden.append(HEADER.split(","))
    hidden.append(ROW.split(","))
    hidden.sheet_state = "hidden"
    shown = book.create_sheet("Return")
    shown.append(HEADER.split(","))
    shown.append(ROW.replace(",4,", ",1,").split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    return "hidden.xlsx", buffer.getvalue()


def very_hidden_sheet() -> tuple[str, bytes]:
    """A sheet only VBA can show (state veryHidden)."""
    name, content = hidden_first_sheet()
    parts = {n: zipfile.ZipFile(io.BytesIO(content)).read(n) for n in zipfile.ZipFile(io.BytesIO(content)).namelist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b'state="hidden"', b'state="veryHidden"')
    return "veryhidden.xlsx", _zip(parts)


def many_parts() -> tuple[str, bytes]:
    """A workbook padded with 5,000 tiny parts."""
    parts = _workbook()
    for i in range(5000):
        parts[f"xl/media/pad{i}.bin"] = b"x"
    return "parts.xlsx", _zip(parts)


def too_many_cells() -> tuple[str, bytes]:
    """300,000 small cells within the row and column caps (30 columns x 10,000 rows)."""
    rows = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{_col(c)}{r}"><v>1</v></c>' for c in range(30)) + "</row>"
        for r in range(1, 10_001)
    )
    parts = _workbook()
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    start, end = sheet.index("<sheetData>"), sheet.index("</sheetData>")
    parts["xl/worksheets/sheet1.xml"] = (sheet[:start] + "<sheetData>" + rows + sheet[end:]).encode()
    return "cells.xlsx", _zip(parts)


def _col(i: int) -> str:
    return chr(65 + i) if i < 26 else "A" + chr(65 + i - 26)


# ---- .xlsx whose parts say two things (issue 22): each must be read as calamine reads it ----

FAR_SHEET = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>quarter</t></is></c></row><row r="1048576">'
    '<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'
)


def moved_workbook() -> tuple[str, bytes]:
    """_rels/.rels puts the workbook in book/, where a sheet reaches XFD1048576; a clean
    workbook is left in xl/ for anyone who assumes that is where it is."""
    parts = _workbook()
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(b"xl/workbook.xml", b"book/workbook.xml")
    parts["book/workbook.xml"] = parts["xl/workbook.xml"]
    parts["book/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b'Target="/xl/worksheets/sheet1.xml"', b'Target="worksheets/sheet1.xml"'
    )
    parts["book/worksheets/sheet1.xml"] = FAR_SHEET.encode()
    return "moved.xlsx", _zip(parts)


def entity_in_workbook_folder() -> tuple[str, bytes]:
    """_rels/.rels names the workbook 'bo&#111;k/workbook.xml': calamine expands this one
    (to book/, where a sheet reaches XFD1048576); a clean copy waits in a folder named as
    written."""
    name, content = moved_workbook()
    parts = {n: zipfile.ZipFile(io.BytesIO(content)).read(n) for n in zipfile.ZipFile(io.BytesIO(content)).namelist()}
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(b"book/workbook.xml", b"bo&#111;k/workbook.xml")
    parts["bo&#111;k/workbook.xml"] = parts["xl/workbook.xml"]
    parts["bo&#111;k/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"]
    return "folder.xlsx", _zip(parts)


def entity_in_target() -> tuple[str, bytes]:
    """The sheet's relationship targets 'worksheets/sheet&#49;.xml': calamine takes that as
    written (a part of that very name, reaching XFD1048576); an XML parser would read
    'sheet1.xml', the clean one."""
    parts = _workbook()
    rels = parts["xl/_rels/workbook.xml.rels"]
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        b'Target="/xl/worksheets/sheet1.xml"', b'Target="worksheets/sheet&#49;.xml"'
    )
    parts["xl/worksheets/sheet&#49;.xml"] = FAR_SHEET.encode()
    return "entity.xlsx", _zip(parts)


def workbook_in_latin_1() -> tuple[str, bytes]:
    """workbook.xml declaring ISO-8859-1: its names could be read one way by calamine and
    another by the inspection."""
    parts = _workbook()
    book = parts["xl/workbook.xml"]
    if book.startswith(b"<?xml"):
        book = book.split(b"?>", 1)[1]
    parts["xl/workbook.xml"] = b'<?xml version="1.0" encoding="ISO-8859-1"?>' + book
    return "latin.xlsx", _zip(parts)


def parts_differing_in_capitals() -> tuple[str, bytes]:
    """Two parts whose names differ only in capitals: calamine could take either."""
    parts = _workbook()
    parts["XL/worksheets/sheet1.xml"] = FAR_SHEET.encode()
    return "capitals.xlsx", _zip(parts)


def two_sheets_one_name() -> tuple[str, bytes]:
    """Two sheets called Return, in two parts: calamine would read the first twice."""
    parts = _workbook()
    book = parts["xl/workbook.xml"].decode()
    sheet = book[book.index("<sheet ") : book.index("/>", book.index("<sheet ")) + 2]
    parts["xl/workbook.xml"] = book.replace(sheet, sheet + sheet).replace('name="Sheet"', 'name="Return"').encode()
    return "twice.xlsx", _zip(parts)


def cell_out_of_any_sheet() -> tuple[str, bytes]:
    """A cell called AAAA1: past any sheet's last column, placed far away or not at all."""
    parts = _workbook()
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(b'r="A1"', b'r="AAAA1"', 1)
    return "column.xlsx", _zip(parts)


def both_ods_and_xlsx() -> tuple[str, bytes]:
    """An .ods that is also an .xlsx: calamine tries .xlsx first, and would read that."""
    parts = _workbook()
    content = (
        ODS_OPEN + '<office:body><office:spreadsheet><table:table table:name="Return"/>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", "<manifest/>")
        for name, data in parts.items():
            z.writestr(name, data)
    return "both.ods", buffer.getvalue()


def word_document() -> tuple[str, bytes]:
    """A .docx sent by mistake."""
    return "return.docx", _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<document/>"})


# ---- .ods ---------------------------------------------------------------------------------


def ods(content_xml: str, **extra: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content_xml, zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", extra.pop("manifest", b"<manifest/>"))
        for name, data in extra.items():
            z.writestr(name.replace("__", "/"), data)
    return buffer.getvalue()


ODS_OPEN = (
    '<?xml version="1.0"?><office:document-content '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
)


def ods_repeated_rows() -> tuple[str, bytes]:
    """A row holding a value, repeated 1,048,576 times (LibreOffice repeats empty rows like
    this; a filled one would expand to a million rows)."""
    body = (
        ODS_OPEN + '<office:body><office:spreadsheet><table:table table:name="Return">'
        '<table:table-row table:number-rows-repeated="1048576"><table:table-cell '
        'office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
        "</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    )
    return "rows.ods", ods(body)


def ods_hidden_sheet() -> tuple[str, bytes]:
    """An .ods whose second sheet is hidden (a table style with display false)."""
    body = (
        ODS_OPEN + '<office:automatic-styles><style:style style:name="ta2" style:family="table">'
        '<style:table-properties table:display="false"/></style:style></office:automatic-styles>'
        '<office:body><office:spreadsheet><table:table table:name="Return"/>'
        '<table:table table:name="Secret" table:style-name="ta2"/>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    return "hidden.ods", ods(body)


def ods_encrypted() -> tuple[str, bytes]:
    """An .ods saved with a password (its manifest lists encryption data)."""
    manifest = (
        b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        b'<manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/>'
        b"</manifest:file-entry></manifest:manifest>"
    )
    return "locked.ods", ods("not readable without the password", manifest=manifest)


# ---- CSV ----------------------------------------------------------------------------------


def csv_of_ones() -> tuple[str, bytes]:
    """Issue 8: a 5 MB CSV of '1' lines (69 s and 3.2 GB before)."""
    return "ones.csv", b"1\n" * 2_600_000


def made_up_trusts(count: int = 180_000) -> tuple[str, bytes]:
    """Issue 8: a 5 MB CSV of 180,000 made-up trusts for one AHSN-quarter (under the size limit)."""
    lines = [HEADER] + [f"Q2 20/21,KSS,{i + 0x10000:05X},T,,5,1,1" for i in range(count)]
    return "trusts.csv", ("\n".join(lines) + "\n").encode()


def implausible_return(count: int = 301) -> tuple[str, bytes]:
    """More trusts than any AHSN has (the plausibility limit is 300), under every other cap."""
    name, content = made_up_trusts(count)
    return "implausible.csv", content


def nul_after_4kb() -> tuple[str, bytes]:
    """Issue 8: a NUL byte after the first 4 KB of a CSV was accepted."""
    pad = "".join(f"\n{ROW.replace('RHU', f'R{i:02d}')}" for i in range(80))
    return "nul.csv", (HEADER + pad + "\nQ2 2020/21,Wessex,RZZ,Bad\x00Name,acute,4,1,1\n").encode()


def control_character() -> tuple[str, bytes]:
    """An escape character (ESC, code 27) inside a trust name."""
    return "escape.csv", (HEADER + "\n" + ROW.replace("Portsmouth", "Ports\x1b[2Jmouth") + "\n").encode()


def bidi_override() -> tuple[str, bytes]:
    """A right-to-left override making a name display backwards."""
    return "bidi.csv", (HEADER + "\n" + ROW.replace("Portsmouth", "\u202ehtuomstroP") + "\n").encode()


def one_huge_line() -> tuple[str, bytes]:
    """One 4 MB line of commas: two million cells in one row."""
    return "wide.csv", (HEADER + "\n" + "1," * 2_000_000 + "\n").encode()


def huge_quoted_field() -> tuple[str, bytes]:
    """A quote opened and never closed, swallowing 4 MB."""
    return "quote.csv", (HEADER + '\nQ2 2020/21,Wessex,RHU,"' + "x" * 4_000_000 + "\n").encode()


def too_many_problems() -> tuple[str, bytes]:
    """5,000 rows each with a different bad level: the problems are capped and counted."""
    lines = [HEADER] + [f"Q2 2020/21,Wessex,R{i:04d},Trust {i},acute,{i + 10},," for i in range(5000)]
    return "problems.csv", ("\n".join(lines) + "\n").encode()


BUILDERS = [
    shared_strings_bomb,
    lying_zip_bomb,
    full_sheet_dimension,
    far_cell,
    xxe,
    billion_laughs,
    corrupt_deflate,
    unknown_compression,
    encrypted_zip,
    password_protected_xlsx,
    macro_workbook,
    external_link,
    hidden_first_sheet,
    very_hidden_sheet,
    many_parts,
    too_many_cells,
    word_document,
    ods_repeated_rows,
    ods_hidden_sheet,
    ods_encrypted,
    csv_of_ones,
    made_up_trusts,
    implausible_return,
    nul_after_4kb,
    control_character,
    bidi_override,
    one_huge_line,
    huge_quoted_field,
    too_many_problems,
    moved_workbook,
    entity_in_workbook_folder,
    entity_in_target,
    workbook_in_latin_1,
    parts_differing_in_capitals,
    two_sheets_one_name,
    cell_out_of_any_sheet,
    both_ods_and_xlsx,
]
