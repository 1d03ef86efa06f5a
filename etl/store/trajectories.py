"""Setting trajectories, as writes: a file read once outside the write lock, checked again
under it against the versions committed by then, and one SetTrajectory event per AHSN whose
steps change, committed together. (Reading a trajectory file and what it changes is
etl/trajectories.py; the judging, etl/derived.sql.)"""

from __future__ import annotations

import hashlib

from etl.errors import Conflict
from etl.events import SetTrajectory
from etl.permissions import Action
from etl.problems import ReturnRejected
from etl.programmes import Programme
from etl.reading.result import ParsedTrajectory
from etl.store.commands import Actor, Writer, envelope, permit, said
from etl.store.log import EventLog
from etl.trajectories import Change, changes


def versions(log: EventLog, programme: Programme) -> dict[str, list[SetTrajectory]]:
    """Every version of every AHSN's trajectory, oldest first (from the events, the source of
    truth: nothing here waits for the database)."""
    out: dict[str, list[SetTrajectory]] = {}
    for e in log.events():
        if isinstance(e, SetTrajectory) and e.programme == programme.code:
            out.setdefault(e.ahsn, []).append(e)
    return out


def what_changes(log: EventLog, parsed: ParsedTrajectory, programme: Programme) -> list[Change]:
    return changes(parsed, versions(log, programme)) if parsed.ok else []


def set_trajectory(
    writer: Writer, parsed: ParsedTrajectory, content: bytes, programme: Programme, reason: str, actor: Actor
) -> list[SetTrajectory]:
    """A new version of the trajectory of each AHSN the file holds (one event each, committed
    together; an AHSN whose steps are unchanged gets none). `parsed` is the file as read
    (outside the lock); it is compared here with the versions committed now. Raises
    ReturnRejected with every problem, NotAllowed when the actor may not set the trajectory of
    an AHSN of the file, Conflict when there is nothing new; nothing is stored then."""
    why = said(reason, "say why, in a few words (--reason): it is kept with the trajectory")
    if parsed.problems:
        raise ReturnRejected(parsed.problems)
    with writer.lock():
        return commit(writer, parsed, content, programme, why, actor)


def commit(
    writer: Writer,
    parsed: ParsedTrajectory,
    content: bytes,
    programme: Programme,
    reason: str,
    actor: Actor,
    is_demo: bool = False,
) -> list[SetTrajectory]:
    """set_trajectory's writing, the caller holding the lock."""
    if parsed.problems:
        raise ReturnRejected(parsed.problems)
    found = what_changes(writer.log, parsed, programme)
    permit(actor, Action.SET_TRAJECTORY, [c.ahsn for c in found], programme, "the file sets the trajectory of")
    new = [c for c in found if not c.unchanged]
    if not new:
        raise Conflict("the file's trajectories are the same as the current ones: nothing was stored")
    stored_as = writer.log.keep_original(parsed.file_name, content)
    writer.log.sync_kept()
    return writer.log.append(
        [
            SetTrajectory(
                **envelope(actor, programme.code),
                ahsn=c.ahsn,
                steps=c.steps,
                reason=said(reason),
                file_name=parsed.file_name,
                sha256=hashlib.sha256(content).hexdigest(),
                stored_as=stored_as,
                is_demo=is_demo,
            )
            for c in new
        ]
    )
