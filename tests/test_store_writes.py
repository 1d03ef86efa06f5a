"""Writes that stay cheap and honest: parse once, commit before publish, quarantine."""

from __future__ import annotations

import csv
import io
import os
import shutil
import time

import pytest

from etl import queries, report
from etl.errors import Conflict, InvalidInput
from etl.programmes import TCAM
from etl.quarters import Quarter
from etl.queries import Database, files
from tests.conftest import make_app
from tests.returns import NEXT_QUARTER, filled_return

Q2_2020 = Quarter.parse("Q2 2020/21")


def big_return(ahsn: str, quarter: Quarter, trusts: int = 300) -> bytes:
    """A valid return as large as a return may plausibly be (300 trusts)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "quarter",
            "ahsn",
            "trust_code",
            "trust_name",
            "trust_type",
            "adoption_level",
            "referrals_made",
            "referrals_completed",
        ]
    )
    for n in range(trusts):
        writer.writerow(
            [
                quarter.label,
                ahsn,
                f"Z{n:04d}",
                f"Synthetic {ahsn} Trust {n}",
                "acute",
                1 + n % 5,
                10 * (n % 5),
                5 * (n % 5),
            ]
        )
    return out.getvalue().encode()


def rate(db, ahsn: str, quarter: Quarter):
    rates = queries.ahsn_rates(db, TCAM, [quarter.index], ahsn=ahsn)
    return None if not len(rates) else tuple(rates[["rate_percent", "submission_id"]].iloc[0])


def test_storing_a_return_never_reads_the_kept_originals(store, db, tmp_path):
    """Parse once: after a dozen big returns, storing another needs none of them read again
    (their originals are moved away to prove it), and neither does a rebuild."""
    quarters = [Quarter.parse("Q1 2015/16") + i for i in range(12)]
    store.load(
        [(f"big-{q.key}.csv", big_return("Oxford", q)) for q in quarters], TCAM, today=Quarter.parse("Q4 2020/21").start
    )
    shutil.move(store.originals, tmp_path / "originals-elsewhere")
    accepted = store.load([("wessex.csv", filled_return(db, "Wessex"))], TCAM)
    assert rate(db, "Wessex", NEXT_QUARTER)[1] == accepted[0].submission_id
    before = report.to_csv(report.national_table(db, TCAM, quarters[-2:] + [NEXT_QUARTER]))
    store.rebuild()
    assert report.to_csv(report.national_table(db, TCAM, quarters[-2:] + [NEXT_QUARTER])) == before
    # Only an explicit --reparse reads originals, and says what is missing.
    with pytest.raises(FileNotFoundError):
        store.rebuild(reparse=True)
    for kept in (tmp_path / "originals-elsewhere").iterdir():  # put them back beside Wessex's
        shutil.move(kept, store.originals / kept.name)
    store.rebuild(reparse=True)
    assert report.to_csv(report.national_table(db, TCAM, quarters[-2:] + [NEXT_QUARTER])) == before


def test_an_incremental_build_equals_a_build_from_nothing(store, db):
    store.load([("a.csv", filled_return(db, "Wessex"))], TCAM)
    store.restore(1)
    store.quarantine(147, "checking a suspicious file", by="nat")
    tables = (
        "submissions",
        "restores",
        "quarantine_events",
        "submitted_rows",
        "current_returns",
        "ahsn_quarters",
        "england_quarters",
        "level_counts",
    )

    def everything():
        return {t: db.query(f"SELECT * FROM {t} ORDER BY ALL").to_csv() for t in tables}

    incremental = everything()
    store.rebuild()  # from nothing
    assert everything() == incremental


def test_a_commit_is_stored_before_it_is_published(store, db):
    """The commit point is the event file: once commit() returns the file is stored, and the
    database follows when make_current() runs (the web app runs it in the background)."""
    before = store.current_database()
    [accepted] = store.commit([("w.csv", filled_return(db, "Wessex"))], TCAM, loaded_by="ann")
    assert store.event(accepted.submission_id).loaded_by == "ann"
    assert store.current_database() == before and not store.is_current()
    assert rate(db, "Wessex", NEXT_QUARTER) is None
    store.make_current()
    assert rate(db, "Wessex", NEXT_QUARTER)[1] == accepted.submission_id


def test_reads_in_a_snapshot_stay_on_one_database_while_a_write_is_published(store, db):
    """A page made while a write is published must not mix figures from before and after it."""
    with db.snapshot():
        assert rate(db, "Wessex", NEXT_QUARTER) is None
        [accepted] = store.load([("w.csv", filled_return(db, "Wessex"))], TCAM)
        assert rate(db, "Wessex", NEXT_QUARTER) is None  # still the database the snapshot began on
        assert accepted.submission_id not in set(queries.submissions(db, TCAM, "Wessex")["submission_id"])
    assert rate(db, "Wessex", NEXT_QUARTER)[1] == accepted.submission_id  # the next read sees it
    with db.snapshot():
        assert accepted.submission_id in set(queries.submissions(db, TCAM, "Wessex")["submission_id"])


def test_each_web_request_reads_one_database(store, settings):
    app = make_app(settings)
    db = app.server.extensions["metrics"].db
    with app.server.test_request_context("/history"):
        app.server.preprocess_request()
        before = queries.submissions(db, TCAM)["submission_id"].max()
        [accepted] = store.load([("w.csv", filled_return(db, "Wessex"))], TCAM)
        assert queries.submissions(db, TCAM)["submission_id"].max() == before
        assert queries.restores(db, TCAM).empty
        app.server.do_teardown_request()
    with app.server.test_request_context("/history"):
        app.server.preprocess_request()
        assert queries.submissions(db, TCAM)["submission_id"].max() == accepted.submission_id
        app.server.do_teardown_request()


def test_quarantine_leaves_a_submission_out_of_every_figure_and_release_brings_it_back(store, db):
    first = store.load([("w1.csv", filled_return(db, "Wessex"))], TCAM)[0].submission_id
    levels = dict.fromkeys(queries.trusts(db, TCAM, "Wessex", Q2_2020.index)["trust_code"], 4)
    second = store.load([("w2.csv", filled_return(db, "Wessex", levels=levels))], TCAM)[0].submission_id
    assert rate(db, "Wessex", NEXT_QUARTER) == (100, second)
    event = store.quarantine(second, "  every trust live at once: checking with Wessex  ", by="nat")
    assert (event.kind, event.reason, event.loaded_by) == (
        "quarantine",
        "every trust live at once: checking with Wessex",
        "nat",
    )
    assert rate(db, "Wessex", NEXT_QUARTER)[1] == first  # the one before it is current again
    history = queries.submissions(db, TCAM, "Wessex").set_index("submission_id")
    assert history.loc[second, "is_quarantined"] and history.loc[second, "quarantine_reason"].startswith("every")
    with pytest.raises(Conflict, match="is quarantined: release it before"):
        store.restore(second)
    with pytest.raises(Conflict, match="already quarantined"):
        store.quarantine(second, "again")
    with pytest.raises(InvalidInput, match="say why"):
        store.release(second, "   ")
    store.release(second, "confirmed by the Wessex lead", by="nat")
    assert rate(db, "Wessex", NEXT_QUARTER) == (100, second)
    with pytest.raises(Conflict, match="is not quarantined"):
        store.release(second, "again")


def test_quarantining_the_only_return_of_a_quarter_leaves_no_return(store, db):
    only = store.load([("w.csv", filled_return(db, "Wessex"))], TCAM)[0].submission_id
    store.quarantine(only, "wrong quarter")
    assert rate(db, "Wessex", NEXT_QUARTER) is None
    assert len(queries.submissions(db, TCAM, "Wessex").query("submission_id == @only")) == 1  # kept


def test_healthz_says_updating_then_behind_when_a_stored_event_is_not_published(store, settings, db):
    [accepted] = store.commit([("w.csv", filled_return(db, "Wessex"))], TCAM)
    # The publish will fail: its parsed rows are gone (as after a bad restore from backup).
    (store.root / store.event(accepted.submission_id).records).unlink()
    client = make_app(settings).server.test_client()
    body = client.get("/healthz").get_json()
    assert (body["status"], body["events_waiting"], body["last_event_id"]) == ("updating", 1, 160)
    hours_ago = time.time() - 3 * 3600
    os.utime(store.events_dir / f"{accepted.submission_id:06d}.json", (hours_ago, hours_ago))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["status"] == "behind"


def test_the_web_app_finishes_a_commit_whose_worker_died(store, settings, db):
    """A commit written but never published (its worker killed) is published by the next
    request to any worker, in the background."""
    [accepted] = store.commit([("w.csv", filled_return(db, "Wessex"))], TCAM)
    client = make_app(settings).server.test_client()
    client.get("/healthz")
    deadline = time.monotonic() + 15
    while not store.is_current() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert files.last_event_in(store.current_database()) == accepted.submission_id
    assert rate(Database(store), "Wessex", NEXT_QUARTER)[1] == accepted.submission_id
