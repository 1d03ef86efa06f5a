"""/upload: get the template, drop the file, see every problem or a preview, confirm.

The check runs the same validation as `python -m etl load` (Store.check) and stores nothing.
A file that passes waits in the store folder under a random token; the confirm button posts
that token to POST /upload/commit (dashboard/endpoints/uploads.py), which checks the user and
the file again on the server and stores it with Store.commit. Everything from the file is
rendered as text by Dash components: markup in a trust name shows as written.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlencode

import dash
from dash import Input, Output, State, callback, dcc, html

from dashboard.addresses import here, signin_address
from dashboard.context import services
from dashboard.presentation import checked_file as checked
from dashboard.presentation import updating, uploading
from dashboard.security.auth import current_user
from dashboard.security.reading_slots import ReadingRefused
from etl import ahsns, collection, queries, statuses, words
from etl.permissions import Action, ahsns_for, allowed, allowed_for_all
from etl.quarters import Quarter
from etl.reading.kinds import clean_file_name

dash.register_page(
    __name__, path="/upload", name="Upload a return", title="Upload a return", nav_order=10, nav_label="Upload"
)


def layout(stored: str | None = None, **_query) -> html.Div:
    user = current_user()
    programme = services().programme
    if user is None:
        return html.Div(
            className="upload-page",
            children=[
                html.H1("Upload a quarterly return"),
                html.P(
                    [
                        "Each AHSN uploads its return here. ",
                        html.A("Sign in", href=signin_address("/upload")),
                        " with the account the national team gave you to upload.",
                    ]
                ),
            ],
        )
    mine = ahsns_for(user, Action.SUBMIT)
    quarters = _template_quarters()
    first_quarter = _quarter_to_return(mine[0])
    limit = services().settings.max_upload_bytes
    return html.Div(
        className="upload-page",
        children=[
            html.H1("Upload a quarterly return"),
            _stored_panel(stored, user),
            html.Section(
                className="upload-step",
                children=[
                    html.H2("1. Get the template"),
                    html.P(
                        f"The template lists the {programme.organisations} of the AHSN's last return, with their levels "
                        f"carried over. Fill in the levels and {_counts(programme)} for the quarter."
                    ),
                    _clock_note(),
                    html.Div(
                        className="upload-template-choices",
                        children=[
                            html.Div(
                                [
                                    html.Label("AHSN", htmlFor="upload-template-ahsn"),
                                    dcc.Dropdown(
                                        id="upload-template-ahsn", options=mine, value=mine[0], clearable=False
                                    ),
                                ]
                            ),
                            html.Div(
                                [
                                    html.Label("Quarter", htmlFor="upload-template-quarter"),
                                    dcc.Dropdown(
                                        id="upload-template-quarter",
                                        options=quarters,
                                        value=first_quarter,
                                        clearable=False,
                                    ),
                                ]
                            ),
                            html.A(
                                "Download the template (Excel)",
                                id="upload-template-xlsx",
                                className="upload-button",
                                href=_template_href(mine[0], first_quarter, "xlsx"),
                            ),
                            html.A(
                                "Download the template (CSV)",
                                id="upload-template-link",
                                className="upload-button",
                                href=_template_href(mine[0], first_quarter),
                            ),
                        ],
                    ),
                    html.P(
                        f"The Excel template has drop-down lists for the level and the {programme.organisation} type, and a "
                        "second sheet explaining each column.",
                        className="upload-hint",
                    ),
                ],
            ),
            html.Section(
                className="upload-step",
                children=[
                    html.H2("2. Upload the filled-in file"),
                    html.P(
                        f"An Excel (.xlsx or .xls), OpenDocument (.ods) or CSV file of at most "
                        f"{limit // 1024:,} KB. It is checked at once, and the preview shows how every "
                        "value was read; nothing is stored until you confirm."
                    ),
                    # No `accept`: dcc.Upload drops a file it does not accept without a word, so every
                    # file is sent and the check says what it is and what to do instead.
                    dcc.Upload(
                        id="upload-file",
                        className="upload-drop",
                        multiple=False,
                        max_size=limit,
                        children=html.Div(
                            ["Drag the file here, or ", html.Span("choose a file", className="upload-link")]
                        ),
                    ),
                    # filled in by assets/upload_size.js when a file is too large to send
                    html.P(
                        id="upload-size-note",
                        className="upload-panel upload-panel-error",
                        role="alert",
                        hidden=True,
                        **{"data-max-bytes": str(limit)},
                    ),
                    dcc.Loading(html.Div(id="upload-result", **{"aria-live": "polite"})),
                ],
            ),
        ],
    )


def _clock_note() -> html.P | None:
    """Says so while due dates are counted on the demo's day, not today (etl/collection.py)."""
    ctx = services()
    note = collection.clock(ctx.db, ctx.programme).note
    return html.P(note, className="note", id="upload-clock") if note else None


