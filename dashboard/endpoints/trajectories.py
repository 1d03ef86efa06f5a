"""The server side of setting trajectories (each AHSN's stepped local targets), and who may.

    POST /trajectories/commit           store a checked file: a new version of the trajectory of
                                        each AHSN it holds (a pending preview token, or a file), with why
    GET  /trajectories/file.csv         every AHSN's trajectory now, in the file format, to edit
                                        and load again (?ahsn= one AHSN's)
    GET  /trajectories/<id>/original    a version's file exactly as it was uploaded (signed in)

A national administrator may set any AHSN's trajectory; an AHSN's own submitter may set its
trajectory when the programme allows it (etl/permissions.py decides, from etl/programmes.py
`submitters_set_trajectories`). Checked on every request, and again inside the store's write
lock; the page's buttons are only a convenience. The file is read once, outside the lock, and
what it changes checked again under it, by the same code as `python -m etl trajectory load`
(Store.set_trajectory).
"""

from __future__ import annotations

import os

from flask import Flask, Response, jsonify, redirect, request
from werkzeug.utils import secure_filename

from dashboard.auth import Refused, csrf_protected, current_user, require, signed_in, status_of, wants_page
from dashboard.context import services
from dashboard.uploads import ORIGINAL_TYPES
from etl import ahsns, queries
from etl.errors import Refusal
from etl.events import SetTrajectory
from etl.permissions import Action, ahsns_for, allowed, who_may
from etl.problems import ReturnRejected
from etl.quarters import Quarter
from etl.templates import trajectory_csv
from etl.users import User


def pending_key(user: User) -> str:
    """The user's preview of a trajectory is kept apart from their preview of a return (a name
    with a space is no user's: names are letters, digits and . _ - @)."""
    return f"{user.name} trajectory"


def _version_event(event_id: int) -> SetTrajectory:
    event = services().store.event(event_id)
    if not isinstance(event, SetTrajectory):
        raise Refused(404, f"There is no trajectory version {event_id}.")
    return event


def register(server: Flask) -> None:
    @server.post("/trajectories/commit")
    @signed_in
    @csrf_protected
    def commit_trajectory():
        user, ctx = current_user(), services()
        if not ahsns_for(user, Action.SET_TRAJECTORY, ctx.programme):
            raise Refused(403, f"Trajectories are set by {who_may(Action.SET_TRAJECTORY, ctx.programme)} "
                               f"(you are a {user.description}).")
        reason = " ".join((request.form.get("reason") or "").split())[:500]
        if not reason:
            raise Refused(400, "Say why, in a few words: the reason is kept with the trajectory and shown beside it.")
        token = request.form.get("token", "")
        if token:
            pending = ctx.pending.load(token, pending_key(user))
            if pending is None:
                raise Refused(404, "That preview has expired or is not yours. Upload the file again.")
            name, content = pending
        elif "file" in request.files:
            upload = request.files["file"]
            name, content = secure_filename(upload.filename or "") or "trajectory.csv", upload.read()
        else:
            raise Refused(400, "No file was sent.")
        try:
            events = ctx.store.set_trajectory(name, content, ctx.programme, reason, user=user,
                                              source=f"trajectories page ({request.remote_addr})", make_current=False)
        except ReturnRejected as rejected:
            if wants_page():
                raise Refused(422, f"The trajectory was not stored: {len(rejected.problems)} problem(s) were found "
                                   "when it was checked again. Upload it again to see them.") from None
            return jsonify(error="The trajectory was not stored.",
                           problems=[p.as_dict() for p in rejected.problems]), 422
        except Refusal as refused:
            raise Refused(status_of(refused), f"Nothing was stored: {refused}.") from None
        ctx.publisher.publish_soon()
        if token:
            ctx.pending.drop(token, pending_key(user))
        if wants_page():
            return redirect(f"/trajectories?stored={events[0].id}", code=303)
        return jsonify(stored=[{"event": e.id, "ahsn": e.ahsn, "steps": [list(s[:3]) for s in e.steps]}
                               for e in events])

    @server.get("/trajectories/file.csv")
    def trajectory_file():
        ctx = services()
        wanted = request.args.get("ahsn")
        found = ahsns.resolve(wanted) if wanted else None
        if wanted and found is None:
            raise Refused(404, "Choose one of the 15 AHSNs.")
        order = [found.short_name] if found else [a.short_name for a in ahsns.all_ahsns()]
        text = trajectory_csv(ctx.store.trajectory_versions(ctx.programme), order, _latest_quarter())
        stem = f"{ctx.programme.code}-trajectories" + (f"-{found.slug}" if found else "")
        return Response("\ufeff" + text, mimetype="text/csv",  # BOM: Excel reads it as UTF-8
                        headers={"Content-Disposition": f'attachment; filename="{stem}.csv"',
                                 "Cache-Control": "no-cache"})

    @server.get("/trajectories/<int:event_id>/original")
    def trajectory_original(event_id: int):
        user = require(Action.SEE_ORIGINALS)
        event = _version_event(event_id)
        if not allowed(user, Action.SEE_ORIGINALS, ahsn=event.ahsn):
            raise Refused(403, f"This file set {event.ahsn}'s trajectory (you are a {user.description}).")
        suffix = os.path.splitext(event.stored_as)[1]
        stem = secure_filename(os.path.splitext(event.file_name)[0]) or "trajectory"
        # The bytes as uploaded, as an attachment: never shown in the browser, whatever they hold.
        return Response((services().store.root / event.stored_as).read_bytes(),
                        mimetype=ORIGINAL_TYPES.get(suffix, "application/octet-stream"),
                        headers={"Content-Disposition": f'attachment; filename="trajectory-{event_id}-{stem}{suffix}"',
                                 "Cache-Control": "no-store"})


def _latest_quarter() -> Quarter | None:
    """The latest quarter with a return: the example file's steps start after it."""
    ctx = services()
    index = queries.store_status(ctx.db, ctx.programme).latest_quarter_index
    return Quarter.from_index(index) if index is not None else None
