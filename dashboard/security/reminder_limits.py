"""How often a late AHSN may be reminded of a quarter's return (issue 22: reminders could be sent
again and again). Once an AHSN's submitters have been reminded of a quarter, another reminder of
that quarter to them waits METRICS_REMINDER_HOURS; sooner is refused saying when it may be sent.

Each reminder is claimed before it is sent, in one SQLite transaction shared by every gunicorn
worker, so two national administrators pressing the button at once cannot both send it; a
claim whose e-mail the mail server did not take is given back. The times live in
<METRICS_DATA>/reminders.sqlite.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from etl.files import create_private


@dataclass(frozen=True)
class Claim:
    """Of the AHSNs asked for: those to remind now, and those reminded too recently (AHSN -> when
    each may be reminded again)."""

    programme: str
    quarter: str
    go: list[str]
    at: float
    hours: int
    held: dict[str, dt.datetime] = field(default_factory=dict)

    def held_words(self) -> str:
        """'KSS was reminded of Q3 2020/21 less than 24 hours ago: it may be reminded again from
        14:05 UTC on 5 December 2026. ...' ('' when none was held)."""
        return " ".join(
            f"{ahsn} was reminded of {self.quarter} less than {self.hours} hours ago "
            f"(METRICS_REMINDER_HOURS): it may be reminded again from {when:%H:%M} UTC on {when:%-d %B %Y}."
            for ahsn, when in sorted(self.held.items(), key=lambda kv: (kv[1], kv[0]))
        )


class ReminderLimits:
    def __init__(self, folder: Path, hours: int, clock: Callable[[], float] = time.time):
        self.path = Path(folder) / "reminders.sqlite"
        self.hours = hours
        self.seconds = hours * 3600
        self.clock = clock

    def _connect(self) -> sqlite3.Connection:
        create_private(self.path)  # before SQLite creates it world-readable
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.execute(
            "CREATE TABLE IF NOT EXISTS reminded (programme TEXT NOT NULL, quarter TEXT NOT NULL, "
            "ahsn TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (programme, quarter, ahsn))"
        )
        return con

    def claim(self, programme: str, quarter: str, ahsns: Iterable[str]) -> Claim:
        """Record a reminder now for each AHSN not reminded of the quarter within the interval."""
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")  # one claim at a time decides, across workers
            try:
                now = self.clock()
                go, held = [], {}
                for ahsn in ahsns:
                    row = con.execute(
                        "SELECT at FROM reminded WHERE programme = ? AND quarter = ? AND ahsn = ?",
                        (programme, quarter, ahsn),
                    ).fetchone()
                    if row and now - row[0] < self.seconds:
                        held[ahsn] = dt.datetime.fromtimestamp(row[0] + self.seconds, dt.UTC)
                        continue
                    con.execute("INSERT OR REPLACE INTO reminded VALUES (?, ?, ?, ?)", (programme, quarter, ahsn, now))
                    go.append(ahsn)
                return Claim(programme, quarter, go, now, self.hours, held)
            finally:
                con.execute("COMMIT")
        finally:
            con.close()

    def give_back(self, claim: Claim) -> None:
        """The reminders were not sent: they may be sent again at once."""
        con = self._connect()
        try:
            con.executemany(
                "DELETE FROM reminded WHERE programme = ? AND quarter = ? AND ahsn = ? AND at = ?",
                [(claim.programme, claim.quarter, a, claim.at) for a in claim.go],
            )
        finally:
            con.close()
