"""/trajectories: each AHSN's stepped local targets, every version of them, and setting one.

Anyone may read the trajectories and their history (who set each version, when and why). A
national administrator, or an AHSN's own submitter where the programme allows it, may set one:
download the current file, change it, drop it here; it is read by the same code as
`python -m etl trajectory load` (in the reading child), every problem listed with its row and
column, every value read other than as typed shown; nothing is stored until the user confirms
with a reason (POST /trajectories/commit, dashboard/endpoints/trajectories.py, which checks everything
again). Everything from the file is rendered as text.
"""

from __future__ import annotations

import base64
import binascii

import dash
from dash import Input, Output, State, callback, dcc, html

from dashboard.addresses import here, signin_address
from dashboard.context import services
from dashboard.presentation import checked_file as checked
from dashboard.presentation import download_links, updating
from dashboard.presentation.forms import post_form
from dashboard.presentation.trajectory_table import trajectories_table
from dashboard.security.auth import current_user
from dashboard.security.reading_slots import ReadingRefused
from etl import ahsns, queries
from etl.permissions import Action, ahsns_for, allowed, who_may
from etl.reading.kinds import clean_file_name
from etl.trajectories import Change, steps_words

dash.register_page(
    __name__, path="/trajectories", name="Trajectories", title="Trajectories", nav_order=3, nav_label="Trajectories"
)


def layout(stored: str | None = None, **_query) -> html.Div:
    ctx = services()
    programme = ctx.programme
    user = current_user()
    versions = queries.trajectory_versions(ctx.db, programme)
    steps = queries.trajectory_steps(ctx.db, programme)
    return html.Div(
        className="page page-trajectories",
        children=[
            html.H1("Trajectories"),
            html.P(
                [
                    "Each AHSN's own stepped targets for ",
                    html.Strong(programme.short_name),
                    ", agreed with its "
                    "local partners: a target rate by each quarter, lower at the start and rising, as the national "
                    f"review recommended{_beside(programme)}. An AHSN's pages show its "
                    "rate against its trajectory; the national overview can mark every rate against it.",
                ],
                className="lead",
            ),
            html.P(
                "A quarter is judged against the step in force by then. A published quarter stays judged "
                "against the trajectory in force when it was published: a new version applies to the quarters "
                "not yet published, and every earlier version is kept.",
                className="muted",
            ),
            _stored_panel(stored),
            _set_section(user, programme),
            html.H2("Each AHSN's trajectory"),
            html.P(
                "Nothing is ever deleted: a new version is added, and the ones before are listed under it.",
                className="muted",
            ),
            html.Div(trajectories_table(versions, steps, user), id="trajectories-table"),
            download_links.links("every version of every trajectory", "trajectories", "", "trajectories-download"),
        ],
    )


# ---- what is set now, and every version ---------------------------------------------------------


# ---- setting one -----------------------------------------------------------------------------------


def _set_section(user, programme) -> html.Section:
    settable = ahsns_for(user, Action.SET_TRAJECTORY, programme)
    who = who_may(Action.SET_TRAJECTORY, programme)
    if user is None:
        body = [
            html.P(
                [html.A("Sign in", href=signin_address("/trajectories")), f" to set a trajectory: {who} may set one."]
            )
        ]
    elif not settable:
        body = [html.P(f"Trajectories are set by {who}; you are a {user.description}.")]
    else:
        limit = services().settings.max_upload_bytes
        one = settable[0] if len(settable) == 1 else None  # a submitter's own AHSN
        own = f"?ahsn={ahsns.resolve(one).slug}" if one else ""
        body = [
            html.P(
                [
                    "1. ",
                    html.A(
                        "Download the current trajectories" + (f" of {one}" if one else ""),
                        href=here(f"/trajectories/file.csv{own}"),
                        id="trajectory-file-link",
                    ),
                    " (CSV): one row per step, with the columns ahsn, quarter (like Q4 2020/21), target_percent "
                    "(a whole percent) and an optional note. Change the steps in Excel or any spreadsheet. "
                    "A file may hold several AHSNs; each AHSN in it gets a new version, the others stay as they are.",
                ]
            ),
            html.P(
                f"2. Drop the file here (CSV, .xlsx, .xls or .ods, at most {limit // 1024:,} KB). It is checked "
                "at once; nothing is stored until you confirm, with a reason."
            ),
            dcc.Upload(
                id="trajectory-upload",
                className="upload-drop",
                multiple=False,
                max_size=limit,
                children=html.Div(["Drag the file here, or ", html.Span("choose a file", className="upload-link")]),
            ),
            dcc.Loading(html.Div(id="trajectory-result", **{"aria-live": "polite"})),
        ]
    return html.Section(className="upload-step", id="trajectory-set", children=[html.H2("Set a trajectory"), *body])


def _stored_panel(stored: str | None) -> html.Div | None:
    if not stored or not stored.isdigit():
        return None
    # the versions the same file set: one commit
    batch = [e for e in services().store.committed_with(int(stored)) if e.kind == "trajectory"]
    event = next((e for e in batch if e.id == int(stored)), None)
    if event is None:
        return None
    return html.Div(
        className="upload-panel upload-panel-success",
        role="status",
        id="trajectory-stored",
        children=[
            html.H2(f"✓ Stored: a new trajectory for {', '.join(e.ahsn for e in batch)}"),
            html.Ul([html.Li(f"{e.ahsn}: {steps_words(e.steps)}") for e in batch]),
            *updating.watch(
                "trajectory", not updating.shows(event.id), _figures_state(event.id), **{"data-event": str(event.id)}
            ),
        ],
    )


