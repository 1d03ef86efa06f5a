"""What every request works with, made once per app by `create_app` (dashboard/__init__.py):
the settings, the store, its database reader, the accounts, the session records, the sign-in
limits, how often reminders may be sent, the upload previews waiting to be confirmed and the background work that makes the
figures current.

Pages, callbacks and endpoints get them with `services()`; nothing is read from the
environment or from module globals after start-up, so two apps with different settings can
live in one process (the tests make one per store). Imports etl only (the other types are
named for the reader, not imported at run time).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app, has_request_context, request

from dashboard.addresses import ENVIRON_KEY
from etl.programmes import Programme
from etl.queries import Database
from etl.settings import Settings
from etl.store import Store
from etl.users import Users

if TYPE_CHECKING:  # the composition root makes them; here they are only named
    from dashboard.background.make_current import BackgroundMakeCurrent
    from dashboard.background.pending import PendingPreviews
    from dashboard.security.reading_slots import ReadingSlots
    from dashboard.security.reminder_limits import ReminderLimits
    from dashboard.security.sessions import Sessions
    from dashboard.security.signin_limits import SigninLimits

EXTENSION = "metrics"


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: Store
    db: Database
    users: Users
    make_current: BackgroundMakeCurrent
    sessions: Sessions
    signin_limits: SigninLimits
    pending: PendingPreviews
    reading: ReadingSlots
    reminders: ReminderLimits

    @property
    def programme(self) -> Programme:
        """The programme this request's address names (dashboard/addresses.py), else the
        default one (METRICS_PROGRAMME)."""
        code = request.environ.get(ENVIRON_KEY) if has_request_context() else None
        return self.settings.programmes.get(code) if code else self.settings.programme


def services() -> Services:
    """The services of the app handling the current request."""
    return current_app.extensions[EXTENSION]
