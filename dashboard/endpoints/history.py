"""What was stored, and putting it right: the history page's endpoints.

    POST /history/<id>/restore      make an earlier submission current again
    POST /history/<id>/quarantine   leave a submission out of every figure (national team)
    POST /history/<id>/release      take it back into the figures (national team)
    GET  /history/<id>/counted.csv  the rows the figures hold from a submission, as a CSV safe to
                                    open (every cell neutralised)
    GET  /history/<id>/original     the file exactly as it was uploaded: the record of what was
                                    sent, which may hold formulas, links or hidden sheets

Each checks the user on every request (etl/permissions.py, for every AHSN the submission
holds); the page's buttons are only a convenience. Nothing is ever deleted: a restore, a
quarantine and a release are events of their own.
"""

from __future__ import annotations

import csv
import io
import os

from flask import Blueprint, abort
from werkzeug.utils import secure_filename

from dashboard.context import services
from dashboard.endpoints.attachments import attachment, original
from dashboard.endpoints.forms import done, reason, source
from dashboard.endpoints.refusals import store_refusals
from dashboard.presentation.uploading import published_quarters
from dashboard.security.auth import csrf_protected, current_user, require, signed_in, submission_for
from etl import queries
from etl.permissions import Action
from etl.rows import DATABASE_COLUMNS
from etl.templates import neutralise

blueprint = Blueprint("history", __name__)
COUNTED_COLUMNS = [c for c in DATABASE_COLUMNS if c != "quarter_index"]  # a kept row, as the figures hold it


def counted_csv(rows) -> str:
    """The rows as the figures hold them, every cell neutralised: safe to open in a
    spreadsheet whatever the uploaded file held. `row` is the row in the file as sent."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # Excel's own line ending
    writer.writerow(COUNTED_COLUMNS)
    for r in rows.to_dict("records"):
        writer.writerow([neutralise("" if _missing(r[c]) else r[c]) for c in COUNTED_COLUMNS])
    return out.getvalue()


def _missing(value) -> bool:
    return value is None or value != value or str(value) == "<NA>"


@blueprint.post("/history/<int:submission_id>/restore")
@signed_in
@csrf_protected
def restore(submission_id: int):
    submission = submission_for(current_user(), submission_id, Action.RESTORE, "change")
    ctx = services()
    published = published_quarters(ctx.db, ctx.programme)
    waiting = [list(r) for r in submission.returns if r.quarter in published]
    with store_refusals("restored"):  # e.g. quarantined: release it first
        event = ctx.store.restore(submission_id, user=current_user(), source=source("history page"), make_current=False)
    ctx.make_current.soon()
    page = f"/history?revision={event.id}&of={submission_id}" if waiting else f"/history?restored={submission_id}"
    return done(page, restored=submission_id, revision=event.id if waiting else None, waiting_for_approval=waiting)


@blueprint.get("/history/<int:submission_id>/counted.csv")
def counted(submission_id: int):
    user = require(Action.SEE_ORIGINALS)
    submission = submission_for(user, submission_id, Action.SEE_ORIGINALS, "see")
    ctx = services()
    rows = queries.submission_rows(ctx.db, ctx.programme, submission.id)
    if not len(rows):
        abort(
            404,
            f"The figures being served hold no rows from submission {submission_id}. "
            "If it was stored a moment ago, try again in a minute.",
        )
    stem = secure_filename(os.path.splitext(submission.file_name)[0]) or "return"
    return attachment(
        counted_csv(rows), f"submission-{submission_id}-{stem}-as-counted.csv", "text/csv", cache="no-store"
    )


def _set_aside(submission_id: int, action: str):
    """Quarantine or release: national administrators only, with a reason."""
    user = require(Action.QUARANTINE)
    submission_for(user, submission_id, Action.QUARANTINE, "change")
    why = reason(missing="Say why, in a few words: the reason is kept with the submission.")
    ctx = services()
    change = ctx.store.quarantine if action == "quarantine" else ctx.store.release
    with store_refusals("changed"):  # already quarantined, or not quarantined
        change(submission_id, why, user=user, source=source("history page"), make_current=False)
    ctx.make_current.soon()
    return done(f"/history?{action}d={submission_id}", **{f"{action}d": submission_id})


@blueprint.post("/history/<int:submission_id>/quarantine")
@signed_in
@csrf_protected
def quarantine(submission_id: int):
    return _set_aside(submission_id, "quarantine")


@blueprint.post("/history/<int:submission_id>/release")
@signed_in
@csrf_protected
def release(submission_id: int):
    return _set_aside(submission_id, "release")


@blueprint.get("/history/<int:submission_id>/original")
def original_file(submission_id: int):
    user = require(Action.SEE_ORIGINALS)
    submission = submission_for(user, submission_id, Action.SEE_ORIGINALS, "see")
    return original(
        services().store.original_bytes(submission),
        submission.stored_as,
        f"submission-{submission_id}",
        submission.file_name,
        "return",
    )
