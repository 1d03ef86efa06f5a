"""Ready-to-fill return files: the header and the organisations of the AHSN's last return (for
those who may see it; blank otherwise; an AHSN's first: the reference list's organisations at
level 1), as CSV or as an Excel workbook with drop-down lists and the columns explained; and the
trajectory file, each AHSN's current steps to edit and load again."""

from __future__ import annotations

import csv
import io

from etl import queries, reference, words
from etl.programmes import Programme
from etl.quarters import Quarter
from etl.queries import Database
from etl.reading.trajectory import COLUMNS as TRAJECTORY_COLUMNS
from etl.validate import layout_for


def csv_columns(programme: Programme) -> list[str]:
    """The template's columns, in order (a Notes column may be added by the user)."""
    return [c for c in layout_for(programme).columns if c != "comment"]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_SPARE_ROWS = 30
# the xlsx template's column widths (a count's: its name's length, at least 15)
WIDTHS = {
    "quarter": 12,
    "ahsn": 16,
    "trust_code": 11,
    "trust_name": 44,
    "trust_type": 15,
    "adoption_level": 15,
    "comment": 40,
}  # rows below the trusts that keep the drop-down lists, for new trusts


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


def template_rows(db: Database, programme: Programme, ahsn: str, quarter: Quarter, filled: bool = True) -> list[list]:
    """Levels are carried over from the last return (most organisations do not move in a quarter);
    counts are left blank to be filled in. One list per organisation, in csv_columns order.
    Not `filled` (the last return is not the reader's to see, etl/permissions.py): none."""
    if not filled:
        return []
    rows = queries.current_return_rows(db, programme)
    mine = rows[(rows["ahsn"] == ahsn) & (rows["quarter_index"] < quarter.index)]
    if len(mine):
        mine = mine[mine["quarter_index"] == mine["quarter_index"].max()]
    else:  # an AHSN's first return: its current organisations on the reference list, at level 1
        level = [1] if programme.levels else []
        listed = [o for o in reference.organisations(programme).of_ahsn(ahsn) if o.is_current]
        return [
            [
                neutralise(v)
                for v in (quarter.label, ahsn, o.code, o.name, o.type, *level, *[""] * len(programme.measures))
            ]
            for o in listed
        ]
    return [
        [
            neutralise(v)
            for v in (
                quarter.label,
                ahsn,
                r["trust_code"],
                r["trust_name"],
                r["trust_type"],
                *([int(r["adoption_level"])] if programme.levels else []),
                *([""] * len(programme.measures)),
            )
        ]
        for _, r in mine.iterrows()
    ]


def template_csv(db: Database, programme: Programme, ahsn: str, quarter: Quarter, filled: bool = True) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # Excel's own line ending
    writer.writerow(csv_columns(programme))
    writer.writerows(template_rows(db, programme, ahsn, quarter, filled))
    return out.getvalue()


def _explanations(programme: Programme, quarter: Quarter) -> list[tuple[str, str]]:
    levels = "; ".join(f"{lv.number} {lv.name}: {lv.description}" for lv in programme.levels)
    return [
        ("quarter", f"The NHS quarter the return is for, written like {quarter.label} (Q1 is April to June)."),
        ("ahsn", "The AHSN's name: its short name, full name or Health Innovation Network name."),
        ("trust_code", f"{words.capital(programme.code_words)}, e.g. {programme.code_example}."),
        ("trust_name", f"The {programme.organisation}'s name."),
        (
            "trust_type",
            f"One of {', '.join(programme.type_keys)} (choose from the list). Only {words.counted(programme)} "
            f"count toward the {'adoption rate' if programme.headline.kind == 'share' else 'headline figure'}.",
        ),
        *(
            [
                (
                    "adoption_level",
                    f"A whole number from {programme.levels[0].number} to "
                    f"{programme.levels[-1].number} (choose from the list). {levels}",
                )
            ]
            if programme.levels
            else []
        ),
        *(
            (
                m.key,
                m.explanation.format(most=m.max_per_row)
                or f"{words.capital(m.meaning)}: a whole number from 0 to {m.max_per_row:,}, or blank if not reported.",
            )
            for m in programme.measures
        ),
        ("comment", f"Optional: a note about the {programme.organisation} this quarter, kept with the return."),
    ]


def template_xlsx(db: Database, programme: Programme, ahsn: str, quarter: Quarter, filled: bool = True) -> bytes:
    """The same trusts as the CSV template in an Excel workbook: drop-down lists for the
    adoption level and the trust type, whole-number checks on referrals, and a second sheet
    explaining each column. It reads back through parse_return unchanged."""
    import xlsxwriter

    rows = template_rows(db, programme, ahsn, quarter, filled)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    )
    bold = book.add_format({"bold": True, "bg_color": "#E8EDEE", "border": 1})
    text = book.add_format({"num_format": "@"})  # Excel keeps codes and quarters as typed
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet("Return")
    columns = csv_columns(programme) + ["comment"]
    sheet.write_row(0, 0, columns, bold)
    sheet.freeze_panes(1, 0)
    for i, column in enumerate(columns):
        width = WIDTHS.get(column, max(15, len(column)))
        sheet.set_column(i, i, width, text if column in ("quarter", "trust_code") else None)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value != "":
                sheet.write(r, c, neutralise(value))
    last = len(rows) + XLSX_SPARE_ROWS
    type_col = columns.index("trust_type")
    if programme.levels:
        level_col = columns.index("adoption_level")
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
            "source": list(programme.type_keys),
            "error_title": f"{words.capital(programme.organisation)} type",
            "error_message": f"Choose one of: {', '.join(programme.type_keys)}",
        },
    )
    for m in programme.measures:
        col = columns.index(m.key)
        sheet.data_validation(
            1,
            col,
            last,
            col,
            {
                "validate": "integer",
                "criteria": "between",
                "minimum": 0,
                "maximum": m.max_per_row,
                "ignore_blank": True,
                "error_title": words.capital(m.noun)[:32],
                "error_message": f"A whole number from 0 to {m.max_per_row:,}, or blank if not reported",
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
