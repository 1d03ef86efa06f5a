"""Who is asking, and whether they may: the checks every protected request goes through.

- A session is a record on the server (security/sessions.py: shared by every worker, ended
  by signing out, by METRICS_SESSION_IDLE_MINUTES without use and METRICS_SESSION_HOURS
  after sign-in). Flask's signed cookie (HttpOnly, SameSite=Lax) carries only its random id;
  before sign-in it carries only the sign-in form's CSRF token. The signing key is
  METRICS_SECRET_KEY, or a random key generated once and kept in <METRICS_DATA>/secret_key
  (outside the repository, the same for every worker). `configure` sets all that up.
- The user is loaded once per request (`current_user()`, kept in flask.g) and checked
  against users.json: a removed user, a role change or a new password (the user's `stamp`,
  etl/users.py, no longer matching the session's) takes effect at once, everywhere.
- Endpoints say what they need with decorators: `@signed_in` (401 otherwise) and
  `@csrf_protected` (every state-changing request carries the session's CSRF token, in a
  form field `csrf_token` or an `X-CSRF-Token` header); `require(action)` asks
  etl/permissions.py and refuses with its reason; pages ask `may(action)` before offering a
  button. Refusals are `abort(status, message)`, answered in one place
  (dashboard/endpoints/refusals.py).
- `submission_for()` is the one place that fetches a submission a user may act on.
- With METRICS_REQUIRE_LOGIN, every page and Dash request needs a session; /signin,
  /healthz and static assets stay open.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from urllib.parse import urlsplit

from flask import Flask, abort, g, has_request_context, jsonify, redirect, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard.addresses import signin_address
from dashboard.context import services
from dashboard.security.sessions import SessionRecord
from etl.events import Submission
from etl.files import write_atomically
from etl.permissions import Action, allowed, allowed_for_all, allowed_for_every_ahsn, status, why_not
from etl.settings import Settings
from etl.users import User

OPEN_PATHS = ("/signin", "/healthz", "/assets/", "/_favicon.ico", "/favicon.ico")


# ---- who is asking -------------------------------------------------------------------------


def current_user() -> User | None:
    """The signed-in user, checked against the accounts once per request."""
    if "user" not in g:
        g.user, g.session_record = _session_user()
    return g.user


def _session_user() -> tuple[User | None, SessionRecord | None]:
    session_id = session.get("sid")
    if not session_id:
        return None, None
    ctx = services()
    record = ctx.sessions.find(session_id)
    if record is None:
        return None, None
    user = ctx.users.get(record.user)
    if user is None or not hmac.compare_digest(str(user.stamp).encode(), str(record.stamp).encode()):
        ctx.sessions.end(session_id)  # removed, or signed in with a password since changed
        return None, None
    return user, record


def csrf_token() -> str:
    """The signed-in session's token, or (before sign-in) the sign-in form's, kept in the cookie."""
    if current_user() is not None:
        return g.session_record.csrf
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def csrf_ok() -> bool:
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    expected = g.session_record.csrf if current_user() is not None else session.get("csrf", "")
    # compared as bytes: compare_digest refuses text that is not ASCII (a crafted token was a 500)
    return (
        bool(expected)
        and isinstance(expected, str)
        and hmac.compare_digest(sent.encode("utf-8", "replace"), expected.encode("utf-8", "replace"))
    )


# ---- what they may do ----------------------------------------------------------------------


def signed_in(view):
    """The endpoint needs a signed-in user (401 otherwise)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            abort(401, "Sign in first: uploading and restoring need a user account.")
        return view(*args, **kwargs)

    return wrapped


