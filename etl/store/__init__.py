"""The store: one folder holding every accepted file, its events and the DuckDB database built from them.

    <METRICS_DATA>/
      originals/<sha256>.<csv|xlsx|xls|ods>   every accepted file, byte for byte (content-addressed)
      parsed/<sha256>.json            each accepted return's rows as validated (parse once)
      events/<000001>[-<000009>].json one per write (a batch of files is one file): a return, a
                                      restore, a quarantine or release, a sign-off, a due date, a
                                      revision decision, a trajectory version; never changed or deleted
      databases/metrics-<n>-<id>.duckdb   built from the events; never written once published
      CURRENT                         the name of the database readers should use
      write.lock                      held by the one process writing

The source of truth is originals/ + parsed/ + events/. A write takes the lock, checks what it
is given (a file is read once, in the sandboxed reading child), keeps the original and its
parsed rows, and writes the event file: the commit point (one atomic rename, so a batch is
stored whole or not at all). Publishing then builds the new database from a copy of the
current one with the new events added, and swaps CURRENT to it with an atomic rename; the web
app does that in the background, the command line at once. Readers (etl/queries.py) open the
file CURRENT names read-only, so they never wait for a writer, never see a half-built database
and never hit DuckDB's one-writer lock. A crash before the event is written leaves everything
as it was; after it, the next publish (any writer, any web worker, `python -m etl init`)
finishes the job.

Reading methods here never write and never take the lock; every write goes through
`write_lock()`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import getpass
import hashlib
import json
import os
import re
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pandas as pd

from etl import events as ev
from etl.build import Progress, build_database
from etl.events import (
    ApproveRevision,
    Event,
    PublishQuarter,
    Quarantine,
    RejectRevision,
    Release,
    Restore,
    ReturnRef,
    SetDueDate,
    SetTrajectory,
    Submission,
)
from etl.files import fsync_file, fsync_folder, make_folder, write_atomically
from etl.problems import Problem, ReturnRejected
from etl.programmes import PROGRAMMES, TCAM, Programme
from etl.quarters import Quarter
from etl.reading.kinds import detect
from etl.reading.limits import ReadLimits
from etl.reading.result import ParsedTrajectory
from etl.trajectories import Change, changes, parse_trajectory
from etl.validate import ParsedReturn, check_against_store, parse_returns

DEMO_USER = "demo data"
LOCK_TIMEOUT_SECONDS = 120
REREAD_BATCH = 200  # kept originals read per child process by `rebuild --reparse`


class StoreBusy(Exception):
    """Another write held the lock for too long."""


class StoreNotReady(Exception):
    """The store has no database yet: it is built by `python -m etl init` (or `make run`),
    never by a reader."""

    def __init__(self) -> None:
        super().__init__("the store has no database yet; run `python -m etl init` (or `make run`) "
                         "to build it")


@dataclass(frozen=True)
class Accepted:
    """A file that was checked and stored."""

    submission_id: int
    file_name: str
    returns: list[ReturnRef]
    warnings: list[Problem]
    interpretations: list = ()  # etl.reading.result.Interpretation: what was read differently


def default_source() -> str:
    return f"command line on {socket.gethostname()}"


def default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Store:
    def __init__(self, root: Path, *, keep_databases: int = 3, demo_returns: Path | None = None,
                 demo_programme: Programme = TCAM, limits: ReadLimits | None = None,
                 demo_trajectories: Path | None = None):
        self.root = Path(root)
        self.keep_databases = keep_databases
        self.demo_returns = demo_returns
        self.demo_trajectories = demo_trajectories  # a folder of <programme code>.csv, loaded with the demo
        self.demo_programme = demo_programme
        self.limits = limits or ReadLimits()  # what reading a new file may cost
        self.originals = self.root / "originals"
        self.parsed = self.root / "parsed"
        self.events_dir = self.root / "events"
        self.databases = self.root / "databases"
        self.current_file = self.root / "CURRENT"

    @classmethod
    def from_settings(cls, settings) -> Store:
        return cls(settings.data_dir, keep_databases=settings.keep_databases,
                   demo_returns=settings.demo_returns, demo_programme=settings.programme,
                   limits=settings.read_limits, demo_trajectories=settings.demo_trajectories)

    # ---- reading (never writes, never locks) ----------------------------------------

    def current_database(self) -> Path | None:
        """The published database readers should open, or None before the first build."""
        try:
            name = self.current_file.read_text().strip()
        except FileNotFoundError:
            return None
        path = self.databases / name
        return path if name and path.exists() else None

    def events(self) -> list[Event]:
        """Every event, in order. A file holds one event, or a whole batch as a list."""
        if not self.events_dir.exists():
            return []
        events: list[Event] = []
        for path in sorted(self.events_dir.glob("*.json")):
            events.extend(_events_in(path))
        return events

    def event(self, event_id: int) -> Event | None:
        return next((e for e in self.committed_with(event_id) if e.id == event_id), None)

    def committed_with(self, event_id: int) -> list[Event]:
        """The events written in the same commit as this one (itself included); [] if none.
        Only the file that holds it is read."""
        path = self._event_file(event_id)
        return _events_in(path) if path is not None else []

    def submission(self, submission_id: int) -> Submission | None:
        event = self.event(submission_id)
        return event if isinstance(event, Submission) else None

    def original_bytes(self, submission: Submission) -> bytes:
        return (self.root / submission.stored_as).read_bytes()

    def last_event_id(self) -> int:
        """The number of the newest event on disk (0 for none)."""
        if not self.events_dir.exists():
            return 0
        return max((n for p in self.events_dir.glob("*.json") for n in _event_span(p)), default=0)

    def committed_at(self, event_id: int) -> float | None:
        """When the file holding an event was written (its commit), as a Unix time."""
        path = self._event_file(event_id)
        return path.stat().st_mtime if path is not None else None

    def _event_file(self, event_id: int) -> Path | None:
        """The events file whose name spans this event's number."""
        if not self.events_dir.exists():
            return None
        for path in self.events_dir.glob("*.json"):
            span = _event_span(path)
            if span and span[0] <= event_id <= span[-1]:
                return path
        return None

    @staticmethod
    def last_event_in(path: Path) -> int | None:
        """The newest event a database file was built from, or None if it cannot be read."""
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error:
            return None
        try:
            row = con.execute("SELECT value FROM meta WHERE key = 'last_event_id'").fetchone()
            return int(row[0]) if row else None
        finally:
            con.close()

    def is_current(self) -> bool:
        """True when a database exists and holds every event on disk."""
        path = self.current_database()
        return path is not None and self.last_event_in(path) == self.last_event_id()

    def check(self, files: list[tuple[str, bytes]], programme: Programme,
              today: dt.date | None = None) -> list[ParsedReturn]:
        """Validate files against the current data without storing anything."""
        if self.current_database() is None:
            raise StoreNotReady()
        return self._check(files, programme, dt.date.today() if today is None else today)

    # ---- set-up --------------------------------------------------------------------

    def ensure(self, progress: Progress | None = None) -> Path:
        """Make sure a current database exists and is not behind the events: builds the
        demo returns into an empty store (if configured), and finishes a write whose
        database was not published (a crash, a killed worker)."""
        if self.is_current():
            return self.current_database()
        with self.write_lock():
            if self.is_current():
                return self.current_database()
            if not self.events():
                current = self.current_database()
                if current is not None and (self.last_event_in(current) or 0) > 0:
                    raise RuntimeError(
                        f"the store {self.root} has a database but its events/ folder is missing or "
                        "empty; restore events/ and originals/ from a backup (the demo data will not "
                        "be loaded over a real store)")
                if self.demo_returns is not None:
                    return self._load_demo(progress)
            return self._publish(progress)

    def _load_demo(self, progress: Progress | None) -> Path:
        paths = sorted(self.demo_returns.glob("*.csv"), key=_quarter_order)
        files = [(p.name, p.read_bytes()) for p in paths]
        if not files:
            raise RuntimeError(f"no demo returns found in {self.demo_returns}")
        accepted = self._check_and_commit(files, self.demo_programme, DEMO_USER, "embedded demo data",
                                          today=None, is_demo=True)
        # Each AHSN's demo trajectory (synthetic), set before the quarters are published so that
        # they are judged against it, as a trajectory agreed at the time would be.
        trajectories = (self.demo_trajectories / f"{self.demo_programme.code}.csv"
                        if self.demo_trajectories is not None else None)
        if trajectories is not None and trajectories.exists():
            self._commit_trajectory(trajectories.name, trajectories.read_bytes(), self.demo_programme,
                                    DEMO_USER, "embedded demo data",
                                    "synthetic demo trajectory, invented to show the feature", is_demo=True)
        # The quarters the demo folder says were signed off (published.txt) are published, so
        # the default pages show published figures from the start.
        signed_off = self.demo_returns / "published.txt"
        if signed_off.exists():
            lines = [line.strip() for line in signed_off.read_text().splitlines()]
            quarters = {Quarter.parse(line) for line in lines if line and not line.startswith("#")}
            returned = {Quarter.parse(r.quarter) for a in accepted for r in a.returns}
            self._write_events([PublishQuarter(
                id=0, programme=self.demo_programme.code, quarter=q.label, loaded_by=DEMO_USER, loaded_at=_now(),
                source="embedded demo data", note="published with the demo data")
                for q in sorted(quarters & returned)])
        return self._publish(progress)

    # ---- writing -------------------------------------------------------------------

    @contextlib.contextmanager
    def write_lock(self, wait: bool = True) -> Iterator[bool]:
        """One writer at a time, across processes. Readers never take it. With wait=False,
        yields False at once (holding nothing) if another process has it."""
        make_folder(self.root)
        fd = os.open(self.root / "write.lock", os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+") as handle:
            deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if not wait:
                        yield False
                        return
                    if time.monotonic() > deadline:
                        raise StoreBusy("another load has been running for over two minutes; "
                                        "try again shortly") from None
                    time.sleep(0.05)
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def commit(
        self,
        files: list[tuple[str, bytes]],
        programme: Programme,
        loaded_by: str | None = None,
        source: str | None = None,
        today: dt.date | None = None,
    ) -> list[Accepted]:
        """Validate and store files up to the commit point (the event file), without
        building the database: call `publish()` next (the web app does it in the
        background). Raises ReturnRejected with every problem, having written nothing."""
        if self.current_database() is None:
            raise StoreNotReady()
        with self.write_lock():
            return self._check_and_commit(
                files, programme, loaded_by or default_user(), source or default_source(),
                today=dt.date.today() if today is None else today)

    def load(
        self,
        files: list[tuple[str, bytes]],
        programme: Programme,
        loaded_by: str | None = None,
        source: str | None = None,
        today: dt.date | None = None,
        progress: Progress | None = None,
    ) -> list[Accepted]:
        """Validate, store and publish files (the command line's load)."""
        self.ensure()
        accepted = self.commit(files, programme, loaded_by, source, today)
        self.publish(progress)
        return accepted

    def restore(self, submission_id: int, restored_by: str | None = None,
                source: str | None = None, publish: bool = True) -> Restore:
        """Make an earlier submission current again for the AHSN-quarters it holds."""
        return self._mark(Restore, submission_id, restored_by, source, publish=publish)

    def quarantine(self, submission_id: int, reason: str, by: str | None = None,
                   source: str | None = None, publish: bool = True) -> Quarantine:
        """Leave a submission out of every figure (it stays kept, and can be released)."""
        return self._mark(Quarantine, submission_id, by, source, reason=reason, publish=publish)

    def release(self, submission_id: int, reason: str, by: str | None = None,
                source: str | None = None, publish: bool = True) -> Release:
        """Take a quarantined submission back into the figures."""
        return self._mark(Release, submission_id, by, source, reason=reason, publish=publish)

    def _mark(self, kind, submission_id: int, by: str | None, source: str | None, *,
              reason: str | None = None, publish: bool) -> Event:
        self.ensure()
        with self.write_lock():
            target = self.submission(submission_id)
            if target is None:
                raise LookupError(f"there is no submission {submission_id}; "
                                  "`python -m etl history` lists them")
            quarantined = submission_id in self.quarantined_ids()
            if kind is Quarantine and quarantined:
                raise LookupError(f"submission {submission_id} is already quarantined")
            if kind is Release and not quarantined:
                raise LookupError(f"submission {submission_id} is not quarantined")
            if kind is Restore and quarantined:
                raise LookupError(f"submission {submission_id} is quarantined: release it before "
                                  "making it current")
            if reason is not None and not reason.strip():
                raise LookupError("say why, in a few words (--reason)")
            fields = {"reason": " ".join(reason.split())[:500]} if reason is not None else {}
            [event] = self._write_events([kind(
                id=0, programme=target.programme, submission_id=submission_id,
                loaded_by=by or default_user(), loaded_at=_now(), source=source or default_source(),
                returns=target.returns, **fields)])
        if publish:
            self.publish()
        return event

    # ---- trajectories -------------------------------------------------------------------

    def trajectory_versions(self, programme: Programme) -> dict[str, list[SetTrajectory]]:
        """Every version of every AHSN's trajectory, oldest first (from the events, the source
        of truth: nothing here waits for a publish)."""
        versions: dict[str, list[SetTrajectory]] = {}
        for e in self.events():
            if isinstance(e, SetTrajectory) and e.programme == programme.code:
                versions.setdefault(e.ahsn, []).append(e)
        return versions

    def check_trajectory(self, file_name: str, content: bytes, programme: Programme
                         ) -> tuple[ParsedTrajectory, list[Change]]:
        """Read a trajectory file and say what it would change, storing nothing."""
        parsed = parse_trajectory(file_name, content, programme, self.limits)
        return parsed, changes(parsed, self.trajectory_versions(programme)) if parsed.ok else []

    def set_trajectory(self, file_name: str, content: bytes, programme: Programme, reason: str,
                       by: str | None = None, source: str | None = None, may_set=None,
                       publish: bool = True) -> list[SetTrajectory]:
        """A new version of the trajectory of each AHSN the file holds (one event each, committed
        together; an AHSN whose steps are unchanged gets none). Raises ReturnRejected with every
        problem, LookupError when there is nothing to store or no reason, PermissionError when
        `may_set(ahsn)` says no for an AHSN of the file; nothing is stored then."""
        if not reason or not reason.strip():
            raise LookupError("say why, in a few words (--reason): it is kept with the trajectory")
        if self.current_database() is None:
            raise StoreNotReady()
        with self.write_lock():
            events = self._commit_trajectory(file_name, content, programme, by or default_user(),
                                             source or default_source(), reason, may_set=may_set)
        if publish:
            self.publish()
        return events

    def _commit_trajectory(self, file_name: str, content: bytes, programme: Programme, by: str, source: str,
                           reason: str, is_demo: bool = False, may_set=None) -> list[SetTrajectory]:
        parsed, found = self.check_trajectory(file_name, content, programme)
        if parsed.problems:
            raise ReturnRejected(parsed.problems)
        refused = [c.ahsn for c in found if may_set is not None and not may_set(c.ahsn)]
        if refused:
            raise PermissionError(f"the file sets the trajectory of {', '.join(refused)}, which you may not set")
        new = [c for c in found if not c.unchanged]
        if not new:
            raise LookupError("the file's trajectories are the same as the current ones: nothing was stored")
        stored_as = self._keep_original(parsed.file_name, content)
        fsync_folder(self.originals)
        return self._write_events([SetTrajectory(
            id=0, programme=programme.code, ahsn=c.ahsn, steps=c.steps, reason=" ".join(reason.split())[:500],
            file_name=parsed.file_name, sha256=hashlib.sha256(content).hexdigest(), stored_as=stored_as,
            loaded_by=by, loaded_at=_now(), source=source, is_demo=is_demo) for c in new])

    # ---- the quarter's collection: sign-off, due dates, revisions -----------------------

    def publish_quarter(self, programme: Programme, quarter: Quarter, by: str | None = None,
                        source: str | None = None, note: str = "", publish: bool = True) -> PublishQuarter:
        """Sign a quarter off: its figures as they stand are the published ones; any later
        change to one of its returns is a revision that waits for approval."""
        self.ensure()
        with self.write_lock():
            self._catch_up()
            state = self._read_one(
                """SELECT (SELECT count(*) FROM current_returns WHERE programme = ? AND quarter_index = ?) AS returned,
                          (SELECT count(*) FROM publications WHERE programme = ? AND quarter_index = ?) AS published""",
                [programme.code, quarter.index, programme.code, quarter.index])
            if state["published"]:
                raise LookupError(f"{quarter.label} is already published; changes to it are revisions, "
                                  "approved one by one (`python -m etl revisions`)")
            if not state["returned"]:
                raise LookupError(f"there are no returns for {quarter.label}: nothing to publish "
                                  "(`python -m etl quarters` lists the quarters)")
            [event] = self._write_events([PublishQuarter(
                id=0, programme=programme.code, quarter=quarter.label, loaded_by=by or default_user(),
                loaded_at=_now(), source=source or default_source(), note=" ".join(note.split())[:500])])
        if publish:
            self.publish()
        return event

    def set_due_date(self, programme: Programme, quarter: Quarter, due: dt.date, reason: str,
                     by: str | None = None, source: str | None = None, publish: bool = True) -> SetDueDate:
        """Give one quarter's returns another due date than the programme's rule."""
        if not reason.strip():
            raise LookupError("say why the due date changes, in a few words (--reason)")
        if due < quarter.start:
            raise LookupError(f"{due:%d %B %Y} is before {quarter.label} starts: returns are made after "
                              "the quarter")
        self.ensure()
        with self.write_lock():
            [event] = self._write_events([SetDueDate(
                id=0, programme=programme.code, quarter=quarter.label, due=due.isoformat(),
                reason=" ".join(reason.split())[:500], loaded_by=by or default_user(), loaded_at=_now(),
                source=source or default_source())])
        if publish:
            self.publish()
        return event

    def decide_revision(self, event_id: int, approve: bool, reason: str, by: str | None = None,
                        source: str | None = None, publish: bool = True) -> ApproveRevision | RejectRevision:
        """Approve (it takes effect) or reject (it never does) a pending change to a published
        quarter: the submission or restore `event_id`."""
        if not reason.strip():
            raise LookupError("say why, in a few words (--reason): it is shown with the revision")
        self.ensure()
        with self.write_lock():
            self._catch_up()
            pending = self._read_one("SELECT any_value(programme) AS programme, count(*) AS n "
                                     "FROM pending_revisions WHERE event_id = ?", [event_id])
            if not pending["n"]:
                raise LookupError(f"there is no revision {event_id} waiting for a decision "
                                  "(`python -m etl revisions` lists them)")
            kind = ApproveRevision if approve else RejectRevision
            [event] = self._write_events([kind(
                id=0, programme=pending["programme"], event_id=event_id, reason=" ".join(reason.split())[:500],
                loaded_by=by or default_user(), loaded_at=_now(), source=source or default_source())])
        if publish:
            self.publish()
        return event

    def _catch_up(self) -> None:
        """Inside the lock: publish committed events first, so a decision is made on them."""
        if not self.is_current():
            self._publish()

    def _read_one(self, sql: str, params: list) -> dict:
        con = duckdb.connect(str(self.current_database()), read_only=True)
        try:
            cursor = con.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return dict(zip(names, cursor.fetchone()))
        finally:
            con.close()

    def quarantined_ids(self) -> set[int]:
        """Submissions whose latest quarantine or release event is a quarantine."""
        state: dict[int, bool] = {}
        for e in self.events():
            if isinstance(e, Quarantine | Release):
                state[e.submission_id] = isinstance(e, Quarantine)
        return {sid for sid, on in state.items() if on}

    def publish(self, progress: Progress | None = None) -> Path:
        """Build and publish the database if it is behind the events (waits for the lock)."""
        with self.write_lock():
            if self.is_current():
                return self.current_database()
            return self._publish(progress)

    def publish_if_free(self) -> bool:
        """Publish committed events if no other writer holds the lock; never waits. True if
        the database is current afterwards (or someone else is working on it)."""
        if self.is_current():
            return True
        with self.write_lock(wait=False) as got_it:
            if not got_it:
                return True  # the writer holding it publishes when it is done
            if not self.is_current():
                self._publish()
        return True

    def rebuild(self, progress: Progress | None = None, reparse: bool = False) -> Path:
        """Build the database again from scratch: from the parsed records kept with each
        submission, or with `reparse`, by reading every kept original again (not quarantined
        ones) with today's reader."""
        if not self.events():
            return self.ensure(progress)  # nothing to rebuild from: a new store
        with self.write_lock():
            return self._publish(progress, full=True, reparse=reparse)

    # ---- inside the lock -----------------------------------------------------------

    def _current_rows(self, quarter_indexes: set[int]) -> pd.DataFrame:
        """The current trust rows of the given quarters: what a return is checked against."""
        columns = ["ahsn", "quarter_index", "trust_code", "trust_name", "trust_type", "adoption_level",
                   "referrals_made"]
        path = self.current_database()
        if path is None or not quarter_indexes:
            return pd.DataFrame(columns=columns)
        con = duckdb.connect(str(path), read_only=True)
        try:
            return con.execute(f"SELECT {', '.join(columns)} FROM trust_returns "
                               "WHERE list_contains(?, quarter_index)", [sorted(quarter_indexes)]).df()
        finally:
            con.close()

    def _check(self, files: list[tuple[str, bytes]], programme: Programme,
               today: dt.date | None) -> list[ParsedReturn]:
        """Each file on its own, then against the current data of its quarters and the
        quarters before them (never the whole history, so checking costs the same on any
        store). Later files in a batch are checked as if the earlier ones were loaded."""
        results = parse_returns(files, programme, self.limits, today)
        quarters = {q.index + d for r in results if r.ok for _, q, _ in r.returns() for d in (0, -1)}
        rows = self._current_rows(quarters)
        # not dict(groupby): a GroupBy has a .keys attribute, which dict() would call
        context = {key: frame for key, frame in rows.groupby(["ahsn", "quarter_index"])}  # noqa: C416
        collection = self._collection_state(programme, {a for r in results if r.ok for a, _, _ in r.returns()})
        for parsed in results:
            if not parsed.ok:
                continue
            mine = {q.index + d for _, q, _ in parsed.returns() for d in (0, -1)}
            relevant = [f for (_, q), f in context.items() if q in mine]
            check_against_store(parsed, pd.concat(relevant, ignore_index=True) if relevant else rows.iloc[0:0])
            if parsed.ok:
                _warn_about_the_collection(parsed, programme, collection)
                frame = parsed.frame()[list(rows.columns)]
                for key, replacement in frame.groupby(["ahsn", "quarter_index"]):
                    context[key] = replacement
                    collection["returned"].add(key)
        return results

    def _collection_state(self, programme: Programme, ahsn_names: set[str]) -> dict:
        """What the collection warnings need: published quarters, due dates set by hand, and
        the quarters each of these AHSNs has a current return for."""
        state = {"published": set(), "due": {}, "returned": set()}
        path = self.current_database()
        if path is None or not ahsn_names:
            return state
        con = duckdb.connect(str(path), read_only=True)
        try:
            state["published"] = {q for (q,) in con.execute(
                "SELECT quarter_index FROM publications WHERE programme = ?", [programme.code]).fetchall()}
            state["due"] = dict(con.execute(
                "SELECT quarter_index, due_date FROM due_dates WHERE programme = ?", [programme.code]).fetchall())
            state["returned"] = set(con.execute(
                "SELECT ahsn, quarter_index FROM current_returns WHERE programme = ? AND list_contains(?, ahsn)",
                [programme.code, sorted(ahsn_names)]).fetchall())
        finally:
            con.close()
        return state

    def _check_and_commit(self, files, programme, loaded_by, source, today, is_demo=False) -> list[Accepted]:
        results = self._check(files, programme, today)
        problems = [p for r in results for p in r.problems]
        if problems:
            raise ReturnRejected(problems)
        stored = [self._keep_original(name, content) for name, content in files]
        records = [self._keep_records(parsed) for parsed in results]
        fsync_folder(self.originals)
        fsync_folder(self.parsed)
        events = self._write_events([Submission(
            # the name as cleaned by parse_returns: no control or bidi characters, capped
            id=0, programme=programme.code, file_name=parsed.file_name,
            sha256=hashlib.sha256(content).hexdigest(), stored_as=stored_as,
            loaded_by=loaded_by, loaded_at=_now(), source=source,
            rows=len(parsed.records), warnings=tuple(str(w) for w in parsed.warnings),
            returns=tuple(ReturnRef(a, q.label, n) for a, q, n in parsed.returns()), is_demo=is_demo,
            records=records_as, trust_types=_carried_types(parsed),
        ) for (_, content), parsed, stored_as, records_as in zip(files, results, stored, records)])
        return [Accepted(e.id, e.file_name, list(e.returns), parsed.warnings, parsed.interpretations)
                for e, parsed in zip(events, results)]

    def _keep_original(self, name: str, content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        kind = detect(name, content)
        suffix = f".{kind}" if kind in ("xlsx", "xls", "ods") else ".csv"
        relative = f"originals/{digest}{suffix}"
        path = self.root / relative
        if not path.exists():
            write_atomically(path, content, sync_folder=False)  # the caller syncs the folder once
        return relative

    def _keep_records(self, parsed: ParsedReturn) -> str:
        """The validated rows, content-addressed beside the originals (parse once)."""
        content = records_json(parsed.records)
        relative = f"parsed/{hashlib.sha256(content).hexdigest()}.json"
        path = self.root / relative
        if not path.exists():
            write_atomically(path, content, sync_folder=False)
        return relative

    def rows_for(self, submissions: list[Submission], reparse: set[int] = frozenset()) -> dict[int, list[dict]]:
        """Each submission's rows as the database holds them: its kept records, or its
        original read again (a submission from before records were kept, or one in
        `reparse`), in batches of REREAD_BATCH files per reading child."""
        rows, reread = {}, []
        for submission in submissions:
            if submission.records is not None and submission.id not in reparse:
                try:
                    rows[submission.id] = records_from_json((self.root / submission.records).read_bytes())
                except FileNotFoundError:
                    raise RuntimeError(
                        f"the parsed rows of submission {submission.id} ({submission.records}) are missing; "
                        "restore parsed/ from a backup, or read every original again with "
                        "`python -m etl rebuild --reparse`") from None
            else:
                reread.append(submission)
        for start in range(0, len(reread), REREAD_BATCH):
            rows.update(self._read_again(reread[start:start + REREAD_BATCH]))
        return rows

    def _read_again(self, submissions: list[Submission]) -> dict[int, list[dict]]:
        rows = {}
        for code in {s.programme for s in submissions}:
            mine = [s for s in submissions if s.programme == code]
            contents = [self.original_bytes(s) for s in mine]
            # No size limit or date rule here: these files were accepted under the rules of their day.
            limits = ReadLimits(max_bytes=max(len(c) for c in contents) + 1)
            results = parse_returns([(s.file_name, c) for s, c in zip(mine, contents)], PROGRAMMES[code],
                                    limits, today=None)
            for submission, parsed in zip(mine, results):
                if not parsed.ok:
                    raise RuntimeError(
                        f"kept original of submission {submission.id} ({submission.file_name}) no longer "
                        "parses: " + "; ".join(str(p) for p in parsed.problems))
                # A trust the file left untyped was typed when it was checked against the store;
                # the event keeps that type by row, so reading the file again types it the same way.
                carried = submission.trust_types or {}
                rows[submission.id] = [
                    _row({**r, "trust_type": r["trust_type"] if r.get("trust_type_given", True)
                          else carried.get(str(r["row"]), "acute")}) for r in parsed.records]
        return rows

    def _write_events(self, events: list[Event]) -> list[Event]:
        """Number the events and write them as one file, in one atomic rename: the commit
        point. A batch of files is therefore stored whole or not at all."""
        first = self.last_event_id() + 1
        events = [_numbered(e, first + i) for i, e in enumerate(events)]
        last = events[-1].id
        name = f"{first:06d}.json" if first == last else f"{first:06d}-{last:06d}.json"
        content = ev.to_json(events[0]) if first == last else [ev.to_json(e) for e in events]
        write_atomically(self.events_dir / name, json.dumps(content, indent=1, ensure_ascii=False).encode())
        return events

    def _publish(self, progress: Progress | None = None, full: bool = False, reparse: bool = False) -> Path:
        """Build the database holding every event (from a copy of the current one unless
        `full`) and make it current in one atomic rename."""
        make_folder(self.databases)
        events = self.events()
        # with reparse, every original is read again but a quarantined one, which is never read
        reread = {e.id for e in events if isinstance(e, Submission)} - self.quarantined_ids() if reparse else set()
        last = max((e.id for e in events), default=0)
        name = f"metrics-{last:06d}-{uuid.uuid4().hex[:8]}.duckdb"
        building = self.databases / f".building-{name}"
        build_database(building, events, lambda subs: self.rows_for(subs, reread),
                       start_from=None if full else self.current_database(), progress=progress)
        os.chmod(building, 0o600)
        fsync_file(building)
        os.replace(building, self.databases / name)
        write_atomically(self.current_file, name.encode())
        self._remove_old_databases(keep=name)
        return self.databases / name

    def _remove_old_databases(self, keep: str) -> None:
        # Readers may still hold a superseded file open; on POSIX an open file survives
        # unlinking, and the newest few are kept for a reader that read CURRENT just before
        # the swap.
        old = sorted((p for p in self.databases.glob("metrics-*.duckdb") if p.name != keep),
                     key=lambda p: p.stat().st_mtime, reverse=True)
        for path in old[self.keep_databases:]:
            path.unlink(missing_ok=True)
            Path(str(path) + ".wal").unlink(missing_ok=True)
        for stale in self.databases.glob(".building-*"):  # left by a crashed build
            if time.time() - stale.stat().st_mtime > 3600:
                stale.unlink(missing_ok=True)


def _warn_about_the_collection(parsed: ParsedReturn, programme: Programme, state: dict) -> None:
    """Warnings that do not block: a return for a published quarter is a revision that waits
    for approval; a return for a later quarter while an earlier open one lacks this AHSN's
    return is probably the wrong quarter, or the earlier one is forgotten."""
    for ahsn, quarter, _ in parsed.returns():
        if quarter.index in state["published"]:
            parsed.warnings.append(Problem(
                parsed.file_name, None, "quarter",
                f"{quarter.label} is published: {ahsn}'s return for it is a revision, and the published "
                "figures change only when a national administrator approves it",
                "Nothing to do if you meant to correct the published return; otherwise check the quarter"))
            continue
        before = [q for a, q in state["returned"] if a == ahsn and q < quarter.index]
        if not before:
            continue
        missing = [Quarter.from_index(i) for i in range(max(before) + 1, quarter.index)
                   if i not in state["published"]]
        for gap in missing:
            due = state["due"].get(gap.index) or programme.due_date(gap)
            parsed.warnings.append(Problem(
                parsed.file_name, None, "quarter",
                f"{ahsn} has no return for {gap.label}, which is still open (due {due:%-d %b %Y}), and this "
                f"file is for {quarter.label}",
                f"Check the quarter is right, and send the {gap.label} return too"))


def _carried_types(parsed: ParsedReturn) -> dict[str, str] | None:
    """The types check_against_store gave trusts the file left untyped, by row."""
    carried = {str(r["row"]): r["trust_type"] for r in parsed.records if not r.get("trust_type_given", True)}
    return carried or None


def records_json(records: list[dict]) -> bytes:
    """Validated rows as kept on disk: quarters as labels, one object per row."""
    return json.dumps([{k: (v.label if isinstance(v, Quarter) else v) for k, v in r.items()} for r in records],
                      ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def records_from_json(content: bytes) -> list[dict]:
    return [_row({**r, "quarter": Quarter.parse(r["quarter"])}) for r in json.loads(content)]


def _row(record: dict) -> dict:
    """A validated record as a row of submitted_rows."""
    return {**record, "quarter_index": record["quarter"].index, "quarter": record["quarter"].label}


def _numbered(event: Event, number: int) -> Event:
    return replace(event, id=number)


def _quarter_order(path: Path) -> tuple:
    """Demo files are named <quarter key>_<ahsn>.csv (q3_2019_20_wessex.csv): load them in
    quarter order, as they would have come in; other names after them, by name."""
    match = re.match(r"q([1-4])_(\d{4})_", path.name)
    return (0, int(match.group(2)), int(match.group(1)), path.name) if match else (1, 0, 0, path.name)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _event_span(path: Path) -> list[int]:
    """The event numbers an events file's name holds: 000151.json [151], 000152-000175.json [152, 175]."""
    return [int(part) for part in path.stem.split("-") if part.isdigit()]


def _events_in(path: Path) -> list[Event]:
    content = json.loads(path.read_text())
    return [ev.from_json(e) for e in (content if isinstance(content, list) else [content])]
