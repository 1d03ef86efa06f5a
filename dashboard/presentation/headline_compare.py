"""The comparison page and its download for a rate or count headline (a share keeps its own):
each AHSN-quarter's headline beside its organisations, the small charts on the same axes, and
the download's columns in the headline's and the measures' words."""

from __future__ import annotations

import pandas as pd

from dashboard.presentation.figures import (
    BLUE,
    TARGET_COLOUR,
    _axis,
    _figure,
    _int_or_none,
    target_label,
    trajectory_shape,
)
from dashboard.presentation.headline_cells import figure_text, headline_name, is_count, made_of
from dashboard.presentation.headline_figures import made_of_texts
from dashboard.presentation.sheets import Column, Sheet
from etl import queries, words
from etl.programmes import Programme
from etl.quarters import Quarter
from etl.queries import Database


def with_headline(db: Database, programme: Programme, rates: pd.DataFrame) -> pd.DataFrame:
    """queries.ahsn_rates' rows with each AHSN-quarter's headline: value, numerator, denominator."""
    indexes = sorted({int(i) for i in rates["quarter_index"]})
    figures = queries.headlines(db, programme, indexes)[["ahsn", "quarter_index", "value", "numerator", "denominator"]]
    return rates.merge(figures, on=["ahsn", "quarter_index"], how="left")


def latest_words(rates: pd.DataFrame, programme: Programme) -> str:
    """'90% in Q2 2020/21 (112 of 124 eligible mothers given magnesium sulphate)', '290 in Q4 ...'."""
    if not len(rates):
        return words.capital(f"{words.NO_RETURN} yet.")
    last = rates.sort_values("quarter_index").iloc[-1]
    if pd.isna(last["value"]):
        return f"No figure in {last['quarter']}: no {programme.measure(programme.headline.denominator).words}"
    value = int(last["value"])
    return (
        f"{figure_text(value, programme)} in {last['quarter']} "
        f"({made_of(value, last['numerator'], last['denominator'], programme)})"
    )


def scale(rates: pd.DataFrame, programme: Programme) -> list[int]:
    """The y range every small chart shares: 0-105% for a rate; 0 to a little over the largest count."""
    if not is_count(programme):
        return [0, 105]
    largest = rates["value"].dropna()
    return [0, int(int(largest.max()) * 1.1) + 1 if len(largest) else 10]


def trend(
    mine: pd.DataFrame,
    quarters: list[str],
    name: str,
    trajectory: list[int | None] | None,
    programme: Programme,
    y_range: list[int],
) -> dict:
    """One AHSN's headline over time, small, on the axes every AHSN's shares."""
    at = mine.set_index("quarter").reindex(quarters)
    suffix = "" if is_count(programme) else "%"
    target = programme.target_percent
    data = []
    if target is not None:
        data.append(
            {
                "type": "scatter",
                "x": quarters,
                "y": [target] * len(quarters),
                "mode": "lines",
                "line": {"color": TARGET_COLOUR, "dash": "dash", "width": 1},
                "name": target_label(target),
                "hoverinfo": "skip",
            }
        )
    data.append(
        {
            "type": "scatter",
            "x": quarters,
            "y": _int_or_none(at["value"]),
            "mode": "lines",
            "line": {"color": BLUE, "width": 2},
            "name": name,
            "connectgaps": False,
            "customdata": made_of_texts(at["numerator"], at["denominator"], programme),
            "hovertemplate": f"{name}<br>%{{x}}: %{{y:,}}{suffix}<br>%{{customdata}}<extra></extra>",
        }
    )
    shapes = trajectory_shape(trajectory or [], f"{name}'s trajectory", legend=False, width=2, within=True)
    ticks = [0, target, 100] if target is not None else [0, 50, 100]
    yaxis = (
        _axis(range=y_range, rangemode="tozero")
        if is_count(programme)
        else _axis(range=y_range, tickvals=ticks, ticktext=[f"{t}%" for t in ticks])
    )
    return _figure(
        data,
        190,
        showlegend=False,
        margin={"l": 44, "r": 12, "t": 8, "b": 8},
        **({"shapes": shapes} if shapes else {}),
        xaxis=_axis(
            type="category", categoryorder="array", categoryarray=quarters, nticks=4, tickangle=0, tickfont={"size": 11}
        ),
        yaxis=yaxis,
    )


def sheet(rates: pd.DataFrame, order: list[str], title: str, programme: Programme, trajectory: dict) -> Sheet:
    """Each AHSN's headline at every quarter it made a return, with what it is made of."""
    count = is_count(programme)
    columns = [
        Column("AHSN", "ahsn", width=20),
        Column("Quarter", "quarter", width=11),
        Column(headline_name(programme), "count" if count else "rate", "whole" if count else "percent"),
    ]
    if not count:
        columns += [
            Column(words.capital(programme.measure(k).words), k, "whole")
            for k in (programme.headline.numerator, programme.headline.denominator)
        ]
    columns += [
        Column(f"{words.capital(programme.organisations)} in the return", f"all_{programme.organisations}", "whole"),
        Column("Trajectory target" + ("" if count else " (%)"), "trajectory", "whole" if count else "percent"),
    ]
    position = {name: i for i, name in enumerate(order)}
    frame = rates[rates["ahsn"].isin(position)]
    frame = frame.assign(position=frame["ahsn"].map(position)).sort_values(["position", "quarter_index"])
    rows = []
    for r in frame.to_dict("records"):
        parts = [] if count else [_whole(r["numerator"]), _whole(r["denominator"])]
        target = trajectory.get((r["ahsn"], Quarter.from_index(int(r["quarter_index"]))))
        rows.append([r["ahsn"], r["quarter"], _whole(r["value"]), *parts, _whole(r["all_trusts"]), target])
    notes = [
        "One row per AHSN and quarter with a return; a quarter without a return has no row.",
        "Trajectory target: the target the AHSN's own trajectory set for the quarter, as the quarter is judged "
        "(a published quarter against the version in force when it was published); blank: none.",
    ]
    return Sheet("compare", title, columns, rows, notes=notes)


def _whole(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)
