"""/history: every submission the user may see, the file as uploaded, and restoring one.

Nothing is ever deleted: restoring makes an earlier submission current again and the one
it replaces stays listed. The download links and restore buttons go to endpoints in
dashboard/uploads.py, which check the user again; a submitter sees only their own AHSN.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import dash
from dash import Input, Output, State, callback, dcc, html

from dashboard.auth import csrf_token, current_user
from dashboard.context import services
from etl import ahsns, queries

dash.register_page(__name__, path="/history", name="History of returns", title="History of returns",
                   nav_order=12, nav_label="History")

EVERY_AHSN = "All AHSNs"
EVERY_QUARTER = "All quarters"
MOST_SHOWN = 60  # submissions listed at once (a national history grows by 60 a year)


def layout(restored: str | None = None, ahsn: str | None = None, quarter: str | None = None,
           **_query) -> html.Div:
    user = current_user()
    if user is None:
        return html.Div(className="upload-page", children=[
            html.H1("History of returns"),
            html.P([html.A("Sign in", href="/signin?next=/history"),
                    " to see the returns you have uploaded and restore an earlier one."]),
        ])
    options = [EVERY_AHSN] + [a.short_name for a in ahsns.all_ahsns()] if user.is_national else [user.ahsn]
    ctx = services()
    loaded = queries.loaded_quarters(ctx.db, ctx.programme)["quarter"].tolist()[::-1]  # newest first
    quarters = [EVERY_QUARTER] + loaded
    done = None
    if restored and restored.isdigit():
        done = html.Div(className="upload-panel upload-panel-success", role="status", children=[
            html.H2(f"✓ Submission {restored} is current again"),
            html.P("The submission it replaced is still listed below, and can be restored in turn."),
        ])
    return html.Div(className="upload-page", children=[
        html.H1("History of returns"),
        done,
        html.P("Every file uploaded, newest first. Download a file exactly as it was uploaded, "
               "or restore an earlier submission: the one it replaces is kept."),
        # the choices are kept in the URL (?ahsn=&quarter=), so a link shows the same list
        dcc.Location(id="history-url", refresh=False),
        html.Div(className="upload-template-choices", children=[
            html.Div([html.Label("AHSN", htmlFor="history-ahsn"),
                      dcc.Dropdown(id="history-ahsn", options=options,
                                   value=ahsn if ahsn in options else options[0],
                                   clearable=False, disabled=len(options) == 1)]),
            html.Div([html.Label("Quarter", htmlFor="history-quarter"),
                      dcc.Dropdown(id="history-quarter", options=quarters,
                                   value=quarter if quarter in quarters else EVERY_QUARTER, clearable=False)]),
        ]),
        html.Div(id="history-table"),
    ])


@callback(Output("history-table", "children"), Output("history-url", "search"),
          Input("history-ahsn", "value"), Input("history-quarter", "value"), State("history-url", "search"))
def show_history(choice, quarter, current_search):
    user = current_user()  # filtered on the server, whatever the dropdown sent
    if user is None:
        return html.P("Your session has ended: sign in again."), dash.no_update
    ctx = services()
    programme = ctx.programme
    ahsn = None if choice == EVERY_AHSN and user.is_national else (choice if user.is_national else user.ahsn)
    quarter = None if quarter in (None, EVERY_QUARTER) else quarter
    # the URL keeps its other parameters (?restored=) and gains the choices
    kept = [(k, v) for k, v in parse_qsl((current_search or "").lstrip("?")) if k not in ("ahsn", "quarter")]
    chosen = [("ahsn", ahsn if user.is_national else None), ("quarter", quarter)]
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
    if not user.is_national:
        everything = queries.submissions(ctx.db, programme)
        by_id = everything.groupby("submission_id")["ahsn"].agg(list).to_dict()
    csrf = csrf_token()
    rows = []
    for r in history.to_dict("records"):
        sid = int(r["submission_id"])
        allowed = user.may_act_on(by_id.get(sid, []))
        actions = []
        if allowed:
            actions.append(html.A("Download the file", href=f"/history/{sid}/original",
                                  className="history-download"))
            if not r["is_current"]:
                actions.append(html.Form(action=f"/history/{sid}/restore", method="POST",
                                         className="history-restore", children=[
                    dcc.Input(type="hidden", name="csrf_token", value=csrf),
                    dcc.Input(type="hidden", name="from_page", value="1"),
                    html.Button(f"Restore submission {sid}", type="submit",
                                className="upload-button"),
                ]))
        rows.append(html.Tr(className="history-current" if r["is_current"] else "history-superseded", children=[
            html.Th(str(sid), scope="row"), html.Td(r["ahsn"]), html.Td(r["quarter"]),
            html.Td("✓ Current" if r["is_current"] else "Superseded"),
            html.Td(r["loaded_by"]), html.Td(f"{r['loaded_at']:%d %b %Y %H:%M}"),
            html.Td(r["file_name"]), html.Td(str(int(r["trust_rows"]))),
            html.Td(str(int(r["warning_count"]))), html.Td(actions or "—"),
        ]))
    restores = queries.restores(ctx.db, programme)
    restores = restores[restores["submission_id"].isin(list(history["submission_id"]))]
    shown = history["submission_id"].nunique()
    caption = (f"{total} submission{'s' if total != 1 else ''}" + (f" for {ahsn}" if ahsn else "")
               + (f" holding {quarter}" if quarter else "")
               + (f": the newest {shown} shown; choose an AHSN or a quarter to see the others"
                  if shown < total else ""))
    return html.Div([
        html.Div(className="table-wrap", role="region", tabIndex=0, **{"aria-label": "Submissions"}, children=html.Table(
            className="upload-table history-table", children=[
            html.Caption(caption),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in (
                "Submission", "AHSN", "Quarter", "Status", "Uploaded by", "When (UTC)", "File",
                "Rows", "Warnings", "Actions")])),
            html.Tbody(rows),
        ])) if rows else html.P("No submissions yet."),
        html.Table(className="upload-table history-restores", children=[
            html.Caption("Restores"),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in
                                ("Submission restored", "Restored by", "When (UTC)")])),
            html.Tbody([html.Tr([html.Td(str(int(r["submission_id"]))), html.Td(r["restored_by"]),
                                 html.Td(f"{r['restored_at']:%d %b %Y %H:%M}")])
                        for r in restores.to_dict("records")]),
        ]) if len(restores) else None,
    ]), search