def _template_quarters() -> list[dict]:
    """The open quarters and the latest published ones, newest first, each saying which it is
    (a return for a published quarter is a revision)."""
    ctx = services()
    today = collection.clock(ctx.db, ctx.programme).today
    statuses = collection.statuses(ctx.db, ctx.programme, today)
    shown = collection.open_quarters(statuses) + collection.published(statuses)[-4:]
    if not shown:
        return [{"label": Quarter.containing(today).label, "value": Quarter.containing(today).label}]
    return [
        {
            "label": (
                f"{s.quarter.label} (published: a revision)"
                if s.is_published
                else f"{s.quarter.label} (open, {s.due_text(today)})"
            ),
            "value": s.quarter.label,
        }
        for s in sorted(shown, key=lambda s: s.quarter, reverse=True)
    ]


def _quarter_to_return(ahsn: str) -> str:
    """The AHSN's earliest open quarter without its return: the return to make next."""
    ctx = services()
    today = collection.clock(ctx.db, ctx.programme).today
    statuses = collection.statuses(ctx.db, ctx.programme, today)
    returned = {
        Quarter.from_index(int(i)) for i in queries.ahsn_rates(ctx.db, ctx.programme, ahsn=ahsn)["quarter_index"]
    }
    quarter = collection.earliest_open_without(statuses, returned)
    if quarter is None:
        quarter = statuses[-1].quarter + 1 if statuses else Quarter.containing(today)
    return quarter.label


def _template_href(ahsn: str, quarter: str, kind: str = "csv") -> str:
    query = {"ahsn": ahsn, "quarter": quarter, **({"format": kind} if kind != "csv" else {})}
    return "/upload/template?" + urlencode(query)


@callback(Output("upload-template-quarter", "value"), Input("upload-template-ahsn", "value"), prevent_initial_call=True)
def quarter_for(ahsn: str | None):
    """Another AHSN: its own next return's quarter."""
    user = current_user()
    if not ahsn or not allowed(user, Action.SUBMIT, ahsn=ahsn):
        return dash.no_update
    return _quarter_to_return(ahsn)


@callback(
    Output("upload-template-link", "href"),
    Output("upload-template-xlsx", "href"),
    Input("upload-template-ahsn", "value"),
    Input("upload-template-quarter", "value"),
)
def template_link(ahsn: str | None, quarter: str | None):
    return _template_href(ahsn, quarter), _template_href(ahsn, quarter, "xlsx")


def _stored_panel(stored: str | None, user) -> html.Div | None:
    if not stored or not stored.isdigit():
        return None
    event = services().store.submission(int(stored))
    if event is None or not allowed_for_all(user, Action.SUBMIT, event.ahsns):
        return None
    ctx = services()
    returns = ", ".join(
        f"{r.ahsn} {r.quarter} ({words.plural(r.trust_rows, ctx.programme.organisation, ctx.programme.organisations)})"
        for r in event.returns
    )
    published = uploading.published_quarters(ctx.db, ctx.programme)
    revisions = sorted({r.quarter for r in event.returns if r.quarter in published})
    waiting = (
        html.P(
            [
                html.Strong("Waiting for approval: "),
                f"{' and '.join(revisions)} {'is' if len(revisions) == 1 else 'are'} published, so this return is "
                "a revision. The published figures stay as they are until the national team approves it; "
                "you will see it in the history meanwhile.",
            ],
            id="upload-revision-note",
        )
        if revisions
        else None
    )
    return html.Div(
        className="upload-panel upload-panel-success",
        role="status",
        children=[
            html.H2(["✓ Stored: submission ", str(event.id)]),
            html.P(f"{event.file_name}: {returns}, with {len(event.warnings)} warning(s)."),
            waiting,
            # Until every page shows it: the figures are made current after the file is stored.
            *updating.watch(
                "upload", not updating.shows(event.id), _figures_state(event.id), **{"data-submission": str(event.id)}
            ),
        ],
    )


