"""Charts: pure functions, data frame in, plotly figure out. No data access here.

Figures are plain dicts in plotly's JSON figure format ({"data": [...], "layout": {...}}),
which dcc.Graph draws as it is. Building them with plotly.graph_objects validated and
deep-copied every property, which took 20-150 ms per page (docs/benchmark.md); the dicts take
well under 1 ms. tests/test_figures.py checks each one is a valid plotly figure.

Every chart carries its meaning in more than colour (labels, line styles, markers), reads in
greyscale when printed, and is drawn without the mode bar (see CONFIG).
"""

from __future__ import annotations

import pandas as pd
from dash import dcc, html

from etl import words
from etl.programmes import Programme

CONFIG = {"displayModeBar": False, "responsive": True}


def graph(graph_id: str, figure: dict, class_name: str | None = None, file_name: str | None = None):
    """A figure on a page. Its box is given the figure's height: on a resize (a phone turned, a
    window narrowed) plotly then redraws to the new width at the same height, never collapsing.
    With `file_name`, the chart comes with buttons that save it as PNG and SVG (save_buttons)."""
    chart = dcc.Graph(
        id=graph_id,
        figure=figure,
        config=CONFIG,
        className=class_name,
        style={"height": f"{figure['layout']['height']}px"},
    )
    if file_name is None:
        return chart
    return html.Div([chart, save_buttons(graph_id, file_name)], className="chart")


def save_buttons(graph_id: str, file_name: str) -> html.Div:
    """'Save as PNG' and 'Save as SVG' for a slide or a board paper: real buttons, so a keyboard
    reaches them, worked by assets/chart-save.js with plotly's own export (the chart as drawn, no
    mode bar needed). Marked `needs-script`: the first paint shows them disabled until Dash has
    drawn the chart. The status line says what happened, for a screen reader too."""

    def button(kind: str) -> html.Button:
        return html.Button(
            f"Save as {kind.upper()}",
            type="button",
            className="chart-save needs-script",
            **{
                "data-chart": graph_id,
                "data-format": kind,
                "data-name": file_name,
                "aria-label": f"Save the chart as {kind.upper()}",
            },
        )

    return html.Div(
        [button("png"), button("svg"), html.Span(className="chart-save-status", role="status")],
        className="chart-save-buttons no-print",
    )


FONT = "Arial, Helvetica, sans-serif"
BLUE, DARK_BLUE, ORANGE, GREY = "#1B4F8A", "#0B2E59", "#C75B00", "#505050"
LIGHT_BLUE = "#9ECAE1"
TARGET_COLOUR = "#C75B00"
TRAJECTORY_COLOUR = "#6A3D9A"  # purple: apart from the target's orange and the rate's blue, and drawn as steps
GRID = "#EBF0F8"
# Levels 1-3 in warm greys/oranges (not yet adopted), 4-5 in blues (adopted).
LEVEL_COLOURS = {1: "#D9D9D9", 2: "#F6C89F", 3: "#E8893B", 4: "#6BAED6", 5: "#1B4F8A"}


def _axis(**settings) -> dict:
    """An axis styled as plotly's "plotly_white" template would, plus the given settings."""
    return {
        "gridcolor": GRID,
        "linecolor": GRID,
        "zerolinecolor": GRID,
        "zerolinewidth": 2,
        "automargin": True,
        "ticks": "",
        **settings,
    }


def _figure(data: list[dict], height: int, **layout) -> dict:
    base = {
        "height": height,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": {"family": FONT, "size": 13, "color": "#1F1F1F"},
        "margin": {"l": 56, "r": 24, "t": 16, "b": 48},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "hoverlabel": {"font": {"family": FONT}, "align": "left"},
    }
    return {"data": data, "layout": {**base, **layout}}


def _int_or_none(values) -> list[int | None]:
    return [None if pd.isna(v) else int(v) for v in values]


def target_label(target: int) -> str:
    return f"Target {target}%"


def _trusts_text(adopted, counted, programme: Programme) -> list[str]:
    return [
        words.of_counted(int(a), int(c), programme) if pd.notna(a) else words.NO_RETURN
        for a, c in zip(adopted, counted)
    ]


