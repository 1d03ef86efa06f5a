"""Storing a quarterly return, and the blank return to fill in.

    POST /upload/commit     store a checked file (the preview token of the upload page, or a file)
    GET  /upload/template   a return for an AHSN and quarter to fill in (&format=xlsx: Excel): the trusts
                            of its last return for its own submitters and the national team, else blank

The file is read once, here, in the sandboxed reading child, outside the store's lock; the
user may store it only for AHSNs they may submit for (etl/permissions.py). The store then
checks the same parsed returns against the data current under its lock, without reading the
file again, and commits: the answer "stored" is given at the commit point, and the figures are
made current in the background (dashboard/background/make_current.py). The same code path as
`python -m etl load`.

A previewed file waits in <METRICS_DATA>/pending/ (dashboard/background/pending.py: one per
user, by content hash, within a total cap; not in a worker's memory: the confirm may reach a
different gunicorn worker than the preview did).
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request

from dashboard.background.receipts import send_receipt
from dashboard.context import services
from dashboard.endpoints.attachments import XLSX_TYPE, attachment
from dashboard.endpoints.forms import done, posted_file, source
from dashboard.endpoints.refusals import status_of, wants_page
from dashboard.presentation.uploading import changes, not_permitted, published_quarters
from dashboard.security.auth import csrf_protected, current_user, may, require, signed_in
from etl import ahsns
from etl.errors import Refusal
from etl.mail import Mailer
from etl.permissions import Action
from etl.problems import ReturnRejected
from etl.quarters import Quarter, QuarterError
from etl.templates import template_csv, template_xlsx

blueprint = Blueprint("uploads", __name__)


@blueprint.post("/upload/commit")
@signed_in
@csrf_protected
def commit():
    user, ctx = current_user(), services()
    token, name, content = posted_file(user.name, "return", "return.csv")
    files = [(name, content)]
    # Read once, here, outside the store's lock; the commit checks the same parsed returns
    # against the data current under the lock, without reading the file again.
    with ctx.reading.reading(user.name):  # one file per user, a few at once (ReadingRefused: 429, 503)
        results = ctx.store.read(files, ctx.programme)
    problems = [p for r in results for p in r.problems]
    if not problems and (why := not_permitted(user, results)):
        abort(403, why)
    try:
        if problems:
            raise ReturnRejected(problems)
        # The commit point: once the event is written the file is stored, and the answer
        # says so; the figures are made current after the answer, in the background.
        accepted = ctx.store.commit(files, ctx.programme, user=user, source=source("upload page"), parsed=results)
    except ReturnRejected as rejected:
        if wants_page():
            abort(
                422,
                f"The file was not stored: {len(rejected.problems)} problem(s) were found when it was "
                "checked again. Upload it again to see them.",
            )
        return jsonify(error="The file was not stored.", problems=[p.as_dict() for p in rejected.problems]), 422
    except Refusal as refused:  # busy with another write (or, in a race, no longer allowed)
        abort(status_of(refused), f"The file was not stored: {refused}.")
    ctx.make_current.soon()
    if token:
        ctx.pending.drop(token, user.name)
    published = published_quarters(ctx.db, ctx.programme)
    what = {
        (c.ahsn, c.quarter): f"{c.before} before, {c.after} in this return"
        for c in changes(ctx.db, [a.parsed for a in accepted], ctx.programme)
    }
    send_receipt(
        Mailer.from_settings(ctx.settings), user, ctx.programme, accepted, what, published, ctx.settings.public_url
    )
    return done(
        f"/upload?stored={accepted[0].submission_id}",
        stored=[
            {
                "submission_id": a.submission_id,
                "file_name": a.file_name,
                "returns": [list(r) for r in a.returns],
                "waiting_for_approval": [list(r) for r in a.returns if r.quarter in published],
                "warnings": len(a.warnings),
            }
            for a in accepted
        ],
        figures_updated=ctx.store.is_current(),
    )


@blueprint.get("/upload/template")
def template():
    ahsn = ahsns.resolve(request.args.get("ahsn", ""))
    try:
        quarter = Quarter.given(request.args.get("quarter", ""))
    except QuarterError as err:
        abort(400, str(err))
    if ahsn is None:
        abort(400, "Choose one of the 15 AHSNs.")
    require(Action.GET_TEMPLATE, ahsn.short_name)
    filled = may(Action.SEE_LAST_RETURN, ahsn.short_name)  # else blank: the last return is not theirs to see
    ctx = services()
    name = f"{ctx.programme.code}-return-{ahsn.slug}-{quarter.key}"
    if request.args.get("format", "csv") == "xlsx":  # cells neutralised, drop-down lists
        book = template_xlsx(ctx.db, ctx.programme, ahsn.short_name, quarter, filled)
        return attachment(book, f"{name}.xlsx", XLSX_TYPE)
    return attachment(template_csv(ctx.db, ctx.programme, ahsn.short_name, quarter, filled), f"{name}.csv", "text/csv")
