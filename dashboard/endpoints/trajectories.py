"""Setting trajectories (each AHSN's stepped local targets), and their files.

    POST /trajectories/commit           store a checked file: a new version of the trajectory of
                                        each AHSN it holds (a preview token, or a file), with why
    GET  /trajectories/file.csv         every AHSN's trajectory now, in the file format, to edit
                                        and load again (?ahsn= one AHSN's)
    GET  /trajectories/<id>/original    a version's file exactly as it was uploaded (signed in)

A national administrator may set any AHSN's trajectory; an AHSN's own submitter may set its
trajectory when the programme allows it (etl/permissions.py decides, from etl/programmes.py
`submitters_set_trajectories`). Checked on every request, and again inside the store's write
lock; the page's buttons are only a convenience. The file is read once, outside the lock, and
what it changes checked again under it, by the same code as `python -m etl trajectory load`.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request

from dashboard.context import services
from dashboard.endpoints.attachments import attachment, original
from dashboard.endpoints.forms import done, posted_file, reason, source
from dashboard.endpoints.refusals import status_of, wants_page
from dashboard.security.auth import csrf_protected, current_user, require, signed_in
from etl import ahsns, queries
from etl.errors import Refusal
from etl.events import SetTrajectory
from etl.permissions import Action, ahsns_for, allowed, who_may
from etl.problems import ReturnRejected
from etl.quarters import Quarter
from etl.templates import trajectory_csv

blueprint = Blueprint("trajectories", __name__)


def _version_event(event_id: int) -> SetTrajectory:
    event = services().store.event(event_id)
    if not isinstance(event, SetTrajectory):
        abort(404, f"There is no trajectory version {event_id}.")
    return event


@blueprint.post("/trajectories/commit")
@signed_in
@csrf_protected
def commit_trajectory():
    user, ctx = current_user(), services()
    if not ahsns_for(user, Action.SET_TRAJECTORY, ctx.programme):
        abort(
            403,
            f"Trajectories are set by {who_may(Action.SET_TRAJECTORY, ctx.programme)} (you are a {user.description}).",
        )
    why = reason(missing="Say why, in a few words: the reason is kept with the trajectory and shown beside it.")
    token, name, content = posted_file(user.name, "trajectory", "trajectory.csv")
    # read here, outside the store's lock, one file per user and a few at once (ReadingRefused)
    with ctx.reading.reading(user.name):
        parsed = ctx.store.read_trajectory(name, content, ctx.programme)
    try:
        events = ctx.store.set_trajectory(
            name,
            content,
            ctx.programme,
            why,
            parsed=parsed,
            user=user,
            source=source("trajectories page"),
            make_current=False,
        )
    except ReturnRejected as rejected:
        if wants_page():
            abort(
                422,
                f"The trajectory was not stored: {len(rejected.problems)} problem(s) were found when it was "
                "checked again. Upload it again to see them.",
            )
        return jsonify(error="The trajectory was not stored.", problems=[p.as_dict() for p in rejected.problems]), 422
    except Refusal as refused:
        abort(status_of(refused), f"Nothing was stored: {refused}.")
    ctx.make_current.soon()
    if token:
        ctx.pending.drop(token, user.name, "trajectory")
    return done(
        f"/trajectories?stored={events[0].id}",
        stored=[{"event": e.id, "ahsn": e.ahsn, "steps": [list(s[:3]) for s in e.steps]} for e in events],
    )


@blueprint.get("/trajectories/file.csv")
def trajectory_file():
    ctx = services()
    wanted = request.args.get("ahsn")
    found = ahsns.resolve(wanted) if wanted else None
    if wanted and found is None:
        abort(404, "Choose one of the 15 AHSNs.")
    order = [found.short_name] if found else [a.short_name for a in ahsns.all_ahsns()]
    text = trajectory_csv(ctx.store.trajectory_versions(ctx.programme), order, _latest_quarter())
    stem = f"{ctx.programme.code}-trajectories" + (f"-{found.slug}" if found else "")
    return attachment(text, f"{stem}.csv", "text/csv")


@blueprint.get("/trajectories/<int:event_id>/original")
def trajectory_original(event_id: int):
    user = require(Action.SEE_ORIGINALS)
    event = _version_event(event_id)
    if not allowed(user, Action.SEE_ORIGINALS, ahsn=event.ahsn):
        abort(403, f"This file set {event.ahsn}'s trajectory (you are a {user.description}).")
    return original(
        services().store.original_bytes(event), event.stored_as, f"trajectory-{event_id}", event.file_name, "trajectory"
    )


def _latest_quarter() -> Quarter | None:
    """The latest quarter with a return: the example file's steps start after it."""
    ctx = services()
    index = queries.store_status(ctx.db, ctx.programme).latest_quarter_index
    return Quarter.from_index(index) if index is not None else None
