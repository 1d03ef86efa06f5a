"""Downloads of exactly what the national table shows: CSV, and Excel keeping the colours.

Every text cell goes through etl.templates.neutralise, so nothing in a download can run as a
spreadsheet formula.
"""

from __future__ import annotations

import csv
import io

import xlsxwriter

from dashboard.national_table import SMALL_MARK, STYLES, caption, cells, header, trusts_phrase
from etl.programmes import Programme
from etl.report import NationalTable, target_sentence
from etl.templates import neutralise


def _columns(table: NationalTable) -> list[str]:
    """Header: AHSN, each shown column, then what each rate is made of."""
    return (["AHSN"] + header(table)
            + [f"Acute trusts adopted {q.label}" for q in table.quarters])


def rows(table: NationalTable, programme: Programme) -> list[list]:
    """The shown text of each cell, as on the page (with † for few trusts), then the
    'n of m acute trusts' behind each rate."""
    out = []
    for facts, row_cells in cells(table, programme):
        name = "England (Total)" if facts["is_total"] else facts["ahsn"]
        shown = [c.text + (f" {SMALL_MARK}" if c.small else "") for c in row_cells]
        made_of = [trusts_phrase(c.adopted, c.trusts) if c.value is not None else c.text
                   for c in row_cells[:len(table.quarters)]]
        out.append([name] + shown + made_of)
    return out


def notes(table: NationalTable, programme: Programme) -> list[str]:
    return [
        target_sentence(table, programme.target_percent),
        f"{SMALL_MARK} fewer than {100 // programme.big_change_points} acute trusts: one trust moves "
        f"the rate by more than {programme.big_change_points} percentage points.",
        "Adoption rate: acute trusts at level "
        f"{programme.adopted_from_level} or above as a percentage of acute trusts in the return; "
        "England (Total): all adopted acute trusts over all acute trusts in the returns.",
    ]


def national_csv(table: NationalTable, programme: Programme) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_columns(table))
    for row in rows(table, programme):
        writer.writerow([neutralise(v) for v in row])
    return out.getvalue()


def national_excel(table: NationalTable, programme: Programme) -> bytes:
    """One sheet: caption, header, the table with the page's colours and symbols, the notes."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False})
    sheet = book.add_worksheet("National table")
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1})
    formats = {key: book.add_format({"bg_color": s["background"], "font_color": s["text"],
                                     "align": "center", "border": 1, "border_color": "#FFFFFF",
                                     "italic": key == "no-return"})
               for key, s in STYLES.items()}
    sheet.write_string(0, 0, neutralise(caption(table, programme)), bold)
    columns = _columns(table)
    for col, name in enumerate(columns):
        sheet.write_string(2, col, neutralise(name), head)
    n_shown = len(table.quarters) + len(table.change_columns)
    for r, ((facts, row_cells), row) in enumerate(zip(cells(table, programme), rows(table, programme)), start=3):
        sheet.write_string(r, 0, neutralise(row[0]), bold if facts["is_total"] else None)
        for c, cell in enumerate(row_cells, start=1):
            sheet.write_string(r, c, neutralise(row[c]), formats[cell.style])
        for c in range(n_shown + 1, len(row)):
            sheet.write_string(r, c, neutralise(row[c]))
    last = 3 + len(table.frame) + 1
    for i, note in enumerate(notes(table, programme)):
        sheet.write_string(last + i, 0, neutralise(note))
    key_row = last + len(notes(table, programme)) + 1
    sheet.write_string(key_row, 0, "Key", bold)
    for i, (key, style) in enumerate(STYLES.items(), start=1):
        sample = style["symbol"] or ("no return" if key == "no-return" else "")
        sheet.write_string(key_row + i, 0, sample, formats[key])
        sheet.write_string(key_row + i, 1, style["label"].format(points=programme.big_change_points))
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, n_shown, 16)
    sheet.set_column(n_shown + 1, len(columns) - 1, 22)
    sheet.set_row(2, 45)
    sheet.freeze_panes(3, 1)
    book.close()
    return buffer.getvalue()
