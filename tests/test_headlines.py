"""Each programme's headline per AHSN and quarter, made in SQL as its definition says: a share,
a rate or a count."""

from __future__ import annotations

import shutil

import pandas as pd

from etl import queries, words
from etl.programmes import TCAM, Programmes
from etl.quarters import Quarter
from etl.queries import Database
from etl.store import Store
from tests.conftest import ROOT

HEADER = "quarter,ahsn,trust_code,trust_name,trust_type,adoption_level,referrals_made,referrals_completed\n"


def test_tcams_headline_is_its_adoption_rate_exactly(db):
    headlines = queries.headlines(db, TCAM)
    rates = queries.ahsn_rates(db, TCAM)
    assert len(headlines) == 15 * 10 and list(headlines.columns)[:4] == ["ahsn", "slug", "quarter_index", "quarter"]
    merged = headlines.merge(rates, on=["ahsn", "quarter_index"], how="left")
    assert (merged["value"].astype("Int64") == merged["rate_percent"].astype("Int64")).all()
    assert (merged["numerator"] == merged["adopted_trusts"]).all()
    assert (merged["denominator"] == merged["counted_trusts"]).all()
    assert merged["published"].all()
    assert (merged["at_target"] == (merged["rate_percent"] >= 50)).all()
    q3 = headlines[headlines["quarter"] == "Q3 2019/20"].set_index("ahsn")
    assert q3.loc["West of England", "value"] == 50
    assert words.headline(TCAM, *q3.loc["KSS", ["value", "numerator", "denominator"]]) == "30% (3 of 10 acute trusts)"


def test_quarters_without_a_return_are_rows_without_a_figure(db):
    later = Quarter.parse("Q4 2020/21").index
    frame = queries.headlines(db, TCAM, [later])
    assert len(frame) == 15 and frame["value"].isna().all() and frame["at_target"].isna().all()
    assert not frame["published"].any() and set(frame["quarter"]) == {"Q4 2020/21"}
    assert words.headline(TCAM, pd.NA, pd.NA, pd.NA) == "no return"


def _folder_with(tmp_path, kind_lines: str):
    """The shipped definitions with a made-up programme whose return has TCAM's columns but
    whose headline is another kind."""
    folder = tmp_path / "programmes"
    shutil.copytree(ROOT / "data" / "programmes", folder)
    text = (folder / "tcam.toml").read_text().replace('code = "tcam"', 'code = "made-up"')
    start = text.index("[headline]")
    end = text.index("[trajectories]")
    (folder / "made-up.toml").write_text(text[:start] + kind_lines + text[end:])
    shutil.copytree(folder / "tcam", folder / "made-up")
    return Programmes.from_folder(folder)


def _store_with(tmp_path, programmes, code, rows: str) -> tuple[Store, Database]:
    store = Store(tmp_path / "store", programmes=programmes)
    store.ensure()
    store.load([("r.csv", (HEADER + rows).encode())], programmes[code], loaded_by="test")
    return store, Database(store)


def test_a_rate_headline_is_the_sum_of_one_measure_over_another(tmp_path):
    programmes = _folder_with(
        tmp_path,
        '[headline]\nkind = "rate"\nnumerator = "referrals_completed"\ndenominator = "referrals_made"\n'
        'words = "referrals completed"\nunit = "percent"\ntarget_percent = 85\nbig_change = 10\n\n',
    )
    rate = programmes["made-up"]
    store, db = _store_with(
        tmp_path,
        programmes,
        "made-up",
        "Q1 2019/20,KSS,RTH,A Trust,acute,4,200,172\n"
        "Q1 2019/20,KSS,RTJ,B Trust,acute,4,3,3\n"
        "Q1 2019/20,KSS,RTK,C Trust,community,4,1000,0\n",  # not a counted type: not in the rate
    )
    try:
        frame = queries.headlines(db, rate).set_index("ahsn")
        kss = frame.loc["KSS"]
        assert (kss["value"], kss["numerator"], kss["denominator"]) == (86, 175, 203)
        assert kss["at_target"] == True  # noqa: E712 (pandas' boolean)
        assert words.headline(rate, kss["value"], kss["numerator"], kss["denominator"]) == (
            "86% (175 of 203 referrals made)"
        )
        assert frame["value"].isna().sum() == 14
        assert queries.headlines(db, TCAM).empty  # one programme's return is not another's
    finally:
        db.close()


def test_a_count_headline_is_the_sum_of_one_measure_judged_by_the_trajectory(tmp_path):
    programmes = _folder_with(
        tmp_path,
        '[headline]\nkind = "count"\nmeasure = "referrals_completed"\nwords = "people completing"\n'
        'unit = "people"\nbig_change = 100\n\n',
    )
    count = programmes["made-up"]
    store, db = _store_with(
        tmp_path,
        programmes,
        "made-up",
        "Q1 2019/20,KSS,RTH,A Trust,acute,4,1200,1000\nQ1 2019/20,KSS,RTJ,B Trust,acute,4,300,234\n"
        "Q1 2019/20,KSS,RTK,C Trust,acute,4,,\n",
    )
    try:
        kss = queries.headlines(db, count).set_index("ahsn").loc["KSS"]
        assert (kss["value"], kss["numerator"]) == (1234, 1234) and pd.isna(kss["denominator"])
        assert pd.isna(kss["at_target"])  # no trajectory yet: no target to be at
        assert words.headline(count, kss["value"]) == "1,234 people completing"
    finally:
        db.close()
