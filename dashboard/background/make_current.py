"""Making the figures current in the background, so no request waits for a database build.

A write's commit point is its event file: once it is written the user is told "stored", and
the database holding it is built and made current afterwards (etl/store: build, then switch
CURRENT), in a background thread of the worker that committed it. If that worker dies first
(killed, recycled, out of memory), any worker finishes the job: each checks, at most every few
seconds and never inside the request's own work, whether the database is behind the events,
and if so makes it current in the background when no other writer holds the store's lock.
"""

from __future__ import annotations

import logging
import threading
import time

from etl.queries import Database
from etl.store import Store

CHECK_EVERY_SECONDS = 2.0
log = logging.getLogger(__name__)


class BackgroundMakeCurrent:
    """One per app (per worker process after the fork)."""

    def __init__(self, store: Store, db: Database):
        self.store = store
        self.db = db
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False
        self._checked_at = 0.0

    def soon(self) -> None:
        """Make the figures current in the background now (after a commit in this worker)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                self._again = True  # a commit landed while building: build once more after
                return
            # not a daemon: a worker shutting down (recycled by gunicorn) finishes the build first
            self._thread = threading.Thread(target=self._run, name="make-current", daemon=False)
            self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                self.store.make_current()
            except Exception:  # the next check (in any worker) tries again
                log.exception("making the store's new events current failed")
            with self._lock:
                if not self._again:
                    self._thread = None
                    return
                self._again = False

    def if_behind(self) -> None:
        """Called before requests: if the database is behind the events (a worker died
        between a commit and making it current), make it current in the background. Cheap: at
        most one look every CHECK_EVERY_SECONDS per worker, and only the event folder and the
        open database's own record of its last event are read."""
        now = time.monotonic()
        if now - self._checked_at < CHECK_EVERY_SECONDS:
            return
        self._checked_at = now
        try:
            behind = self.db.is_behind()
        except Exception:  # no database yet, or unreadable: /healthz reports it
            return
        if behind:
            self.soon()