def _figures_state(event_id: int) -> list:
    if updating.shows(event_id):
        return [
            "Every page of the dashboard shows it now: see the table below, or ",
            html.A("the national overview against each AHSN's trajectory", href=here("/?against=trajectory")),
            ".",
        ]
    return [
        "The figures are being updated: this page will say when every page shows the new trajectory "
        "(usually within a few seconds)."
    ]


@callback(
    *updating.state("trajectory"),
    Output("trajectories-table", "children"),
    updating.poll("trajectory"),
    State("trajectory-figures-state", "data-event"),
    prevent_initial_call=True,
)
def figures_state(_n: int | None, event: str | None):
    """Once the database holding the new version is current, say so and show it in the table."""
    event_id = int(event) if event and event.isdigit() else 0
    if not updating.shows(event_id):
        return _figures_state(event_id), False, dash.no_update
    ctx = services()
    table = trajectories_table(
        queries.trajectory_versions(ctx.db, ctx.programme),
        queries.trajectory_steps(ctx.db, ctx.programme),
        current_user(),
    )
    return _figures_state(event_id), True, table


def _published_note(programme) -> str:
    ctx = services()
    published = queries.collection_quarters(ctx.db, programme)
    published = published[published["published_at"].notna()]
    if not len(published):
        return "No quarter is published yet: every quarter will be judged against this version."
    last = published.sort_values("quarter_index").iloc[-1]["quarter"]
    return (
        f"Quarters up to {last} are published: each stays judged against the trajectory in force when it "
        "was published. This version applies to every quarter not yet published."
    )


def _preview(parsed, found: list[Change], programme, token: str) -> html.Div:
    new = [c for c in found if not c.unchanged]
    rows = [
        [
            c.ahsn,
            "unchanged: no new version" if c.unchanged else f"version {c.version}",
            steps_words(c.before.steps) if c.before is not None else "no trajectory yet",
            steps_words(c.steps),
        ]
        for c in found
    ]
    what = ", ".join(c.ahsn for c in new)
    children = [
        checked.panel(
            "success",
            f"{parsed.file_name} passed the checks: a trajectory for {', '.join(c.ahsn for c in found)}",
            [
                html.P(
                    [
                        "Nothing has been stored yet. Check what was read, then ",
                        html.Strong("say why and store it"),
                        " at the bottom of this page.",
                    ]
                ),
                html.P(_published_note(programme), id="trajectory-published-note"),
            ],
        ),
        checked.rows_table(
            "What storing this file will change",
            ["AHSN", "Version", "Steps now", "Steps after storing"],
            rows,
            "trajectory-changes",
        ),
        checked.readings(parsed.interpretations, parsed.file_name),
    ]
    if not new:
        children.append(
            html.P(
                "Every trajectory in the file is the same as now: there is nothing to store.",
                id="trajectory-nothing-new",
            )
        )
        return html.Div(children)
    children.append(
        post_form(
            "/trajectories/commit",
            [
                html.Label("Why this trajectory (kept with it, shown beside it)", htmlFor="trajectory-reason"),
                dcc.Textarea(
                    id="trajectory-reason", name="reason", required=True, maxLength=500, className="trajectory-reason"
                ),
                html.Button(
                    f"Store the trajectory for {what}",
                    type="submit",
                    id="trajectory-confirm",
                    className="upload-button upload-button-primary",
                ),
            ],
            "upload-confirm",
            ids="trajectory",
            token=token,
        )
    )
    return html.Div(children)


@callback(
    Output("trajectory-result", "children"),
    Input("trajectory-upload", "contents"),
    State("trajectory-upload", "filename"),
    prevent_initial_call=True,
)
def check_trajectory(contents: str | None, filename: str | None):
    """Read the dropped file (storing nothing) and show its problems or what it would change."""
    user = current_user()  # checked again here: the callback is a request of its own
    ctx = services()
    if user is None:
        return checked.panel(
            "error",
            "You are signed out",
            [html.P(["Your session has ended. ", html.A("Sign in", href=signin_address("/trajectories")), " again."])],
        )
    if not ahsns_for(user, Action.SET_TRAJECTORY, ctx.programme):
        return checked.panel(
            "error",
            "You may not set trajectories",
            [html.P(f"Trajectories are set by {who_may(Action.SET_TRAJECTORY, ctx.programme)}.")],
        )
    name = clean_file_name(filename or "trajectory.csv")
    try:
        content = base64.b64decode((contents or "").partition(",")[2], validate=True)
    except (binascii.Error, ValueError):
        return checked.panel("error", "The file could not be read", [html.P("Choose the file again.")])
    try:
        with ctx.reading.reading(user.name):  # one file per user, a few at once
            parsed, found = ctx.store.check_trajectory(name, content, ctx.programme)
    except ReadingRefused as busy:
        return checked.panel("error", "Not read yet", [html.P(str(busy))])
    if parsed.problems:
        return checked.problems_panel(parsed.file_name, parsed.problems, parsed.interpretations)
    others = [c.ahsn for c in found if not allowed(user, Action.SET_TRAJECTORY, ahsn=c.ahsn, programme=ctx.programme)]
    if others:
        return checked.panel(
            "error",
            "You may not set every trajectory in this file",
            [
                html.P(
                    f"This file sets the trajectory of {', '.join(others)}. You are a {user.description}, so you may set "
                    f"only {user.ahsn}'s. Remove the other AHSNs' rows, or ask the national team."
                )
            ],
        )
    token = ctx.pending.save(user.name, name, content, "trajectory")
    return _preview(parsed, found, ctx.programme, token)


def _beside(programme) -> str:
    """' beside the flat 50% target', or nothing for a programme without one."""
    return "" if programme.target_percent is None else f" beside the flat {programme.target_percent}% target"
