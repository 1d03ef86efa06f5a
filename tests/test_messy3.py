"""The third corpus of returns as NHS staff make them (issue 20, second pass; tests/fixtures/messy3/,
made by make_files.py with openpyxl and LibreOffice, on the demo data's trusts): each file is read
exactly as meant, every value read differently from how it was typed said, or refused with one
message naming the file, row, column and fix. Nothing is stored that the person did not mean."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from etl.problems import ReturnRejected
from etl.programmes import TCAM
from etl.quarters import Quarter
from etl.reading.limits import ReadLimits
from etl.reference import Reference
from etl.validate import ParsedReturn, check_against_store, parse_return

MESSY = Path(__file__).parent / "fixtures" / "messy3"
TODAY = dt.date(2026, 11, 22)


def parsed(name: str, content: bytes | None = None) -> ParsedReturn:
    return parse_return(
        name, content if content is not None else (MESSY / name).read_bytes(), TCAM, ReadLimits(), TODAY
    )


# ---- A. hidden columns ----------------------------------------------------------------------------

UNHIDE_COLUMNS = (
    "Show every column (select the whole sheet, right-click a column letter > Unhide), check what appears, "
    "delete any column you do not mean to send, save, and upload again"
)


@pytest.mark.parametrize("name", ["hidden-column.xlsx", "hidden-column.ods", "hidden-column.xls"])
def test_a_hidden_column_holding_anything_is_refused_naming_its_letter(name):
    """Excel's <col hidden>, LibreOffice's table:visibility on a table-column, an .xls's COLINFO."""
    result = parsed(name)
    assert [(p.row, p.column, p.message, p.fix) for p in result.problems] == [
        (
            1,
            None,
            "columns D ('Previous code'), I ('Referrals made Q2') are hidden in the sheet but hold something "
            "in rows 1-7, so what would be read is not what can be seen",
            UNHIDE_COLUMNS,
        )
    ]
    assert str(result.problems[0]).startswith(f"{name}, row 1: columns D")


def test_a_hidden_empty_column_is_nothing():
    result = parsed("hidden-empty-column.xlsx")
    assert result.ok and len(result.records) == 6
    assert [r.referrals_made for r in result.records] == [109, 228, 263, 353, 372, 391]


