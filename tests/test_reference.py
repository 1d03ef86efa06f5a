"""The programmes' reference lists of organisations (etl/reference.py) and TCAM's own
(data/programmes/tcam/organisations.csv), made from the demo data's trusts."""

from __future__ import annotations

import csv
import dataclasses
from collections import defaultdict
from pathlib import Path

import pytest

from etl import ahsns, reference
from etl.programmes import TCAM, DefinitionError
from etl.quarters import Quarter

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo" / "returns" / "tcam"


def _demo() -> dict[str, dict[int, dict[str, tuple[str, str]]]]:
    """AHSN -> quarter -> code -> (name, type), from the demo returns."""
    by: dict = defaultdict(lambda: defaultdict(dict))
    for path in sorted(DEMO.glob("*.csv")):
        with path.open(newline="") as f:
            for r in csv.DictReader(f):
                ahsn = ahsns.resolve(r["ahsn"]).short_name
                by[ahsn][Quarter.parse(r["quarter"]).index][r["trust_code"]] = (r["trust_name"], r["trust_type"])
    return by


def test_tcam_s_list_holds_every_demo_trust_under_its_own_ahsn():
    tcam = reference.organisations(TCAM)
    demo = _demo()
    seen = set()
    for ahsn, quarters in demo.items():
        for q in sorted(quarters):
            for code in quarters[q]:
                org = tcam.by_code(code)
                assert org is not None and org.ahsn == ahsn, code
                seen.add(code)
        last = quarters[max(quarters)]
        for code, (name, kind) in last.items():
            assert (tcam.by_code(code).name, tcam.by_code(code).type) == (name, kind)
    assert seen == {o.code for o in tcam.organisations}
    assert len(tcam.organisations) == 171


def test_tcam_s_mergers_are_the_demo_s():
    """An old code's last return is the quarter before its successor's first, in the same AHSN."""
    tcam = reference.organisations(TCAM)
    demo = _demo()
    merged = {o.code: o.successor for o in tcam.organisations if o.successor}
    assert sorted(set(merged.values())) == ["DM524", "DM668", "DM822", "DM850"]
    assert len(merged) == 9
    for old, new in merged.items():
        quarters = demo[tcam.by_code(old).ahsn]
        last_old = max(q for q, codes in quarters.items() if old in codes)
        first_new = min(q for q, codes in quarters.items() if new in codes)
        assert first_new == last_old + 1
        assert tcam.successor(old).code == new
    assert [o.code for o in tcam.predecessors("DM850")] == ["DM485", "DM608"]
    # the trust that came into scope has no predecessor and no successor
    assert tcam.by_code("DM299").successor is None and not tcam.predecessors("DM299")


def test_lookups_by_ahsn_and_by_name():
    tcam = reference.organisations(TCAM)
    assert len(tcam.of_ahsn("West of England")) == 6
    assert [o.code for o in tcam.named("West of England", "the vetchfold healthcare nhs trust")] == ["DM410"]
    assert tcam.named("Wessex", "Vetchfold Healthcare") == ()
    assert reference.name_key("The Royal Example Hospitals NHS Foundation Trust") == "royal example hospitals"
    assert reference.name_key("Royal Example Hospitals FT") == "royal example hospitals"


def test_a_programme_without_a_list_has_an_empty_one(tmp_path):
    """No list named and none beside the definition: the checks fall back on the returns stored."""
    bare = dataclasses.replace(TCAM, code="bare", reference_list=None, file=str(tmp_path / "bare.toml"))
    assert not reference.organisations(bare) and reference.organisations(bare).by_code("RTH") is None


@pytest.mark.parametrize(
    "rows, message",
    [
        ("Wessex,DM001,A,acute,\nWessex,DM001,B,acute,\n", "code DM001 is listed twice"),
        ("Nowhere,DM001,A,acute,\n", "row 2, column ahsn: 'Nowhere' is not an AHSN"),
        ("Wessex,DM001,A,hospital,\n", "row 2, column type: 'hospital' is not one of"),
        ("Wessex,DM001,A,acute,DM009\n", "the successor of DM001, DM009, is not another organisation in the list"),
        ("Wessex,DM001,A,acute,DM002\nWessex,DM002,B,acute,DM001\n", "go round in a loop"),
        ("Wessex,dm 1,A,acute,\n", "row 2, column code: 'dm 1' is not"),
        ("Wessex,DM001,A,acute,D 2\n", "row 2, column successor: 'D 2' is not"),
    ],
)
def test_a_list_not_well_formed_is_refused_saying_where(tmp_path, rows, message):
    (tmp_path / "organisations.csv").write_text("ahsn,code,name,type,successor\n" + rows)
    with pytest.raises(DefinitionError, match=message):
        reference.read_list(tmp_path / "organisations.csv", TCAM)
