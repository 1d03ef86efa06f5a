"""The store: load, supersede, restore, rebuild, and nothing changed by a refused file."""

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from etl import events, queries, report, words
from etl.errors import NotFound
from etl.problems import ReturnRejected
from etl.programmes import TCAM
from etl.quarters import Quarter
from etl.queries import Database
from etl.reference import organisations
from etl.store import Store
from tests.returns import NEXT_QUARTER, filled_return, trust_codes

FIXTURES = Path(__file__).parent / "fixtures" / "returns"
Q2_2020 = Quarter.parse("Q2 2020/21")


def snapshot(store: Store, db) -> dict:
    """Everything a refused load must leave exactly as it was."""
    files = {
        str(p.relative_to(store.root)): p.read_bytes()
        for p in sorted(store.root.rglob("*"))
        if p.is_file() and p.name != "write.lock"
    }
    quarters = [Quarter.parse("Q3 2018/19"), Quarter.parse("Q3 2019/20"), Q2_2020]
    return {"files": files, "report": report.to_csv(report.national_table(db, TCAM, quarters))}


def wessex_rate(db, quarter=NEXT_QUARTER):
    rates = queries.ahsn_rates(db, TCAM, [quarter.index], ahsn="Wessex")
    return tuple(rates[["adopted_trusts", "counted_trusts", "rate_percent", "submission_id"]].iloc[0])


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir()))
def test_a_refused_file_leaves_the_store_unchanged(store, db, name):
    before = snapshot(store, db)
    with pytest.raises(ReturnRejected) as refused:
        store.load([(name, (FIXTURES / name).read_bytes())], TCAM, loaded_by="test")
    assert refused.value.problems
    assert snapshot(store, db) == before


def test_one_bad_file_in_a_batch_stores_none_of_the_batch(store, db):
    before = snapshot(store, db)
    good = filled_return(db, "Wessex")
    with pytest.raises(ReturnRejected):
        store.load([("good.csv", good), ("bad.csv", (FIXTURES / "bad_values.csv").read_bytes())], TCAM)
    assert snapshot(store, db) == before


def test_load_supersede_and_restore(store, db):
    codes = trust_codes(db, "Wessex")
    not_adopted = [c for c, level, t in codes if level < 4 and t == "acute"]
    first = store.load([("wessex-q3.csv", filled_return(db, "Wessex"))], TCAM, loaded_by="ann")
    adopted, counted, rate, sub = wessex_rate(db)
    assert (sub, first[0].returns) == (first[0].submission_id, [("Wessex", "Q3 2020/21", len(codes))])

    second = store.load(
        [("wessex-q3-v2.csv", filled_return(db, "Wessex", levels={not_adopted[0]: 4}))], TCAM, loaded_by="bob"
    )
    assert wessex_rate(db) == (adopted + 1, counted, words.whole_percent(adopted + 1, counted), second[0].submission_id)
    history = queries.submissions(db, TCAM, ahsn="Wessex")
    latest_two = history[history["quarter"] == "Q3 2020/21"][["submission_id", "loaded_by", "is_current"]]
    assert latest_two.values.tolist() == [
        [second[0].submission_id, "bob", True],
        [first[0].submission_id, "ann", False],
    ]

    store.restore(first[0].submission_id, by="carol")
    assert wessex_rate(db) == (adopted, counted, rate, first[0].submission_id)
    history = queries.submissions(db, TCAM, ahsn="Wessex")
    both = history[history["quarter"] == "Q3 2020/21"][["submission_id", "is_current"]]
    assert both.values.tolist() == [[second[0].submission_id, False], [first[0].submission_id, True]]
    assert queries.restores(db, TCAM)[["submission_id", "restored_by"]].values.tolist() == [
        [first[0].submission_id, "carol"]
    ]


def test_restore_of_unknown_submission_says_so(store, db):
    with pytest.raises(NotFound, match="there is no submission 9999"):
        store.restore(9999)


def test_the_original_bytes_are_kept_with_who_when_where_and_hash(store, db):
    content = filled_return(db, "Wessex").replace(b"\n", b"\r\n")
    accepted = store.load([("Wessex Q3.csv", content)], TCAM, loaded_by="ann", source="test suite")
    on_disk = json.loads((store.events_dir / f"{accepted[0].submission_id:06d}.json").read_text())
    event = store.event(accepted[0].submission_id)
    assert on_disk == events.to_json(event)
    assert store.original_bytes(event) == content
    assert (event.file_name, event.loaded_by, event.source, on_disk["kind"]) == (
        "Wessex Q3.csv",
        "ann",
        "test suite",
        "submission",
    )
    assert event.stored_as == f"originals/{event.sha256}.csv"
    assert event.sha256 == hashlib.sha256(content).hexdigest()


