"""Saying when a change just stored shows on every page, on the pages that store one.

A write is stored at its commit point and the figures are made current just after, in the
background (dashboard/background/make_current.py). A page that has just stored something
shows a line saying whether every page shows it yet, and looks again every second until they
do: `watch(...)` lays out the line and the timer (ids `<prefix>-figures-state` and
`<prefix>-figures-poll`); the page's own callback, on `poll(prefix)`, answers with `state`.
"""

from __future__ import annotations

from dash import Input, Output, dcc, html

from dashboard.context import services

POLL_MILLISECONDS = 1000
LOOK_FOR_SECONDS = 120


def shows(event_id: int) -> bool:
    """Whether the figures every page reads hold this event."""
    return services().db.holds(event_id)


def behind() -> bool:
    """Whether a stored change is still being made current."""
    return services().db.is_behind()


def watch(prefix: str, waiting: bool, said, **attributes) -> list:
    """The line saying where things stand, and the timer that looks again while `waiting`."""
    return [
        html.P(said, id=f"{prefix}-figures-state", role="status", **attributes),
        dcc.Interval(
            id=f"{prefix}-figures-poll",
            interval=POLL_MILLISECONDS,
            max_intervals=LOOK_FOR_SECONDS,
            disabled=not waiting,
        ),
    ]


def poll(prefix: str) -> Input:
    return Input(f"{prefix}-figures-poll", "n_intervals")


def state(prefix: str) -> tuple[Output, Output]:
    """The callback's outputs: the line's words, and whether to stop looking."""
    return Output(f"{prefix}-figures-state", "children"), Output(f"{prefix}-figures-poll", "disabled")
