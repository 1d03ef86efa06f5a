"""The web app. `create_app(settings)` is its composition root: it makes the services (store,
database reader, accounts, sessions, previews, background work) from the settings, builds the
Dash app with its pages, and wires the security, the endpoints and the refusals onto the Flask
server. Nothing reads the environment after this. docs/architecture.md says what each folder
holds and what it may import:

    dashboard/
      __init__.py     create_app: the one module that knows every layer
      context.py      the services a request works with (`services()`)
      pages/          the Dash pages, one module a page with its callbacks
      presentation/   what the pages and downloads show: page state read from the address
                      (views.py), tables, figures, stories, sheets, the shell and first paint
      endpoints/      the Flask Blueprints outside Dash: uploads, history, sign-off,
                      trajectories, downloads, health, sign-in; every refusal answered in one place
      security/       who is asking and whether they may: sessions, sign-in limits, CSRF,
                      crafted requests
      background/     work after the answer: making the figures current, previews, receipts
      templates/      Jinja templates of the pages outside Dash (sign-in, messages)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dash import Dash
from flask import Flask, g, request

from dashboard import compression, endpoints
from dashboard.addresses import ProgrammeDash, ProgrammePrefix, redirect_old_address
from dashboard.background.make_current import BackgroundMakeCurrent
from dashboard.background.pending import PendingPreviews
from dashboard.context import EXTENSION, Services
from dashboard.presentation import prerender, shell
from dashboard.security import auth, request_checks
from dashboard.security.reading_slots import ReadingSlots
from dashboard.security.reminder_limits import ReminderLimits
from dashboard.security.sessions import Sessions
from dashboard.security.signin_limits import SigninLimits
from etl.errors import StoreNotReady
from etl.queries import Database
from etl.settings import Settings
from etl.store import Store
from etl.users import Users

ROOT = Path(__file__).resolve().parent.parent
# Paths that work before the store has a database: /healthz says what to do.
WITHOUT_DATA = ("/healthz", "/assets/", "/_dash-component-suites/", "/_favicon.ico", "/signin", "/signout", "/session")


def services_for(settings: Settings) -> Services:
    """Every service an app works with, made from its settings."""
    store = Store.from_settings(settings)
    db = Database(store)
    folder = settings.data_dir
    lifetime = settings.session_hours * 3600
    return Services(
        settings,
        store,
        db,
        Users(folder),
        BackgroundMakeCurrent(store, db),
        Sessions(folder, idle_seconds=settings.session_idle_minutes * 60, lifetime_seconds=lifetime),
        SigninLimits(folder, per_address=settings.login_attempts),
        # a preview cannot outlive every session that could confirm it
        PendingPreviews(folder, max(settings.pending_max_bytes, settings.max_upload_bytes), lifetime),
        ReadingSlots(folder, settings.reads_at_once),
        ReminderLimits(folder, settings.reminder_hours),
    )


def create_app(settings: Settings) -> Dash:
    """The dashboard for these settings. `app.server` is the WSGI app gunicorn serves."""
    services = services_for(settings)
    server = Flask("dashboard")
    compression.configure(server)
    app = ProgrammeDash(
        "dashboard",
        server=server,
        use_pages=True,
        pages_folder="pages",
        assets_folder=str(ROOT / "assets"),
        title=f"{settings.programme.short_name} national metrics",
        suppress_callback_exceptions=True,  # pages are laid out on demand
        # pages, styles, scripts and callbacks' JSON sent compressed (flask-compress): Dash's
        # scripts and plotly are 6.1 MB as they are, 1.8 MB gzipped (issue 21, a slow NHS network)
        # scripts and plotly are compressed once per worker (dashboard/compression.py)
        compress=True,
    )
    server.extensions[EXTENSION] = services
    # every programme's pages under its code: /tcam/, /precept/ahsn/wessex (dashboard/addresses.py)
    server.wsgi_app = ProgrammePrefix(server.wsgi_app, settings.programmes.codes)
    app.layout = shell.layout
    prerender.install(app, shared_by=lambda: _shared_page_key(services))
    _one_snapshot_per_request(server, services)

    auth.configure(server, settings)
    request_checks.register(app)
    endpoints.register(server)
    _refuse_without_data(server, services)
    _redirect_old_addresses(server, settings)
    return app


def _redirect_old_addresses(server: Flask, settings: Settings) -> None:
    """The page addresses from the time of one programme (/compare, /?quarters=...) lead to the
    default programme's pages (/tcam/compare): bookmarks and board papers keep working."""

    @server.before_request
    def old_address():
        return redirect_old_address(settings.programme.code)


def _shared_page_key(services: Services) -> tuple | None:
    """Who may share a first paint (presentation/shared_pages.py): every visitor not signed in,
    for the same published database on the same day (due dates count days from today)."""
    if auth.current_user() is not None:
        return None
    return services.db.path.name, dt.date.today().isoformat()


def _one_snapshot_per_request(server: Flask, services: Services) -> None:
    """Every read in one request is from the same database, even if a write is made current
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
    """Pages on a store with no database answer 503 with what to run (endpoints/refusals.py).
    Reading never builds the store: only `make run`, `python -m etl init` and writers do."""

    @server.before_request
    def require_data():
        if request.path.startswith(WITHOUT_DATA):
            return None
        if services.store.current_database() is None:
            raise StoreNotReady()
        return None

    @server.before_request
    def finish_committed_writes():
        if not request.path.startswith(("/assets/", "/_dash-component-suites/")):
            services.make_current.if_behind()  # a write committed by a worker that died
