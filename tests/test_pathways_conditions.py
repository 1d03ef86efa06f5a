"""Each AHSN's spread conditions as data: the file read and refused with row, column and fix; the
versions kept as events (who, when, why), restored, never half-stored; only the national team may
record them; the build's table; the live AHSNs as a case set; and the command line."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from etl import events as ev
from etl.cli import main
from etl.errors import Conflict, NotAllowed, NotFound
from etl.events import ConditionValue, SetConditions
from etl.live_cases import live_cases
from etl.pathways.conditions_file import read_conditions_file
from etl.problems import ReturnRejected
from etl.programmes import TCAM
from etl.queries import Database, condition_versions, current_conditions
from etl.reading.limits import ReadLimits
from etl.store import Store
from etl.users import User
from tests.conftest import ROOT

WESSEX = b"ahsn,condition,present,evidence\nWessex,NONDELAY,1,began April 2018\nWessex,PHARMA,0,no pharmacist\n"
NATIONAL = User("nat", "national", None, "s1")
SUBMITTER = User("wessex", "ahsn", "Wessex", "s2")


def read(content: bytes, name: str = "c.csv"):
    return read_conditions_file(name, content, TCAM, ReadLimits())


def problems_of(content: bytes) -> list[str]:
    return [str(p) for p in read(content).problems]


def test_a_messy_file_is_read_as_meant_and_every_reading_is_said():
    parsed = read(
        "Conditions agreed at the March review\n\nAHSN name;Condition;Present (1/0);Evidence;means\n"
        "Health Innovation Wessex;non-delay;TRUE;  began   April 2018 ;x\n"
        "Wessex;PHARMA;no;;x\nKSS;PHARMA;;;x\n".encode("cp1252"),
        "conditions.csv",
    )
    assert parsed.ok, parsed.problems
    assert parsed.values["Wessex"] == (
        ConditionValue("NONDELAY", True, "began April 2018", 4),
        ConditionValue("PHARMA", False, None, 5),
    )
    assert "KSS" not in parsed.values  # a blank present records nothing, and says so
    said = [str(r) for r in parsed.readings]
    assert "present: 'TRUE' read as 1 in row 4" in said and "present: 'no' read as 0 in row 5" in said
    assert any("not recorded in row 6" in s for s in said)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b"ahsn,condition,present\nAtlantis,PHARMA,1\n",
            "c.csv, row 2, column ahsn: 'Atlantis' is not one of the 15 AHSNs",
        ),
        (b"ahsn,condition,present\nWessex,PHARMACY,1\n", "'PHARMACY' is not one of the programme's conditions"),
        (b"ahsn,condition,present\nWessex,PHARMA,0.67\n", "row 2, column present: '0.67' looks like a fuzzy-set score"),
        (b"ahsn,condition,present\nWessex,PHARMA,2\n", "row 2, column present: '2' is not 0 or 1"),
        (
            b"ahsn,condition,present\nWessex,PHARMA,1\nWessex,pharma,0\n",
            "row 3, column condition: Wessex's PHARMA is on two rows (also row 2)",
        ),
        (b"ahsn,condition\nWessex,PHARMA\n", "the file has no present column"),
        (
            b"case,NONDELAY,OUTCOME\n1,1,0\n",
            "the file has no ahsn, condition or present column (it looks like a case table",
        ),
        (b"ahsn,condition,present\nWessex,PHARMA,\n", "the file records no condition: every present cell is blank"),
        (
            b"ahsn,condition,present,evidence\nWessex,PHARMA,1," + b"x" * 400 + b"\n",
            "the evidence is 400 characters long",
        ),
        (b"just some words\n", "no row of the file names an ahsn column"),
    ],
)
def test_a_bad_file_is_refused_naming_the_row_the_column_and_the_fix(content, expected):
    found = problems_of(content)
    assert any(expected in p for p in found), found


def test_a_programme_without_conditions_refuses_them():
    from dataclasses import replace

    other = replace(TCAM, code="other", short_name="Other")
    parsed = read_conditions_file("c.csv", WESSEX, other, ReadLimits())
    assert "Other defines no spread conditions" in str(parsed.problems[0])


def test_versions_are_kept_restored_and_never_half_stored(store):
    store.ensure()
    [first] = store.set_conditions("w.csv", WESSEX, TCAM, "the spring interviews", by="nat")
    assert first.values[0] == ConditionValue("NONDELAY", True, "began April 2018", 2)
    with pytest.raises(Conflict):
        store.set_conditions("w.csv", WESSEX, TCAM, "again", by="nat")
    bad = WESSEX + b"KSS,PHARMA,maybe\n"
    last = store.last_event_id()
    with pytest.raises(ReturnRejected):
        store.set_conditions("bad.csv", bad, TCAM, "x", by="nat")
    assert store.last_event_id() == last  # nothing of Wessex's rows was stored either
    second = WESSEX.replace(b"PHARMA,0,no pharmacist", b"PHARMA,1,pharmacist from May 2019")
    store.set_conditions("w2.csv", second, TCAM, "a correction", by="nat")
    restored = store.restore_conditions(TCAM, "wessex", 1, "the correction was wrong", by="nat")
    assert restored.restored_from == first.id and restored.values == first.values
    with pytest.raises(Conflict):
        store.restore_conditions(TCAM, "Wessex", 1, "again", by="nat")
    with pytest.raises(NotFound):
        store.restore_conditions(TCAM, "Wessex", 9, "x", by="nat")
    db = Database(store)
    versions = condition_versions(db, TCAM, "Wessex")
    assert versions["version"].tolist() == [3, 2, 1]
    assert versions["reason"].tolist() == ["the correction was wrong", "a correction", "the spring interviews"]
    assert versions["restored_version"].iloc[0] == 1 and versions["restored_version"].iloc[1:].isna().all()
    now = current_conditions(db, TCAM)
    assert now[["ahsn", "condition", "present", "evidence"]].values.tolist() == [
        ["Wessex", "NONDELAY", True, "began April 2018"],
        ["Wessex", "PHARMA", False, "no pharmacist"],
    ]
    # the event on disk reads back as written (and an old store, without the kind, still loads)
    assert ev.from_json(ev.to_json(restored)) == restored


def test_only_the_national_team_may_record_or_restore_conditions(store):
    store.ensure()
    with pytest.raises(NotAllowed):
        store.set_conditions("w.csv", WESSEX, TCAM, "mine", user=SUBMITTER)
    store.set_conditions("w.csv", WESSEX, TCAM, "the interviews", user=NATIONAL)
    with pytest.raises(NotAllowed):
        store.restore_conditions(TCAM, "Wessex", 1, "x", user=SUBMITTER)
    assert isinstance(store.events()[-1], SetConditions)


def test_the_live_case_set_leaves_out_ahsns_without_a_return_or_a_condition():
    conditions = pd.DataFrame(
        [
            ["Wessex", "NONDELAY", True, False],
            ["Wessex", "PHARMA", True, False],
            ["KSS", "NONDELAY", False, True],
            ["KSS", "PHARMA", False, True],
            ["Oxford", "NONDELAY", True, False],
            ["HIN", "NONDELAY", True, False],
            ["HIN", "PHARMA", False, False],
        ],
        columns=["ahsn", "condition", "present", "is_demo"],
    )
    rates = pd.DataFrame([["Wessex", 63.0], ["KSS", 30.0], ["Oxford", 50.0]], columns=["ahsn", "rate_percent"])
    live = live_cases(
        conditions, rates, ["NONDELAY", "PHARMA"], "Q3 2019/20", 50, ["Oxford", "HIN", "KSS", "Wessex", "UCLP"]
    )
    assert live.case_set.ids == ("KSS", "Wessex")
    assert live.case_set.columns["OUTCOME"] == (0, 1) and live.case_set.columns["PHARMA"] == (0, 1)
    assert live.left_out == (
        ("Oxford", "PHARMA not recorded"),
        ("HIN", "no return for Q3 2019/20"),
        ("UCLP", "no return for Q3 2019/20"),
    )
    assert live.illustrative  # KSS's are the demo's
    at_target = live_cases(conditions, rates, ["NONDELAY"], "Q3 2019/20", 50, ["Oxford"])
    assert at_target.case_set.columns["OUTCOME"] == (1,)  # 50% is at the target


@pytest.fixture
def run(tmp_path, capsys):
    from tests.conftest import settings_for

    root = tmp_path / "store"
    Store(
        root,
        demo_returns=ROOT / "data" / "demo" / "returns" / "tcam",
        demo_conditions=ROOT / "data" / "demo" / "conditions",
    ).ensure()
    settings = settings_for(root, METRICS_DEMO_RETURNS="none")

    def run(*args):
        code = main(list(args), settings=settings)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_the_command_line_loads_lists_restores_and_analyses_the_live_ahsns(run, tmp_path):
    code, out, err = run("pathways", "--quarter", "Q3 2019/20", "--json")
    assert code == 0, err
    body = json.loads(out)
    assert body["quarter"] == "Q3 2019/20" and body["illustrative"] is True
    assert body["conditions"] == ["NONDELAY", "ADOPT", "PHARMA", "INTERSECT"] and len(body["cases"]) == 13
    assert "left out: UCLP: no conditions recorded" in err
    code, out, err = run("pathways", "--live", "--conditions", "pharma,nondelay", "--programme", "TCAM")
    assert code == 0 and "Q2 2020/21" in out, err
    assert run("pathways", "--quarter", "Q3 2019/20", "--conditions", "MAGIC")[0] == 2
    assert run("pathways", "--cases", str(ROOT / "data" / "reference" / "tcam_qca_table_8_3.csv"))[0] == 2
    file = tmp_path / "uclp.csv"
    file.write_bytes(
        b"ahsn,condition,present,evidence\nUCLP,NONDELAY,1,x\nUCLP,ADOPT,0,x\nUCLP,PHARMA,1,x\nUCLP,INTERSECT,1,x\n"
    )
    code, out, err = run("conditions", "load", str(file), "--check")
    assert code == 0 and "UCLP: would be version 1: NONDELAY, PHARMA, INTERSECT present; ADOPT absent" in out
    assert run("conditions", "load", str(file))[0] == 1  # no reason
    code, out, err = run("conditions", "load", str(file), "--reason", "from the interviews", "--by", "nat")
    assert code == 0 and "UCLP: conditions version 1 recorded" in out, err
    code, out, err = run("pathways", "--quarter", "Q3 2019/20", "--json")
    assert "UCLP" in json.loads(out)["cases"]
    code, out, _ = run("conditions", "history", "--ahsn", "UCLP")
    assert "UCLP,1,yes" in out and "from the interviews" in out
    code, out, _ = run("conditions", "template")
    assert out.splitlines()[0] == "ahsn,condition,present,evidence,means" and "UCLP,NONDELAY,1,x," in out
    code, out, err = run("conditions", "restore", "--ahsn", "Wessex", "--version", "1", "--reason", "x")
    assert code == 1 and "the same as the current one" in err
