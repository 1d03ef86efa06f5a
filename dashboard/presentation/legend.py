"""The key to the national table's colours and symbols (also on the Definitions page): each
style with an example of a cell of that style, and the notes on few trusts, revised figures and
trajectories."""

from __future__ import annotations

from dash import html

from dashboard.presentation.ahsn_story import BEHIND_MARK, ON_MARK
from dashboard.presentation.headline_cells import change_unit, group_heading, is_count
from dashboard.presentation.national_table import (
    NO_RETURN,
    NO_TARGET_STYLES,
    RATE_STYLES,
    REVISED_MARK,
    SMALL_MARK,
    STYLES,
    TRAJECTORY_STYLES,
)
from etl import words
from etl.programmes import Programme
from etl.report import is_share


def swatch_text(key: str, programme: Programme) -> str:
    """What the key shows inside each colour: an example of a cell of that style."""
    t, points = programme.target_percent, programme.big_change_points
    if is_count(programme):  # a count: its examples are numbers of people, not percents
        return {
            "no-target": "412",
            "on-trajectory": f"{ON_MARK} 412",
            "behind-trajectory": f"{BEHIND_MARK} 300",
            "no-trajectory": "300",
        }.get(key) or swatch_text_of(key, t, points)
    return swatch_text_of(key, t, points)


def swatch_text_of(key: str, t, points: int) -> str:
    return {
        "below": f"below {t}%",
        "at-target": f"{t}% or more",
        "no-return": NO_RETURN,
        "no-change": "● 0",
        "increase": "▲ +10",
        "big-increase": f"▲▲ +{points + 1}",
        "decrease": "▼ −10",
        "on-trajectory": f"{ON_MARK} 45%",
        "behind-trajectory": f"{BEHIND_MARK} 30%",
        "no-trajectory": "30%",
        "no-target": "45%",
    }[key]


def style_label(key: str, programme: Programme) -> str:
    """The style's words in the key; a count's big change is in its own units ('100 people')."""
    points = programme.big_change_points
    label = STYLES[key]["label"].format(points=points)
    return label.replace(f"{points} points", f"{points:,} {change_unit(programme)}") if is_count(programme) else label


def legend(programme: Programme, trajectory: bool = False) -> html.Div:
    def swatch(key: str) -> html.Li:
        return html.Li(
            [
                html.Span(swatch_text(key, programme), className=f"swatch c {key}"),
                " " + style_label(key, programme),
            ]
        )

    return html.Div(
        className="legend",
        id="national-legend",
        children=[
            html.H2("Key", className="legend-title"),
            html.Div(
                className="legend-groups",
                children=[
                    html.Div(
                        [
                            html.H3(
                                group_heading(programme)
                                + (": against each AHSN's own trajectory" if trajectory else "")
                            ),
                            html.Ul(
                                [
                                    swatch(k)
                                    for k in (
                                        TRAJECTORY_STYLES
                                        if trajectory
                                        else RATE_STYLES
                                        if programme.target_percent is not None
                                        else NO_TARGET_STYLES
                                    )
                                ]
                            ),
                        ]
                    ),
                    html.Div(
                        [
                            html.H3("Change"),
                            html.Ul([swatch(k) for k in ("no-change", "increase", "big-increase", "decrease")]),
                        ]
                    ),
                ],
            ),
            html.P(
                [
                    html.Span(SMALL_MARK, className="small-mark"),
                    f" Fewer than {100 // programme.big_change_points} {words.counted(programme)}: one "
                    f"{words.organisations(programme, 1)} adopting or "
                    f"stopping moves the rate by more than {programme.big_change_points} points, so read "
                    "big changes with care.",
                ],
                className="legend-note",
                id="national-small-note",
            )
            if is_share(programme)  # few organisations move a share; a rate's or count's cells are not marked
            else None,
            html.P(
                [
                    html.Span(REVISED_MARK, className="revised-mark"),
                    " Revised since the quarter was published (an approved correction): hover or focus on the figure "
                    "for when, why, and the figure first published.",
                ],
                className="legend-note",
                id="national-revised-note",
            ),
            html.P(
                f"{ON_MARK} and {BEHIND_MARK}: each AHSN's {'rate' if is_share(programme) else 'figure'} against the target its own trajectory set for the "
                "quarter (its latest step by then). A published quarter is judged against the trajectory in force "
                "when it was published; a later version never changes that. England (Total) has no trajectory.",
                className="legend-note",
                id="national-trajectory-note",
            )
            if trajectory
            else None,
        ],
    )
