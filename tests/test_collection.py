"""The quarter's collection: published figures hold still, a partial quarter is shown for what it
is, and a change after sign-off waits for a national administrator (issue 10)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from etl import collection, queries, statuses
from etl.errors import Conflict, InvalidInput
from etl.programmes import TCAM
from etl.quarters import Quarter
from etl.report import default_quarters, national_table, target_sentence, to_csv
from tests.conftest import ROOT
from tests.returns import NEXT_QUARTER, filled_return, trust_codes

TABLE_8_1 = (ROOT / "data" / "reference" / "tcam_table_8_1.csv").read_text()
Q2_2020 = Quarter.parse("Q2 2020/21")
TODAY = dt.date(2021, 2, 1)  # during the Q3 2020/21 collection: due 15 Feb 2021


def report_rows(db, quarters=None, provisional=False) -> dict[str, list[str]]:
    quarters = quarters or default_quarters(db, TCAM, provisional=provisional)
    rows = list(csv.reader(io.StringIO(to_csv(national_table(db, TCAM, quarters)))))
    return {r[0]: r[1:] for r in rows}


def kss_with_one_more_live(db, quarter: Quarter) -> bytes:
    not_live = next(c for c, level, kind in trust_codes(db, "KSS", quarter) if level < 4 and kind == "acute")
    return filled_return(db, "KSS", quarter, levels={not_live: 4})


def test_the_demo_quarters_are_published_and_the_next_is_open_with_its_due_date(store, db):
    statuses = collection.statuses(db, TCAM, TODAY)
    assert [s.quarter.label for s in collection.published(statuses)][-1] == "Q2 2020/21"
    assert all(s.state == collection.PUBLISHED and s.is_complete for s in collection.published(statuses))
    [upcoming] = collection.open_quarters(statuses)
    assert (upcoming.quarter, upcoming.due, upcoming.coverage) == (
        NEXT_QUARTER,
        dt.date(2021, 2, 15),
        "0 of 15 AHSNs have returned",
    )
    assert upcoming.due_text(TODAY) == "due 15 Feb 2021 (in 14 days)"
    assert upcoming.due_text(dt.date(2021, 3, 1)) == "due 15 Feb 2021 (14 days ago)"


def test_one_ahsn_returning_does_not_move_the_default_figures(store, db):
    """Issue 10's first 'done when': after KSS stores Q3 2020/21, the default table is still
    Table 8.1 with Q2 2020/21 the latest quarter and England 51%."""
    store.load([("kss.csv", filled_return(db, "KSS"))], TCAM)
    assert to_csv(national_table(db, TCAM, default_quarters(db, TCAM))) == TABLE_8_1
    provisional = national_table(db, TCAM, default_quarters(db, TCAM, provisional=True))
    assert [q.label for q in provisional.quarters] == ["Q3 2018/19", "Q3 2019/20", "Q2 2020/21", "Q3 2020/21"]
    assert provisional.provisional == {NEXT_QUARTER: "1 of 15 AHSNs has returned"}
    header, *_, total = to_csv(provisional).splitlines()
    assert "q3_2020_21 (provisional: 1 of 15 AHSNs has returned)" in header
    # the total of the one AHSN returned is not England's: its change is compared with nothing
    assert total.split(",")[-1] == "n/a" and total.split(",")[-3:-1] == ["15", "11"]
    sentence = target_sentence(provisional, TCAM.target_percent)
    assert (
        "of the 1 AHSN that has returned so far at or above 50% in Q3 2020/21 (provisional: 1 of 15 AHSNs" in sentence
    )
    assert "up from 7 in Q3 2019/20" in sentence  # Q2 2020/21 against Q3 2019/20: both whole quarters
    assert sentence.endswith("in Q3 2020/21 (provisional: 1 of 15 AHSNs has returned).")  # compared with nothing


def test_a_change_to_a_published_quarter_waits_for_approval_then_shows_as_revised(store, db):
    before = report_rows(db)["KSS"]
    [accepted] = store.load([("kss-q2.csv", kss_with_one_more_live(db, Q2_2020))], TCAM, loaded_by="kss")
    assert any("Q2 2020/21 is published: KSS's return for it is a revision" in w.message for w in accepted.warnings)
    assert report_rows(db)["KSS"] == before  # nothing changes silently
    [pending] = queries.pending_revisions(db, TCAM).to_dict("records")
    assert (
        pending["event_id"],
        pending["ahsn"],
        pending["quarter"],
        pending["before_rate"],
        pending["after_rate"],
    ) == (accepted.submission_id, "KSS", "Q2 2020/21", 50, 60)
    changes = queries.revision_trust_changes(db, TCAM, accepted.submission_id)
    assert len(changes) >= 1 and (changes["level_after"] == 4).any()

    store.decide_revision(accepted.submission_id, True, "the trust went live in September", by="nat")
    assert report_rows(db)["KSS"][2] == "60"
    [mark] = queries.revisions(db, TCAM, [Q2_2020.index]).to_dict("records")
    assert (
        mark["ahsn"],
        mark["first_rate"],
        mark["current_rate"],
        mark["reason"],
        mark["changed_by"],
        mark["how"],
    ) == ("KSS", 50, 60, "the trust went live in September", "nat", "approved revision")
    # what the board saw is still there
    first = queries.first_published_rates(db, TCAM, [Q2_2020.index])
    assert int(first[first["ahsn"] == "KSS"]["rate_percent"].iloc[0]) == 50
    assert collection.status_of(collection.statuses(db, TCAM, TODAY), Q2_2020).state == collection.REVISED
    with pytest.raises(Conflict, match="no revision"):
        store.decide_revision(accepted.submission_id, False, "twice")


def test_a_rejected_revision_is_kept_but_never_counted(store, db):
    before = report_rows(db)["KSS"]
    [accepted] = store.load([("kss-q2.csv", kss_with_one_more_live(db, Q2_2020))], TCAM)
    store.decide_revision(accepted.submission_id, False, "the trust is not live yet", by="nat")
    assert report_rows(db)["KSS"] == before
    assert not len(queries.pending_revisions(db, TCAM))
    assert accepted.submission_id in set(queries.submissions(db, TCAM, "KSS")["submission_id"])


def test_a_restore_of_a_published_quarter_is_a_revision_too(store, db):
    first = store.load([("kss-q2.csv", kss_with_one_more_live(db, Q2_2020))], TCAM)[0].submission_id
    store.decide_revision(first, True, "corrected", by="nat")
    demo_kss = int(
        queries.first_published_rates(db, TCAM, [Q2_2020.index]).set_index("ahsn").loc["KSS", "submission_id"]
    )
    restore = store.restore(demo_kss, by="kss")
    assert report_rows(db)["KSS"][2] == "60"
    assert list(queries.pending_revisions(db, TCAM)["event_id"]) == [restore.id]
    store.decide_revision(restore.id, True, "back to the published return", by="nat")
    assert report_rows(db)["KSS"][2] == "50"


def test_publishing_a_quarter_freezes_it_and_an_unknown_quarter_is_a_clear_error(store, db):
    store.load([("kss.csv", filled_return(db, "KSS"))], TCAM)
    with pytest.raises(Conflict, match="there are no returns for Q4 2030/31"):
        store.sign_off(TCAM, Quarter.parse("Q4 2030/31"))
    store.sign_off(TCAM, NEXT_QUARTER, by="nat")
    assert NEXT_QUARTER in default_quarters(db, TCAM)
    with pytest.raises(Conflict, match="already published"):
        store.sign_off(TCAM, NEXT_QUARTER)
    # a late AHSN's return is then a revision, as any change
    store.load([("wessex.csv", filled_return(db, "Wessex"))], TCAM)
    assert report_rows(db, [NEXT_QUARTER])["Wessex"] == ["no return"]
    assert set(queries.pending_revisions(db, TCAM)["ahsn"]) == {"Wessex"}


def test_a_due_date_set_by_hand_replaces_the_rule(store, db):
    store.set_due_date(TCAM, NEXT_QUARTER, dt.date(2021, 3, 1), "extended for the pandemic", by="nat")
    upcoming = collection.status_of(collection.statuses(db, TCAM, TODAY), NEXT_QUARTER)
    assert (upcoming.due, upcoming.due_set_by_hand) == (dt.date(2021, 3, 1), True)
    with pytest.raises(InvalidInput, match="say why"):
        store.set_due_date(TCAM, NEXT_QUARTER, dt.date(2021, 3, 1), " ")


def test_a_later_quarter_while_an_earlier_open_one_is_missing_warns_by_name(store, db):
    q4 = NEXT_QUARTER + 1
    [accepted] = store.load([("wessex-q4.csv", filled_return(db, "Wessex", q4))], TCAM, today=dt.date(2021, 4, 20))
    assert [w.message for w in accepted.warnings if w.column == "quarter"] == [
        "Wessex has no return for Q3 2020/21, which is still open (due 15 Feb 2021), and this file is for Q4 2020/21"
    ]


def test_the_demo_store_rebuilds_to_the_same_collection(store, db):
    store.load([("kss-q2.csv", kss_with_one_more_live(db, Q2_2020))], TCAM)
    before = (queries.collection_quarters(db, TCAM).to_csv(), queries.pending_revisions(db, TCAM).to_csv())
    store.rebuild()
    assert (queries.collection_quarters(db, TCAM).to_csv(), queries.pending_revisions(db, TCAM).to_csv()) == before


def test_approving_a_revision_overtaken_by_a_newer_approved_one_is_refused_truly(store, db):
    """Issue 22: approving a revision superseded by a newer approved one answered "the published
    figures show it" while nothing changed."""
    older = store.load([("kss-q2.csv", kss_with_one_more_live(db, Q2_2020))], TCAM)[0].submission_id
    newer = store.load([("kss-q2-v2.csv", kss_with_one_more_live(db, Q2_2020))], TCAM)[0].submission_id
    store.decide_revision(newer, True, "the latest return", by="nat")
    shown = report_rows(db)["KSS"]
    events = len(store.events())
    with pytest.raises(Conflict, match=f"revision {older} is overtaken by the newer change {newer}"):
        store.decide_revision(older, True, "approve the old one", by="nat")
    assert len(store.events()) == events and report_rows(db)["KSS"] == shown
    store.decide_revision(older, False, "overtaken", by="nat")  # it can still be rejected, truly


