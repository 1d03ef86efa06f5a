"""One event must never wedge the store (issue 22: one count of 2,147,483,648 passed the reader,
then every build failed, so every later upload, approval and sign-off was "stored" but never
shown, publishing answered 500, and `rebuild` and `quarantine` failed the same way).

Each test crafts an event whose kept rows hold a value the database refuses (a count past
64 bits), as a future reader or an old bug might let through, then proves that the build
leaves that one event out, says so (history, /healthz, the command line) and publishes
every other write, before and after it."""

from __future__ import annotations

import datetime as dt
import io
import json
import stat
import time

import pytest
from upload_helpers import PASSWORD, sign_in

from etl import queries
from etl.cli import main
from etl.programmes import TCAM
from etl.quarters import Quarter
from etl.queries import Database
from etl.store import Store
from etl.users import Users
from tests.conftest import make_app, settings_for
from tests.returns import NEXT_QUARTER, filled_return

TOO_BIG = 10**20  # past BIGINT and pandas' Int64: no build can hold it
TODAY = dt.date(2021, 1, 15)


def commit_unholdable(store: Store, db: Database, ahsn: str = "Wessex") -> int:
    """Commit a return (up to the commit point, not built), then make its kept rows hold a
    count no database column can: the id of the event."""
    [accepted] = store.commit([(f"{ahsn}.csv", filled_return(db, ahsn))], TCAM, loaded_by="mallory", today=TODAY)
    kept = store.root / store.submission(accepted.submission_id).records
    rows = json.loads(kept.read_bytes())
    rows[0]["referrals_made"] = TOO_BIG
    kept.write_bytes(json.dumps(rows).encode())
    return accepted.submission_id


def current_submission(db: Database, ahsn: str, quarter: Quarter = NEXT_QUARTER):
    rates = queries.ahsn_rates(db, TCAM, [quarter.index], ahsn=ahsn)
    value = rates["submission_id"].iloc[0] if len(rates) else None
    return None if value is None or value != value else int(value)


def test_the_build_leaves_out_the_event_it_cannot_hold_and_publishes_every_other(store, db):
    bad = commit_unholdable(store, db)
    # A later write: built at once (the command line's way), with the bad event before it.
    [oxford] = store.load([("oxford.csv", filled_return(db, "Oxford"))], TCAM, loaded_by="ann", today=TODAY)
    assert store.is_current()
    assert current_submission(db, "Oxford") == oxford.submission_id
    assert current_submission(db, "Wessex") is None  # the bad return is in no figure
    left_out = queries.left_out_events(db)
    assert left_out["id"].tolist() == [bad]
    [why] = left_out["reason"].tolist()
    assert "Overflow" in why or "out of range" in why.lower() or "too large" in why.lower(), why
    assert "Wessex.csv" in left_out["description"].iloc[0] and "mallory" in left_out["description"].iloc[0]
    # The bad submission is not listed as a stored return (no figure or history row holds it).
    assert bad not in queries.submissions(db, TCAM)["submission_id"].tolist()

    # Every kind of later write is shown: a sign-off, a restore, a quarantine (of the bad one too).
    store.sign_off(TCAM, NEXT_QUARTER, "board paper", by="nat")
    published = queries.collection_quarters(db, TCAM)
    assert NEXT_QUARTER.index in set(published.loc[published["published_at"].notna(), "quarter_index"])
    store.quarantine(bad, "its count cannot be held", by="nat")
    [kss] = store.load([("kss.csv", filled_return(db, "KSS"))], TCAM, loaded_by="bob", today=TODAY)
    assert store.is_current()
    assert queries.left_out_events(db)["id"].tolist() == [bad]  # carried by the incremental builds

    # A full rebuild tries it again (still left out), and everything else is as it was.
    before = queries.current_return_rows(db, TCAM).to_csv()
    store.rebuild()
    assert queries.left_out_events(db)["id"].tolist() == [bad]
    assert queries.current_return_rows(db, TCAM).to_csv() == before
    assert kss.submission_id in queries.submissions(db, TCAM)["submission_id"].tolist()


def test_once_the_cause_is_fixed_a_rebuild_takes_the_event_back(store, db):
    bad = commit_unholdable(store, db)
    store.make_current()
    assert queries.left_out_events(db)["id"].tolist() == [bad]
    kept = store.root / store.submission(bad).records
    rows = json.loads(kept.read_bytes())
    rows[0]["referrals_made"] = 100
    kept.write_bytes(json.dumps(rows).encode())
    store.make_current()  # an incremental build keeps what was left out: nothing new to add
    assert queries.left_out_events(db)["id"].tolist() == [bad]
    store.rebuild()
    assert queries.left_out_events(db).empty
    assert current_submission(db, "Wessex") == bad


