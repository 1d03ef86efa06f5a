"""The published database: built from the events, made current by one atomic rename of CURRENT.

    databases/metrics-<n>-<id>.duckdb   built from the events; never written once current
    databases/.building-<name>          a build in progress (left behind only by a crash, and
                                        removed by the next build)
    CURRENT                             the name of the database readers use

Making the database current (`make_current`) builds a new file holding every event, from a
copy of the current one (only the newer events added) or from nothing (`full`), then
switches CURRENT to it in one atomic rename and removes files superseded a while ago. Readers
(etl/queries) open the file CURRENT names read-only, so they never wait for a writer and
never see a half-built database. The caller holds the write lock.

One event must never stop every later one being published. If a build fails for anything but
the machine (a value the database refuses, a fault in the build), the builds of ever longer
prefixes of the new events find the first event that breaks it; that event is left out (kept
in the store, untouched, and listed with the reason in the database's left_out_events, which
the history page, /healthz and the command line show) and the build goes on without it. An
incremental build carries the events left out before; a full `rebuild` tries them again.
"""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path

import duckdb

from etl.build import Progress, build_database, held_by
from etl.events import Event, Submission
from etl.files import FOLDER_MODE, fsync_file, make_folder, write_atomically
from etl.programmes import Programmes
from etl.queries import files
from etl.store.log import EventLog
from etl.store.records import KeptFileMissing, rows_for

# Failures of the machine, not of an event: never a reason to leave an event out.
NOT_AN_EVENTS_FAULT = (
    OSError,
    MemoryError,
    KeptFileMissing,
    duckdb.IOException,
    duckdb.OutOfMemoryException,
    duckdb.InterruptException,
)
REASON_CHARACTERS = 500
log = logging.getLogger(__name__)


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
        read again, but a quarantined one, which is never read. An event the build cannot
        hold is left out, with its reason (above). The caller holds the lock."""
        make_folder(self.databases)
        os.chmod(self.databases, FOLDER_MODE)  # a folder made before the store was private
        events = self.log.events()
        reread = {e.id for e in events if isinstance(e, Submission)} - self.log.quarantined_ids() if reparse else set()
        start = None if full else self.current()
        last = max((e.id for e in events), default=0)
        name = f"metrics-{last:06d}-{uuid.uuid4().hex[:8]}.duckdb"
        building = self.databases / f".building-{name}"
        try:
            self._build(building, events, reread, start, {}, progress)
        except NOT_AN_EVENTS_FAULT:
            raise
        except Exception as failure:
            left_out = self._find_left_out(events, reread, start, failure)
            self._build(building, events, reread, start, left_out, progress)
        fsync_file(building)
        os.replace(building, self.databases / name)
        write_atomically(self.current_file, name.encode())
        self._remove_old(keep=name)
        return self.databases / name

    def _build(
        self,
        path: Path,
        events: list[Event],
        reread: set[int],
        start: Path | None,
        left_out: dict[int, str],
        progress: Progress | None = None,
    ) -> None:
        """One build into `path` (owner-only: etl/build.py); nothing is left there if it fails."""
        try:
            build_database(
                path,
                events,
                lambda subs: rows_for(self.log, subs, self.programmes, reread),
                start,
                progress,
                left_out,
                programmes=self.programmes,
            )
        except BaseException:
            path.unlink(missing_ok=True)
            Path(f"{path}.wal").unlink(missing_ok=True)
            raise

    def _find_left_out(
        self, events: list[Event], reread: set[int], start: Path | None, failure: Exception
    ) -> dict[int, str]:
        """The events to leave out so that the build succeeds: the first new event whose
        build (with every earlier one) fails, found by halving, again until the build
        succeeds. Each trial extends the longest prefix built so far, so finding one costs
        about two builds. Raises `failure` if the build fails with no new event at all: the
        fault is then not in an event."""
        known = held_by(start, events)
        if known is None:
            start, known = None, 0
        new = [e for e in events if e.id > known]
        left_out: dict[int, str] = {}
        base, built = start, 0  # a database holding the first `built` new events (those left out, left out)

        def trial_path() -> Path:
            return self.databases / f".building-trial-{uuid.uuid4().hex[:8]}.duckdb"

        def fails(count: int) -> str | None:
            """Why a build of the events up to the `count`th new one fails; None if it does not
            (and the build is kept to extend)."""
            nonlocal base, built
            upto = new[count - 1].id if count else known
            trial = trial_path()
            try:
                self._build(trial, [e for e in events if e.id <= upto], reread, base, left_out)
            except NOT_AN_EVENTS_FAULT:
                raise
            except Exception as err:
                return f"{type(err).__name__}: {err}"[:REASON_CHARACTERS]
            if base is not None and base != start:
                base.unlink(missing_ok=True)
            base, built = trial, count
            return None

        try:
            if fails(0) is not None:
                raise failure
            good, reason = 0, f"{type(failure).__name__}: {failure}"[:REASON_CHARACTERS]
            while reason is not None:
                bad = len(new)  # the first new event that breaks the build is in (good, bad]
                while bad - good > 1:
                    middle = (good + bad) // 2
                    why = fails(middle)
                    if why is None:
                        good = middle
                    else:
                        bad, reason = middle, why
                culprit = new[bad - 1]
                left_out[culprit.id] = reason
                log.error("event %s left out of the figures: %s", culprit.id, reason)
                good = bad
                reason = fails(len(new)) if good < len(new) else None
            return left_out
        finally:
            if base is not None and base != start:
                base.unlink(missing_ok=True)

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
        remove_unfinished(self.databases)


def remove_unfinished(databases: Path) -> None:
    """Remove the builds a crash left behind: the caller holds the write lock, so no build is
    running. Called after every build, and by the app and the command line as they start."""
    for unfinished in databases.glob(".building-*"):
        unfinished.unlink(missing_ok=True)
