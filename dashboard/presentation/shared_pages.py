"""The first paint of a page, rendered once and shared by every visitor who is not signed in.

Laying out a page on the server (prerender.py) costs 100-200 ms of Python for the national
table; that is most of the time to first byte (issue 21). A visitor who is not signed in sees
exactly what every other such visitor sees for the same address, the same published database
and the same day (the due dates count days from today), so the rendered (title, HTML) is kept,
per app, for the last `size` addresses. A signed-in user's page holds their name and their
permissions: it is never shared. A page whose rendering wrote to the session (a token given to
this visitor) is not kept either. Nothing is shared between apps: each `create_app` has its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

EXTENSION = "shared_pages"


class SharedPages:
    """A bounded, thread-safe map of (who may share, path, query) to a rendered first paint."""

    def __init__(self, size: int = 128):
        self.size = size
        self._pages: OrderedDict[tuple, tuple[str, str]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0  # read by the tests and the benchmark

    def get(self, key: tuple) -> tuple[str, str] | None:
        with self._lock:
            found = self._pages.get(key)
            if found is not None:
                self._pages.move_to_end(key)
                self.hits += 1
            return found

    def put(self, key: tuple, page: tuple[str, str]) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def __len__(self) -> int:
        return len(self._pages)


def key_for(shared_by: Callable[[], Hashable | None], address: str, query: bytes) -> tuple | None:
    """The page's key (the address with its host: the page prints it), or None when this request's page is its own (a signed-in user)."""
    who = shared_by()
    return None if who is None else (who, address, query)
