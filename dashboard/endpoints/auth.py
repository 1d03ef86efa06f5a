"""Signing in and out.

    GET  /signin     the sign-in form (a Jinja template: it works even when every Dash page
                     needs a session)
    POST /signin     check the password, start a session (a new id and CSRF token every time)
    GET  /session    who is signed in, and the CSRF token scripts send with their POSTs
    POST /signout    end the session everywhere, even for a copied cookie

Password tries are limited per client address and slowed per user name, counted before the
password is checked (dashboard/security/signin_limits.py); no name can be locked out.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, session

from dashboard.context import services
from dashboard.security.auth import csrf_ok, csrf_token, current_user, has_control_characters, safe_next
from dashboard.security.signin_limits import TooMany
from etl import words

blueprint = Blueprint("auth", __name__)


def _damaged_next():
    """A 400 page when the next= address holds control characters (no page makes one)."""
    if not has_control_characters(request.values.get("next") or ""):
        return None
    return render_template(
        "message.html",
        title="This sign-in link is damaged",
        paragraphs=["The address to go to after signing in holds control characters, so it was not used."],
        links=[("/signin", "Sign in"), ("/", "go to the dashboard")],
    ), 400


def _signin_form(message: str = "", name: str = "", status: int = 200):
    return render_template(
        "signin.html",
        title="Sign in",
        message=message,
        name=name,
        csrf=csrf_token(),
        next=safe_next(request.values.get("next")),
    ), status


@blueprint.get("/signin")
def signin_page():
    if (damaged := _damaged_next()) is not None:
        return damaged
    if current_user() is not None:
        return redirect(safe_next(request.args.get("next")))
    return _signin_form()


@blueprint.post("/signin")
def signin():
    name = (request.form.get("name") or "").strip()
    password = request.form.get("password") or ""
    if (damaged := _damaged_next()) is not None:
        return damaged
    if not csrf_ok():
        return _signin_form("The form had expired. Please sign in again.", name[:64], 400)
    ctx = services()
    attempt = ctx.signin_limits.begin(name, request.remote_addr)  # counted before the check
    if isinstance(attempt, TooMany):
        return _too_many(attempt, name[:64])
    user = ctx.users.authenticate(name, password)
    if user is None:
        return _signin_form("The user name or password is wrong.", name[:64], 401)
    ctx.signin_limits.succeeded(attempt)
    previous = session.get("sid")
    if previous:
        ctx.sessions.end(previous)  # signing in again replaces the old session
    session_id, _csrf = ctx.sessions.start(user.name, user.stamp)
    session.clear()  # a fresh session id (and CSRF token) at every sign-in: no fixation
    session.permanent = True
    session["sid"] = session_id
    return redirect(safe_next(request.form.get("next")), code=303)


@blueprint.get("/session")
def whoami():
    """Who is signed in, and the CSRF token scripts send with their POSTs. Same-origin only
    (no CORS), so another site cannot read the token."""
    user = current_user()
    if user is None:
        return jsonify(user=None), 401
    return jsonify(user=user.name, role=user.role, ahsn=user.ahsn, csrf_token=csrf_token())


@blueprint.post("/signout")
def signout():
    if csrf_ok():
        session_id = session.get("sid")
        if session_id:
            services().sessions.end(session_id)  # a copy of the cookie stops working too
        session.clear()
    return redirect("/", code=303)


def _too_many(refused: TooMany, name: str):
    if refused.per == "address":
        minutes = max(1, -(-refused.wait_seconds // 60))
        message = (
            f"Too many failed sign-ins from your network address. Wait {words.plural(minutes, 'minute')} "
            "and try again (nothing about any account has changed)."
        )
    else:
        message = (
            f"Too many failed sign-ins for this user name from here. Wait "
            f"{words.plural(refused.wait_seconds, 'second')} and try again."
        )
    page, status = _signin_form(message, name, 429)
    return page, status, {"Retry-After": str(refused.wait_seconds)}
