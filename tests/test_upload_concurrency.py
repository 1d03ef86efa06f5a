"""Reliability: concurrent uploads through gunicorn with several workers, and a load killed
in the middle of its commit. Real server, real store, real processes."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import requests
from upload_helpers import build_seed_store, fixture_bytes, seed_server, sign_in

from etl import queries
from etl.programmes import TCAM
from etl.queries import Database
from etl.queries.files import last_event_in
from etl.reading.limits import ReadLimits
from etl.store import Store, records_json
from etl.validate import parse_return
from tests.live import ROOT, LiveServer

pytestmark = pytest.mark.slow  # gunicorn, and loads killed in subprocesses


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with seed_server(tmp_path_factory.mktemp("concurrency") / "store", workers=3) as served:
        yield served


def signed_in(live, name):
    session = requests.Session()
    return session, sign_in(session, live.url, name)


def post_together(posts):
    """Send the posts at the same instant from threads; the responses in the same order."""
    barrier = threading.Barrier(len(posts))
    results = [None] * len(posts)

    def send(i, session, url, data, files):
        barrier.wait()
        results[i] = session.post(url, data=data, files=files, timeout=120)

    threads = [threading.Thread(target=send, args=(i, *p)) for i, p in enumerate(posts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def served_by_every_worker(live, event_id: int, seconds: float = 20) -> bool:
    """True once a run of /healthz answers (spread over the workers) all report `event_id`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen = {requests.get(live.url + "/healthz", timeout=10).json()["last_event_id"] for _ in range(12)}
        if seen == {event_id}:
            return True
        time.sleep(0.2)
    return False


def rows_now(store):
    db = Database(store)
    try:
        rows = queries.current_return_rows(db, TCAM).copy()
    finally:
        db.close()
    return rows.sort_values(["ahsn", "quarter_index", "trust_code"]).reset_index(drop=True)


def test_two_uploads_at_once_for_different_ahsns_and_for_the_same(server):
    live, store = server
    wessex, wessex_csrf = signed_in(live, "wessex")
    kss, kss_csrf = signed_in(live, "kss")
    nat, nat_csrf = signed_in(live, "nat")
    good = fixture_bytes("wessex-good.csv")
    changed = good.replace(b"RN3,Great Western Hospitals,acute,2", b"RN3,Great Western Hospitals,acute,4")
    before = len(store.events())

    responses = post_together(
        [
            (wessex, live.url + "/upload/commit", {"csrf_token": wessex_csrf}, {"file": ("wessex-good.csv", good)}),
            (
                kss,
                live.url + "/upload/commit",
                {"csrf_token": kss_csrf},
                {"file": ("kss-good.csv", fixture_bytes("kss-good.csv"))},
            ),
        ]
    )
    assert [r.status_code for r in responses] == [200, 200]
    first_wessex = responses[0].json()["stored"][0]["submission_id"]
    # the same AHSN-quarter from two people at once: both stored, one after the other
    responses = post_together(
        [
            (wessex, live.url + "/upload/commit", {"csrf_token": wessex_csrf}, {"file": ("wessex-good.csv", good)}),
            (nat, live.url + "/upload/commit", {"csrf_token": nat_csrf}, {"file": ("wessex-changed.csv", changed)}),
        ]
    )
    assert [r.status_code for r in responses] == [200, 200]
    ids = sorted(r.json()["stored"][0]["submission_id"] for r in responses)

    events = store.events()
    assert len(events) == before + 4
    assert [e.id for e in events] == list(range(1, len(events) + 1))  # no id used twice
    # stored at the answer, published just after: every worker serves it all within seconds
    assert served_by_every_worker(live, len(events))
    subs = queries.submissions(Database(store), TCAM, "Wessex")
    q2 = subs[subs["quarter"] == "Q2 2020/21"]
    assert sorted(q2["submission_id"]) == sorted([first_wessex, *ids])  # none lost
    assert int(q2["is_current"].sum()) == 1  # exactly one current, the later one
    assert int(q2[q2["is_current"]]["submission_id"].iloc[0]) == ids[-1]

    rows = rows_now(store)
    store.rebuild()
    pd.testing.assert_frame_equal(rows_now(store), rows)


def _batch(folder: Path, quarters: int) -> list[Path]:
    """Many valid Oxford returns (one per quarter back from Q4 2019/20): a slow load."""
    folder.mkdir(parents=True, exist_ok=True)
    header = "quarter,ahsn,trust_code,trust_name,trust_type,adoption_level,referrals_made,referrals_completed\n"
    paths = []
    year, number = 2019, 3
    for i in range(quarters):
        label = f"Q{number} {year}/{(year + 1) % 100:02d}"
        body = "".join(
            f"{label},Oxford,{code},{name},acute,{lv},{5 + i},{i}\n"
            for code, name, lv in (
                ("RTH", "Oxford University Hospitals", 4),
                ("RXQ", "Buckinghamshire Healthcare", 2),
                ("RHW", "Royal Berkshire", 2),
            )
        )
        path = folder / f"oxford-{year}-q{number}.csv"
        path.write_text(header + body)
        paths.append(path)
        number -= 1
        if number == 0:
            number, year = 4, year - 1
    return paths


LOADER = """
import sys
from pathlib import Path
from etl.programmes import TCAM
from etl.store import Store
files = [(p.name, p.read_bytes()) for p in map(Path, sys.argv[2:])]
Store(Path(sys.argv[1])).load(files, TCAM, loaded_by="batch", source="crash test")
"""


