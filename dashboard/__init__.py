"""The web app. `create_app(settings)` is its composition root: it makes the services
(store, database reader, accounts) from the settings, builds the Dash app with its pages,
and wires each feature's endpoints onto the Flask server. No feature module registers
another; nothing reads the environment after this.

    dashboard/
      context.py       the services a request works with (`services()`)
      auth.py          sign-in, CSRF, refusals, who may act on a submission
      sessions.py, signin_limits.py   session records; how often a password may be tried
      pending.py       upload previews waiting to be confirmed
      request_checks.py   crafted requests answered 400/404, never 500
      uploads.py       store, restore, quarantine, download and template endpoints
      signoff.py       the national team's sign-off, due dates, revisions and reminders
      trajectories.py  setting an AHSN's trajectory (its stepped targets), and who may
      publisher.py     publishing committed writes in the background
      health.py        /healthz
      shell.py         the frame of every page
      prerender.py     each page's first response carries the page as HTML (first paint without JavaScript)
      downloads.py     /download/...: every table as CSV, Excel and JSON (the data interface)
      pages/           one module per page, with its callbacks
      views.py         what each page shows, read from its address (pages and downloads share it)
      checked_file.py  a checked file's problems and readings (Upload and Trajectories pages)
      figures.py, national_table.py, ahsn_story.py, sheets.py   pure functions
"""

from __future__ import annotations

from pathlib import Path

from dash import Dash
from flask import Flask, g, request

from dashboard import auth, downloads, health, prerender, request_checks, shell, signoff, trajectories, uploads
from dashboard.context import EXTENSION, Services
from etl.settings import Settings
from etl.store import StoreNotReady

ROOT = Path(__file__).resolve().parent.parent
# Paths that work before the store has a database: /healthz says what to do.
WITHOUT_DATA = ("/healthz", "/assets/", "/_dash-component-suites/", "/_favicon.ico", "/signin",
                "/signout", "/session")


def create_app(settings: Settings) -> Dash:
    """The dashboard for these settings. `app.server` is the WSGI app gunicorn serves."""
    services = Services.from_settings(settings)
    app = Dash(
        "dashboard",
        use_pages=True,
        pages_folder="pages",
        assets_folder=str(ROOT / "assets"),
        title=f"{settings.programme.short_name} national metrics",
        suppress_callback_exceptions=True,  # pages are laid out on demand
        # pages, styles, scripts and callbacks' JSON sent compressed (flask-compress): Dash's
        # scripts and plotly are 6.1 MB as they are, 1.8 MB gzipped (issue 21, a slow NHS network)
        compress=True,
    )
    server: Flask = app.server
    server.extensions[EXTENSION] = services
    app.layout = shell.layout
    prerender.install(app)
    _one_snapshot_per_request(server, services)

    auth.register(server, settings)
    request_checks.register(app)
    health.register(server)
    uploads.register(server)
    signoff.register(server)
    trajectories.register(server)
    downloads.register(server)
    _refuse_without_data(server, services)
    return app


def _one_snapshot_per_request(server: Flask, services: Services) -> None:
    """Every read in one request is from the same database, even if a write is published
    meanwhile: a page never shows a restore beside the figures from before it."""

    @server.before_request
    def begin_snapshot():
        g.database_snapshot = services.db.begin_snapshot()

    @server.teardown_request
    def end_snapshot(_error=None):
        token = g.pop("database_snapshot", None)
        if token is not None:
            services.db.end_snapshot(token)


def _refuse_without_data(server: Flask, services: Services) -> None:
    """Pages on a store with no database answer 503 with what to run. Reading never builds
    the store: only `make run`, `python -m etl init` and writers do."""

    def not_ready(_err=None):
        message = str(StoreNotReady())
        if request.path.startswith("/_dash"):
            return {"error": message}, 503
        return auth.page("No data yet", f"<p>The dashboard has no data yet: {message}.</p>", 503)

    @server.before_request
    def require_data():
        if request.path.startswith(WITHOUT_DATA):
            return None
        if services.store.current_database() is None:
            return not_ready()
        return None

    @server.before_request
    def finish_committed_writes():
        if not request.path.startswith(("/assets/", "/_dash-component-suites/")):
            services.publisher.finish_if_behind()  # a write committed by a worker that died

    server.register_error_handler(StoreNotReady, not_ready)
