"""Region comparison: every AHSN's adoption trend side by side (/compare).

Alphabetical by default: the review found league tables used to blame discourage, while
variation shown to learn from helps. ?sort=latest orders by the latest rate instead. The
address is read by dashboard.views.CompareView, as /download/compare.* reads it. One small
chart per AHSN, each with its own heading: three to a row on a wide screen, one on a phone,
and never split across printed pages.
"""

from __future__ import annotations

import dash
import pandas as pd
from dash import html

from dashboard.addresses import here
from dashboard.context import services
from dashboard.presentation import download_links, figures, headline_compare, published
from dashboard.presentation.headline_cells import group_heading, has_referrals
from dashboard.presentation.views import CompareView, compare_sorts, nothing_shown
from dashboard.security.auth import current_user, may_for_every_ahsn
from etl import ahsns, report, words
from etl.permissions import Action

dash.register_page(
    __name__, path="/compare", name="Compare regions", nav_order=2, nav_label="Compare regions", title="Compare regions"
)


def at_target_counts(rates: pd.DataFrame, quarters: list[str], target: int) -> pd.DataFrame:
    figure = rates["value"] if "value" in rates else rates["rate_percent"]  # a rate's own headline (with_headline)
    by_quarter = rates.assign(at=figure >= target).groupby("quarter")
    frame = pd.DataFrame({"at_target": by_quarter["at"].sum(), "returned": by_quarter["at"].size()})
    frame = frame.reindex(quarters).fillna(0).astype(int).reset_index(names="quarter")
    return frame


def latest_words(rates: pd.DataFrame, programme) -> str:
    if not len(rates):
        return words.capital(f"{words.NO_RETURN} yet.")
    last = rates.sort_values("quarter_index").iloc[-1]
    return (
        f"{int(last['rate_percent'])}% in {last['quarter']} "
        f"({words.of_counted(int(last['adopted_trusts']), int(last['counted_trusts']), programme)})"
    )


def layout(**query) -> html.Div:
    ctx = services()
    programme = ctx.programme
    may_see = may_for_every_ahsn(Action.SEE_PROVISIONAL)
    user = current_user()
    refused = None if may_see else published.refusal(user)
    view = CompareView.read(ctx.db, programme, query, may_see)
    if view is None:
        return html.Div(
            className="page",
            children=[html.H1("Compare regions"), html.P(nothing_shown(ctx.db, programme))]
            + ([published.choice("/compare", "", False, {}, {}, False, refused, user is None)] if refused else []),
        )
    quarters = [q.label for q in view.axis]
    rates, target = view.rates, programme.target_percent
    latest_q = quarters[-1]
    latest = rates[rates["quarter"] == latest_q].set_index("ahsn").reindex(view.order).reset_index()
    sort_links = html.P(
        className="sort-links no-print",
        id="compare-sort",
        children=["Order AHSNs by: "]
        + [
            html.Strong(label, **{"aria-current": "true"})
            if key == view.sort
            else html.A(label, href=published.address("/compare", view.search, sort=key if key != "name" else None))
            for key, label in compare_sorts(programme).items()
        ],
    )
    notice = published.choice(
        "/compare",
        view.search,
        view.asked_provisional,
        view.unpublished,
        view.provisional,
        bool(report.shown_quarters(ctx.db, programme)),
        refused,
        user is None,
        view.refused_provisional,
    )
    share = report.is_share(programme)  # a rate or count: its own figures (presentation/headline_compare.py)
    y_range = None if share else headline_compare.scale(rates, programme)
    multiples = []
    for name in view.order:
        ahsn = ahsns.resolve(name)
        mine = rates[rates["ahsn"] == name]
        multiples.append(
            html.Figure(
                className="multiple",
                children=[
                    html.Figcaption(
                        [
                            html.H3(
                                html.A(name, href=here(f"/ahsn/{ahsn.slug}")) if ahsn else name,
                                className="multiple-title",
                            ),
                            html.Span(
                                latest_words(mine, programme)
                                if share
                                else headline_compare.latest_words(mine, programme),
                                className="muted",
                            ),
                        ]
                    ),
                    figures.graph(
                        f"compare-{ahsn.slug if ahsn else name}",
                        figures.trend(mine, quarters, target, name, view.trajectory_of(name), programme=programme)
                        if share
                        else headline_compare.trend(mine, quarters, name, view.trajectory_of(name), programme, y_range),
                        "multiple-chart",
                    ),
                ],
            )
        )
    return html.Div(
        className="page page-compare",
        children=[
            html.H1("Compare regions"),
            notice,
            html.P(
                f"Every AHSN's {'adoption rate' if share else programme.headline.words} over time, on the same "
                "scale, to see the variation between regions and learn from it. Ordered A to Z unless you choose "
                "otherwise.",
                className="lead",
            ),
            sort_links,
            html.Section(
                className="keep-heading",
                children=[
                    html.H2(f"{group_heading(programme)} by AHSN, {quarters[0]} to {quarters[-1]}"),
                    html.P(
                        [
                            f"Each chart: the AHSN's {'rate' if share else 'figure'} (",
                            html.Span("solid blue line", className="key-rate"),
                            *(
                                [
                                    f") against the {target}% target (",
                                    html.Span("dashed orange line", className="key-target"),
                                    ")",
                                ]
                                if target is not None
                                else [")"]
                            ),
                            *(
                                [
                                    " and its own trajectory (",
                                    html.Span("purple steps", className="key-trajectory"),
                                    ": the target each quarter is judged against)",
                                ]
                                if view.trajectory
                                else []
                            ),
                            ". A gap is a quarter without a return.",
                        ],
                        className="muted",
                        id="compare-key",
                    ),
                    html.Div(multiples, className="multiples", id="compare-multiples"),
                    download_links.links(
                        f"every AHSN's {'rate' if share else 'figure'} at every quarter",
                        "compare",
                        view.search,
                        "compare-download",
                    ),
                ],
            ),
            html.Section(
                className="keep-together",
                children=[
                    html.H2(f"AHSNs at or above the {target}% target each quarter"),
                    figures.graph(
                        "compare-at-target",
                        figures.at_target(at_target_counts(rates, quarters, target), target),
                        file_name=f"{programme.code}-ahsns-at-target-{view.axis[-1].key}",
                    ),
                ]
                if target is not None
                else [],  # no flat national target to be at
            ),
            None
            if not has_referrals(programme)  # no referrals to chart: the programme has its own measures
            else html.Section(
                className="keep-together",
                children=[
                    html.H2(f"Referrals by AHSN in {latest_q}"),
                    html.P("AHSNs with no return for the quarter show no bars.", className="muted"),
                    figures.graph(
                        "compare-referrals",
                        figures.referrals_by_ahsn(latest[["ahsn", "referrals_made", "referrals_completed"]]),
                        file_name=f"{programme.code}-referrals-by-ahsn-{view.axis[-1].key}",
                    ),
                ],
            ),
        ],
    )
