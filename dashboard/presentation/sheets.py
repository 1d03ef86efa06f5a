"""A downloadable table as data, and its CSV, Excel and JSON files.

A `Sheet` holds a table's values as numbers (rates as whole percents, changes as signed
points, counts, true/false), never as the text a page shows; what a page shows with colour
and symbols is formatting in Excel (fills, number formats such as "▲ +20") and a column of
its own where it carries meaning. The tables themselves are built in tables.py, from the same
objects as the pages, so a download holds the page's numbers. Every text cell, heading and note goes through
etl.templates.neutralise, so nothing in a download can run as a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field, replace

import xlsxwriter

from dashboard.presentation.national_table import REVISED_MARK, SMALL_MARK, STYLES
from etl.templates import neutralise

# How each kind of column is written: Excel number format (None: text), JSON type.
KINDS = {
    "text": (None, "string"),
    "whole": ("#,##0", "integer"),
    "percent": ("0%", "integer"),  # whole percent (44); Excel holds 0.44 shown as 44%
    "points": ('+0;"−"0;0', "integer"),  # signed change in percentage points
    "bool": (None, "boolean"),
}
# Excel number formats that show a change's symbol as the page does, the value staying a number.
CHANGE_FORMATS = {
    "no-change": '"● "0',
    "increase": '"▲ +"0;"▼ −"0;"● "0',
    "big-increase": '"▲▲ +"0;"▼ −"0;"● "0',
    "decrease": '"▲ +"0;"▼ −"0;"● "0',
}
# ... and a rate's symbol against a trajectory (?against=trajectory)
RATE_FORMATS = {style: f'"{STYLES[style]["symbol"]} "0%' for style in ("on-trajectory", "behind-trajectory")}


@dataclass(frozen=True)
class Column:
    name: str  # the heading in CSV and Excel
    key: str  # the field name in JSON
    kind: str = "text"
    width: int = 14  # Excel column width, in characters


@dataclass(frozen=True)
class Sheet:
    name: str  # the Excel worksheet's name
    title: str
    columns: list[Column]
    rows: list[list]  # str, int, bool or None (blank) per column
    as_of: str = ""  # "Data: Q2 2020/21, last loaded ..." (Excel and JSON)
    notes: list[str] = field(default_factory=list)
    styles: list[list[str | None]] | None = None  # a STYLES key per cell (Excel fills), or None
    small: list[list[bool]] | None = None  # cells marked † (few trusts) in Excel
    # cells marked ✎ in Excel: a figure changed since first published (its words in a column of their own)
    revised: list[list[bool]] | None = None
    key: list[tuple[str, str, str]] = field(default_factory=list)  # Excel key: (style, sample, label)

    def with_as_of(self, as_of: str, address: str) -> Sheet:
        return replace(self, as_of=f"{as_of} Source: {address}")


def _text(value):
    return neutralise(value) if isinstance(value, str) else value


# ---- writers -----------------------------------------------------------------------------------


def to_csv(sheet: Sheet) -> str:
    """Heading row, then one row per table row: numbers as plain numbers, blank for none."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # Excel's own line ending
    writer.writerow([_text(c.name) for c in sheet.columns])
    for row in sheet.rows:
        writer.writerow(
            ["" if v is None else ("true" if v is True else "false" if v is False else _text(v)) for v in row]
        )
    return out.getvalue()


def to_json(sheet: Sheet) -> str:
    """{"title", "as_of", "notes", "columns": [{"key", "name", "type"}], "rows": [{key: value}]}."""
    return json.dumps(
        {
            "title": _text(sheet.title),
            "as_of": _text(sheet.as_of),
            "notes": [_text(n) for n in sheet.notes],
            "columns": [{"key": c.key, "name": _text(c.name), "type": KINDS[c.kind][1]} for c in sheet.columns],
            "rows": [{c.key: _text(v) for c, v in zip(sheet.columns, row)} for row in sheet.rows],
        },
        ensure_ascii=False,
        indent=1,
    )


def to_excel(sheet: Sheet) -> bytes:
    """One worksheet: title, as-of line, headings, the rows (numbers formatted, page colours as
    fills), then the notes and the key."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    ws = book.add_worksheet(sheet.name[:31])
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 13})
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1})
    formats: dict[tuple, object] = {}

    def fmt(kind: str, style: str | None = None, small: bool = False, is_bold: bool = False, revised: bool = False):
        key = (kind, style, small, is_bold, revised)
        if key not in formats:
            spec: dict = {"bold": is_bold}
            number = KINDS[kind][0]
            if style in CHANGE_FORMATS and kind == "points":
                number = CHANGE_FORMATS[style]
            if style in RATE_FORMATS and kind == "percent":
                number = RATE_FORMATS[style]
            if small and number:
                number = ";".join(f'{part}" {SMALL_MARK}"' for part in number.split(";"))
            if revised and number:
                number = ";".join(f'{part}" {REVISED_MARK}"' for part in number.split(";"))
            if number:
                spec["num_format"] = number
            if style:
                s = STYLES[style]
                spec.update(
                    {
                        "bg_color": s["background"],
                        "font_color": s["text"],
                        "align": "center",
                        "border": 1,
                        "border_color": "#FFFFFF",
                        "italic": style == "no-return",
                    }
                )
            formats[key] = book.add_format(spec)
        return formats[key]

    ws.write_string(0, 0, _text(sheet.title), title)
    if sheet.as_of:
        ws.write_string(1, 0, _text(sheet.as_of))
    top = 3
    for c, column in enumerate(sheet.columns):
        ws.write_string(top, c, _text(column.name), head)
        ws.set_column(c, c, column.width)
    for r, row in enumerate(sheet.rows, start=top + 1):
        is_total = isinstance(row[0], str) and row[0].startswith("England")
        for c, (column, value) in enumerate(zip(sheet.columns, row)):
            style = sheet.styles[r - top - 1][c] if sheet.styles else None
            small = bool(sheet.small[r - top - 1][c]) if sheet.small else False
            revised = bool(sheet.revised[r - top - 1][c]) if sheet.revised else False
            cell = fmt(column.kind, style, small, is_total and c == 0, revised)
            if value is None:
                ws.write_blank(r, c, None, cell)
            elif column.kind == "bool":
                ws.write_boolean(r, c, bool(value), cell)
            elif column.kind == "text":
                ws.write_string(r, c, _text(str(value)), cell)
            elif column.kind == "percent":
                ws.write_number(r, c, value / 100, cell)
            else:
                ws.write_number(r, c, value, cell)
    below = top + len(sheet.rows) + 2
    for i, note in enumerate(sheet.notes):
        ws.write_string(below + i, 0, _text(note))
    if sheet.key:
        below += len(sheet.notes) + 1
        ws.write_string(below, 0, "Key", bold)
        for i, (style, sample, label) in enumerate(sheet.key, start=1):
            ws.write_string(below + i, 0, sample, fmt("text", style) if style else bold)
            ws.write_string(below + i, 1, _text(label))
    ws.set_row(top, 45)
    ws.freeze_panes(top + 1, 1)
    book.close()
    return buffer.getvalue()


WRITERS = {  # extension -> (writer, media type)
    "csv": (lambda s: to_csv(s).encode("utf-8-sig"), "text/csv; charset=utf-8"),  # BOM: Excel reads UTF-8
    "xlsx": (to_excel, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": (lambda s: to_json(s).encode("utf-8"), "application/json"),
}