def trajectory_segments(targets: list[int | None], within: bool = False) -> list[tuple[float, int, float, int]]:
    """The trajectory as steps on a category axis (x is each quarter's position): each quarter's
    target across its own width, rising or falling at the boundary between quarters; a quarter
    without a target leaves a gap. (x0, y0, x1, y1) per segment. `within`: no wider than the
    first and last quarters' points, so the axis spans what it would without it."""
    out: list[tuple[float, int, float, int]] = []
    previous = None
    for i, target in enumerate(targets):
        if target is None:
            previous = None
            continue
        if previous is not None and previous != target:
            out.append((i - 0.5, previous, i - 0.5, target))
        out.append((i - 0.5, target, i + 0.5, target))
        previous = target
    if within and targets:
        last = len(targets) - 1
        out = [(max(x0, 0), y0, min(x1, last), y1) for x0, y0, x1, y1 in out]
    return out


def trajectory_shape(
    targets: list[int | None], name: str, legend: bool = True, width: float = 3, within: bool = False
) -> list[dict]:
    """The trajectory as line shapes (a step is not a point to mark), one legend entry for all,
    drawn above the grid and below the lines; [] when there is no target."""
    shapes = [
        {
            "type": "line",
            "x0": x0,
            "y0": y0,
            "x1": x1,
            "y1": y1,
            "xref": "x",
            "yref": "y",
            "layer": "between",
            "line": {"color": TRAJECTORY_COLOUR, "width": width},
            "legendgroup": "trajectory",
            "name": name,
            "showlegend": False,
        }
        for x0, y0, x1, y1 in trajectory_segments(targets, within)
    ]
    if shapes and legend:
        shapes[0] = {**shapes[0], "showlegend": True, "legendrank": 1500}
    return shapes


def _with_trajectory(texts: list[str], trajectory: list[int | None] | None) -> list[str]:
    if trajectory is None:
        return texts
    return [f"{t}<br>trajectory: {f'{g}%' if g is not None else 'none set'}" for t, g in zip(texts, trajectory)]


def rate_over_time(
    rates: pd.DataFrame,
    quarters: list[str],
    target: int,
    england: pd.DataFrame | None = None,
    name: str = "Adoption rate",
    trajectory: list[int | None] | None = None,
    *,
    programme: Programme,
) -> dict:
    """One AHSN's adoption rate at every quarter against the target line and, if given,
    England's rate as a second line (grey, dotted, square markers: told apart without colour)
    and the AHSN's own trajectory (purple steps: each quarter's target across its width).

    rates, england: quarter, rate_percent, adopted_trusts, counted_trusts (quarters with a return).
    quarters: every quarter label on the axis, in order (missing ones show as gaps).
    trajectory: the target each quarter is judged against, in the order of `quarters` (None: none)."""
    by_quarter = rates.set_index("quarter").reindex(quarters)
    data = [
        {
            "type": "scatter",
            "x": quarters,
            "y": [target] * len(quarters),
            "mode": "lines",
            "name": target_label(target),
            "line": {"color": TARGET_COLOUR, "dash": "dash", "width": 2},
            "hoverinfo": "skip",
        },
    ]
    if england is not None and len(england):
        whole = england.set_index("quarter").reindex(quarters)
        data.append(
            {
                "type": "scatter",
                "x": quarters,
                "y": _int_or_none(whole["rate_percent"]),
                "mode": "lines+markers",
                "name": "England",
                "connectgaps": False,
                "line": {"color": GREY, "width": 2, "dash": "dot"},
                "marker": {"size": 7, "symbol": "square"},
                "customdata": _trusts_text(whole["adopted_trusts"], whole["counted_trusts"], programme),
                "hovertemplate": "England, %{x}: %{y}%<br>%{customdata}<extra></extra>",
            }
        )
    data.append(
        {
            "type": "scatter",
            "x": quarters,
            "y": _int_or_none(by_quarter["rate_percent"]),
            "mode": "lines+markers",
            "name": name,
            "connectgaps": False,
            "line": {"color": BLUE, "width": 3},
            "marker": {"size": 8},
            "customdata": _with_trajectory(
                _trusts_text(by_quarter["adopted_trusts"], by_quarter["counted_trusts"], programme), trajectory
            ),
            "hovertemplate": "%{x}: %{y}%<br>%{customdata}<extra></extra>",
        }
    )
    annotation = {
        "x": quarters[0] if quarters else 0,
        "y": target,
        "text": target_label(target),
        "showarrow": False,
        "yshift": 11,
        "xanchor": "left",
        "font": {"color": TARGET_COLOUR},
    }
    shapes = trajectory_shape(trajectory or [], f"{name}'s trajectory")
    return _figure(
        data,
        340,
        annotations=[annotation],
        **({"shapes": shapes} if shapes else {}),
        yaxis=_axis(
            range=[0, 105], ticksuffix="%", title={"text": words.capital(f"{words.counted(programme)} adopting")}
        ),
        xaxis=_axis(type="category", categoryorder="array", categoryarray=quarters),
    )


