"""The national table as people see it: colours, symbols, 'no return', what each rate is made of.

Pure functions of an etl.report.NationalTable. One description of every cell
(`cells`: its number, style, and what it is made of) feeds the HTML table and the downloads
(presentation/sheets.py), so the downloads hold the page's numbers.
"""

from __future__ import annotations

import pandas as pd
from dash import html

from dashboard.addresses import here
from dashboard.presentation.ahsn_story import BEHIND_MARK, ON_MARK, against
from dashboard.presentation.headline_cells import (
    Cell,
    Targets,
    change_unit,
    group_heading,
    headline_caption,
    headline_cell,
    headline_change_words,
    headline_name,
    none_to_divide,
)
from etl import words
from etl.programmes import Programme
from etl.quarters import Quarter
from etl.report import NationalTable, is_share

NO_RETURN = words.NO_RETURN
NOT_AVAILABLE = "n/a"
SMALL_MARK = "†"
REVISED_MARK = "✎"  # a published figure changed since publication (hover or focus says how)

# Colour-blind-safe blue/orange family; every pair of text/background is >= 4.5:1 (WCAG AA),
# checked in tests/test_figures.py. Each change style also has its own symbol.
STYLES: dict[str, dict] = {
    "below": {"label": "Below target", "background": "#FBE3D6", "text": "#5A2A00", "symbol": ""},
    "at-target": {"label": "At or above target", "background": "#1B4F8A", "text": "#FFFFFF", "symbol": ""},
    "no-change": {"label": "No change", "background": "#EEEEEE", "text": "#1F1F1F", "symbol": "●"},
    "increase": {"label": "Increase", "background": "#CFE3F5", "text": "#0B2E59", "symbol": "▲"},
    "big-increase": {
        "label": "Increase of more than {points} points",
        "background": "#0B2E59",
        "text": "#FFFFFF",
        "symbol": "▲▲",
    },
    "decrease": {"label": "Decrease", "background": "#F2A65A", "text": "#1F1F1F", "symbol": "▼"},
    "no-return": {"label": "No return", "background": "#FFFFFF", "text": "#505050", "symbol": ""},
    # a programme without a flat national target: the share adopting, judged against nothing
    "no-target": {"label": "No national target", "background": "#F2F2F2", "text": "#1F1F1F", "symbol": ""},
    # ?against=trajectory: each AHSN's rate against its own trajectory, not the flat target
    "on-trajectory": {
        "label": "On or above its own trajectory",
        "background": "#4B2C73",
        "text": "#FFFFFF",
        "symbol": ON_MARK,
    },
    "behind-trajectory": {
        "label": "Behind its own trajectory",
        "background": "#EDE3F5",
        "text": "#3A1F5C",
        "symbol": BEHIND_MARK,
    },
    "no-trajectory": {
        "label": "No trajectory target for the quarter",
        "background": "#F2F2F2",
        "text": "#1F1F1F",
        "symbol": "",
    },
}
RATE_STYLES = ("below", "at-target", "no-return")
NO_TARGET_STYLES = ("no-target", "no-return")
TRAJECTORY_STYLES = ("on-trajectory", "behind-trajectory", "no-trajectory", "no-return")


def small_denominator(trusts: int, programme: Programme) -> bool:
    """True when one trust moving changes the rate by more than the big-change points."""
    return trusts > 0 and 100 / trusts > programme.big_change_points


def rate_style(rate: int, programme: Programme) -> str:
    if programme.target_percent is None:  # no flat national target (a count headline)
        return "no-target"
    return "at-target" if rate >= programme.target_percent else "below"


def change_style(change: int, programme: Programme) -> str:
    if change == 0:
        return "no-change"
    if change < 0:
        return "decrease"
    return "big-increase" if change > programme.big_change_points else "increase"


def change_text(change: int, programme: Programme) -> str:
    """'▲ +20', '▲▲ +36', '▼ −19', '● 0' (a true minus sign)."""
    symbol = STYLES[change_style(change, programme)]["symbol"]
    number = f"+{change}" if change > 0 else f"−{-change}" if change < 0 else "0"
    return f"{symbol} {number}"


