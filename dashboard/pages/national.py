"""National overview (the home page): Table 8.1 of the national review, for any quarters.

State is in the URL: /?quarters=Q3%202018/19,Q3%202019/20 (two or more quarters, any
order), read by dashboard.views.NationalView, as the downloads read it. Without it, the
quarters `python -m etl report` picks. ?against=trajectory marks each AHSN's rates against
its own trajectory instead of the flat target (the default, so Table 8.1 is as published).
Below the table, the recent milestones of every AHSN, A to Z. The layout is built on the server from the URL, so
the table is in the first response; the one callback here turns the quarter picker into a
new URL. The downloads are plain links to /download/national.* with the same query.
"""

from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard.addresses import here, programme_code
from dashboard.context import services
from dashboard.presentation import download_links, overview, published
from dashboard.presentation.ahsn_story import against
from dashboard.presentation.headline_cells import headline_definition
from dashboard.presentation.legend import legend
from dashboard.presentation.national_table import html_table
from dashboard.presentation.views import NationalView, nothing_shown
from dashboard.security.auth import current_user, may_for_every_ahsn
from etl import report, words
from etl.milestones import MARK
from etl.permissions import Action
from etl.quarters import Quarter
from etl.report import target_sentence

dash.register_page(
    __name__, path="/", name="National overview", nav_order=0, nav_label="National table", title="National overview"
)


def layout(**query) -> html.Div:
    if programme_code() is None:  # `/`: every programme (an old `/?quarters=` was redirected to TCAM's)
        return overview.overview_page()
    ctx = services()
    programme = ctx.programme
    may_see = may_for_every_ahsn(Action.SEE_PROVISIONAL)
    user = current_user()
    refused = None if may_see else published.refusal(user)
    view = NationalView.read(ctx.db, programme, query, may_see)
    if view is None:
        return html.Div(
            [html.H1("National overview"), html.P(nothing_shown(ctx.db, programme), id="national-nothing")]
            + ([published.choice("/", "", False, {}, {}, False, refused, user is None)] if refused else [])
        )
    table = view.table
    published_any = bool(report.shown_quarters(ctx.db, programme))
    return html.Div(
        className="page page-national",
        children=[
            dcc.Location(id="national-url", refresh="callback-nav"),
            html.H1(f"{programme.short_name} adoption by AHSN"),
            published.choice(
                "/",
                view.search,
                view.provisional,
                view.unpublished,
                table.provisional,
                published_any,
                refused,
                user is None,
                view.refused_provisional,
            ),
            _first_published_choice(view),
            html.P(target_sentence(table, programme.target_percent), className="lead", id="national-sentence"),
            _trajectory_sentence(view),
            html.P(
                headline_definition(programme)
                if not report.is_share(programme)
                else f"National target: {programme.target_percent}% of each AHSN's {words.counted(programme)} adopting "
                f"(level {programme.adopted_from_level} {programme.level(programme.adopted_from_level).name} "
                "or above)."
                if programme.target_percent is not None
                else f"The share of each AHSN's {words.counted(programme)} adopting (level "
                f"{programme.adopted_from_level} {programme.level(programme.adopted_from_level).name} or above); "
                f"{programme.short_name} has no national target for it.",
                className="muted",
            ),
            _against_choice(view, programme.target_percent),
            html.Div(
                className="controls no-print",
                children=[
                    html.Label("Quarters shown (two or more)", htmlFor="national-quarters"),
                    dcc.Dropdown(
                        id="national-quarters",
                        multi=True,
                        clearable=False,
                        searchable=True,
                        options=[
                            {"label": q.label + (" (provisional)" if q in view.unpublished else ""), "value": q.label}
                            for q in report.shown_quarters(ctx.db, programme, view.provisional)
                        ],
                        value=[q.label for q in view.quarters],
                        className="quarter-picker",
                    ),
                    html.P(view.note, id="national-note", className="note", role="status"),
                ],
            ),
            # scrolls sideways in its own box on a phone, the AHSN column kept in view
            html.P("Scroll the table sideways to see every quarter →", className="scroll-hint"),
            html.Div(
                html_table(table, programme, view.trajectory),
                className="table-wrap",
                id="national-table",
                role="region",
                **{"aria-labelledby": "national-table-caption"},
            ),
            legend(programme, trajectory=view.trajectory is not None),
            download_links.links("the national table", "national", view.search, "national-download"),
            download_links.links(
                f"every {programme.organisation} row behind it", "trusts", view.search, "trusts-download"
            ),
            _recent_milestones(view, programme),
            html.P(
                [
                    "Why do some AHSNs reach the target sooner? ",
                    html.A("Pathways to success", href=here("/pathways"), id="national-pathways-link"),
                    ": the spread conditions that went with reaching it, as the national review found them.",
                ],
                className="no-print",
            ),
        ],
    )


