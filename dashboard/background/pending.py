"""Upload previews waiting to be confirmed, kept so the confirm can reach any gunicorn worker.

    <METRICS_DATA>/pending/
      files/<sha256>          the previewed bytes, by content (two users' same file: one copy)
      users/<sha256 of name>.json   the user's one preview: its token, file name and hash
      .lock                   held while previews are changed, by any worker

Bounded, so one account (or a handful) cannot fill the disk:
- one preview per user: a new preview replaces the user's previous one;
- previews older than METRICS_SESSION_HOURS are removed (no session could confirm them);
- all the files together stay under METRICS_PENDING_MAX_BYTES: the oldest previews are
  removed first when a new one would pass it (their users are asked to upload again).
The token is random and checked against the user's record, so a preview can only be
confirmed by the user who made it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from etl.files import FILE_MODE, make_folder, write_atomically

TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")  # secrets.token_urlsafe(24)


def owner(user_name: str, kind: str = "return") -> str:
    """Whose preview it is: a user's preview of a trajectory is kept apart from their preview of
    a return (a name with a space is no user's: names are letters, digits and . _ - @)."""
    return user_name if kind == "return" else f"{user_name} {kind}"


@dataclass(frozen=True)
class Preview:
    user: str
    token: str
    file_name: str
    sha256: str
    size: int
    saved_at: float


class PendingPreviews:
    def __init__(self, folder: Path, max_bytes: int, lifetime_seconds: int, clock: Callable[[], float] = time.time):
        self.root = Path(folder) / "pending"
        self.files = self.root / "files"
        self.users = self.root / "users"
        self.max_bytes = max_bytes
        self.lifetime_seconds = lifetime_seconds
        self.clock = clock

    # ---- the three operations ------------------------------------------------------

    def save(self, user: str, file_name: str, content: bytes, kind: str = "return") -> str:
        """Keep `content` as the user's one preview (of a return, or a trajectory: `kind`); the
        token that confirms it."""
        user = owner(user, kind)
        digest = hashlib.sha256(content).hexdigest()
        token = secrets.token_urlsafe(24)
        with self._locked():
            previous = self._read(self._record_path(user))
            self._sweep()
            self._make_room(len(content), keep=user)
            path = self.files / digest
            if not path.exists():
                write_atomically(path, content, sync_folder=False)
            record = Preview(user, token, file_name, digest, len(content), self.clock())
            write_atomically(self._record_path(user), json.dumps(record.__dict__).encode(), sync_folder=False)
            if previous is not None:
                self._drop_file_if_unused(previous.sha256)
        return token

    def load(self, token: str, user: str, kind: str = "return") -> tuple[str, bytes] | None:
        """The file behind a preview token, only for the user who previewed it, while fresh."""
        user = owner(user, kind)
        if not isinstance(token, str) or not TOKEN.fullmatch(token):
            return None
        record = self._read(self._record_path(user))
        if record is None or not hmac.compare_digest(record.token, token) or self._expired(record):
            return None
        try:
            content = (self.files / record.sha256).read_bytes()
        except FileNotFoundError:
            return None
        if hashlib.sha256(content).hexdigest() != record.sha256:
            return None  # damaged on disk: never store something other than what was previewed
        return record.file_name, content

    def drop(self, token: str, user: str, kind: str = "return") -> None:
        """Forget the user's preview once it is stored (only if `token` is still theirs)."""
        user = owner(user, kind)
        with self._locked():
            record = self._read(self._record_path(user))
            if record is not None and hmac.compare_digest(record.token.encode(), str(token).encode("utf-8", "replace")):
                self._record_path(user).unlink(missing_ok=True)
                self._drop_file_if_unused(record.sha256)

    # ---- inside the lock -----------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        for folder in (self.root, self.files, self.users):  # one by one: each made owner-only
            make_folder(folder)
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, FILE_MODE)
        with os.fdopen(fd, "r+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _records(self) -> list[tuple[Path, Preview | None]]:
        return [(p, self._read(p)) for p in self.users.glob("*.json")]

    def _sweep(self) -> None:
        """Remove expired or unreadable records, files no record uses, and anything else
        (such as previews kept by an older version, one file per token)."""
        used = set()
        for path, record in self._records():
            if record is None or self._expired(record):
                path.unlink(missing_ok=True)
            else:
                used.add(record.sha256)
        for path in self.files.iterdir():
            if path.name not in used:
                path.unlink(missing_ok=True)
        for path in self.root.iterdir():
            if path.is_file() and path.name != ".lock":
                path.unlink(missing_ok=True)

    def _make_room(self, size: int, keep: str) -> None:
        """Remove the oldest other users' previews until `size` more bytes fit under the cap.
        The user's own previous preview is about to be replaced, so it does not count; a
        single upload always fits, whatever the cap."""
        others = sorted((r for _, r in self._records() if r is not None and r.user != keep), key=lambda r: r.saved_at)
        while others and _bytes_of(others) + size > self.max_bytes:
            oldest = others.pop(0)
            self._record_path(oldest.user).unlink(missing_ok=True)
            self._drop_file_if_unused(oldest.sha256)

    def _drop_file_if_unused(self, digest: str) -> None:
        if not any(r is not None and r.sha256 == digest for _, r in self._records()):
            (self.files / digest).unlink(missing_ok=True)

    # ---- records ---------------------------------------------------------------------

    def _record_path(self, user: str) -> Path:
        return self.users / f"{hashlib.sha256(user.encode()).hexdigest()}.json"

    @staticmethod
    def _read(path: Path) -> Preview | None:
        try:
            return Preview(**json.loads(path.read_text()))
        except (FileNotFoundError, ValueError, TypeError):
            return None

    def _expired(self, record: Preview) -> bool:
        return self.clock() - record.saved_at > self.lifetime_seconds


def _bytes_of(records: list[Preview]) -> int:
    return sum({r.sha256: r.size for r in records}.values())  # a shared file counts once
