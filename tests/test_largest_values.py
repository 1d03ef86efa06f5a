"""The largest values the reader accepts are stored and added up exactly (issue 22: one count of
2,147,483,648 passed the reader, then every build failed on a 32-bit column). Every count is
at most the programme's max_count_per_row where it is read; the database holds any count in a
BIGINT and adds them up in 128 bits, so no file the reader accepts, nor any number of them,
can fail a build."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import duckdb

from etl.ahsns import all_ahsns
from etl.build import build_database
from etl.events import ReturnRef, Submission
from etl.programmes import TCAM
from etl.quarters import Quarter
from etl.rows import TrustRow

MOST = TCAM.max_count_per_row
QUARTER = Quarter.parse("Q3 2020/21")


def _return(ahsn: str, prefix: str, trusts: int) -> bytes:
    lines = ["quarter,ahsn,trust_code,trust_name,trust_type,adoption_level,referrals_made,referrals_completed"]
    lines += [f"{QUARTER.label},{ahsn},{prefix}{i:03d},Trust {i},acute,4,{MOST},{MOST}" for i in range(trusts)]
    return ("\n".join(lines) + "\n").encode()


def test_the_largest_count_in_every_row_of_a_300_trust_return_is_stored_and_added_up(store, db):
    trusts = min(store.limits.max_trusts_per_return, TCAM.max_organisations_per_return)
    assert trusts == 300
    store.load(
        [("wessex.csv", _return("Wessex", "WX", trusts)), ("oxford.csv", _return("Oxford", "OX", trusts))],
        TCAM,
        loaded_by="test",
        today=dt.date(2021, 1, 15),
    )
    figures = db.query(
        "SELECT ahsn, referrals_made, referrals_completed, all_trusts FROM ahsn_quarters "
        "WHERE quarter_index = ? ORDER BY ahsn",
        [QUARTER.index],
    )
    assert figures.values.tolist() == [["Oxford", 300 * MOST, 300 * MOST, 300], ["Wessex", 300 * MOST, 300 * MOST, 300]]
    england = db.query(
        "SELECT referrals_made, referrals_completed FROM england_quarters WHERE quarter_index = ?", [QUARTER.index]
    )
    assert england.values.tolist() == [[600 * MOST, 600 * MOST]]


def test_the_database_adds_up_far_more_than_32_bits_hold(tmp_path):
    """15 AHSNs of 10,000 trust rows (the most METRICS_MAX_TRUSTS_PER_RETURN allows) at the
    largest count: 15 billion for England in one quarter, past 2^31, added up exactly; and a
    count past 32 bits, should one be stored by an older reader, is held as it is."""
    events, rows = [], {}
    for number, ahsn in enumerate(a.short_name for a in all_ahsns()):
        event_id = number + 1
        events.append(
            Submission(
                id=event_id,
                programme="tcam",
                file_name=f"{ahsn}.csv",
                sha256="0" * 64,
                stored_as="originals/x.csv",
                loaded_by="test",
                loaded_at="2021-01-15T00:00:00+00:00",
                source="test",
                rows=10_000,
                returns=(ReturnRef(ahsn, QUARTER.label, 10_000),),
            )
        )
        rows[event_id] = [
            TrustRow(
                row=i + 2,
                quarter=QUARTER,
                ahsn=ahsn,
                trust_code=f"T{i:04d}",
                trust_name="Trust",
                trust_type="acute",
                trust_type_given=True,
                adoption_level=4,
                referrals_made=MOST,
                referrals_completed=MOST,
            )
            for i in range(10_000)
        ]
    rows[1][0] = replace(rows[1][0], referrals_made=2_147_483_648)  # one count past 32 bits, kept as it is
    path = tmp_path / "big.duckdb"
    build_database(path, events, lambda subs: {s.id: rows[s.id] for s in subs})
    with duckdb.connect(str(path), read_only=True) as con:
        made, completed = con.execute("SELECT referrals_made, referrals_completed FROM england_quarters").fetchone()
        biggest = con.execute("SELECT max(referrals_made) FROM submitted_rows").fetchone()[0]
    assert completed == 15 * 10_000 * MOST == 15_000_000_000
    assert made == completed - MOST + 2_147_483_648
    assert biggest == 2_147_483_648