def _hiding(first: str, last: str, cells: dict[str, object]) -> bytes:
    """A return whose columns first to last are hidden in one <col min max hidden> (Excel
    groups neighbouring hidden columns so), with `cells` written over the rows."""
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(
        ["quarter", "ahsn", "trust_code", "trust_name", "adoption_level", "referrals_made", "referrals_completed"]
    )
    sheet.append(["Q3 2020/21", "West of England", "DM321", "Teaselstow", 4, 109, 70])
    for ref, value in cells.items():
        sheet[ref] = value
    sheet.column_dimensions.group(first, last, hidden=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_hidden_column_of_the_return_says_what_it_is_read_as():
    result = parsed("code.xlsx", _hiding("C", "D", {}))
    [problem] = result.problems
    assert problem.message == (
        "columns C ('trust_code', read as trust_code), D ('trust_name', read as trust_name) are hidden in the "
        "sheet but hold something in rows 1-2, so what would be read is not what can be seen"
    )


def test_a_hidden_column_holding_one_value_under_the_header_names_that_row():
    result = parsed("one.xlsx", _hiding("H", "J", {"I2": "old figure"}))
    assert [p.message for p in result.problems if "hidden" in p.message] == [
        "column I is hidden in the sheet but holds something in row 2, so what would be read is not what can be seen"
    ]
    assert parsed("none.xlsx", _hiding("H", "J", {})).ok


# ---- B. a trust that belongs to another AHSN --------------------------------------------------------


def _load(store, name: str, content: bytes | None = None):
    return store.load([(name, content or (MESSY / name).read_bytes())], TCAM, loaded_by="test", today=TODAY)


def test_another_ahsns_trust_is_refused_naming_its_ahsn(store):
    """KSS has not returned Q3 2020/21: before, nothing stopped West of England's return taking DM191."""
    with pytest.raises(ReturnRejected) as refused:
        _load(store, "other-ahsns-trust.csv")
    assert [(p.row, p.column, p.message) for p in refused.value.problems] == [
        (
            8,
            "trust_code",
            "trust DM191 is Dunnockford Teaching Hospitals NHS Trust, one of KSS's trusts in the reference list of "
            "TCAM trusts, not West of England's (KSS's return for Q2 2020/21 holds it)",
        )
    ]
    assert refused.value.problems[0].fix.startswith("Check the code: if the row is KSS's trust, delete it")


def test_one_ahsns_mistake_never_blocks_the_owner_s_correct_return(store, monkeypatch):
    """A mistaken return stored by a version without these checks (as this project's was: KSS had
    not returned Q3 2020/21, so nothing stopped it), then the owner's: the owner's is stored,
    warned that the trust is counted twice until the other return is corrected. Before, the
    owner's was the one refused."""
    import etl.store.returns

    monkeypatch.setattr(etl.store.returns, "check_against_store", lambda *args: None)
    _load(store, "other-ahsns-trust.csv")
    monkeypatch.undo()
    [accepted] = _load(store, "owners-return.csv")
    assert [w.message for w in accepted.warnings if w.column == "trust_code"] == [
        "trust DM191 (Dunnockford Teaching Hospitals NHS Trust) is also in West of England's return for Q3 2020/21, "
        "though the reference list of TCAM trusts puts it in KSS: until West of England corrects that return, the "
        "trust is counted in both"
    ]


HISTORY = ["trust_code", "ahsn", "first_quarter", "last_quarter"]
Q2_2020_21 = Quarter.parse("Q2 2020/21").index
Q3_2020_21 = Quarter.parse("Q3 2020/21").index


def _current(*rows) -> pd.DataFrame:
    return pd.DataFrame(
        [(a, q, c, "A trust", "acute", 4, 10) for a, q, c in rows],
        columns=["ahsn", "quarter_index", "trust_code", "trust_name", "trust_type", "adoption_level", "referrals_made"],
    )


def test_a_code_not_on_the_list_belongs_to_the_ahsn_that_returned_it_latest():
    """Any quarter, not only this one: ZZ191 was KSS's in Q2 2020/21, and KSS has not returned Q3."""
    content = (MESSY / "other-ahsns-trust.csv").read_bytes().replace(b"DM191", b"ZZ191")
    parsed_return = parsed("other.csv", content)
    history = pd.DataFrame([("ZZ191", "KSS", Q2_2020_21 - 4, Q2_2020_21)], columns=HISTORY)
    check_against_store(parsed_return, _current(), TCAM, history, Reference("tcam"))
    assert [(p.row, p.message) for p in parsed_return.problems] == [
        (8, "trust ZZ191 is KSS's: KSS's return for Q2 2020/21 holds it, and no return of West of England's ever has")
    ]
    # and the list decides where it speaks: the owner is never refused for another's stored row
    owners = parsed("owners-return.csv")
    check_against_store(
        owners,
        _current(("West of England", Q3_2020_21, "DM191")),
        TCAM,
        pd.DataFrame([("DM191", "West of England", Q3_2020_21, Q3_2020_21)], columns=HISTORY),
    )
    assert owners.ok and any("also in West of England's return" in w.message for w in owners.warnings)


def test_a_code_not_on_the_list_is_warned_of_once():
    result = parsed("new.csv", (MESSY / "owners-return.csv").read_bytes().replace(b"DM159", b"ZZ159"))
    check_against_store(result, _current(), TCAM, pd.DataFrame(columns=HISTORY))
    assert result.ok
    assert [w.message for w in result.warnings if w.column == "trust_code"] == [
        "trust ZZ159 is not in the reference list of TCAM trusts, so it cannot be checked that it is KSS's"
    ]


# ---- C. codes retired by a merger --------------------------------------------------------------------


def test_the_old_codes_of_a_merged_trust_are_refused_naming_the_successor(store):
    with pytest.raises(ReturnRejected) as refused:
        _load(store, "merged-old-codes.csv")
    [problem] = refused.value.problems
    assert (problem.where, problem.column, problem.message) == (
        "rows 7, 9",
        "trust_code",
        "Sloemoor Healthcare NHS Trust (DM485), Burdockford Hospitals NHS Foundation Trust (DM608) merged into "
        "Sloemoor and Burdockford University Hospitals NHS Foundation Trust (DM850), which has returned since Q1 2020/21: in "
        "Q3 2020/21 the merged trust is DM850, one trust",
    )
    assert problem.fix.startswith("Give one row for DM850 (Sloemoor and Burdockford")


def test_the_old_codes_are_right_before_the_merger():
    """A revision of Q4 2019/20, before DM850's first return: the two trusts were two then."""
    content = (MESSY / "merged-old-codes.csv").read_bytes().replace(b"Q3 2020/21", b"Q4 2019/20")
    result = parsed("before.csv", content)
    history = pd.DataFrame([("DM850", "Eastern", Q2_2020_21 - 1, Q2_2020_21)], columns=HISTORY)
    check_against_store(result, _current(), TCAM, history)
    assert result.ok and not [w for w in result.warnings if "merged" in w.message]


def test_a_merger_without_a_return_of_the_successor_is_warned_of():
    result = parsed("merged.csv", (MESSY / "merged-old-codes.csv").read_bytes())
    check_against_store(result, _current(), TCAM, pd.DataFrame(columns=HISTORY))
    assert result.ok
    assert [w.message for w in result.warnings if "merged" in w.message] == [
        "The reference list of TCAM trusts says Sloemoor Healthcare NHS Trust (DM485), Burdockford Hospitals NHS "
        "Foundation Trust (DM608) merged into Sloemoor and Burdockford University Hospitals NHS Foundation Trust (DM850), "
        "which has no return yet"
    ]


# ---- D. names without codes --------------------------------------------------------------------------


def test_names_without_codes_are_read_each_reading_shown(store):
    result = parsed("names-without-codes.xlsx")
    assert result.ok
    assert [r.trust_code for r in result.records] == ["DM321", "DM367", "DM380", "DM410", "DM528", "DM990"]
    assert [str(i) for i in result.interpretations] == [
        "trust_code: 'University Hospitals of Teaselstow' read as DM321 in row 2 (by its name: University "
        "Hospitals of Teaselstow NHS Foundation Trust)",
        "trust_code: 'Medlarhaven Teaching Hospitals NHS Trust' read as DM367 in row 3 (by its name: Medlarhaven "
        "Teaching Hospitals NHS Trust)",
        "trust_code: 'The Gannetfold General Hospital NHS Trust' read as DM380 in row 4 (by its name: Gannetfold "
        "General Hospital NHS Trust)",
        "trust_code: 'vetchfold healthcare' read as DM410 in row 5 (by its name: Vetchfold Healthcare NHS Trust)",
        "trust_code: 'Thistlehithe Healthcare NHS Trust' read as DM528 in row 6 (by its name: Thistlehithe "
        "Healthcare NHS Trust)",
        "trust_code: 'Gimlethaven Hospitals NHS FT' read as DM990 in row 7 (by its name: Gimlethaven Hospitals NHS "
        "Foundation Trust)",
    ]
    [accepted] = _load(store, "names-without-codes.xlsx")
    assert len(accepted.interpretations) == 6


def test_an_unknown_name_refuses_the_file_naming_its_row():
    result = parsed("names-some-unknown.csv")
    assert [(p.row, p.column, p.message) for p in result.problems] == [
        (
            4,
            "trust_code",
            "the row gives no trust code, and 'Gannetfold Hospital' is not the name of any of West of England's 6 "
            "trusts in the reference list",
        ),
        (
            5,
            "trust_code",
            "the row gives no trust code, and 'Quillstow Healthcare' is not the name of any of West of England's 6 "
            "trusts in the reference list (it is Innovation Agency's DM514, Quillstow Healthcare NHS Trust)",
        ),
    ]


def test_a_name_two_trusts_share_is_refused(tmp_path):
    """In-process, with a reference list of two trusts whose names differ only in their suffix."""
    import dataclasses

    from etl.reading.check import check_file

    (tmp_path / "tcam").mkdir()
    (tmp_path / "tcam" / "organisations.csv").write_text(
        "ahsn,code,name,type,successor\n"
        "Wessex,DM001,Royal Example Hospitals NHS Trust,acute,\n"
        "Wessex,DM002,Royal Example Hospitals NHS Foundation Trust,acute,\n"
        "Wessex,DM003,Example Community Health NHS Trust,community,\n"
    )
    programme = dataclasses.replace(TCAM, file=str(tmp_path / "tcam.toml"))  # its list beside it
    content = (
        b"quarter,ahsn,trust_name,adoption_level,referrals_made,referrals_completed\r\n"
        b"Q3 2020/21,Wessex,Royal Example Hospitals,4,10,5\r\n"
        b"Q3 2020/21,Wessex,example community health,2,,\r\n"
    )
    result = check_file("two.csv", content, programme, ReadLimits(), TODAY)
    assert [(p.row, p.message) for p in result.problems] == [
        (
            2,
            "'Royal Example Hospitals' could be any of DM001 (Royal Example Hospitals NHS Trust), DM002 (Royal "
            "Example Hospitals NHS Foundation Trust) in Wessex's list of trusts, and the row gives no code",
        )
    ]
    assert (
        "trust_code: 'example community health' read as DM003 in row 3 (by its name: Example Community Health NHS Trust)"
        in [str(i) for i in result.interpretations]
    )
