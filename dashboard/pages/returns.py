"""/returns: the national team's page for a quarter's collection (?quarter=Q3 2020/21).

Who has returned, who is late against the due date, and which trusts of last quarter are
missing; then what to do: remind the late AHSNs, change the due date, sign off (publish) the
quarter after a confirmation that shows its coverage, and decide the revisions waiting for
approval (changes to published quarters), each with its figures before and after. The forms
post to dashboard/endpoints/signoff.py, which checks the user again; this page is built on the server
from its address.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, quote

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard.addresses import here, signin_address
from dashboard.context import services
from dashboard.presentation import updating
from dashboard.presentation.collection import ReturnsView, decided, grid, late_ahsns, revisions
from dashboard.presentation.forms import field, post_form
from dashboard.security.auth import current_user
from etl import collection, words
from etl.collection import QuarterStatus
from etl.permissions import Action, allowed
from etl.quarters import Quarter

dash.register_page(
    __name__,
    path="/returns",
    name="Returns this quarter",
    title="Returns this quarter",
    nav_order=11,
    nav_label="Returns",
)


def layout(
    quarter: str | None = None,
    done: str | None = None,
    confirm: str | None = None,
    decided: str | None = None,
    **_query,
) -> html.Div:
    user = current_user()
    if not allowed(user, Action.SEE_COLLECTION):
        return html.Div(
            className="upload-page",
            children=[
                html.H1("Returns this quarter"),
                html.P(
                    [
                        "This page is for the national team. ",
                        html.A("Sign in", href=signin_address("/returns"))
                        if user is None
                        else html.A("See your AHSN's returns in the history", href=here("/history")),
                        ".",
                    ]
                ),
            ],
        )
    behind = updating.behind()
    return html.Div(
        className="upload-page",
        children=[
            dcc.Location(id="returns-url", refresh="callback-nav"),
            # a change just made is stored and made current just after: the page is drawn again then
            *updating.watch("returns", behind, UPDATING if behind else "", className="note"),
            html.Div(body(quarter, done, confirm, decided), id="returns-body"),
        ],
    )


UPDATING = "The figures are being updated with the latest change; this page follows when they are."


def body(quarter: str | None, done: str | None, confirm: str | None, decided_id: str | None = None) -> list:
    """Everything the page shows about the chosen quarter and the revisions waiting."""
    ctx = services()
    clock = collection.clock(ctx.db, ctx.programme)
    today = clock.today
    view = ReturnsView.read(ctx.db, ctx.programme, {"quarter": quarter}, today)
    statuses, chosen = view.statuses, view.status
    if chosen is None:
        return [html.H1("Returns this quarter"), html.P("No returns have been stored yet.")]
    return [
        html.H1(f"Returns for {chosen.quarter.label}"),
        html.P(_state_line(chosen, today), className="lead", id="returns-state"),
        html.P(clock.note, className="note", id="returns-clock") if clock.note else None,
        html.Div(html.P(done), className="upload-panel upload-panel-success", role="status", id="returns-done")
        if done
        else None,
        decided(ctx.db, ctx.programme, decided_id),
        html.Div(
            className="upload-template-choices",
            children=[
                html.Div(
                    [
                        html.Label("Quarter", htmlFor="returns-quarter"),
                        dcc.Dropdown(
                            id="returns-quarter",
                            clearable=False,
                            value=chosen.quarter.label,
                            options=[
                                {"label": _option(s, today), "value": s.quarter.label} for s in reversed(statuses)
                            ],
                        ),
                    ]
                ),
            ],
        ),
        grid(chosen, today),
        _actions(chosen, today, confirm in ("sign-off", "publish")),
        revisions(),
    ]


def _option(s: QuarterStatus, today: dt.date) -> str:
    if s.is_published:
        return f"{s.quarter.label}: {s.state}"
    return f"{s.quarter.label}: open, {s.due_text(today)}"


def _state_line(s: QuarterStatus, today: dt.date) -> str:
    if s.is_published:
        revised = (
            f"; {s.revised_figures} figure{'s' if s.revised_figures != 1 else ''} revised since"
            if s.revised_figures
            else ""
        )
        return (
            f"Published on {s.published_at:%-d %b %Y} by {s.published_by}{revised}. {words.capital(s.coverage)}. "
            "Changes to its returns wait for approval below."
        )
    hand = " (set by hand)" if s.due_set_by_hand else ""
    return f"Open for returns, {s.due_text(today)}{hand}. {words.capital(s.coverage)}."


@callback(
    Output("returns-body", "children"),
    *updating.state("returns"),
    updating.poll("returns"),
    State("returns-url", "search"),
    prevent_initial_call=True,
)
def draw_again_when_updated(_n: int | None, search: str | None):
    """Once the database holds the latest change, draw the page again from it."""
    if not allowed(current_user(), Action.SEE_COLLECTION):
        return no_update, "", True
    if updating.behind():
        return no_update, no_update, False
    query = parse_qs((search or "").lstrip("?"))
    first = {k: v[0] for k, v in query.items()}
    return body(first.get("quarter"), first.get("done"), first.get("confirm"), first.get("decided")), "", True


@callback(
    Output("returns-url", "search"),
    Input("returns-quarter", "value"),
    State("returns-url", "search"),
    prevent_initial_call=True,
)
def choose_quarter(label: str | None, search: str | None):
    """Another quarter is another address (the page is built from it). The quarter already
    shown (a dropdown drawn again) keeps the address as it is, message and all."""
    if label:
        Quarter.parse(label)  # a quarter no page offers is refused (400), not navigated to
    asked = parse_qs((search or "").lstrip("?")).get("quarter", [None])[0]
    ctx = services()
    today = collection.clock(ctx.db, ctx.programme).today
    shown = ReturnsView.read(ctx.db, ctx.programme, {"quarter": asked}, today).status
    if not label or (shown is not None and label == shown.quarter.label):
        return no_update
    return "?quarter=" + quote(label, safe="/")


def _actions(status: QuarterStatus, today: dt.date, confirming: bool) -> html.Section | None:
    if status.is_published:
        return None
    q = status.quarter
    ctx = services()
    missing = late_ahsns(status)
    user = current_user()
    blocks = []
    may_sign_off = allowed(user, Action.SIGN_OFF)
    if may_sign_off and confirming:
        incomplete = (
            [
                html.P(
                    [
                        "Not every AHSN has returned: ",
                        html.Strong(", ".join(missing)),
                        ". Their returns will be revisions when they come, each waiting for approval.",
                    ],
                    className="returns-warning",
                ),
            ]
            if missing
            else []
        )
        # the button itself says what is confirmed, and sends it (incomplete=yes)
        label = (
            f"Sign off {q.label} now, with {words.plural(len(missing), 'AHSN')} missing"
            if missing
            else f"Sign off {q.label} now"
        )
        blocks.append(
            html.Div(
                className="upload-panel upload-panel-warning",
                id="returns-confirm",
                children=[
                    html.H2(f"Sign off {q.label}?"),
                    html.P(
                        f"{words.capital(status.coverage)}; {words.plural(status.trusts_returned, ctx.programme.organisation, ctx.programme.organisations)} "
                        f"in the returns; {status.due_text(today)}. Signing it off makes these the published "
                        f"{q.label} figures, the ones everyone sees by default; after it, any change to a return waits "
                        "for approval and shows as a revision."
                    ),
                    post_form(
                        f"/quarters/{q.key}/sign-off",
                        [
                            *incomplete,
                            field(
                                "Note kept with the sign-off (optional)",
                                "returns-sign-off-note",
                                name="note",
                                type="text",
                                maxLength=500,
                            ),
                            html.Button(
                                label,
                                type="submit",
                                name="incomplete",
                                value="yes" if missing else "no",
                                className="upload-button upload-button-primary",
                                id="returns-sign-off-confirm",
                            ),
                            html.A(
                                "Cancel",
                                href=here(f"/returns?quarter={quote(q.label, safe='/')}"),
                                className="returns-cancel",
                            ),
                        ],
                        "returns-form",
                    ),
                ],
            )
        )
    elif may_sign_off:
        blocks.append(
            html.Div(
                [
                    html.H3("Sign off"),
                    html.P(
                        "When the returns are in and checked, sign the quarter off: its figures become the published "
                        "ones, which everyone sees by default."
                    ),
                    html.A(
                        f"Sign off {q.label}…",
                        href=here(f"/returns?quarter={quote(q.label, safe='/')}&confirm=sign-off"),
                        className="upload-button",
                        id="returns-sign-off",
                    ),
                ]
            )
        )
    blocks.append(
        None
        if not allowed(user, Action.SET_DUE_DATE)
        else html.Div(
            [
                html.H3("Due date"),
                post_form(
                    f"/quarters/{q.key}/due-date",
                    [
                        field(
                            "New due date",
                            "returns-due",
                            name="due",
                            type="date",
                            required=True,
                            value=status.due.isoformat(),
                        ),
                        field("Why", "returns-due-reason", name="reason", type="text", required=True, maxLength=500),
                        html.Button("Change the due date", type="submit", className="upload-button"),
                    ],
                    "returns-form",
                ),
            ]
        )
    )
    late_now = missing if status.days_to_due(today) < 0 else []
    if ctx.settings.smtp_host is None:
        remind = html.P(
            "E-mail is off (METRICS_SMTP_HOST is not set), so reminders cannot be sent from here.", className="muted"
        )
    elif not late_now:
        remind = html.P("No AHSN is late for this quarter.", className="muted")
    else:
        remind = post_form(
            f"/quarters/{q.key}/remind",
            [
                html.Button(
                    f"E-mail a reminder to the submitters of the {words.plural(len(late_now), 'late AHSN')}",
                    type="submit",
                    className="upload-button",
                    id="returns-remind",
                ),
            ],
            "returns-form",
        )
    if allowed(user, Action.SEND_REMINDERS):
        blocks.append(html.Div([html.H3("Reminders"), remind]))
    return html.Section(blocks, className="upload-step returns-actions no-print", id="returns-actions")
