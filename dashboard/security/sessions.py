"""Server-side session records: what makes a session cookie worth anything.

The browser's cookie holds only a random session id (signed by Flask). The record behind it
lives in <METRICS_DATA>/sessions.sqlite, shared by every gunicorn worker, so:
- signing out deletes the record, and a copy of the cookie stops working at once, everywhere;
- a session ends after METRICS_SESSION_IDLE_MINUTES without a request, and
  METRICS_SESSION_HOURS after sign-in however busy it is (an absolute lifetime);
- the record keeps the user's `stamp` at sign-in (etl/users.py), so a password change or a
  removed account ends it (security/auth.py compares them), and the session's CSRF token.

Only a hash of the id is stored: the file alone cannot be turned back into a cookie.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from etl.files import create_private

# `seen` is written at most this often per session: an idle limit of minutes does not need
# a disk write on every Dash callback.
TOUCH_SECONDS = 30
# Signing in a script in a loop without keeping the cookie must not grow the file without
# end: a user's sessions beyond this many end, oldest first (phones, laptops, tabs: plenty).
MAX_SESSIONS_PER_USER = 20

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,   -- sha256 of the cookie's id
    user TEXT NOT NULL,
    stamp TEXT NOT NULL,        -- the user's stamp at sign-in
    csrf TEXT NOT NULL,
    started REAL NOT NULL,
    seen REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user);
"""


@dataclass(frozen=True)
class SessionRecord:
    user: str
    stamp: str
    csrf: str
    started: float
    seen: float


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class Sessions:
    """The session records of one store folder."""

    def __init__(self, folder: Path, idle_seconds: int, lifetime_seconds: int, clock: Callable[[], float] = time.time):
        self.path = Path(folder) / "sessions.sqlite"
        self.idle_seconds = idle_seconds
        self.lifetime_seconds = lifetime_seconds
        self.clock = clock

    def _connect(self) -> sqlite3.Connection:
        create_private(self.path)  # before SQLite creates it world-readable
        con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")  # readers never wait for a sign-in being written
        con.executescript(_SCHEMA)
        return con

    def start(self, user: str, stamp: str) -> tuple[str, str]:
        """A new session for `user`: (the id for the cookie, the session's CSRF token)."""
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self.clock()
        con = self._connect()
        try:
            con.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)", (_hash(session_id), user, stamp, csrf, now, now)
            )
            # housekeeping: records nobody can use any more, and the user's oldest beyond the cap
            con.execute(
                "DELETE FROM sessions WHERE seen < ? OR started < ?",
                (now - self.idle_seconds, now - self.lifetime_seconds),
            )
            con.execute(
                """DELETE FROM sessions WHERE user = ? AND id_hash NOT IN (
                               SELECT id_hash FROM sessions WHERE user = ?
                               ORDER BY started DESC LIMIT ?)""",
                (user, user, MAX_SESSIONS_PER_USER),
            )
        finally:
            con.close()
        return session_id, csrf

    def find(self, session_id: str) -> SessionRecord | None:
        """The live record behind a cookie's id, or None (unknown, ended or expired)."""
        if not isinstance(session_id, str) or not 20 <= len(session_id) <= 100:
            return None
        key, now = _hash(session_id), self.clock()
        con = self._connect()
        try:
            row = con.execute(
                "SELECT user, stamp, csrf, started, seen FROM sessions WHERE id_hash = ?", (key,)
            ).fetchone()
            if row is None:
                return None
            record = SessionRecord(*row)
            if now - record.seen > self.idle_seconds or now - record.started > self.lifetime_seconds:
                con.execute("DELETE FROM sessions WHERE id_hash = ?", (key,))
                return None
            if now - record.seen > TOUCH_SECONDS:
                con.execute("UPDATE sessions SET seen = ? WHERE id_hash = ?", (now, key))
            return record
        finally:
            con.close()

    def end(self, session_id: str) -> None:
        con = self._connect()
        try:
            con.execute("DELETE FROM sessions WHERE id_hash = ?", (_hash(str(session_id)),))
        finally:
            con.close()
