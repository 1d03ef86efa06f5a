"""The review's Tables 8.4 and 8.5 come out exactly from its Table 8.3, through the real command
line (`python -m etl pathways` in a process of its own), as JSON and as the tables a person reads;
bad input is exit 2 with every problem, never a traceback. The other choices run the same
command in this process (etl.cli.main), as tests/test_cli.py does, to keep the tier quick."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from etl.cli import main
from tests import hostile
from tests.conftest import ROOT, settings_for

REVIEW = ROOT / "data" / "reference" / "tcam_qca_table_8_3.csv"
FOUR = "NONDELAY,ADOPT,PHARMA,INTERSECT"


def pathways(tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "etl", "pathways", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "METRICS_DATA": str(tmp_path / "store")},
        timeout=120,
    )


@pytest.fixture
def run(tmp_path, capsys):
    """The command in this process: (exit code, stdout, stderr)."""

    def run(*args: str):
        code = main(["pathways", *args], settings=settings_for(tmp_path / "store"))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def table_8_4_row(configuration: str, cases: list[str], outcome: str) -> dict:
    return {
        "configuration": configuration,
        "cases": cases,
        "outcome": outcome,
        "consistency": 1.0 if outcome == "1" else 0.0,
    }


def test_json_gives_tables_8_4_and_8_5_exactly(tmp_path):
    done = pathways(tmp_path, "--cases", str(REVIEW), "--conditions", FOUR, "--outcome", "OUTCOME", "--json")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    got = json.loads(done.stdout)
    assert got["conditions"] == ["NONDELAY", "ADOPT", "PHARMA", "INTERSECT"]
    assert got["outcome"] == "OUTCOME"
    assert got["truth_table"] == [
        table_8_4_row("0010", ["12"], "0"),
        table_8_4_row("0011", ["2"], "0"),
        table_8_4_row("0101", ["1"], "0"),
        table_8_4_row("0111", ["3"], "0"),
        table_8_4_row("1001", ["5", "7", "11"], "0"),
        table_8_4_row("1010", ["4"], "1"),
        table_8_4_row("1011", ["15"], "1"),
        table_8_4_row("1100", ["10"], "0"),
        table_8_4_row("1110", ["8", "9"], "1"),
        table_8_4_row("1111", ["6", "13", "14"], "1"),
    ]
    assert got["remainders"] == ["0000", "0001", "0100", "0110", "1000", "1101"]
    required = {"terms", "coverage", "consistency"}
    term_keys = ("term", "cases", "raw_coverage", "unique_coverage", "consistency")
    assert [
        ({k: m[k] for k in required}) | {"terms": [{k: t[k] for k in term_keys} for t in m["terms"]]}
        for m in got["solutions"]["1"]
    ] == [
        {
            "terms": [
                {
                    "term": "NONDELAY*PHARMA",
                    "cases": ["4", "6", "13", "14", "8", "9", "15"],
                    "raw_coverage": 1.0,
                    "unique_coverage": 1.0,
                    "consistency": 1.0,
                }
            ],
            "coverage": 1.0,
            "consistency": 1.0,
        }
    ]
    assert [
        ({k: m[k] for k in required}) | {"terms": [{k: t[k] for k in term_keys} for t in m["terms"]]}
        for m in got["solutions"]["0"]
    ] == [
        {
            "terms": [
                {
                    "term": "nondelay",
                    "cases": ["1", "2", "3", "12"],
                    "raw_coverage": 0.5,
                    "unique_coverage": 0.375,
                    "consistency": 1.0,
                },
                {
                    "term": "pharma",
                    "cases": ["1", "5", "7", "11", "10"],
                    "raw_coverage": 0.625,
                    "unique_coverage": 0.5,
                    "consistency": 1.0,
                },
            ],
            "coverage": 1.0,
            "consistency": 1.0,
        }
    ]
    # beyond the keys: the cases grouped as Table 8.5 prints them, and the words
    (success,) = got["solutions"]["1"]
    assert success["terms"][0]["case_groups"] == [["4"], ["6", "13", "14"], ["8", "9"], ["15"]]
    assert success["words"] == "a prompt start and a pharmacist at the AHSN"
    assert success["reach"] == "all 7 cases at target"
    assert got["solutions"]["0"][0]["remainders_assumed"] == got["remainders"]
    assert got["solution_type"] == "parsimonious"
    assert [v["column"] for v in got["variation"] if v["used"]] == [*FOUR.split(","), "OUTCOME"]


def test_the_tables_a_person_reads(tmp_path):
    done = pathways(tmp_path, "--cases", str(REVIEW), "--conditions", FOUR, "--outcome", "OUTCOME")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    truth = lines.index("NONDELAY  ADOPT  PHARMA  INTERSECT  OUTCOME  consistency  cases")
    assert lines[truth + 1 : truth + 12] == [
        "0         0      1       0          0        0.0          12",
        "0         0      1       1          0        0.0          2",
        "0         1      0       1          0        0.0          1",
        "0         1      1       1          0        0.0          3",
        "1         0      0       1          0        0.0          5, 7, 11",
        "1         0      1       0          1        1.0          4",
        "1         0      1       1          1        1.0          15",
        "1         1      0       0          0        0.0          10",
        "1         1      1       0          1        1.0          8, 9",
        "1         1      1       1          1        1.0          6, 13, 14",
        "Logical remainders, observed in no case: 6 of the 16 configurations: 0000, 0001, 0100, 0110, 1000, 1101",
    ]
    solutions = lines.index("Solutions (as the review's Table 8.5), parsimonious")
    assert lines[solutions + 1 : solutions + 18] == [
        "  at target (OUTCOME): 1 model",
        "    M1: NONDELAY*PHARMA",
        "      in words: a prompt start and a pharmacist at the AHSN: all 7 cases at target",
        "      term             cases                   raw coverage  unique coverage  consistency",
        "      NONDELAY*PHARMA  4; 6, 13, 14; 8, 9; 15  1.0           1.0              1.0",
        "      solution coverage 1.0, consistency 1.0",
        "",
        "  not at target (outcome): 1 model",
        "    M1: nondelay + pharma",
        "      in words: a delayed start (4 of the 8 cases not at target); or no pharmacist at the AHSN "
        "(5 of the 8 cases not at target): all 8 cases not at target",
        "      term      cases            raw coverage  unique coverage  consistency",
        "      nondelay  1; 2; 3; 12      0.5           0.375            1.0",
        "      pharma    1; 5, 7, 11; 10  0.625         0.5              1.0",
        "      solution coverage 1.0, consistency 1.0",
        "      simplifying assumptions: 6 configurations observed in no case, taken as not at target: "
        "0000, 0001, 0100, 0110, 1000, 1101",
        "",
        "Notes",
    ]
    assert (
        "variation  LOW       LOW       ok     ok   LOW    LOW     LOW    LOW     ok   LOW        LOW      "
        "LOW  ok" in lines
    )
    assert lines[-1].startswith("These are associations among these 15 cases, not proof of cause")


def test_conservative_on_request(run):
    code, out, _ = run(
        "--cases", str(REVIEW), "--conditions", FOUR, "--outcome", "OUTCOME", "--solution", "conservative", "--json"
    )
    got = json.loads(out)
    assert got["solution_type"] == "conservative"
    assert [m["expression"] for m in got["solutions"]["1"]] == ["NONDELAY*PHARMA"]
    assert [m["expression"] for m in got["solutions"]["0"]] == [
        "NONDELAY*ADOPT*pharma*intersect + NONDELAY*adopt*pharma*INTERSECT + nondelay*ADOPT*INTERSECT + "
        "nondelay*adopt*PHARMA"
    ]
    assert all(m["remainders_assumed"] == [] for s in got["solutions"].values() for m in s)


def test_tied_models_through_the_command(run):
    conditions = "EXPLICIT,NONDELAY,ADOPT,EXP,PILOT,PHARMA,CHAMP,SENIOR,CCG,INTERSECT,NETWORK,PPI"
    code, out, err = run("--cases", str(REVIEW), "--conditions", conditions, "--outcome", "OUTCOME")
    assert code == 0, err
    assert "  at target (OUTCOME): 5 models tie" in out
    assert "    5 models have the fewest terms, so each is shown" in out
    assert "    M5: PHARMA*CHAMP*PPI" in out
    assert "  not at target (outcome): 2 models tie" in out


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (
            ["--conditions", "NONDELAY,PHARMACIST", "--outcome", "SUCCESS"],
            [
                "tcam_qca_table_8_3.csv, row 1, column PHARMACIST: the file has no column PHARMACIST (the condition "
                "chosen); its columns are case, EXPLICIT, NONDELAY, ADOPT, EXP, PILOT, PHARMA, CHAMP, SENIOR, CCG, "
                "INTERSECT, NETWORK, PPI, OUTCOME. Choose the condition among those columns, or add a column named "
                "PHARMACIST to the file.",
                "tcam_qca_table_8_3.csv, row 1, column SUCCESS: the file has no column SUCCESS (the outcome chosen); its "
                "columns are case, EXPLICIT, NONDELAY, ADOPT, EXP, PILOT, PHARMA, CHAMP, SENIOR, CCG, INTERSECT, "
                "NETWORK, PPI, OUTCOME. Choose the outcome among those columns, or add a column named SUCCESS to the "
                "file.",
                "2 problem(s) found; nothing was analysed. Fix them and run it again.",
            ],
        ),
        (
            ["--conditions", "NONDELAY,OUTCOME", "--outcome", "OUTCOME"],
            ["error: OUTCOME is the outcome, so it cannot also be a condition"],
        ),
    ],
)
def test_bad_choices_exit_2_with_every_problem(run, args, stderr):
    code, out, err = run("--cases", str(REVIEW), *args)
    assert (code, out, err.splitlines()) == (2, "", stderr)


def test_a_bad_case_table_exits_2_with_file_row_column_and_fix(tmp_path):
    bad = tmp_path / "conditions.csv"
    bad.write_text("case,A,B,OUT\n1,1,0,1\n1,yes,2,0\n3,1,,1\n")
    done = pathways(tmp_path, "--cases", str(bad), "--conditions", "A,B", "--outcome", "OUT")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "read: conditions.csv: A: 'yes' read as 1 in row 3",
        "conditions.csv, row 3, column case: case 1 is listed twice (also row 2). Give each case one row, with an "
        "id of its own.",
        "conditions.csv, row 3, column B: '2' is not 0 or 1. Write 1 where the condition was present in the case "
        "and 0 where it was absent.",
        "conditions.csv, row 4, column B: the cell is blank. Write 1 where the condition was present in the case "
        "and 0 where it was absent; if it is not known, leave this condition out of the analysis or the case out "
        "of the table.",
        "3 problem(s) found; nothing was analysed. Fix them and run it again.",
    ]


def test_too_many_conditions_and_a_missing_file_exit_2(run, tmp_path):
    many = tmp_path / "many.csv"
    names = [f"C{i}" for i in range(13)]
    many.write_text("case," + ",".join(names) + ",OUT\n1," + ",".join("1" * 13) + ",1\n")
    code, _, err = run("--cases", str(many), "--conditions", ",".join(names), "--outcome", "OUT")
    assert code == 2
    assert err.startswith("error: 13 conditions are chosen; at most 12 can be analysed together")
    code, _, err = run("--cases", str(tmp_path / "nowhere.csv"), "--conditions", "A", "--outcome", "B")
    assert (code, err.strip()) == (
        2,
        f"error: {tmp_path / 'nowhere.csv'}: cannot read the file (No such file or directory)",
    )


def test_a_hostile_file_exits_2_without_a_traceback(tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(hostile.lying_zip_bomb()[1])
    done = pathways(tmp_path, "--cases", str(bomb), "--conditions", "A", "--outcome", "B")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("bomb.xlsx: ")
