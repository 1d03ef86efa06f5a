"""Every programme shipped, shown by the dashboard (METRICS_PROGRAMME): each page answers and
speaks of the programme's own organisations, with its own target, and says its demo data are
illustrative. The store holds all four programmes' demo data, cut to their last two quarters
so that it builds in seconds (the whole demo is `python -m etl init`'s)."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest

from etl.programmes import bundled
from etl.quarters import Quarter
from etl.queries import Database, published_headlines
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
    return _words(response.text)


def _words(page: str) -> str:
    body = re.sub(r"<script.*?</script>|<template.*?</template>|<style.*?</style>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _main(response) -> str:
    """The page's words without the header's links to every programme (they name each one)."""
    body = re.sub(r'<nav[^>]*class="shell-programmes".*?</nav>', " ", response.text, flags=re.S)
    return _words(body)


@pytest.mark.parametrize("code", sorted(PROGRAMMES))
def test_every_page_answers_and_names_the_programmes_organisations(four, code):
    programme = PROGRAMMES[code]
    client = make_app(settings_for(four)).server.test_client()  # one app serves every programme
    texts = {}
    for path in PAGES + DOWNLOADS:
        response = client.get(f"/{code}{path}")
        assert response.status_code == 200, (path, response.status_code)
        texts[path] = _main(response) if path in PAGES else _text(response)
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


def test_old_addresses_lead_to_the_default_programmes_pages(four):
    client = make_app(settings_for(four)).server.test_client()
    for old, new in [
        ("/compare", "/tcam/compare"),
        ("/definitions", "/tcam/definitions"),
        ("/?quarters=Q1%202020/21", "/tcam/?quarters=Q1%202020/21"),
        ("/ahsn/kss?quarter=Q1%202020/21", "/tcam/ahsn/kss?quarter=Q1%202020/21"),
        ("/pathways?quarter=Q2%202020/21", "/tcam/pathways?quarter=Q2%202020/21"),
    ]:
        response = client.get(old)
        assert (response.status_code, response.headers["Location"]) == (302, new), old
        assert client.get(new).status_code == 200, new
    # another default programme: the old addresses lead to its pages
    other = make_app(settings_for(four, METRICS_PROGRAMME="pincer")).server.test_client()
    assert other.get("/compare").headers["Location"] == "/pincer/compare"
    # a programme's address without its slash gains one; an unknown code is no programme
    assert client.get("/precept?quarters=Q1%202020/21").headers["Location"] == "/precept/?quarters=Q1%202020/21"
    unknown = client.get("/nosuch/compare").text  # Dash's own "page not found", under no programme
    assert _dash_config(unknown)["requests_pathname_prefix"] == "/" and "Compare regions</h1>" not in unknown
    # the endpoints that are not pages keep working where they were, for TCAM
    assert client.get("/download/national.csv").data == client.get("/tcam/download/national.csv").data


def _dash_config(page: str) -> dict:
    return json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', page).group(1))


def _headline_cells(text: str) -> list[str]:
    return re.findall(r'class="overview-cell cell-([a-z-]+)"', text)


def test_the_overview_shows_every_programmes_latest_published_headline(four):
    client = make_app(settings_for(four)).server.test_client()
    response = client.get("/")
    assert response.status_code == 200
    page = html.unescape(response.text)
    db = Database(Store.from_settings(settings_for(four)))
    for code, programme in PROGRAMMES.items():
        frame = published_headlines(db, programme, last=1)
        kss = frame.set_index("ahsn").loc["KSS"]
        figure = f"{int(kss['value']):,}" if programme.headline.kind == "count" else f"{int(kss['value'])}%"
        # each cell leads to that programme's page on the AHSN, and says what its figure is made of
        cell = re.search(
            rf'<a[^>]*aria-label="KSS, {re.escape(programme.short_name)}: ([^"]*)"[^>]*href="/{code}/ahsn/kss"', page
        ) or re.search(
            rf'<a[^>]*href="/{code}/ahsn/kss"[^>]*aria-label="KSS, {re.escape(programme.short_name)}: ([^"]*)"', page
        )
        assert cell, code
        assert cell.group(1).startswith(figure), (code, cell.group(1), figure)
        at = frame["at_target"].dropna()
        count = f"{int(at.sum())} of {len(at)}" if len(at) else "no targets set"
        assert count in _text(response), (code, count)
    assert len(_headline_cells(response.text)) == 15 * len(PROGRAMMES)
    # a mark beside every colour of a judged cell, never colour alone
    for style, mark in (("at-target", "✓"), ("below", "○")):
        for cell in re.findall(rf'class="overview-cell cell-{style}".*?</td>', page, flags=re.S):
            assert mark in cell


def test_each_ahsn_has_a_portfolio_of_every_programme(four):
    client = make_app(settings_for(four)).server.test_client()
    response = client.get("/ahsn/wessex")
    assert response.status_code == 200
    text = _text(response)
    assert "Every national programme Wessex spreads" in text
    for code, programme in PROGRAMMES.items():
        assert f'href="/{code}/ahsn/wessex"' in response.text, code
        assert programme.name in text
    assert re.search(r"(up|down) [\d,]+ (points|people) since|no change since", text)
    # each programme's page for the AHSN leads back to it
    assert 'href="/ahsn/wessex"' in client.get("/precept/ahsn/wessex").text
    assert client.get("/ahsn/nowhere").status_code == 200 and "AHSN not found" in _text(client.get("/ahsn/nowhere"))


def test_a_programmes_pages_link_within_it_and_its_callbacks_answer_for_it(four):
    client = make_app(settings_for(four)).server.test_client()
    page = client.get("/precept/compare").text
    links = re.findall(r'href="(/[^"]*)"', page)
    inside = [
        h
        for h in links
        if not h.startswith(
            ("/assets/", "/_dash", "/_favicon", "/signin", "/ahsn/", "/tcam/", "/escape-pain/", "/pincer/")
        )
    ]
    assert inside and all(h == "/" or h.startswith("/precept/") for h in inside), inside
    # Dash is told the prefix, so its layout and callbacks are asked for under it
    assert _dash_config(page)["requests_pathname_prefix"] == "/precept/"
    layout = client.get("/precept/_dash-layout").get_json()
    assert '"PReventing Cerebral palsy in PreTerm labour (PReCePT)"' in json.dumps(layout)
    # the pages' router, asked from a PReCePT address, lays out PReCePT's page
    body = {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": "/precept/ahsn/kss"},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "changedPropIds": ["_pages_location.pathname"],
    }
    answer = client.post("/precept/_dash-update-component", json=body)
    assert answer.status_code == 200, answer.text[:300]
    assert "maternity units" in answer.text and "acute trusts" not in answer.text


def test_each_programme_has_its_own_shared_first_paint(four):
    client = make_app(settings_for(four)).server.test_client()
    for _ in range(2):  # the second answer of each is the shared one
        tcam, precept = client.get("/tcam/ahsn/kss").text, client.get("/precept/ahsn/kss").text
        assert "acute trusts" in tcam and "maternity units" not in _words(tcam)
        assert "maternity units" in precept


def test_a_programme_may_not_take_an_address_the_app_uses():
    from dashboard.addresses import ProgrammePrefix

    with pytest.raises(ValueError, match="compare"):
        ProgrammePrefix(lambda e, s: [], ["tcam", "compare"])


def test_a_submitter_stores_only_for_the_programmes_granted_them(four, tmp_path):
    """Roles per programme at the programme's own address: a Wessex submitter granted TCAM only
    is refused PINCER's upload (and nothing is stored); one granted both stores it."""
    import io

    from etl.users import Users
    from tests.upload_helpers import PASSWORD, sign_in

    root = tmp_path / "store"
    shutil.copytree(four, root)
    users = Users(root)
    users.add("wessex-tcam", PASSWORD, "ahsn", "Wessex", programmes=["tcam"])
    users.add("wessex-both", PASSWORD, "ahsn", "Wessex", programmes=["tcam", "pincer"])
    latest = sorted(DEMO.joinpath("pincer").glob("q*_wessex.csv"), key=_quarter)[-1]
    # a correction of Wessex's latest PINCER return: one practice more taking part
    lines = latest.read_text().splitlines()
    store = Store.from_settings(settings_for(root))
    before = len(store.events())

    def upload(name: str):
        client = make_app(settings_for(root)).server.test_client()
        csrf = sign_in(client, "", name)
        data = {"file": (io.BytesIO("\n".join(lines).encode() + b"\n"), latest.name), "csrf_token": csrf}
        return client.post("/pincer/upload/commit", data=data)

    refused = upload("wessex-tcam")
    assert refused.status_code == 403, refused.text[:300]
    assert len(store.events()) == before
    stored = upload("wessex-both")
    assert stored.status_code in (200, 201, 202), stored.text[:300]
    assert len(store.events()) == before + 1
    assert store.events()[-1].programme == "pincer"
