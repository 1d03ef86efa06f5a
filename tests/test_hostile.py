"""Hostile and careless files (tests/hostile.py builds them): each is refused within a few
seconds and a bounded amount of memory, with a problem a person can read, and nothing is
stored; whatever happens in the reading child becomes a problem, never a lost worker."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from upload_helpers import seed_server, sign_in

from etl.problems import ReturnRejected
from etl.programmes import TCAM
from etl.reading.limits import ReadLimits
from etl.reading.sandbox import read_files, run_child
from etl.validate import parse_return
from tests import hostile
from tests.conftest import ROOT

TODAY = dt.date(2026, 11, 22)
FAR_XLS = Path(__file__).parent / "fixtures" / "hostile" / "far-cell.xls"
SECONDS = 10  # generous: each is refused in well under a second here
MEMORY_KB = 300 * 1024  # the child's peak resident memory

# what each is refused for: a phrase of its (first) problem
REFUSED_FOR = {
    "shared_strings_bomb": "part xl/sharedStrings.xml of the Excel file is 59.5 MB unpacked",
    "lying_zip_bomb": "part xl/worksheets/sheet1.xml of the Excel file is larger than the limit unpacked",
    "full_sheet_dimension": "says it spans A1:XFD1048576, far outside any return",
    "far_cell": "has something in cell XFD1048576, far outside any return",
    "xxe": "part xl/workbook.xml declares a DOCTYPE",
    "billion_laughs": "part xl/worksheets/sheet1.xml declares a DOCTYPE",
    "corrupt_deflate": "part xl/worksheets/sheet1.xml is damaged",
    "unknown_compression": "compression method spreadsheets do not use (method 99)",
    "encrypted_zip": "the Excel file is password-protected",
    "password_protected_xlsx": "the Excel file is password-protected",
    "macro_workbook": "the workbook contains macros",
    "external_link": "the workbook links to other files",
    "hidden_first_sheet": "the workbook has hidden sheet 'Old'",
    "very_hidden_sheet": "the workbook has hidden sheet 'Old'",
    "many_parts": "the Excel file is made of 5,009 parts",
    "too_many_cells": "the workbook has more than 250,000 cells",
    "word_document": "this is a Word document, not a spreadsheet",
    "ods_repeated_rows": "the spreadsheet has more than 250,000 filled cells",
    "ods_hidden_sheet": "the spreadsheet has hidden sheet 'Secret'",
    "ods_encrypted": "the spreadsheet is password-protected",
    "csv_of_ones": "the file has 2,600,001 lines",
    "made_up_trusts": "the file has 180,002 lines",
    "implausible_return": "the file holds 301 trust rows for KSS in Q2 2020/21",
    "nul_after_4kb": "a control character (NUL, code 0)",
    "control_character": "a control character (code 27)",
    "bidi_override": "an invisible character that reorders text (right-to-left override)",
    "one_huge_line": "the row has 2,000,001 values",
    "huge_quoted_field": "a cell holds more than 10,000 characters; no value of a return is that long",
    "too_many_problems": "'10' is not an adoption level",
    "moved_workbook": "sheet 'Sheet' has something in cell XFD1048576, far outside any return",
    "entity_in_workbook_folder": "sheet 'Sheet' has something in cell XFD1048576, far outside any return",
    "entity_in_target": "sheet 'Sheet' has something in cell XFD1048576, far outside any return",
    "workbook_in_latin_1": "part xl/workbook.xml is not UTF-8 XML",
    "parts_differing_in_capitals": "it holds two parts whose names differ only in capitals",
    "two_sheets_one_name": "the workbook has two sheets called 'Return'",
    "cell_out_of_any_sheet": "the Excel file is damaged: sheet 'Sheet' has a cell called 'AAAA1'",
    "both_ods_and_xlsx": "the spreadsheet is both an OpenDocument file and an Excel workbook",
}


def test_every_builder_has_an_expected_refusal():
    assert sorted(b.__name__ for b in hostile.BUILDERS) == sorted(REFUSED_FOR)


@pytest.mark.parametrize("builder", hostile.BUILDERS, ids=lambda b: b.__name__)
def test_hostile_file_is_refused_quickly_in_bounded_memory_with_a_problem(builder):
    name, content = builder()
    limits = ReadLimits()
    if len(content) > limits.max_bytes:
        pytest.fail(f"{name} is over the upload limit: it would be refused before reading")
    run = run_child([(name, content)], TCAM, limits, TODAY)
    assert run.failure is None, run.failure  # refused by the caps, not stopped by the sandbox
    assert run.seconds < SECONDS
    assert 0 < run.peak_rss_kb < MEMORY_KB
    [result] = run.results
    assert not result.ok
    first = result.problems[0]
    assert REFUSED_FOR[builder.__name__] in first.message, str(first)
    for p in result.problems:
        assert p.file == name and len(p.fix) > 15
        assert not re.search(r"Traceback|Exception|Error\b|\bb'", p.message), p.message


def test_too_many_problems_are_capped_and_counted():
    name, content = hostile.too_many_problems()
    result = parse_return(name, content, TCAM, ReadLimits(), TODAY)
    assert len(result.problems) == 101
    assert result.problems[-1].message == "4,900 more problems are not listed"


@pytest.mark.slow  # a store per hostile file; the refusals themselves are in the fast tier
@pytest.mark.parametrize("builder", hostile.BUILDERS, ids=lambda b: b.__name__)
def test_hostile_file_stores_nothing(store, builder):
    name, content = builder()
    before = {
        str(p.relative_to(store.root)): p.stat().st_mtime_ns
        for p in store.root.rglob("*")
        if p.is_file() and p.name != "write.lock"
    }
    with pytest.raises(ReturnRejected) as refused:
        store.load([(name, content)], TCAM, loaded_by="test", today=TODAY)
    assert refused.value.problems
    after = {
        str(p.relative_to(store.root)): p.stat().st_mtime_ns
        for p in store.root.rglob("*")
        if p.is_file() and p.name != "write.lock"
    }
    assert after == before


# Caps raised past a cell at IV65536: the reader then allocates a 16-million-cell grid
PAST_THE_CAPS = ReadLimits(max_rows=10**6, max_columns=10**4, max_scanned_cells=10**12)


def test_an_xls_past_the_caps_is_refused_by_its_records_before_the_reader_runs():
    """An .xls is walked record by record before calamine opens it (etl/reading/biff.py):
    a cell at IV65536 is refused by what its sheet declares, not by the memory limit."""
    [result] = read_files([("far-cell.xls", FAR_XLS.read_bytes())], TCAM, ReadLimits(), TODAY)
    assert [p.message for p in result.problems] == [
        "sheet 'Return' says it spans 65,536 rows and 256 columns, far outside any return (at most 20,000 "
        "rows and 100 columns are read)"
    ]


def test_a_file_past_the_caps_is_stopped_by_the_childs_memory_limit():
    """Should a file get past the inspection (here: caps raised), the child's address-space
    limit stops the reader."""
    run = run_child([("far-cell.xls", FAR_XLS.read_bytes())], TCAM, PAST_THE_CAPS, TODAY)
    assert run.failure == "reading it needed more than the 768 MB of memory allowed"
    assert run.seconds < SECONDS
    [result] = read_files([("far-cell.xls", FAR_XLS.read_bytes())], TCAM, PAST_THE_CAPS, TODAY)
    assert [str(p) for p in result.problems] == [
        "far-cell.xls: the file could not be read within the limits: reading it needed more than the "
        "768 MB of memory allowed. A return is a few kilobytes. Check it is the right file; if it is, "
        "save a plain copy (copy the return's cells into a new workbook, or save it as 'CSV UTF-8') "
        "and upload that."
    ]


def test_a_child_out_of_time_is_killed_and_becomes_a_problem():
    content = (Path(__file__).parent / "fixtures" / "upload" / "wessex-good.csv").read_bytes()
    [result] = read_files([("slow.csv", content)], TCAM, ReadLimits(seconds=0.001), TODAY)
    assert [p.message for p in result.problems] == [
        "the file could not be read within the limits: reading it took longer than 0.001 seconds"
    ]


def test_a_child_out_of_memory_becomes_a_problem():
    content = (Path(__file__).parent / "fixtures" / "upload" / "wessex-good.csv").read_bytes()
    [result] = read_files([("big.csv", content)], TCAM, ReadLimits(memory_bytes=4 * 2**20), TODAY)
    assert [p.message for p in result.problems] == [
        "the file could not be read within the limits: reading it needed more than the 4 MB of memory allowed"
    ]


def test_a_failing_batch_is_read_again_file_by_file():
    """One child reads a batch (the build, a batch load); when it fails, each file is read
    alone so the problem is pinned on the file that caused it."""
    good = (Path(__file__).parent / "fixtures" / "upload" / "wessex-good.csv").read_bytes()
    results = read_files([("good.csv", good), ("far-cell.xls", FAR_XLS.read_bytes())], TCAM, PAST_THE_CAPS, TODAY)
    assert [r.ok for r in results] == [True, False]
    assert "could not be read within the limits" in results[1].problems[0].message


def test_file_names_lose_control_and_bidi_characters_and_are_capped():
    content = (Path(__file__).parent / "fixtures" / "upload" / "wessex-good.csv").read_bytes()
    name = "..\\..\\etc/ret\u202eurn\x00\x1b[31m" + "x" * 5000 + ".csv"
    result = parse_return(name, content, TCAM, ReadLimits(), TODAY)
    assert result.ok
    assert result.file_name.startswith("return[31m") and result.file_name.endswith("….csv")
    assert len(result.file_name) == 120
    assert not re.search(r"[\x00-\x1f\u202a-\u202e]", result.file_name)


def _workers(master_pid: int) -> set[int]:
    with open(f"/proc/{master_pid}/task/{master_pid}/children") as f:
        return {int(p) for p in f.read().split()}


@pytest.mark.slow
def test_hostile_uploads_cost_no_worker(tmp_path):
    """The worst files posted at once to gunicorn: each answered with its problem, every
    worker still the same process afterwards, and the server still serving."""
    with seed_server(tmp_path / "store", workers=2) as (live, store):
        session = requests.Session()
        csrf = sign_in(session, live.url, "wessex")
        workers = _workers(live.process.pid)
        attacks = Path(__file__).parent / "fixtures" / "hostile"
        files = [
            hostile.far_cell(),
            hostile.lying_zip_bomb(),
            hostile.billion_laughs(),
            hostile.csv_of_ones(),
            ("far-cell.xls", FAR_XLS.read_bytes()),
        ] + [
            (name, (attacks / name).read_bytes())
            for name in ("many-far-sheets.xlsx", "many-far-sheets.ods", "many-far-sheets.xls", "out-of-bounds.xlsx")
        ]
        for name, content in files:
            answer = session.post(
                live.url + "/upload/commit", data={"csrf_token": csrf}, files={"file": (name, content)}, timeout=60
            )
            assert answer.status_code == 422, (name, answer.status_code, answer.text[:300])
            assert answer.json()["problems"][0]["message"]
        assert _workers(live.process.pid) == workers
        assert requests.get(live.url + "/healthz", timeout=10).json()["status"] == "ok"
        assert len(store.events()) == 6
        assert os.path.exists(store.root / "events")


# ---- the reading child: bounded whoever waits for it --------------------------------------

SLOW = Path(__file__).parent / "fixtures" / "hostile" / "many-far-sheets.xlsx"
# the caps of before issue 22: the attacker's workbook then costs minutes of CPU to read
NO_WORK_CAPS = ReadLimits(max_sheets=10**6, max_scanned_cells=10**12, max_elements=10**9, seconds=600)


def _state(pid: int) -> str | None:
    """A process's state letter (R running, S sleeping, Z dead and unreaped), or None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return None


