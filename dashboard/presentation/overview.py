"""Every programme at once: the overview at `/` (AHSNs x programmes, each cell the AHSN's
latest published headline against its target) and each AHSN's portfolio at `/ahsn/<name>`
(every programme's headline, its trend and what changed), a page a programme lead can print
for their board.

Pure functions of the programmes and their published headlines (etl.queries.published_headlines);
the pages read the data and call these. The cells use the national table's colours with a
symbol beside each (✓ at or above target, ○ below it), never a colour alone, and never a
ranking: AHSNs stay in the national table's order.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from dash import html

from dashboard.addresses import programme_address
from dashboard.context import services
from dashboard.presentation.ahsn_story import BEHIND_MARK, ON_MARK
from dashboard.presentation.national_table import STYLES
from etl import ahsns, queries, words
from etl.programmes import Programme

AT_TARGET, BELOW = ON_MARK, BEHIND_MARK


@dataclass(frozen=True)
class Judged:
    """One AHSN's headline in one quarter, as the overview and a portfolio say it."""

    text: str  # '50%', '412', 'no return'
    said: str  # '50% (2 of 4 acute trusts)': what it is made of
    style: str  # a key of national_table.STYLES
    mark: str  # ✓, ○ or ''
    judged: str  # 'at or above the 50% target', 'below its trajectory's 300', 'no target set'


def target_words(programme: Programme) -> str:
    """'target 50% of acute trusts adopting'; a count: 'against each AHSN's trajectory'."""
    if programme.target_percent is not None:
        return f"target {programme.target_percent}% ({programme.headline.words})"
    return f"{programme.headline.words}, against each AHSN's own trajectory"


def judge(programme: Programme, row) -> Judged:
    """A row of `published_headlines` as it is said and coloured."""
    value = row["value"]
    if pd.isna(value):
        return Judged(words.NO_RETURN, words.NO_RETURN, "no-return", "", "no return for the quarter")
    numerator = None if pd.isna(row["numerator"]) else int(row["numerator"])
    denominator = None if pd.isna(row["denominator"]) else int(row["denominator"])
    text = f"{int(value):,}" if programme.headline.kind == "count" else f"{int(value)}%"
    said = words.headline(programme, value, numerator, denominator)
    at = row["at_target"]
    if pd.isna(at):
        return Judged(text, said, "no-target", "", "no target set for the quarter")
    if programme.target_percent is not None:
        target = f"the {programme.target_percent}% target"
    else:
        target = "its trajectory"
    if bool(at):
        return Judged(text, said, "at-target", AT_TARGET, f"at or above {target}")
    return Judged(text, said, "below", BELOW, f"below {target}")


def change_words(programme: Programme, earlier, later) -> str | None:
    """'up 8 points since Q3 2019/20', 'down 40 people since ...', 'no change since ...'; None
    without both figures."""
    if pd.isna(earlier["value"]) or pd.isna(later["value"]):
        return None
    change = int(later["value"]) - int(earlier["value"])
    unit = programme.headline.unit if programme.headline.kind == "count" else "points"
    if change == 0:
        return f"no change since {earlier['quarter']}"
    return f"{'up' if change > 0 else 'down'} {abs(change):,} {unit} since {earlier['quarter']}"


def _cell(judged: Judged, href: str, label: str) -> html.Td:
    style = STYLES[judged.style]
    return html.Td(
        html.A(
            [judged.text, html.Span(f" {judged.mark}", **{"aria-hidden": "true"}) if judged.mark else None],
            href=href,
            className="overview-link",
            title=f"{judged.said}: {judged.judged}",
            **{"aria-label": f"{label}: {judged.said}, {judged.judged}"},
        ),
        className=f"overview-cell cell-{judged.style}",
        style={"backgroundColor": style["background"], "color": style["text"]},
    )


def overview_table(ahsns: pd.DataFrame, latest: dict[str, tuple[Programme, pd.DataFrame]]) -> html.Table:
    """AHSNs (rows, in the national table's order) x programmes (columns): each AHSN's latest
    published headline, a link to that programme's page for the AHSN. `latest` maps a code to
    (programme, its headlines for its latest published quarter, one row per AHSN)."""
    head = [html.Th("AHSN", scope="col")]
    for code, (programme, frame) in latest.items():
        quarter = frame["quarter"].iloc[0] if not frame.empty else "nothing published yet"
        head.append(
            html.Th(
                [
                    html.A(programme.short_name, href=programme_address(code)),
                    html.Span(quarter, className="overview-quarter"),
                    html.Span(target_words(programme), className="overview-target"),
                ],
                scope="col",
            )
        )
    body = []
    for _, a in ahsns.iterrows():
        cells = [html.Th(html.A(a["short_name"], href=f"/ahsn/{a['slug']}"), scope="row")]
        for code, (programme, frame) in latest.items():
            row = frame[frame["ahsn"] == a["short_name"]]
            if row.empty:
                cells.append(html.Td("not published", className="overview-cell cell-no-return"))
                continue
            judged = judge(programme, row.iloc[0])
            cells.append(
                _cell(
                    judged, programme_address(code, f"/ahsn/{a['slug']}"), f"{a['short_name']}, {programme.short_name}"
                )
            )
        body.append(html.Tr(cells))
    foot = [html.Th("AHSNs at target", scope="row")]
    for _, (_programme, frame) in latest.items():
        foot.append(html.Td(at_target_count(frame), className="overview-count"))
    return html.Table(
        className="overview-table",
        id="overview-table",
        children=[
            html.Caption(
                "Each AHSN's latest published headline in each programme: ✓ at or above target, ○ below it. "
                "Select a figure for that programme's page on the AHSN."
            ),
            html.Thead(html.Tr(head)),
            html.Tbody(body),
            html.Tfoot(html.Tr(foot)),
        ],
    )


