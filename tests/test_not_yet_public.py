"""What is not yet public is seen only by those allowed (issue 22, item 5): provisional figures,
the comments kept with returns, and an AHSN's last return in its template. Asked of every role
on pages and downloads, with the settings that open them to everyone.

The store: the upload seed, Wessex's Q2 2020/21 with a comment on one trust, Q1 and Q2 2020/21
signed off (published); then Wessex's Q3 2020/21, with a comment, not signed off (provisional).
"""

from __future__ import annotations

import csv
import io
import shutil

import pytest
from upload_helpers import PASSWORD, build_seed_store, csrf_from, fixture_bytes

from dashboard.presentation.views import AhsnView
from etl import report
from etl.programmes import TCAM
from etl.quarters import Quarter
from etl.queries import Database
from etl.store import Store
from tests.conftest import make_app, settings_for

ROLES = ("anonymous", "own", "other", "national")
ACCOUNT = {"own": "wessex", "other": "kss", "national": "nat"}
PUBLISHED_NOTE = "checked with the chief pharmacist"
PROVISIONAL_NOTE = "waiting for the new system"
NEED_SIGNIN = "Provisional figures need signing in"


def _with_comment(content: bytes, quarter: str, note: str) -> bytes:
    rows = list(csv.reader(io.StringIO(content.decode())))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*rows[0], "comment"])
    for i, row in enumerate(rows[1:]):
        writer.writerow([quarter, *row[1:], note if i == 0 else ""])
    return out.getvalue().encode()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    root = tmp_path_factory.mktemp("not-yet-public") / "store"
    store = build_seed_store(root)
    good = fixture_bytes("wessex-good.csv")  # Wessex, Q2 2020/21
    store.load([("wessex-q2.csv", _with_comment(good, "Q2 2020/21", PUBLISHED_NOTE))], TCAM)
    store.sign_off(TCAM, Quarter.parse("Q1 2020/21"))
    store.sign_off(TCAM, Quarter.parse("Q2 2020/21"))
    later = _with_comment(good, "Q3 2020/21", PROVISIONAL_NOTE).replace(b"acute,4,12", b"acute,5,12")
    store.load([("wessex-q3.csv", later)], TCAM)
    store.make_current()
    return root


def client_for(root, role: str, **env: str):
    client = make_app(settings_for(root, **env)).server.test_client()
    if role != "anonymous":
        csrf = csrf_from(client.get("/signin").text)
        signed = client.post("/signin", data={"name": ACCOUNT[role], "password": PASSWORD, "csrf_token": csrf})
        assert signed.status_code == 303
    return client


@pytest.fixture(scope="module")
def clients(seeded):
    return {role: client_for(seeded, role) for role in ROLES}


def _json(client, address: str) -> dict:
    response = client.get(address)
    assert response.status_code == 200, (address, response.text[:300])
    return response.json


# (address, what shows the thing not yet public is there, whether each role sees it)
SEES = [
    # provisional figures: the national table and its downloads, every AHSN's at once: the national team
    ("/tcam/?provisional=1", "provisional: 1 of 15 AHSNs has returned", (False, False, False, True)),
    ("/tcam/compare?provisional=1", "Provisional figures included", (False, False, False, True)),
    ("/download/national.json?provisional=1", "q3_2020_21", (False, False, False, True)),
    ("/download/trusts.csv?provisional=1", "Q3 2020/21", (False, False, False, True)),
    ("/download/compare.csv?provisional=1", "Q3 2020/21", (False, False, False, True)),
    # an AHSN's own: its submitters too
    ("/tcam/ahsn/wessex?provisional=1", "Q3 2020/21 is not published yet", (False, True, False, True)),
    ("/download/ahsn/wessex.csv?provisional=1", "Q3 2020/21", (False, True, False, True)),
    # comments: the AHSN's own submitters and the national team (every AHSN's: the national team)
    ("/tcam/ahsn/wessex", PUBLISHED_NOTE, (False, True, False, True)),
    ("/download/ahsn/wessex.json", PUBLISHED_NOTE, (False, True, False, True)),
    ("/download/ahsn/wessex.xlsx", PUBLISHED_NOTE, (False, True, False, True)),
    ("/download/trusts.csv", PUBLISHED_NOTE, (False, False, False, True)),
    ("/download/ahsn/wessex.json?provisional=1", PROVISIONAL_NOTE, (False, True, False, True)),
    # the template filled in from the last return (Q3 2020/21's, not published)
    ("/upload/template?ahsn=Wessex&quarter=Q4%202020/21", "RHU,Portsmouth", (False, True, False, True)),
]


@pytest.mark.parametrize("address, shows, expected", SEES, ids=[s[0] for s in SEES])
def test_what_each_role_sees(clients, address, shows, expected):
    seen = []
    for role in ROLES:
        response = clients[role].get(address)
        assert response.status_code == 200, (role, address, response.status_code)
        body = response.data
        if address.split("?")[0].endswith(".xlsx"):
            from openpyxl import load_workbook

            sheet = load_workbook(io.BytesIO(body)).active
            body = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value).encode()
        seen.append(shows.encode() in body)
    assert tuple(seen) == expected


