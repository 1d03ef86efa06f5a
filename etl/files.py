"""Writing files so that a reader sees the old content or the new, never half of either.

Every file the project writes into the store (events, originals, CURRENT, users, keys) goes
through `write_atomically`: write a temporary file beside the target, flush it to disk,
then rename it over the target. The store is private to its owner: folders 0700, files 0600.

A disk that is full or read-only is a refusal (etl/errors.py: DiskFull, StoreReadOnly), never
a half-written file: the temporary file is removed and the target keeps its old content.
"""

from __future__ import annotations

import contextlib
import errno
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from etl.errors import DiskFull, StoreReadOnly

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def make_folder(path: Path) -> Path:
    """Create a folder (and its parents) readable by the owner only."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    return path


FULL = (errno.ENOSPC, errno.EDQUOT)
READ_ONLY = (errno.EROFS,)


@contextlib.contextmanager
def refusing_a_disk_that_cannot_be_written() -> Iterator[None]:
    """A full or read-only disk met inside as a refusal the user can be told (DiskFull,
    StoreReadOnly); any other OSError as it is."""
    try:
        yield
    except OSError as err:
        if err.errno in FULL:
            raise DiskFull() from err
        if err.errno in READ_ONLY:
            raise StoreReadOnly() from err
        raise


def write_atomically(path: Path, content: bytes, *, sync_folder: bool = True, exclusive: bool = False) -> bool:
    """Write `content` to `path` in one atomic rename. With `exclusive`, keep an existing
    file instead (the first writer wins) and return False; otherwise return True. A full or
    read-only disk raises DiskFull or StoreReadOnly, leaving `path` as it was."""
    with refusing_a_disk_that_cannot_be_written():
        make_folder(path.parent)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(content)
                f.flush()
                os.fsync(f.fileno())
            if exclusive:
                try:
                    os.link(tmp, path)  # fails if the file exists: nobody's content is replaced
                except FileExistsError:
                    return False
            else:
                os.replace(tmp, path)
        finally:
            with contextlib.suppress(OSError):  # on a read-only disk it may not go either
                tmp.unlink(missing_ok=True)
        if sync_folder:
            sync_folder_of(path)
    return True


def create_private(path: Path) -> Path:
    """Make sure `path` exists, created owner-only (0600) if it did not: for files other
    programs then open and write in place (SQLite databases, lock files), which would
    otherwise be created with the process's default permissions."""
    if path.exists():  # nothing to create (and a read-only disk would refuse opening it to write)
        return path
    make_folder(path.parent)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    return path


def sync_folder_of(path: Path) -> None:
    """Make renames inside the folder holding `path` durable."""
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def fsync_file(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())