def at_target_count(frame: pd.DataFrame) -> str:
    """'7 of 15' (of the AHSNs judged against a target), or 'no targets set'."""
    judged = frame["at_target"].dropna() if not frame.empty else frame
    if frame.empty:
        return "nothing published"
    if judged.empty:
        return "no targets set"
    return f"{int(judged.sum())} of {len(judged)}"


def portfolio_rows(ahsn: str, slug: str, programmes: list[tuple[Programme, pd.DataFrame]]) -> html.Table:
    """One row a programme for this AHSN: its latest published headline, judged, what changed
    since the quarter before and the trend over the last published quarters."""
    rows = []
    for programme, frame in programmes:
        mine = frame[frame["ahsn"] == ahsn]
        name = html.Th(
            [
                html.A(programme.short_name, href=programme_address(programme.code, f"/ahsn/{slug}")),
                html.Span(programme.name, className="portfolio-name"),
            ],
            scope="row",
        )
        if mine.empty:
            rows.append(html.Tr([name, html.Td("Nothing published yet", colSpan=4)]))
            continue
        latest = mine.iloc[-1]
        judged = judge(programme, latest)
        change = change_words(programme, mine.iloc[-2], latest) if len(mine) > 1 else None
        trend = [f"{r['quarter']}: {judge(programme, r).text}" for _, r in mine.iterrows()]
        rows.append(
            html.Tr(
                [
                    name,
                    html.Td(latest["quarter"], className="portfolio-quarter"),
                    _cell(judged, programme_address(programme.code, f"/ahsn/{slug}"), programme.short_name),
                    html.Td([judged.said, html.Br(), html.Span(judged.judged, className="muted")]),
                    html.Td(
                        [
                            change or "no earlier published figure",
                            html.Br(),
                            html.Span(" · ".join(trend), className="muted"),
                        ]
                    ),
                ]
            )
        )
    return html.Table(
        className="portfolio-table",
        id="portfolio-table",
        children=[
            html.Caption(
                f"{ahsn}'s programmes: the latest published quarter of each, ✓ at or above target, ○ below it"
            ),
            html.Thead(
                html.Tr(
                    [
                        html.Th("Programme", scope="col"),
                        html.Th("Quarter", scope="col"),
                        html.Th("Headline", scope="col"),
                        html.Th("What it is", scope="col"),
                        html.Th("What changed (trend over the published quarters)", scope="col"),
                    ]
                )
            ),
            html.Tbody(rows),
        ],
    )


def overview_page() -> html.Div:
    """The page at `/`: every programme's latest published headline for every AHSN."""
    ctx = services()
    latest = {}
    for programme in ctx.settings.programmes:
        frame = queries.published_headlines(ctx.db, programme, last=1)
        latest[programme.code] = (programme, frame)
    return html.Div(
        className="page page-overview",
        children=[
            html.H1("Every national programme, AHSN by AHSN"),
            html.P(
                "Each AHSN's latest published headline in each national programme, against the programme's "
                "target. Published quarters only; each programme's own pages show its quarters, provisional "
                "figures and how each is defined.",
                className="lead",
                id="overview-sentence",
            ),
            html.Div(
                overview_table(queries.ahsn_list(ctx.db), latest),
                className="table-wrap",
                role="region",
                tabIndex=0,
                **{"aria-label": "Every programme, AHSN by AHSN (scrolls sideways)"},
            ),
            html.Ul(
                [
                    html.Li(
                        [
                            html.A(p.name + f" ({p.short_name})", href=programme_address(p.code)),
                            f": {p.organisations}; {target_words(p)}.",
                        ]
                    )
                    for p, _ in latest.values()
                ],
                className="overview-programmes",
            ),
        ],
    )


def portfolio_page(slug: str | None) -> html.Div:
    """The page at `/ahsn/<name>`: one AHSN's every programme, for its board."""
    ctx = services()
    ahsn = ahsns.by_slug(slug or "")
    if ahsn is None:
        return html.Div(
            className="page",
            children=[
                html.H1("AHSN not found"),
                html.P(["There is no AHSN at this address. ", html.A("See all AHSNs", href="/ahsn")]),
            ],
        )
    programmes = [(p, queries.published_headlines(ctx.db, p)) for p in ctx.settings.programmes]
    short = f" ({ahsn.short_name})" if ahsn.short_name != ahsn.name_from_2023 else ""
    return html.Div(
        className="page page-portfolio",
        children=[
            html.H1([ahsn.name_from_2023, short], id="portfolio-name"),
            html.P(
                f"Every national programme {ahsn.short_name} spreads: the latest published headline of each, "
                "whether it meets the programme's target, what changed since the quarter before and the trend "
                "over the last published quarters. Each programme's own page for the AHSN is one link away.",
                className="lead",
                id="portfolio-sentence",
            ),
            html.Div(
                portfolio_rows(ahsn.short_name, ahsn.slug, programmes),
                className="table-wrap",
                role="region",
                tabIndex=0,
                **{"aria-label": f"{ahsn.short_name}'s programmes (scrolls sideways)"},
            ),
        ],
    )
