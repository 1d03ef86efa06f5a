"""The server side of uploading: the endpoints that store, restore and send returns, and
the checks they share with the upload page's preview.

Every endpoint here checks the session and the user's AHSN on every request; the pages'
buttons are only a convenience. State-changing endpoints also need the CSRF token.

    POST /upload/commit            store a checked file (a pending preview token, or a file)
    POST /history/<id>/restore     make an earlier submission current again
    POST /history/<id>/quarantine  leave a submission out of every figure (national team)
    POST /history/<id>/release     take it back into the figures (national team)
    GET  /history/<id>/counted.csv the rows the figures hold from a submission, as a CSV
                                   safe to open (every cell neutralised)
    GET  /history/<id>/original    the file exactly as it was uploaded: the record of what
                                   was sent, which may hold formulas, links or hidden sheets
    GET  /upload/template          a blank return for an AHSN and quarter (&format=xlsx: Excel)

Storing goes through Store().load, the same code path as `python -m etl load`: the file is
validated again under the store's write lock, so a file previewed against older data is
checked against the data it will actually join.

A previewed file waits in <METRICS_DATA>/pending/ (dashboard/pending.py: one per user, by
content hash, within a total cap; not in a worker's memory: the confirm may reach a different
gunicorn worker than the preview did).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import os
import smtplib
import threading
from dataclasses import dataclass

from flask import Flask, Response, jsonify, redirect, request
from werkzeug.utils import secure_filename

from dashboard.auth import (
    Refused,
    csrf_protected,
    current_user,
    require,
    signed_in,
    status_of,
    store_refusals,
    submission_for,
    wants_page,
)
from dashboard.context import services
from etl import ahsns, queries, words
from etl.errors import Refusal
from etl.mail import Mailer, receipt
from etl.permissions import Action, allowed
from etl.problems import Problem, ReturnRejected
from etl.programmes import Programme
from etl.quarters import Quarter, QuarterError
from etl.queries import Database
from etl.rows import DATABASE_COLUMNS
from etl.templates import neutralise, template_csv, template_xlsx
from etl.users import User
from etl.validate import ParsedReturn

log = logging.getLogger(__name__)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ORIGINAL_TYPES = {".csv": "text/csv", ".xlsx": XLSX_TYPE, ".xls": "application/vnd.ms-excel",
                  ".ods": "application/vnd.oasis.opendocument.spreadsheet"}


# ---- checks shared by the preview and the commit -------------------------------------------


def ahsns_in(results: list[ParsedReturn]) -> list[str]:
    found = {a for r in results for a, _, _ in r.returns()}
    order = {a.short_name: a.table_order for a in ahsns.all_ahsns()}
    return sorted(found, key=order.get)


def not_permitted(user: User, results: list[ParsedReturn]) -> str | None:
    """Why the user may not store these files, or None if they may."""
    others = [a for a in ahsns_in(results) if not allowed(user, Action.SUBMIT, ahsn=a)]
    if not others:
        return None
    return (f"This file holds returns for {', '.join(others)}. You are a {user.description}, "
            f"so you may only upload {user.ahsn}'s returns. Remove the other AHSNs' rows, or ask "
            "the national team to load them.")


@dataclass(frozen=True)
class Change:
    """What storing a file will do to one AHSN-quarter."""

    ahsn: str
    quarter: str
    rows: int
    before: str  # the rate in words (etl/words.py rate), or "no return yet; Q1 2020/21: <its rate>"
    after: str
    replaces: str  # e.g. "submission 12 by asha, 03 Oct 2020 14:05" or "nothing: a first return"


def changes(db: Database, results: list[ParsedReturn], programme: Programme) -> list[Change]:
    """Before -> after for every AHSN-quarter the files hold, counted the way the store
    counts (the programme's counted trust types and adoption threshold)."""
    out = []
    for parsed in results:
        frame = parsed.frame()
        for ahsn, quarter, rows in parsed.returns():
            mine = frame[(frame["ahsn"] == ahsn) & (frame["quarter_index"] == quarter.index)]
            counted = mine[mine["trust_type"].isin(programme.counted_trust_types)]
            adopted = int((counted["adoption_level"] >= programme.adopted_from_level).sum())
            rates = queries.ahsn_rates(db, programme, ahsn=ahsn)
            before = rates[rates["quarter_index"] == quarter.index]
            earlier = rates[rates["quarter_index"] < quarter.index].sort_values("quarter_index").tail(1)
            history = queries.submissions(db, programme, ahsn)
            current = history[(history["quarter_index"] == quarter.index) & history["is_current"]]
            if len(current):
                c = current.iloc[0]
                replaces = (f"submission {int(c['submission_id'])} by {c['loaded_by']}, "
                            f"{c['loaded_at']:%d %b %Y %H:%M} UTC")
            else:
                replaces = "nothing: this is the first return for this quarter"
            if len(before):
                before_text = words.rate(int(before["adopted_trusts"].iloc[0]),
                                         int(before["counted_trusts"].iloc[0]), programme)
            elif len(earlier):  # a new quarter: compare with the AHSN's last return
                e = earlier.iloc[0]
                before_text = (f"{words.NO_RETURN} yet; {e['quarter']}: "
                               + words.rate(int(e["adopted_trusts"]), int(e["counted_trusts"]), programme))
            else:
                before_text = f"{words.NO_RETURN} yet"
            out.append(Change(ahsn, quarter.label, rows, before_text,
                              words.rate(adopted, len(counted), programme), replaces))
    return out


def published_quarters(db: Database, programme: Programme) -> set[str]:
    """Labels of the published quarters: a return for one of them is a revision."""
    rows = queries.collection_quarters(db, programme)
    return set(rows.loc[rows["published_at"].notna(), "quarter"])


def send_receipt(ctx, user: User, accepted: list, what_changes: list[Change], published: set[str]) -> None:
    """E-mail the submitter what was stored, in the background (never holding up the answer,
    never undoing the store if the mail server fails)."""
    mailer = Mailer.from_settings(ctx.settings)
    if mailer is None or not user.email:
        return
    by_return = {(c.ahsn, c.quarter): f"{c.before} before, {c.after} in this return" for c in what_changes}
    now = dt.datetime.now(dt.UTC)
    messages = [receipt(user, ctx.programme, a.submission_id, a.file_name, now,
                        [(r.ahsn, r.quarter, by_return.get((r.ahsn, r.quarter), f"{r.trust_rows} trusts"),
                          r.quarter in published) for r in a.returns],
                        [str(w) for w in a.warnings], ctx.settings.public_url) for a in accepted]

    def send():
        try:
            mailer.send(messages)
        except (OSError, smtplib.SMTPException):
            log.exception("the receipt for %s could not be sent", user.name)

    threading.Thread(target=send, name="receipt", daemon=True).start()


# ---- pending previews ----------------------------------------------------------------------


def save_pending(user: User, file_name: str, content: bytes) -> str:
    """Keep a previewed file as the user's one pending preview; the token that confirms it."""
    return services().pending.save(user.name, file_name, content)


def load_pending(token: str, user: User) -> tuple[str, bytes] | None:
    """The file behind a preview token, only for the user who previewed it."""
    return services().pending.load(token, user.name)


def drop_pending(token: str, user: User) -> None:
    if token:
        services().pending.drop(token, user.name)


# ---- what was counted ------------------------------------------------------------------------


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


# ---- endpoints -----------------------------------------------------------------------------


def _problems_json(problems: list[Problem]) -> list[dict]:
    return [p.as_dict() for p in problems]


def register(server: Flask) -> None:
    @server.post("/upload/commit")
    @signed_in
    @csrf_protected
    def commit():
        user = current_user()
        token = request.form.get("token", "")
        if token:
            pending = load_pending(token, user)
            if pending is None:
                raise Refused(404, "That preview has expired or is not yours. Upload the file again.")
            files = [pending]
        elif "file" in request.files:
            upload = request.files["file"]
            # cleaned again (control, bidi characters, length) by parse_return on every path
            files = [(secure_filename(upload.filename or "") or "return.csv", upload.read())]
        else:
            raise Refused(400, "No file was sent.")
        ctx = services()
        # Read once, here, outside the store's lock; the commit checks the same parsed returns
        # against the data current under the lock, without reading the file again.
        results = ctx.store.read(files, ctx.programme)
        problems = [p for r in results for p in r.problems]
        if not problems:
            why = not_permitted(user, results)
            if why:
                raise Refused(403, why)
        try:
            if problems:
                raise ReturnRejected(problems)
            # The commit point: once the event is written the file is stored, and the answer
            # says so; the database is built after the answer, in the background.
            accepted = ctx.store.commit(files, ctx.programme, user=user,
                                        source=f"upload page ({request.remote_addr})", parsed=results)
        except ReturnRejected as rejected:
            if wants_page():
                raise Refused(422, f"The file was not stored: {len(rejected.problems)} "
                                   "problem(s) were found when it was checked again. "
                                   "Upload it again to see them.") from None
            return jsonify(error="The file was not stored.",
                           problems=_problems_json(rejected.problems)), 422
        except Refusal as refused:  # busy with another write (or, in a race, no longer allowed)
            raise Refused(status_of(refused), f"The file was not stored: {refused}.") from None
        ctx.publisher.publish_soon()
        drop_pending(token, user)
        published = published_quarters(ctx.db, ctx.programme)
        send_receipt(ctx, user, accepted, changes(ctx.db, [a.parsed for a in accepted], ctx.programme), published)
        if wants_page():
            return redirect(f"/upload?stored={accepted[0].submission_id}", code=303)
        return jsonify(stored=[{"submission_id": a.submission_id, "file_name": a.file_name,
                                "returns": [list(r) for r in a.returns],
                                "waiting_for_approval": [list(r) for r in a.returns if r.quarter in published],
                                "warnings": len(a.warnings)} for a in accepted],
                       figures_updated=ctx.store.is_current())

    @server.post("/history/<int:submission_id>/restore")
    @signed_in
    @csrf_protected
    def restore(submission_id: int):
        submission = submission_for(current_user(), submission_id, Action.RESTORE, "change")
        ctx = services()
        published = published_quarters(ctx.db, ctx.programme)
        waiting = [list(r) for r in submission.returns if r.quarter in published]
        with store_refusals("restored"):  # e.g. quarantined: release it first
            event = ctx.store.restore(submission_id, user=current_user(),
                                      source=f"history page ({request.remote_addr})", make_current=False)
        ctx.publisher.publish_soon()
        if wants_page():
            if waiting:
                return redirect(f"/history?revision={event.id}&of={submission_id}", code=303)
            return redirect(f"/history?restored={submission_id}", code=303)
        return jsonify(restored=submission_id, revision=event.id if waiting else None,
                       waiting_for_approval=waiting)

    @server.get("/history/<int:submission_id>/counted.csv")
    def counted(submission_id: int):
        user = require(Action.SEE_ORIGINALS)
        submission = submission_for(user, submission_id, Action.SEE_ORIGINALS, "see")
        ctx = services()
        rows = queries.submission_rows(ctx.db, ctx.programme, submission.id)
        if not len(rows):
            raise Refused(404, f"The figures being served hold no rows from submission {submission_id}. "
                               "If it was stored a moment ago, try again in a minute.")
        stem = secure_filename(os.path.splitext(submission.file_name)[0]) or "return"
        name = f"submission-{submission_id}-{stem}-as-counted.csv"
        return Response("\ufeff" + counted_csv(rows), mimetype="text/csv",  # BOM: Excel reads UTF-8
                        headers={"Content-Disposition": f'attachment; filename="{name}"',
                                 "Cache-Control": "no-store"})

    def set_aside(submission_id: int, action: str):
        """Quarantine or release: national administrators only, with a reason."""
        user = require(Action.QUARANTINE)
        submission_for(user, submission_id, Action.QUARANTINE, "change")
        reason = " ".join((request.form.get("reason") or "").split())
        if not reason:
            raise Refused(400, "Say why, in a few words: the reason is kept with the submission.")
        ctx = services()
        change = ctx.store.quarantine if action == "quarantine" else ctx.store.release
        with store_refusals("changed"):  # already quarantined, or not quarantined
            change(submission_id, reason[:500], user=user, source=f"history page ({request.remote_addr})",
                   make_current=False)
        ctx.publisher.publish_soon()
        if wants_page():
            return redirect(f"/history?{action}d={submission_id}", code=303)
        return jsonify({f"{action}d": submission_id})

    @server.post("/history/<int:submission_id>/quarantine")
    @signed_in
    @csrf_protected
    def quarantine(submission_id: int):
        return set_aside(submission_id, "quarantine")

    @server.post("/history/<int:submission_id>/release")
    @signed_in
    @csrf_protected
    def release(submission_id: int):
        return set_aside(submission_id, "release")

    @server.get("/history/<int:submission_id>/original")
    def original(submission_id: int):
        user = require(Action.SEE_ORIGINALS)
        submission = submission_for(user, submission_id, Action.SEE_ORIGINALS, "see")
        suffix = os.path.splitext(submission.stored_as)[1]  # .csv, .xlsx, .xls or .ods, by content
        stem = secure_filename(os.path.splitext(submission.file_name)[0]) or "return"
        name = f"submission-{submission_id}-{stem}{suffix}"
        # The bytes as uploaded (the record of what was sent), as an attachment: never shown
        # in the browser, whatever they contain.
        return Response(services().store.original_bytes(submission),
                        mimetype=ORIGINAL_TYPES.get(suffix, "application/octet-stream"),
                        headers={"Content-Disposition": f'attachment; filename="{name}"',
                                 "Cache-Control": "no-store"})

    @server.get("/upload/template")
    def template():
        ahsn = ahsns.resolve(request.args.get("ahsn", ""))
        try:
            quarter = Quarter.parse(request.args.get("quarter", ""))
        except QuarterError as err:
            raise Refused(400, str(err)) from None
        if ahsn is None:
            raise Refused(400, "Choose one of the 15 AHSNs.")
        require(Action.GET_TEMPLATE, ahsn.short_name)
        ctx = services()
        name = f"{ctx.programme.code}-return-{ahsn.slug}-{quarter.key}"
        if request.args.get("format", "csv") == "xlsx":  # cells neutralised, drop-down lists
            return Response(template_xlsx(ctx.db, ctx.programme, ahsn.short_name, quarter), mimetype=XLSX_TYPE,
                            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
        text = template_csv(ctx.db, ctx.programme, ahsn.short_name, quarter)  # cells neutralised
        return Response("\ufeff" + text, mimetype="text/csv",  # BOM: Excel reads it as UTF-8
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