def test_several_bad_events_among_good_ones_are_each_left_out(store, db):
    first = commit_unholdable(store, db, "Wessex")
    [good] = store.commit([("oxford.csv", filled_return(db, "Oxford"))], TCAM, loaded_by="ann", today=TODAY)
    second = commit_unholdable(store, db, "KSS")
    store.set_due_date(TCAM, Quarter.parse("Q4 2020/21"), dt.date(2021, 5, 1), "bank holiday", by="nat")
    assert store.is_current()
    assert queries.left_out_events(db)["id"].tolist() == [first, second]
    assert current_submission(db, "Oxford") == good.submission_id


def test_a_fault_of_the_machine_leaves_no_event_out(store, db, monkeypatch):
    """A full disk is not the event's fault: the build fails, as it should, and nothing is left out."""
    store.commit([("oxford.csv", filled_return(db, "Oxford"))], TCAM, loaded_by="ann", today=TODAY)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("etl.store.database.build_database", disk_full)
    with pytest.raises(OSError, match="No space"):
        store.make_current()
    monkeypatch.undo()
    store.make_current()
    assert queries.left_out_events(db).empty


def test_no_unfinished_build_is_left_and_none_is_readable_by_others(store, db):
    crashed = store.databases / ".building-metrics-000009-deadbeef.duckdb"
    crashed.write_bytes(b"half a database")
    crashed.chmod(0o644)
    store.databases.chmod(0o755)
    commit_unholdable(store, db)  # the trial builds that find it are removed too
    store.make_current()
    assert list(store.databases.glob(".building-*")) == []
    assert stat.S_IMODE(store.databases.stat().st_mode) == 0o700
    for database in store.databases.glob("*.duckdb"):
        assert stat.S_IMODE(database.stat().st_mode) == 0o600


def test_a_crashed_build_is_removed_when_the_store_starts(store):
    crashed = store.databases / ".building-metrics-000009-deadbeef.duckdb"
    crashed.write_bytes(b"half a database")
    Store(store.root).ensure()
    assert not crashed.exists()


def test_the_command_line_says_what_was_left_out(store, db, capsys):
    bad = commit_unholdable(store, db)
    assert main(["rebuild"], settings_for(store.root)) == 0
    assert f"warning: event {bad} (submission: Wessex.csv" in capsys.readouterr().err
    assert main(["history"], settings_for(store.root)) == 0
    assert "is left out of the figures" in capsys.readouterr().err


def test_the_site_publishes_every_later_web_write_and_says_what_was_left_out(store, db):
    Users(store.root).add("nat", PASSWORD, "national", None)
    Users(store.root).add("wessex", PASSWORD, "ahsn", "Wessex")
    bad = commit_unholdable(store, db, "KSS")
    app = make_app(settings_for(store.root))
    client = app.server.test_client()
    csrf = sign_in(client, "", "wessex")
    stored = client.post(
        "/upload/commit",
        data={"csrf_token": csrf, "file": (io.BytesIO(filled_return(db, "Wessex")), "wessex.csv")},
    )
    assert stored.status_code == 200, stored.text
    deadline = time.monotonic() + 60
    while not store.is_current():  # published in the background
        assert time.monotonic() < deadline, "the upload was never published"
        time.sleep(0.1)
    assert current_submission(db, "Wessex") == stored.json["stored"][0]["submission_id"]

    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json["status"] == "events left out"
    assert health.json["left_out"] == [{"event": bad, "kind": "submission"}]
    assert "mallory" not in health.text  # /healthz is public: who and what are for the national team

    client.post("/signout", data={"csrf_token": csrf})
    csrf = sign_in(client, "", "nat")
    signed = client.post(
        f"/quarters/{NEXT_QUARTER.key}/sign-off",
        data={"csrf_token": csrf, "note": "for the board", "incomplete": "yes"},
        headers={"Accept": "application/json"},
    )
    assert signed.status_code == 200, signed.text
    deadline = time.monotonic() + 60
    while not store.is_current():
        assert time.monotonic() < deadline, "the sign-off was never published"
        time.sleep(0.1)
    published = queries.collection_quarters(db, TCAM)
    assert NEXT_QUARTER.index in set(published.loc[published["published_at"].notna(), "quarter_index"])
    for page in ("/tcam/", "/tcam/history", "/tcam/returns"):
        assert client.get(page).status_code == 200
