"""Sign-in, sessions, CSRF, rate limiting and the permission checks every request goes through.

- Sessions are Flask's signed cookies (HttpOnly, SameSite=Lax) holding the user name, the
  user's `stamp` (etl/users.py; a password change or removal ends the session) and a CSRF
  token. The signing key is METRICS_SECRET_KEY, or a random key generated once and kept in
  <METRICS_DATA>/secret_key (outside the repository, and separate for every store, so tests
  are isolated). The key is read per request, so every gunicorn worker uses the same one.
- Who the user is gets re-read from users.json on every request (`current_user()`), so a
  removed user or a role change takes effect at once, in every worker.
- Every state-changing request (sign-in, sign-out, commit, restore) must carry the
  session's CSRF token, in a form field `csrf_token` or an `X-CSRF-Token` header.
- Failed sign-ins are counted per user name and per client address in a small SQLite file
  in the store folder, shared by all workers; METRICS_LOGIN_ATTEMPTS failures in 15
  minutes block further tries from that name or address until the window passes.
- With METRICS_REQUIRE_LOGIN, every page and Dash request needs a session; /signin,
  /healthz and static assets stay open.
"""

from __future__ import annotations

import hmac
import html
import os
import secrets
import sqlite3
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, jsonify, redirect, request, session
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from werkzeug.middleware.proxy_fix import ProxyFix

from etl import settings, users
from etl.users import User

SESSION_HOURS = 12
WINDOW_SECONDS = 15 * 60
OPEN_PATHS = ("/signin", "/healthz", "/assets/", "/_favicon.ico", "/favicon.ico")


# ---- the signing key ---------------------------------------------------------------------

_keys: dict[Path, bytes] = {}


def secret_key() -> bytes:
    configured = settings.get("METRICS_SECRET_KEY")
    if configured:
        return configured.encode()
    path = settings.data_dir() / "secret_key"
    if path not in _keys:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".secret_key.{uuid.uuid4().hex[:8]}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
                f.flush()
                os.fsync(f.fileno())
            try:
                os.link(tmp, path)  # fails if another worker got there first: use theirs
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        _keys[path] = path.read_text().strip().encode()
    return _keys[path]


