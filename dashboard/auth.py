"""Sign-in, sessions, CSRF, rate limiting, and the checks every protected request goes through.

- Sessions are Flask's signed cookies (HttpOnly, SameSite=Lax) holding the user name, the
  user's `stamp` (etl/users.py; a password change or removal ends the session) and a CSRF
  token. The signing key is METRICS_SECRET_KEY, or a random key generated once and kept in
  <METRICS_DATA>/secret_key (outside the repository, the same for every worker).
- The user is loaded once per request (`current_user()`, kept in flask.g) and checked
  against users.json, so a removed user or a role change takes effect at once, everywhere.
- Endpoints say what they need with decorators: `@signed_in` (401 otherwise) and
  `@csrf_protected` (every state-changing request carries the session's CSRF token, in a
  form field `csrf_token` or an `X-CSRF-Token` header). A refusal is raised as `Refused`
  and turned into JSON (scripts) or a plain page (a form posted from a page) by one handler.
- `submission_for()` is the one place that fetches a submission a user may act on.
- Failed sign-ins are counted per user name and per client address in a small SQLite file
  in the store folder, shared by all workers; METRICS_LOGIN_ATTEMPTS failures in 15
  minutes block further tries from that name or address until the window passes.
- With METRICS_REQUIRE_LOGIN, every page and Dash request needs a session; /signin,
  /healthz and static assets stay open.
"""

from __future__ import annotations

import functools
import hmac
import html
import secrets
import sqlite3
import time
from urllib.parse import quote, urlsplit

from flask import Flask, g, jsonify, redirect, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard.context import services
from etl.events import Submission
from etl.files import write_atomically
from etl.settings import Settings
from etl.users import User

SESSION_HOURS = 12
WINDOW_SECONDS = 15 * 60
OPEN_PATHS = ("/signin", "/healthz", "/assets/", "/_favicon.ico", "/favicon.ico")


# ---- refusals ------------------------------------------------------------------------------


class Refused(Exception):
    """A request that may not be done; `status` and `message` are what the user is told."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


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
        g.user = _session_user()
    return g.user


def _session_user() -> User | None:
    name = session.get("user")
    if not name:
        return None
    user = services().users.get(name)
    if user is None or not hmac.compare_digest(user.stamp, session.get("stamp", "")):
        return None
    return user


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def csrf_ok() -> bool:
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    expected = session.get("csrf", "")
    return bool(expected) and hmac.compare_digest(sent, expected)


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


def submission_for(user: User, submission_id: int, action: str) -> Submission:
    """The submission, if it exists (404) and holds only AHSNs the user may act on (403)."""
    submission = services().store.submission(submission_id)
    if submission is None:
        raise Refused(404, f"There is no submission {submission_id}.")
    if not user.may_act_on(submission.ahsns):
        raise Refused(403, f"Submission {submission_id} holds returns of AHSNs you may not "
                           f"{action} (you are a {user.description}).")
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


# ---- rate limiting -------------------------------------------------------------------------


def _attempts_db() -> sqlite3.Connection:
    path = services().settings.data_dir / "signin_attempts.sqlite"
    con = sqlite3.connect(path, timeout=10, isolation_level=None)
    con.execute("CREATE TABLE IF NOT EXISTS failures (key TEXT NOT NULL, at REAL NOT NULL)")
    con.execute("CREATE INDEX IF NOT EXISTS failures_key ON failures (key, at)")
    return con


def _keys_for(name: str) -> list[str]:
    return [f"user:{name.lower()}", f"address:{request.remote_addr or 'unknown'}"]


def blocked(name: str) -> bool:
    limit = services().settings.login_attempts
    since = time.time() - WINDOW_SECONDS
    con = _attempts_db()
    try:
        for key in _keys_for(name):
            (count,) = con.execute("SELECT count(*) FROM failures WHERE key = ? AND at > ?",
                                   (key, since)).fetchone()
            if count >= limit:
                return True
        return False
    finally:
        con.close()


def record_failure(name: str) -> None:
    con = _attempts_db()
    try:
        now = time.time()
        con.executemany("INSERT INTO failures VALUES (?, ?)", [(k, now) for k in _keys_for(name)])
        con.execute("DELETE FROM failures WHERE at < ?", (now - WINDOW_SECONDS,))
    finally:
        con.close()


# ---- pages and routes ----------------------------------------------------------------------


def page(title: str, body: str, status: int = 200):
    """A minimal page outside Dash (sign-in must work even when Dash needs a session)."""
    text = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} - national metrics</title>
<link rel="stylesheet" href="/assets/upload.css"></head>
<body class="auth-page"><main class="auth-box"><h1>{html.escape(title)}</h1>{body}</main></body></html>"""
    return text, status, {"Content-Type": "text/html; charset=utf-8"}


def safe_next(target: str | None) -> str:
    """Only local paths: never redirect a signed-in user to another site."""
    if not target:
        return "/upload"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return "/upload"
    return target


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
        PERMANENT_SESSION_LIFETIME=SESSION_HOURS * 3600,
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
        if current_user() is not None:
            return redirect(safe_next(request.args.get("next")))
        return _signin_form()

    @server.post("/signin")
    def signin():
        name = (request.form.get("name") or "").strip()
        password = request.form.get("password") or ""
        if not csrf_ok():
            return _signin_form("The form had expired. Please sign in again.", name, 400)
        if blocked(name):
            return _signin_form("Too many failed sign-ins. Wait 15 minutes and try again, or ask "
                                "the national team to reset your password.", name, 429)
        user = services().users.authenticate(name, password)
        if user is None:
            record_failure(name)
            return _signin_form("The user name or password is wrong.", name, 401)
        session.clear()  # a fresh session (and CSRF token) at every sign-in: no fixation
        session.permanent = True
        session.update(user=user.name, stamp=user.stamp, csrf=secrets.token_urlsafe(32))
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
            session.clear()
        return redirect("/", code=303)
