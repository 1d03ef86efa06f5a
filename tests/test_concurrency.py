"""Loads while others read: several reader processes and a gunicorn with several workers."""

import multiprocessing
import subprocess
import sys
import time

import pytest
import requests

from etl.programmes import TCAM
from tests.live import ROOT, LiveServer
from tests.returns import NEXT_QUARTER, filled_return, trust_codes


def _read_until(root: str, stop_at: float, results) -> None:
    """A reader process: query as fast as it can; record each return's row count or the error."""
    from etl.queries import Database
    from etl.store import Store

    db = Database(Store(root))
    seen, errors = set(), []
    while time.monotonic() < stop_at:
        try:
            rows = db.query(
                """SELECT count(*) AS n, any_value(counted_trusts) AS counted
                   FROM trust_returns JOIN ahsn_quarters USING (programme, ahsn, quarter_index)
                   WHERE ahsn = 'Wessex' AND quarter_index = ?""",
                [NEXT_QUARTER.index],
            )
            seen.add((int(rows["n"].iloc[0]), db.path.name))
        except Exception as err:  # any error at all fails the test
            errors.append(f"{type(err).__name__}: {err}")
    results.put((sorted(seen), errors))


@pytest.mark.slow
def test_readers_in_other_processes_never_see_a_half_load_or_a_lock_error(store, db):
    codes = trust_codes(db, "Wessex")
    small = filled_return(db, "Wessex", drop=tuple(c for c, _, _ in codes[2:]))  # 2 trusts
    full = filled_return(db, "Wessex")  # every trust
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    stop_at = time.monotonic() + 8
    readers = [context.Process(target=_read_until, args=(str(store.root), stop_at, results)) for _ in range(3)]
    for r in readers:
        r.start()
    time.sleep(1.5)  # let the readers start querying first
    loads = 0
    while time.monotonic() < stop_at - 1:
        store.load([("w.csv", small if loads % 2 else full)], TCAM, loaded_by="writer")
        loads += 1
    outcomes = [results.get(timeout=30) for _ in readers]
    for r in readers:
        r.join(timeout=10)

    assert loads >= 3
    for seen, errors in outcomes:
        assert errors == []
        counts = {n for n, _ in seen}
        # Before the first load, the full return, or the two-trust one: never anything between.
        assert counts <= {0, len(codes), 2}
        assert len({db for _, db in seen}) >= 2, "the reader never noticed a new database"


@pytest.mark.slow
def test_every_gunicorn_worker_shows_a_load_on_its_next_request(store, db):
    server = LiveServer({"METRICS_DATA": str(store.root)}, workers=3)
    try:
        before = {requests.get(server.url + "/healthz", timeout=5).json()["last_event_id"] for _ in range(12)}
        assert before == {160}
        path = store.root.parent / "wessex.csv"
        path.write_bytes(filled_return(db, "Wessex"))
        loaded = subprocess.run(
            [sys.executable, "-m", "etl", "load", str(path)],
            cwd=ROOT,
            env={"METRICS_DATA": str(store.root), "PATH": ""},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert loaded.returncode == 0, loaded.stderr
        after = [requests.get(server.url + "/healthz", timeout=5).json() for _ in range(30)]
        assert {h["last_event_id"] for h in after} == {161}
        assert {h["status"] for h in after} == {"ok"}
    finally:
        server.stop()