def _against_choice(view: NationalView, target: int | None) -> html.P:
    """Mark the rates against the flat national target (Table 8.1 as published) or against each
    AHSN's own trajectory: a choice kept in the address."""
    if target is None:  # no flat national target to choose
        return html.P(className="against-choice no-print", id="national-against")
    chosen = "trajectory" if view.trajectory is not None else "target"
    choices = [
        ("target", f"the national {target}% target", None),
        ("trajectory", "each AHSN's own trajectory", "trajectory"),
    ]
    parts: list = ["Mark the rates against: "]
    for i, (key, label, value) in enumerate(choices):
        if i:
            parts.append(" · ")
        parts.append(
            html.Strong(label, **{"aria-current": "true"})
            if key == chosen
            else html.A(label, href=published.address("/", view.search, against=value), id=f"against-{key}")
        )
    return html.P(parts, className="against-choice no-print", id="national-against")


def _trajectory_sentence(view: NationalView) -> html.P | None:
    """With ?against=trajectory: how many AHSNs were on their own trajectory in each quarter
    (a count, never a ranking)."""
    if view.trajectory is None:
        return None
    parts = []
    by_ahsn = view.table.frame.set_index("ahsn")
    for q in view.quarters:
        judged = [(a, t) for (a, quarter), t in view.trajectory.items() if quarter == q and t is not None]
        rates, adopted, counted = by_ahsn[q.key], by_ahsn[q.key + "_adopted"], by_ahsn[q.key + "_trusts"]
        with_rate = [(a, t) for a, t in judged if a in rates.index and not pd.isna(rates[a])]
        on = sum(1 for a, t in with_rate if against(int(adopted[a]), int(counted[a]), t).on)
        parts.append(
            f"{on} of the {len(with_rate)} AHSN{'s' if len(with_rate) != 1 else ''} with a trajectory "
            f"target and a return in {q.label}"
            if with_rate
            else f"no AHSN had a trajectory target in {q.label}"
        )
    return html.P(
        "On or above their own trajectory: " + "; ".join(parts) + ".",
        className="lead",
        id="national-trajectory-sentence",
    )


def _recent_milestones(view: NationalView, programme) -> html.Section | None:
    """Every AHSN's milestones of the latest two quarters shown, newest quarter first, AHSNs A to Z."""
    if not view.milestones:
        return None
    quarters = sorted({m.quarter for m in view.milestones}, reverse=True)
    groups = []
    for q in quarters:
        # a quarter not yet published may still change: its milestones say so
        groups += [
            html.H3(f"{q.label} (provisional)" if q in view.unpublished else q.label),
            html.Ul(
                [
                    # plain text: the table above already links each AHSN to its page
                    html.Li([html.Span(f"{MARK} ", **{"aria-hidden": "true"}), m.sentence])
                    for m in view.milestones
                    if m.quarter == q
                ]
            ),
        ]
    return html.Section(
        className="milestones keep-heading",
        id="national-milestones",
        children=[
            html.H2("Recent milestones"),
            html.P(
                f"Moments worth marking in each AHSN's own progress, A to Z: a first {words.organisations(programme, 1)} "
                f"{words.adopted(programme)}, a step of its trajectory met, the national target reached, every "
                f"{words.counted(programme, 1)} {words.adopted(programme)}"
                + (f", {counts} past a milestone." if (counts := words.milestone_counts(programme)) else "."),
                className="muted",
            ),
            *groups,
            download_links.links(
                "every milestone of the quarters shown", "milestones", view.search, "milestones-download"
            ),
        ],
    )


def _first_published_choice(view: NationalView) -> html.P | None:
    """When figures shown were revised since publication: see them as the board first saw them."""
    if view.first_published:
        return html.P(
            className="provisional-notice",
            role="note",
            id="first-published-notice",
            children=[
                html.Strong("As first published. "),
                "Each figure as it stood when its quarter was published; ✎ marks those revised since. ",
                html.A("Show the figures as they are now", href=published.address("/", view.search, figures=None)),
            ],
        )
    if not view.table.revisions:
        return None
    return html.P(
        className="provisional-choice no-print",
        id="first-published-choice",
        children=[
            f"{len(view.table.revisions)} figure{'s' if len(view.table.revisions) != 1 else ''} shown "
            f"{'have' if len(view.table.revisions) != 1 else 'has'} been revised since publication (✎). ",
            html.A(
                "Show the figures as first published",
                href=published.address("/", view.search, figures="first-published"),
            ),
        ],
    )


@callback(
    Output("national-url", "search"),
    Output("national-note", "children"),
    Input("national-quarters", "value"),
    State("national-url", "search"),
    prevent_initial_call=True,
)
def choose_quarters(values: list[str] | None, search: str | None):
    """A new choice of quarters is a new URL (the page is built from it); the other choices in
    the address (provisional figures, as first published) are kept."""
    if not values or len(values) < 2:
        return no_update, "Choose two or more quarters."
    quarters = ",".join(q.label for q in sorted(Quarter.parse(v) for v in values))
    return published.address("", search or "", quarters=quarters), None
