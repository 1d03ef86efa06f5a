"""Each AHSN's trajectory as the Trajectories page lists it, A to Z (never a ranking): its steps
now, who set them, when and why, the file as uploaded for who may see it, and every earlier
version below."""

from __future__ import annotations

import pandas as pd
from dash import html

from dashboard.addresses import here
from etl import ahsns
from etl.permissions import Action, allowed
from etl.trajectories import steps_words


def _steps_of(steps: pd.DataFrame, event_id: int) -> pd.DataFrame:
    return steps[steps["event_id"] == event_id].sort_values("quarter_index")


def _steps_cell(mine: pd.DataFrame) -> html.Ul:
    return html.Ul(
        [
            html.Li(
                f"{int(r['target_percent'])}% by {r['quarter']}"
                + (f" ({r['note']})" if isinstance(r["note"], str) and r["note"] else "")
            )
            for r in mine.to_dict("records")
        ],
        className="steps-list",
    )


def _table(caption: str, headers: list[str], rows: list, table_id: str) -> html.Div:
    return html.Div(
        className="table-wrap",
        role="region",
        tabIndex=0,
        **{"aria-label": caption},
        children=[
            html.Table(
                className="data-table",
                id=table_id,
                children=[
                    html.Caption(caption, className="muted"),
                    html.Thead(html.Tr([html.Th(h, scope="col") for h in headers])),
                    html.Tbody(rows),
                ],
            )
        ],
    )


def _file(v: dict, user) -> html.A | str:
    """The version's file as uploaded, for a signed-in user who may act on its AHSN."""
    if allowed(user, Action.SEE_ORIGINALS, ahsn=v["ahsn"]):
        return html.A(f"{v['file_name']} (as uploaded)", href=here(f"/trajectories/{int(v['event_id'])}/original"))
    return v["file_name"]


def _set_by(v: dict) -> str:
    return f"set by {v['by_user']} on {v['happened_at']:%-d %b %Y %H:%M} UTC: “{v['reason']}”"


def trajectories_table(versions: pd.DataFrame, steps: pd.DataFrame, user) -> html.Div:
    """One row per AHSN, A to Z (never a ranking): its steps now, who set them, when and why, and
    every earlier version below it."""
    rows = []
    for ahsn in sorted((a.short_name for a in ahsns.all_ahsns()), key=str.lower):
        slug = ahsns.resolve(ahsn).slug
        name = html.Th(html.A(ahsn, href=here(f"/ahsn/{slug}")), scope="row")
        mine = versions[versions["ahsn"] == ahsn].to_dict("records")  # newest first
        if not mine:
            rows.append(
                html.Tr(
                    [name, html.Td("No trajectory: judged against the national target only", colSpan=2)],
                    id=f"trajectory-{slug}",
                )
            )
            continue
        now, earlier = mine[0], mine[1:]
        about = [html.Strong(f"Version {int(now['version'])}"), f", {_set_by(now)} ", html.Br(), _file(now, user)]
        if earlier:
            about.append(
                html.Details(
                    className="trajectory-earlier",
                    children=[
                        html.Summary(f"Earlier versions ({len(earlier)})"),
                        html.Ol(
                            reversed=True,
                            children=[
                                html.Li(
                                    value=int(v["version"]),
                                    children=[
                                        f"Version {int(v['version'])}, {_set_by(v)}: ",
                                        steps_words(_steps_of(steps, int(v["event_id"])).itertuples()),
                                        ". ",
                                        _file(v, user),
                                    ],
                                )
                                for v in earlier
                            ],
                        ),
                    ],
                )
            )
        rows.append(
            html.Tr(
                [name, html.Td(_steps_cell(_steps_of(steps, int(now["event_id"])))), html.Td(about)],
                id=f"trajectory-{slug}",
            )
        )
    return _table(
        "Each AHSN's trajectory, A to Z: its steps now, and every version with who set it, when and why",
        ["AHSN", "Steps now (target by quarter)", "Versions"],
        rows,
        "trajectories-now",
    )
