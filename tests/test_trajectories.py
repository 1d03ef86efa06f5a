"""Trajectories, the data layer: real files read in the reading child, versions kept as events,
rebuilt the same, and a published quarter judged against the trajectory in force when it was
published. Every malformed file in tests/fixtures/trajectories/bad is refused with each
problem's row, column and fix, storing nothing; every messy one is read, each reading said."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from etl import queries
from etl.errors import Conflict, InvalidInput, NotAllowed
from etl.events import SetTrajectory
from etl.problems import ReturnRejected
from etl.programmes import TCAM
from etl.quarters import Quarter
from etl.queries import Database
from etl.reading.limits import ReadLimits
from etl.store import Store
from etl.templates import trajectory_csv
from etl.trajectories import parse_trajectory
from etl.users import User
from tests.returns import filled_return

FIXTURES = Path(__file__).parent / "fixtures" / "trajectories"
HOSTILE = Path(__file__).parent / "fixtures" / "hostile" / "far-cell.xls"

# (row, column, start of the message) of every problem of each malformed file
REFUSED = {
    "a-return-not-a-trajectory.csv": [(1, None, "this is a quarterly return, not a trajectory")],
    "ambiguous-values.csv": [
        (2, "target_percent", "'1' could be 1% or 100%"),
        (3, "quarter", "'Q3 2020' does not say which NHS year: it could be Q3 2020/21 or"),
        (4, "target_percent", "'35,5' could be 35.5 (with a decimal comma) or 355"),
        (5, "target_percent", "'0.355' is not a whole percent"),
        (6, "target_percent", "'150' is not a percent from 0 to 100"),
    ],
    "excel-mistakes.xlsx": [
        (2, "quarter", "the cell holds a date (1 January 2020), not a quarter; that date falls in Q4 2019/20"),
        (3, "target_percent", "'1' could be 1% or 100%"),
    ],
    "falling-and-duplicate.csv": [
        (3, "target_percent", "Wessex's target falls from 40% by Q4 2019/20 (row 2) to 35% by Q2 2020/21"),
        (4, "quarter", "Wessex has two targets for Q2 2020/21 (also row 3)"),
    ],
    "header-only.csv": [(None, None, "the file has a header but no steps")],
    "missing-column.csv": [(1, "target_percent", "this column is missing")],
    "not-a-column.csv": [(1, "owner", "this is not a column of the trajectory")],
    # issue 22: quarters past any year, 5,000 digits, powers of ten, infinity
    "out-of-bounds.csv": [
        (
            2,
            "quarter",
            "'Q4 9999/00' is outside the years a quarter can be in here: Q1 2013/14 (when the AHSNs "
            "began) to Q4 2099/00",
        ),
        (3, "quarter", "'Q1 999999999999999999999999999…99/00 (5,006 characters)' is not a quarter"),
        (4, "target_percent", "'1E+300' is not a target rate"),
        (5, "target_percent", "'999999999999999999999999999999…99999 (5,000 characters)' is not a target rate"),
        (6, "target_percent", "'inf' is not a target rate"),
        (7, "quarter", "'Q1 0000' is outside the years a quarter can be in here"),
    ],
    "out-of-bounds.xlsx": [
        (2, "quarter", "'Q4 9999/00' is outside the years a quarter can be in here"),
        (3, "quarter", "'Q1 999999999999999999999999999…99/00 (5,006 characters)' is not a quarter"),
        (4, "target_percent", "'1E+300' is not a percent from 0 to 100"),
        (5, "target_percent", "the cell holds 'INF', which is not a number"),
        (6, "target_percent", "'10^20' is not a target rate"),
    ],
    "ragged.csv": [(2, None, "the row has 5 values but the header has 4 columns")],
    "unknown-ahsn-and-blanks.csv": [
        (2, "ahsn", "'Atlantis' is not one of the 15 AHSNs"),
        (3, "target_percent", "the target is blank"),
        (5, "ahsn", "the AHSN is blank"),
    ],
}
# (AHSN, quarter, target) of every step of each messy file, and readings it must say
ACCEPTED = {
    "percent-cells.xlsx": (
        [("Wessex", "Q4 2019/20", 20), ("Wessex", "Q2 2020/21", 35), ("Wessex", "Q4 2020/21", 50)],
        [
            "target_percent: '0.2' read as 20% in row 4",
            "ahsn: 'Health Innovation Wessex' read as Wessex in 3 rows (4-6)",
            "target_percent: a formula in row 6 was read as the value Excel last showed",
            "the trajectory was read from sheet 'Trajectory'; sheet 'Instructions' holds no trajectory table and was not read",
        ],
    ),
    "semicolons-title-and-words.csv": (
        [
            ("KSS", "Q4 2019/20", 10),
            ("KSS", "Q2 2020/21", 30),
            ("KSS", "Q4 2020/21", 50),
            ("Wessex", "Q2 2019/20", 25),
            ("Wessex", "Q4 2019/20", 40),
        ],
        [
            "this CSV uses semicolons to separate values, not commas; read that way",
            "header: 'Target (%)' read as target_percent in row 3",
            "quarter: 'Q4 19/20' read as Q4 2019/20 in row 4",
            "ahsn: 'Kent Surrey Sussex' read as KSS in row 4",
            "target_percent: '0.3' read as 30% in row 5",
            "quarter: '2020/21 Q2' read as Q2 2020/21 in row 5",
        ],
    ),
    "windows-1252.csv": (
        [("East Midlands", "Q4 2019/20", 50), ("East Midlands", "Q4 2020/21", 75)],
        ["the file is not UTF-8, so it was read as Windows-1252"],
    ),
}


def whole(value) -> int | None:
    return None if pd.isna(value) else int(value)


def read(path: Path):
    return parse_trajectory(path.name, path.read_bytes(), TCAM, ReadLimits())


def test_every_fixture_is_covered():
    assert sorted(p.name for p in (FIXTURES / "bad").iterdir()) == sorted(REFUSED)
    assert sorted(p.name for p in (FIXTURES / "messy").iterdir()) == sorted(ACCEPTED)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_malformed_file_is_refused_with_every_problem_named(name):
    parsed = read(FIXTURES / "bad" / name)
    found = [(p.row, p.column, p.message) for p in parsed.problems]
    assert [(r, c) for r, c, _ in found] == [(r, c) for r, c, _ in REFUSED[name]]
    for (_, _, message), (_, _, start) in zip(found, REFUSED[name]):
        assert message.startswith(start)
    assert all(p.file == name and p.fix for p in parsed.problems)  # each names the file and a fix
    assert parsed.steps == []  # nothing half-read


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_a_messy_but_clear_file_is_read_and_every_reading_said(name):
    parsed = read(FIXTURES / "messy" / name)
    steps, readings = ACCEPTED[name]
    assert parsed.problems == []
    assert [(s["ahsn"], s["quarter"].label, s["target_percent"]) for s in parsed.steps] == steps
    said = [str(i) for i in parsed.interpretations]
    for reading in readings:
        assert any(s.startswith(reading) for s in said), (reading, said)


def test_a_hostile_file_is_refused_cheaply_in_the_reading_child():
    started = time.monotonic()
    parsed = parse_trajectory(HOSTILE.name, HOSTILE.read_bytes(), TCAM, ReadLimits(memory_bytes=256 * 1024 * 1024))
    assert time.monotonic() - started < 10
    assert parsed.steps == [] and parsed.problems
    assert parsed.problems[0].message.startswith(
        "sheet 'Return' says it spans 65,536 rows and 256 columns, far outside any return"
    )


def test_the_attackers_workbook_is_refused_as_a_trajectory_too():
    """Issue 22 sent it as a trajectory file, read inside the write lock: refused as cheaply."""
    attack = Path(__file__).parent / "fixtures" / "hostile" / "many-far-sheets.xlsx"
    started = time.monotonic()
    parsed = parse_trajectory(attack.name, attack.read_bytes(), TCAM, ReadLimits())
    assert time.monotonic() - started < 10
    assert [p.message for p in parsed.problems] == [
        "the workbook has 150 sheets; a return is one sheet, and at most 50 are read"
    ]


def test_too_large_a_file_is_refused_before_any_child_starts():
    parsed = parse_trajectory(
        "big.csv", b"ahsn,quarter,target_percent\n" + b"x" * 2000, TCAM, ReadLimits(max_bytes=1000)
    )
    assert parsed.problems[0].message == "the file is 2,028 bytes, over the limit of 1,000 bytes"


def files_of(store: Store) -> dict:
    return {
        str(p.relative_to(store.root)): p.read_bytes()
        for p in sorted(store.root.rglob("*"))
        if p.is_file() and p.name != "write.lock"
    }


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_refused_file_stores_nothing(tstore, name):
    before = files_of(tstore)
    with pytest.raises(ReturnRejected):
        tstore.set_trajectory(name, (FIXTURES / "bad" / name).read_bytes(), TCAM, "a reason")
    assert files_of(tstore) == before


def test_the_demo_trajectories_are_versions_set_before_the_demo_quarters_were_published(tstore):
    db = Database(tstore)
    versions = queries.trajectory_versions(db, TCAM)
    assert len(versions) == 15 and set(versions["version"]) == {1} and versions["is_demo"].all()
    events = tstore.events()
    first_publish = min(e.id for e in events if e.kind == "publish")
    assert max(e.id for e in events if isinstance(e, SetTrajectory)) < first_publish
    kss = queries.trajectory_targets(db, TCAM, "KSS").set_index("quarter")["target_percent"]
    assert [
        whole(kss[q])
        for q in ("Q3 2018/19", "Q4 2018/19", "Q3 2019/20", "Q4 2019/20", "Q2 2020/21", "Q3 2020/21", "Q4 2020/21")
    ] == [None, 10, 10, 30, 50, 50, 60]


def wessex_targets(db) -> dict[str, int | None]:
    rows = queries.trajectory_targets(db, TCAM, "Wessex")
    return {q: whole(t) for q, t in zip(rows["quarter"], rows["target_percent"])}


def test_a_new_version_never_rewrites_how_a_published_quarter_was_judged(tstore, tmp_path):
    db = Database(tstore)
    assert wessex_targets(db)["Q2 2020/21"] == 65 and wessex_targets(db)["Q3 2020/21"] == 65
    version_2 = b"ahsn,quarter,target_percent\nWessex,Q4 2018/19,20\nWessex,Q3 2020/21,70\nWessex,Q1 2021/22,80\n"
    [event] = tstore.set_trajectory("wessex-v2.csv", version_2, TCAM, "agreed again with the trusts", by="asha")
    targets = wessex_targets(db)
    # Q2 2020/21 and every earlier quarter were published under version 1: judged as they were
    assert (targets["Q4 2018/19"], targets["Q2 2020/21"]) == (25, 65)
    # Q3 2020/21, not yet published, is judged against the newest version
    assert (targets["Q3 2020/21"], targets["Q1 2021/22"]) == (70, 80)

    # Publish Q3 2020/21 with Wessex's return; a third version then changes only later quarters.
    tstore.load([("w.csv", filled_return(db, "Wessex"))], TCAM)
    tstore.sign_off(TCAM, Quarter.parse("Q3 2020/21"), by="nat")
    tstore.set_trajectory("wessex-v3.csv", b"ahsn,quarter,target_percent\nWessex,Q3 2020/21,90\n", TCAM, "stretch")
    targets = wessex_targets(db)
    assert (targets["Q2 2020/21"], targets["Q3 2020/21"], targets["Q1 2021/22"]) == (65, 70, 90)
    versions = queries.trajectory_versions(db, TCAM, "Wessex")
    assert list(versions["version"]) == [3, 2, 1] and list(versions["is_newest"]) == [True, False, False]
    assert versions.iloc[1][["by_user", "reason", "file_name"]].tolist() == [
        "asha",
        "agreed again with the trusts",
        "wessex-v2.csv",
    ]
    assert (tstore.root / event.stored_as).read_bytes() == version_2  # the file as sent, kept

    # Rebuilt from the events alone, every quarter is judged the same.
    before = queries.trajectory_targets(db, TCAM).to_csv()
    tstore.rebuild()
    assert queries.trajectory_targets(Database(tstore), TCAM).to_csv() == before
    copy = tmp_path / "copy"
    copy.mkdir()
    for part in ("events", "originals", "parsed"):
        shutil.copytree(tstore.root / part, copy / part)
    elsewhere = Store(copy)
    elsewhere.ensure()
    assert queries.trajectory_targets(Database(elsewhere), TCAM).to_csv() == before


def test_an_unchanged_trajectory_is_not_a_new_version_and_a_reason_is_needed(tstore):
    db = Database(tstore)
    current = trajectory_csv(tstore.trajectory_versions(TCAM), ["Wessex"]).encode()
    with pytest.raises(Conflict, match="the same as the current ones: nothing was stored"):
        tstore.set_trajectory("same.csv", current, TCAM, "no change")
    with pytest.raises(InvalidInput, match="say why"):
        tstore.set_trajectory("w.csv", b"ahsn,quarter,target_percent\nWessex,Q4 2020/21,80\n", TCAM, "  ")
    assert len(queries.trajectory_versions(db, TCAM, "Wessex")) == 1


def test_a_file_with_an_ahsn_the_user_may_not_set_stores_nothing(tstore):
    before = files_of(tstore)
    content = b"ahsn,quarter,target_percent\nWessex,Q4 2020/21,80\nKSS,Q4 2020/21,70\n"
    with pytest.raises(NotAllowed, match="KSS"):
        tstore.set_trajectory("two.csv", content, TCAM, "x", user=User("w", "ahsn", "Wessex", "s"))
    assert files_of(tstore) == before
    events = tstore.set_trajectory("two.csv", content, TCAM, "both agreed")
    assert [e.ahsn for e in events] == ["KSS", "Wessex"]  # one version each, in the table's order
    assert len({tstore.committed_at(e.id) for e in events}) == 1  # committed together, one event file


def test_the_template_round_trips_every_current_trajectory(tstore):
    versions = tstore.trajectory_versions(TCAM)
    text = trajectory_csv(versions, ["Oxford", "KSS"])
    assert text.splitlines()[:2] == [
        "ahsn,quarter,target_percent,note",
        "Oxford,Q4 2019/20,20,synthetic: starting from no trust live",
    ]
    parsed = parse_trajectory("t.csv", text.encode(), TCAM, ReadLimits())
    assert parsed.ok and parsed.ahsns() == ["Oxford", "KSS"] and parsed.interpretations == []
    assert trajectory_csv({}, ["Oxford"], Quarter.parse("Q2 2020/21")).splitlines()[1:] == [
        "Wessex,Q3 2020/21,20,an example: replace with your own steps",
        "Wessex,Q1 2021/22,35,",
        "Wessex,Q3 2021/22,50,",
    ]


# ---- the command line --------------------------------------------------------------------------


@pytest.fixture
def run(tstore, capsys):
    from etl.cli import main
    from tests.conftest import settings_for

    settings = settings_for(tstore.root)

    def run(*args):
        code = main(list(args), settings=settings)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_trajectory_load_check_history_and_template_on_the_command_line(run, tmp_path):
    good = FIXTURES / "messy" / "percent-cells.xlsx"
    code, out, err = run("trajectory", "load", str(good), "--check")
    assert code == 0 and "nothing was stored (--check)" in err
    assert out == (
        "Wessex: 20% by Q4 2019/20, 35% by Q2 2020/21, 50% by Q4 2020/21; would be version 2 "
        "(now: 25% by Q4 2018/19, 50% by Q2 2019/20, 65% by Q2 2020/21, 75% by Q4 2020/21)\n"
    )
    assert "read: percent-cells.xlsx: target_percent: '0.2' read as 20% in row 4" in err
    assert run("trajectory", "load", str(good))[2].endswith(
        "error: say why, in a few words (--reason): it is kept with the trajectory\n"
    )
    code, out, _ = run("trajectory", "load", str(good), "--reason", "agreed at the March board", "--by", "asha")
    assert (code, out) == (
        0,
        "Wessex: trajectory version 2 set: 20% by Q4 2019/20, 35% by Q2 2020/21, 50% by Q4 2020/21 (event 176)\n",
    )
    code, out, _ = run("trajectory", "history", "--ahsn", "health innovation wessex")
    rows = out.splitlines()
    assert rows[0] == "ahsn,version,current,event,set_by,set_at,reason,file_name,steps"
    assert rows[1].startswith("Wessex,2,yes,176,asha,") and rows[1].endswith(
        ',agreed at the March board,percent-cells.xlsx,"20% by Q4 2019/20, 35% by Q2 2020/21, 50% by Q4 2020/21"'
    )
    assert rows[2].startswith("Wessex,1,no,") and len(rows) == 3
    bad = FIXTURES / "bad" / "falling-and-duplicate.csv"
    code, out, err = run("trajectory", "load", str(bad), "--reason", "x")
    assert (
        code == 1
        and out == ""
        and err.endswith("2 problem(s) found; nothing was stored. Fix them and load the file again.\n")
    )
    assert "falling-and-duplicate.csv, row 3, column target_percent: Wessex's target falls" in err
    target = tmp_path / "all.csv"
    assert run("trajectory", "template", "--output", str(target))[0] == 0
    assert "Wessex,Q4 2019/20,20,agreed with the trusts" in target.read_text()