def cells(
    table: NationalTable, programme: Programme, trajectory: Targets | None = None
) -> list[tuple[dict, list[Cell]]]:
    """Per row (AHSN then Total): the row's facts and its cells, rates then changes. With
    `trajectory`, each AHSN's rates are styled against its own trajectory's target for the
    quarter (a symbol as well as a colour), not the flat target."""
    rows = []
    for _, row in table.frame.iterrows():
        out: list[Cell] = []
        for q in table.quarters:
            rate = row[q.key]
            revised = _revision_of(table, row, q)
            if pd.isna(rate) and not is_share(programme) and not pd.isna(row[q.key + "_trusts"]):
                out.append(none_to_divide(row, q, revised, programme))  # a rate's return with nothing to divide by
                continue
            if pd.isna(rate):
                detail = f"No return from {row['ahsn']} for {q.label}" + (f". {revised}" if revised else "")
                out.append(Cell(NO_RETURN, None, "no-return", detail, revised=revised))
                continue
            if not is_share(programme):
                out.append(headline_cell(table, row, q, int(rate), revised, trajectory, programme))
                continue
            adopted, trusts = int(row[q.key + "_adopted"]), int(row[q.key + "_trusts"])
            small = not row["is_total"] and small_denominator(trusts, programme)
            detail = words.of_counted(adopted, trusts, programme) + f" adopted in {q.label}"
            if row["is_total"] and not table.is_complete(q):
                detail += f": the total of the {table.returned(q)} AHSNs that have returned, not England's"
            if q in table.provisional:
                detail += f" (provisional: {table.provisional[q]})"
            if small:
                detail += (
                    f"; with {trusts} {words.organisations(programme, trusts)} one {programme.organisation} "
                    f"moves the rate by {round(100 / trusts)} points"
                )
            if revised:
                detail += f". {revised}"
            text = f"{int(rate)}%"
            if row["is_total"] and not table.is_complete(q):  # never presented as England's
                returned = table.returned(q)
                text += f" ({returned} AHSN{'s' if returned != 1 else ''})"
            if trajectory is None:
                out.append(
                    Cell(text, int(rate), rate_style(int(rate), programme), detail, small, adopted, trusts, revised)
                )
            else:
                out.append(
                    _against_trajectory(
                        row, q, text, int(rate), adopted, trusts, detail, small, revised, trajectory, programme
                    )
                )
        for a, b, column in table.change_columns:
            change = row[column]
            partial = [q for q in (a, b) if not table.is_complete(q)]
            if row["is_total"] and partial and not pd.isna(change):
                q = partial[0]
                out.append(
                    Cell(
                        NOT_AVAILABLE,
                        None,
                        "no-return",
                        f"Not comparable: only {table.returned(q)} of the AHSNs have returned for "
                        f"{q.label}, so its total is not England's",
                    )
                )
                continue
            if pd.isna(change):
                out.append(
                    Cell(NOT_AVAILABLE, None, "no-return", f"No change figure: no return for {a.label} or {b.label}")
                )
                continue
            change = int(change)
            if not is_share(programme):
                detail = f"{headline_change_words(change, programme)} from {a.label} to {b.label}"
                text = change_text(change, programme).replace(str(abs(change)), f"{abs(change):,}")  # a count's 2,226
                out.append(Cell(text, change, change_style(change, programme), detail))
                continue
            small = not row["is_total"] and any(
                small_denominator(int(row[q.key + "_trusts"]), programme) for q in (a, b)
            )
            points = f"{abs(change)} percentage point{'s' if abs(change) != 1 else ''}"
            change_words = "no change" if change == 0 else f"up {points}" if change > 0 else f"down {points}"
            detail = f"{change_words} from {a.label} to {b.label}"
            if small:
                detail += (
                    f" (few {programme.organisations}: one {programme.organisation} moves the rate by more than "
                    f"{programme.big_change_points} points)"
                )
            out.append(Cell(change_text(change, programme), change, change_style(change, programme), detail, small))
        rows.append(({"ahsn": row["ahsn"], "slug": row["slug"], "is_total": bool(row["is_total"])}, out))
    return rows


def _against_trajectory(
    row,
    q: Quarter,
    text: str,
    rate: int,
    adopted: int,
    trusts: int,
    detail: str,
    small: bool,
    revised: str | None,
    trajectory: Targets,
    programme: Programme,
) -> Cell:
    if row["is_total"]:
        return Cell(
            text,
            rate,
            "no-trajectory",
            detail + ". England has no trajectory of its own",
            small,
            adopted,
            trusts,
            revised,
        )
    target = trajectory.get((row["ahsn"], q))
    if target is None:
        why = (
            "no trajectory"
            if not any(a == row["ahsn"] for a, _ in trajectory)
            else f"no trajectory target for {q.label}"
        )
        return Cell(
            f"{rate}%", rate, "no-trajectory", f"{detail}. {row['ahsn']} has {why}", small, adopted, trusts, revised
        )
    a = against(adopted, trusts, target)
    said = f"{'On' if a.on else 'Behind'} its trajectory of {target}% for {q.label}: {a.by(programme)}"
    return Cell(
        f"{a.mark} {rate}%",
        rate,
        "on-trajectory" if a.on else "behind-trajectory",
        f"{detail}. {said}",
        small,
        adopted,
        trusts,
        revised,
        target,
        a.on,
    )


