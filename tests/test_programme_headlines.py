"""Each programme's pages, downloads and report show its OWN headline, as its definition says:
PReCePT's rate (eligible mothers given magnesium sulphate, against 85%), ESCAPE-pain's count
(people completing, no flat target). The expected figures are summed here from the rows of the
demo returns themselves, not from the code under test; TCAM's share is tested elsewhere
(Table 8.1, byte for byte)."""

from __future__ import annotations

import csv
import html
import re
import shutil
from pathlib import Path

import pytest

from etl import queries
from etl.programmes import bundled
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
    """A store of PReCePT's and ESCAPE-pain's demo returns of their last two quarters, published."""
    demo = tmp_path_factory.mktemp("headline-demo")
    for code in CODES:
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


def _sum(rows: list[dict], column: str) -> int:
    return sum(int(r[column]) for r in rows if r.get(column, "").strip())


def _latest(code: str) -> Quarter:
    return sorted({_quarter(p) for p in (DEMO / code).glob("q*.csv")})[-1]


def _text(response) -> str:
    body = re.sub(r"<script.*?</script>|<template.*?</template>|<style.*?</style>", " ", response.text, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def _client(root: Path, code: str):
    return make_app(settings_for(root, METRICS_PROGRAMME=code)).server.test_client()


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