def level_counts(levels: pd.DataFrame, level_names: dict[int, str], adopted_from: int, *, programme: Programme) -> dict:
    """Stacked bars: the counted trusts at each adoption level, per quarter.
    levels: quarter, level, trusts (one row per quarter and level)."""
    quarters = list(dict.fromkeys(levels["quarter"]))
    data = []
    for level, name in level_names.items():
        these = levels[levels["level"] == level].set_index("quarter").reindex(quarters)
        data.append(
            {
                "type": "bar",
                "x": quarters,
                "y": these["trusts"].fillna(0).astype(int).tolist(),
                "name": f"{level} {name}" + (" (adopted)" if level >= adopted_from else ""),
                "marker": {
                    "color": LEVEL_COLOURS.get(level, GREY),
                    "line": {"color": "#FFFFFF", "width": 1},
                    # overlay: the hatching is drawn over the level's colour, not instead of it
                    "pattern": {
                        "shape": "" if level >= adopted_from else "/",
                        "fillmode": "overlay",
                        "fgcolor": "#FFFFFF",
                        "size": 6,
                        "solidity": 0.2,
                    },
                },
                "hovertemplate": f"%{{x}}: %{{y}} {words.organisations(programme)} at level {level} {name}<extra></extra>",
            }
        )
    legend = {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "traceorder": "normal"}
    return _figure(
        data,
        320,
        barmode="stack",
        legend=legend,
        yaxis=_axis(title={"text": words.capital(words.counted(programme))}, rangemode="tozero"),
        xaxis=_axis(type="category"),
    )


