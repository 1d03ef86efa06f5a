"""The published database: built from the events, made current by one atomic rename of CURRENT.

    databases/metrics-<n>-<id>.duckdb   built from the events; never written once current
    databases/.building-<name>          a build in progress (left behind only by a crash)
    CURRENT                             the name of the database readers use

Making the database current (`make_current`) builds a new file holding every event, from a
copy of the current one (only the newer events added) or from nothing (`full`), then
switches CURRENT to it in one atomic rename and removes files superseded a while ago. Readers
(etl/queries) open the file CURRENT names read-only, so they never wait for a writer and
never see a half-built database. The caller holds the write lock.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from etl.build import Progress, build_database
from etl.events import Submission
from etl.files import fsync_file, make_folder, write_atomically
from etl.programmes import Programmes
from etl.queries import files
from etl.store.log import EventLog
from etl.store.records import rows_for

STALE_BUILD_SECONDS = 3600  # a .building file this old was left by a crashed build


class PublishedDatabase:
    def __init__(self, root: Path, log: EventLog, programmes: Programmes, keep_databases: int = 3):
        self.log = log
        self.programmes = programmes
        self.keep_databases = keep_databases
        self.databases = Path(root) / "databases"
        self.current_file = Path(root) / "CURRENT"

    def current(self) -> Path | None:
        """The database readers should open, or None before the first build."""
        try:
            name = self.current_file.read_text().strip()
        except FileNotFoundError:
            return None
        path = self.databases / name
        return path if name and path.exists() else None

    def is_current(self) -> bool:
        """True when a database exists and holds every event on disk."""
        path = self.current()
        return path is not None and files.last_event_in(path) == self.log.last_event_id()

    def make_current(self, progress: Progress | None = None, full: bool = False, reparse: bool = False) -> Path:
        """Build the database holding every event (from a copy of the current one unless
        `full`) and make it current in one atomic rename. With `reparse`, every original is
        read again, but a quarantined one, which is never read. The caller holds the lock."""
        make_folder(self.databases)
        events = self.log.events()
        reread = {e.id for e in events if isinstance(e, Submission)} - self.log.quarantined_ids() if reparse else set()
        last = max((e.id for e in events), default=0)
        name = f"metrics-{last:06d}-{uuid.uuid4().hex[:8]}.duckdb"
        building = self.databases / f".building-{name}"
        build_database(
            building,
            events,
            lambda subs: rows_for(self.log, subs, self.programmes, reread),
            start_from=None if full else self.current(),
            progress=progress,
            programmes=self.programmes,
        )
        os.chmod(building, 0o600)
        fsync_file(building)
        os.replace(building, self.databases / name)
        write_atomically(self.current_file, name.encode())
        self._remove_old(keep=name)
        return self.databases / name

    def _remove_old(self, keep: str) -> None:
        # Readers may still hold a superseded file open; on POSIX an open file survives
        # unlinking, and the newest few are kept for a reader that read CURRENT just before
        # the switch.
        old = sorted(
            (p for p in self.databases.glob("metrics-*.duckdb") if p.name != keep),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for path in old[self.keep_databases :]:
            path.unlink(missing_ok=True)
            Path(str(path) + ".wal").unlink(missing_ok=True)
        for stale in self.databases.glob(".building-*"):  # left by a crashed build
            if time.time() - stale.stat().st_mtime > STALE_BUILD_SECONDS:
                stale.unlink(missing_ok=True)
