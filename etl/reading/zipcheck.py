"""The zip of an .xlsx or .ods, and the XML in it, opened before any spreadsheet library does.

Everything is checked cheaply and with caps, so that no file can make the reader allocate
more than the caps allow:
- the zip's directory: number of parts, encryption, compression method, the unpacked size
  each part declares and their total; no two parts whose names differ only in case (the
  reader looks parts up case-insensitively, so it could take either);
- each part's actual unpacked size, by decompressing its raw stream ourselves with a cap
  (a crafted zip can declare 1 KB and unpack to gigabytes), and its CRC;
- the XML, with expat and no DOCTYPE allowed (no entities: no XXE, no billion laughs), and
  the attributes of a start tag as written (`raw_attributes`), as calamine reads them.
What is in the parts is for etl/reading/xlsx.py and ods.py.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from io import BytesIO
from xml.parsers import expat

from etl.reading.limits import ReadLimits
from etl.reading.scan import DAMAGED_FIX, PLAIN_COPY, Refused

# ---- the zip ----------------------------------------------------------------------------


def unpack(content: bytes, limits: ReadLimits, what: str = "Excel") -> dict[str, bytes]:
    """Every part, unpacked with caps, or Refused."""
    try:
        archive = zipfile.ZipFile(BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error) as err:
        raise Refused(
            f"the {what} file cannot be opened: it is damaged or not a complete file ({_plain(err)})", DAMAGED_FIX
        ) from None
    if len(infos) > limits.max_parts:
        raise Refused(
            f"the {what} file is made of {len(infos):,} parts; a return has about a dozen",
            "Check it is the right file. " + PLAIN_COPY,
        )
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise Refused(f"the {what} file is damaged: it holds two parts with the same name", DAMAGED_FIX)
    if len({lookup_key(n) for n in names}) != len(names):
        raise Refused(
            f"the {what} file is damaged: it holds two parts whose names differ only in capitals", DAMAGED_FIX
        )
    for info in infos:
        if info.flag_bits & 0x1:
            raise Refused(
                f"the {what} file is password-protected (encrypted)",
                "Remove the password (in Excel: File > Info > Protect Workbook > Encrypt "
                "with Password, and clear it), save, and upload it again",
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Refused(
                f"the {what} file is packed with a compression method spreadsheets do "
                f"not use (method {info.compress_type})",
                DAMAGED_FIX,
            )
        if info.file_size > limits.max_part_bytes:
            raise Refused(_too_big(info.filename, info.file_size, what), _too_big_fix())
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_unpacked_bytes:
        raise Refused(f"the {what} file would be {_mb(declared)} unpacked; a return is a few kilobytes", _too_big_fix())
    parts: dict[str, bytes] = {}
    total = 0
    for info in infos:
        data = _inflate(content, info, limits.max_part_bytes, what)
        total += len(data)
        if total > limits.max_unpacked_bytes:
            raise Refused(
                f"the {what} file unpacks to more than {_mb(limits.max_unpacked_bytes)}; a return is a few kilobytes",
                _too_big_fix(),
            )
        parts[info.filename] = data
    return parts


def _inflate(content: bytes, info: zipfile.ZipInfo, cap: int, what: str) -> bytes:
    """One part's bytes, decompressed from its raw stream with a cap, checked against the
    size and CRC the directory declares (what other readers will trust)."""
    damaged = Refused(f"the {what} file cannot be opened: part {info.filename} is damaged", DAMAGED_FIX)
    offset = info.header_offset
    header = content[offset : offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise damaged
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = offset + 30 + name_length + extra_length
    raw = content[start : start + info.compress_size]
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
    return (
        f"part {part} of the {what} file {amount} unpacked; a whole return is a few "
        "kilobytes, so this file holds something else as well (often thousands of unused "
        "cells or text)"
    )


def _too_big_fix() -> str:
    return "Check it is the right file. " + PLAIN_COPY


def _mb(size: int) -> str:
    return f"{size / 1_048_576:,.1f} MB" if size >= 1_048_576 else f"{size / 1024:,.0f} KB"


def _plain(err: Exception) -> str:
    text = str(err).rstrip(".")
    return text[:120] if text else type(err).__name__


# ---- XML, safely ------------------------------------------------------------------------


_ENCODING = re.compile(rb"""\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")


