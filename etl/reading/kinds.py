"""What kind of file was sent (by its bytes, not its name), and a safe name for it."""

from __future__ import annotations

import os
import unicodedata

from etl.problems import Problem

NOT_A_RETURN = "this is not a CSV, Excel or OpenDocument spreadsheet file"
NOT_A_RETURN_FIX = (
    "Upload the return as .xlsx, .xls, .ods or CSV. In Excel use File > Save As > "
    "'CSV UTF-8 (Comma delimited)' or 'Excel Workbook (.xlsx)'"
)
MAX_NAME = 120

_BINARY = (
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"\x1f\x8b",
    b"7z\xbc\xaf",
    b"Rar!",
    b"MZ",
    b"\x7fELF",
    b"BM",
    b"II*\x00",
    b"MM\x00*",
    b"{\\rtf",
)
ODS_MIME = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"


def clean_file_name(name: str | None) -> str:
    """The name as shown and kept: no path, no control or invisible (bidi) characters, at
    most MAX_NAME characters with the extension kept."""
    text = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(
        ch
        for ch in unicodedata.normalize("NFC", text)
        if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")
    )
    text = " ".join(text.split()).strip(" .")
    if len(text) > MAX_NAME:
        stem, ext = os.path.splitext(text)
        ext = ext if len(ext) <= 8 else ""
        text = stem[: MAX_NAME - len(ext) - 1].rstrip() + "…" + ext
    return text or "return"


def detect(file_name: str, content: bytes) -> str | Problem:
    """'csv', 'xlsx', 'xls' or 'ods', or why the file is none of them."""
    ext = os.path.splitext(file_name.lower())[1]
    if content.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "ods" if content[30 : 30 + len(ODS_MIME)] == ODS_MIME or ext == ".ods" else "xlsx"
    if content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if content.startswith(_BINARY) or b"\x00" in content[:4096] and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Problem(file_name, None, None, NOT_A_RETURN, NOT_A_RETURN_FIX)
    if ext in (".xlsx", ".xlsm", ".ods"):
        return "xlsx" if ext != ".ods" else "ods"  # named so but not a zip: reported as damaged
    head = content[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<html", b"<!doctype", b"<table", b"<?xml")):
        return Problem(
            file_name,
            None,
            None,
            "this is a web page or XML file, not a spreadsheet (some systems export these with an .xls name)",
            "Open it in Excel and use File > Save As > 'Excel Workbook (.xlsx)', then upload that copy",
        )
    return "csv"


def kind_note(file_name: str, kind: str) -> str | None:
    """When the name says one kind and the bytes another, the reading is worth saying."""
    ext = os.path.splitext(file_name.lower())[1]
    if kind == "csv" and ext in (".xls", ".xlsx", ".ods"):
        return f"the file is called {ext} but holds text separated by commas or tabs: read as CSV"
    return None
