"""python -m etl: each command on a real store, with exact outputs."""

import csv
import io
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
    result = subprocess.run(
        [sys.executable, "-m", "etl", "report"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "METRICS_DATA": str(tmp_path / "new")},
        timeout=900,  # builds every programme's demo data (PINCER: 6,500 practices a quarter)
    )
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
    assert out == (
        f"loaded Wessex Q3 2020/21: {len(codes)} trusts, {adopted} of {acute} acute trusts "
        f"adopted ({(200 * adopted + acute) // (2 * acute)}%), submission 161, 0 warning(s)\n"
    )


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
    assert rows[1].startswith("162,Wessex,Q3 2020/21,current,bob,")
    assert rows[2].startswith("161,Wessex,Q3 2020/21,superseded,ann,")

    code, out, _ = run("restore", "161", "--by", "carol")
    assert (code, out) == (0, "submission 161 is current again for Wessex Q3 2020/21 (event 163)\n")
    _, out, _ = run("history")
    assert out.splitlines()[2].startswith("161,Wessex,Q3 2020/21,current (restored),ann,")
    assert out.splitlines()[1].startswith("162,Wessex,Q3 2020/21,superseded,bob,")

    code, _, err = run("restore", "999")
    assert (code, err) == (1, "error: there is no submission 999; `python -m etl history` lists them\n")


def test_rebuild_keeps_the_report(store, db, run):
    _, before, _ = run("report")
    code, out, _ = run("rebuild")
    _, after, _ = run("report")
    assert code == 0 and out.startswith("rebuilt metrics-000160-")
    assert after == before == TABLE_8_1


def test_quarantine_and_release(store, db, run, tmp_path):
    path = tmp_path / "wessex.csv"
    path.write_bytes(filled_return(db, "Wessex"))
    run("load", str(path))
    code, out, err = run("quarantine", "161", "--reason", "a test file", "--by", "nat")
    assert (code, err) == (0, "")
    assert out == (
        "submission 161 is quarantined: left out of Wessex Q3 2020/21 (event 162); "
        "`python -m etl release 161 --reason ...` takes it back\n"
    )
    _, out, _ = run("history")
    assert out.splitlines()[1].startswith("161,Wessex,Q3 2020/21,quarantined,")
    _, report_out, _ = run("report", "--quarters", "Q2 2020/21,Q3 2020/21")
    assert dict(line.split(",", 1) for line in report_out.splitlines())["Wessex"] == "63,no return,n/a"
    assert run("restore", "161")[2] == ("error: submission 161 is quarantined: release it before making it current\n")
    code, out, _ = run("release", "161", "--reason", "checked")
    assert (code, out) == (0, "submission 161 is released: back in the figures (event 163)\n")
    assert run("release", "161", "--reason", "again")[:3:2] == (1, "error: submission 161 is not quarantined\n")


def test_publish_quarters_revisions_approve_reject_and_due_date(store, db, run, tmp_path):
    kss = tmp_path / "kss.csv"
    kss.write_bytes(filled_return(db, "KSS"))
    run("load", str(kss))
    code, out, _ = run("report", "--provisional", "--quarters", "Q2 2020/21,Q3 2020/21")
    assert out.splitlines()[0] == (
        "ahsn,q2_2020_21,q3_2020_21 (provisional: 1 of 15 AHSNs has returned),change_q2_2020_21_to_q3_2020_21"
    )
    code, out, err = run("publish", "Q3 2020/21")
    assert (code, out) == (1, "")
    assert err.startswith("error: 1 of 15 AHSNs has returned for Q3 2020/21; no return yet from Oxford, ")
    code, out, _ = run("publish", "Q3 2020/21", "--incomplete", "--by", "nat")
    assert (code, out) == (
        0,
        "Q3 2020/21 is published (event 162); 1 of 15 AHSNs has returned. Changes to its "
        "returns now wait for approval (`python -m etl revisions`).\n",
    )
    assert run("publish", "Q3 2020/21")[2].startswith("error: Q3 2020/21 is already published")
    assert run("publish", "Q5 2020/21")[0] == 2  # not a quarter: the command line is wrong
    _, out, _ = run("quarters")
    rows = {r["quarter"]: r for r in csv.DictReader(io.StringIO(out))}
    assert (rows["Q3 2020/21"]["state"], rows["Q3 2020/21"]["ahsns_returned"], rows["Q3 2020/21"]["due"]) == (
        "published",
        "1",
        "2021-02-15",
    )
    assert rows["Q2 2020/21"]["state"] == "published" and rows["Q4 2020/21"]["state"] == "open"

    wessex = tmp_path / "wessex.csv"
    wessex.write_bytes(filled_return(db, "Wessex"))
    code, out, _ = run("load", str(wessex))
    assert out.startswith(
        "stored Wessex Q3 2020/21 as revision 163: Q3 2020/21 is published, so this return "
        "waits for a national administrator's approval; the published figure no return stays"
    )
    _, out, _ = run("revisions")
    assert out.splitlines()[1].startswith("163,submission,Wessex,Q3 2020/21,")
    _, out, _ = run("history")  # waiting, never "superseded" (issue 20)
    assert out.splitlines()[1].startswith("163,Wessex,Q3 2020/21,waiting for approval,")
    assert run("approve", "163", "--reason", "late but right", "--by", "nat")[1] == (
        "revision 163 approved (event 164): the published figures show it, with a revision mark\n"
    )
    _, out, _ = run("history")
    assert out.splitlines()[1].startswith("163,Wessex,Q3 2020/21,current (approved revision),")
    _, out, _ = run("report", "--quarters", "Q3 2020/21")
    assert dict(line.split(",", 1) for line in out.splitlines())["Wessex"] != "no return"
    assert run("reject", "163", "--reason", "x")[2].startswith("error: there is no revision 163 waiting")
    code, out, _ = run("due-date", "Q4 2020/21", "2021-06-01", "--reason", "Easter")
    assert (code, out) == (0, "returns for Q4 2020/21 are due on 1 June 2021 (event 165)\n")
    assert run("due-date", "Q4 2020/21", "1 June", "--reason", "x")[2] == (
        "error: '1 June' is not a date: write it like 2021-02-15\n"
    )


