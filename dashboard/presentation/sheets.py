"""Every downloadable table as data, and its CSV, Excel and JSON files.

A `Sheet` holds a table's values as numbers (rates as whole percents, changes as signed
points, counts, true/false), never as the text a page shows; what a page shows with colour
and symbols is formatting in Excel (fills, number formats such as "▲ +20") and a column of
its own where it carries meaning. The builders below read the same objects as the pages
(etl.report.NationalTable through national_table.cells, the views' frames), so a download
holds the page's numbers. Every text cell, heading and note goes through
etl.templates.neutralise, so nothing in a download can run as a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field, replace

import pandas as pd
import xlsxwriter

from dashboard.presentation.national_table import SMALL_MARK, STYLES, Targets, caption, cells
from etl import words
from etl.programmes import Programme
from etl.quarters import Quarter
from etl.report import NationalTable, target_sentence
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
    "no-change": '"● "0', "increase": '"▲ +"0;"▼ −"0;"● "0', "big-increase": '"▲▲ +"0;"▼ −"0;"● "0',
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
        writer.writerow(["" if v is None else ("true" if v is True else "false" if v is False else _text(v))
                         for v in row])
    return out.getvalue()


def to_json(sheet: Sheet) -> str:
    """{"title", "as_of", "notes", "columns": [{"key", "name", "type"}], "rows": [{key: value}]}."""
    return json.dumps({
        "title": _text(sheet.title),
        "as_of": _text(sheet.as_of),
        "notes": [_text(n) for n in sheet.notes],
        "columns": [{"key": c.key, "name": _text(c.name), "type": KINDS[c.kind][1]} for c in sheet.columns],
        "rows": [{c.key: _text(v) for c, v in zip(sheet.columns, row)} for row in sheet.rows],
    }, ensure_ascii=False, indent=1)


def to_excel(sheet: Sheet) -> bytes:
    """One worksheet: title, as-of line, headings, the rows (numbers formatted, page colours as
    fills), then the notes and the key."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    ws = book.add_worksheet(sheet.name[:31])
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 13})
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1})
    formats: dict[tuple, object] = {}

    def fmt(kind: str, style: str | None = None, small: bool = False, is_bold: bool = False):
        key = (kind, style, small, is_bold)
        if key not in formats:
            spec: dict = {"bold": is_bold}
            number = KINDS[kind][0]
            if style in CHANGE_FORMATS and kind == "points":
                number = CHANGE_FORMATS[style]
            if style in RATE_FORMATS and kind == "percent":
                number = RATE_FORMATS[style]
            if small and number:
                number = ";".join(f'{part}" {SMALL_MARK}"' for part in number.split(";"))
            if number:
                spec["num_format"] = number
            if style:
                s = STYLES[style]
                spec.update({"bg_color": s["background"], "font_color": s["text"], "align": "center",
                             "border": 1, "border_color": "#FFFFFF", "italic": style == "no-return"})
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
            cell = fmt(column.kind, style, small, is_total and c == 0)
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
            ws.write_string(below + i, 0, sample, fmt("text", style))
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


# ---- the tables --------------------------------------------------------------------------------