def _figures_state(submission_id: int) -> list:
    """Where the stored submission stands, in the words of etl.statuses: a return to an open
    quarter is current at once; a revision waits for approval and changes no figure until then."""
    if not updating.shows(submission_id):
        return [
            "The figures are being updated: this page will say when every page of the dashboard "
            "shows it (usually within a few seconds)."
        ]
    ctx = services()
    history = queries.submissions(ctx.db, ctx.programme)
    mine = history[history["submission_id"] == submission_id]
    said = {f"{r['ahsn']} {r['quarter']}": statuses.of_row(r) for _, r in mine.iterrows()}
    current = [k for k, s in said.items() if s.is_current]
    waiting = [k for k, s in said.items() if s.words == statuses.WAITING]
    history_link = html.A("the history of your returns", href=here("/history"))
    if waiting and not current:
        return [
            f"Stored, {statuses.WAITING}: no figure changes until the national team approves it. ",
            "It is listed in ",
            history_link,
            ".",
        ]
    published = uploading.published_quarters(ctx.db, ctx.programme)
    open_ = [k for k in current if k.split(" ", 1)[1] not in published]
    return [
        f"{', '.join(current)}: {statuses.CURRENT} now"
        + (
            ", among the provisional figures (\u201cInclude provisional figures\u201d) until the national team "
            "signs the quarter off"
            if open_
            else ""
        )
        + (f"; {', '.join(waiting)}: {statuses.WAITING}" if waiting else "")
        + ". ",
        html.A("See the national table", href=here("/?provisional=1" if open_ else "/")),
        " or ",
        history_link,
        ".",
    ]


@callback(
    *updating.state("upload"),
    updating.poll("upload"),
    State("upload-figures-state", "data-submission"),
    prevent_initial_call=True,
)
def figures_state(_n: int | None, submission: str | None):
    """Once the database holding the submission is current, every worker serves it."""
    submission_id = int(submission) if submission and submission.isdigit() else 0
    return _figures_state(submission_id), updating.shows(submission_id)


@callback(
    Output("upload-result", "children"),
    Input("upload-file", "contents"),
    State("upload-file", "filename"),
    prevent_initial_call=True,
)
def check_file(contents, filename):
    """Validate the dropped file (storing nothing) and show its problems or a preview."""
    user = current_user()  # checked again here: the callback is a request of its own
    if user is None:
        return checked.panel(
            "error",
            "You are signed out",
            [html.P(["Your session has ended. ", html.A("Sign in", href=signin_address("/upload")), " again."])],
        )
    name = clean_file_name(filename or "return.csv")  # no path, control or bidi characters; capped
    try:
        content = base64.b64decode((contents or "").partition(",")[2], validate=True)
    except (binascii.Error, ValueError):
        return checked.panel("error", "The file could not be read", [html.P("Choose the file again.")])
    ctx = services()
    programme = ctx.programme
    try:
        with ctx.reading.reading(user.name):  # one file per user, a few at once
            results = ctx.store.check([(name, content)], programme)
    except ReadingRefused as busy:
        return checked.panel("error", "Not read yet", [html.P(str(busy))])
    problems = [p for r in results for p in r.problems]
    if problems:
        panel = checked.problems_panel(name, problems, results[0].interpretations)
        if user.ahsn and any(p.column == "ahsn" for p in problems):
            own = ahsns.resolve(user.ahsn)
            panel.children.insert(
                2,
                html.P(
                    f"Your AHSN, {own.short_name}, may be written {', '.join(ahsns.names_of(own)[:-1])} "
                    f"or {ahsns.names_of(own)[-1]} (any case; with or without 'AHSN' or 'Health Innovation').",
                    className="upload-own-names",
                ),
            )
        return panel
    why = uploading.not_permitted(user, results)
    if why:
        return checked.panel("error", "You may not upload this file", [html.P(why)])
    token = services().pending.save(user.name, name, content)
    return uploading.preview(name, results, programme, token)


def _counts(programme) -> str:
    """What a return counts, in a sentence: 'referrals' (the measures' nouns, each once)."""
    nouns = list(dict.fromkeys(m.noun or m.words for m in programme.measures))
    return " and ".join(nouns) if nouns else "nothing more"
