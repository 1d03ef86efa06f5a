"""One writer at a time, across processes: an exclusive lock on <store>/write.lock.

Every write (a commit, a build and switch, a rebuild) holds it; readers never take it, so a
page never waits for a writer.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from etl.errors import StoreBusy
from etl.files import make_folder, refusing_a_disk_that_cannot_be_written

LOCK_TIMEOUT_SECONDS = 120


@contextlib.contextmanager
def write_lock(root: Path, wait: bool = True) -> Iterator[bool]:
    """Hold the store's write lock. With wait=False, yields False at once (holding nothing)
    if another process has it; otherwise waits, and raises StoreBusy after two minutes."""
    with refusing_a_disk_that_cannot_be_written():  # a read-only store refuses every write here
        make_folder(root)
        fd = os.open(root / "write.lock", os.O_RDWR | os.O_CREAT, 0o600)
    with os.fdopen(fd, "r+") as handle:
        deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait:
                    yield False
                    return
                if time.monotonic() > deadline:
                    raise StoreBusy("another load has been running for over two minutes; try again shortly") from None
                time.sleep(0.05)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
