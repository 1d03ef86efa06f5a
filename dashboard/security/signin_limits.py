"""How often a password may be tried: per user name from one address a delay, per address a
ceiling (issue 22: an attacker trying a name from five addresses each time the wait ended
kept its owner out, and five failures locked out a whole NHS site behind one NAT address).

- Per user name *from one address* there is no lockout: the first three failures in 15
  minutes cost nothing, then each further try from that address for that name waits longer
  after the last failure (1 s, 2 s, 4 s ... at most a minute). The name's owner, trying from
  another address, is never slowed by anyone else's failures, however many addresses an
  attacker uses. Tries refused for waiting do not count, so a flood does not lengthen it.
- From one address, METRICS_LOGIN_ATTEMPTS failed sign-ins in 15 minutes (100 by default:
  many staff share one address behind an NHS site's NAT); then that address waits until its
  oldest failure is 15 minutes old. (IPv6 addresses count per /64, the block one household
  or server usually holds.)

Each try is counted as a failure *before* the password is checked, in one SQLite
transaction shared by every gunicorn worker, so concurrent tries cannot slip past the limit;
a successful sign-in then takes its own count back (and clears the name's failures).
The counts live in <METRICS_DATA>/signin_attempts.sqlite.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from etl.files import create_private

WINDOW_SECONDS = 15 * 60
FREE_FAILURES_PER_NAME = 3
LONGEST_WAIT_SECONDS = 60


@dataclass(frozen=True)
class Attempt:
    """A try that may go ahead: its provisional failure rows, taken back if it succeeds."""

    row_ids: tuple[int, ...]
    name_key: str


@dataclass(frozen=True)
class TooMany:
    """A try refused before any password was checked."""

    per: str  # "address", or "name" (this name from this address)
    wait_seconds: int


def name_wait(failures: int) -> float:
    """Seconds a name must wait after its last failure, having `failures` in the window."""
    if failures < FREE_FAILURES_PER_NAME:
        return 0.0
    return float(min(LONGEST_WAIT_SECONDS, 2 ** (failures - FREE_FAILURES_PER_NAME)))


def address_key(address: str | None) -> str:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "address:" + (address or "unknown")[:100]
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.version == 6:
        return "address:" + str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return f"address:{ip}"


def name_key(name: str, address: str | None) -> str:
    """A user name as tried from one address (hashed: a name field of any length costs one short row)."""
    tried = f"{address_key(address)}\n{name.strip().lower()}"
    return "name:" + hashlib.sha256(tried.encode("utf-8", "replace")).hexdigest()[:32]


class SigninLimits:
    def __init__(self, folder: Path, per_address: int, clock: Callable[[], float] = time.time):
        self.path = Path(folder) / "signin_attempts.sqlite"
        self.per_address = per_address
        self.clock = clock

    def _connect(self) -> sqlite3.Connection:
        create_private(self.path)  # before SQLite creates it world-readable
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.execute("CREATE TABLE IF NOT EXISTS failures (key TEXT NOT NULL, at REAL NOT NULL)")
        con.execute("CREATE INDEX IF NOT EXISTS failures_key ON failures (key, at)")
        con.execute("CREATE INDEX IF NOT EXISTS failures_at ON failures (at)")
        return con

    def begin(self, name: str, address: str | None) -> Attempt | TooMany:
        """Count a try for `name` from `address`, or refuse it, in one transaction."""
        by_address, by_name = address_key(address), name_key(name, address)
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")  # one try at a time decides, across workers
            try:
                now = self.clock()
                con.execute("DELETE FROM failures WHERE at <= ?", (now - WINDOW_SECONDS,))
                count, oldest = con.execute(
                    "SELECT count(*), min(at) FROM failures WHERE key = ?", (by_address,)
                ).fetchone()
                if count >= self.per_address:
                    return TooMany("address", math.ceil(oldest + WINDOW_SECONDS - now))
                count, last = con.execute("SELECT count(*), max(at) FROM failures WHERE key = ?", (by_name,)).fetchone()
                wait = name_wait(count) - (now - last) if count else 0.0
                if wait > 0:
                    return TooMany("name", math.ceil(wait))
                rows = tuple(
                    con.execute("INSERT INTO failures VALUES (?, ?)", (key, now)).lastrowid
                    for key in (by_address, by_name)
                )
                return Attempt(rows, by_name)
            finally:
                con.execute("COMMIT")
        finally:
            con.close()

    def succeeded(self, attempt: Attempt) -> None:
        """The password was right: the try was not a failure, and the name starts afresh from this address."""
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            con.executemany("DELETE FROM failures WHERE rowid = ?", [(r,) for r in attempt.row_ids])
            con.execute("DELETE FROM failures WHERE key = ?", (attempt.name_key,))
            con.execute("COMMIT")
        finally:
            con.close()
