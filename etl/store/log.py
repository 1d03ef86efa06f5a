"""The source of truth: the numbered events, every file kept as sent, and each return's rows.

    events/<000001>[-<000009>].json   one file per commit, holding one event or a batch; never
                                      changed or deleted
    originals/<sha256>.<csv|xlsx|xls|ods>   every accepted file, byte for byte (content-addressed)
    parsed/<sha256>.json              each accepted return's rows as validated (parse once)

`append` is the commit point of every write: the events are numbered and written as one
file in one atomic rename, so a batch is stored whole or not at all. It is called with the
write lock held (etl/store/lock.py); reading never takes the lock.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

from etl import events as ev
from etl.events import Event, Quarantine, Release, Submission
from etl.files import fsync_folder, write_atomically
from etl.reading.kinds import detect


class EventLog:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.events_dir = self.root / "events"
        self.originals = self.root / "originals"
        self.parsed = self.root / "parsed"

    # ---- reading ---------------------------------------------------------------------

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

    def quarantined_ids(self) -> set[int]:
        """Submissions whose latest quarantine or release event is a quarantine."""
        state: dict[int, bool] = {}
        for e in self.events():
            if isinstance(e, Quarantine | Release):
                state[e.submission_id] = isinstance(e, Quarantine)
        return {sid for sid, on in state.items() if on}

    def original_bytes(self, event: Event) -> bytes:
        """The file a submission or a trajectory version was read from, byte for byte."""
        return (self.root / event.stored_as).read_bytes()

    # ---- writing (the caller holds the write lock) ---------------------------------------

    def keep_original(self, name: str, content: bytes) -> str:
        """Keep a file as sent, content-addressed; its path relative to the store. The caller
        syncs the folder once for all it keeps (`sync_kept`)."""
        digest = hashlib.sha256(content).hexdigest()
        kind = detect(name, content)
        suffix = f".{kind}" if kind in ("xlsx", "xls", "ods") else ".csv"
        return self._keep(f"originals/{digest}{suffix}", content)

    def keep_records(self, content: bytes) -> str:
        """Keep a return's validated rows (as JSON) beside the originals, content-addressed."""
        return self._keep(f"parsed/{hashlib.sha256(content).hexdigest()}.json", content)

    def _keep(self, relative: str, content: bytes) -> str:
        path = self.root / relative
        if not path.exists():
            write_atomically(path, content, sync_folder=False)
        return relative

    def sync_kept(self) -> None:
        """Make the originals and rows kept so far durable, before the event that names them."""
        for folder in (self.originals, self.parsed):
            if folder.exists():
                fsync_folder(folder)

    def append(self, events: list[Event]) -> list[Event]:
        """Number the events and write them as one file, in one atomic rename: the commit
        point. A batch of files is therefore stored whole or not at all."""
        first = self.last_event_id() + 1
        events = [replace(e, id=first + i) for i, e in enumerate(events)]
        last = events[-1].id
        name = f"{first:06d}.json" if first == last else f"{first:06d}-{last:06d}.json"
        content = ev.to_json(events[0]) if first == last else [ev.to_json(e) for e in events]
        write_atomically(self.events_dir / name, json.dumps(content, indent=1, ensure_ascii=False).encode())
        return events


def _event_span(path: Path) -> list[int]:
    """The event numbers an events file's name holds: 000151.json [151], 000152-000175.json [152, 175]."""
    return [int(part) for part in path.stem.split("-") if part.isdigit()]


def _events_in(path: Path) -> list[Event]:
    content = json.loads(path.read_text())
    return [ev.from_json(e) for e in (content if isinstance(content, list) else [content])]
