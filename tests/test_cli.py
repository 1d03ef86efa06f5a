"""python -m etl: each command on a real store, with exact outputs."""

import os
import subprocess
import sys

import pytest

from etl.cli import main
from etl.programmes import TCAM
from tests.conftest import ROOT
from tests.returns import filled_return, trust_codes

TABLE_8_1 = (ROOT / "data" / "reference" / "tcam_table_8_1.csv").read_text()


@pytest.fixture
def run(settings, capsys):
    """Run a command on the test's store; (exit code, stdout, stderr)."""
    def run(*args):
        code = main(list(args), settings=settings)
        out, err = capsys.readouterr()
        return code, out, err
    return run


def test_report_on_a_fresh_store_reproduces_table_8_1_exactly(tmp_path):
    """The whole path a new user takes: empty store -> demo data built -> report."""
    result = subprocess.run([sys.executable, "-m", "etl", "report"], cwd=ROOT, capture_output=True,
                            text=True, env={**os.environ, "METRICS_DATA": str(tmp_path / "new")}, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout == TABLE_8_1


def test_report_for_chosen_quarters(store, db, run):
    code, out, _ = run("report", "--quarters", "Q3 2019/20,Q3 2018/19")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "ahsn,q3_2018_19,q3_2019_20,change_q3_2018_19_to_q3_2019_20"
    assert lines[1] == "Oxford,0,20,20"
    assert lines[-1] == "Total,25,40,15"


def test_report_marks_a_quarter_with_no_return(store, db, run):
    store.load([("w.csv", filled_return(db, "Wessex"))], TCAM)
    code, out, _ = run("report", "--quarters", "Q2 2020/21,Q3 2020/21")
    lines = dict(line.split(",", 1) for line in out.splitlines())
    assert lines["Oxford"] == "20,no return,n/a"
    assert lines["Wessex"].startswith("63,")


def test_load_prints_one_line_per_ahsn_quarter(store, db, run, tmp_path):
    path = tmp_path / "wessex.csv"
    path.write_bytes(filled_return(db, "Wessex"))
    code, out, err = run("load", str(path), "--by", "ann")
    codes = trust_codes(db, "Wessex")
    adopted = sum(1 for _, level, kind in codes if level >= 4 and kind == "acute")
    acute = sum(1 for _, _, kind in codes if kind == "acute")
    assert code == 0, err
    assert out == (f"loaded Wessex Q3 2020/21: {len(codes)} trusts, {adopted} of {acute} acute trusts "
                   f"adopted ({(200 * adopted + acute) // (2 * acute)}%), submission 151, 0 warning(s)\n")


def test_load_of_a_bad_file_lists_problems_and_exits_1(store, db, run):
    bad = ROOT / "tests" / "fixtures" / "returns" / "duplicates.csv"
    code, out, err = run("load", str(bad))
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        "duplicates.csv, row 4, column trust_code: trust ZZ101 is listed twice for Wessex in Q3 2020/21 "
        "(also row 2). Keep one row per trust; add up its referrals if they were split.",
        "duplicates.csv, row 5, column trust_code: trust ZZ102 is listed under Oxford here and under "
        "Wessex in row 3, both for Q3 2020/21. A trust belongs to one AHSN: keep it in its own AHSN's "
        "return only.",
        "2 problem(s) found; nothing was stored. Fix them and load the file(s) again.",
    ]


def test_load_of_a_missing_file_says_so(store, db, run):
    code, _, err = run("load", "no-such-file.csv")
    assert code == 1
    assert err.startswith("error: no-such-file.csv: cannot read the file")


def test_template_lists_the_trusts_of_the_last_return(store, db, run):
    code, out, _ = run("template", "--ahsn", "health innovation wessex", "--quarter", "Q3 20/21")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "quarter,ahsn,trust_code,trust_name,trust_type,adoption_level,referrals_made,referrals_completed"
    assert len(lines) - 1 == len(trust_codes(db, "Wessex"))
    assert all(line.startswith("Q3 2020/21,Wessex,") and line.endswith(",,") for line in lines[1:])


def test_history_and_restore(store, db, run, tmp_path):
    path = tmp_path / "wessex.csv"
    path.write_bytes(filled_return(db, "Wessex"))
    run("load", str(path), "--by", "ann")
    run("load", str(path), "--by", "bob")
    code, out, _ = run("history")
    rows = out.splitlines()
    assert code == 0 and len(rows) == 1 + 152
    assert rows[1].startswith("152,Wessex,Q3 2020/21,current,bob,")
    assert rows[2].startswith("151,Wessex,Q3 2020/21,superseded,ann,")

    code, out, _ = run("restore", "151", "--by", "carol")
    assert (code, out) == (0, "submission 151 is current again for Wessex Q3 2020/21 (event 153)\n")
    _, out, _ = run("history")
    assert out.splitlines()[2].startswith("151,Wessex,Q3 2020/21,current,ann,")

    code, _, err = run("restore", "999")
    assert (code, err) == (1, "error: there is no submission 999; `python -m etl history` lists them\n")


def test_rebuild_keeps_the_report(store, db, run):
    _, before, _ = run("report")
    code, out, _ = run("rebuild")
    _, after, _ = run("report")
    assert code == 0 and out.startswith("rebuilt metrics-000150-")
    assert after == before == TABLE_8_1


def test_quarantine_and_release(store, db, run, tmp_path):
    path = tmp_path / "wessex.csv"
    path.write_bytes(filled_return(db, "Wessex"))
    run("load", str(path))
    code, out, err = run("quarantine", "151", "--reason", "a test file", "--by", "nat")
    assert (code, err) == (0, "")
    assert out == ("submission 151 is quarantined: left out of Wessex Q3 2020/21 (event 152); "
                   "`python -m etl release 151 --reason ...` takes it back\n")
    _, out, _ = run("history")
    assert out.splitlines()[1].startswith("151,Wessex,Q3 2020/21,quarantined,")
    _, report_out, _ = run("report", "--quarters", "Q2 2020/21,Q3 2020/21")
    assert dict(line.split(",", 1) for line in report_out.splitlines())["Wessex"] == "63,no return,n/a"
    assert run("restore", "151")[2] == ("error: submission 151 is quarantined: release it before making it "
                                        "current\n")
    code, out, _ = run("release", "151", "--reason", "checked")
    assert (code, out) == (0, "submission 151 is released: back in the figures (event 153)\n")
    assert run("release", "151", "--reason", "again")[:3:2] == (1, "error: submission 151 is not quarantined\n")
