"""A submission's status for one AHSN-quarter it holds, decided and said in one place.

The command line (`python -m etl history`), the History, Returns and Upload pages and the
downloads all ask `submission_status` and say what it returns, so they never disagree. What
the database knows of a submission's AHSN-quarter (etl/queries/submissions.py) goes in:
whether it is quarantined, whether it is the one current now, its touch's standing (`in
effect`, or for a return to a published quarter `pending`, `approved` or `rejected`), and
whether a restore made it current again.

    current                       the figures every page shows come from it
    current (restored)            current again, made so by a restore
    current (approved revision)   a change to a published quarter, approved
    waiting for approval          a change to a published quarter, not decided yet: the
                                  published figures stay as they are meanwhile
    rejected                      a change to a published quarter, turned down: kept, never counted
    superseded                    a newer file (or a restore of another) took its place
    quarantined                   set aside by the national team: counted nowhere
"""

from __future__ import annotations

from dataclasses import dataclass

CURRENT = "current"
RESTORED = "current (restored)"
APPROVED = "current (approved revision)"
WAITING = "waiting for approval"
REJECTED = "rejected"
SUPERSEDED = "superseded"
QUARANTINED = "quarantined"

# each status with its symbol, for a page (never colour alone)
_SYMBOL = {
    CURRENT: "✓",
    RESTORED: "✓",
    APPROVED: "✓",
    WAITING: "!",
    REJECTED: "✗",
    SUPERSEDED: "○",
    QUARANTINED: "⊘",
}


@dataclass(frozen=True)
class Status:
    words: str  # as the command line and the downloads say it: "waiting for approval"

    @property
    def shown(self) -> str:
        """As a page shows it, with its symbol: '! Waiting for approval'."""
        return f"{_SYMBOL[self.words]} {self.words[:1].upper()}{self.words[1:]}"

    @property
    def is_current(self) -> bool:
        return self.words in (CURRENT, RESTORED, APPROVED)

    @property
    def may_restore(self) -> bool:
        """Whether restoring it could change anything: never one current, waiting or set aside."""
        return self.words in (SUPERSEDED, REJECTED)


def submission_status(
    *, is_quarantined: bool, is_current: bool, standing: str | None = None, is_restored: bool = False
) -> Status:
    """The status of one AHSN-quarter of a submission (see the module's table). `standing` is
    the touch's status as the database derives it: 'in effect', 'pending', 'approved' or
    'rejected' (None: in effect)."""
    if bool(is_quarantined):
        return Status(QUARANTINED)
    if standing == "pending":
        return Status(WAITING)
    if standing == "rejected":
        return Status(REJECTED)
    if bool(is_current):
        return Status(RESTORED if bool(is_restored) else APPROVED if standing == "approved" else CURRENT)
    return Status(SUPERSEDED)


def of_row(row) -> Status:
    """The status of a row of etl.queries.submissions (a mapping or a pandas row)."""
    standing = row.get("standing")
    return submission_status(
        is_quarantined=bool(row["is_quarantined"]),
        is_current=bool(row["is_current"]),
        standing=standing if isinstance(standing, str) else None,
        is_restored=bool(row.get("is_restored", False)),
    )
