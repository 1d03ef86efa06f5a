"""The floor for the paint benchmark (tests/bench_paint.py): static HTML pages served by a tiny
WSGI app in the same gunicorn, with the same worker settings, as the real app.

    METRICS_STATIC_PAGES=/some/folder gunicorn tests.bench_static_app:app

`/<name>` is the file <name>.html in that folder; `/assets/...` is the project's own assets
folder (the query string, Dash's cache-busting stamp, ignored), so a static page links the same
stylesheets as the real one, gzipped as the real app sends them. Nothing else runs per
request: no Flask, no database, no session. That is the point: the ratio to this page counts everything the real app adds, its own hooks
included, against what a static site on the same server would give.
"""

from __future__ import annotations

import gzip
import mimetypes
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
# gzipped as the real app sends them (flask-compress's default level): what any static server does
COMPRESSED = {"text/html", "text/css", "text/javascript", "application/javascript"}
GZIP_LEVEL = 6


def _file(path: str) -> Path | None:
    if path.startswith("/assets/"):
        folder, name = ASSETS, path[len("/assets/") :]
    else:
        folder, name = Path(os.environ["METRICS_STATIC_PAGES"]), path.strip("/") + ".html"
    found = (folder / name).resolve()
    return found if found.is_file() and found.is_relative_to(folder.resolve()) else None


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/healthz":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"status": "ok"}']
    found = _file(path)
    if found is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    body = found.read_bytes()
    kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
    headers = [
        ("Content-Type", kind + ("; charset=utf-8" if kind.startswith("text/") else "")),
        ("Cache-Control", "no-cache"),
        ("Vary", "Accept-Encoding"),
    ]
    if kind in COMPRESSED and "gzip" in environ.get("HTTP_ACCEPT_ENCODING", ""):
        body = gzip.compress(body, GZIP_LEVEL)
        headers.append(("Content-Encoding", "gzip"))
    start_response("200 OK", [*headers, ("Content-Length", str(len(body)))])
    return [body]
