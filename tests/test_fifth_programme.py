"""Adding a programme is adding its definition and its reference list, never a code change: a
made-up fifth programme, written into a folder of its own, is templated, loaded, published and
shown through the command line and the dashboard exactly as TCAM is."""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
from pathlib import Path

import pytest

from etl.cli import main
from tests.conftest import ROOT, make_app, settings_for

DEFINITION = """
code = "falls-check"
short_name = "FallsCheck"
name = "Falls checks in care homes"
description = "Care homes check every resident's risk of falling each quarter and act on it."
first_quarter = "Q1 2021/22"

[organisations]
singular = "care home"
plural = "care homes"
reference_list = "falls-check/organisations.csv"
reference_is_demo = true
code_pattern = "^CH[0-9]{3}$"
code_example = "CH101"
code_words = "the care home's code: CH and 3 digits"
most_per_return = 50
default_type = "residential"

[[organisations.types]]
key = "residential"
words = "residential"
counts = true

[[organisations.types]]
key = "day_centre"
words = "day centre"
counts = false

[adoption]
adopted_from_level = 3

[[adoption.levels]]
number = 1
name = "Not started"
description = "No checks yet."

[[adoption.levels]]
number = 2
name = "Training"
description = "Staff are being trained."

[[adoption.levels]]
number = 3
name = "Checking"
description = "Every resident is checked each quarter."

[[measures]]
key = "residents"
words = "residents"
max_per_row = 500

[[measures]]
key = "residents_checked"
words = "residents checked"
max_per_row = 500

[[pairs]]
numerator = "residents_checked"
denominator = "residents"

[headline]
kind = "share"
words = "care homes checking"
unit = "percent"
target_percent = 60
big_change = 30

[trajectories]
allowed = true
set_by = "ahsn"
unit = "percent"

[table]
checkpoint_quarters = ["Q1 2021/22"]

[due]
day = 1
months_after_quarter_end = 1
"""
REFERENCE = """ahsn,code,name,type,successor
Wessex,CH101,Larchmere Care Home,residential,
Wessex,CH102,Quincefold House,residential,
Wessex,CH103,Sorrelwick Day Centre,day_centre,
KSS,CH201,Tansyhithe Lodge,residential,
KSS,CH202,Bramblestow Court,residential,
"""
Q1, Q2 = "Q1 2021/22", "Q2 2021/22"


@pytest.fixture
def programmes(tmp_path) -> Path:
    """The shipped definitions, and beside them the fifth."""
    folder = tmp_path / "programmes"
    shutil.copytree(ROOT / "data" / "programmes", folder)
    (folder / "falls-check.toml").write_text(DEFINITION)
    (folder / "falls-check").mkdir()
    (folder / "falls-check" / "organisations.csv").write_text(REFERENCE)
    return folder


@pytest.fixture
def settings(tmp_path, programmes):
    """An empty store (no demo data), its programmes the folder above, FallsCheck the default."""
    return settings_for(
        tmp_path / "store",
        METRICS_PROGRAMMES=str(programmes),
        METRICS_PROGRAMME="falls-check",
        METRICS_DEMO_RETURNS="none",
    )


def run(settings, capsys, *args: str) -> str:
    code = main(list(args), settings=settings)
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def filled(template: str, levels: dict[str, int], checked: int) -> str:
    """The template with each care home's level, and residents and residents checked."""
    rows = list(csv.DictReader(io.StringIO(template)))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({**r, "adoption_level": levels[r["trust_code"]], "residents": 20, "residents_checked": checked})
    return out.getvalue()


def test_a_fifth_programme_is_templated_loaded_published_and_shown(settings, capsys, tmp_path):
    run(settings, capsys, "init")
    # the first template lists the AHSN's care homes from the reference list, at level 1
    template = run(settings, capsys, "template", "--ahsn", "Wessex", "--quarter", Q1)
    assert template.splitlines()[0] == (
        "quarter,ahsn,trust_code,trust_name,trust_type,adoption_level,residents,residents_checked"
    )
    assert [r["trust_code"] for r in csv.DictReader(io.StringIO(template))] == ["CH101", "CH102", "CH103"]
    files = {
        "wessex.csv": filled(template, {"CH101": 3, "CH102": 1, "CH103": 3}, 15),
        "kss.csv": filled(
            run(settings, capsys, "--programme", "falls-check", "template", "--ahsn", "KSS", "--quarter", Q1),
            {"CH201": 3, "CH202": 3},
            18,
        ),
    }
    paths = []
    for name, text in files.items():
        (tmp_path / name).write_text(text)
        paths.append(str(tmp_path / name))
    loaded = run(settings, capsys, "load", *paths)
    assert "Wessex" in loaded and "KSS" in loaded
    # a checked count above the residents is refused with the pair's default words
    bad = tmp_path / "bad.csv"
    bad.write_text(filled(template, {"CH101": 3, "CH102": 1, "CH103": 3}, 25).replace(Q1, Q2))
    assert main(["load", str(bad)], settings=settings) == 1
    assert "25 residents checked is more than the 20 residents" in capsys.readouterr().err
    run(settings, capsys, "sign-off", Q1, "--incomplete", "--by", "test")
    quarters = run(settings, capsys, "quarters")
    assert re.search(rf"^{re.escape(Q1)},published,2021-07-01,", quarters, re.M)
    report = dict(line.split(",", 1) for line in run(settings, capsys, "report").splitlines())
    # Wessex: 1 of its 2 residential homes checking (the day centre does not count); KSS 2 of 2
    assert report["Wessex"] == "50" and report["KSS"] == "100" and report["Oxford"] == "no return"
    assert report["Total"] == "75"
    # TCAM is beside it, untouched
    tcam = run(settings, capsys, "--programme", "tcam", "quarters")
    assert ",published," not in tcam

    # the dashboard shows its national table and AHSN page at its own address, and the overview of
    # every programme has it; METRICS_PROGRAMME makes it the default (the old addresses lead to it)
    client = make_app(settings).server.test_client()
    assert client.get("/compare").headers["Location"] == "/falls-check/compare"
    assert 'href="/falls-check/ahsn/wessex"' in client.get("/").text
    page = client.get("/falls-check/")
    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))
    assert "FallsCheck adoption by AHSN" in text
    assert "National target: 60% of each AHSN's residential care homes adopting" in text
    assert "1 of 2 residential care homes adopted in Q1 2021/22" in text
    assert "Demo data." in text and "The care homes, their codes and names" in text
    ahsn = html.unescape(client.get("/falls-check/ahsn/wessex").get_data(as_text=True))
    assert "Care homes in the Q1 2021/22 return" in ahsn and "Larchmere Care Home" in ahsn
    assert "not counted (day centre)" in ahsn
    national_csv = client.get("/download/national.csv").get_data(as_text=True)
    assert "Wessex,50" in national_csv