def csrf_protected(view):
    """The endpoint changes something: it needs the session's CSRF token (400 otherwise)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not csrf_ok():
            abort(400, "The form has expired (missing or wrong CSRF token). Reload the page and try again.")
        return view(*args, **kwargs)

    return wrapped


def require(action: Action, ahsn: str | None = None) -> User:
    """The signed-in user, if they may do `action` (for `ahsn`); else 401 (not signed in) or
    403, saying why (etl/permissions.py decides)."""
    user = current_user()
    ctx = services()
    why = why_not(user, action, ahsn=ahsn, programme=ctx.programme, opened=ctx.settings.opened)
    if why:
        abort(status(user), why)
    return user


def may(action: Action, ahsn: str | None = None) -> bool:
    """Whether the user of this request may do `action` (for `ahsn`): for pages deciding what to offer."""
    ctx = services()
    user = current_user() if has_request_context() else None
    return allowed(user, action, ahsn=ahsn, programme=ctx.programme, opened=ctx.settings.opened)


def may_for_every_ahsn(action: Action) -> bool:
    """Whether the user of this request may do `action` for every AHSN at once: for a page or
    download about all of them (the national table, compare, every trust row)."""
    ctx = services()
    user = current_user() if has_request_context() else None
    return allowed_for_every_ahsn(user, action, programme=ctx.programme, opened=ctx.settings.opened)


def submission_for(user: User | None, submission_id: int, action: Action, verb: str) -> Submission:
    """The submission, if it exists (404) and holds only AHSNs the user may do `action` for
    (403: 'Submission 12 holds returns of AHSNs you may not <verb>')."""
    submission = services().store.submission(submission_id)
    if submission is None:
        abort(404, f"There is no submission {submission_id}.")
    if not allowed_for_all(user, action, submission.ahsns, programme=services().programme):
        abort(
            403, f"Submission {submission_id} holds returns of AHSNs you may not {verb} (you are a {user.description})."
        )
    return submission


# ---- where to go after signing in ----------------------------------------------------------


def has_control_characters(text: str) -> bool:
    # a browser drops tabs and line breaks from a URL: "/\t/evil.example" would become
    # "//evil.example", another site; CR/LF would split the Location header
    return any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in text)


def safe_next(target: str | None) -> str:
    """Only local paths: never redirect a signed-in user to another site. (A target holding
    control characters is refused with a 400 before this is asked.)"""
    if not target or has_control_characters(target):
        return "/upload"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/upload"
    return target


# ---- setting the server up -------------------------------------------------------------------


def secret_key(settings: Settings) -> str:
    """METRICS_SECRET_KEY, or the key kept in the store folder (made once; every worker
    reads the same one)."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / "secret_key"
    if not path.exists():
        write_atomically(path, secrets.token_hex(32).encode(), exclusive=True)  # first worker wins
    return path.read_text().strip()


class SessionCookies(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over HTTPS (as ProxyFix reports it
    behind METRICS_PROXIES proxies), and always with METRICS_SECURE_COOKIES (issue 22: it was off
    unless configured, even behind HTTPS)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and request.is_secure)


def configure(server: Flask, settings: Settings) -> None:
    """Sessions and their cookie, the proxies trusted, the require-login gate and the headers
    every answer carries."""
    if settings.proxies:  # behind a proxy, remote_addr is the proxy's: the rate limit would lump everyone together
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=settings.proxies, x_proto=settings.proxies)
    server.secret_key = secret_key(settings)
    server.session_interface = SessionCookies()
    server.config.update(
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="metrics_session",
        # the cookie never outlives the session; the server decides whether it is still live
        PERMANENT_SESSION_LIFETIME=settings.session_hours * 3600,
        SESSION_REFRESH_EACH_REQUEST=False,
        # A return is at most METRICS_MAX_UPLOAD_BYTES; leave room for the multipart wrapping.
        MAX_CONTENT_LENGTH=settings.max_upload_bytes * 2 + 64 * 1024,
    )

    if settings.require_login:

        @server.before_request
        def require_login():
            path = request.path
            if path.startswith(OPEN_PATHS) or current_user() is not None:
                return None
            if path.startswith("/_dash") or request.method != "GET":
                return jsonify(error="Sign in to see the dashboard."), 401
            return redirect(signin_address(request.full_path.rstrip("?")))

    @server.after_request
    def no_sniffing(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
