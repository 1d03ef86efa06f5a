"""Refusals: what the data layer says when it will not do what it was asked, and why.

A refusal is never a bug: its message tells the user what is wrong and what to do, and
nothing was written. Each kind has its own class, so the web app answers each with its own
status in one place (dashboard/endpoints/refusals.py) and the command line prints the
message; anything else raised (a KeyError, a TypeError) is a bug, and shows as one: a 500
with its traceback in the log, never a polite refusal.

A file whose contents are wrong is not refused with these: etl.problems.ReturnRejected
carries every problem found in it, each with its row, column and fix.
"""

from __future__ import annotations


class Refusal(Exception):
    """Something asked of the data layer that cannot be done; the message says why."""


class NotFound(Refusal):
    """What was asked for does not exist (no such submission, version, AHSN)."""


class Conflict(Refusal):
    """It cannot be done in the state things are in (already quarantined, already signed off,
    nothing new to store)."""


class InvalidInput(Refusal):
    """What was given cannot be used (no reason given, a date before its quarter)."""


class NotAllowed(Refusal):
    """The user may not do it (etl/permissions.py decides)."""


class StoreBusy(Refusal):
    """Another write held the lock for too long, or the figures are being brought up to date
    with a write made a moment ago: try again shortly."""


class StoreNotReady(Refusal):
    """The store has no database yet: it is built by `python -m etl init` (or `make run`),
    never by a reader."""

    def __init__(self) -> None:
        super().__init__("the store has no database yet; run `python -m etl init` (or `make run`) to build it")


class DiskFull(Refusal):
    """The disk holding the store has no room (ENOSPC, EDQUOT): nothing was written, and the
    published figures are served as before."""

    def __init__(self) -> None:
        super().__init__(
            "the disk holding the store is full, so nothing was written and the published figures are "
            "unchanged; ask whoever runs the server to free some space, then try again"
        )


class StoreReadOnly(Refusal):
    """The store's disk will not be written to (EROFS, or a folder made read-only): nothing was
    written, and the published figures are served as before."""

    def __init__(self) -> None:
        super().__init__(
            "the store cannot be written to just now (its disk is read-only), so nothing was written and the "
            "published figures are unchanged; ask whoever runs the server to make it writable, then try again"
        )
