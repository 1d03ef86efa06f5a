"""An AHSN's page for a programme whose headline is a rate or a count (its definition's
`headline.kind`; a share keeps the page's own adoption story): the lead sentence and figure,
the changes in the headline's units, and its chart against the national target or the AHSN's
trajectory. The figures are the national table's (etl.report.national_table), so the page and
the table always agree."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from dash import html

from dashboard.presentation import figures
from dashboard.presentation.headline_cells import change_unit, figure_text, is_count, made_of
from dashboard.presentation.headline_figures import headline_over_time
from etl import report, words
from etl.programmes import Programme
from etl.quarters import Quarter
from etl.queries import Database


@dataclass(frozen=True)
class HeadlinePart:
    lead: html.P
    facts: html.Div
    chart: html.Section


def _series(table: report.NationalTable, which, quarters: list[Quarter]) -> pd.DataFrame:
    row = table.frame[which].iloc[0]
    return pd.DataFrame(
        {
            "quarter": [q.label for q in quarters],
            "value": [row[q.key] for q in quarters],
            "numerator": [row[q.key + "_adopted"] for q in quarters],
            "denominator": [row[q.key + "_trusts"] for q in quarters],
        }
    )


def change_since(now: int, before, since: Quarter, programme: Programme) -> str:
    """'up 5 percentage points since Q3 2019/20 (67%)', 'down 12 people since ...'."""
    if before is None or pd.isna(before):
        return f"no figure to compare with {since.label}"
    diff = now - int(before)
    if diff == 0:
        return f"no change since {since.label}"
    unit = change_unit(programme)
    if abs(diff) == 1 and not is_count(programme):
        unit = "percentage point"
    return (
        f"{'up' if diff > 0 else 'down'} {abs(diff):,} {unit} since {since.label} "
        f"({figure_text(int(before), programme)})"
    )


def judged(value: int, target: int | None, trajectory: int | None, programme: Programme) -> tuple[str, str]:
    """How the figure stands, in words, and the fact's style: the national target (a rate), or
    the AHSN's own trajectory (a count, or a rate with one); never a made-up target."""
    if target is not None:
        at = value >= target
        said = f"{'at or above' if at else 'below'} the national aim of {target}%"
        if trajectory is not None:  # a rate with its own trajectory too: both said, the colour the national aim's
            said += f", and {'on' if value >= trajectory else 'behind'} its own trajectory of {trajectory}%"
        return said, "at-target" if at else "below"
    if trajectory is not None:
        on = value >= trajectory
        return (
            f"{'on' if on else 'behind'} its trajectory of {figure_text(trajectory, programme)}",
            "on-trajectory" if on else "behind-trajectory",
        )
    return "with no national target: each AHSN's own trajectory is its target, and none is set", "no-target"


def headline_part(db: Database, programme: Programme, view, ahsn) -> HeadlinePart:
    """The lead, facts and chart of `view` (an AhsnView with a return)."""
    q = view.now.quarter
    table = report.national_table(db, programme, view.axis)
    mine = _series(table, table.frame["ahsn"] == ahsn.short_name, view.axis)
    england = _series(table, table.frame["is_total"], view.axis)
    at = mine.set_index("quarter")
    value, numerator, denominator = at.loc[q.label, ["value", "numerator", "denominator"]]
    target_row = view.target_of(q)
    trajectory = (
        None if target_row is None or pd.isna(target_row.get("target_percent")) else int(target_row["target_percent"])
    )
    if pd.isna(value):  # a rate with nothing to divide by: the return has none eligible
        said = f"no {programme.measure(programme.headline.denominator).words}"
        lead = f"In {q.label}, {ahsn.short_name}'s return had {said}, so there is no {programme.headline.words} figure."
        number, judgement, style, changes = "–", said, "no-return", []
    else:
        value = int(value)
        number = figure_text(value, programme)
        judgement, style = judged(value, programme.target_percent, trajectory, programme)
        before = {p: at.loc[p.label, "value"] if p.label in at.index else None for p in (q - 1, q - 4)}
        changes = [change_since(value, before[p], p, programme) for p in (q - 1, q - 4)]
        if is_count(programme):
            lead = f"In {q.label}, {ahsn.short_name} had {made_of(value, numerator, denominator, programme)}"
        else:
            lead = f"In {q.label}, {number} in {ahsn.short_name}: {made_of(value, numerator, denominator, programme)}"
        lead += f", {judgement}; {changes[0]}, and {changes[1]}."
    facts = html.Div(
        className="facts",
        id="ahsn-facts",
        children=[
            html.Div(
                className=f"fact {style}",
                children=[
                    html.Span(number, className="fact-number", id="ahsn-latest-rate"),
                    html.Span(
                        [f"{programme.headline.words} in {q.label}: ", html.Strong(judgement)], className="fact-label"
                    ),
                ],
            ),
            html.Div(
                className="fact",
                children=[
                    html.Span("Change", className="fact-label"),
                    html.Ul([html.Li(words.capital(c)) for c in changes], id="ahsn-changes"),
                ],
            ),
        ],
    )
    aim = f"the national aim ({programme.target_percent}%)" if programme.target_percent is not None else ""
    own = f"{ahsn.short_name}'s own trajectory (purple steps)" if view.version is not None else ""
    against = " and ".join(a for a in (aim, own) if a)
    chart = html.Section(
        className="keep-together",
        children=[
            html.H2(words.capital(f"{programme.headline.words} over time")),
            html.P(
                f"{ahsn.short_name}'s figure each quarter"
                + (
                    " (England's, every AHSN's summed, is on the national overview)"
                    if is_count(programme)
                    else " and England's (every AHSN's return together)"
                )
                + (f", against {against}." if against else "; there is no national target."),
                className="muted",
            ),
            figures.graph(
                "ahsn-rate-chart",
                headline_over_time(
                    mine, england, [a.label for a in view.axis], ahsn.short_name, view.trajectory_on_axis(), programme
                ),
                file_name=f"{programme.code}-{ahsn.slug}-headline-{q.key}",
            ),
        ],
    )
    return HeadlinePart(html.P(lead, className="lead", id="ahsn-summary"), facts, chart)
