"""/returns: for the national team, which AHSNs have returned this quarter, and what is missing.

One row per AHSN: no return yet / returned (with its warnings) / returned, replacing earlier
versions; when and by whom; and the trusts in last quarter's return that are missing now.
This is how late returns are chased.
"""

from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html

from dashboard.auth import current_user
from dashboard.context import services
from etl import ahsns, queries
from etl.quarters import Quarter

dash.register_page(__name__, path="/returns", name="Returns this quarter",
                   title="Returns this quarter", nav_order=11, nav_label="Returns")


def layout(quarter: str | None = None, **_query) -> html.Div:
    user = current_user()
    if user is None or not user.is_national:
        return html.Div(className="upload-page", children=[
            html.H1("Returns this quarter"),
            html.P(["This page is for the national team. ",
                    html.A("Sign in", href="/signin?next=/returns") if user is None
                    else html.A("See your AHSN's returns in the history", href="/history"), "."]),
        ])
    ctx = services()
    loaded = queries.loaded_quarters(ctx.db, ctx.programme)
    labels = [Quarter.from_index(int(i)).label for i in loaded["quarter_index"]][::-1]
    if labels:
        labels.insert(0, (Quarter.parse(labels[0]) + 1).label)  # the return being made now
    chosen = quarter if quarter in labels else (labels[1] if len(labels) > 1 else None)
    return html.Div(className="upload-page", children=[
        html.H1("Returns this quarter"),
        html.P("Which AHSNs have sent their return, when and by whom, and which trusts of last "
               "quarter's return are missing. Choose another quarter to look back."),
        html.Div(className="upload-template-choices", children=[
            html.Div([html.Label("Quarter", htmlFor="returns-quarter"),
                      dcc.Dropdown(id="returns-quarter", options=labels, value=chosen, clearable=False)]),
        ]),
        html.Div(id="returns-grid"),
    ])


@callback(Output("returns-grid", "children"), Input("returns-quarter", "value"))
def show_grid(label: str | None):
    user = current_user()
    if user is None or not user.is_national or not label:
        return html.P("Sign in as a national administrator to see the returns.")
    return grid(Quarter.parse(label))


def grid(quarter: Quarter) -> html.Div:
    ctx = services()
    programme = ctx.programme
    history = queries.submissions(ctx.db, programme)
    here = history[history["quarter_index"] == quarter.index]
    rows, returned, with_warnings = [], 0, 0
    for ahsn in ahsns.all_ahsns():
        mine = here[here["ahsn"] == ahsn.short_name]
        current = mine[mine["is_current"]]
        if not len(current):
            status, when, who = "✗ No return yet", "", ""
            # The trusts still to be reported: those of the AHSN's return a quarter earlier.
            before = queries.trust_codes_missing(ctx.db, programme, ahsn.short_name, quarter.index)
            missing = f"all {len(before)} (no return yet)" if len(before) else ""
            row_class = "returns-none"
        else:
            c = current.iloc[0]
            returned += 1
            warnings = int(c["warning_count"])
            with_warnings += warnings > 0
            earlier = len(mine) - 1
            status = "✓ Returned" + (f" with {warnings} warning{'s' if warnings != 1 else ''}"
                                     if warnings else "")
            if earlier:
                status += f"; supersedes {earlier} earlier version{'s' if earlier != 1 else ''}"
            when = f"{c['loaded_at']:%d %b %Y %H:%M} UTC"
            who = f"{c['loaded_by']} (submission {int(c['submission_id'])})"
            gone = queries.trust_codes_missing(ctx.db, programme, ahsn.short_name, quarter.index)
            missing = "; ".join(f"{r['trust_name']} ({r['trust_code']})" for _, r in gone.iterrows()) \
                or "none"
            row_class = "returns-warnings" if warnings else "returns-ok"
        rows.append(html.Tr(className=row_class, children=[
            html.Th(ahsn.short_name, scope="row"), html.Td(status), html.Td(when or "—"),
            html.Td(who or "—"), html.Td(missing or "—")]))
    return html.Div([
        html.P(html.Strong(f"{returned} of {len(rows)} AHSNs have returned for {quarter.label}"
                           f"{f'; {with_warnings} with warnings' if with_warnings else ''}."),
               className="returns-summary"),
        html.Table(className="upload-table returns-grid", children=[
            html.Caption(f"Returns for {quarter.label}, by AHSN"),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in (
                "AHSN", "Status", "Stored", "By", f"Trusts of {(quarter - 1).label} missing now")])),
            html.Tbody(rows),
        ]),
    ])
