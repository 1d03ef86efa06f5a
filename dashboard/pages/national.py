"""National overview (the home page): Table 8.1 of the national review, for any quarters.

State is in the URL: /?quarters=Q3%202018/19,Q3%202019/20 (two or more quarters, any
order). Without it, the quarters `python -m etl report` picks. The layout is built on the
server from the URL, so the table is in the first response; the one callback here turns the
quarter picker into a new URL, and the download buttons send what the table shows.
"""

from __future__ import annotations

from urllib.parse import quote

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import downloads
from dashboard.context import services
from dashboard.national_table import html_table, legend
from etl import queries
from etl.quarters import Quarter, QuarterError, parse_list
from etl.report import default_quarters, national_table, target_sentence

dash.register_page(__name__, path="/", name="National overview", nav_order=0,
                   nav_label="National overview", title="National overview")


def quarters_search(quarters: list[Quarter]) -> str:
    """The URL query for a choice of quarters: ?quarters=Q3%202018/19,Q3%202019/20"""
    return "?quarters=" + quote(",".join(q.label for q in sorted(quarters)), safe="/,")


def chosen_quarters(db, text: str | None, programme) -> tuple[list[Quarter], str | None]:
    """The quarters to show and, if the URL's choice could not be used, why."""
    loaded = {int(i) for i in queries.loaded_quarters(db, programme)["quarter_index"]}
    if text:
        try:
            asked = sorted(set(parse_list(text)))
        except QuarterError as err:
            return default_quarters(db, programme), f"{err}. Showing the default quarters."
        missing = [q.label for q in asked if q.index not in loaded]
        asked = [q for q in asked if q.index in loaded]
        if len(asked) >= 2:
            note = f"No data loaded for {', '.join(missing)}; not shown." if missing else None
            return asked, note
        return default_quarters(db, programme), "Choose two or more quarters with data. Showing the default quarters."
    return default_quarters(db, programme), None


def layout(quarters: str | None = None, **_other) -> html.Div:
    ctx = services()
    programme = ctx.programme
    loaded = queries.loaded_quarters(ctx.db, programme)
    if not len(loaded):
        return html.Div([html.H1("National overview"), html.P("No returns have been loaded yet.")])
    shown, note = chosen_quarters(ctx.db, quarters, programme)
    table = national_table(ctx.db, programme, shown)
    search = ""
    return html.Div(className="page page-national", children=[
        dcc.Location(id="national-url", refresh="callback-nav"),
        html.H1(f"{programme.short_name} adoption by AHSN"),
        html.P(target_sentence(table, programme.target_percent), className="lead", id="national-sentence"),
        html.P(f"National target: {programme.target_percent}% of each AHSN's acute trusts adopting "
               f"(level {programme.adopted_from_level} {programme.level(programme.adopted_from_level).name} "
               "or above).", className="muted"),
        html.Div(className="controls no-print", children=[
            html.Label("Quarters shown (two or more)", htmlFor="national-quarters"),
            dcc.Dropdown(
                id="national-quarters", multi=True, clearable=False, searchable=True,
                options=[{"label": q, "value": q} for q in loaded["quarter"]],
                value=[q.label for q in shown], className="quarter-picker",
            ),
            html.P(note, id="national-note", className="note", role="status") if note else
            html.P(id="national-note", className="note", role="status"),
        ]),
        html.Div(html_table(table, programme, search), className="table-wrap", id="national-table"),
        legend(programme),
        html.Div(className="downloads no-print", children=[
            html.Button("Download CSV", id="national-download-csv", className="button"),
            html.Button("Download Excel (with colours)", id="national-download-xlsx", className="button"),
            dcc.Download(id="national-download"),
        ]),
    ])


@callback(
    Output("national-url", "search"),
    Output("national-note", "children"),
    Input("national-quarters", "value"),
    prevent_initial_call=True,
)
def choose_quarters(values: list[str] | None):
    """A new choice of quarters is a new URL (the page is built from it)."""
    if not values or len(values) < 2:
        return no_update, "Choose two or more quarters."
    return quarters_search([Quarter.parse(v) for v in values]), None


@callback(
    Output("national-download", "data"),
    Input("national-download-csv", "n_clicks"),
    Input("national-download-xlsx", "n_clicks"),
    State("national-url", "search"),
    prevent_initial_call=True,
)
def download(_csv, _xlsx, search):
    ctx = services()
    programme = ctx.programme
    text = dict(p.split("=", 1) for p in (search or "").lstrip("?").split("&") if "=" in p).get("quarters")
    from urllib.parse import unquote
    shown, _ = chosen_quarters(ctx.db, unquote(text) if text else None, programme)
    if not shown:  # nothing published yet: nothing to download
        return no_update
    table = national_table(ctx.db, programme, shown)
    stem = f"{programme.code}-national-{shown[0].key}-to-{shown[-1].key}"
    if dash.ctx.triggered_id == "national-download-xlsx":
        return dcc.send_bytes(downloads.national_excel(table, programme), f"{stem}.xlsx")
    return dcc.send_string(downloads.national_csv(table, programme), f"{stem}.csv")
