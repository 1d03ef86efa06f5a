"""/history: every submission the user may see, what was counted from it, the file as
uploaded, and restoring one.

Nothing is ever deleted: restoring makes an earlier submission current again and the one
it replaces stays listed. The download links and restore buttons go to endpoints in
dashboard/endpoints/history.py, which check the user again; a submitter sees only their own AHSN.
The first download is what the figures count, as a CSV safe to open; the file as uploaded
is offered second, labelled as unchecked (it may hold formulas, links or hidden sheets).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import dash
from dash import Input, Output, State, callback, dcc, html

from dashboard.addresses import here, signin_address
from dashboard.context import services
from dashboard.presentation import updating
from dashboard.presentation.submissions import comments_of, left_out_panel, restore_confirmation, set_aside_form
from dashboard.security.auth import current_user
from etl import ahsns, queries, statuses
from etl.permissions import Action, ahsns_for, allowed, allowed_for_all

dash.register_page(
    __name__, path="/history", name="History of returns", title="History of returns", nav_order=12, nav_label="History"
)

EVERY_AHSN = "All AHSNs"
EVERY_QUARTER = "All quarters"
MOST_SHOWN = 60  # submissions listed at once (a national history grows by 60 a year)


def layout(
    restored: str | None = None,
    ahsn: str | None = None,
    quarter: str | None = None,
    quarantined: str | None = None,
    released: str | None = None,
    confirm_restore: str | None = None,
    revision: str | None = None,
    of: str | None = None,
    **_query,
) -> html.Div:
    user = current_user()
    if user is None:
        return html.Div(
            className="upload-page",
            children=[
                html.H1("History of returns"),
                html.P(
                    [
                        html.A("Sign in", href=signin_address("/history")),
                        " to see the returns you have uploaded and restore an earlier one.",
                    ]
                ),
            ],
        )
    visible = ahsns_for(user, Action.SEE_HISTORY)
    options = [EVERY_AHSN] + visible if len(visible) > 1 else visible
    ctx = services()
    loaded = queries.loaded_quarters(ctx.db, ctx.programme)["quarter"].tolist()[::-1]  # newest first
    quarters = [EVERY_QUARTER] + loaded
    done = None
    pending = updating.behind()
    if restored and restored.isdigit():
        done = html.Div(
            className="upload-panel upload-panel-success",
            role="status",
            children=[
                html.H2(f"✓ Submission {restored} is current again"),
                html.P("The submission it replaced is still listed below, and can be restored in turn."),
            ],
        )
    elif quarantined and quarantined.isdigit():
        done = html.Div(
            className="upload-panel upload-panel-success",
            role="status",
            children=[
                html.H2(f"⊘ Submission {quarantined} is quarantined"),
                html.P(
                    "It is kept, but left out of every figure: the AHSN-quarters it held show the "
                    "return before it, or no return. Release it to take it back."
                ),
            ],
        )
    elif revision and revision.isdigit():
        done = html.Div(
            className="upload-panel upload-panel-success",
            role="status",
            children=[
                html.H2(
                    f"✓ The restore of submission {of if of and of.isdigit() else ''} is stored as revision {revision}"
                ),
                html.P(
                    "It changes a published quarter, so the published figures stay as they are until the national "
                    "team approves it."
                ),
            ],
        )
    elif confirm_restore and confirm_restore.isdigit():
        done = restore_confirmation(user, int(confirm_restore))
    elif released and released.isdigit():
        done = html.Div(
            className="upload-panel upload-panel-success",
            role="status",
            children=[
                html.H2(f"✓ Submission {released} is released"),
                html.P("It counts again wherever it is the latest return."),
            ],
        )
    return html.Div(
        className="upload-page",
        children=[
            html.H1("History of returns"),
            done,
            left_out_panel(user),
            html.P(
                "Every file uploaded, newest first. For each, download the rows the figures count "
                "(a CSV safe to open), or the file exactly as it was uploaded; or restore an "
                "earlier submission: the one it replaces is kept."
            ),
            # the choices are kept in the URL (?ahsn=&quarter=), so a link shows the same list
            dcc.Location(id="history-url", refresh=False),
            # a restore is stored at once and made current just after: look again until then
            *updating.watch("history", pending, _updating_text(pending) if pending else ""),
            html.Div(
                className="upload-template-choices",
                children=[
                    html.Div(
                        [
                            html.Label("AHSN", htmlFor="history-ahsn"),
                            dcc.Dropdown(
                                id="history-ahsn",
                                options=options,
                                value=ahsn if ahsn in options else options[0],
                                clearable=False,
                                disabled=len(options) == 1,
                            ),
                        ]
                    ),
                    html.Div(
                        [
                            html.Label("Quarter", htmlFor="history-quarter"),
                            dcc.Dropdown(
                                id="history-quarter",
                                options=quarters,
                                value=quarter if quarter in quarters else EVERY_QUARTER,
                                clearable=False,
                            ),
                        ]
                    ),
                ],
            ),
            html.Div(id="history-table"),
        ],
    )


def _updating_text(pending: bool) -> str:
    return (
        "The figures are being updated with the latest change: the list below will follow within a few seconds."
        if pending
        else "Every page of the dashboard shows the latest change now."
    )


@callback(*updating.state("history"), updating.poll("history"), prevent_initial_call=True)
def watch_figures(_n: int | None):
    pending = updating.behind()
    return _updating_text(pending), not pending


@callback(
    Output("history-table", "children"),
    Output("history-url", "search"),
    Input("history-ahsn", "value"),
    Input("history-quarter", "value"),
    Input("history-figures-poll", "disabled"),
    State("history-url", "search"),
)
def show_history(choice: str | None, quarter: str | None, _figures_settled: bool | None, current_search: str | None):
    user = current_user()  # filtered on the server, whatever the dropdown sent
    if user is None:
        return html.P("Your session has ended: sign in again."), dash.no_update
    ctx = services()
    programme = ctx.programme
    visible = ahsns_for(user, Action.SEE_HISTORY)
    every = len(visible) == len(ahsns.all_ahsns())  # the national team's choice of one AHSN or all
    ahsn = (None if choice == EVERY_AHSN else choice) if every else (choice if choice in visible else visible[0])
    quarter = None if quarter in (None, EVERY_QUARTER) else quarter
    # the URL keeps its other parameters (?restored=, ?quarantined=) and gains the choices
    kept = [(k, v) for k, v in parse_qsl((current_search or "").lstrip("?")) if k not in ("ahsn", "quarter")]
    chosen = [("ahsn", ahsn if every else None), ("quarter", quarter)]
    search = urlencode(kept + [(k, v) for k, v in chosen if v])
    search = "?" + search if search else ""
    if search == (current_search or ""):
        search = dash.no_update
    history = queries.submissions(ctx.db, programme, ahsn)
    if quarter:
        # a submission is listed whole when any of its AHSN-quarters is in the chosen quarter
        history = history[history["submission_id"].isin(history.loc[history["quarter"] == quarter, "submission_id"])]
    total = history["submission_id"].nunique()
    newest = sorted(history["submission_id"].unique(), reverse=True)[:MOST_SHOWN]
    history = history[history["submission_id"].isin(newest)]
    # A submission holding several AHSNs (a national file) is the submitter's only if all are theirs.
    by_id = history.groupby("submission_id")["ahsn"].agg(list).to_dict() if len(history) else {}
    if not every:
        everything = queries.submissions(ctx.db, programme)
        by_id = everything.groupby("submission_id")["ahsn"].agg(list).to_dict()
    comments = queries.submission_comments(ctx.db, programme, [int(i) for i in history["submission_id"].unique()])
    rows = []
    for r in history.to_dict("records"):
        sid = int(r["submission_id"])
        holds = by_id.get(sid, [])
        status_of = statuses.of_row(r)  # the one status the command line and every page say
        actions = []
        if allowed_for_all(user, Action.SEE_ORIGINALS, holds):
            actions.append(
                html.A(
                    ["Rows as counted (CSV)", html.Span(f" for submission {sid}", className="visually-hidden")],
                    href=here(f"/history/{sid}/counted.csv"),
                    className="history-download",
                )
            )
            # the bytes as sent are the record, not checked for what a spreadsheet would run
            actions.append(
                html.A(
                    [
                        "File as uploaded",
                        html.Span(f" for submission {sid}", className="visually-hidden"),
                        html.Span(
                            " (unchecked: may hold formulas or links; open with care)", className="history-caution"
                        ),
                    ],
                    href=here(f"/history/{sid}/original"),
                    className="history-original",
                )
            )
            if status_of.may_restore and allowed_for_all(user, Action.RESTORE, holds):
                # restoring asks first, showing what it changes (see restore_confirmation)
                actions.append(
                    html.A(
                        f"Restore submission {sid}…",
                        href=here(f"/history?confirm_restore={sid}"),
                        className="upload-button history-restore-link",
                    )
                )
            if allowed(user, Action.QUARANTINE):
                actions.append(set_aside_form(sid, "release" if r["is_quarantined"] else "quarantine"))
        if r["is_quarantined"]:
            status = html.Span(
                [
                    "⊘ Quarantined: ",
                    r["quarantine_reason"] or "",
                    f" ({r['quarantined_by']}, {r['quarantined_at']:%d %b %Y})",
                ]
            )
        elif status_of.words == statuses.REJECTED:
            status = html.Span(
                [f"{status_of.shown} ({r['decided_by']}, {r['decided_at']:%d %b %Y}): ", r["decision_reason"] or ""]
            )
        else:
            status = status_of.shown
        row_class = (
            "history-quarantined"
            if r["is_quarantined"]
            else "history-current"
            if r["is_current"]
            else "history-superseded"
        )
        rows.append(
            html.Tr(
                className=row_class,
                children=[
                    html.Th(str(sid), scope="row"),
                    html.Td(r["ahsn"]),
                    html.Td(r["quarter"]),
                    html.Td(status),
                    html.Td(r["loaded_by"]),
                    html.Td(f"{r['loaded_at']:%d %b %Y %H:%M}"),
                    html.Td(
                        [
                            r["file_name"],
                            comments_of(comments, sid, r["ahsn"], r["quarter"])
                            if allowed(user, Action.SEE_COMMENTS, ahsn=r["ahsn"])
                            else None,
                        ]
                    ),
                    html.Td(str(int(r["trust_rows"]))),
                    html.Td(str(int(r["warning_count"]))),
                    html.Td(actions or "—"),
                ],
            )
        )
    restores = queries.restores(ctx.db, programme)
    restores = restores[restores["submission_id"].isin(list(history["submission_id"]))]
    shown = history["submission_id"].nunique()
    caption = (
        f"{total} submission{'s' if total != 1 else ''}"
        + (f" for {ahsn}" if ahsn else "")
        + (f" holding {quarter}" if quarter else "")
        + (f": the newest {shown} shown; choose an AHSN or a quarter to see the others" if shown < total else "")
    )
    return html.Div(
        [
            html.Div(
                className="table-wrap",
                role="region",
                tabIndex=0,
                **{"aria-label": "Submissions"},
                children=html.Table(
                    className="upload-table history-table",
                    children=[
                        html.Caption(caption),
                        html.Thead(
                            html.Tr(
                                [
                                    html.Th(h, scope="col")
                                    for h in (
                                        "Submission",
                                        "AHSN",
                                        "Quarter",
                                        "Status",
                                        "Uploaded by",
                                        "When (UTC)",
                                        "File",
                                        "Rows",
                                        "Warnings",
                                        "Actions",
                                    )
                                ]
                            )
                        ),
                        html.Tbody(rows),
                    ],
                ),
            )
            if rows
            else html.P("No submissions yet."),
            html.Table(
                className="upload-table history-restores",
                children=[
                    html.Caption("Restores"),
                    html.Thead(
                        html.Tr([html.Th(h, scope="col") for h in ("Submission restored", "Restored by", "When (UTC)")])
                    ),
                    html.Tbody(
                        [
                            html.Tr(
                                [
                                    html.Td(str(int(r["submission_id"]))),
                                    html.Td(r["restored_by"]),
                                    html.Td(f"{r['restored_at']:%d %b %Y %H:%M}"),
                                ]
                            )
                            for r in restores.to_dict("records")
                        ]
                    ),
                ],
            )
            if len(restores)
            else None,
        ]
    ), search