def test_report_quarters_all(store, db, run):
    _, out, _ = run("report", "--quarters", "all")
    assert out.splitlines()[0].split(",")[1:11] == [
        f"q{n}_{y}_{(y + 1) % 100:02d}"
        for y, n in [
            (2018, 1),
            (2018, 2),
            (2018, 3),
            (2018, 4),
            (2019, 1),
            (2019, 2),
            (2019, 3),
            (2019, 4),
            (2020, 1),
            (2020, 2),
        ]
    ]


YEARS = "is outside the years a quarter can be in here: Q1 2013/14 (when the AHSNs began) to Q4 2099/00"
LONG_QUARTER = "Q1 " + "9" * 5000 + "/00"


@pytest.mark.parametrize(
    "args, message",
    [
        (["template", "--ahsn", "Wessex", "--quarter", "Q4 9999/00"], f"error: 'Q4 9999/00' {YEARS}"),
        (
            ["template", "--ahsn", "Wessex", "--quarter", LONG_QUARTER],
            "error: 'Q1 999999999999999999999999999…99/00 (5,006 characters)' is not a quarter; write it like Q3 2019/20 "
            "(or Q3 19/20)",
        ),
        (["report", "--quarters", "Q3 2019/20,Q4 9999/00"], f"error: 'Q4 9999/00' {YEARS}"),
        (
            ["report", "--quarters", "Q" + "3" * 5000 + " 2019/20"],
            "error: 'Q33333333333333333333333333333…19/20 (5,009 characters)' is not a quarter",
        ),
        (["publish", "Q1 2012/13"], f"error: 'Q1 2012/13' {YEARS}"),
        (["due-date", "Q4 9999/00", "2021-01-01", "--reason", "x"], f"error: 'Q4 9999/00' {YEARS}"),
        (
            ["due-date", "Q1 2099/00", "2099-06-01", "--reason", "x"],
            "error: Q1 2099/00 has not begun: a due date can be set for a quarter that has begun",
        ),
        (
            ["due-date", "Q4 2020/21", "9999-12-31", "--reason", "x"],
            "error: 31 December 9999 is not a due date a return can have: write a date from 2013 to 2100, after the quarter",
        ),
        (
            ["due-date", "Q4 2020/21", "9" * 5000, "--reason", "x"],
            "error: '999999999999999999999999999999…99999 (5,000 characters)' is not a date: write it like 2021-02-15",
        ),
    ],
)
def test_a_quarter_or_date_no_command_can_use_exits_2_with_a_message(store, run, args, message):
    """Issue 22: 5,000 digits or Q4 9999/00 gave a traceback. Every argument that takes a
    quarter or a date is read before the command runs; nothing is stored."""
    events = len(store.events())
    code, out, err = run(*args)
    assert (code, out) == (2, "")
    assert err.startswith(message) and err.count("\n") == 1 and len(err) < 250, err
    assert len(store.events()) == events


def test_a_crafted_quarter_prints_no_traceback_from_the_real_command(store):
    result = subprocess.run(
        [sys.executable, "-m", "etl", "template", "--ahsn", "Wessex", "--quarter", "Q4 9999/00"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "METRICS_DATA": str(store.root)},
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr == f"error: 'Q4 9999/00' {YEARS}\n"


def test_a_reader_that_stops_early_gets_no_traceback(store):
    """`python -m etl history | head`: the pipe closed before the command writes."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "METRICS_DATA": str(store.root)}
    child = subprocess.Popen(
        [sys.executable, "-m", "etl", "history"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    child.stdout.close()  # the reader is gone before the first line
    _, err = child.communicate(timeout=120)
    assert b"Traceback" not in err and b"BrokenPipe" not in err, err.decode()
