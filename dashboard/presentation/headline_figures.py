"""The chart of a rate or count headline over time (a programme whose headline is not the share
of its organisations adopting): the AHSN's figure each quarter, England's beside it, the
national target's line where the definition has one, and the AHSN's own trajectory's steps."""

from __future__ import annotations

import pandas as pd

from dashboard.presentation.figures import (
    BLUE,
    GREY,
    TARGET_COLOUR,
    _axis,
    _figure,
    _int_or_none,
    target_label,
    trajectory_shape,
)
from etl import words
from etl.programmes import Programme


def made_of_texts(numerators, denominators, programme: Programme) -> list[str]:
    """Each point's hover words: '36 of 50 eligible mothers', '412 people completing'."""
    headline = programme.headline
    if headline.kind == "count":
        return ["no return" if pd.isna(n) else f"{int(n):,} {headline.words}" for n in numerators]
    of = programme.measure(headline.denominator).words
    return [
        "no return" if pd.isna(n) or pd.isna(d) else f"{int(n):,} of {int(d):,} {of}"
        for n, d in zip(numerators, denominators)
    ]


def headline_over_time(
    series: pd.DataFrame,
    england: pd.DataFrame,
    quarters: list[str],
    name: str,
    trajectory: list[int | None] | None,
    programme: Programme,
) -> dict:
    """series, england: quarter, value, numerator, denominator, one row per quarter of `quarters`
    (NA: no return). The national target's line only where the headline has one."""
    headline = programme.headline
    is_count = headline.kind == "count"
    suffix = "" if is_count else "%"
    target = programme.target_percent
    data = []
    if target is not None:
        data.append(
            {
                "type": "scatter",
                "x": quarters,
                "y": [target] * len(quarters),
                "mode": "lines",
                "name": target_label(target),
                "line": {"color": TARGET_COLOUR, "dash": "dash", "width": 2},
                "hoverinfo": "skip",
            }
        )
    lines = [(series, name, {"line": {"color": BLUE, "width": 3}, "marker": {"size": 8}})]
    if not is_count:  # England's count is every AHSN's summed: on the same axis it would dwarf the AHSN's
        england_style = {"line": {"color": GREY, "width": 2, "dash": "dot"}, "marker": {"size": 7, "symbol": "square"}}
        lines.insert(0, (england, "England", england_style))
    for frame, label, style in lines:
        texts = made_of_texts(frame["numerator"], frame["denominator"], programme)
        if trajectory is not None and frame is series:
            texts = [
                f"{t}<br>trajectory: {f'{g:,}{suffix}' if g is not None else 'none set'}"
                for t, g in zip(texts, trajectory)
            ]
        data.append(
            {
                "type": "scatter",
                "x": quarters,
                "y": _int_or_none(frame["value"]),
                "mode": "lines+markers",
                "name": label,
                "connectgaps": False,
                **style,
                "customdata": texts,
                "hovertemplate": f"{label}, %{{x}}: %{{y:,}}{suffix}<br>%{{customdata}}<extra></extra>",
            }
        )
    layout: dict = {}
    if target is not None:
        layout["annotations"] = [
            {
                "x": quarters[0] if quarters else 0,
                "y": target,
                "text": target_label(target),
                "showarrow": False,
                "yshift": 11,
                "xanchor": "left",
                "font": {"color": TARGET_COLOUR},
            }
        ]
    shapes = trajectory_shape(trajectory or [], f"{name}'s trajectory")
    if shapes:
        layout["shapes"] = shapes
    title = {"text": words.capital(headline.words)}
    yaxis = _axis(rangemode="tozero", title=title) if is_count else _axis(range=[0, 105], ticksuffix="%", title=title)
    return _figure(
        data,
        340,
        **layout,
        yaxis=yaxis,
        xaxis=_axis(type="category", categoryorder="array", categoryarray=quarters),
    )