def national(table: NationalTable, programme: Programme, trajectory: Targets | None = None) -> Sheet:
    """The national table: each rate and change as on the page, then what each rate is made of;
    with `trajectory` (?against=trajectory), the rates marked against each AHSN's own
    trajectory, and each quarter's target and whether the rate is on it."""
    rates, changes = table.quarters, table.change_columns
    columns = [Column("AHSN", "ahsn", width=24)]
    columns += [Column(f"Adoption rate {q.label} (%)", f"rate_{q.key}", "percent") for q in rates]
    columns += [Column(f"Change {a.label} to {b.label} (percentage points)", f"change_{a.key}_to_{b.key}", "points",
                       18) for a, b, _ in changes]
    counted, key = words.capital(words.counted(programme)), words.counted_key(programme)
    for q in rates:
        columns += [Column(f"{counted} adopted {q.label}", f"adopted_{q.key}", "whole"),
                    Column(f"{counted} {q.label}", f"{key}_{q.key}", "whole")]
    if trajectory is not None:
        for q in rates:
            columns += [Column(f"Trajectory target {q.label} (%)", f"trajectory_{q.key}", "percent"),
                        Column(f"On its trajectory {q.label}", f"on_trajectory_{q.key}", "bool")]
    rows, styles, small = [], [], []
    for facts, row_cells in cells(table, programme, trajectory):
        name = "England (Total)" if facts["is_total"] else facts["ahsn"]
        made_of = [v for c in row_cells[:len(rates)] for v in (c.adopted, c.trusts)]
        if trajectory is not None:
            made_of += [v for c in row_cells[:len(rates)] for v in (c.target, c.on)]
        rows.append([name] + [c.value for c in row_cells] + made_of)
        styles.append([None] + [c.style for c in row_cells] + [None] * len(made_of))
        small.append([False] + [c.small for c in row_cells] + [False] * len(made_of))
    points = programme.big_change_points
    rate_key = ([("below", f"below {programme.target_percent}%", STYLES["below"]["label"]),
                 ("at-target", f"{programme.target_percent}% or more", STYLES["at-target"]["label"])]
                if trajectory is None else
                [(k, f"{STYLES[k]['symbol']} 45%".strip(), STYLES[k]["label"])
                 for k in ("on-trajectory", "behind-trajectory", "no-trajectory")])
    key = [*rate_key,
           ("no-return", "(blank)", "No return from the AHSN for the quarter"),
           ("no-change", "● 0", STYLES["no-change"]["label"]),
           ("increase", "▲ +10", STYLES["increase"]["label"]),
           ("big-increase", f"▲▲ +{points + 1}", STYLES["big-increase"]["label"].format(points=points)),
           ("decrease", "▼ −10", STYLES["decrease"]["label"])]
    notes = national_notes(table, programme)
    if trajectory is not None:
        notes.append("Against each AHSN's own trajectory: the target its trajectory set for the quarter (its latest "
                      "step by then); a published quarter against the version in force when it was published. "
                      "Blank target: no trajectory target for the quarter. England has no trajectory.")
    return Sheet("national", caption(table, programme, trajectory), columns, rows, notes=notes,
                 styles=styles, small=small, key=key)


def national_notes(table: NationalTable, programme: Programme) -> list[str]:
    return [
        target_sentence(table, programme.target_percent),
        f"Adoption rate: {words.counted(programme)} at level {programme.adopted_from_level} or above as a percentage "
        f"of the {words.counted(programme)} in the AHSN's return, a whole percent rounded half up. England (Total): "
        f"all adopted {words.counted(programme)} over all {words.counted(programme)} in the returns.",
        "A blank rate means the AHSN sent no return for that quarter (never 0%); a blank change, that one of "
        "its two quarters has no return.",
        f"{SMALL_MARK} (Excel): fewer than {100 // programme.big_change_points} {words.counted(programme)}, so one "
        f"{words.organisations(programme, 1)} moves the rate by more than {programme.big_change_points} points.",
    ]


