"""/returns: for the national team, which AHSNs have returned this quarter, and what is missing.

One row per AHSN: no return yet / returned (with its warnings) / returned, replacing earlier
versions; when and by whom; and the trusts in last quarter's return that are missing now.
This is how late returns are chased.
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import Input, Output, callback, dcc, html

from dashboard import downloads
from dashboard.auth import current_user
from dashboard.context import services
from dashboard.views import ReturnsView, returns_grid
from etl.quarters import Quarter

dash.register_page(__name__, path="/returns", name="Returns this quarter",
                   title="Returns this quarter", nav_order=11, nav_label="Returns")


def layout(**query) -> html.Div:
    user = current_user()
    if user is None or not user.is_national:
        return html.Div(className="upload-page", children=[
            html.H1("Returns this quarter"),
            html.P(["This page is for the national team. ",
                    html.A("Sign in", href="/signin?next=/returns") if user is None
                    else html.A("See your AHSN's returns in the history", href="/history"), "."]),
        ])
    ctx = services()
    view = ReturnsView.read(ctx.db, ctx.programme, query)
    return html.Div(className="upload-page", children=[
        html.H1("Returns this quarter"),
        html.P("Which AHSNs have sent their return, when and by whom, and which trusts of last "
               "quarter's return are missing. Choose another quarter to look back."),
        html.Div(className="upload-template-choices", children=[
            html.Div([html.Label("Quarter", htmlFor="returns-quarter"),
                      dcc.Dropdown(id="returns-quarter", options=[q.label for q in view.choices],
                                   value=view.quarter.label if view.quarter else None, clearable=False)]),
        ]),
        html.Div(id="returns-grid"),
    ])


@callback(Output("returns-grid", "children"), Input("returns-quarter", "value"))
def show_grid(label):
    user = current_user()
    if user is None or not user.is_national or not label:
        return html.P("Sign in as a national administrator to see the returns.")
    return grid(Quarter.parse(label))


def grid(quarter: Quarter) -> html.Div:
    ctx = services()
    rows = returns_grid(ctx.db, ctx.programme, quarter)
    returned = sum(r["returned"] for r in rows)
    with_warnings = sum(1 for r in rows if r["warnings"])
    body = []
    for r in rows:
        if not r["returned"]:
            status = "✗ No return yet"
            missing = f"all {len(r['missing'])} (no return yet)" if r["missing"] else ""
            row_class = "returns-none"
        else:
            warnings, earlier = r["warnings"], r["earlier"]
            status = "✓ Returned" + (f" with {warnings} warning{'s' if warnings != 1 else ''}" if warnings else "")
            if earlier:
                status += f"; supersedes {earlier} earlier version{'s' if earlier != 1 else ''}"
            missing = "; ".join(r["missing"]) or "none"
            row_class = "returns-warnings" if warnings else "returns-ok"
        when = f"{r['stored_at']:%d %b %Y %H:%M} UTC" if r["stored_at"] is not None else ""
        who = f"{r['by']} (submission {r['submission']})" if r["returned"] else ""
        body.append(html.Tr(className=row_class, children=[
            html.Th(r["ahsn"], scope="row"), html.Td(status), html.Td(when or "—"),
            html.Td(who or "—"), html.Td(missing or "—")]))
    return html.Div([
        html.P(html.Strong(f"{returned} of {len(rows)} AHSNs have returned for {quarter.label}"
                           f"{f'; {with_warnings} with warnings' if with_warnings else ''}."),
               className="returns-summary"),
        html.Div(className="table-wrap", role="region", tabIndex=0, **{"aria-labelledby": "returns-caption"}, children=[
            html.Table(className="upload-table returns-grid", children=[
                html.Caption(f"Returns for {quarter.label}, by AHSN", id="returns-caption"),
                html.Thead(html.Tr([html.Th(h, scope="col") for h in (
                    "AHSN", "Status", "Stored", "By", f"Trusts of {(quarter - 1).label} missing now")])),
                html.Tbody(body),
            ])]),
        downloads.links("this table", "returns", "?" + urlencode({"quarter": quarter.label}), "returns-download"),
    ])