def _start_load(store, files):
    return subprocess.Popen([sys.executable, "-c", LOADER, str(store.root), *map(str, files)], cwd=ROOT)


def _assert_consistent(store):
    """Every event file is whole; after ensure() the database holds exactly the events."""
    for path in (store.root / "events").glob("*.json"):
        json.loads(path.read_text())
    path = store.ensure()
    assert last_event_in(path) == store.last_event_id()


def test_a_load_killed_while_building_leaves_the_previous_data_in_place(tmp_path):
    store = build_seed_store(tmp_path / "store")
    files = _batch(tmp_path / "batch", 24)
    before_db = store.current_database()
    before_rows = rows_now(store)
    process = _start_load(store, files)
    deadline = time.monotonic() + 120
    # Kill it in the window where its events are written but the new database is not yet
    # published: the riskiest moment of a commit.
    while not list((store.root / "databases").glob(".building-*")):
        assert process.poll() is None, "the load finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert store.current_database() == before_db  # readers still get the previous data
    pd.testing.assert_frame_equal(rows_now(store), before_rows)
    # The events were the commit point, so the next use repairs the store by publishing
    # them: the whole batch, never part of it.
    _assert_consistent(store)
    rows = rows_now(store)
    assert set(rows[rows["ahsn"] == "Oxford"]["quarter"]) >= {"Q1 2014/15", "Q4 2019/20"}
    # and the store still takes a load
    store.load([("kss-good.csv", fixture_bytes("kss-good.csv"))], TCAM, loaded_by="t")
    _assert_consistent(store)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_load_killed_at_a_random_moment_leaves_a_working_store(tmp_path, seed):
    store = build_seed_store(tmp_path / "store")
    files = _batch(tmp_path / "batch", 24)
    before_events = len(store.events())
    before_rows = rows_now(store)
    process = _start_load(store, files)
    time.sleep(random.Random(seed).uniform(0.2, 2.5))
    process.send_signal(signal.SIGKILL)
    process.wait()
    _assert_consistent(store)
    rows = rows_now(store)
    if len(store.events()) == before_events:  # killed before its commit point: nothing changed
        pd.testing.assert_frame_equal(rows, before_rows)
    else:  # after it: the whole batch is in
        assert len(store.events()) == before_events + len(files)
    store.rebuild()
    pd.testing.assert_frame_equal(rows_now(store), rows)


def _worker_reading(live, path: Path, seconds: float = 10) -> int:
    """The pid of the gunicorn worker that has `path` open (the one whose build reads it).
    Its open() returns a moment after ours does, hence the short wait."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for pid in _workers(live):
            try:
                if any(os.readlink(fd) == str(path) for fd in Path(f"/proc/{pid}/fd").iterdir()):
                    return pid
            except OSError:  # a worker that ended meanwhile
                continue
        time.sleep(0.01)
    raise AssertionError(f"no worker has {path} open")


def _workers(live) -> list[int]:
    """The gunicorn master's child processes."""
    children = Path(f"/proc/{live.process.pid}/task/{live.process.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def test_a_worker_killed_between_the_commit_and_the_switch_told_the_user_stored_and_every_worker_serves_it(tmp_path):
    """The riskiest moment of a web upload, made to happen for certain: the parsed rows the
    background build will read are, ahead of time, a named pipe, so the build in the worker
    that took the commit waits there (after the answer "stored" was sent) until the test
    kills that worker. The other workers then finish the publish on their next requests."""
    root = tmp_path / "store"
    build_seed_store(root)
    content = fixture_bytes("wessex-good.csv")
    parsed = parse_return("wessex-good.csv", content, TCAM, ReadLimits(), today=None)
    rows = records_json(parsed.records)
    rows_path = root / "parsed" / f"{hashlib.sha256(rows).hexdigest()}.json"
    rows_path.parent.mkdir(exist_ok=True)
    os.mkfifo(rows_path)
    with LiveServer({"METRICS_DATA": str(root)}, workers=3) as live:
        session, csrf = signed_in(live, "wessex")
        answer = session.post(
            live.url + "/upload/commit",
            data={"csrf_token": csrf},
            files={"file": ("wessex-good.csv", content)},
            timeout=60,
        )
        assert answer.status_code == 200
        assert answer.json()["stored"][0]["submission_id"] == 7 and answer.json()["figures_updated"] is False
        # the committing worker's build is now waiting to open the pipe: meet it there
        deadline = time.monotonic() + 30
        while True:
            try:
                writer = os.open(rows_path, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError:  # no reader yet
                assert time.monotonic() < deadline, "the build never reached the parsed rows"
                time.sleep(0.02)
        worker = _worker_reading(live, rows_path)
        replacement = rows_path.with_name("rows.tmp")
        replacement.write_bytes(rows)
        os.replace(replacement, rows_path)  # the real rows, for whoever builds next
        os.kill(worker, signal.SIGKILL)
        os.close(writer)
        assert Store(root).last_event_id() == 7 and not Store(root).is_current()
        assert served_by_every_worker(live, 7, seconds=60)
        assert requests.get(live.url + "/healthz", timeout=10).json()["status"] == "ok"
    rates = queries.ahsn_rates(Database(Store(root)), TCAM, ahsn="Wessex")
    assert int(rates[rates["quarter"] == "Q2 2020/21"]["submission_id"].iloc[0]) == 7