def _revision_of(table: NationalTable, row, quarter) -> str | None:
    """The revision mark of a rate cell: its own, or for England, that its quarter has some."""
    if not row["is_total"]:
        return table.revisions.get((row["ahsn"], quarter))
    revised = sorted(a for a, q in table.revisions if q == quarter)
    if not revised:
        return None
    return f"Includes revised figures ({', '.join(revised)}) since {quarter.label} was published"


def header(table: NationalTable, programme: Programme | None = None) -> list[str]:
    if programme is not None and not is_share(programme):
        name = headline_name(programme)
        return [f"{name} {q.label}" for q in table.quarters] + [
            f"Change {a.label} to {b.label} ({change_unit(programme)})" for a, b, _ in table.change_columns
        ]
    return [f"Adoption rate {q.label}" for q in table.quarters] + [
        f"Change {a.label} to {b.label} (points)" for a, b, _ in table.change_columns
    ]


def caption(table: NationalTable, programme: Programme, trajectory: Targets | None = None) -> str:
    if not is_share(programme):
        return headline_caption(table, programme, trajectory)
    return (
        f"{programme.short_name} adoption rate by AHSN: the percentage of {words.counted(programme)} at level "
        f"{programme.adopted_from_level} or above, at {', '.join(q.label for q in table.quarters)}, "
        "and the change in percentage points between them"
        + ("; each rate marked against the AHSN's own trajectory" if trajectory is not None else "")
    )


def html_table(table: NationalTable, programme: Programme, trajectory: Targets | None = None) -> html.Table:
    n_rates = len(table.quarters)
    head = html.Thead(
        [
            html.Tr(
                [
                    html.Th("AHSN", scope="col", rowSpan=2, className="col-ahsn"),
                    html.Th(group_heading(programme), scope="colgroup", colSpan=n_rates, className="group"),
                    html.Th(
                        f"Change ({change_unit(programme)})",
                        scope="colgroup",
                        colSpan=max(n_rates - 1, 1),
                        className="group",
                    )
                    if n_rates > 1
                    else None,
                ]
            ),
            html.Tr(
                [_quarter_head(table, q) for q in table.quarters]
                + [
                    html.Th([a.label, html.Br(), "to ", b.label], scope="col", className="change-head")
                    for a, b, _ in table.change_columns
                ]
            ),
        ]
    )
    body = []
    for facts, row_cells in cells(table, programme, trajectory):
        if facts["is_total"]:
            name = html.Th(["England ", html.Span("(Total)", className="muted")], scope="row")
        else:
            name = html.Th(html.A(facts["ahsn"], href=here(f"/ahsn/{facts['slug']}")), scope="row")
        body.append(
            html.Tr(
                [name] + [_td(c, i >= n_rates) for i, c in enumerate(row_cells)],
                className="total" if facts["is_total"] else None,
            )
        )
    return html.Table(
        [html.Caption(caption(table, programme, trajectory), id="national-table-caption"), head, html.Tbody(body)],
        className="ntable",
        id="national-table-grid",
    )


def _quarter_head(table: NationalTable, q) -> html.Th:
    """A quarter's heading; an unpublished one says so, with its coverage, in words."""
    if q not in table.provisional:
        return html.Th(q.label, scope="col")
    return html.Th(
        [q.label, html.Br(), html.Span(f"provisional: {table.provisional[q]}", className="provisional-note")],
        scope="col",
        className="provisional-head",
    )


def _td(cell: Cell, is_change: bool) -> html.Td:
    mark = html.Span(SMALL_MARK, className="small-mark", **{"aria-hidden": "true"}) if cell.small else None
    revised = html.Span(REVISED_MARK, className="revised-mark", **{"aria-hidden": "true"}) if cell.revised else None
    if cell.value is None and not cell.revised:
        content = html.Span(cell.text, className="value")
    else:
        content = html.Span(
            [
                html.Span(cell.text, className="value"),
                mark,
                revised,
                html.Span(cell.detail, className="detail", role="tooltip"),
            ],
            className="cell",
            tabIndex=0,
            title=cell.detail,
        )
    return html.Td(
        content,
        className=f"c {cell.style} {'change' if is_change else 'rate'}",
        **{"data-value": "" if cell.value is None else str(cell.value), "data-style": cell.style},
    )