def _children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            found += [int(p) for p in f.read().split()]
    return found


def _wait_for(predicate, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()


def test_a_reading_child_dies_with_its_killed_parent():
    """Issue 22: a worker killed while its child read a hostile file left the child running at
    95% CPU. The child dies with its parent (PR_SET_PDEATHSIG), in a process group of its own."""
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import json, sys; from pathlib import Path; from etl.programmes import TCAM; "
                "from etl.reading.limits import ReadLimits; from etl.reading.sandbox import run_child; "
                "run_child([('slow.xlsx', Path(sys.argv[1]).read_bytes())], TCAM, "
                "ReadLimits.from_dict(json.loads(sys.argv[2])), None)"
            ),
            str(SLOW),
            json.dumps(NO_WORK_CAPS.as_dict()),
        ],
        cwd=ROOT,
    )
    child = None
    try:
        child = _wait_for(lambda: (_children(worker.pid) or [None])[0], 30)
        assert child is not None, "the worker started no reading child"
        assert os.getpgid(child) == child != os.getpgid(worker.pid)  # a process group of its own
        time.sleep(0.5)  # well into reading
        assert _state(child) in ("R", "S")
        worker.kill()
        worker.wait()
        assert _wait_for(lambda: _state(child) in (None, "Z"), 5), f"the child is still {_state(child)}"
    finally:
        worker.kill()
        worker.wait()
        if child is not None and _state(child) not in (None, "Z"):
            os.kill(child, signal.SIGKILL)


