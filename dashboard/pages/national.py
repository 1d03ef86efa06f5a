"""National overview (the home page): Table 8.1 of the national review, for any quarters.

State is in the URL: /?quarters=Q3%202018/19,Q3%202019/20 (two or more quarters, any
order), read by dashboard.views.NationalView, as the downloads read it. Without it, the
quarters `python -m etl report` picks. The layout is built on the server from the URL, so
the table is in the first response; the one callback here turns the quarter picker into a
new URL. The downloads are plain links to /download/national.* with the same query.
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import downloads, published
from dashboard.context import services
from dashboard.national_table import html_table, legend
from dashboard.views import NationalView
from etl import report
from etl.quarters import Quarter
from etl.report import target_sentence

dash.register_page(__name__, path="/", name="National overview", nav_order=0,
                   nav_label="National overview", title="National overview")


def layout(**query) -> html.Div:
    ctx = services()
    programme = ctx.programme
    view = NationalView.read(ctx.db, programme, query)
    if view is None:
        return html.Div([html.H1("National overview"), html.P("No returns have been loaded yet.")])
    table = view.table
    published_any = bool(report.shown_quarters(ctx.db, programme))
    return html.Div(className="page page-national", children=[
        dcc.Location(id="national-url", refresh="callback-nav"),
        html.H1(f"{programme.short_name} adoption by AHSN"),
        published.choice("/", view.search, view.provisional, view.unpublished, table.provisional, published_any),
        _first_published_choice(view),
        html.P(target_sentence(table, programme.target_percent), className="lead", id="national-sentence"),
        html.P(f"National target: {programme.target_percent}% of each AHSN's acute trusts adopting "
               f"(level {programme.adopted_from_level} {programme.level(programme.adopted_from_level).name} "
               "or above).", className="muted"),
        html.Div(className="controls no-print", children=[
            html.Label("Quarters shown (two or more)", htmlFor="national-quarters"),
            dcc.Dropdown(
                id="national-quarters", multi=True, clearable=False, searchable=True,
                options=[{"label": q.label + (" (provisional)" if q in view.unpublished else ""), "value": q.label}
                         for q in report.shown_quarters(ctx.db, programme, view.provisional)],
                value=[q.label for q in view.quarters], className="quarter-picker",
            ),
            html.P(view.note, id="national-note", className="note", role="status"),
        ]),
        # scrolls sideways in its own box on a phone, the AHSN column kept in view
        html.P("Scroll the table sideways to see every quarter →", className="scroll-hint"),
        html.Div(html_table(table, programme), className="table-wrap", id="national-table", role="region",
                 **{"aria-labelledby": "national-table-caption"}),
        legend(programme),
        downloads.links("the national table", "national", view.search, "national-download"),
        downloads.links("every trust row behind it", "trusts", view.search, "trusts-download"),
    ])


def _first_published_choice(view: NationalView) -> html.P | None:
    """When figures shown were revised since publication: see them as the board first saw them."""
    if view.first_published:
        return html.P(className="provisional-notice", role="note", id="first-published-notice", children=[
            html.Strong("As first published. "),
            "Each figure as it stood when its quarter was published; ✎ marks those revised since. ",
            html.A("Show the figures as they are now", href=published.address("/", view.search, figures=None)),
        ])
    if not view.table.revisions:
        return None
    return html.P(className="provisional-choice no-print", id="first-published-choice", children=[
        f"{len(view.table.revisions)} figure{'s' if len(view.table.revisions) != 1 else ''} shown "
        f"{'have' if len(view.table.revisions) != 1 else 'has'} been revised since publication (✎). ",
        html.A("Show the figures as first published", href=published.address("/", view.search,
                                                                               figures="first-published")),
    ])


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
