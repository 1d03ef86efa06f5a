"""Every programme shipped, shown by the dashboard (METRICS_PROGRAMME): each page answers and
speaks of the programme's own organisations, with its own target, and says its demo data are
illustrative. The store holds all four programmes' demo data, cut to their last two quarters
so that it builds in seconds (the whole demo is `python -m etl init`'s)."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from etl.programmes import bundled
from etl.quarters import Quarter
from etl.store import Store
from tests.conftest import ROOT, make_app, settings_for

DEMO = ROOT / "data" / "demo" / "returns"
PROGRAMMES = {p.code: p for p in bundled()}
PAGES = ["/", "/ahsn/kss", "/compare", "/definitions", "/ahsn", "/trajectories", "/history", "/upload"]
DOWNLOADS = ["/download/national.csv", "/download/trusts.csv", "/download/ahsn/kss.csv", "/download/compare.csv"]


def _quarter(path: Path) -> Quarter:
    """A demo file's quarter, from its name: q2_2020_21_kss.csv -> Q2 2020/21."""
    number, year = re.match(r"q([1-4])_(\d{4})_", path.name).groups()
    return Quarter.parse(f"Q{number} {year}/{(int(year) + 1) % 100:02d}")


def _last_two_quarters(source: Path, target: Path) -> None:
    """A programme's demo returns of its last two quarters, both published."""
    last = sorted({_quarter(p) for p in source.glob("q*.csv")})[-2:]
    target.mkdir(parents=True)
    for path in source.glob("q*.csv"):
        if _quarter(path) in last:
            shutil.copy(path, target / path.name)
    (target / "published.txt").write_text("".join(f"{q.label}\n" for q in last))


@pytest.fixture(scope="module")
def four(tmp_path_factory) -> Path:
    demo = tmp_path_factory.mktemp("four-demo")
    for code in PROGRAMMES:
        _last_two_quarters(DEMO / code, demo / code)
    root = tmp_path_factory.mktemp("four-store")
    Store.from_settings(settings_for(root, METRICS_DEMO_RETURNS=str(demo), METRICS_DEMO_TRAJECTORIES="none")).ensure()
    return root


def _text(response) -> str:
    """The page's words as a reader sees them (scripts, styles and tags left out)."""
    body = re.sub(r"<script.*?</script>|<template.*?</template>|<style.*?</style>", " ", response.text, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.mark.parametrize("code", sorted(PROGRAMMES))
def test_every_page_answers_and_names_the_programmes_organisations(four, code):
    programme = PROGRAMMES[code]
    client = make_app(settings_for(four, METRICS_PROGRAMME=code)).server.test_client()
    texts = {}
    for path in PAGES + DOWNLOADS:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        texts[path] = _text(response)
    national, ahsn, definitions = texts["/"], texts["/ahsn/kss"], texts["/definitions"]
    plural, one = programme.organisations, programme.organisation
    assert f"{programme.short_name} adoption by AHSN" in national
    assert f"every {one} row behind it" in national
    assert f"{plural[0].upper()}{plural[1:]} in the " in ahsn and "return" in ahsn
    assert f"Each AHSN reports every {one}'s level each quarter." in definitions
    assert f"{one[0].upper()}{one[1:]} code" in texts["/download/trusts.csv"]
    assert "Demo data." in national and programme.demo_note in national
    assert "None%" not in " ".join(texts.values())
    if programme.target_percent is not None:
        assert f"National target: {programme.target_percent}% of each AHSN's" in national
    else:
        assert f"{programme.short_name} has no national target for it" in national
    if code != "tcam":  # another programme never speaks of TCAM's trusts on its national and definitions pages
        for page in (national, definitions):
            assert not re.search(r"\btrusts?\b|\bTCAM\b", page, re.I), re.findall(r".{60}\btrusts?\b.{20}", page)
