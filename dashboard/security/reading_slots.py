"""How many uploaded files are read at once: one per user, and METRICS_READS_AT_ONCE across
every worker (issue 22: six costly workbooks sent at once held every gunicorn worker, and
public pages timed out).

Reading a file runs a sandboxed child for up to METRICS_READ_SECONDS; the worker waits for it.
Each read holds an exclusive lock on a file in <METRICS_DATA>/reading/: one named by the
user (a second read of theirs is refused at once, 429), and one of the slots (when every slot
is taken, the read is refused at once, 503 with Retry-After), so a waiting upload never holds
a worker and the other workers keep serving pages. The kernel drops a lock when its process
dies, so a killed worker never keeps a slot.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from etl.files import FILE_MODE, make_folder

RETRY_SECONDS = 30


class ReadingRefused(Exception):
    """A read that may not start now; `status` (429 or 503) and the message say why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class ReadingSlots:
    def __init__(self, folder: Path, at_once: int):
        self.folder = Path(folder) / "reading"
        self.at_once = at_once

    def _try_lock(self, name: str) -> int | None:
        make_folder(self.folder)
        fd = os.open(self.folder / name, os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return fd

    @contextlib.contextmanager
    def reading(self, user: str) -> Iterator[None]:
        """Hold the user's reading lock and a slot while a file is read, or raise ReadingRefused."""
        mine = self._try_lock("user-" + hashlib.sha256(user.encode("utf-8", "replace")).hexdigest()[:32])
        if mine is None:
            raise ReadingRefused(
                429,
                "A file you sent is still being read. Wait for its answer (at most a minute), then send the next.",
            )
        slot = None
        try:
            for number in range(self.at_once):
                slot = self._try_lock(f"slot-{number}")
                if slot is not None:
                    break
            if slot is None:
                raise ReadingRefused(
                    503,
                    "The server is reading other people's files just now. Send yours again in half a minute: "
                    "nothing was stored.",
                )
            yield
        finally:
            for fd in (slot, mine):
                if fd is not None:
                    os.close(fd)  # closing drops the lock
