"""Ready-to-fill return files: the header and the trusts of the AHSN's last return, as CSV
or as an Excel workbook with drop-down lists and the columns explained; and the trajectory
file, each AHSN's current steps to edit and load again."""

from __future__ import annotations

import csv
import io

from etl import queries, words
from etl.programmes import TRUST_TYPES, Programme
from etl.quarters import Quarter
from etl.queries import Database
from etl.reading.trajectory import COLUMNS as TRAJECTORY_COLUMNS
from etl.validate import COLUMNS

CSV_COLUMNS = [c for c in COLUMNS if c != "comment"]  # a Notes column may be added by the user
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_SPARE_ROWS = 30  # rows below the trusts that keep the drop-down lists, for new trusts


def neutralise(value: object) -> object:
    """Stop a spreadsheet running a cell as a formula (CSV injection): prefix with '.
    Also when spaces or control characters come first (some spreadsheets skip them) or a
    full-width sign does (read as = + - @ in some locales)."""
    if isinstance(value, str) and (
        value.startswith(FORMULA_START + _ALSO_START) or value.lstrip(_SKIPPED).startswith(FORMULA_START + _ALSO_START)
    ):
        return "'" + value
    return value


_ALSO_START = ("\n", "\0", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # and full-width = + - @
_SKIPPED = "".join(map(chr, range(0x21))) + "\x7f\xa0\u3000"  # spaces, control characters


def template_rows(db: Database, programme: Programme, ahsn: str, quarter: Quarter) -> list[list]:
    """Levels are carried over from the last return (most trusts do not move in a quarter);
    referral counts are left blank to be filled in. One list per trust, in CSV_COLUMNS order."""
    rows = queries.current_return_rows(db, programme)
    mine = rows[(rows["ahsn"] == ahsn) & (rows["quarter_index"] < quarter.index)]
    if len(mine):
        mine = mine[mine["quarter_index"] == mine["quarter_index"].max()]
    return [
        [
            neutralise(v)
            for v in (
                quarter.label,
                ahsn,
                r["trust_code"],
                r["trust_name"],
                r["trust_type"],
                int(r["adoption_level"]),
                "",
                "",
            )
        ]
        for _, r in mine.iterrows()
    ]


def template_csv(db: Database, programme: Programme, ahsn: str, quarter: Quarter) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # Excel's own line ending
    writer.writerow(CSV_COLUMNS)
    writer.writerows(template_rows(db, programme, ahsn, quarter))
    return out.getvalue()


def _explanations(programme: Programme, quarter: Quarter) -> list[tuple[str, str]]:
    levels = "; ".join(f"{lv.number} {lv.name}: {lv.description}" for lv in programme.levels)
    return [
        ("quarter", f"The NHS quarter the return is for, written like {quarter.label} (Q1 is April to June)."),
        ("ahsn", "The AHSN's name: its short name, full name or Health Innovation Network name."),
        ("trust_code", "The trust's ODS code: 3 to 5 letters or digits, e.g. RTH."),
        ("trust_name", "The trust's name."),
        (
            "trust_type",
            f"One of {', '.join(TRUST_TYPES)} (choose from the list). Only {words.counted(programme)} "
            "count toward the adoption rate.",
        ),
        (
            "adoption_level",
            f"A whole number from {programme.levels[0].number} to "
            f"{programme.levels[-1].number} (choose from the list). {levels}",
        ),
        (
            "referrals_made",
            "Referrals sent to community pharmacies in the quarter: a whole number from 0 "
            f"to {programme.max_count_per_row:,}, or blank if not reported.",
        ),
        ("referrals_completed", "Of those, referrals completed: never more than made; blank if not reported."),
        ("comment", "Optional: a note about the trust this quarter, kept with the return."),
    ]


def template_xlsx(db: Database, programme: Programme, ahsn: str, quarter: Quarter) -> bytes:
    """The same trusts as the CSV template in an Excel workbook: drop-down lists for the
    adoption level and the trust type, whole-number checks on referrals, and a second sheet
    explaining each column. It reads back through parse_return unchanged."""
    import xlsxwriter

    rows = template_rows(db, programme, ahsn, quarter)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    )
    bold = book.add_format({"bold": True, "bg_color": "#E8EDEE", "border": 1})
    text = book.add_format({"num_format": "@"})  # Excel keeps codes and quarters as typed
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet("Return")
    columns = CSV_COLUMNS + ["comment"]
    sheet.write_row(0, 0, columns, bold)
    sheet.freeze_panes(1, 0)
    for i, width in enumerate((12, 16, 11, 44, 15, 15, 15, 19, 40)):
        sheet.set_column(i, i, width, text if columns[i] in ("quarter", "trust_code") else None)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value != "":
                sheet.write(r, c, neutralise(value))
    last = len(rows) + XLSX_SPARE_ROWS
    level_col, type_col = columns.index("adoption_level"), columns.index("trust_type")
    levels = ", ".join(f"{lv.number} {lv.name}" for lv in programme.levels)
    sheet.data_validation(
        1,
        level_col,
        last,
        level_col,
        {
            "validate": "list",
            "source": [str(n) for n in programme.level_numbers],
            "input_title": "Adoption level",
            "input_message": levels[:255],
            "error_title": "Adoption level",
            "error_message": f"Choose a level: {levels}"[:255],
        },
    )
    sheet.data_validation(
        1,
        type_col,
        last,
        type_col,
        {
            "validate": "list",
            "source": list(TRUST_TYPES),
            "error_title": "Trust type",
            "error_message": f"Choose one of: {', '.join(TRUST_TYPES)}",
        },
    )
    for name in ("referrals_made", "referrals_completed"):
        col = columns.index(name)
        sheet.data_validation(
            1,
            col,
            last,
            col,
            {
                "validate": "integer",
                "criteria": "between",
                "minimum": 0,
                "maximum": programme.max_count_per_row,
                "ignore_blank": True,
                "error_title": "Referrals",
                "error_message": f"A whole number from 0 to {programme.max_count_per_row:,}, or blank if not reported",
            },
        )
    about = book.add_worksheet("About the columns")
    about.set_column(0, 0, 22)
    about.set_column(1, 1, 100, wrap)
    about.write_row(0, 0, ["Column", "What to write"], bold)
    for r, (name, meaning) in enumerate(_explanations(programme, quarter), start=1):
        about.write_row(r, 0, [neutralise(name), neutralise(meaning)])
    book.close()
    return buffer.getvalue()


def trajectory_csv(versions: dict, order: list[str], example_after: Quarter | None = None) -> str:
    """Every AHSN's newest trajectory in the file format (etl/reading/trajectory.py: ahsn,
    quarter, target_percent, note), AHSNs in `order`: download it, change it, load it again.
    `versions`: AHSN -> its SetTrajectory events, oldest first. With no trajectory at all,
    three example steps for Wessex from the quarter after `example_after` show the format."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(list(TRAJECTORY_COLUMNS))
    rows = [
        [ahsn, s.quarter, s.target_percent, s.note or ""]
        for ahsn in order
        for s in (versions[ahsn][-1].steps if versions.get(ahsn) else ())
    ]
    if not rows and example_after is not None:
        rows = [
            [
                "Wessex",
                (example_after + 1 + 2 * i).label,
                target,
                "an example: replace with your own steps" if i == 0 else "",
            ]
            for i, target in enumerate((20, 35, 50))
        ]
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return out.getvalue()
