"""The events of the store, typed: what each one records, and its JSON form on disk.

The store's source of truth is a numbered list of events (etl/store/log.py keeps them in
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
class _AboutASubmission:
    """A national administrator's action on one stored submission, with the reason kept."""

    id: int
    programme: str
    submission_id: int
    reason: str
    loaded_by: str
    loaded_at: str
    source: str
    returns: tuple[ReturnRef, ...] = ()


@dataclass(frozen=True)
class Quarantine(_AboutASubmission):
    """A submission set aside by a national administrator: kept, but left out of every
    figure (as if it had never been current) until released."""

    kind: ClassVar[str] = "quarantine"


@dataclass(frozen=True)
class Release(_AboutASubmission):
    """A quarantined submission taken back into the figures."""

    kind: ClassVar[str] = "release"


@dataclass(frozen=True)
class SignOff:
    """A national administrator signs a quarter off: its figures as they stand are the published
    ones, and any later change to one of its returns waits for approval (a revision). (Its
    kind on disk is "publish", as events stored before it had this name say.)"""

    kind: ClassVar[str] = "publish"
    id: int
    programme: str
    quarter: str  # label
    loaded_by: str
    loaded_at: str
    source: str
    note: str = ""


@dataclass(frozen=True)
class SetDueDate:
    """A quarter's returns are due on another date than the programme's rule gives."""

    kind: ClassVar[str] = "due_date"
    id: int
    programme: str
    quarter: str
    due: str  # ISO date
    reason: str
    loaded_by: str
    loaded_at: str
    source: str


@dataclass(frozen=True)
class _RevisionDecision:
    """A national administrator's decision on a change to a published quarter: the submission
    or restore `event_id`."""

    id: int
    programme: str
    event_id: int
    reason: str
    loaded_by: str
    loaded_at: str
    source: str


@dataclass(frozen=True)
class ApproveRevision(_RevisionDecision):
    """The change takes effect: the published figure changes, with a revision mark."""

    kind: ClassVar[str] = "approve"


@dataclass(frozen=True)
class RejectRevision(_RevisionDecision):
    """The change is turned down: it is kept, but never takes effect."""

    kind: ClassVar[str] = "reject"


class Step(NamedTuple):
    """One step of a trajectory: by `quarter`, `target_percent` of the AHSN's counted trusts
    adopting (the target holds until the next step)."""

    quarter: str  # label
    target_percent: int
    note: str | None = None
    row: int | None = None  # the row of the file it came from


@dataclass(frozen=True)
class SetTrajectory:
    """A new version of one AHSN's trajectory, read from a file (kept byte for byte, as a
    return's is). A file holding several AHSNs is one event for each, committed together."""

    kind: ClassVar[str] = "trajectory"
    id: int
    programme: str
    ahsn: str  # short name
    steps: tuple[Step, ...]
    reason: str
    file_name: str
    sha256: str
    stored_as: str
    loaded_by: str
    loaded_at: str
    source: str
    is_demo: bool = False


class ConditionValue(NamedTuple):
    """One spread condition of an AHSN: present or absent, and the evidence for it in a few words."""

    condition: str  # as the programme names it: "NONDELAY"
    present: bool
    evidence: str | None = None
    row: int | None = None  # the row of the file it came from


@dataclass(frozen=True)
class SetConditions:
    """A new version of one AHSN's spread conditions for a programme (what the pathways
    analysis takes as its case), recorded by the national team from a file kept byte for byte,
    or an earlier version made current again (`restored_from`: that version's event). A file
    holding several AHSNs is one event for each, committed together."""

    kind: ClassVar[str] = "conditions"
    id: int
    programme: str
    ahsn: str  # short name
    values: tuple[ConditionValue, ...]
    reason: str
    file_name: str
    sha256: str
    stored_as: str
    loaded_by: str
    loaded_at: str
    source: str
    is_demo: bool = False
    restored_from: int | None = None


Event = (
    Submission
    | Restore
    | Quarantine
    | Release
    | SignOff
    | SetDueDate
    | ApproveRevision
    | RejectRevision
    | SetTrajectory
    | SetConditions
)
KINDS: dict[str, type] = {
    cls.kind: cls
    for cls in (
        Submission,
        Restore,
        Quarantine,
        Release,
        SignOff,
        SetDueDate,
        ApproveRevision,
        RejectRevision,
        SetTrajectory,
        SetConditions,
    )
}


def from_json(record: dict) -> Event:
    """An event as read from its file."""
    record = dict(record)
    cls = KINDS[record.pop("kind")]
    if "returns" in record:
        record["returns"] = tuple(ReturnRef(*r) for r in record["returns"])
    if "warnings" in record:
        record["warnings"] = tuple(record["warnings"])
    if "steps" in record:
        record["steps"] = tuple(Step(*s) for s in record["steps"])
    if "values" in record:
        record["values"] = tuple(ConditionValue(*v) for v in record["values"])
    return cls(**record)


def to_json(event: Event) -> dict:
    """The event as written to its file (the kind first, as people read it)."""
    body = asdict(event)
    if "returns" in body:
        body["returns"] = [list(r) for r in event.returns]
    if "warnings" in body:
        body["warnings"] = list(body["warnings"])
    if "steps" in body:
        body["steps"] = [list(s) for s in event.steps]
    if "values" in body:
        body["values"] = [list(v) for v in event.values]
    return {"kind": event.kind, **body}
