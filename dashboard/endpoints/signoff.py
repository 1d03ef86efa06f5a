"""The national team's endpoints for a quarter's collection: sign-off, due dates, revisions, reminders.

    POST /quarters/<key>/sign-off       sign the quarter off: its figures become the published ones
                                        (also at /quarters/<key>/publish, its first address)
    POST /quarters/<key>/due-date       set another due date for its returns
    POST /revisions/<id>/approve        a change to a published quarter takes effect
    POST /revisions/<id>/reject         ... or never does
    POST /quarters/<key>/remind         e-mail the submitters of the AHSNs that are late

Each needs a signed-in national administrator (etl/permissions.py) and the CSRF token; each
change is an event in the store (who, when, why), committed at once and made current in the
background. A form posted from the Returns page gets a redirect back to it with what happened;
a script gets JSON.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from urllib.parse import urlencode

from flask import Blueprint, abort, request

from dashboard.context import services
from dashboard.endpoints.forms import done, reason, source
from dashboard.endpoints.refusals import store_refusals
from dashboard.security.auth import csrf_protected, require, signed_in
from etl import collection, words
from etl.mail import Mailer, late_ahsns, send_reminders
from etl.permissions import Action
from etl.quarters import Quarter

blueprint = Blueprint("signoff", __name__)


def _quarter(key: str) -> Quarter:
    """A quarter from its URL form (q3_2020_21), in the years a quarter can be in, or 404."""
    try:
        number, start, end = key.split("_")
        quarter = Quarter(int(start), int(number.lstrip("q"))).plausible()
        if int(end) != (quarter.year + 1) % 100:
            raise ValueError(key)
        return quarter
    except (ValueError, TypeError):
        abort(404, f"'{key[:40]}' is not a quarter.")


def _done(quarter: Quarter | None, message: str, **fields):
    """Back to the Returns page with what happened (a form), or JSON (a script)."""
    query = {"quarter": quarter.label} if quarter else {}
    return done("/returns?" + urlencode({**query, "done": message}), done=message, **fields)


@blueprint.post("/quarters/<key>/sign-off")
@blueprint.post("/quarters/<key>/publish")
@signed_in
@csrf_protected
def sign_off(key: str):
    user, quarter, ctx = require(Action.SIGN_OFF), _quarter(key), services()
    status = collection.status_of(collection.statuses(ctx.db, ctx.programme, dt.date.today()), quarter)
    if status is not None and not status.is_complete and request.form.get("incomplete") != "yes":
        abort(
            409,
            f"{status.coverage} for {quarter.label}: confirm signing off an incomplete quarter (the late "
            "AHSNs' returns will be revisions).",
        )
    with store_refusals("changed"):
        event = ctx.store.sign_off(
            ctx.programme,
            quarter,
            user=user,
            source=source("returns page"),
            note=reason(required=False, field="note") or reason(required=False),
            make_current=False,
        )
    ctx.make_current.soon()
    return _done(quarter, f"{quarter.label} is signed off: its figures are the published ones.", event=event.id)


@blueprint.post("/quarters/<key>/due-date")
@signed_in
@csrf_protected
def set_due_date(key: str):
    user, quarter, ctx = require(Action.SET_DUE_DATE), _quarter(key), services()
    try:
        due = dt.date.fromisoformat(request.form.get("due", ""))
    except ValueError:
        abort(400, "Give the due date as a date, like 2021-02-15.")
    with store_refusals("changed"):
        event = ctx.store.set_due_date(
            ctx.programme, quarter, due, reason(), user=user, source=source("returns page"), make_current=False
        )
    ctx.make_current.soon()
    return _done(quarter, f"Returns for {quarter.label} are now due on {due:%-d %B %Y}.", event=event.id)


def _decide(event_id: int, approve: bool):
    user, ctx = require(Action.DECIDE_REVISION), services()
    with store_refusals("changed"):
        event = ctx.store.decide_revision(
            event_id, approve, reason(), user=user, source=source("returns page"), make_current=False
        )
    ctx.make_current.soon()
    verb = (
        "approved: the published figures show it, with a revision mark"
        if approve
        else "rejected: it is kept, and never counted"
    )
    return _done(None, f"Revision {event_id} is {verb}.", event=event.id)


@blueprint.post("/revisions/<int:event_id>/approve")
@signed_in
@csrf_protected
def approve(event_id: int):
    return _decide(event_id, True)


@blueprint.post("/revisions/<int:event_id>/reject")
@signed_in
@csrf_protected
def reject(event_id: int):
    return _decide(event_id, False)


@blueprint.post("/quarters/<key>/remind")
@signed_in
@csrf_protected
def remind(key: str):
    require(Action.SEND_REMINDERS)
    quarter, ctx = _quarter(key), services()
    mailer = Mailer.from_settings(ctx.settings)
    if mailer is None:
        abort(409, "E-mail is off: set METRICS_SMTP_HOST to send reminders.")
    today = collection.clock(ctx.db, ctx.programme).today  # late as the Returns page says
    # an AHSN with someone to e-mail is reminded of a quarter at most once in METRICS_REMINDER_HOURS
    late, _due = late_ahsns(ctx.db, ctx.programme, quarter, today)
    reachable = {u.ahsn for u in ctx.users.all() if not u.is_national and u.email}
    claim = ctx.reminders.claim(ctx.programme.code, quarter.label, [a for a in late if a in reachable])
    if claim.held and not claim.go:
        abort(429, f"No reminder was sent. {claim.held_words()}")
    try:
        sent, without = send_reminders(
            mailer,
            ctx.db,
            ctx.users,
            ctx.programme,
            quarter,
            today,
            ctx.settings.public_url,
            only={a for a in late if a not in claim.held},
        )
    except (OSError, smtplib.SMTPException) as err:
        ctx.reminders.give_back(claim)
        abort(
            502, f"The mail server did not take the reminders ({type(err).__name__}): none were sent. Try again later."
        )
    message = (
        f"Reminders sent to {words.plural(len(sent), 'submitter')}"
        + (f" ({', '.join(sent)})" if sent else "")
        + "."
        + (
            f" No e-mail address for {', '.join(without)}: add one with `python -m etl users email NAME ADDRESS`."
            if without
            else ""
        )
        + (f" Not reminded again yet: {claim.held_words()}" if claim.held else "")
    )
    return _done(quarter, message, sent=sent, without_address=without, not_yet=sorted(claim.held))
