"""The store: one folder holding every accepted file, its events and the DuckDB database built from them.

    <METRICS_DATA>/
      originals/, parsed/, events/    the source of truth (log.py): every file as sent, each
                                      return's rows as validated, the numbered events
      databases/, CURRENT             the published database, built from the events (database.py)
      write.lock                      held by the one process writing (lock.py)

One concern a file:

    log.py          the event log, the kept originals and rows; `append` is the commit point
    lock.py         one writer at a time, across processes
    records.py      each submission's rows for a build: kept, or its original read again
    database.py     the published database: build, make current (switch CURRENT), retention
    commands.py     what every write shares: who and from where, the event's envelope, reasons,
                    the lock held with the figures current for a check
    returns.py      storing returns: read once, checked against the current figures, committed
    curation.py     restore, quarantine, release, revision decisions
    collection.py   signing a quarter off, due dates
    trajectories.py setting trajectories
    conditions.py   recording each AHSN's spread conditions (the pathways analysis's cases)
    demo.py         the embedded demo data, loaded into an empty store

A write takes the lock, checks what it is given against what is committed, keeps what it
must, and appends its events: the commit point (one atomic rename, so a batch is stored whole
or not at all). Making the database current then builds a new file from a copy of the current
one with the new events added, and switches CURRENT to it with an atomic rename; the command
line does that at once (`make_current=True`), the web app in a background thread, so a
request never builds. Readers (etl/queries) open the file CURRENT names read-only, so they
never wait for a writer and never see a half-built database. A crash before the commit leaves
everything as it was; after it, the next build (any writer, any web worker, `python -m etl
init`) finishes the job.

`Store` is the one entry point: the command line, the web app and the tests use it. It is
the event log (every reading of the events and kept files, from log.py) with the published
database and the write commands, each handed to the module of its concern. `ensure()` (which
may build) is for start-up and the command line only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TypedDict, Unpack

from etl.build import Progress
from etl.errors import StoreBusy, StoreNotReady
from etl.events import (
    ApproveRevision,
    Quarantine,
    RejectRevision,
    Release,
    Restore,
    SetConditions,
    SetDueDate,
    SetTrajectory,
    SignOff,
)
from etl.pathways.conditions_file import Change as ConditionsChange
from etl.pathways.conditions_file import ParsedConditions, read_conditions_file
from etl.programmes import Programme, Programmes, bundled
from etl.quarters import Quarter
from etl.queries import files as database_files
from etl.reading.limits import ReadLimits
from etl.reading.result import ParsedTrajectory
from etl.store import collection, conditions, curation, demo, returns, trajectories
from etl.store.commands import Actor, Writer
from etl.store.database import PublishedDatabase, remove_unfinished
from etl.store.log import EventLog
from etl.store.records import records_from_json, records_json
from etl.store.returns import Accepted
from etl.trajectories import Change, parse_trajectory
from etl.users import User
from etl.validate import ParsedReturn

__all__ = ["Accepted", "Store", "StoreBusy", "StoreNotReady", "Who", "records_from_json", "records_json"]


class Who(TypedDict, total=False):
    """Who writes, and how, given to every write command as keywords."""

    by: str | None  # who, as kept with the event (default: the command line's user)
    source: str | None  # from where (default: the command line on this host)
    user: User | None  # the signed-in account of a web write: its permissions are checked
    make_current: bool  # build and switch after the commit (default: the command line's way);
    # the web app passes False and leaves it to its background thread


def _actor(who: Who) -> Actor:
    unknown = set(who) - set(Who.__annotations__)
    if unknown:  # a misspelt keyword would otherwise be ignored
        raise TypeError(f"a write takes no keyword {', '.join(sorted(unknown))}")
    return Actor.of(who.get("by"), who.get("source"), who.get("user"))


class Store(EventLog):
    """The event log (its reading, from EventLog), the published database and every write."""

    def __init__(
        self,
        root: Path,
        *,
        keep_databases: int = 3,
        demo_returns: Path | None = None,
        demo_programme: Programme | None = None,
        limits: ReadLimits | None = None,
        demo_trajectories: Path | None = None,
        demo_conditions: Path | None = None,
        programmes: Programmes | None = None,
    ):
        super().__init__(root)
        # every programme the database describes and a return may be read again for
        self.programmes = programmes if programmes is not None else bundled()
        self.database = PublishedDatabase(self.root, self, self.programmes, keep_databases)
        self.writer = Writer(self, self.database)
        self.databases, self.current_file = self.database.databases, self.database.current_file
        self.demo_returns = demo_returns
        self.demo_trajectories = demo_trajectories  # a folder of <programme code>.csv, loaded with the demo
        self.demo_conditions = demo_conditions  # a folder of <programme code>.csv: illustrative conditions
        self.demo_programme = demo_programme or self.programmes.default
        self.limits = limits or ReadLimits()  # what reading a new file may cost

    @classmethod
    def from_settings(cls, settings) -> Store:
        return cls(
            settings.data_dir,
            keep_databases=settings.keep_databases,
            demo_returns=settings.demo_returns,
            demo_programme=settings.programme,
            limits=settings.read_limits,
            demo_trajectories=settings.demo_trajectories,
            demo_conditions=settings.demo_conditions,
            programmes=settings.programmes,
        )

    # ---- reading (never writes, never locks) ----------------------------------------

    def current_database(self) -> Path | None:
        return self.database.current()

    def is_current(self) -> bool:
        return self.database.is_current()

    def read(
        self, files: list[tuple[str, bytes]], programme: Programme, today: dt.date | None = None
    ) -> list[ParsedReturn]:
        """Each file read and checked on its own (the sandboxed child), storing nothing."""
        return returns.read(files, programme, self.limits, dt.date.today() if today is None else today)

    def check(
        self, files: list[tuple[str, bytes]], programme: Programme, today: dt.date | None = None
    ) -> list[ParsedReturn]:
        """Validate files against the current data without storing anything."""
        self._require_database()
        return returns.check(self.read(files, programme, today), programme, self.current_database())

    def trajectory_versions(self, programme: Programme) -> dict[str, list[SetTrajectory]]:
        return trajectories.versions(self, programme)

    def read_trajectory(self, file_name: str, content: bytes, programme: Programme) -> ParsedTrajectory:
        """A trajectory file read and checked on its own (the sandboxed child), storing nothing."""
        return parse_trajectory(file_name, content, programme, self.limits)

    def check_trajectory(
        self, file_name: str, content: bytes, programme: Programme
    ) -> tuple[ParsedTrajectory, list[Change]]:
        """Read a trajectory file and say what it would change, storing nothing."""
        parsed = self.read_trajectory(file_name, content, programme)
        return parsed, trajectories.what_changes(self, parsed, programme)

    def condition_versions(self, programme: Programme) -> dict[str, list[SetConditions]]:
        return conditions.versions(self, programme)

    def check_conditions(
        self, file_name: str, content: bytes, programme: Programme
    ) -> tuple[ParsedConditions, list[ConditionsChange]]:
        """Read a conditions file (the sandboxed child) and say what it would change, storing nothing."""
        parsed = read_conditions_file(file_name, content, programme, self.limits)
        return parsed, conditions.what_changes(self, parsed, programme)

    # ---- set-up: start-up and the command line only ------------------------------------

    def ensure(self, progress: Progress | None = None) -> Path:
        """Make sure a current database exists and is not behind the events: builds the
        demo returns into an empty store (if configured), and finishes a write whose
        database was not made current (a crash, a killed worker). Builds a crash left
        unfinished are removed (unless another process is writing)."""
        with self.writer.lock(wait=False) as mine:
            if mine:
                remove_unfinished(self.databases)
        if self.is_current():
            return self.current_database()
        with self.writer.lock():
            if self.is_current():
                return self.current_database()
            if not self.last_event_id():
                current = self.current_database()
                if current is not None and (database_files.last_event_in(current) or 0) > 0:
                    raise RuntimeError(
                        f"the store {self.root} has a database but its events/ folder is missing or "
                        "empty; restore events/ and originals/ from a backup (the demo data will not "
                        "be loaded over a real store)"
                    )
                if self.demo_returns is not None:
                    for programme, folder in demo.folders(self.demo_returns, self.programmes, self.demo_programme):
                        demo.load(
                            self.writer,
                            folder,
                            self.demo_trajectories,
                            programme,
                            self.limits,
                            self.demo_conditions,
                        )
            return self.database.make_current(progress)

    def write_lock(self, wait: bool = True):
        return self.writer.lock(wait)

    def _require_database(self) -> None:
        if self.current_database() is None:
            raise StoreNotReady()

    def _written(self, event, who: Who):
        """A write's events, once made current if the caller builds (the command line's way)."""
        if who.get("make_current", True):
            self.make_current()
        return event

    # ---- writes: each takes the keywords of Who ----------------------------------------

    def commit(
        self,
        files: list[tuple[str, bytes]],
        programme: Programme,
        loaded_by: str | None = None,
        source: str | None = None,
        today: dt.date | None = None,
        parsed: list[ParsedReturn] | None = None,
        user: User | None = None,
    ) -> list[Accepted]:
        """Store files up to the commit point (the event file), without building the
        database: call `make_current()` next (the web app does it in the background).
        `parsed`: the files as read already (outside the lock), so they are not read again;
        either way they are checked against the data current under the lock. Raises
        ReturnRejected with every problem, having written nothing."""
        self._require_database()
        parsed = parsed if parsed is not None else self.read(files, programme, today)
        with self.writer.lock():
            return returns.commit(self.writer, files, parsed, programme, Actor.of(loaded_by, source, user))

    def load(
        self,
        files: list[tuple[str, bytes]],
        programme: Programme,
        loaded_by: str | None = None,
        source: str | None = None,
        today: dt.date | None = None,
        progress: Progress | None = None,
    ) -> list[Accepted]:
        """Validate, store and make current (the command line's load)."""
        self.ensure()
        accepted = self.commit(files, programme, loaded_by, source, today)
        self.make_current(progress)
        return accepted

    def restore(self, submission_id: int, **who: Unpack[Who]) -> Restore:
        """Make an earlier submission current again for the AHSN-quarters it holds."""
        self._require_database()
        return self._written(curation.mark(self.writer, Restore, submission_id, _actor(who)), who)

    def quarantine(self, submission_id: int, reason: str, **who: Unpack[Who]) -> Quarantine:
        """Leave a submission out of every figure (it stays kept, and can be released)."""
        self._require_database()
        return self._written(curation.mark(self.writer, Quarantine, submission_id, _actor(who), reason), who)

    def release(self, submission_id: int, reason: str, **who: Unpack[Who]) -> Release:
        """Take a quarantined submission back into the figures."""
        self._require_database()
        return self._written(curation.mark(self.writer, Release, submission_id, _actor(who), reason), who)

    def decide_revision(
        self, event_id: int, approve: bool, reason: str, **who: Unpack[Who]
    ) -> ApproveRevision | RejectRevision:
        """Approve (it takes effect) or reject (it never does) a pending change to a published quarter."""
        self._require_database()
        event = curation.decide_revision(
            self.writer, event_id, approve, reason, _actor(who), who.get("make_current", True)
        )
        return self._written(event, who)

    def sign_off(self, programme: Programme, quarter: Quarter, note: str = "", **who: Unpack[Who]) -> SignOff:
        """Sign a quarter off: its figures as they stand are the published ones."""
        self._require_database()
        event = collection.sign_off(self.writer, programme, quarter, _actor(who), note, who.get("make_current", True))
        return self._written(event, who)

    def set_due_date(
        self, programme: Programme, quarter: Quarter, due: dt.date, reason: str, **who: Unpack[Who]
    ) -> SetDueDate:
        """Give one quarter's returns another due date than the programme's rule."""
        self._require_database()
        return self._written(collection.set_due_date(self.writer, programme, quarter, due, reason, _actor(who)), who)

    def set_trajectory(
        self,
        file_name: str,
        content: bytes,
        programme: Programme,
        reason: str,
        parsed: ParsedTrajectory | None = None,
        **who: Unpack[Who],
    ) -> list[SetTrajectory]:
        """A new version of the trajectory of each AHSN the file holds. `parsed`: the file as
        read already, outside the lock (it is read here otherwise, outside the lock too)."""
        self._require_database()
        parsed = parsed if parsed is not None else self.read_trajectory(file_name, content, programme)
        return self._written(
            trajectories.set_trajectory(self.writer, parsed, content, programme, reason, _actor(who)), who
        )

    def set_conditions(
        self,
        file_name: str,
        content: bytes,
        programme: Programme,
        reason: str,
        parsed: ParsedConditions | None = None,
        **who: Unpack[Who],
    ) -> list[SetConditions]:
        """A new version of the spread conditions of each AHSN the file holds (the national
        team's). `parsed`: the file as read already, outside the lock."""
        self._require_database()
        parsed = parsed if parsed is not None else read_conditions_file(file_name, content, programme, self.limits)
        return self._written(
            conditions.set_conditions(self.writer, parsed, content, programme, reason, _actor(who)), who
        )

    def restore_conditions(
        self, programme: Programme, ahsn: str, version: int, reason: str, **who: Unpack[Who]
    ) -> SetConditions:
        """Make an earlier version of an AHSN's conditions current again (as a new version)."""
        self._require_database()
        return self._written(conditions.restore(self.writer, programme, ahsn, version, reason, _actor(who)), who)

    # ---- making the database current ---------------------------------------------------

    def make_current(self, progress: Progress | None = None) -> Path:
        """Build the database and make it current if it is behind the events (waits for the lock)."""
        with self.writer.lock():
            if self.is_current():
                return self.current_database()
            return self.database.make_current(progress)

    def rebuild(self, progress: Progress | None = None, reparse: bool = False) -> Path:
        """Build the database again from scratch: from the rows kept with each submission, or
        with `reparse`, by reading every kept original again (not quarantined ones) with
        today's reader."""
        if not self.last_event_id():
            return self.ensure(progress)  # nothing to rebuild from: a new store
        with self.writer.lock():
            return self.database.make_current(progress, full=True, reparse=reparse)
