"""Files the dashboard sends as attachments (flask.send_file, never a hand-built header): the
originals as uploaded, the rows as counted, templates and downloads."""

from __future__ import annotations

import io
import os

from flask import send_file
from werkzeug.utils import secure_filename

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ORIGINAL_TYPES = {
    ".csv": "text/csv",
    ".xlsx": XLSX_TYPE,
    ".xls": "application/vnd.ms-excel",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}
BOM = "\ufeff"  # so Excel reads a CSV as UTF-8


def attachment(content: bytes | str, name: str, mimetype: str, cache: str = "no-cache", inline: bool = False):
    """`content` as a download called `name` (text is sent as UTF-8; a CSV with a BOM)."""
    if isinstance(content, str):
        content = ((BOM if mimetype == "text/csv" else "") + content).encode("utf-8")
    response = send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=not inline, download_name=name)
    response.headers["Cache-Control"] = cache
    return response


def original(content: bytes, stored_as: str, stem: str, file_name: str, default: str):
    """A file exactly as uploaded (the record of what was sent), as an attachment: never shown
    in the browser, whatever it holds. Its type is from its content (the kept file's suffix)."""
    suffix = os.path.splitext(stored_as)[1]  # .csv, .xlsx, .xls or .ods
    name = secure_filename(os.path.splitext(file_name)[0]) or default
    return attachment(
        content, f"{stem}-{name}{suffix}", ORIGINAL_TYPES.get(suffix, "application/octet-stream"), cache="no-store"
    )