def test_warnings_do_not_block_and_are_kept_with_the_submission(store, db):
    codes = trust_codes(db, "Wessex")
    live = [c for c, level, _ in codes if level >= 4]
    missing = [c for c in (c for c, _, _ in codes) if c not in live[:2]][0]
    content = filled_return(db, "Wessex", levels={live[0]: 2}, referrals={live[1]: (50_000, 100)}, drop=(missing,))
    accepted = store.load([("w.csv", content)], TCAM)
    messages = [w.message for w in accepted[0].warnings]
    assert any(
        f"({missing}) was in Wessex's return for Q2 2020/21 but is missing from Q3 2020/21" in m for m in messages
    ), messages
    assert any(f"({live[0]}) dropped from level" in m and "to 2 since Q2 2020/21" in m for m in messages)
    assert any(f"({live[1]}) made 50,000 referrals, more than 10 times" in m for m in messages)
    history = queries.submissions(db, TCAM, ahsn="Wessex")
    assert history.iloc[0]["warning_count"] == len(messages) == 3


def test_a_trust_already_in_another_ahsns_return_is_refused(store, db):
    oxford_code = trust_codes(db, "Oxford", Q2_2020)[0][0]
    content = (
        filled_return(db, "Wessex", Q2_2020)
        .decode()
        .replace(trust_codes(db, "Wessex", Q2_2020)[0][0], oxford_code)
        .encode()
    )
    with pytest.raises(ReturnRejected) as refused:
        store.load([("w.csv", content)], TCAM)
    name = organisations(TCAM).by_code(oxford_code).name
    assert [p.message for p in refused.value.problems] == [
        f"trust {oxford_code} is {name}, one of Oxford's trusts in the reference list of TCAM trusts, not Wessex's "
        "(Oxford's return for Q2 2020/21 holds it)"
    ]


def test_rebuild_gives_the_same_result(store, db, tmp_path):
    store.load([("a.csv", filled_return(db, "Wessex"))], TCAM)
    store.load([("b.csv", filled_return(db, "Oxford"))], TCAM)
    store.restore(1)
    quarters = report.default_quarters(db, TCAM) + [NEXT_QUARTER]
    before = (
        report.to_csv(report.national_table(db, TCAM, quarters)),
        queries.current_return_rows(db, TCAM).to_csv(),
        queries.submissions(db, TCAM).drop(columns=[]).to_csv(),
    )
    store.rebuild()
    after = (
        report.to_csv(report.national_table(db, TCAM, quarters)),
        queries.current_return_rows(db, TCAM).to_csv(),
        queries.submissions(db, TCAM).to_csv(),
    )
    assert after == before

    # A new store holding only what a backup keeps (events, originals, parsed rows) rebuilds
    # to the same data...
    copy = tmp_path / "copy"
    copy.mkdir()
    for part in ("events", "originals", "parsed"):
        shutil.copytree(store.root / part, copy / part)
    elsewhere = Store(copy)
    elsewhere.ensure()
    assert queries.current_return_rows(Database(elsewhere), TCAM).to_csv() == before[1]
    # ...and without the parsed rows, says how to read the originals again, which also does.
    shutil.rmtree(copy / "parsed")
    shutil.rmtree(copy / "databases")
    (copy / "CURRENT").unlink()
    with pytest.raises(RuntimeError, match="rebuild --reparse"):
        Store(copy).ensure()
    Store(copy).rebuild(reparse=True)
    assert queries.current_return_rows(Database(Store(copy)), TCAM).to_csv() == before[1]


def test_a_crash_during_the_build_leaves_the_previous_data_then_is_repaired(store, db, monkeypatch):
    before = snapshot(store, db)["report"]
    current = store.current_file.read_text()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed mid-build")

    with monkeypatch.context() as patch:
        patch.setattr("etl.store.database.build_database", crash)
        with pytest.raises(KeyboardInterrupt):
            store.load([("a.csv", filled_return(db, "Wessex"))], TCAM)
    assert store.current_file.read_text() == current
    assert snapshot(store, db)["report"] == before

    # The event was written before the crash, so the load is not lost: ensure() finishes it.
    store.ensure()
    assert store.current_file.read_text() != current
    assert wessex_rate(db)[3] == store.last_event_id()


def test_an_empty_store_builds_the_embedded_demo_data(empty_store):
    assert empty_store.current_database() is None
    path = empty_store.ensure()
    assert path.exists()
    status = queries.store_status(Database(empty_store), TCAM)
    assert (status.latest_quarter, status.returns, status.demo_returns) == ("Q2 2020/21", 150, 150)


def test_a_batch_is_committed_as_one_event_file(store, db):
    accepted = store.load([("w.csv", filled_return(db, "Wessex")), ("o.csv", filled_return(db, "Oxford"))], TCAM)
    assert [a.submission_id for a in accepted] == [161, 162]
    assert (store.events_dir / "000161-000162.json").exists()
    assert [e.file_name for e in store.events()[-2:]] == ["w.csv", "o.csv"]
    assert list(store.event(162).returns) == [("Oxford", "Q3 2020/21", len(trust_codes(db, "Oxford")))]
    # one event, or the ones committed with it, read from that file alone
    assert [e.id for e in store.committed_with(162)] == [161, 162]
    assert store.event(163) is None and store.committed_with(163) == []
    assert store.committed_at(161) == (store.events_dir / "000161-000162.json").stat().st_mtime
