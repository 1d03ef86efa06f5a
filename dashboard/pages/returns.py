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
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard.context import services
from dashboard.presentation import download_links, updating
from dashboard.presentation.forms import post_form
from dashboard.presentation.views import ReturnsView, returns_grid
from dashboard.security.auth import current_user
from etl import ahsns, queries, words
from etl.collection import QuarterStatus
from etl.permissions import Action, allowed
from etl.quarters import Quarter

dash.register_page(__name__, path="/returns", name="Returns this quarter",
                   title="Returns this quarter", nav_order=11, nav_label="Returns")


def layout(quarter: str | None = None, done: str | None = None, confirm: str | None = None,
           **_query) -> html.Div:
    user = current_user()
    if not allowed(user, Action.SEE_COLLECTION):
        return html.Div(className="upload-page", children=[
            html.H1("Returns this quarter"),
            html.P(["This page is for the national team. ",
                    html.A("Sign in", href="/signin?next=/returns") if user is None
                    else html.A("See your AHSN's returns in the history", href="/history"), "."]),
        ])
    behind = updating.behind()
    return html.Div(className="upload-page", children=[
        dcc.Location(id="returns-url", refresh="callback-nav"),
        # a change just made is stored and made current just after: the page is drawn again then
        *updating.watch("returns", behind, UPDATING if behind else "", className="note"),
        html.Div(body(quarter, done, confirm), id="returns-body"),
    ])


UPDATING = "The figures are being updated with the latest change; this page follows when they are."


def body(quarter: str | None, done: str | None, confirm: str | None) -> list:
    """Everything the page shows about the chosen quarter and the revisions waiting."""
    ctx = services()
    today = dt.date.today()
    view = ReturnsView.read(ctx.db, ctx.programme, {"quarter": quarter}, today)
    statuses, chosen = view.statuses, view.status
    if chosen is None:
        return [html.H1("Returns this quarter"), html.P("No returns have been stored yet.")]
    return [
        html.H1(f"Returns for {chosen.quarter.label}"),
        html.P(_state_line(chosen, today), className="lead", id="returns-state"),
        html.Div(html.P(done), className="upload-panel upload-panel-success", role="status",
                 id="returns-done") if done else None,
        html.Div(className="upload-template-choices", children=[
            html.Div([html.Label("Quarter", htmlFor="returns-quarter"),
                      dcc.Dropdown(id="returns-quarter", clearable=False, value=chosen.quarter.label,
                                   options=[{"label": _option(s, today), "value": s.quarter.label}
                                            for s in reversed(statuses)])]),
        ]),
        grid(chosen, today),
        _actions(chosen, today, confirm in ("sign-off", "publish")),
        _revisions(),
    ]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _option(s: QuarterStatus, today: dt.date) -> str:
    if s.is_published:
        return f"{s.quarter.label}: {s.state}"
    return f"{s.quarter.label}: open, {s.due_text(today)}"


def _state_line(s: QuarterStatus, today: dt.date) -> str:
    if s.is_published:
        revised = (f"; {s.revised_figures} figure{'s' if s.revised_figures != 1 else ''} revised since"
                   if s.revised_figures else "")
        return (f"Published on {s.published_at:%-d %b %Y} by {s.published_by}{revised}. {_sentence(s.coverage)}. "
                "Changes to its returns wait for approval below.")
    hand = " (set by hand)" if s.due_set_by_hand else ""
    return f"Open for returns, {s.due_text(today)}{hand}. {_sentence(s.coverage)}."


@callback(Output("returns-body", "children"), *updating.state("returns"), updating.poll("returns"),
          State("returns-url", "search"), prevent_initial_call=True)
def draw_again_when_updated(_n: int | None, search: str | None):
    """Once the database holds the latest change, draw the page again from it."""
    if not allowed(current_user(), Action.SEE_COLLECTION):
        return no_update, "", True
    if updating.behind():
        return no_update, no_update, False
    query = parse_qs((search or "").lstrip("?"))
    first = {k: v[0] for k, v in query.items()}
    return body(first.get("quarter"), first.get("done"), first.get("confirm")), "", True


@callback(Output("returns-url", "search"), Input("returns-quarter", "value"), State("returns-url", "search"),
          prevent_initial_call=True)
def choose_quarter(label: str | None, search: str | None):
    """Another quarter is another address (the page is built from it). The quarter already
    shown (a dropdown drawn again) keeps the address as it is, message and all."""
    if label:
        Quarter.parse(label)  # a quarter no page offers is refused (400), not navigated to
    asked = parse_qs((search or "").lstrip("?")).get("quarter", [None])[0]
    ctx = services()
    shown = ReturnsView.read(ctx.db, ctx.programme, {"quarter": asked}, dt.date.today()).status
    if not label or (shown is not None and label == shown.quarter.label):
        return no_update
    return "?quarter=" + quote(label, safe="/")