def _whole(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def trusts(frame: pd.DataFrame, programme: Programme, title: str, stem: str, comments: bool = True) -> Sheet:
    """Trust rows (etl.queries.trust_rows): one row per trust and return; `comments`: with the
    comments kept with each trust (blank otherwise)."""
    columns = [
        Column("AHSN", "ahsn", width=20), Column("Quarter", "quarter", width=11),
        Column("Trust code", "trust_code", width=10), Column("Trust name", "trust_name", width=44),
        Column("Trust type", "trust_type", width=14), Column("Counted toward the rate", "counted", "bool"),
        Column("Adoption level", "adoption_level", "whole", 10), Column("Level name", "level_name", width=13),
        Column(f"Adopted (counted, level {programme.adopted_from_level} or above)", "adopted", "bool"),
        Column("Level in the quarter before", "previous_level", "whole"),
        Column("Change in level since the quarter before", "level_change", "points"),
        Column("Referrals made", "referrals_made", "whole"), Column("Referrals completed", "referrals_completed",
                                                                    "whole"),
        Column("Completion rate (%)", "completion_percent", "percent"),
        Column("Comment", "comment", width=40),
    ]
    rows = []
    for r in frame.to_dict("records"):
        level, before = int(r["adoption_level"]), _whole(r["previous_level"])
        rows.append([r["ahsn"], r["quarter"], r["trust_code"], r["trust_name"], words.type_words(r["trust_type"]),
                     bool(r["counted"]), level, r["level_name"], bool(r["adopted"]), before,
                     None if before is None else level - before, _whole(r["referrals_made"]),
                     _whole(r["referrals_completed"]), _whole(r["completion_percent"]),
                     r.get("comment") if comments and isinstance(r.get("comment"), str) and r.get("comment").strip()
                     else None])
    notes = [f"Only {words.counted(programme)} count toward an AHSN's adoption rate; other "
             f"{words.organisations(programme)} are listed as returned.",
             "Level in the quarter before: blank when the trust was not in the AHSN's return for that quarter. "
             "Referrals: blank when the return did not give them. Completion rate: completed as a share of made."]
    return Sheet(stem, title, columns, rows, notes=notes)


def ahsn_rates(rates: pd.DataFrame, order: list[str], title: str, programme: Programme,
               trajectory: dict | None = None) -> Sheet:
    """Each AHSN's rate at every quarter it made a return (etl.queries.ahsn_rates), AHSNs in
    `order`, with the target its trajectory set for the quarter ((AHSN, Quarter) -> target)."""
    columns = [Column("AHSN", "ahsn", width=20), Column("Quarter", "quarter", width=11),
               Column("Adoption rate (%)", "rate", "percent"),
               Column(words.capital(f"{words.counted(programme)} adopted"), "adopted", "whole"),
               Column(words.capital(words.counted(programme)), words.counted_key(programme), "whole"),
               Column(f"All {words.organisations(programme)} in the return", f"all_{words.organisations(programme)}",
                      "whole"),
               Column("Referrals made", "referrals_made", "whole"),
               Column("Referrals completed", "referrals_completed", "whole"),
               Column("Trajectory target (%)", "trajectory", "percent")]
    trajectory = trajectory or {}
    position = {name: i for i, name in enumerate(order)}
    frame = rates[rates["ahsn"].isin(position)]
    frame = frame.assign(position=frame["ahsn"].map(position)).sort_values(["position", "quarter_index"])
    rows = [[r["ahsn"], r["quarter"], _whole(r["rate_percent"]), _whole(r["adopted_trusts"]),
             _whole(r["counted_trusts"]), _whole(r["all_trusts"]), _whole(r["referrals_made"]),
             _whole(r["referrals_completed"]),
             trajectory.get((r["ahsn"], Quarter.from_index(int(r["quarter_index"]))))]
            for r in frame.to_dict("records")]
    notes = ["One row per AHSN and quarter with a return; a quarter without a return has no row.",
             "Trajectory target: the target the AHSN's own trajectory set for the quarter, as the quarter is judged "
             "(a published quarter against the version in force when it was published); blank: none.",
             f"{words.capital(words.counted(programme))}: those counted toward the rate; all "
             f"{words.organisations(programme)} also counts those of the other types in the return."]
    return Sheet("compare", title, columns, rows, notes=notes)


def levels(programme: Programme) -> Sheet:
    columns = [Column("Level", "level", "whole", 8), Column("Name", "name", width=14),
               Column("What it means", "description", width=60), Column("Counted as adopted", "adopted", "bool")]
    rows = [[lv.number, lv.name, lv.description, programme.is_adopted(lv.number)] for lv in programme.levels]
    return Sheet("levels", f"The {programme.short_name} adoption levels", columns, rows)


def returns(rows: list[dict], status) -> Sheet:
    """The returns grid (dashboard.views.returns_grid) for a quarter (etl.collection.QuarterStatus)."""
    columns = [Column("AHSN", "ahsn", width=20), Column("Status", "status", width=40),
               Column("Returned", "returned", "bool"), Column("Late", "late", "bool"),
               Column("Days late", "days_late", "whole"),
               Column("Warnings", "warnings", "whole"), Column("Earlier versions replaced", "earlier", "whole"),
               Column("Stored (UTC)", "stored_at", width=18), Column("By", "by", width=16),
               Column("Submission", "submission", "whole"),
               Column("Revisions waiting for approval", "revisions_waiting", width=18),
               Column("Trusts of the quarter before missing now", "missing", width=50),
               Column("How many missing", "missing_count", "whole")]
    out = [[r["ahsn"], r["status"], r["returned"], r["late"], r["days_late"], r["warnings"], r["earlier"],
            None if r["stored_at"] is None else f"{r['stored_at']:%Y-%m-%d %H:%M}", r["by"], r["submission"],
            ", ".join(map(str, r["revisions_waiting"])) or None, "; ".join(r["missing"]), len(r["missing"])]
           for r in rows]
    state = "published" if status.is_published else f"open, due {status.due:%-d %b %Y}"
    return Sheet("returns", f"Returns for {status.quarter.label} ({state}; {status.coverage}), by AHSN",
                 columns, out)


def trajectories(versions: pd.DataFrame, steps: pd.DataFrame, programme: Programme) -> Sheet:
    """Every step of every version of every AHSN's trajectory (etl.queries.trajectory_versions and
    trajectory_steps): AHSNs in the national table's order, newest version first."""
    columns = [Column("AHSN", "ahsn", width=24), Column("Version", "version", "whole", 8),
               Column("Current", "current", "bool", 8), Column("By quarter", "quarter", width=11),
               Column("Target (%)", "target", "percent", 9), Column("Note", "note", width=30),
               Column("Set by", "set_by", width=16), Column("Set at (UTC)", "set_at", width=17),
               Column("Why", "reason", width=40), Column("File", "file_name", width=24)]
    by_event = {int(e): frame for e, frame in steps.groupby("event_id")}
    rows = []
    for v in versions.to_dict("records"):
        mine = by_event.get(int(v["event_id"]))
        for s in ([] if mine is None else mine.sort_values("quarter_index").to_dict("records")):
            rows.append([v["ahsn"], int(v["version"]), bool(v["is_newest"]), s["quarter"], int(s["target_percent"]),
                         s["note"] if isinstance(s["note"], str) else None, v["by_user"],
                         f"{v['happened_at']:%Y-%m-%d %H:%M}", v["reason"], v["file_name"]])
    notes = [f"One row per step: by the quarter, the target share of the AHSN's {words.counted(programme)} "
             "adopting; the target "
             "holds until the next step.",
             "A published quarter is judged against the version in force when it was published, any other quarter "
             "against the current version."]
    return Sheet("trajectories", "Every version of every AHSN's trajectory", columns, rows, notes=notes)


def milestones(found: list, title: str, programme: Programme) -> Sheet:
    """Milestones (etl.milestones.Milestone), newest quarter first, AHSNs A to Z."""
    columns = [Column("Quarter", "quarter", width=11), Column("AHSN", "ahsn", width=24),
               Column("Kind", "kind", width=12), Column("Milestone", "milestone", width=90)]
    rows = [[m.quarter.label, m.ahsn, m.kind, m.sentence] for m in found]
    one = words.counted(programme, 1)
    notes = [f"Kinds: first-live (its first {one} live), step (a step of its own trajectory met), target "
             f"(the national target reached), all-live (every {one} live), referrals (referrals in a quarter "
             "past a milestone for the first time). Each counts the first quarter it happened, when an earlier "
             "return shows it had not."]
    return Sheet("milestones", title, columns, rows, notes=notes)
