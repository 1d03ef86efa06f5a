"""Dash's scripts and plotly compressed once per worker, not once per request.

flask-compress (Dash's `compress=True`) compresses every response as it leaves. For a page
that costs little; for plotly (4.8 MB) it is about 0.4 s of a worker's CPU each time a browser
without it cached asks, which on a busy morning is every programme lead at once. The files
under /_dash-component-suites/ and /assets/ carry their version or modification time in their
address, so the same address always has the same bytes while the worker lives: those are
compressed once and kept (a few megabytes at most, bounded). Every other response (pages,
callbacks, downloads) is compressed afresh, never kept: they differ by user and by moment.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import Request

# What the Dash server serves from files that never change under the same address.
FILE_PREFIXES = ("/_dash-component-suites/", "/assets/")
NOT_KEPT = "-"  # the key of a response that is compressed but never kept
MAX_KEPT = 64  # Dash's and plotly's scripts and our assets are about 20 files a page


def cache_key(request: Request) -> str:
    """The address of a file (query included: it holds the version), or NOT_KEPT."""
    if request.method == "GET" and request.path.startswith(FILE_PREFIXES):
        return request.full_path
    return NOT_KEPT


class CompressedFiles:
    """flask-compress's cache backend (get/set): keeps only files' compressed bytes, at most
    MAX_KEPT of them, the least recently used dropped first. One per worker process; what it
    holds is derived from files that do not change, so no request can see another's data."""

    def __init__(self, max_kept: int = MAX_KEPT) -> None:
        self.max_kept = max_kept
        self._kept: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        if key.endswith(";" + NOT_KEPT):
            return None
        with self._lock:
            value = self._kept.get(key)
            if value is not None:
                self._kept.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(";" + NOT_KEPT):
            return
        with self._lock:
            self._kept[key] = value
            self._kept.move_to_end(key)
            while len(self._kept) > self.max_kept:
                self._kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)


def configure(server) -> None:
    """Set before Dash enables compression (flask-compress reads these once, at start)."""
    server.config["COMPRESS_CACHE_KEY"] = cache_key
    server.config["COMPRESS_CACHE_BACKEND"] = CompressedFiles