class _StoreKeySessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the key looked up per request (see secret_key)."""

    def get_signing_serializer(self, app):
        return URLSafeTimedSerializer(
            secret_key(), salt=self.salt, serializer=self.serializer,
            signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method})


# ---- who is asking -----------------------------------------------------------------------


def current_user() -> User | None:
    """The signed-in user, checked against users.json on every call."""
    name = session.get("user")
    if not name:
        return None
    user = users.get(name)
    if user is None or not hmac.compare_digest(user.stamp, session.get("stamp", "")):
        return None
    return user


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _csrf_ok() -> bool:
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    expected = session.get("csrf", "")
    return bool(expected) and hmac.compare_digest(sent, expected)


def wants_page() -> bool:
    """Forms on the pages send from_page=1 and get redirects; scripts get JSON."""
    return request.form.get("from_page") == "1"


def refuse(status: int, message: str):
    """A refusal as JSON (scripts and tests) or as a plain page (a browser form post)."""
    if wants_page():
        return _page("Not allowed" if status == 403 else "Something went wrong",
                     f"<p>{html.escape(message)}</p><p><a href='javascript:history.back()'>Go back</a></p>",
                     status)
    return jsonify(error=message), status


def signed_in_for_change():
    """For state-changing endpoints: (user, None) or (None, refusal response)."""
    user = current_user()
    if user is None:
        return None, refuse(401, "Sign in first: uploading and restoring need a user account.")
    if not _csrf_ok():
        return None, refuse(400, "The form has expired (missing or wrong CSRF token). "
                                 "Reload the page and try again.")
    return user, None


# ---- rate limiting -----------------------------------------------------------------------


def _attempts_db() -> sqlite3.Connection:
    path = settings.data_dir() / "signin_attempts.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=10, isolation_level=None)
    con.execute("CREATE TABLE IF NOT EXISTS failures (key TEXT NOT NULL, at REAL NOT NULL)")
    con.execute("CREATE INDEX IF NOT EXISTS failures_key ON failures (key, at)")
    return con


def _keys_for(name: str) -> list[str]:
    return [f"user:{name.lower()}", f"address:{request.remote_addr or 'unknown'}"]


def blocked(name: str) -> bool:
    limit = settings.get_int("METRICS_LOGIN_ATTEMPTS")
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


# ---- pages and routes --------------------------------------------------------------------


def _page(title: str, body: str, status: int = 200):
    """A minimal page outside Dash (sign-in must work even when Dash needs a session)."""
    text = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} - national metrics</title>
<link rel="stylesheet" href="/assets/upload.css"></head>
<body class="auth-page"><main class="auth-box"><h1>{html.escape(title)}</h1>{body}</main></body></html>"""
    return text, status, {"Content-Type": "text/html; charset=utf-8"}


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect a signed-in user to another site."""
    if not target:
        return "/upload"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return "/upload"
    return target


def _signin_form(message: str = "", name: str = "", status: int = 200):
    nxt = html.escape(_safe_next(request.values.get("next")))
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
    return _page("Sign in", body, status)


def register(server: Flask) -> None:
    proxies = settings.get_int("METRICS_PROXIES")
    if proxies:  # behind a proxy, remote_addr is the proxy's: the rate limit would lump everyone together
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=proxies, x_proto=proxies)
    server.session_interface = _StoreKeySessions()
    server.config.update(
        SESSION_COOKIE_SECURE=settings.get_bool("METRICS_SECURE_COOKIES"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="metrics_session",
        PERMANENT_SESSION_LIFETIME=SESSION_HOURS * 3600,
        # A return is at most METRICS_MAX_UPLOAD_BYTES; leave room for the multipart wrapping.
        MAX_CONTENT_LENGTH=settings.get_int("METRICS_MAX_UPLOAD_BYTES") * 2 + 64 * 1024,
    )

    @server.before_request
    def require_login():
        if not settings.get_bool("METRICS_REQUIRE_LOGIN"):
            return None
        path = request.path
        if path.startswith(OPEN_PATHS) or current_user() is not None:
            return None
        if path.startswith("/_dash") or request.method != "GET":
            return jsonify(error="Sign in to see the dashboard."), 401
        return redirect("/signin?next=" + _quote(request.full_path.rstrip("?")))

    @server.after_request
    def no_sniffing(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @server.get("/signin")
    def signin_page():
        if current_user() is not None:
            return redirect(_safe_next(request.args.get("next")))
        return _signin_form()

    @server.post("/signin")
    def signin():
        name = (request.form.get("name") or "").strip()
        password = request.form.get("password") or ""
        if not _csrf_ok():
            return _signin_form("The form had expired. Please sign in again.", name, 400)
        if blocked(name):
            return _signin_form("Too many failed sign-ins. Wait 15 minutes and try again, or ask "
                                "the national team to reset your password.", name, 429)
        user = users.authenticate(name, password)
        if user is None:
            record_failure(name)
            return _signin_form("The user name or password is wrong.", name, 401)
        session.clear()  # a fresh session (and CSRF token) at every sign-in: no fixation
        session.permanent = True
        session.update(user=user.name, stamp=user.stamp, csrf=secrets.token_urlsafe(32))
        return redirect(_safe_next(request.form.get("next")), code=303)

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
        if _csrf_ok():
            session.clear()
        return redirect("/", code=303)

    from dashboard import uploads  # the endpoints that change data or send originals

    uploads.register(server)


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")



def user_badge():
    """The shell header's "Signed in as ... / Sign out" (or "Sign in") element."""
    from dash import dcc, html
    from flask import has_request_context

    user = current_user() if has_request_context() else None
    if user is None:
        return html.Div(html.A("Sign in", href="/signin", className="shell-signin"), className="shell-user")
    return html.Form(action="/signout", method="POST", className="shell-user", children=[
        html.Span(["Signed in as ", html.Strong(user.name), f" ({user.description})"]),
        dcc.Input(type="hidden", name="csrf_token", value=csrf_token(), id="shell-user-csrf"),
        html.Button("Sign out", type="submit", className="shell-signout"),
    ])
