"""The store: one folder holding every accepted file and the DuckDB database built from them.

    <METRICS_DATA>/
      originals/<sha256>.<csv|xlsx>   every accepted file, byte for byte (content-addressed)
      events/<000001>[-<000009>].json one per load (a batch of files is one file) or restore;
                                      never changed or deleted
      databases/metrics-<n>-<id>.duckdb   built from the events; never written once published
      CURRENT                         the name of the database readers should use
      write.lock                      held by the one process writing

The source of truth is originals/ + events/. A write (load, restore, rebuild) takes the
lock, writes the originals and then the event file (the commit point: one atomic rename,
so a batch is stored whole or not at all), builds a complete new database
file beside the current one and swaps CURRENT to it with an atomic rename. Readers open the
file CURRENT names read-only, so they never wait for a writer, never see a half-built
database and never hit DuckDB's one-writer lock. A crash before the event is written leaves
everything as it was; a crash after it is repaired by the next `ensure()` (which rebuilds
when the database is behind the events).
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
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from etl import settings
from etl.build import Progress, build_database
from etl.problems import Problem, ReturnRejected
from etl.programmes import Programme
from etl.reading.kinds import detect
from etl.reading.limits import ReadLimits
from etl.validate import ParsedReturn, check_against_store, parse_returns

DEMO_DIR = settings.PROJECT_ROOT / "data" / "demo" / "returns"
DEMO_USER = "demo data"
LOCK_TIMEOUT_SECONDS = 120


class StoreBusy(Exception):
    """Another write held the lock for too long."""


@dataclass(frozen=True)
class Accepted:
    """A file that was checked and stored."""

    submission_id: int
    file_name: str
    returns: list[tuple[str, str, int]]  # (AHSN, quarter label, trust rows)
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
    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root is not None else settings.data_dir()
        self.originals = self.root / "originals"
        self.events_dir = self.root / "events"
        self.databases = self.root / "databases"
        self.current_file = self.root / "CURRENT"

    # ---- reading -------------------------------------------------------------------

    def current_database(self) -> Path | None:
        """The published database readers should open, or None before the first build."""
        try:
            name = self.current_file.read_text().strip()
        except FileNotFoundError:
            return None
        path = self.databases / name
        return path if name and path.exists() else None

    def events(self) -> list[dict]:
        """Every event, in order. A file holds one event, or a whole batch as a list."""
        if not self.events_dir.exists():
            return []
        events: list[dict] = []
        for path in sorted(self.events_dir.glob("*.json")):
            content = json.loads(path.read_text())
            events.extend(content if isinstance(content, list) else [content])
        return events

    def event(self, event_id: int) -> dict | None:
        return next((e for e in self.events() if e["id"] == event_id), None)

    def original_bytes(self, event: dict) -> bytes:
        return (self.root / event["stored_as"]).read_bytes()

    # ---- set-up --------------------------------------------------------------------

    def ensure(self, progress: Progress | None = None) -> Path:
        """Make sure a current database exists and is not behind the events: builds the
        embedded demo data into an empty store, and repairs a write that crashed."""
        path = self.current_database()
        if path is not None and self._last_event_in(path) == self._last_event_on_disk():
            return path
        with self.write_lock():
            path = self.current_database()
            if path is not None and self._last_event_in(path) == self._last_event_on_disk():
                return path
            if not self.events():
                if self.current_file.exists():
                    raise RuntimeError(
                        f"the store {self.root} has a database but its events/ folder is missing or "
                        "empty; restore events/ and originals/ from a backup (the demo data will not "
                        "be loaded over a real store)")
                return self._load_demo(progress)
            return self._publish(progress)

    def _load_demo(self, progress: Progress | None) -> Path:
        paths = sorted(DEMO_DIR.glob("*.csv"), key=_quarter_order)
        files = [(p.name, p.read_bytes()) for p in paths]
        if not files:
            raise RuntimeError(f"no demo returns found in {DEMO_DIR}")
        from etl.programmes import current

        self._check_and_commit(files, current(), DEMO_USER, "embedded demo data", today=None,
                               is_demo=True)
        return self._publish(progress)

    # ---- writing -------------------------------------------------------------------

    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        """One writer at a time, across processes. Readers never take it."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "write.lock", "a+") as handle:
            deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise StoreBusy("another load has been running for over two minutes; "
                                        "try again shortly") from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def check(self, files: list[tuple[str, bytes]], programme: Programme,
              today: dt.date | None = None) -> list[ParsedReturn]:
        """Validate files against the current data without storing anything."""
        self.ensure()
        return self._check(files, programme, dt.date.today() if today is None else today)

    def load(
        self,
        files: list[tuple[str, bytes]],
        programme: Programme,
        loaded_by: str | None = None,
        source: str | None = None,
        today: dt.date | None = None,
        progress: Progress | None = None,
    ) -> list[Accepted]:
        """Validate and store files. Raises ReturnRejected with every problem, having
        written nothing, if any file has one."""
        self.ensure()
        with self.write_lock():
            accepted = self._check_and_commit(
                files, programme, loaded_by or default_user(), source or default_source(),
                today=dt.date.today() if today is None else today)
            self._publish(progress)
        return accepted

    def restore(self, submission_id: int, restored_by: str | None = None,
                source: str | None = None) -> dict:
        """Make an earlier submission current again for the AHSN-quarters it holds."""
        self.ensure()
        with self.write_lock():
            target = self.event(submission_id)
            if target is None or target["kind"] != "submission":
                raise LookupError(f"there is no submission {submission_id}; "
                                  "`python -m etl history` lists them")
            event = {
                "kind": "restore", "submission_id": submission_id,
                "programme": target["programme"], "returns": target["returns"],
                "loaded_by": restored_by or default_user(), "source": source or default_source(),
                "loaded_at": _now(),
            }
            [event] = self._write_events([event])
            self._publish()
        return event

    def rebuild(self, progress: Progress | None = None) -> Path:
        """Build the database again from the kept originals."""
        self.ensure()
        with self.write_lock():
            return self._publish(progress)

    # ---- inside the lock -----------------------------------------------------------

    def _current_rows(self) -> pd.DataFrame:
        columns = ["ahsn", "quarter_index", "trust_code", "trust_name", "trust_type", "adoption_level",
                   "referrals_made"]
        path = self.current_database()
        if path is None:
            return pd.DataFrame(columns=columns)
        con = duckdb.connect(str(path), read_only=True)
        try:
            return con.execute(f"SELECT {', '.join(columns)} FROM trust_returns").df()
        finally:
            con.close()

    def _check(self, files: list[tuple[str, bytes]], programme: Programme,
               today: dt.date | None) -> list[ParsedReturn]:
        limits = ReadLimits(max_bytes=settings.get_int("METRICS_MAX_UPLOAD_BYTES"))
        context = self._current_rows()
        results = []
        for parsed in parse_returns(files, programme, limits, today):
            if parsed.ok:
                check_against_store(parsed, context)
            if parsed.ok:
                # Later files in the same batch are checked against this one, as if loaded.
                frame = parsed.frame()[list(context.columns)]
                replaced = set(zip(frame["ahsn"], frame["quarter_index"]))
                keep = [(a, q) not in replaced for a, q in zip(context["ahsn"], context["quarter_index"])]
                kept = context.loc[pd.Series(keep, index=context.index, dtype=bool)]
                context = pd.concat([kept, frame], ignore_index=True) if len(kept) else frame
            results.append(parsed)
        return results

    def _check_and_commit(self, files, programme, loaded_by, source, today, is_demo=False) -> list[Accepted]:
        results = self._check(files, programme, today)
        problems = [p for r in results for p in r.problems]
        if problems:
            raise ReturnRejected(problems)
        stored = [self._keep_original(name, content) for name, content in files]
        _fsync_folder(self.originals)
        events = self._write_events([{
            # the name as cleaned by parse_return: no control or bidi characters, capped
            "kind": "submission", "programme": programme.code, "file_name": parsed.file_name,
            "sha256": hashlib.sha256(content).hexdigest(), "stored_as": stored_as,
            "loaded_by": loaded_by, "loaded_at": _now(), "source": source,
            "rows": len(parsed.records), "warnings": [str(w) for w in parsed.warnings],
            "returns": [[a, q.label, n] for a, q, n in parsed.returns()], "is_demo": is_demo,
            **_carried_types(parsed),
        } for (name, content), parsed, stored_as in zip(files, results, stored)])
        return [Accepted(e["id"], e["file_name"], [tuple(r) for r in e["returns"]], parsed.warnings,
                         parsed.interpretations) for e, parsed in zip(events, results)]

    def _keep_original(self, name: str, content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        kind = detect(name, content)
        suffix = f".{kind}" if kind in ("xlsx", "xls", "ods") else ".csv"
        relative = f"originals/{digest}{suffix}"
        path = self.root / relative
        if not path.exists():
            _write_atomically(path, content, sync_folder=False)  # the caller syncs the folder once
        return relative

    def _write_events(self, events: list[dict]) -> list[dict]:
        """Number the events and write them as one file, in one atomic rename: the commit
        point. A batch of files is therefore stored whole or not at all."""
        self.events_dir.mkdir(parents=True, exist_ok=True)
        first = self._last_event_on_disk() + 1
        events = [{"id": first + i, **e} for i, e in enumerate(events)]
        last = events[-1]["id"]
        name = f"{first:06d}.json" if first == last else f"{first:06d}-{last:06d}.json"
        content = events[0] if first == last else events
        _write_atomically(self.events_dir / name, json.dumps(content, indent=1, ensure_ascii=False).encode())
        return events

    def _last_event_on_disk(self) -> int:
        if not self.events_dir.exists():
            return 0
        numbers = [int(part) for p in self.events_dir.glob("*.json")
                   for part in p.stem.split("-") if part.isdigit()]
        return max(numbers, default=0)

    @staticmethod
    def _last_event_in(path: Path) -> int | None:
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error:
            return None
        try:
            row = con.execute("SELECT value FROM meta WHERE key = 'last_event_id'").fetchone()
            return int(row[0]) if row else None
        finally:
            con.close()

    def _publish(self, progress: Progress | None = None) -> Path:
        """Build a complete new database and make it current in one atomic rename."""
        self.databases.mkdir(parents=True, exist_ok=True)
        events = self.events()
        last = max((e["id"] for e in events), default=0)
        name = f"metrics-{last:06d}-{uuid.uuid4().hex[:8]}.duckdb"
        building = self.databases / f".building-{name}"
        build_database(building, events, self.original_bytes, progress)
        _fsync(building)
        os.replace(building, self.databases / name)
        _write_atomically(self.current_file, name.encode())
        self._remove_old_databases(keep=name)
        return self.databases / name

    def _remove_old_databases(self, keep: str) -> None:
        # Readers may still hold a superseded file open; on POSIX an open file survives
        # unlinking, and the newest few are kept for a reader that read CURRENT just before
        # the swap.
        keep_count = settings.get_int("METRICS_KEEP_DATABASES")
        old = sorted((p for p in self.databases.glob("metrics-*.duckdb") if p.name != keep),
                     key=lambda p: p.stat().st_mtime, reverse=True)
        for path in old[keep_count:]:
            path.unlink(missing_ok=True)
            Path(str(path) + ".wal").unlink(missing_ok=True)
        for stale in self.databases.glob(".building-*"):  # left by a crashed build
            if time.time() - stale.stat().st_mtime > 3600:
                stale.unlink(missing_ok=True)


def _carried_types(parsed: ParsedReturn) -> dict:
    """The types check_against_store gave trusts the file left untyped, by row, so that a
    rebuild from the original types them the same way."""
    carried = {str(r["row"]): r["trust_type"] for r in parsed.records if not r["trust_type_given"]}
    return {"trust_types": carried} if carried else {}


def _quarter_order(path: Path) -> tuple:
    """Demo files are named <quarter key>_<ahsn>.csv (q3_2019_20_wessex.csv): load them in
    quarter order, as they would have come in; other names after them, by name."""
    match = re.match(r"q([1-4])_(\d{4})_", path.name)
    return (0, int(match.group(2)), int(match.group(1)), path.name) if match else (1, 0, 0, path.name)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _write_atomically(path: Path, content: bytes, sync_folder: bool = True) -> None:
    """Write to a temporary name, flush to disk, then rename: readers see old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with open(tmp, "wb") as f:
        f.write(content)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    if sync_folder:
        _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make renames inside `folder` durable."""
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