def scan_xml(
    data: bytes,
    start,
    end=None,
    text=None,
    part: str = "",
    what: str = "Excel",
    namespaces: bool = True,
    raw_for: frozenset[str] = frozenset(),
) -> None:
    """Run expat over `data` with the given handlers; no DOCTYPE, so no entities at all.
    With `namespaces`, a name is 'uri}local' (calamine matches .xlsx names by their local
    part); without, as written ('table:table', as calamine matches .ods names). With
    `raw_for`, `start` is called as start(tag, attrs, raw): for the elements of those local
    names, `raw` is their attributes as written (`raw_attributes`), else None."""
    parser = expat.ParserCreate(namespace_separator="}") if namespaces else expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def doctype(*_args):
        raise Refused(
            f"the {what} file cannot be opened: part {part} declares a DOCTYPE, which "
            "spreadsheets never write (it can be used to read files or exhaust memory)",
            DAMAGED_FIX,
        )

    declared = _ENCODING.match(data)
    if b"\x00" in data or (declared and declared.group(1).lower() not in (b"utf-8", b"utf8")):
        # spreadsheets write UTF-8; a part in another encoding could be read one way by
        # calamine and another here (raw_attributes reads bytes as UTF-8)
        raise Refused(f"the {what} file cannot be opened: part {part} is not UTF-8 XML", DAMAGED_FIX)
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.ExternalEntityRefHandler = lambda *_a: doctype()
    if raw_for:

        def start_with_raw(tag, attrs):
            raw = raw_attributes(data, parser.CurrentByteIndex) if _local(tag) in raw_for else None
            start(tag, attrs, raw)

        parser.StartElementHandler = start_with_raw
    else:
        parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
        parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except expat.ExpatError as err:
        raise Refused(
            f"the {what} file cannot be opened: part {part} is not well-formed XML (line {err.lineno})", DAMAGED_FIX
        ) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


local_name = _local


def raw_attributes(data: bytes, start: int) -> dict[str, str]:
    """The attributes of the start tag at data[start] as written: names with their prefix,
    values with entities and white space left as they are, the last of a name winning.
    calamine reads an .xlsx's relationship ids and targets so (expat would expand
    'sheet&#49;.xml' to 'sheet1.xml', another part). Called on a tag expat has parsed."""
    if data[start : start + 1] != b"<":
        raise Refused("the Excel file cannot be opened: its XML is not laid out as spreadsheets write it", DAMAGED_FIX)
    end = len(data)
    pos = start + 1
    while pos < end and data[pos] not in b" \t\r\n/>":  # the element's name
        pos += 1
    out: dict[str, str] = {}
    while True:
        while pos < end and data[pos] in b" \t\r\n":
            pos += 1
        if pos >= end or data[pos] in b"/>":
            return out
        equals = data.index(b"=", pos)
        name = data[pos:equals].strip()
        pos = equals + 1
        while data[pos] in b" \t\r\n":
            pos += 1
        close = data.index(data[pos : pos + 1], pos + 1)
        try:
            out[name.decode()] = data[pos + 1 : close].decode()
        except UnicodeDecodeError:
            raise Refused("the Excel file cannot be opened: its XML is not UTF-8", DAMAGED_FIX) from None
        pos = close + 1


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def lookup_key(name: str) -> str:
    """How calamine finds a part: backslashes as slashes, ASCII letters in lower case."""
    return name.replace("\\", "/").translate(_ASCII_LOWER)


class Parts:
    """A zip's parts, found by name as calamine finds them (utils.rs: cached_zip_path): the
    name in ASCII lower case looked up among the parts' names made so, else the name exactly."""

    def __init__(self, parts: dict[str, bytes]):
        self.parts = parts
        self._by_key = {lookup_key(name): name for name in parts}

    def name_of(self, path: str) -> str | None:
        name = self._by_key.get(path.translate(_ASCII_LOWER), path)
        return name if name in self.parts else None

    def get(self, path: str) -> bytes | None:
        name = self.name_of(path)
        return None if name is None else self.parts[name]
