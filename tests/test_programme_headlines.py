"""Each programme's pages, downloads and report show its OWN headline, as its definition says:
PReCePT's rate (eligible mothers given magnesium sulphate, against 85%), ESCAPE-pain's count
(people completing, no flat target). The expected figures are summed here from the rows of the
demo returns themselves, not from the code under test; TCAM's share is tested elsewhere
(Table 8.1, byte for byte)."""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
from pathlib import Path

import pytest

from dashboard.presentation.national_table import cells
from etl import queries, report
from etl.programmes import Programmes, bundled
from etl.quarters import Quarter
from etl.queries import Database
from etl.store import Store
from tests.conftest import ROOT, make_app, settings_for

DEMO = ROOT / "data" / "demo" / "returns"
PROGRAMMES = {p.code: p for p in bundled()}
CODES = ["precept", "escape-pain"]


def _quarter(path: Path) -> Quarter:
    number, year = re.match(r"q([1-4])_(\d{4})_", path.name).groups()
    return Quarter.parse(f"Q{number} {year}/{(int(year) + 1) % 100:02d}")


@pytest.fixture(scope="module")
def two(tmp_path_factory) -> Path:
    """A store of PReCePT's, ESCAPE-pain's and PINCER's demo returns of their last two quarters, published."""
    demo = tmp_path_factory.mktemp("headline-demo")
    for code in [*CODES, "pincer"]:  # PINCER: a share, whose measures are not referrals
        source, target = DEMO / code, demo / code
        last = sorted({_quarter(p) for p in source.glob("q*.csv")})[-2:]
        target.mkdir(parents=True)
        for path in source.glob("q*.csv"):
            if _quarter(path) in last:
                shutil.copy(path, target / path.name)
        (target / "published.txt").write_text("".join(f"{q.label}\n" for q in last))
    root = tmp_path_factory.mktemp("headline-store")
    Store.from_settings(settings_for(root, METRICS_DEMO_RETURNS=str(demo), METRICS_DEMO_TRAJECTORIES="none")).ensure()
    return root


def _rows(code: str, ahsn_slug: str, quarter: Quarter) -> list[dict]:
    """The demo return's rows as written (the counted types only), read here with csv."""
    name = f"q{quarter.label[1]}_{quarter.label[3:7]}_{int(quarter.label[3:7]) % 100 + 1:02d}_{ahsn_slug}.csv"
    text = (DEMO / code / name).read_text()
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    counted = {t.key for t in PROGRAMMES[code].organisation_types if t.counts}
    return [r for r in csv.DictReader(lines) if r.get("trust_type", "").strip() in counted or not r.get("trust_type")]


def _expected(code: str, quarter: Quarter) -> dict[str, tuple[int, int | None]]:
    """Per AHSN (its name as the returns write it) with a return for the quarter: a rate's
    (numerator, denominator), or a count's (count, None), summed from the demo files' rows."""
    programme, out = PROGRAMMES[code], {}
    stem = f"q{quarter.label[1]}_{quarter.label[3:7]}_{int(quarter.label[3:7]) % 100 + 1:02d}_"
    for path in sorted((DEMO / code).glob(stem + "*.csv")):
        rows = _rows(code, path.name[len(stem) : -4], quarter)
        if programme.headline.kind == "rate":
            out[rows[0]["ahsn"]] = (
                _sum(rows, programme.headline.numerator),
                _sum(rows, programme.headline.denominator),
            )
        else:
            out[rows[0]["ahsn"]] = (_sum(rows, programme.headline.measure), None)
    return out


def _percent(top: int, bottom: int) -> int:
    return (200 * top + bottom) // (2 * bottom)


def _sum(rows: list[dict], column: str) -> int:
    return sum(int(r[column]) for r in rows if r.get(column, "").strip())


def _latest(code: str) -> Quarter:
    return sorted({_quarter(p) for p in (DEMO / code).glob("q*.csv")})[-1]