def test_a_reading_child_is_stopped_by_its_cpu_limit_with_no_one_timing_it():
    """The kernel's CPU limit backs the parent's timer: started as the sandbox starts it, with
    one second of CPU and no timer at all, the child reading the attacker's workbook is
    stopped (SIGXCPU) within seconds."""
    spec = {
        "kind": "return",
        "programme": {"source": TCAM.source, "file": TCAM.file},  # the definition itself, as the sandbox sends it
        "today": None,
        "limits": NO_WORK_CAPS.as_dict(),
        "cpu_seconds": 1,
        "files": [{"name": "slow.xlsx", "size": SLOW.stat().st_size}],
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "etl.reading.child", str(os.getpid())],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        child.stdin.write(json.dumps(spec).encode() + b"\n" + SLOW.read_bytes())
        child.stdin.close()
        assert child.wait(timeout=30) in (-signal.SIGXCPU, -signal.SIGKILL)
    finally:
        child.kill()
        child.wait()


def test_a_child_whose_parent_is_already_gone_reads_nothing():
    """Started for a parent that is not its parent (it died before the child could ask to die
    with it), the child exits at once without reading."""
    child = subprocess.run(
        [sys.executable, "-m", "etl.reading.child", "1"], cwd=ROOT, input=b"", capture_output=True, timeout=30
    )
    assert (child.returncode, child.stdout) == (3, b"")
