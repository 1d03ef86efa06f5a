"""The frame around every page: header, navigation, data status, demo note, footer, and the
line every printed page carries (date printed, the data's as-of date, the page's address).

Navigation is built from the page registry: a page appears in it when it registers with
`nav_order` (and optionally `nav_label`), so adding a page never means editing this file.
"""

from __future__ import annotations

import datetime as dt

import dash
from dash import Input, Output, callback, dcc, html
from flask import has_request_context, request

from dashboard.addresses import here, programme_address, programme_code
from dashboard.context import services
from dashboard.security.auth import csrf_token, current_user
from etl import queries


def layout(first_paint: bool = False) -> html.Div:
    """The shell. Dash draws it empty of data (its callback fills the status line); the page
    the server sends first (dashboard/presentation/prerender.py) has it filled in."""
    programme = services().programme
    every = programme_code() is None  # the overview of every programme, or an AHSN's portfolio
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
                            html.A("National metrics", href="/", className="shell-kicker"),
                            html.A(
                                "Every national programme" if every else f"{programme.name} ({programme.short_name})",
                                href=here("/"),
                                className="shell-programme",
                            ),
                        ],
                    ),
                    html.Nav(_programme_links(), className="shell-programmes", **{"aria-label": "Programmes"}),
                    html.Nav(
                        _nav_links() if not every else [],
                        className="shell-nav",
                        **{"aria-label": f"{programme.short_name} pages" if not every else "Pages"},
                    ),
                    html.P(
                        status_text() if first_paint else None,
                        id="shell-status",
                        className="shell-status",
                        **{"aria-live": "polite"},
                    ),
                    user_badge(),
                ],
            ),
            html.Div(demo_note() if first_paint else None, id="shell-demo-note"),
            # shown only in print, on every page (position: fixed); assets/print.js sets the time printed
            html.P(print_stamp(request.url) if first_paint else None, id="print-stamp", className="print-stamp"),
            html.Main(dash.page_container, id="main", className="shell-main"),
            html.Footer(
                className="shell-footer",
                children=[
                    "Adoption levels are reported quarterly by each AHSN (Health Innovation Network since 2023). ",
                    html.A(
                        "How the figures are defined",
                        # the overview and a portfolio: the default programme's definitions
                        href=here("/definitions") if not every else programme_address(programme.code, "/definitions"),
                    ),
                ],
            ),
        ],
    )


def _nav_links() -> list:
    pages = sorted(
        (p for p in dash.page_registry.values() if p.get("nav_order") is not None), key=lambda p: p["nav_order"]
    )
    return [html.A(p.get("nav_label", p["name"]), href=here(p["path"]), className="shell-nav-link") for p in pages]


def _programme_links() -> list:
    """Every programme's pages, one link each; the programme being read is marked (a bar and
    aria-current, not colour alone)."""
    ctx = services()
    current = programme_code()
    links = [
        html.A(
            "All programmes",
            href="/",
            className="shell-programme-link",
            **({"aria-current": "page"} if current is None else {}),
        )
    ]
    for p in ctx.settings.programmes:
        links.append(
            html.A(
                p.short_name,
                href=programme_address(p.code),
                className="shell-programme-link",
                title=p.name,
                **({"aria-current": "true"} if p.code == current else {}),
            )
        )
    return links


def user_badge() -> html.Div | html.Form:
    """ "Signed in as ... / Sign out", or "Sign in"."""
    user = current_user() if has_request_context() else None
    if user is None:
        return html.Div(html.A("Sign in", href="/signin", className="shell-signin"), className="shell-user")
    return html.Form(
        action="/signout",
        method="POST",
        className="shell-user",
        children=[
            html.Span(["Signed in as ", html.Strong(user.name), f" ({user.description})"]),
            dcc.Input(type="hidden", name="csrf_token", value=csrf_token(), id="shell-user-csrf"),
            html.Button("Sign out", type="submit", className="shell-signout"),
        ],
    )


def status_text() -> list:
    ctx = services()
    if programme_code() is None:
        return ["Every national programme's latest published figures"]
    status = queries.store_status(ctx.db, ctx.programme)
    loaded = status.last_loaded_at
    provisional = status.latest_quarter if status.latest_quarter != status.latest_published_quarter else None
    return [
        "Published to ",
        html.Strong(status.latest_published_quarter or "no quarter yet"),
        f" · {provisional} being collected" if provisional else "",
        f" · last loaded {loaded:%d %b %Y %H:%M} UTC" if loaded is not None else "",
    ]


def demo_note() -> html.P | None:
    ctx = services()
    if programme_code() is None:
        return _demo_note_every_programme()
    status = queries.store_status(ctx.db, ctx.programme)
    # demo returns loaded, or organisations invented (a reference list marked as demo)
    if not status.demo_returns and not ctx.programme.is_demo_data:
        return None
    versions = queries.trajectory_versions(ctx.db, ctx.programme)
    demo_trajectories = (
        " The AHSNs' trajectories are synthetic too, invented to show the feature." if versions["is_demo"].any() else ""
    )
    return html.P(
        className="demo-note",
        role="note",
        children=[
            html.Strong("Demo data. "),
            f"{ctx.programme.demo_note} "
            f"{status.demo_returns} of {status.returns} current returns are demo returns.{demo_trajectories}",
        ],
    )


def _demo_note_every_programme() -> html.P | None:
    ctx = services()
    demo = [
        p.short_name for p in ctx.settings.programmes if p.is_demo_data or queries.store_status(ctx.db, p).demo_returns
    ]
    if not demo:
        return None
    return html.P(
        className="demo-note",
        role="note",
        children=[
            html.Strong("Demo data. "),
            f"The figures of {_and_list(demo)} here are demo data, illustrative only: each programme's pages "
            "say which of its facts are published and which invented.",
        ],
    )


def _and_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def print_stamp(address: str) -> list:
    """'Printed 23 Nov 2026 10:32 UTC · Data as of Q2 2020/21, last loaded ... · <address>'."""
    ctx = services()
    status = queries.store_status(ctx.db, ctx.programme)
    loaded = status.last_loaded_at
    now = dt.datetime.now(dt.UTC)
    if programme_code() is None:  # every programme: each has its own latest published quarter
        return [
            "Printed ",
            html.Span(f"{now:%d %b %Y %H:%M} UTC", className="print-date"),
            " · Data as of each programme's latest published quarter · ",
            html.Span(address, className="print-address"),
        ]
    return [
        "Printed ",
        html.Span(f"{now:%d %b %Y %H:%M} UTC", className="print-date"),
        f" · Data as of {status.latest_published_quarter or 'no quarter published'}"
        + (f", last loaded {loaded:%d %b %Y %H:%M} UTC" if loaded is not None else "")
        + " · ",
        html.Span(address, className="print-address"),
    ]


@callback(
    Output("shell-status", "children"),
    Output("shell-demo-note", "children"),
    Output("print-stamp", "children"),
    Input("shell-url", "href"),
)
def show_status(href):
    """Read on every navigation, so a load shows up without reloading the page."""
    return status_text(), demo_note(), print_stamp(href or "")
