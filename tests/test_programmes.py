"""Programme definitions: read from data/programmes, checked field by field, documented."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from etl import programme_fields, reference
from etl.programmes import TCAM, DefinitionError, Programmes, bundled, parse
from etl.settings import Settings, SettingsError
from tests.conftest import ROOT

DEFINITIONS = ROOT / "data" / "programmes"
TCAM_TEXT = (DEFINITIONS / "tcam.toml").read_text()


def test_the_document_lists_every_field_the_loader_reads():
    doc = (ROOT / "docs" / "programmes.md").read_text()
    start = doc.index("<!-- fields-table -->\n") + len("<!-- fields-table -->\n")
    assert doc[start : doc.index("<!-- /fields-table -->")].strip() == programme_fields.as_markdown()


def test_tcam_is_read_from_its_definition_as_it_always_was():
    assert (TCAM.code, TCAM.short_name, TCAM.target_percent, TCAM.adopted_from_level) == ("tcam", "TCAM", 50, 4)
    assert [lv.name for lv in TCAM.levels] == ["Not started", "Engaged", "Implementing", "Live", "Embedded"]
    assert TCAM.counted_trust_types == ("acute",) and TCAM.default_trust_type == "acute"
    assert TCAM.type_keys == ("acute", "mental_health", "community", "other")
    assert TCAM.checkpoint_quarters == ("Q3 2018/19", "Q3 2019/20") and TCAM.big_change_points == 25
    assert TCAM.max_count_per_row == 100_000 and TCAM.referral_milestones == (1_000, 2_000)
    assert (TCAM.due_day, TCAM.due_months_after_quarter_end, TCAM.submitters_set_trajectories) == (15, 2, True)
    assert (TCAM.organisation, TCAM.organisations) == ("trust", "trusts")
    assert TCAM.description.startswith("Acute trusts send information about a patient's medicines, with the patient's")
    assert (TCAM.headline.kind, TCAM.headline.words, TCAM.headline.target_percent) == (
        "share",
        "acute trusts adopting",
        50,
    )
    assert [m.key for m in TCAM.measures] == ["referrals_made", "referrals_completed"]
    assert TCAM.is_demo_data and TCAM.max_organisations_per_return == 300


def test_the_registry_is_ordered_read_only_and_knows_its_default():
    programmes = bundled()
    assert programmes.codes[0] == "tcam" and list(programmes)[0] == TCAM
    assert programmes["tcam"] == TCAM and programmes.get("nope") is None and "tcam" in programmes
    assert programmes.default == TCAM
    with pytest.raises(KeyError):
        programmes["nope"]


def _refused(text: str, file: str = "x.toml") -> str:
    with pytest.raises(DefinitionError) as refused:
        parse(text, file)
    return str(refused.value)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (('short_name = "TCAM"\n', ""), "short_name is missing"),
        (
            ("target_percent = 50", "target_percent = 150"),
            "headline.target_percent is 150: it should be a whole percent",
        ),
        (('kind = "share"', 'kind = "shares"'), "headline.kind is 'shares': it should be one of share, rate, count"),
        (
            ("adopted_from_level = 4", "adopted_from_level = 9"),
            "adoption.adopted_from_level is 9, not one of the levels",
        ),
        (
            ("max_per_row = 100_000", "max_per_row = 10_000_000_000_000"),
            "measures[1].max_per_row is 10,000,000,000,000",
        ),
        (
            ('denominator = "referrals_made"', 'denominator = "referals_made"'),
            "pairs[1].denominator is 'referals_made'",
        ),
        (('default_type = "acute"', 'default_type = "acute_trust"'), "organisations.default_type is 'acute_trust'"),
        (("day = 15", "day = 31"), "due.day is 31: it should be from 1 to 28"),
        (('set_by = "ahsn"', 'set_by = "ahsns"'), "trajectories.set_by is 'ahsns'"),
        (("[headline]\n", '[headline]\ncolour = "blue"\n'), "headline.colour is not a field of a programme definition"),
        (("thresholds = [1_000, 2_000]", "thresholds = [2_000, 1_000]"), "milestones.thresholds should be"),
        (('checkpoint_quarters = ["Q3 2018/19"', 'checkpoint_quarters = ["2018 Q3"'), "table.checkpoint_quarters"),
    ],
)
def test_a_bad_field_is_refused_naming_the_file_and_the_field(change, said):
    old, new = change
    assert old in TCAM_TEXT
    message = _refused(TCAM_TEXT.replace(old, new, 1), "data/programmes/x.toml")
    assert message.startswith("data/programmes/x.toml: ") and said in message
    assert "docs/programmes.md" in message


def test_every_problem_of_a_definition_is_named_at_once():
    text = TCAM_TEXT.replace("day = 15", "day = 0").replace("target_percent = 50", 'target_percent = "half"')
    message = _refused(text)
    assert "due.day is 0" in message and "headline.target_percent is 'half'" in message


def test_a_file_that_is_not_toml_is_refused_plainly():
    assert "is not a readable definition" in _refused("code = tcam\n", "tcam.toml")


def test_a_count_headline_has_no_national_target_and_a_rate_needs_its_pair():
    count = TCAM_TEXT.replace('kind = "share"', 'kind = "count"\nmeasure = "referrals_completed"')
    assert "target_percent is given for a count" in _refused(count)
    made = parse(count.replace("target_percent = 50\n", ""), "tcam.toml")
    assert made.headline.kind == "count" and made.target_percent is None
    rate = TCAM_TEXT.replace(
        'kind = "share"', 'kind = "rate"\nnumerator = "referrals_made"\ndenominator = "referrals_completed"'
    )
    assert "declare them as a [[pairs]] too" in _refused(rate)


def test_the_file_must_be_named_by_its_code():
    assert "name the file <code>.toml" in _refused(TCAM_TEXT, "/some/where/pincer.toml")


def _copy_definitions(tmp_path: Path) -> Path:
    folder = tmp_path / "programmes"
    shutil.copytree(DEFINITIONS, folder)
    return folder


def test_a_bad_definition_stops_start_up_naming_the_setting_file_and_field(tmp_path):
    folder = _copy_definitions(tmp_path)
    (folder / "tcam.toml").write_text(TCAM_TEXT.replace("big_change = 25", "big_change = 0"))
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"METRICS_PROGRAMMES": str(folder)})
    message = str(refused.value)
    assert message.startswith(f"Cannot start: METRICS_PROGRAMMES='{folder}' {folder}/tcam.toml: ")
    assert "headline.big_change is 0: it should be from 1" in message


def test_the_default_programme_must_be_one_of_the_definitions(tmp_path):
    folder = _copy_definitions(tmp_path)
    (folder / "tcam.toml").rename(folder / "other.toml")
    (folder / "other.toml").write_text(TCAM_TEXT.replace('code = "tcam"', 'code = "other"'))
    with pytest.raises(
        SettingsError,
        match="METRICS_PROGRAMME='tcam' is not a known programme .known: escape-pain, other, pincer, precept.",
    ):
        Settings.from_env({"METRICS_PROGRAMMES": str(folder)})
    chosen = Settings.from_env({"METRICS_PROGRAMMES": str(folder), "METRICS_PROGRAMME": "OTHER"})
    assert chosen.programme.code == "other" and chosen.programmes.default == chosen.programme


def test_an_empty_folder_is_refused(tmp_path):
    with pytest.raises(SettingsError, match="holds no programme definition"):
        Settings.from_env({"METRICS_PROGRAMMES": str(tmp_path)})


# ---- the reference list --------------------------------------------------------------------


def test_tcams_reference_list_holds_every_demo_trust_and_its_mergers():
    listed = reference.organisations(TCAM)
    returned = set()
    for path in (ROOT / "data" / "demo" / "returns" / "tcam").glob("*.csv"):
        with path.open(newline="") as f:
            returned |= {(r["ahsn"], r["trust_code"], r["trust_name"], r["trust_type"]) for r in csv.DictReader(f)}
    assert {(o.ahsn, o.code, o.name, o.type) for o in listed.organisations} == returned
    assert listed.is_demo and len(listed.ahsns) == 15
    # Manchester's three trusts merge into one in Q1 2019/20 (data/demo/README.md)
    merged = [o.code for o in listed.of_ahsn("Health Innovation Manchester") if o.successor]
    assert len(merged) == 3 and len({listed.successor(c).code for c in merged}) == 1
    assert listed.by_code(listed.current_code(merged[0])).is_current


@pytest.mark.parametrize(
    ("row", "said"),
    [
        ("Atlantis,DM999,Somewhere NHS Trust,acute,", "row 173, column ahsn: 'Atlantis' is not an AHSN"),
        ("KSS,D9,Somewhere NHS Trust,acute,", "row 173, column code: 'D9' is not the trust's ODS code"),
        ("KSS,DM999,Somewhere NHS Trust,hospice,", "row 173, column type: 'hospice' is not one of"),
        (
            "KSS,DM999,Somewhere NHS Trust,acute,DM998",
            "the successor of DM999, DM998, is not another organisation in the list",
        ),
        ("KSS,DM108,Somewhere NHS Trust,acute,", "code DM108 is listed twice"),
    ],
)
def test_a_bad_reference_list_stops_start_up_naming_file_row_and_column(tmp_path, row, said):
    folder = _copy_definitions(tmp_path)
    listed = folder / "tcam" / "organisations.csv"
    listed.write_text(listed.read_text() + row + "\n")
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"METRICS_PROGRAMMES": str(folder)})
    assert f"{listed}: " in str(refused.value) and said in str(refused.value)


def test_a_programme_from_another_folder_is_read_by_the_reading_child(tmp_path):
    """The child is handed the definition itself, so a programme from any folder reads its files."""
    from etl.reading.limits import ReadLimits
    from etl.validate import parse_returns

    folder = _copy_definitions(tmp_path)
    (folder / "tcam.toml").write_text(TCAM_TEXT.replace('words = "mental health"', 'words = "psychiatric"'))
    programme = Programmes.from_folder(folder)["tcam"]
    content = (
        b"quarter,ahsn,trust_code,trust_name,trust_type,adoption_level,referrals_made,referrals_completed\n"
        b"Q1 2019/20,KSS,RTH,A Trust,psychiatric,2,,\n"
    )
    parsed = parse_returns([("r.csv", content)], programme, ReadLimits(), today=None)[0]
    assert parsed.ok and parsed.records[0].trust_type == "mental_health"
    refused = parse_returns([("r.csv", content)], TCAM, ReadLimits(), today=None)[0]
    assert not refused.ok
