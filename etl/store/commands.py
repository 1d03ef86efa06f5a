"""What every write command shares: who is writing and from where, the event's envelope filled
in once, the reason said in words, and the lock held with the figures current when a check
must read them.

A command (a return stored, a restore, a quarantine, a sign-off, ...) checks what it is
given, then appends its events to the log: the commit point. The command line then makes the
database current at once; the web app leaves that to its background thread, so no request
waits for a build.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import socket
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from etl.errors import InvalidInput, NotAllowed, StoreBusy
from etl.permissions import Action, allowed, why_not
from etl.programmes import Programme
from etl.store.database import PublishedDatabase
from etl.store.lock import write_lock
from etl.store.log import EventLog
from etl.users import User

REASON_CHARACTERS = 500
# How long a web write waits for a change committed a moment ago to be made current in the
# background before its checks read the figures (a build takes well under a second).
WAIT_FOR_CURRENT_SECONDS = 15


def default_source() -> str:
    return f"command line on {socket.gethostname()}"


def default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass(frozen=True)
class Actor:
    """Who is writing and from where. `user` is the signed-in account of a web write, whose
    permissions the command checks (etl/permissions.py); None for the command line, which
    the server's operator runs."""

    name: str
    source: str
    user: User | None = None

    @classmethod
    def of(cls, by: str | None = None, source: str | None = None, user: User | None = None) -> Actor:
        return cls(by or (user.name if user is not None else default_user()), source or default_source(), user)


def permit(
    actor: Actor,
    action: Action,
    ahsns: Iterable[str] | None = None,
    programme: Programme | None = None,
    what: str = "it is for",
) -> None:
    """Refuse (NotAllowed) a signed-in user's write they may not make, for any of `ahsns`
    (etl/permissions.py decides); `what` begins the sentence naming them ("the file sets the
    trajectory of"). The command line's writes are the server operator's."""
    if actor.user is None:
        return
    if ahsns is None or (programme is not None and not actor.user.works_on(programme.code)):
        if not allowed(actor.user, action, programme=programme):
            raise NotAllowed(why_not(actor.user, action, programme=programme))
        return
    refused = sorted({a for a in ahsns if not allowed(actor.user, action, ahsn=a, programme=programme)})
    if refused:
        raise NotAllowed(
            f"{what} {', '.join(refused)}; you are a {actor.user.description}, so you may not "
            f"{action.value} for {'it' if len(refused) == 1 else 'them'}"
        )


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def envelope(actor: Actor, programme: str) -> dict:
    """The fields every event carries, filled in once: its number (given at the commit), its
    programme, who, when and from where."""
    return {"id": 0, "programme": programme, "loaded_by": actor.name, "loaded_at": now(), "source": actor.source}


def said(reason: str | None, missing: str = "say why, in a few words (--reason)") -> str:
    """A reason as kept with an event: its words on one line, at most REASON_CHARACTERS; a
    blank one is refused with `missing`."""
    words = " ".join((reason or "").split())
    if not words:
        raise InvalidInput(missing)
    return words[:REASON_CHARACTERS]


class Writer:
    """The log and the published database a command writes through."""

    def __init__(self, log: EventLog, database: PublishedDatabase):
        self.log = log
        self.database = database

    def lock(self, wait: bool = True):
        return write_lock(self.log.root, wait)

    @contextlib.contextmanager
    def current(self, make_current: bool) -> Iterator[None]:
        """Hold the write lock with the database holding every committed event, so a check
        reads what is committed. `make_current`: the caller (the command line) builds it
        itself if it is behind; otherwise (a web request, which never builds) wait outside the
        lock for the background to, and refuse with StoreBusy if that takes too long."""
        deadline = time.monotonic() + WAIT_FOR_CURRENT_SECONDS
        while True:
            with self.lock():
                if make_current and not self.database.is_current():
                    self.database.make_current()
                if self.database.is_current():
                    yield
                    return
            if time.monotonic() > deadline:
                raise StoreBusy(
                    "the figures are still being updated with a change made a moment ago; try again in a minute"
                )
            time.sleep(0.1)
