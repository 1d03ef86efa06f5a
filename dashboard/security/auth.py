"""Sign-in, sessions, CSRF, rate limiting, and the checks every protected request goes through.

- A session is a record on the server (dashboard/sessions.py: shared by every worker, ended
  by signing out, by METRICS_SESSION_IDLE_MINUTES without use and METRICS_SESSION_HOURS
  after sign-in). Flask's signed cookie (HttpOnly, SameSite=Lax) carries only its random id;
  before sign-in it carries only the sign-in form's CSRF token. The signing key is
  METRICS_SECRET_KEY, or a random key generated once and kept in <METRICS_DATA>/secret_key
  (outside the repository, the same for every worker).
- The user is loaded once per request (`current_user()`, kept in flask.g) and checked
  against users.json: a removed user, a role change or a new password (the user's `stamp`,
  etl/users.py, no longer matching the session's) takes effect at once, everywhere.
- Endpoints say what they need with decorators: `@signed_in` (401 otherwise) and
  `@csrf_protected` (every state-changing request carries the session's CSRF token, in a
  form field `csrf_token` or an `X-CSRF-Token` header). A refusal is raised as `Refused`
  and turned into JSON (scripts) or a plain page (a form posted from a page) by one handler.
- `submission_for()` is the one place that fetches a submission a user may act on.
- Password tries are limited per client address and slowed per user name, counted before
  the password is checked (dashboard/signin_limits.py); no name can be locked out.
- With METRICS_REQUIRE_LOGIN, every page and Dash request needs a session; /signin,
  /healthz and static assets stay open.
"""

from __future__ import annotations

import contextlib
import functools
import hmac
import html
import secrets
from urllib.parse import quote, urlsplit

from flask import Flask, g, has_request_context, jsonify, redirect, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard.context import services
from dashboard.sessions import SessionRecord
from dashboard.signin_limits import TooMany
from etl.errors import Conflict, InvalidInput, NotAllowed, NotFound, Refusal, StoreBusy, StoreNotReady
from etl.events import Submission
from etl.files import write_atomically
from etl.permissions import Action, allowed, allowed_for_all, status, why_not
from etl.settings import Settings
from etl.users import User

OPEN_PATHS = ("/signin", "/healthz", "/assets/", "/_favicon.ico", "/favicon.ico")


# ---- refusals ------------------------------------------------------------------------------


class Refused(Exception):
    """A request that may not be done; `status` and `message` are what the user is told."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


# What each refusal of the data layer (etl/errors.py) answers: the one place they are mapped.
STATUS = {NotFound: 404, Conflict: 409, InvalidInput: 400, NotAllowed: 403, StoreBusy: 503, StoreNotReady: 503}


def status_of(refusal: Refusal) -> int:
    return next((code for kind, code in STATUS.items() if isinstance(refusal, kind)), 409)


@contextlib.contextmanager
def store_refusals(nothing_was: str):
    """The store's refusals as answers, each with its status: 'Nothing was <nothing_was>: why.'
    Anything else raised is a bug, and answers 500 with its traceback in the log."""
    try:
        yield
    except Refusal as refused:
        raise Refused(status_of(refused), f"Nothing was {nothing_was}: {refused}.") from None


def wants_page() -> bool:
    """Forms on the pages send from_page=1 and get pages; scripts get JSON."""
    return request.form.get("from_page") == "1"


def refusal_response(refused: Refused):
    """The one handler for every Refused: JSON, or a plain page for a form posted from a page."""
    if wants_page():
        title = "Not allowed" if refused.status == 403 else "Something went wrong"
        return page(title, f"<p>{html.escape(refused.message)}</p>"
                           "<p><a href='javascript:history.back()'>Go back</a></p>", refused.status)
    return jsonify(error=refused.message), refused.status


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
    if user is None or not hmac.compare_digest(user.stamp, record.stamp):
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
    return bool(expected) and isinstance(expected, str) and hmac.compare_digest(sent, expected)


def signed_in(view):
    """The endpoint needs a signed-in user (401 otherwise)."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            raise Refused(401, "Sign in first: uploading and restoring need a user account.")
        return view(*args, **kwargs)
    return wrapped