def grid(status: QuarterStatus, today: dt.date) -> html.Div:
    ctx = services()
    rows = returns_grid(ctx.db, ctx.programme, status, today)  # as /download/returns.* holds them
    quarter = status.quarter
    table_rows = []
    for r in rows:
        row_class = ("returns-pending" if r["revisions_waiting"] else "returns-late" if r["late"] and not r["returned"]
                     else "returns-none" if not r["returned"] else "returns-warnings" if r["warnings"]
                     else "returns-ok")
        if r["returned"]:
            missing = "; ".join(r["missing"]) or "none"
        else:
            missing = f"all {len(r['missing'])} (no return yet)" if r["missing"] else ""
        table_rows.append(html.Tr(className=row_class, children=[
            html.Th(r["ahsn"], scope="row"), html.Td(r["status"]),
            html.Td(f"{r['stored_at']:%d %b %Y %H:%M} UTC" if r["stored_at"] else "—"),
            html.Td(f"{r['by']} (submission {r['submission']})" if r["by"] else "—"),
            html.Td(missing or "—")]))
    late = sum(1 for r in rows if r["late"] and not r["returned"])
    summary = _sentence(status.coverage) + f" for {quarter.label}"
    if late:
        summary += f"; {late} {'is' if late == 1 else 'are'} late"
    return html.Div([
        html.P(html.Strong(summary + "."), className="returns-summary", id="returns-summary"),
        html.P("Scroll the table sideways to see every column →", className="scroll-hint"),
        html.Div(className="table-wrap", role="region", tabIndex=0, **{"aria-labelledby": "returns-caption"},
                 children=html.Table(className="upload-table returns-grid", children=[
            html.Caption(f"Returns for {quarter.label}, by AHSN", id="returns-caption"),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in (
                "AHSN", "Status", "Stored", "By", f"Trusts of {(quarter - 1).label} missing now")])),
            html.Tbody(table_rows),
        ])),
        download_links.links("this table", "returns", f"?quarter={quote(quarter.label, safe='/')}", "returns-download"),
    ])


def _late_ahsns(status: QuarterStatus) -> list[str]:
    ctx = services()
    returned = set(queries.ahsn_rates(ctx.db, ctx.programme, [status.quarter.index])["ahsn"])
    return [a.short_name for a in ahsns.all_ahsns() if a.short_name not in returned]


def _field(label: str, field_id: str, **input_props) -> html.Div:
    return html.Div(className="returns-field", children=[
        html.Label(label, htmlFor=field_id), dcc.Input(id=field_id, **input_props)])


def _actions(status: QuarterStatus, today: dt.date, confirming: bool) -> html.Section | None:
    if status.is_published:
        return None
    q = status.quarter
    ctx = services()
    missing = _late_ahsns(status)
    user = current_user()
    blocks = []
    may_sign_off = allowed(user, Action.SIGN_OFF)
    if may_sign_off and confirming:
        incomplete = [
            html.P(["Not every AHSN has returned: ", html.Strong(", ".join(missing)), ". Their returns will "
                    "be revisions when they come, each waiting for approval."], className="returns-warning"),
        ] if missing else []
        # the button itself says what is confirmed, and sends it (incomplete=yes)
        label = (f"Sign off {q.label} now, with {words.plural(len(missing), 'AHSN')} missing"
                 if missing else f"Sign off {q.label} now")
        blocks.append(html.Div(className="upload-panel upload-panel-warning", id="returns-confirm", children=[
            html.H2(f"Sign off {q.label}?"),
            html.P(f"{_sentence(status.coverage)}; {words.plural(status.trusts_returned, ctx.programme.organisation, ctx.programme.organisations)} "
                   f"in the returns; {status.due_text(today)}. Signing it off makes these the published "
                   f"{q.label} figures, the ones everyone sees by default; after it, any change to a return waits "
                   "for approval and shows as a revision."),
            post_form(f"/quarters/{q.key}/sign-off", [
                *incomplete,
                _field("Note kept with the sign-off (optional)", "returns-sign-off-note", name="note", type="text",
                       maxLength=500),
                html.Button(label, type="submit", name="incomplete", value="yes" if missing else "no",
                            className="upload-button upload-button-primary", id="returns-sign-off-confirm"),
                html.A("Cancel", href=f"/returns?quarter={quote(q.label, safe='/')}", className="returns-cancel"),
            ], "returns-form"),
        ]))
    elif may_sign_off:
        blocks.append(html.Div([
            html.H3("Sign off"),
            html.P("When the returns are in and checked, sign the quarter off: its figures become the published "
                   "ones, which everyone sees by default."),
            html.A(f"Sign off {q.label}…", href=f"/returns?quarter={quote(q.label, safe='/')}&confirm=sign-off",
                   className="upload-button", id="returns-sign-off"),
        ]))
    blocks.append(None if not allowed(user, Action.SET_DUE_DATE) else html.Div([
        html.H3("Due date"),
        post_form(f"/quarters/{q.key}/due-date", [
            _field("New due date", "returns-due", name="due", type="date", required=True,
                   value=status.due.isoformat()),
            _field("Why", "returns-due-reason", name="reason", type="text", required=True, maxLength=500),
            html.Button("Change the due date", type="submit", className="upload-button"),
        ], "returns-form"),
    ]))
    late_now = missing if status.days_to_due(today) < 0 else []
    if ctx.settings.smtp_host is None:
        remind = html.P("E-mail is off (METRICS_SMTP_HOST is not set), so reminders cannot be sent from here.",
                        className="muted")
    elif not late_now:
        remind = html.P("No AHSN is late for this quarter.", className="muted")
    else:
        remind = post_form(f"/quarters/{q.key}/remind", [
            html.Button(f"E-mail a reminder to the submitters of the {words.plural(len(late_now), 'late AHSN')}",
                        type="submit", className="upload-button", id="returns-remind"),
        ], "returns-form")
    if allowed(user, Action.SEND_REMINDERS):
        blocks.append(html.Div([html.H3("Reminders"), remind]))
    return html.Section(blocks, className="upload-step returns-actions no-print", id="returns-actions")


