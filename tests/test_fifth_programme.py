"""Adding a programme is adding its definition and reference list, no code: a made-up fifth
programme, written into a temporary folder, is templated, loaded, published and reported through
the command line."""

from __future__ import annotations

import csv
import io
import shutil

import pytest

from etl import cli, queries, words
from etl.queries import Database
from etl.store import Store
from tests.conftest import ROOT, settings_for

DEFINITION = """
code = "falls"
short_name = "FALLS"
name = "Falls Prevention in Care Homes"
description = "Care homes run strength and balance sessions for their residents."
first_quarter = "Q1 2024/25"

[organisations]
singular = "care home"
plural = "care homes"
reference_list = "falls/organisations.csv"
reference_is_demo = true
code_pattern = "^VM[0-9]{4}$"
code_example = "VM1234"
code_words = "the care home's CQC-style code: VM and 4 digits"
most_per_return = 500
default_type = "residential"

[[organisations.types]]
key = "residential"
words = "residential"
counts = true

[[organisations.types]]
key = "nursing"
words = "nursing"
counts = true

[adoption]
adopted_from_level = 2

[[adoption.levels]]
number = 1
name = "Signed up"
description = "The home has agreed to run the sessions."

[[adoption.levels]]
number = 2
name = "Running"
description = "Sessions are running every week."

[[measures]]
key = "residents_starting"
words = "residents starting"
max_per_row = 500

[[measures]]
key = "residents_completing"
words = "residents completing"
max_per_row = 500

[[pairs]]
numerator = "residents_completing"
denominator = "residents_starting"

[headline]
kind = "share"
words = "care homes running sessions"
unit = "percent"
target_percent = 60
big_change = 20

[trajectories]
allowed = false
set_by = "national"
unit = "percent"

[table]
checkpoint_quarters = ["Q1 2024/25"]

[due]
day = 1
months_after_quarter_end = 1
"""

REFERENCE = """ahsn,code,name,type,successor
KSS,VM0001,Larchstow Lodge,residential,
KSS,VM0002,Sorrel House,nursing,
Wessex,VM0003,Bramble Court,residential,
"""


@pytest.fixture
def fifth(tmp_path):
    folder = tmp_path / "programmes"
    shutil.copytree(ROOT / "data" / "programmes", folder)
    (folder / "falls.toml").write_text(DEFINITION)
    (folder / "falls").mkdir()
    (folder / "falls" / "organisations.csv").write_text(REFERENCE)
    return settings_for(tmp_path / "store", METRICS_PROGRAMMES=str(folder), METRICS_DEMO_RETURNS="none")


def run(settings, argv, capsys) -> tuple[int, str, str]:
    code = cli.main(argv, settings=settings)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_fifth_programme_is_templated_loaded_published_and_reported(fifth, tmp_path, capsys):
    assert run(fifth, ["init"], capsys)[0] == 0
    template = tmp_path / "template.csv"
    code, _, _ = run(
        fifth,
        ["template", "--programme", "falls", "--ahsn", "KSS", "--quarter", "Q1 2024/25", "--output", str(template)],
        capsys,
    )
    assert code == 0
    header = template.read_text().splitlines()[0]
    assert (
        header == "quarter,ahsn,trust_code,trust_name,trust_type,adoption_level,residents_starting,residents_completing"
    )

    bad = tmp_path / "bad.csv"
    bad.write_text(header + "\nQ1 2024/25,KSS,VM0001,Larchstow Lodge,residential,2,10,12\n")
    code, _, err = run(fifth, ["load", "--programme", "falls", str(bad)], capsys)
    assert code == 1
    assert "row 2, column residents_completing: 12 residents completing is more than the 10 residents starting" in err

    good = tmp_path / "kss.csv"
    good.write_text(
        header + "\nQ1 2024/25,KSS,VM0001,Larchstow Lodge,residential,2,10,8\n"
        "Q1 2024/25,KSS,VM0002,Sorrel House,nursing,1,,\n"
    )
    code, out, err = run(fifth, ["load", "--programme", "falls", str(good)], capsys)
    assert code == 0, err
    assert "loaded KSS Q1 2024/25: 2 care homes, 1 of 2 residential and nursing care homes adopted (50%)" in out

    code, _, err = run(fifth, ["sign-off", "--programme", "falls", "Q1 2024/25", "--incomplete"], capsys)
    assert code == 0, err
    code, out, _ = run(fifth, ["report", "--programme", "falls"], capsys)
    assert code == 0
    table = list(csv.reader(io.StringIO(out)))
    kss = next(r for r in table if r[0] == "KSS")
    assert "50" in kss

    store = Store.from_settings(fifth)
    db = Database(store)
    try:
        falls = fifth.programmes["falls"]
        headline = queries.headlines(db, falls).set_index("ahsn").loc["KSS"]
        assert words.headline(falls, *headline[["value", "numerator", "denominator"]]) == (
            "50% (1 of 2 residential and nursing care homes)"
        )
        assert bool(headline["published"]) and headline["at_target"] == False  # noqa: E712 (50 < 60)
        # the counts are kept by measure, whatever the programme calls them
        kept = db.query("SELECT measure, sum(value) AS total FROM submitted_measures GROUP BY ALL ORDER BY 1")
        assert dict(zip(kept["measure"], kept["total"])) == {"residents_completing": 8, "residents_starting": 10}
        # TCAM has nothing of it
        assert queries.ahsn_rates(db, fifth.programmes["tcam"]).empty
    finally:
        db.close()


def test_an_unknown_programme_on_the_command_line_is_refused(fifth, capsys):
    code, _, err = run(fifth, ["quarters", "--programme", "nope"], capsys)
    assert code == 2 and "--programme 'nope' is not a programme (known: tcam, falls)" in err
    assert run(fifth, ["--programme", "falls", "quarters"], capsys)[0] == 0


def test_a_count_programme_says_its_headline_when_a_return_is_loaded(fifth, tmp_path, capsys):
    folder = fifth.programmes.folder
    counted = DEFINITION.replace(
        'kind = "share"\nwords = "care homes running sessions"\nunit = "percent"\ntarget_percent = 60',
        'kind = "count"\nmeasure = "residents_completing"\nwords = "residents completing"\nunit = "people"',
    )
    assert counted != DEFINITION
    (folder / "falls.toml").write_text(counted)
    settings = settings_for(fifth.data_dir, METRICS_PROGRAMMES=str(folder), METRICS_DEMO_RETURNS="none")
    good = tmp_path / "kss.csv"
    good.write_text(
        "quarter,ahsn,trust_code,trust_name,trust_type,adoption_level,residents_starting,residents_completing\n"
        "Q1 2024/25,KSS,VM0001,Larchstow Lodge,residential,2,10,8\nQ1 2024/25,KSS,VM0002,Sorrel House,nursing,2,5,4\n"
    )
    code, out, err = run(settings, ["load", "--programme", "falls", str(good)], capsys)
    assert code == 0, err
    assert "loaded KSS Q1 2024/25: 2 care homes, 12 residents completing, submission" in out
