"""The quarter's collection, as writes: signing a quarter off, and setting another due date.
(Each quarter's state, read from the database, is etl/collection.py.)"""

from __future__ import annotations

import datetime as dt

from etl.errors import Conflict, InvalidInput
from etl.events import SetDueDate, SignOff
from etl.permissions import Action
from etl.programmes import Programme
from etl.quarters import FIRST_YEAR, LAST_YEAR, Quarter
from etl.queries import files
from etl.store.commands import REASON_CHARACTERS, Actor, Writer, envelope, permit, said


def sign_off(
    writer: Writer, programme: Programme, quarter: Quarter, actor: Actor, note: str, make_current: bool
) -> SignOff:
    """Sign a quarter off: its figures as they stand are the published ones; any later change
    to one of its returns is a revision that waits for approval."""
    permit(actor, Action.SIGN_OFF)
    with writer.current(make_current):
        state = files.quarter_state(writer.database.current(), programme, quarter.index)
        if state["published"]:
            raise Conflict(
                f"{quarter.label} is already published; changes to it are revisions, "
                "approved one by one (`python -m etl revisions`)"
            )
        if not state["returned"]:
            raise Conflict(
                f"there are no returns for {quarter.label}: nothing to sign off "
                "(`python -m etl quarters` lists the quarters)"
            )
        [event] = writer.log.append(
            [
                SignOff(
                    **envelope(actor, programme.code),
                    quarter=quarter.label,
                    note=" ".join(note.split())[:REASON_CHARACTERS],
                )
            ]
        )
    return event


def set_due_date(
    writer: Writer, programme: Programme, quarter: Quarter, due: dt.date, reason: str, actor: Actor
) -> SetDueDate:
    """Give one quarter's returns another due date than the programme's rule."""
    permit(actor, Action.SET_DUE_DATE)
    why = said(reason, "say why the due date changes, in a few words (--reason)")
    quarter.plausible()
    first = Quarter.parse(programme.first_quarter) if programme.first_quarter else None
    if first is not None and quarter < first:  # the programme's range: from its first quarter to today's
        raise InvalidInput(
            f"{programme.short_name}'s returns start in {first.label}: a due date can be set for {first.label} "
            f"or a later quarter that has begun, not {quarter.label}"
        )
    today = dt.date.today()
    if quarter.start > today:  # the web's rule as the command line's (etl/cli.py)
        raise InvalidInput(
            f"{quarter.label} has not begun: a due date can be set for a quarter that has begun "
            f"(the latest is {Quarter.containing(today).label})"
        )
    if not FIRST_YEAR <= due.year <= LAST_YEAR + 1:
        raise InvalidInput(
            f"{due:%-d %B %Y} is not a due date a return can have: write a date from {FIRST_YEAR} to "
            f"{LAST_YEAR + 1}, after the quarter"
        )
    if due < quarter.start:
        raise InvalidInput(f"{due:%d %B %Y} is before {quarter.label} starts: returns are made after the quarter")
    with writer.lock():
        [event] = writer.log.append(
            [SetDueDate(**envelope(actor, programme.code), quarter=quarter.label, due=due.isoformat(), reason=why)]
        )
    return event