def _text(response) -> str:
    body = re.sub(r"<script.*?</script>|<template.*?</template>|<style.*?</style>", " ", response.text, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


class _ProgrammeClient:
    """A test client asking for the programme's own addresses: get('/ahsn/kss') is /<code>/ahsn/kss."""

    def __init__(self, client, code: str) -> None:
        self.client, self.code = client, code

    def get(self, path: str, **kwargs):
        return self.client.get(f"/{self.code}{path}", **kwargs)


def _client(root: Path, code: str):
    return _ProgrammeClient(make_app(settings_for(root)).server.test_client(), code)


def test_the_headline_query_matches_the_returns_rows(two):
    """The figures the pages show (queries.headlines) are the returns' own sums: KSS's latest."""
    db = Database(Store.from_settings(settings_for(two)))
    for code in CODES:
        programme, q = PROGRAMMES[code], _latest(code)
        rows = _rows(code, "kss", q)
        h = queries.headlines(db, programme, [q.index]).set_index("ahsn").loc["KSS"]
        if programme.headline.kind == "rate":
            top, bottom = _sum(rows, programme.headline.numerator), _sum(rows, programme.headline.denominator)
            assert (int(h["numerator"]), int(h["denominator"])) == (top, bottom)
            assert int(h["value"]) == (200 * top + bottom) // (2 * bottom)
        else:
            assert int(h["value"]) == _sum(rows, programme.headline.measure)


def _quarters(code: str) -> tuple[Quarter, Quarter]:
    earlier, later = sorted({_quarter(p) for p in (DEMO / code).glob("q*.csv")})[-2:]
    return earlier, later


def _row_cells(page: str, ahsn: str) -> list[tuple[str, str]]:
    """The national table's cells of one row: (data-value, the cell's words)."""
    row = re.search(rf">{re.escape(ahsn)}</a></th>(.*?)</tr>", page, re.S).group(1)
    return [
        (value, _text_of(cell))
        for value, cell in re.findall(r'<td[^>]*data-value="([^"]*)"[^>]*>(.*?)</td>', row, re.S)
    ]


def _text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def test_precepts_national_table_shows_each_ahsns_rate_and_englands(two):
    earlier, later = _quarters("precept")
    before, now = _expected("precept", earlier), _expected("precept", later)
    client = _client(two, "precept")
    page = client.get(f"/?quarters={earlier.label},{later.label}").get_data(as_text=True)
    top, bottom = now["KSS"]
    rate, was = _percent(top, bottom), _percent(*before["KSS"])
    cells = _row_cells(page, "KSS")
    assert cells[1][0] == str(rate) and cells[1][1].startswith(f"{rate}%")
    assert f"{top} of {bottom} eligible mothers given magnesium sulphate in {later.label}" in cells[1][1]
    assert cells[2][0] == str(rate - was)  # the change, in percentage points
    assert "percentage point" in cells[2][1]
    assert f'data-style="{"at-target" if rate >= 85 else "below"}"' in page
    england = _percent(sum(t for t, _ in now.values()), sum(b for _, b in now.values()))
    total = re.search(r"England.*?\(Total\).*?</th>(.*?)</tr>", page, re.S).group(1)
    assert f'data-value="{england}"' in total
    text = _text(client.get("/"))
    assert "National target: 85% of each AHSN's eligible mothers given magnesium sulphate" in text
    assert "Adoption rate" not in text


def test_escape_pains_national_table_shows_each_ahsns_count_with_no_made_up_target(two):
    earlier, later = _quarters("escape-pain")
    before, now = _expected("escape-pain", earlier), _expected("escape-pain", later)
    page = _client(two, "escape-pain").get(f"/?quarters={earlier.label},{later.label}").get_data(as_text=True)
    count, was = now["KSS"][0], before["KSS"][0]
    cells = _row_cells(page, "KSS")
    assert cells[1][0] == str(count) and f"{count:,} people completing in {later.label}" in cells[1][1]
    assert cells[2][0] == str(count - was) and " people from " in cells[2][1]
    assert 'data-style="below"' not in page and 'data-style="at-target"' not in page
    total = re.search(r"England.*?\(Total\).*?</th>(.*?)</tr>", page, re.S).group(1)
    assert f'data-value="{sum(c for c, _ in now.values())}"' in total
    assert "%" not in "".join(text for _, text in cells)


def test_the_ahsn_page_leads_with_the_headline(two):
    later = _quarters("precept")[1]
    top, bottom = _expected("precept", later)["KSS"]
    rate = _percent(top, bottom)
    text = _text(_client(two, "precept").get("/ahsn/kss"))
    status = "at or above" if rate >= 85 else "below"
    assert (
        f"In {later.label}, {rate}% in KSS: {top} of {bottom} eligible mothers given magnesium sulphate, "
        f"{status} the national aim of 85%"
    ) in text
    assert "Eligible mothers given magnesium sulphate over time" in text
    later = _quarters("escape-pain")[1]
    count = _expected("escape-pain", later)["KSS"][0]
    text = _text(_client(two, "escape-pain").get("/ahsn/kss"))
    assert f"In {later.label}, KSS had {count:,} people completing, with no national target" in text
    assert "must adopt to reach" not in text and "Referrals" not in text


def test_the_organisation_table_shows_the_programmes_own_measures(two):
    for code, heads in (
        ("precept", ["Eligible mothers", "Mothers given magnesium sulphate"]),
        ("escape-pain", ["People starting", "People completing"]),
        ("pincer", ["Patients at risk at baseline", "Patients at risk at 6 months"]),
    ):
        client = _client(two, code)
        table = re.search(
            r'<table[^>]*id="ahsn-trusts".*?</thead>', client.get("/ahsn/kss").get_data(as_text=True), re.S
        )
        said = _text_of(table.group(0))
        assert all(h in said for h in heads) and "Referrals" not in said, said
        rows = list(
            csv.DictReader(io.StringIO(client.get("/download/ahsn/kss.csv").get_data(as_text=True).lstrip("\ufeff")))
        )
        assert "Referrals made" not in rows[0]
        expected = _rows(code, "kss", _quarters(code)[1])
        for head, measure in zip(heads, PROGRAMMES[code].measures):
            assert sum(int(r[head]) for r in rows if r[head]) == _sum(expected, measure.key)


def test_downloads_and_the_report_carry_the_same_numbers(two):
    db = Database(Store.from_settings(settings_for(two)))
    for code in CODES:
        programme, (earlier, later) = PROGRAMMES[code], _quarters(code)
        expected = _expected(code, later)
        client = _client(two, code)
        rows = {
            r["AHSN"]: r
            for r in csv.DictReader(
                io.StringIO(
                    client.get(f"/download/national.csv?quarters={earlier.label},{later.label}")
                    .get_data(as_text=True)
                    .lstrip("\ufeff")
                )
            )
        }
        compare = [
            r
            for r in csv.DictReader(
                io.StringIO(client.get("/download/compare.csv").get_data(as_text=True).lstrip("\ufeff"))
            )
            if r["AHSN"] == "KSS" and r["Quarter"] == later.label
        ][0]
        top, bottom = expected["KSS"]
        name = "Eligible mothers given magnesium sulphate (%)" if bottom else "People completing"
        figure = _percent(top, bottom) if bottom else top
        assert rows["KSS"][f"{name} {later.label}"] == str(figure)
        assert compare[name] == str(figure)
        if bottom:
            assert rows["KSS"][f"Eligible mothers {later.label}"] == str(bottom)
            assert compare["Mothers given magnesium sulphate"] == str(top)
        report_rows = {
            r["ahsn"]: r
            for r in csv.DictReader(io.StringIO(report.to_csv(report.national_table(db, programme, [earlier, later]))))
        }
        assert report_rows["KSS"][later.key] == str(figure)


def test_the_definitions_say_how_the_headline_is_made(two):
    text = _text(_client(two, "precept").get("/definitions"))
    assert "The mothers given magnesium sulphate as a percentage of the eligible mothers" in text
    assert "An AHSN's rate" not in text
    text = _text(_client(two, "escape-pain").get("/definitions"))
    assert "The people completing in the quarter, summed over the sites" in text


def test_a_figure_is_marked_against_the_ahsns_own_trajectory_in_its_own_units(two):
    db = Database(Store.from_settings(settings_for(two)))
    for code in CODES:
        programme, later = PROGRAMMES[code], _quarters(code)[1]
        top, bottom = _expected(code, later)["KSS"]
        figure = _percent(top, bottom) if bottom else top
        table = report.national_table(db, programme, [later])
        rows = {
            facts["ahsn"]: row
            for facts, row in cells(table, programme, {("KSS", later): figure + 1, ("Wessex", later): None})
        }
        kss = rows["KSS"][0]
        assert (kss.style, kss.target, kss.on, kss.value) == ("behind-trajectory", figure + 1, False, figure)
        unit = "percentage points" if bottom else programme.headline.unit
        assert (
            f"Behind its trajectory of {figure + 1:,}{'%' if bottom else ''} for {later.label}: 1 {unit}" in kss.detail
        )
        assert rows["Wessex"][0].style == "no-trajectory" and rows["Total"][0].style == "no-trajectory"


def test_a_return_with_none_to_divide_by_is_a_return_without_a_percentage(tmp_path):
    """A maternity unit's return with no eligible mothers: not 'no return', and never 0%."""
    programme = PROGRAMMES["precept"]
    store = Store(tmp_path / "store", programmes=Programmes.from_folder(ROOT / "data" / "programmes"))
    store.ensure()
    header = "quarter,ahsn,trust_code,trust_name,trust_type,adoption_level,eligible_mothers,mothers_given_magnesium_sulphate\n"
    store.load(
        [("r.csv", (header + "Q2 2020/21,KSS,MU174,Flagonhaven,maternity_unit,3,0,0\n").encode())],
        programme,
        loaded_by="test",
    )
    db = Database(store)
    q = Quarter.parse("Q2 2020/21")
    kss = next(
        row for facts, row in cells(report.national_table(db, programme, [q]), programme) if facts["ahsn"] == "KSS"
    )
    assert kss[0].text == "no eligible mothers" and kss[0].value is None
    assert "KSS's return for Q2 2020/21 has no eligible mothers" in kss[0].detail


def test_the_figures_as_first_published_are_the_headline_too(two):
    """Nothing revised since: the table as first published (?figures=first-published) is the table now."""
    db = Database(Store.from_settings(settings_for(two)))
    for code in CODES:
        programme, quarters = PROGRAMMES[code], list(_quarters(code))
        now = report.national_table(db, programme, quarters).frame
        first = report.national_table(db, programme, quarters, first_published=True).frame
        assert now.equals(first)
        assert now[quarters[1].key].notna().sum() == len(_expected(code, quarters[1])) + 1  # and England
