"""CSV files: bytes to text (UTF-8, UTF-16 or Windows-1252), refusing control characters
anywhere, finding the delimiter, and splitting into rows with their exact cell counts.

Excel's "CSV (Comma delimited)" writes Windows-1252, "CSV UTF-8" writes UTF-8 with a BOM,
"Unicode Text" writes UTF-16 separated by tabs, and in much of Europe the separator is a
semicolon: each is read, and any reading other than plain UTF-8 with commas is reported.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata

from etl.problems import Problem
from etl.reading.grid import Grid, drop_blank_rows
from etl.reading.limits import ReadLimits
from etl.reading.result import Interpretation
from etl.reading.scan import too_long

SAVE_AS_CSV = "In Excel use File > Save As > 'CSV UTF-8 (Comma delimited)', then upload that file"
DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}

# C0 and C1 control characters other than tab, line feed and carriage return, and the
# invisible characters that reorder text (bidi controls): a return never needs them.
BAD_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def describe_character(ch: str) -> str:
    code = ord(ch)
    name = {0: "NUL"}.get(code) or unicodedata.name(ch, "")
    if unicodedata.category(ch) == "Cc":
        return f"a control character ({name + ', ' if name else ''}code {code})"
    return f"an invisible character that reorders text ({name.lower() or f'U+{code:04X}'})"


def find_bad_character(text: str) -> tuple[int, str] | None:
    """(line number, description) of the first control or bidi character, if any."""
    match = BAD_CHARACTERS.search(text)
    if match is None:
        return None
    return text.count("\n", 0, match.start()) + 1, describe_character(match.group())


def decode(file_name: str, content: bytes) -> tuple[str, Interpretation | None] | Problem:
    """The text of a CSV, and how it was decoded when that was not plain UTF-8."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16"), Interpretation(
                None, None, None, note="the file is UTF-16 text (Excel's 'Unicode Text'); read as such"
            )
        except UnicodeDecodeError:
            return Problem(file_name, None, None, "the file says it is UTF-16 text but is not", SAVE_AS_CSV)
    try:
        return content.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError as err:
        line = content[: err.start].count(b"\n") + 1
        return Problem(
            file_name,
            line,
            None,
            "the file is not text that a spreadsheet writes (neither UTF-8 nor Windows-1252)",
            SAVE_AS_CSV,
        )
    accented = sorted(set(re.findall(r'[^\s,;\t|"]*[^\x00-\x7f][^\s,;\t|"]*', text)))[:5]
    sample = f": check {', '.join(repr(w) for w in accented)}" if accented else ""
    return text, Interpretation(
        None,
        None,
        None,
        note=f"the file is not UTF-8, so it was read as Windows-1252 (what Excel's 'CSV (Comma "
        f"delimited)' writes){sample}. {SAVE_AS_CSV} to avoid this",
    )


def split(
    text: str, delimiter: str, file_name: str, limits: ReadLimits, max_lines: int | None = None
) -> list[tuple[int, list[str]]] | Problem:
    """Rows of cells with their spreadsheet row numbers (a quoted value may span lines)."""
    csv.field_size_limit(limits.max_cell_chars)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    cells = 0
    try:
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            if len(row) > limits.max_columns:
                return Problem(
                    file_name,
                    start,
                    None,
                    f"the row has {len(row):,} values; a return has about 9 columns "
                    f"(at most {limits.max_columns} are read)",
                    "Check it is the right file; save only the return's columns",
                )
            cells += len(row)
            if cells > limits.max_cells:
                return Problem(
                    file_name,
                    start,
                    None,
                    f"the file has more than {limits.max_cells:,} values; a return has about 9 for each trust",
                    "Check it is the right file",
                )
            rows.append((start, row))
            if max_lines is not None and len(rows) >= max_lines:
                break
    except csv.Error as err:
        if "field larger than field limit" in str(err):
            return Problem(
                file_name,
                reader.line_num,
                None,
                too_long(limits.max_cell_chars),
                "Check the row for a double quote that is opened but not closed (the rest of "
                "the file is then one cell), or shorten the cell",
            )
        return Problem(
            file_name,
            reader.line_num,
            None,
            f"the file is not valid CSV ({err})",
            "Check this row for a double quote that is opened but not closed",
        )
    return rows


def read_csv(
    file_name: str, content: bytes, limits: ReadLimits, choose_delimiter
) -> tuple[Grid, list[Interpretation]] | Problem:
    """The CSV's cells. `choose_delimiter(samples)` gets {delimiter: first rows} and returns
    the delimiter whose rows hold the return's header (see etl.reading.table)."""
    lines = content.count(b"\n") + 1
    if lines > limits.max_rows + 50:  # before decoding: a file of millions of short lines
        return Problem(
            file_name,
            None,
            None,
            f"the file has {lines:,} lines; a return has one row per trust (at most {limits.max_rows:,} rows are read)",
            "Check it is the right file, or split a national file into one file per AHSN",
        )
    decoded = decode(file_name, content)
    if isinstance(decoded, Problem):
        return decoded
    text, encoding_note = decoded
    bad = find_bad_character(text)
    if bad is not None:
        line, what = bad
        return Problem(
            file_name,
            line,
            None,
            f"the file contains {what}, which a return never holds",
            f"Delete it (it may be invisible in a text editor), or {SAVE_AS_CSV[0].lower()}{SAVE_AS_CSV[1:]} again",
        )
    interpretations = [encoding_note] if encoding_note else []
    samples = {}
    for d in DELIMITERS:
        sample = split(text, d, file_name, limits, max_lines=30)
        samples[d] = sample if isinstance(sample, list) else []
    delimiter = choose_delimiter(samples)
    if delimiter != ",":
        interpretations.append(
            Interpretation(
                None,
                None,
                None,
                note=f"this CSV uses {DELIMITERS[delimiter]} to separate values, not commas; read that way",
            )
        )
    rows = split(text, delimiter, file_name, limits)
    if isinstance(rows, Problem):
        return rows
    if len(rows) > limits.max_rows:
        return Problem(
            file_name,
            None,
            None,
            f"the file has {len(rows):,} rows; at most {limits.max_rows:,} are read",
            "Check it is the right file, or split a national file into one file per AHSN",
        )
    return Grid("", drop_blank_rows(rows), ragged_matters=True), interpretations
