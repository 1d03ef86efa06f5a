"""The national team's endpoints for a quarter's collection: sign-off, due dates, revisions, reminders.

    POST /quarters/<key>/publish        sign the quarter off (its figures become the published ones)
    POST /quarters/<key>/due-date       set another due date for its returns
    POST /revisions/<id>/approve        a change to a published quarter takes effect
    POST /revisions/<id>/reject         ... or never does
    POST /quarters/<key>/remind         e-mail the submitters of the AHSNs that are late

Each needs a signed-in national administrator and the CSRF token; each change is an event in
the store (who, when, why), written at once and published in the background. A form posted
from the Returns page gets a redirect back to it with what happened; a script gets JSON.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from urllib.parse import urlencode

from flask import Flask, jsonify, redirect, request

from dashboard.auth import Refused, csrf_protected, require, signed_in, store_refusals, wants_page
from dashboard.context import services
from etl import collection
from etl.mail import Mailer, send_reminders
from etl.permissions import Action
from etl.quarters import Quarter


def _quarter(key: str) -> Quarter:
    """A quarter from its URL form (q3_2020_21), or 404."""
    try:
        number, start, _end = key.split("_")
        return Quarter(int(start), int(number.lstrip("q")))
    except (ValueError, TypeError):
        raise Refused(404, f"'{key[:40]}' is not a quarter.") from None


def _reason(required: bool = True) -> str:
    reason = " ".join((request.form.get("reason") or "").split())[:500]
    if required and not reason:
        raise Refused(400, "Say why, in a few words: the reason is kept with the change and shown beside it.")
    return reason


def _done(quarter: Quarter | None, message: str, **fields):
    """Back to the Returns page with what happened (a form), or JSON (a script)."""
    if wants_page():
        query = {"quarter": quarter.label} if quarter else {}
        return redirect("/returns?" + urlencode({**query, "done": message}), code=303)
    return jsonify(done=message, **fields)


def _store_call(action, *args, **kwargs):
    with store_refusals("changed"):
        return action(*args, **kwargs)


def register(server: Flask) -> None:
    @server.post("/quarters/<key>/publish")
    @signed_in
    @csrf_protected
    def publish_quarter(key: str):
        user, quarter, ctx = require(Action.SIGN_OFF), _quarter(key), services()
        status = collection.status_of(collection.statuses(ctx.db, ctx.programme, dt.date.today()), quarter)
        if status is not None and not status.is_complete and request.form.get("incomplete") != "yes":
            raise Refused(409, f"{status.coverage} for {quarter.label}: confirm publishing an incomplete "
                               "quarter (the late AHSNs' returns will be revisions).")
        event = _store_call(ctx.store.sign_off, ctx.programme, quarter, user=user,
                            source=f"returns page ({request.remote_addr})", note=_reason(required=False),
                            make_current=False)
        ctx.publisher.publish_soon()
        return _done(quarter, f"{quarter.label} is published.", event=event.id)

    @server.post("/quarters/<key>/due-date")
    @signed_in
    @csrf_protected
    def set_due_date(key: str):
        user, quarter, ctx = require(Action.SET_DUE_DATE), _quarter(key), services()
        try:
            due = dt.date.fromisoformat(request.form.get("due", ""))
        except ValueError:
            raise Refused(400, "Give the due date as a date, like 2021-02-15.") from None
        event = _store_call(ctx.store.set_due_date, ctx.programme, quarter, due, _reason(), user=user,
                            source=f"returns page ({request.remote_addr})", make_current=False)
        ctx.publisher.publish_soon()
        return _done(quarter, f"Returns for {quarter.label} are now due on {due:%-d %B %Y}.", event=event.id)

    def decide(event_id: int, approve: bool):
        user, ctx = require(Action.DECIDE_REVISION), services()
        event = _store_call(ctx.store.decide_revision, event_id, approve, _reason(), user=user,
                            source=f"returns page ({request.remote_addr})", make_current=False)
        ctx.publisher.publish_soon()
        verb = "approved: the published figures show it, with a revision mark" if approve else \
            "rejected: it is kept, and never counted"
        return _done(None, f"Revision {event_id} is {verb}.", event=event.id)

    @server.post("/revisions/<int:event_id>/approve")
    @signed_in
    @csrf_protected
    def approve(event_id: int):
        return decide(event_id, True)

    @server.post("/revisions/<int:event_id>/reject")
    @signed_in
    @csrf_protected
    def reject(event_id: int):
        return decide(event_id, False)

    @server.post("/quarters/<key>/remind")
    @signed_in
    @csrf_protected
    def remind(key: str):
        require(Action.SEND_REMINDERS)
        quarter, ctx = _quarter(key), services()
        mailer = Mailer.from_settings(ctx.settings)
        if mailer is None:
            raise Refused(409, "E-mail is off: set METRICS_SMTP_HOST to send reminders.")
        try:
            sent, without = send_reminders(mailer, ctx.db, ctx.users, ctx.programme, quarter, dt.date.today(),
                                           ctx.settings.public_url)
        except (OSError, smtplib.SMTPException) as err:
            raise Refused(502, f"The mail server did not take the reminders ({type(err).__name__}): "
                               "none were sent. Try again later.") from None
        message = (f"Reminders sent to {len(sent)} submitter{'s' if len(sent) != 1 else ''}"
                   + (f" ({', '.join(sent)})" if sent else "") + "."
                   + (f" No e-mail address for {', '.join(without)}: add one with "
                      "`python -m etl users email NAME ADDRESS`." if without else ""))
        return _done(quarter, message, sent=sent, without_address=without)
