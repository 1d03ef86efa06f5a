"""The events of the store, typed: what each one records, and its JSON form on disk.

The store's source of truth is a numbered list of events (etl/store.py keeps them in
events/); the database is built from them. Every kind of event is a frozen dataclass here,
so the store, the database build and the pages all agree on what an event holds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import ClassVar, NamedTuple


class ReturnRef(NamedTuple):
    """One AHSN-quarter a submission holds."""

    ahsn: str  # short name
    quarter: str  # label, "Q3 2019/20"
    trust_rows: int


@dataclass(frozen=True)
class Submission:
    """A file that was checked and stored: its original is kept byte for byte."""

    kind: ClassVar[str] = "submission"
    id: int
    programme: str
    file_name: str
    sha256: str
    stored_as: str  # path of the original, relative to the store root
    loaded_by: str
    loaded_at: str  # ISO 8601, UTC
    source: str  # "command line on host", "upload page (address)"
    rows: int
    warnings: tuple[str, ...] = ()
    returns: tuple[ReturnRef, ...] = ()
    is_demo: bool = False
    # The rows as validated when it was accepted, relative to the store root (parse once:
    # builds read these, never the original). None for submissions stored before parsed
    # records were kept: their original is parsed instead.
    records: str | None = None
    # Types given to trusts the file left untyped (carried over from their previous return),
    # by row, so that reading the original again types them the same way.
    trust_types: dict[str, str] | None = None

    @property
    def ahsns(self) -> list[str]:
        return sorted({r.ahsn for r in self.returns})


@dataclass(frozen=True)
class Restore:
    """An earlier submission made current again for the AHSN-quarters it holds."""

    kind: ClassVar[str] = "restore"
    id: int
    programme: str
    submission_id: int
    loaded_by: str
    loaded_at: str
    source: str
    returns: tuple[ReturnRef, ...] = field(default=())


@dataclass(frozen=True)
class Quarantine:
    """A submission set aside by a national administrator: kept, but left out of every
    figure (as if it had never been current) until released."""

    kind: ClassVar[str] = "quarantine"
    id: int
    programme: str
    submission_id: int
    reason: str
    loaded_by: str
    loaded_at: str
    source: str
    returns: tuple[ReturnRef, ...] = ()


@dataclass(frozen=True)
class Release:
    """A quarantined submission taken back into the figures."""

    kind: ClassVar[str] = "release"
    id: int
    programme: str
    submission_id: int
    reason: str
    loaded_by: str
    loaded_at: str
    source: str
    returns: tuple[ReturnRef, ...] = ()


Event = Submission | Restore | Quarantine | Release
KINDS: dict[str, type] = {cls.kind: cls for cls in (Submission, Restore, Quarantine, Release)}


def from_json(record: dict) -> Event:
    """An event as read from its file."""
    record = dict(record)
    cls = KINDS[record.pop("kind")]
    if "returns" in record:
        record["returns"] = tuple(ReturnRef(*r) for r in record["returns"])
    if "warnings" in record:
        record["warnings"] = tuple(record["warnings"])
    return cls(**record)


def to_json(event: Event) -> dict:
    """The event as written to its file (the kind first, as people read it)."""
    body = asdict(event)
    body["returns"] = [list(r) for r in event.returns]
    if "warnings" in body:
        body["warnings"] = list(body["warnings"])
    return {"kind": event.kind, **body}
