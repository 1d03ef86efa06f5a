"""The frame around every page: header, navigation, data status, demo note, footer.

Navigation is built from the page registry: a page appears in it when it registers with
`nav_order` (and optionally `nav_label`), so adding a page never means editing this file.
"""

from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html
from flask import has_request_context

from dashboard.auth import csrf_token, current_user
from dashboard.context import services
from etl import queries


def layout() -> html.Div:
    programme = services().programme
    return html.Div(
        className="shell",
        children=[
            dcc.Location(id="shell-url"),
            html.A("Skip to main content", href="#main", className="skip-link"),
            html.Header(
                className="shell-header",
                children=[
                    html.Div(
                        className="shell-title",
                        children=[
                            html.Span("National metrics", className="shell-kicker"),
                            html.A(
                                f"{programme.name} ({programme.short_name})",
                                href="/", className="shell-programme",
                            ),
                        ],
                    ),
                    html.Nav(_nav_links(), className="shell-nav", **{"aria-label": "Pages"}),
                    html.P(id="shell-status", className="shell-status", **{"aria-live": "polite"}),
                    user_badge(),
                ],
            ),
            html.Div(id="shell-demo-note"),
            html.Main(dash.page_container, id="main", className="shell-main"),
            html.Footer(
                className="shell-footer",
                children=[
                    "Adoption levels are reported quarterly by each AHSN (Health Innovation "
                    "Network since 2023). ",
                    html.A("How the figures are defined", href="/definitions"),
                ],
            ),
        ],
    )


def _nav_links() -> list:
    pages = sorted((p for p in dash.page_registry.values() if p.get("nav_order") is not None),
                   key=lambda p: p["nav_order"])
    return [html.A(p.get("nav_label", p["name"]), href=p["relative_path"], className="shell-nav-link")
            for p in pages]


def user_badge() -> html.Div | html.Form:
    """"Signed in as ... / Sign out", or "Sign in"."""
    user = current_user() if has_request_context() else None
    if user is None:
        return html.Div(html.A("Sign in", href="/signin", className="shell-signin"), className="shell-user")
    return html.Form(action="/signout", method="POST", className="shell-user", children=[
        html.Span(["Signed in as ", html.Strong(user.name), f" ({user.description})"]),
        dcc.Input(type="hidden", name="csrf_token", value=csrf_token(), id="shell-user-csrf"),
        html.Button("Sign out", type="submit", className="shell-signout"),
    ])


@callback(
    Output("shell-status", "children"),
    Output("shell-demo-note", "children"),
    Input("shell-url", "pathname"),
)
def show_status(_pathname):
    """Read on every navigation, so a load shows up without reloading the page."""
    ctx = services()
    status = queries.store_status(ctx.db, ctx.programme)
    loaded = status.last_loaded_at
    text = [
        "Latest data: ", html.Strong(status.latest_quarter or "none loaded"),
        f" · last loaded {loaded:%d %b %Y %H:%M} UTC" if loaded is not None else "",
    ]
    note = None
    if status.demo_returns:
        note = html.P(
            className="demo-note",
            role="note",
            children=[
                html.Strong("Demo data. "),
                "The AHSN adoption rates for Q3 2018/19, Q3 2019/20 and Q2 2020/21 are the published "
                "ones (Table 8.1 of the 2021 national review); the trusts, their levels in other "
                "quarters and all referral figures are synthetic, built to match those rates. "
                f"{status.demo_returns} of {status.returns} current returns are demo returns.",
            ],
        )
    return text, note
