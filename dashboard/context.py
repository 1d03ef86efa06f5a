"""What every request works with, made once per app by `create_app`: the settings, the
store, its database reader, the accounts, the session records, the sign-in limits and the
upload previews waiting to be confirmed.

Pages, callbacks and endpoints get them with `services()`; nothing is read from the
environment or from module globals after start-up, so two apps with different settings can
live in one process (the tests make one per store).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from dashboard.pending import PendingPreviews
from dashboard.publisher import Publisher
from dashboard.sessions import Sessions
from dashboard.signin_limits import SigninLimits
from etl.programmes import Programme
from etl.queries import Database
from etl.settings import Settings
from etl.store import Store
from etl.users import Users

EXTENSION = "metrics"


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: Store
    db: Database
    users: Users
    publisher: Publisher
    sessions: Sessions
    signin_limits: SigninLimits
    pending: PendingPreviews

    @property
    def programme(self) -> Programme:
        return self.settings.programme

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        store = Store.from_settings(settings)
        db = Database(store)
        folder = settings.data_dir
        lifetime = settings.session_hours * 3600
        return cls(
            settings, store, db, Users(folder), Publisher(store, db),
            Sessions(folder, idle_seconds=settings.session_idle_minutes * 60, lifetime_seconds=lifetime),
            SigninLimits(folder, per_address=settings.login_attempts),
            # a preview cannot outlive every session that could confirm it
            PendingPreviews(folder, max(settings.pending_max_bytes, settings.max_upload_bytes), lifetime),
        )


def services() -> Services:
    """The services of the app handling the current request."""
    return current_app.extensions[EXTENSION]