def _revisions() -> html.Section:
    ctx = services()
    pending = queries.pending_revisions(ctx.db, ctx.programme)
    if not len(pending):
        return html.Section([html.H2("Revisions waiting for approval"),
                             html.P("None: no change to a published quarter is waiting.", id="returns-no-revisions")],
                            className="returns-revisions")
    items = []
    for event_id, group in pending.groupby("event_id", sort=True):
        first = group.iloc[0]
        how = "a restore of submission " + str(int(first["submission_id"])) if first["action"] == "restore" \
            else f"{first['file_name']} (submission {int(first['submission_id'])})"
        changes = queries.revision_trust_changes(ctx.db, ctx.programme, int(event_id))
        items.append(html.Article(className="returns-revision", id=f"revision-{int(event_id)}", children=[
            html.H3(f"Revision {int(event_id)}: " + ", ".join(f"{r['ahsn']} {r['quarter']}" for _, r in group.iterrows())),
            html.P(f"By {first['by_user']} on {first['happened_at']:%d %b %Y %H:%M} UTC: {how}."),
            html.Ul([html.Li([f"{r['ahsn']} {r['quarter']}: ",
                              html.Strong(words.stored_rate(r["before_rate"], r["before_adopted"], r["before_counted"], ctx.programme)),
                              " now → ",
                              html.Strong(words.stored_rate(r["after_rate"], r["after_adopted"], r["after_counted"], ctx.programme)),
                              " if approved"]) for _, r in group.iterrows()], className="returns-before-after"),
            _trust_changes(changes),
            None if not allowed(current_user(), Action.DECIDE_REVISION) else html.Div(className="returns-decisions", children=[
                post_form(f"/revisions/{int(event_id)}/approve", [
                    _field("Why approve", f"revision-{int(event_id)}-approve-reason", name="reason", type="text",
                           required=True, maxLength=500),
                    html.Button(f"Approve revision {int(event_id)}", type="submit",
                                className="upload-button upload-button-primary")], "returns-form"),
                post_form(f"/revisions/{int(event_id)}/reject", [
                    _field("Why reject", f"revision-{int(event_id)}-reject-reason", name="reason", type="text",
                           required=True, maxLength=500),
                    html.Button(f"Reject revision {int(event_id)}", type="submit", className="upload-button")],
                    "returns-form"),
            ]),
        ]))
    return html.Section([html.H2(f"Revisions waiting for approval ({len(items)})"), *items],
                        className="returns-revisions", id="returns-revisions")


def _level(value) -> str:
    return "—" if pd.isna(value) else str(int(value))


def _differ(a, b) -> bool:
    """Two cells differ (a blank and a number differ; two blanks do not)."""
    if pd.isna(a) or pd.isna(b):
        return pd.isna(a) != pd.isna(b)
    return a != b


def _trust_changes(changes: pd.DataFrame) -> html.Table | html.P:
    if not len(changes):
        return html.P("No trust's level, type or referrals change: the figures stay as they are.")
    rows = []
    for _, c in changes.iterrows():
        if pd.isna(c["level_now"]):
            what = f"added, at level {_level(c['level_after'])}"
        elif pd.isna(c["level_after"]):
            what = "left out of the new return"
        else:
            parts = []
            if _differ(c["level_now"], c["level_after"]):
                parts.append(f"level {_level(c['level_now'])} → {_level(c['level_after'])}")
            if _differ(c["type_now"], c["type_after"]):
                parts.append(f"type {words.type_words(c['type_now'])} → {words.type_words(c['type_after'])}")
            if _differ(c["made_now"], c["made_after"]):
                parts.append(f"referrals made {words.count(c['made_now'])} → {words.count(c['made_after'])}")
            if _differ(c["completed_now"], c["completed_after"]):
                parts.append(f"completed {words.count(c['completed_now'])} → {words.count(c['completed_after'])}")
            what = "; ".join(parts)
        rows.append(html.Tr([html.Th(f"{c['trust_name']} ({c['trust_code']})", scope="row"), html.Td(what)]))
    return html.Div(className="table-wrap", role="region", tabIndex=0, **{"aria-label": "What changes, trust by trust"},
                    children=html.Table(className="upload-table returns-trust-changes", children=[
        html.Caption("What changes, trust by trust"),
        html.Thead(html.Tr([html.Th("Trust", scope="col"), html.Th("Change", scope="col")])),
        html.Tbody(rows),
    ]))
