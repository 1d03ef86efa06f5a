"""The one door to the published database for reading: parameterised SQL in, data frames out.

A `Database` (one per process, made by the web app's composition root or the command line)
opens the file CURRENT names read-only, lazily (so after gunicorn forks), and opens the new
one as soon as a writer makes it current. Published files never change, so a query's result
is cached per (database file, query, parameters).

Within `Database.snapshot()` (the web app holds one for each request) every read is from
the one file that was current at the first read, so a page never mixes figures from before
and after a write that was made current while it was being made.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from pathlib import Path
from typing import Protocol

import duckdb
import pandas as pd

from etl.errors import StoreNotReady

_CACHE_SIZE = 512


class Published(Protocol):
    """Where the published database is, and how far the events have got: a Store."""

    def current_database(self) -> Path | None: ...

    def last_event_id(self) -> int: ...


class _Connection:
    """The read-only connection to one database file, and a cache of query results for that
    file. Replaced as a whole when CURRENT names another file."""

    def __init__(self, path: Path):
        self.path = path
        self.connection = duckdb.connect(str(path), read_only=True)
        self.results: OrderedDict[tuple, pd.DataFrame] = OrderedDict()


class Database:
    """Read access to a store's current database, for one process.

    Opens the file CURRENT names read-only on first use (so after gunicorn forks) and the
    new one as soon as a writer makes it current. It never builds, never writes and never takes
    the store's write lock: a store with no database raises StoreNotReady."""

    def __init__(self, store: Published):
        self.store = store
        self._open: _Connection | None = None
        self._lock = threading.Lock()
        # inside a snapshot: [] until the first read, then [the connection every read uses]
        self._snapshot: ContextVar[list[_Connection] | None] = ContextVar(f"snapshot-{id(self)}", default=None)

    def begin_snapshot(self) -> Token:
        """From now until `end_snapshot`, in this thread or task, read one database only."""
        return self._snapshot.set([])

    def end_snapshot(self, token: Token) -> None:
        self._snapshot.reset(token)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        token = self.begin_snapshot()
        try:
            yield
        finally:
            self.end_snapshot(token)

    def _connection(self) -> _Connection:
        pinned = self._snapshot.get()
        if pinned:
            return pinned[0]
        opened = self._latest()
        if pinned is not None:
            pinned.append(opened)
        return opened

    def _latest(self) -> _Connection:
        path = self.store.current_database()
        if path is None:
            raise StoreNotReady()
        with self._lock:
            if self._open is None or self._open.path != path:
                # A file CURRENT named a moment ago may be gone (superseded and removed):
                # read CURRENT once more and open what it names now.
                try:
                    new = _Connection(path)
                except duckdb.Error:
                    path = self.store.current_database()
                    if path is None:
                        raise StoreNotReady() from None
                    new = _Connection(path)
                # The old file's connection is not closed here: a request in another thread
                # may still be reading its snapshot. It closes when the last one lets go.
                self._open = new
            return self._open

    @property
    def path(self) -> Path:
        return self._connection().path

    def query(self, sql: str, params: list | tuple = ()) -> pd.DataFrame:
        """Run one parameterised SELECT on the current database (cached; do not mutate the result)."""
        opened = self._connection()
        key = (sql, tuple(tuple(p) if isinstance(p, list) else p for p in params))
        with self._lock:
            if key in opened.results:
                opened.results.move_to_end(key)
                return opened.results[key]
        cursor = opened.connection.cursor()  # one cursor per call: safe across threads
        try:
            frame = cursor.execute(sql, list(params)).df()
        finally:
            cursor.close()
        with self._lock:
            opened.results[key] = frame
            if len(opened.results) > _CACHE_SIZE:
                opened.results.popitem(last=False)
        return frame

    def last_event_id(self) -> int:
        """The newest event the database being read holds."""
        meta = self.query("SELECT value FROM meta WHERE key = 'last_event_id'")
        return int(meta["value"].iloc[0]) if len(meta) else 0

    def holds(self, event_id: int) -> bool:
        """Whether the database being read holds this event: every page shows it."""
        return self.last_event_id() >= event_id

    def is_behind(self) -> bool:
        """Whether a stored event waits to be made current (the pages do not show it yet)."""
        return not self.holds(self.store.last_event_id())

    def close(self) -> None:
        with self._lock:
            if self._open is not None:
                self._open.connection.close()
                self._open = None
