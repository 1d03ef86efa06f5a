"""Which programme an address is about, and the addresses the pages link to.

Every programme has its own pages under its code: `/tcam/`, `/precept/ahsn/wessex`,
`/pincer/compare`. `ProgrammePrefix`, a WSGI middleware in front of Flask, moves a leading
`/<code>` into SCRIPT_NAME and names the programme in the request's environ, so behind it one
set of pages, callbacks and endpoints serves every programme: Flask sees `/ahsn/wessex`, with
`request.script_root` `/precept`. Dash's renderer is told the same prefix for its own requests
(`ProgrammeDash`), so a callback asked from `/precept/...` comes back for PReCePT.

Without a code, `/` is the overview of every programme and `/ahsn/<name>` an AHSN's portfolio;
the other page addresses from before there were several programmes (`/compare`,
`/?quarters=...`, `/ahsn/kss?quarter=...`) are redirected to the default programme's
(`redirect_old_address`). Links are written with `here()` (this programme's address) or
`programme_address()` (another's), never as bare paths.
"""

from __future__ import annotations

from urllib.parse import quote

from dash import Dash
from flask import has_request_context, redirect, request

ENVIRON_KEY = "metrics.programme"
# First path segments the app itself uses: a programme may not take one as its code.
RESERVED = {
    "ahsn",
    "assets",
    "compare",
    "definitions",
    "download",
    "healthz",
    "history",
    "pathways",
    "returns",
    "session",
    "signin",
    "signout",
    "trajectories",
    "upload",
}
# The pages of one programme: unprefixed, these addresses were TCAM's before, and are redirected.
PROGRAMME_PAGES = ("/compare", "/definitions", "/history", "/returns", "/trajectories", "/upload", "/pathways")


class ProgrammePrefix:
    """WSGI middleware: `/<code>/rest` is served as `/rest` with SCRIPT_NAME `/<code>` and the
    programme's code in environ[ENVIRON_KEY]; `/<code>` alone is sent to `/<code>/`."""

    def __init__(self, app, codes) -> None:
        self.app = app
        self.codes = frozenset(codes)
        taken = self.codes & RESERVED
        if taken:
            raise ValueError(f"a programme's code may not be {', '.join(sorted(taken))}: the app uses that address")

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        code, _, rest = path.lstrip("/").partition("/")
        if code in self.codes:
            if not path.startswith(f"/{code}/"):  # `/precept` -> `/precept/`, so relative links work
                query = environ.get("QUERY_STRING")
                target = f"{environ.get('SCRIPT_NAME', '')}/{code}/" + (f"?{query}" if query else "")
                start_response("308 Permanent Redirect", [("Location", target), ("Content-Length", "0")])
                return [b""]
            environ = dict(environ)
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + f"/{code}"
            environ["PATH_INFO"] = "/" + rest
            environ[ENVIRON_KEY] = code
        return self.app(environ, start_response)


def programme_code() -> str | None:
    """The code of the programme this request's address names, or None (the overview, a
    portfolio, an old address, or no request)."""
    if not has_request_context():
        return None
    return request.environ.get(ENVIRON_KEY)


def here(path: str) -> str:
    """`path` (from the app's root, e.g. '/compare') in the programme this request is about."""
    if not has_request_context():
        return path
    return request.script_root + path


def programme_address(code: str, path: str = "/") -> str:
    """`path` in the programme of this code: programme_address('pincer', '/ahsn/kss')."""
    return f"/{code}{path}"


def signin_address(back_to: str) -> str:
    """The sign-in page, coming back to `back_to` (a path in this programme) afterwards."""
    return "/signin?next=" + quote(here(back_to), safe="/")


def redirect_old_address(default_code: str):
    """A redirect from an address of the time of one programme to the default programme's
    page, or None when the address is still the app's own (the overview, a portfolio, every
    endpoint that is not a page)."""
    if request.environ.get(ENVIRON_KEY) or request.method not in ("GET", "HEAD"):
        return None
    path = request.path
    old = (
        path in PROGRAMME_PAGES
        or (path == "/" and request.query_string)
        or (path.startswith("/ahsn/") and request.query_string)
    )
    if not old:
        return None
    query = request.query_string.decode("utf-8", "replace")
    return redirect(programme_address(default_code, path) + (f"?{query}" if query else ""), code=302)


class ProgrammeDash(Dash):
    """Dash, told per request the prefix of the programme it is serving: the renderer then asks
    for its layout and callbacks under `/<code>/`, and the pages' router matches the address
    without it. Scripts and styles stay at the root, shared by every programme."""

    def _prefix(self) -> str:
        return (request.script_root if has_request_context() else "") + "/"

    def _config(self):
        config = super()._config()
        config["requests_pathname_prefix"] = self._prefix()
        return config

    def get_relative_path(self, path):
        if not has_request_context():
            return super().get_relative_path(path)
        return self._prefix() + path.lstrip("/")

    def strip_relative_path(self, path):
        if has_request_context() and path and request.script_root and path.startswith(request.script_root):
            path = path[len(request.script_root) :] or "/"
        return super().strip_relative_path(path)