def referrals(rates: pd.DataFrame) -> dict:
    """Referrals made and completed per quarter (bars) and the completion rate (line, right axis).
    rates: quarter, referrals_made, referrals_completed."""
    made = rates["referrals_made"].fillna(0).astype(int).tolist()
    completed = rates["referrals_completed"].fillna(0).astype(int).tolist()
    completion = [(200 * c + m) // (2 * m) if m else None for m, c in zip(made, completed)]  # half up
    quarters = rates["quarter"].tolist()
    data = [
        {"type": "bar", "x": quarters, "y": made, "name": "Referrals made", "marker": {"color": LIGHT_BLUE}},
        {"type": "bar", "x": quarters, "y": completed, "name": "Referrals completed", "marker": {"color": BLUE}},
        {
            "type": "scatter",
            "x": quarters,
            "y": completion,
            "name": "Completion rate",
            "mode": "lines+markers",
            "yaxis": "y2",
            "line": {"color": ORANGE, "dash": "dot", "width": 2},
            "marker": {"symbol": "diamond"},
            "hovertemplate": "%{x}: %{y}% completed<extra></extra>",
        },
    ]
    return _figure(
        data,
        320,
        barmode="group",
        xaxis=_axis(type="category", domain=[0, 0.94]),
        yaxis=_axis(title={"text": "Referrals"}, rangemode="tozero"),
        yaxis2=_axis(
            title={"text": "Completed"},
            range=[0, 105],
            tickvals=[0, 25, 50, 75, 100],
            ticktext=["0%", "25%", "50%", "75%", "100%"],
            overlaying="y",
            side="right",
            anchor="x",
            showgrid=False,
        ),
    )


def trend(
    rates: pd.DataFrame,
    quarters: list[str],
    target: int,
    name: str,
    trajectory: list[int | None] | None = None,
    *,
    programme: Programme,
) -> dict:
    """One AHSN's adoption rate over time, small, on the same axes as every other AHSN's (the
    comparison page shows one per AHSN; its title is the HTML heading above it, so titles
    never overlap however narrow the screen), with its own trajectory as steps if it has one.
    rates: quarter, rate_percent, adopted_trusts, counted_trusts (this AHSN's quarters with a return).
    trajectory: the target each quarter is judged against, in the order of `quarters`."""
    mine = rates.set_index("quarter").reindex(quarters)
    data = [
        {
            "type": "scatter",
            "x": quarters,
            "y": [target] * len(quarters),
            "mode": "lines",
            "line": {"color": TARGET_COLOUR, "dash": "dash", "width": 1},
            "name": target_label(target),
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "x": quarters,
            "y": _int_or_none(mine["rate_percent"]),
            "mode": "lines",
            "line": {"color": BLUE, "width": 2},
            "name": name,
            "connectgaps": False,
            "customdata": _with_trajectory(
                _trusts_text(mine["adopted_trusts"], mine["counted_trusts"], programme), trajectory
            ),
            "hovertemplate": f"{name}<br>%{{x}}: %{{y}}%<br>%{{customdata}}<extra></extra>",
        },
    ]
    # within the axis: every small chart keeps the same axes, trajectory or not
    shapes = trajectory_shape(trajectory or [], f"{name}'s trajectory", legend=False, width=2, within=True)
    return _figure(
        data,
        190,
        showlegend=False,
        margin={"l": 44, "r": 12, "t": 8, "b": 8},
        **({"shapes": shapes} if shapes else {}),
        xaxis=_axis(
            type="category", categoryorder="array", categoryarray=quarters, nticks=4, tickangle=0, tickfont={"size": 11}
        ),
        yaxis=_axis(range=[0, 105], tickvals=[0, target, 100], ticktext=["0%", f"{target}%", "100%"]),
    )


def at_target(counts: pd.DataFrame, target: int) -> dict:
    """AHSNs at or above target per quarter. counts: quarter, at_target, returned."""
    data = [
        {
            "type": "bar",
            "x": counts["quarter"].tolist(),
            "y": counts["at_target"].astype(int).tolist(),
            "marker": {"color": BLUE},
            "text": [f"{a} of {r}" for a, r in zip(counts["at_target"], counts["returned"])],
            "textposition": "outside",
            "cliponaxis": False,
            "name": f"AHSNs at or above {target}%",
            "hovertemplate": "%{x}: %{text} AHSNs at or above " + f"{target}%<extra></extra>",
        }
    ]
    return _figure(
        data, 300, yaxis=_axis(range=[0, 16], dtick=5, title={"text": "AHSNs"}), xaxis=_axis(type="category")
    )


def referrals_by_ahsn(referrals_frame: pd.DataFrame) -> dict:
    """Referrals made and completed per AHSN in one quarter, AHSNs in the given row order.
    referrals_frame: ahsn, referrals_made, referrals_completed."""
    names = referrals_frame["ahsn"].tolist()[::-1]  # first row at the top
    made = _int_or_none(referrals_frame["referrals_made"])[::-1]
    completed = _int_or_none(referrals_frame["referrals_completed"])[::-1]
    data = [
        {
            "type": "bar",
            "y": names,
            "x": made,
            "orientation": "h",
            "name": "Referrals made",
            "marker": {"color": LIGHT_BLUE},
        },
        {
            "type": "bar",
            "y": names,
            "x": completed,
            "orientation": "h",
            "name": "Referrals completed",
            "marker": {"color": BLUE},
        },
    ]
    return _figure(
        data,
        28 * len(names) + 120,
        barmode="group",
        bargap=0.25,
        xaxis=_axis(title={"text": "Referrals in the quarter"}, rangemode="tozero"),
        yaxis=_axis(type="category"),
    )
