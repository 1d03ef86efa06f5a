"""The Pathways page's downloads, and recording each AHSN's spread conditions.

    GET  /pathways/analysis.json              the whole analysis the page shows, as one JSON
                                              object (the same choices in the query)
    GET  /pathways/<table>.csv                one of its tables: raw, necessity, truth-table, solutions
    GET  /pathways/conditions/file.csv        every AHSN and condition, as recorded now, to fill in
    POST /pathways/conditions/commit          store a checked file: a new version of the conditions
                                              of each AHSN it holds (a preview token, or a file), with why
    POST /pathways/conditions/restore         make an earlier version of an AHSN's conditions current
    GET  /pathways/conditions/<id>/original   a version's file exactly as it was uploaded

Only the national team records conditions (etl/permissions.py, SET_CONDITIONS): checked on
every request, and again by the store.
"""

from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, abort, jsonify, request

from dashboard.context import services
from dashboard.endpoints.attachments import attachment, original
from dashboard.endpoints.forms import done, posted_file, reason, source
from dashboard.endpoints.refusals import status_of, wants_page
from dashboard.presentation.pathways import TABLES, analysis_for, table_rows
from dashboard.security.auth import csrf_protected, current_user, require, signed_in
from etl import ahsns
from etl.errors import Refusal
from etl.events import SetConditions
from etl.pathways.conditions_file import template_rows
from etl.pathways.output import as_json
from etl.permissions import Action, allowed, who_may
from etl.problems import ReturnRejected
from etl.templates import neutralise

blueprint = Blueprint("pathways", __name__)


def _analysis():
    view, analysis, live, why_none = analysis_for(request.args.to_dict())
    if analysis is None:
        abort(404, why_none or "There is nothing to analyse.")
    return view, analysis, live


def _csv(rows: list[list]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([[neutralise(v) for v in row] for row in rows])
    return out.getvalue()


@blueprint.get("/pathways/analysis.json")
def analysis_json():
    view, analysis, live = _analysis()
    body = {**as_json(analysis), "case_set": view.cases, "programme": view.programme}
    if live is not None:
        body.update(
            quarter=live.quarter,
            target_percent=live.target_percent,
            left_out=[{"ahsn": a, "why": why} for a, why in live.left_out],
            illustrative=live.illustrative,
        )
    text = json.dumps(body, indent=1, ensure_ascii=False)
    return attachment(text, f"{view.programme}-pathways.json", "application/json")


@blueprint.get("/pathways/<any(raw, necessity, 'truth-table', solutions):table>.csv")
def analysis_csv(table: str):
    view, analysis, _ = _analysis()
    assert table in TABLES
    return attachment(_csv(table_rows(analysis, table)), f"{view.programme}-pathways-{table}.csv", "text/csv")


@blueprint.get("/pathways/conditions/file.csv")
def conditions_file():
    ctx = services()
    order = [a.short_name for a in ahsns.all_ahsns()]
    rows = template_rows(ctx.programme, ctx.store.condition_versions(ctx.programme), order)
    return attachment(_csv(rows), f"{ctx.programme.code}-conditions.csv", "text/csv")


def _national_only(user) -> None:
    ctx = services()
    if not allowed(user, Action.SET_CONDITIONS, programme=ctx.programme):
        abort(
            403,
            f"Conditions are recorded by {who_may(Action.SET_CONDITIONS, ctx.programme)} (you are a {user.description}).",
        )


@blueprint.post("/pathways/conditions/commit")
@signed_in
@csrf_protected
def commit_conditions():
    user, ctx = current_user(), services()
    _national_only(user)
    why = reason(missing="Say why, in a few words: the reason is kept with the conditions and shown beside them.")
    token, name, content = posted_file(user.name, "conditions", "conditions.csv")
    try:
        events = ctx.store.set_conditions(
            name, content, ctx.programme, why, user=user, source=source("pathways page"), make_current=False
        )
    except ReturnRejected as rejected:
        if wants_page():
            abort(
                422,
                f"The conditions were not stored: {len(rejected.problems)} problem(s) were found when the file "
                "was checked again. Upload it again to see them.",
            )
        return jsonify(error="The conditions were not stored.", problems=[p.as_dict() for p in rejected.problems]), 422
    except Refusal as refused:
        abort(status_of(refused), f"Nothing was stored: {refused}.")
    ctx.make_current.soon()
    if token:
        ctx.pending.drop(token, user.name, "conditions")
    return done(
        f"/pathways?stored={events[0].id}#pathways-conditions-heading",
        stored=[{"event": e.id, "ahsn": e.ahsn} for e in events],
    )


@blueprint.post("/pathways/conditions/restore")
@signed_in
@csrf_protected
def restore_conditions():
    user, ctx = current_user(), services()
    _national_only(user)
    why = reason(missing="Say why, in a few words: the reason is kept with the restored version.")
    version = request.form.get("version", "")
    if not version.isdigit():
        abort(400, "Say which version to restore.")
    try:
        event = ctx.store.restore_conditions(
            ctx.programme,
            request.form.get("ahsn", ""),
            int(version),
            why,
            user=user,
            source=source("pathways page"),
            make_current=False,
        )
    except Refusal as refused:
        abort(status_of(refused), f"Nothing was stored: {refused}.")
    ctx.make_current.soon()
    return done(
        f"/pathways?stored={event.id}#pathways-conditions-heading", stored=[{"event": event.id, "ahsn": event.ahsn}]
    )


@blueprint.get("/pathways/conditions/<int:event_id>/original")
def conditions_original(event_id: int):
    require(Action.SET_CONDITIONS)
    event = services().store.event(event_id)
    if not isinstance(event, SetConditions):
        abort(404, f"There is no conditions version {event_id}.")
    return original(
        services().store.original_bytes(event), event.stored_as, f"conditions-{event_id}", event.file_name, "conditions"
    )
