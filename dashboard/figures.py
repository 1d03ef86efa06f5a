"""Charts: pure functions, data frame in, plotly figure out. No data access here.

Every chart carries its meaning in more than colour (labels, line styles, markers), reads in
greyscale when printed, and is drawn without the mode bar (see CONFIG).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

CONFIG = {"displayModeBar": False, "responsive": True}
FONT = "Arial, Helvetica, sans-serif"
BLUE, DARK_BLUE, ORANGE, GREY = "#1B4F8A", "#0B2E59", "#C75B00", "#505050"
TARGET_COLOUR = "#C75B00"
# Levels 1-3 in warm greys/oranges (not yet adopted), 4-5 in blues (adopted).
LEVEL_COLOURS = {1: "#D9D9D9", 2: "#F6C89F", 3: "#E8893B", 4: "#6BAED6", 5: "#1B4F8A"}


def _base(fig: go.Figure, height: int, title: str | None = None) -> go.Figure:
    fig.update_layout(
        template="plotly_white", height=height, font={"family": FONT, "size": 13, "color": "#1F1F1F"},
        margin={"l": 56, "r": 24, "t": 48 if title else 16, "b": 48},
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}} if title else None,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hoverlabel={"font": {"family": FONT}},
    )
    return fig


def target_label(target: int) -> str:
    return f"Target {target}%"


def rate_over_time(rates: pd.DataFrame, quarters: list[str], target: int) -> go.Figure:
    """One AHSN's adoption rate at every quarter against the target line.

    rates: quarter, rate_percent, adopted_trusts, counted_trusts (quarters with a return).
    quarters: every quarter label on the axis, in order (missing ones show as gaps)."""
    by_quarter = rates.set_index("quarter").reindex(quarters)
    custom = [
        f"{int(a)} of {int(c)} acute trusts" if pd.notna(a) else "no return"
        for a, c in zip(by_quarter["adopted_trusts"], by_quarter["counted_trusts"])
    ]
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=quarters, y=[target] * len(quarters), mode="lines", name=target_label(target),
        line={"color": TARGET_COLOUR, "dash": "dash", "width": 2}, hoverinfo="skip",
    ))
    fig.add_trace(go.Scatter(
        x=quarters, y=[None if pd.isna(v) else int(v) for v in by_quarter["rate_percent"]],
        mode="lines+markers", name="Adoption rate", connectgaps=False,
        line={"color": BLUE, "width": 3}, marker={"size": 8},
        customdata=custom, hovertemplate="%{x}: %{y}%<br>%{customdata}<extra></extra>",
    ))
    fig.add_annotation(x=quarters[0] if quarters else 0, y=target, text=target_label(target),
                       showarrow=False, yshift=11, xanchor="left", font={"color": TARGET_COLOUR})
    fig.update_yaxes(range=[0, 105], ticksuffix="%", title_text="Acute trusts adopting")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=quarters)
    return _base(fig, 340)


def level_counts(levels: pd.DataFrame, level_names: dict[int, str], adopted_from: int) -> go.Figure:
    """Stacked bars: acute trusts at each adoption level, per quarter.
    levels: quarter, level, trusts (one row per quarter and level)."""
    fig = go.Figure()
    quarters = list(dict.fromkeys(levels["quarter"]))
    for level, name in level_names.items():
        these = levels[levels["level"] == level].set_index("quarter").reindex(quarters)
        fig.add_trace(go.Bar(
            x=quarters, y=these["trusts"].fillna(0).astype(int).tolist(),
            name=f"{level} {name}" + (" (adopted)" if level >= adopted_from else ""),
            marker={"color": LEVEL_COLOURS.get(level, GREY), "line": {"color": "#FFFFFF", "width": 1},
                    "pattern": {"shape": "" if level >= adopted_from else "/", "fgcolor": "#FFFFFF",
                                "size": 6, "solidity": 0.2}},
            hovertemplate=f"%{{x}}: %{{y}} trusts at level {level} {name}<extra></extra>",
        ))
    fig.update_layout(barmode="stack", legend={"traceorder": "normal"})
    fig.update_yaxes(title_text="Acute trusts", dtick=None, rangemode="tozero")
    fig.update_xaxes(type="category")
    return _base(fig, 320)


def referrals(rates: pd.DataFrame) -> go.Figure:
    """Referrals made and completed per quarter (bars) and the completion rate (line).
    rates: quarter, referrals_made, referrals_completed."""
    made = rates["referrals_made"].fillna(0).astype(int).tolist()
    completed = rates["referrals_completed"].fillna(0).astype(int).tolist()
    completion = [(200 * c + m) // (2 * m) if m else None for m, c in zip(made, completed)]  # half up
    quarters = rates["quarter"].tolist()
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(x=quarters, y=made, name="Referrals made", marker={"color": "#9ECAE1"}))
    fig.add_trace(go.Bar(x=quarters, y=completed, name="Referrals completed", marker={"color": BLUE}))
    fig.add_trace(go.Scatter(x=quarters, y=completion, name="Completion rate", mode="lines+markers",
                             line={"color": ORANGE, "dash": "dot", "width": 2}, marker={"symbol": "diamond"},
                             hovertemplate="%{x}: %{y}% completed<extra></extra>"), secondary_y=True)
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text="Referrals", rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text="Completed", range=[0, 105], tickvals=[0, 25, 50, 75, 100],
                     ticktext=["0%", "25%", "50%", "75%", "100%"],
                     secondary_y=True, showgrid=False)
    fig.update_xaxes(type="category")
    return _base(fig, 320)


def small_multiples(rates: pd.DataFrame, order: list[str], quarters: list[str], target: int,
                    columns: int = 3) -> go.Figure:
    """Every AHSN's adoption rate over time, one panel each, sharing both axes.
    rates: ahsn, quarter, rate_percent, adopted_trusts, counted_trusts."""
    n_rows = -(-len(order) // columns)
    fig = make_subplots(rows=n_rows, cols=columns, shared_xaxes=True, shared_yaxes=True,
                        subplot_titles=order, vertical_spacing=0.06, horizontal_spacing=0.03)
    for i, ahsn in enumerate(order):
        r, c = i // columns + 1, i % columns + 1
        mine = rates[rates["ahsn"] == ahsn].set_index("quarter").reindex(quarters)
        fig.add_trace(go.Scatter(x=quarters, y=[target] * len(quarters), mode="lines",
                                 line={"color": TARGET_COLOUR, "dash": "dash", "width": 1},
                                 name=target_label(target), showlegend=i == 0, hoverinfo="skip",
                                 legendgroup="target"), row=r, col=c)
        custom = [f"{int(a)} of {int(t)} acute trusts" if pd.notna(a) else "no return"
                  for a, t in zip(mine["adopted_trusts"], mine["counted_trusts"])]
        fig.add_trace(go.Scatter(x=quarters, y=[None if pd.isna(v) else int(v) for v in mine["rate_percent"]],
                                 mode="lines", line={"color": BLUE, "width": 2}, name="Adoption rate",
                                 showlegend=i == 0, legendgroup="rate", customdata=custom,
                                 hovertemplate=f"{ahsn}<br>%{{x}}: %{{y}}%<br>%{{customdata}}<extra></extra>"),
                      row=r, col=c)
    fig.update_yaxes(range=[0, 105], tickvals=[0, target, 100], ticktext=["0%", f"{target}%", "100%"])
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=quarters,
                     showticklabels=False)
    fig.update_xaxes(showticklabels=True, tickangle=-45, nticks=6, row=n_rows)
    fig.update_annotations(font={"size": 13})
    return _base(fig, 190 * n_rows + 90)


def at_target(counts: pd.DataFrame, target: int) -> go.Figure:
    """AHSNs at or above target per quarter. counts: quarter, at_target, returned."""
    fig = go.Figure(go.Bar(
        x=counts["quarter"], y=counts["at_target"], marker={"color": BLUE},
        text=[f"{a} of {r}" for a, r in zip(counts["at_target"], counts["returned"])],
        textposition="outside", cliponaxis=False, name=f"AHSNs at or above {target}%",
        hovertemplate="%{x}: %{text} AHSNs at or above " + f"{target}%<extra></extra>",
    ))
    fig.update_yaxes(range=[0, 16], dtick=5, title_text="AHSNs")
    fig.update_xaxes(type="category")
    return _base(fig, 300)


def referrals_by_ahsn(referrals_frame: pd.DataFrame) -> go.Figure:
    """Referrals made and completed per AHSN in one quarter, AHSNs in the given row order.
    referrals_frame: ahsn, referrals_made, referrals_completed."""
    names = referrals_frame["ahsn"].tolist()[::-1]  # first row at the top
    made = referrals_frame["referrals_made"].fillna(0).astype(int).tolist()[::-1]
    completed = referrals_frame["referrals_completed"].fillna(0).astype(int).tolist()[::-1]
    fig = go.Figure([
        go.Bar(y=names, x=made, orientation="h", name="Referrals made", marker={"color": "#9ECAE1"}),
        go.Bar(y=names, x=completed, orientation="h", name="Referrals completed", marker={"color": BLUE}),
    ])
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_xaxes(title_text="Referrals in the quarter", rangemode="tozero")
    fig.update_yaxes(type="category", automargin=True)
    return _base(fig, 28 * len(names) + 120)
