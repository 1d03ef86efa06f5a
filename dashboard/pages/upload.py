"""/upload: get the template, drop the file, see every problem or a preview, confirm.

The check runs the same validation as `python -m etl load` (Store().check) and stores
nothing. A file that passes waits in the store folder under a random token; the confirm
button posts that token to POST /upload/commit (dashboard/uploads.py), which checks the
user and the file again on the server and stores it with Store().load. Everything from the
file is rendered as text by Dash components: markup in a trust name shows as written.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from urllib.parse import urlencode

import dash
from dash import Input, Output, State, callback, dcc, html

from dashboard import uploads
from dashboard.auth import csrf_token, current_user
from dashboard.context import services
from etl import ahsns, queries
from etl.problems import Problem
from etl.quarters import Quarter

dash.register_page(__name__, path="/upload", name="Upload a return", title="Upload a return",
                   nav_order=10, nav_label="Upload")

PREVIEW_ROWS = 200


def layout(stored: str | None = None, **_query) -> html.Div:
    user = current_user()
    if user is None:
        return html.Div(className="upload-page", children=[
            html.H1("Upload a quarterly return"),
            html.P(["Each AHSN uploads its return here. ",
                    html.A("Sign in", href="/signin?next=/upload"),
                    " with the account the national team gave you to upload."]),
        ])
    allowed = [a.short_name for a in ahsns.all_ahsns() if user.may_submit_for(a.short_name)]
    quarters = _template_quarters()
    limit = services().settings.max_upload_bytes
    return html.Div(className="upload-page", children=[
        html.H1("Upload a quarterly return"),
        _stored_panel(stored, user),
        html.Section(className="upload-step", children=[
            html.H2("1. Get the template"),
            html.P("The template lists the trusts of the AHSN's last return, with their levels "
                   "carried over. Fill in the levels and referrals for the quarter."),
            html.Div(className="upload-template-choices", children=[
                html.Div([html.Label("AHSN", htmlFor="upload-template-ahsn"),
                          dcc.Dropdown(id="upload-template-ahsn", options=allowed, value=allowed[0],
                                       clearable=False)]),
                html.Div([html.Label("Quarter", htmlFor="upload-template-quarter"),
                          dcc.Dropdown(id="upload-template-quarter", options=quarters,
                                       value=quarters[-1], clearable=False)]),
                html.A("Download the blank template (CSV)", id="upload-template-link",
                       className="upload-button", href=_template_href(allowed[0], quarters[-1])),
            ]),
        ]),
        html.Section(className="upload-step", children=[
            html.H2("2. Upload the filled-in file"),
            html.P(f"A CSV or Excel (.xlsx) file of at most "
                   f"{limit // 1024:,} KB. It is checked at once; "
                   "nothing is stored until you confirm."),
            dcc.Upload(id="upload-file", className="upload-drop", multiple=False,
                       accept=".csv,.xlsx,text/csv", max_size=limit,
                       children=html.Div(["Drag the file here, or ",
                                          html.Span("choose a file", className="upload-link")])),
            # filled in by assets/upload_size.js when a file is too large to send
            html.P(id="upload-size-note", className="upload-panel upload-panel-error", role="alert", hidden=True,
                   **{"data-max-bytes": str(limit)}),
            dcc.Loading(html.Div(id="upload-result", **{"aria-live": "polite"})),
        ]),
    ])


def _template_quarters() -> list[str]:
    """The loaded quarters and the one after the latest (the return usually being made)."""
    ctx = services()
    loaded = [Quarter.from_index(int(i)) for i in queries.loaded_quarters(ctx.db, ctx.programme)["quarter_index"]]
    if loaded:
        loaded.append(loaded[-1] + 1)
    return [q.label for q in loaded[-6:]] or [Quarter.containing(dt.date.today()).label]


def _template_href(ahsn: str, quarter: str) -> str:
    return "/upload/template?" + urlencode({"ahsn": ahsn, "quarter": quarter})


@callback(Output("upload-template-link", "href"),
          Input("upload-template-ahsn", "value"), Input("upload-template-quarter", "value"))
def template_link(ahsn, quarter):
    return _template_href(ahsn, quarter)


def _stored_panel(stored: str | None, user) -> html.Div | None:
    if not stored or not stored.isdigit():
        return None
    event = services().store.submission(int(stored))
    if event is None or not user.may_act_on(event.ahsns):
        return None
    returns = ", ".join(f"{r.ahsn} {r.quarter} ({r.trust_rows} trusts)" for r in event.returns)
    return html.Div(className="upload-panel upload-panel-success", role="status", children=[
        html.H2(["✓ Stored: submission ", str(event.id)]),
        html.P([f"{event.file_name}: {returns}, with {len(event.warnings)} warning(s). "
                "Every page of the dashboard shows it now. ",
                html.A("See the national table", href="/"), " or ",
                html.A("the history of your returns", href="/history"), "."]),
    ])


@callback(Output("upload-result", "children"),
          Input("upload-file", "contents"), State("upload-file", "filename"),
          prevent_initial_call=True)
def check_file(contents, filename):
    """Validate the dropped file (storing nothing) and show its problems or a preview."""
    user = current_user()  # checked again here: the callback is a request of its own
    if user is None:
        return _panel("error", "You are signed out", [html.P([
            "Your session has ended. ", html.A("Sign in", href="/signin?next=/upload"), " again."])])
    name = (filename or "return.csv").replace("/", "_").replace("\\", "_")[:200]
    try:
        content = base64.b64decode((contents or "").partition(",")[2], validate=True)
    except (binascii.Error, ValueError):
        return _panel("error", "The file could not be read", [html.P("Choose the file again.")])
    ctx = services()
    programme = ctx.programme
    results = ctx.store.check([(name, content)], programme)
    problems = [p for r in results for p in r.problems]
    if problems:
        return _problems(name, problems)
    why = uploads.not_permitted(user, results)
    if why:
        return _panel("error", "You may not upload this file", [html.P(why)])
    token = uploads.save_pending(user, name, content)
    return _preview(name, results, programme, token)


def _panel(kind: str, title: str, children: list) -> html.Div:
    mark = {"error": "✗", "warning": "!", "success": "✓"}[kind]  # a second cue besides colour
    return html.Div(className=f"upload-panel upload-panel-{kind}",
                    role="alert" if kind == "error" else "status",
                    children=[html.H3(f"{mark} {title}"), *children])


def _table(caption: str, headers: list[str], rows: list[list], class_name: str = "") -> html.Div:
    """A table in a box of its own that scrolls sideways on a narrow screen."""
    return html.Div(className="table-wrap", role="region", tabIndex=0, **{"aria-label": caption}, children=html.Table(
        className=f"upload-table {class_name}".strip(), children=[
            html.Caption(caption),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in headers])),
            html.Tbody([html.Tr([html.Td("—" if c is None or c == "" else str(c)) for c in r]) for r in rows]),
        ]))


def _problem_rows(problems: list[Problem]) -> list[list]:
    return [[p.row, p.column, p.message, p.fix] for p in problems]


def _problems(name: str, problems: list[Problem]) -> html.Div:
    return _panel("error", f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {name}: "
                           "nothing was stored", [
        html.P("Fix each one in your spreadsheet, save it, and upload it again. "
               "Row numbers are the ones your spreadsheet shows (the header is row 1)."),
        _table(f"Problems in {name}", ["Row", "Column", "What is wrong", "How to fix it"],
               _problem_rows(problems), "upload-problems"),
    ])


def _preview(name: str, results, programme, token: str) -> html.Div:
    changes = uploads.changes(services().db, results, programme)
    warnings = [w for r in results for w in r.warnings]
    frame = results[0].frame()
    rows = [[r["row"], r["quarter"], r["ahsn"], r["trust_code"], r["trust_name"],
             r["trust_type"].replace("_", " "), r["adoption_level"],
             _count(r["referrals_made"]), _count(r["referrals_completed"])]
            for r in frame.head(PREVIEW_ROWS).to_dict("records")]
    what = ", ".join(f"{c.ahsn} {c.quarter}" for c in changes)
    return html.Div(children=[
        _panel("success", f"{name} passed the checks: {len(frame)} trust rows for {what}", [
            html.P(["Nothing has been stored yet. Check the preview, then ",
                    html.Strong("store the return"), " at the bottom of this page."]),
        ]),
        _table("What storing this file will change",
               ["AHSN", "Quarter", "Trust rows", "Adoption rate now", "After storing", "Replaces"],
               [[c.ahsn, c.quarter, c.rows, c.before, c.after, c.replaces] for c in changes],
               "upload-changes"),
        _panel("warning", f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}", [
            html.P("Warnings do not stop the return being stored; check each is what you meant."),
            _table("Warnings", ["Row", "Column", "What to check", "What to do"],
                   _problem_rows(warnings), "upload-warnings"),
        ]) if warnings else html.P("No warnings.", className="upload-no-warnings"),
        _table(f"The rows of {name}" + (f" (first {PREVIEW_ROWS})" if len(frame) > PREVIEW_ROWS else ""),
               ["Row", "Quarter", "AHSN", "Trust code", "Trust name", "Trust type", "Level",
                "Referrals made", "Referrals completed"], rows, "upload-rows"),
        html.Form(action="/upload/commit", method="POST", className="upload-confirm", children=[
            dcc.Input(type="hidden", name="csrf_token", value=csrf_token(), id="upload-csrf"),
            dcc.Input(type="hidden", name="token", value=token, id="upload-token"),
            dcc.Input(type="hidden", name="from_page", value="1", id="upload-from-page"),
            html.Button(f"Store the return for {what}", type="submit", id="upload-confirm",
                        className="upload-button upload-button-primary"),
            html.Span(" The file is checked once more as it is stored.", className="upload-hint"),
        ]),
    ])


def _count(value) -> str:
    return "" if value is None or value != value or str(value) == "<NA>" else f"{int(value):,}"