def test_a_national_administrator_may_not_approve_their_own_revision(store, db):
    from etl.errors import NotAllowed
    from etl.users import User, Users

    Users(store.root).add("nat", "a long enough password", "national", None)
    Users(store.root).add("nat2", "a long enough password", "national", None)
    nat, nat2 = Users(store.root).get("nat"), Users(store.root).get("nat2")
    assert isinstance(nat, User)
    [mine] = store.commit([("kss-q2.csv", kss_with_one_more_live(db, Q2_2020))], TCAM, user=nat)
    store.make_current()
    with pytest.raises(NotAllowed, match="another national administrator approves it"):
        store.decide_revision(mine.submission_id, True, "my own", user=nat)
    store.decide_revision(mine.submission_id, True, "checked by a second person", user=nat2)
    assert report_rows(db)["KSS"][2] == "60"


def test_a_waiting_revision_is_said_to_wait_everywhere_and_supersedes_nothing_until_approved(store, db):
    """Issue 20: the History, Returns and Upload pages and the command line ask one function."""
    from dashboard.presentation.collection import returns_grid

    def kss_row():
        q2 = collection.status_of(collection.statuses(db, TCAM, TODAY), Q2_2020)
        return next(r for r in returns_grid(db, TCAM, q2, TODAY) if r["ahsn"] == "KSS")

    def status_of(submission_id: int) -> str:
        rows = queries.submissions(db, TCAM, "KSS")
        return statuses.of_row(rows[rows["submission_id"] == submission_id].iloc[0]).words

    assert (kss_row()["earlier"], "supersedes" in kss_row()["status"]) == (0, False)
    [accepted] = store.load([("kss-q2.csv", kss_with_one_more_live(db, Q2_2020))], TCAM, loaded_by="kss")
    current = kss_row()["submission"]
    assert (status_of(accepted.submission_id), status_of(current)) == ("waiting for approval", "current")
    assert not statuses.of_row(
        queries.submissions(db, TCAM, "KSS").query(f"submission_id == {accepted.submission_id}").iloc[0]
    ).may_restore
    row = kss_row()
    assert (row["earlier"], "supersedes" in row["status"]) == (0, False)  # a revision waiting is no earlier version
    assert f"! revision {accepted.submission_id} waiting for approval" in row["status"]
    [waiting] = queries.revision_standing(db, TCAM, accepted.submission_id).to_dict("records")
    assert statuses.of_row(waiting).words == "waiting for approval"

    store.decide_revision(accepted.submission_id, True, "the trust went live in September", by="nat")
    assert (status_of(accepted.submission_id), status_of(current)) == ("current (approved revision)", "superseded")
    row = kss_row()
    assert (row["earlier"], row["submission"]) == (1, accepted.submission_id)
    assert "supersedes 1 earlier version" in row["status"]
    [approved] = queries.revision_standing(db, TCAM, accepted.submission_id).to_dict("records")
    assert (statuses.of_row(approved).shown, approved["decided_by"]) == ("✓ Current (approved revision)", "nat")