def csrf_protected(view):
    """The endpoint changes something: it needs the session's CSRF token (400 otherwise)."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not csrf_ok():
            raise Refused(400, "The form has expired (missing or wrong CSRF token). "
                               "Reload the page and try again.")
        return view(*args, **kwargs)
    return wrapped


def require(action: Action, ahsn: str | None = None) -> User:
    """The signed-in user, if they may do `action` (for `ahsn`); else 401 (not signed in) or
    403, saying why (etl/permissions.py decides)."""
    user = current_user()
    why = why_not(user, action, ahsn=ahsn, programme=services().programme)
    if why:
        raise Refused(status(user), why)
    return user


def may(action: Action, ahsn: str | None = None) -> bool:
    """Whether the user of this request may do `action` (for `ahsn`): for pages deciding what to offer."""
    return allowed(current_user() if has_request_context() else None, action, ahsn=ahsn,
                   programme=services().programme)


def submission_for(user: User | None, submission_id: int, action: Action, verb: str) -> Submission:
    """The submission, if it exists (404) and holds only AHSNs the user may do `action` for
    (403: 'Submission 12 holds returns of AHSNs you may not <verb>')."""
    submission = services().store.submission(submission_id)
    if submission is None:
        raise Refused(404, f"There is no submission {submission_id}.")
    if not allowed_for_all(user, action, submission.ahsns, programme=services().programme):
        raise Refused(403, f"Submission {submission_id} holds returns of AHSNs you may not "
                           f"{verb} (you are a {user.description}).")
    return submission


# ---- the signing key -----------------------------------------------------------------------


def secret_key(settings: Settings) -> str:
    """METRICS_SECRET_KEY, or the key kept in the store folder (made once; every worker
    reads the same one)."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / "secret_key"
    if not path.exists():
        write_atomically(path, secrets.token_hex(32).encode(), exclusive=True)  # first worker wins
    return path.read_text().strip()


# ---- pages and routes ----------------------------------------------------------------------


def page(title: str, body: str, status: int = 200):
    """A minimal page outside Dash (sign-in must work even when Dash needs a session)."""
    text = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} - national metrics</title>
<link rel="stylesheet" href="/assets/upload.css"></head>
<body class="auth-page"><main class="auth-box"><h1>{html.escape(title)}</h1>{body}</main></body></html>"""
    return text, status, {"Content-Type": "text/html; charset=utf-8"}


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
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return "/upload"
    return target


def _damaged_next():
    """A 400 page when the next= address holds control characters (no page makes one)."""
    if not has_control_characters(request.values.get("next") or ""):
        return None
    return page("This sign-in link is damaged", "<p>The address to go to after signing in "
                "holds control characters, so it was not used.</p>"
                "<p><a href='/signin'>Sign in</a> or <a href='/'>go to the dashboard</a>.</p>", 400)


def _signin_form(message: str = "", name: str = "", status: int = 200):
    nxt = html.escape(safe_next(request.values.get("next")))
    error = (f'<p class="auth-error" role="alert"><strong>There is a problem:</strong> '
             f'{html.escape(message)}</p>') if message else ""
    body = f"""{error}
<form method="post" action="/signin">
  <input type="hidden" name="csrf_token" value="{html.escape(csrf_token())}">
  <input type="hidden" name="next" value="{nxt}">
  <label for="signin-name">User name</label>
  <input id="signin-name" name="name" autocomplete="username" required value="{html.escape(name)}">
  <label for="signin-password">Password</label>
  <input id="signin-password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>
<p class="auth-hint">Accounts are made by the national team. Forgotten your password? Ask them
to set a new one.</p>
<p><a href="/">Back to the dashboard</a></p>"""
    return page("Sign in", body, status)


def register(server: Flask, settings: Settings) -> None:
    """Sessions, sign-in and sign-out, the require-login gate and the one refusal handler."""
    if settings.proxies:  # behind a proxy, remote_addr is the proxy's: the rate limit would lump everyone together
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=settings.proxies, x_proto=settings.proxies)
    server.secret_key = secret_key(settings)
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
    server.register_error_handler(Refused, refusal_response)

    if settings.require_login:
        @server.before_request
        def require_login():
            path = request.path
            if path.startswith(OPEN_PATHS) or current_user() is not None:
                return None
            if path.startswith("/_dash") or request.method != "GET":
                return jsonify(error="Sign in to see the dashboard."), 401
            return redirect("/signin?next=" + quote(request.full_path.rstrip("?"), safe="/"))

    @server.after_request
    def no_sniffing(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @server.get("/signin")
    def signin_page():
        if (damaged := _damaged_next()) is not None:
            return damaged
        if current_user() is not None:
            return redirect(safe_next(request.args.get("next")))
        return _signin_form()

    @server.post("/signin")
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

    @server.get("/session")
    def whoami():
        """Who is signed in, and the CSRF token scripts send with their POSTs. Same-origin
        only (no CORS), so another site cannot read the token."""
        user = current_user()
        if user is None:
            return jsonify(user=None), 401
        return jsonify(user=user.name, role=user.role, ahsn=user.ahsn, csrf_token=csrf_token())

    @server.post("/signout")
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
        message = (f"Too many failed sign-ins from your network address. Wait {minutes} minute"
                   f"{'s' if minutes != 1 else ''} and try again, or ask the national team to "
                   "reset your password.")
    else:
        seconds = refused.wait_seconds
        message = (f"Too many failed sign-ins for this user name. Wait {seconds} second"
                   f"{'s' if seconds != 1 else ''} and try again.")
    text, status, headers = _signin_form(message, name, 429)
    return text, status, {**headers, "Retry-After": str(refused.wait_seconds)}
