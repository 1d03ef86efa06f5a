"""Curating what was stored: restore an earlier submission, set one aside (quarantine) or take
it back (release), and decide the revisions waiting for approval. Nothing is ever deleted:
each is an event of its own, with who, when and why."""

from __future__ import annotations

from etl.errors import Conflict, NotFound
from etl.events import ApproveRevision, Quarantine, RejectRevision, Release, Restore
from etl.permissions import Action
from etl.queries import files
from etl.store.commands import Actor, Writer, envelope, permit, said


def mark(
    writer: Writer, kind: type, submission_id: int, actor: Actor, reason: str | None = None
) -> Restore | Quarantine | Release:
    """A Restore, Quarantine or Release of a stored submission (a reason for the last two)."""
    with writer.lock():
        target = writer.log.submission(submission_id)
        if target is None:
            raise NotFound(f"there is no submission {submission_id}; `python -m etl history` lists them")
        if kind is Restore:
            programme = writer.database.programmes.get(target.programme)
            permit(actor, Action.RESTORE, target.ahsns, programme, what=f"submission {submission_id} holds returns of")
        else:
            permit(actor, Action.QUARANTINE)
        quarantined = submission_id in writer.log.quarantined_ids()
        if kind is Quarantine and quarantined:
            raise Conflict(f"submission {submission_id} is already quarantined")
        if kind is Release and not quarantined:
            raise Conflict(f"submission {submission_id} is not quarantined")
        if kind is Restore and quarantined:
            raise Conflict(f"submission {submission_id} is quarantined: release it before making it current")
        fields = {"reason": said(reason)} if kind is not Restore else {}
        [event] = writer.log.append(
            [kind(**envelope(actor, target.programme), submission_id=submission_id, returns=target.returns, **fields)]
        )
    return event


def decide_revision(
    writer: Writer, event_id: int, approve: bool, reason: str, actor: Actor, make_current: bool
) -> ApproveRevision | RejectRevision:
    """Approve (it takes effect) or reject (it never does) a pending change to a published
    quarter: the submission or restore `event_id`, as the figures current now show it waiting."""
    permit(actor, Action.DECIDE_REVISION)
    why = said(reason, "say why, in a few words (--reason): it is shown with the revision")
    with writer.current(make_current):
        pending = files.pending_revision(writer.database.current(), event_id)
        if not pending["n"]:
            raise Conflict(
                f"there is no revision {event_id} waiting for a decision (`python -m etl revisions` lists them)"
            )
        if approve:
            newer = files.overtaking_revision(writer.database.current(), event_id)
            if newer is not None:
                raise Conflict(
                    f"revision {event_id} is overtaken by the newer change {newer}, which the figures show: "
                    "approving it would change nothing; reject it, or restore its submission to make it current"
                )
            stored = writer.log.event(event_id)
            if actor.user is not None and stored is not None and stored.loaded_by == actor.user.name:
                permit(actor, Action.APPROVE_OWN_REVISION)
        kind = ApproveRevision if approve else RejectRevision
        [event] = writer.log.append([kind(**envelope(actor, pending["programme"]), event_id=event_id, reason=why)])
    return event
