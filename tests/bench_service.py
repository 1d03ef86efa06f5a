"""Benchmark: what the service checks add to a request (issue 8 parts 5 and 7).

    .venv/bin/python -m tests.bench_service            # prints a markdown table
    .venv/bin/python -m tests.bench_service --runs 5000

Each figure is the median over --runs calls in this process, on a store in a temporary
folder: checking a Dash callback request before Dash reads it (every callback), looking up
the session behind a cookie (every request of a signed-in user), counting a sign-in try
before its password is checked (every sign-in, before Argon2id's own cost), and keeping a
20 KB upload preview (every preview).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from dashboard.background.pending import PendingPreviews
from dashboard.security.request_checks import check_callback_body
from dashboard.security.sessions import Sessions
from dashboard.security.signin_limits import SigninLimits
from tests.conftest import make_app, settings_for
from tests.upload_helpers import build_seed_store


def median_ms(action, runs: int) -> float:
    times = []
    for i in range(runs):
        started = time.perf_counter()
        action(i)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    runs = parser.parse_args(argv).runs
    folder = Path(tempfile.mkdtemp()) / "store"
    build_seed_store(folder)
    app = make_app(settings_for(folder))
    app.server.test_client().get("/")  # Dash sets up its callbacks on the first request
    body = {
        "output": "..history-table.children...history-url.search..",
        "outputs": [{"id": "history-table", "property": "children"}, {"id": "history-url", "property": "search"}],
        "inputs": [
            {"id": "history-ahsn", "property": "value", "value": "All AHSNs"},
            {"id": "history-quarter", "property": "value", "value": "All quarters"},
        ],
        "state": [{"id": "history-url", "property": "search", "value": ""}],
        "changedPropIds": ["history-ahsn.value"],
    }
    sessions = Sessions(folder, idle_seconds=3600, lifetime_seconds=12 * 3600)
    session_id, _ = sessions.start("nat", "stamp")
    limits = SigninLimits(folder, per_address=10**9)
    pending = PendingPreviews(folder, max_bytes=100 * 2**20, lifetime_seconds=3600)
    content = b"x" * 20_000
    rows = [
        (
            "Check a Dash callback request (history table)",
            median_ms(lambda i: check_callback_body(body, app.callback_map), runs),
        ),
        ("Find the session behind a cookie", median_ms(lambda i: sessions.find(session_id), runs)),
        (
            "Count a sign-in try before its check",
            median_ms(lambda i: limits.begin(f"name{i}", f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"), runs),
        ),
        (
            "Keep a 20 KB upload preview (replacing the last)",
            median_ms(lambda i: pending.save("nat", "r.csv", content + str(i).encode()), min(runs, 500)),
        ),
    ]
    print("| What | Median (ms) |\n|---|---:|")
    for name, ms in rows:
        print(f"| {name} | {ms:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
