"""Recording each AHSN's spread conditions, as writes: a file read once outside the write lock,
checked again under it against the versions committed by then, and one SetConditions event per
AHSN whose conditions change, committed together; and an earlier version made current again.
(Reading a conditions file and what it changes is etl/pathways/conditions_file.py; the
analysis that uses them, etl/pathways/.) Only the national team records conditions."""

from __future__ import annotations

import hashlib

from etl import ahsns
from etl.errors import Conflict, NotFound
from etl.events import SetConditions
from etl.pathways.conditions_file import Change, ParsedConditions, changes, same_values
from etl.permissions import Action
from etl.problems import ReturnRejected
from etl.programmes import Programme
from etl.store.commands import Actor, Writer, envelope, permit, said
from etl.store.log import EventLog

MISSING_REASON = "say why, in a few words (--reason): it is kept with the conditions"


def versions(log: EventLog, programme: Programme) -> dict[str, list[SetConditions]]:
    """Every version of every AHSN's conditions, oldest first (from the events, the source of
    truth: nothing here waits for the database)."""
    out: dict[str, list[SetConditions]] = {}
    for e in log.events():
        if isinstance(e, SetConditions) and e.programme == programme.code:
            out.setdefault(e.ahsn, []).append(e)
    return out


def what_changes(log: EventLog, parsed: ParsedConditions, programme: Programme) -> list[Change]:
    return changes(parsed, versions(log, programme)) if parsed.ok else []


def set_conditions(
    writer: Writer, parsed: ParsedConditions, content: bytes, programme: Programme, reason: str, actor: Actor
) -> list[SetConditions]:
    """A new version of the conditions of each AHSN the file holds (one event each, committed
    together; an AHSN whose conditions are unchanged gets none). `parsed` is the file as read
    (outside the lock); it is compared here with the versions committed now. Raises
    ReturnRejected with every problem, NotAllowed for anyone but the national team, Conflict
    when there is nothing new; nothing is stored then."""
    why = said(reason, MISSING_REASON)
    permit(actor, Action.SET_CONDITIONS, programme=programme)
    if parsed.problems:
        raise ReturnRejected(list(parsed.problems))
    with writer.lock():
        return commit(writer, parsed, content, programme, why, actor)


def commit(
    writer: Writer,
    parsed: ParsedConditions,
    content: bytes,
    programme: Programme,
    reason: str,
    actor: Actor,
    is_demo: bool = False,
) -> list[SetConditions]:
    """set_conditions's writing, the caller holding the lock."""
    permit(actor, Action.SET_CONDITIONS, programme=programme)
    if parsed.problems:
        raise ReturnRejected(list(parsed.problems))
    new = [c for c in what_changes(writer.log, parsed, programme) if not c.unchanged]
    if not new:
        raise Conflict("the file's conditions are the same as the current ones: nothing was stored")
    stored_as = writer.log.keep_original(parsed.file_name, content)
    writer.log.sync_kept()
    return writer.log.append(
        [
            SetConditions(
                **envelope(actor, programme.code),
                ahsn=c.ahsn,
                values=c.values,
                reason=said(reason),
                file_name=parsed.file_name,
                sha256=hashlib.sha256(content).hexdigest(),
                stored_as=stored_as,
                is_demo=is_demo,
            )
            for c in new
        ]
    )


def restore(writer: Writer, programme: Programme, ahsn: str, version: int, reason: str, actor: Actor) -> SetConditions:
    """Make version `version` (1 the first) of an AHSN's conditions current again: a new
    version holding the same values, saying which it restores. Raises NotFound for an AHSN or
    version there is not, Conflict when it is the current one already."""
    why = said(reason, MISSING_REASON)
    permit(actor, Action.SET_CONDITIONS, programme=programme)
    found = ahsns.resolve(ahsn)
    if found is None:
        raise NotFound(f"'{ahsn}' is not one of the 15 AHSNs")
    with writer.lock():
        mine = versions(writer.log, programme).get(found.short_name, [])
        if not mine:
            raise NotFound(f"no conditions have been recorded for {found.short_name}")
        if not 1 <= version <= len(mine):
            raise NotFound(
                f"{found.short_name}'s conditions have versions 1 to {len(mine)}; there is no version {version}"
            )
        earlier = mine[version - 1]
        if same_values(earlier.values, mine[-1].values):
            raise Conflict(
                f"version {version} of {found.short_name}'s conditions is the same as the current one "
                f"(version {len(mine)}): nothing was stored"
            )
        [event] = writer.log.append(
            [
                SetConditions(
                    **envelope(actor, programme.code),
                    ahsn=found.short_name,
                    values=earlier.values,
                    reason=why,
                    file_name=earlier.file_name,
                    sha256=earlier.sha256,
                    stored_as=earlier.stored_as,
                    is_demo=earlier.is_demo,
                    restored_from=earlier.id,
                )
            ]
        )
        return event