def test_someone_not_allowed_gets_the_published_figures_and_a_note_saying_why(clients):
    anonymous = clients["anonymous"].get("/tcam/?provisional=1").text
    assert NEED_SIGNIN in anonymous and "Q2 2020/21" in anonymous
    assert "/signin?next=/tcam/%3Fprovisional%3D1" in anonymous
    submitter = clients["own"].get("/tcam/?provisional=1").text
    assert "Provisional figures of every AHSN are for the national team; Wessex's are on its own page." in submitter
    other = clients["other"].get("/tcam/ahsn/wessex?provisional=1").text
    assert "Provisional figures of Wessex are for its own submitters and the national team." in other
    notes = _json(clients["anonymous"], "/download/national.json?provisional=1")["notes"]
    assert any(NEED_SIGNIN in n for n in notes)
    assert not any(
        NEED_SIGNIN in n for n in _json(clients["national"], "/download/national.json?provisional=1")["notes"]
    )
    # not asked for: the choice is offered only to those who may take it
    assert "Include provisional figures" not in clients["anonymous"].get("/tcam/").text
    assert "Include provisional figures" in clients["national"].get("/tcam/").text


def test_a_submitter_sees_englands_provisional_rate_only_when_they_may_see_every_ahsns(seeded):
    """England's rate for a quarter not yet published is every AHSN's provisional figures."""
    db = Database(Store(seeded))
    try:
        q3 = Quarter.parse("Q3 2020/21").index
        own = AhsnView.read(db, TCAM, "wessex", {"provisional": "1"}, True, False)
        national = AhsnView.read(db, TCAM, "wessex", {"provisional": "1"}, True, True)
        assert own.now.quarter.index == national.now.quarter.index == q3  # Wessex's own: shown to both
        assert q3 in set(national.england["quarter_index"]) and q3 not in set(own.england["quarter_index"])
        published = {q.index for q in report.shown_quarters(db, TCAM)}
        assert set(own.england["quarter_index"]) == set(national.england["quarter_index"]) & published
    finally:
        db.close()


def test_the_blank_template_has_the_header_and_no_rows(clients):
    for role in ("anonymous", "other"):
        text = clients[role].get("/upload/template?ahsn=Wessex&quarter=Q4%202020/21").text
        assert text.lstrip("\ufeff").splitlines() == [
            "quarter,ahsn,trust_code,trust_name,trust_type,adoption_level,referrals_made,referrals_completed"
        ]
    from openpyxl import load_workbook

    book = clients["anonymous"].get("/upload/template?ahsn=Wessex&quarter=Q4%202020/21&format=xlsx").data
    assert load_workbook(io.BytesIO(book))["Return"].cell(2, 3).value is None
    book = clients["own"].get("/upload/template?ahsn=Wessex&quarter=Q4%202020/21&format=xlsx").data
    assert load_workbook(io.BytesIO(book))["Return"].cell(2, 3).value is not None


def test_settings_open_provisional_figures_and_comments_to_everyone(seeded, tmp_path):
    root = tmp_path / "store"
    shutil.copytree(seeded, root)
    closed = client_for(root, "anonymous")
    assert PUBLISHED_NOTE not in closed.get("/download/trusts.csv").text
    provisional = client_for(root, "anonymous", METRICS_PROVISIONAL_PUBLIC="true")
    assert "provisional: 1 of 15 AHSNs has returned" in provisional.get("/tcam/?provisional=1").text
    assert PUBLISHED_NOTE not in provisional.get("/download/trusts.csv").text
    comments = client_for(root, "anonymous", METRICS_PUBLIC_COMMENTS="true")
    assert PUBLISHED_NOTE in comments.get("/download/trusts.csv").text
    assert PUBLISHED_NOTE in comments.get("/tcam/ahsn/wessex").text
    assert "provisional: 1 of 15" not in comments.get("/tcam/?provisional=1").text
    # neither opens a template's last return
    both = client_for(root, "anonymous", METRICS_PROVISIONAL_PUBLIC="true", METRICS_PUBLIC_COMMENTS="true")
    assert "RHU" not in both.get("/upload/template?ahsn=Wessex&quarter=Q4%202020/21").text


def test_with_nothing_published_someone_not_allowed_sees_no_figures(tmp_path):
    root = tmp_path / "store"
    build_seed_store(root)  # Q4 2019/20 and Q1 2020/21, neither signed off
    anonymous = client_for(root, "anonymous")
    page = anonymous.get("/tcam/").text
    assert "No quarter has been published yet" in page and NEED_SIGNIN in page
    assert "Portsmouth" not in anonymous.get("/tcam/ahsn/wessex").text
    for address in ("/download/national.csv", "/download/trusts.json", "/download/compare.csv"):
        refused = anonymous.get(address)
        assert refused.status_code == 404 and "No quarter has been published yet" in refused.text, address
    assert "has no published figures yet" in anonymous.get("/download/ahsn/wessex.csv").text
    national = client_for(root, "national")
    assert "Provisional figures" in national.get("/tcam/").text
    assert national.get("/download/national.csv").status_code == 200
