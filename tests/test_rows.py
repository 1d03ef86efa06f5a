"""A return's row, typed (etl/rows.py): its JSON form is the one kept on disk since rows were
first kept, so the store's parsed/*.json files, old and new, load and are written the same."""

from __future__ import annotations

import json

from etl.quarters import Quarter
from etl.rows import TrustRow
from etl.store import records_from_json, records_json

ROW = TrustRow(
    row=2,
    quarter=Quarter.parse("Q3 2020/21"),
    ahsn="Wessex",
    trust_code="RHU",
    trust_name="Portsmouth Hospitals",
    trust_type="acute",
    trust_type_given=True,
    adoption_level=5,
    referrals_made=40,
    referrals_completed=None,
    comment="awaiting IG sign-off",
)
# Exactly the bytes the store wrote for this row before the row was typed (a dict per row,
# keys sorted, quarters as labels): the file's name is its hash, so it must not change.
ON_DISK = (
    b'[{"adoption_level":5,"ahsn":"Wessex","comment":"awaiting IG sign-off","quarter":"Q3 2020/21",'
    b'"referrals_completed":null,"referrals_made":40,"row":2,"trust_code":"RHU",'
    b'"trust_name":"Portsmouth Hospitals","trust_type":"acute","trust_type_given":true}]'
)


def test_rows_are_kept_byte_for_byte_as_before_and_read_back_equal():
    assert records_json([ROW]) == ON_DISK
    assert records_from_json(ON_DISK) == [ROW]
    assert TrustRow.from_json(ROW.as_json()) == ROW


def test_rows_kept_before_comments_and_untyped_trusts_still_load():
    old = json.loads(ON_DISK)[0]
    del old["comment"], old["trust_type_given"]
    [row] = records_from_json(json.dumps([old]).encode())
    assert row.comment is None and row.trust_type_given is True and row.referrals_made == 40


def test_a_row_as_the_database_holds_it():
    assert ROW.as_database_row() == {
        "row": 2,
        "quarter": "Q3 2020/21",
        "quarter_index": Quarter.parse("Q3 2020/21").index,
        "ahsn": "Wessex",
        "trust_code": "RHU",
        "trust_name": "Portsmouth Hospitals",
        "trust_type": "acute",
        "adoption_level": 5,
        "referrals_made": 40,
        "referrals_completed": None,
        "comment": "awaiting IG sign-off",
    }
    assert ROW.typed("community").trust_type == "community" and ROW.trust_type == "acute"
