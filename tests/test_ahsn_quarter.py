"""The AHSN page as at an earlier quarter (?quarter=, issue 20): every figure, chart, table and
download of the page cut to that quarter; plain links to each quarter the AHSN returned; an
address that is not one of them says so and shows the latest. A real demo store and app."""

from __future__ import annotations

import csv
import io

import pytest

from dashboard.presentation.views import AhsnView
from etl.programmes import TCAM
from etl.quarters import Quarter
from tests.conftest import make_app

Q3_1920 = Quarter.parse("Q3 2019/20")
LATEST = Quarter.parse("Q2 2020/21")


@pytest.fixture
def client(settings):
    return make_app(settings).server.test_client()


def test_the_view_as_at_a_quarter_leaves_out_every_later_one(db):
    view = AhsnView.read(db, TCAM, "kss", {"quarter": "Q3 2019/20"})
    assert view.quarter_asked == Q3_1920 and view.now.quarter == Q3_1920
    assert view.axis[-1] == Q3_1920 and int(view.rates["quarter_index"].max()) == Q3_1920.index
    assert view.england["quarter_index"].max() == Q3_1920.index
    assert view.search == "?quarter=Q3%202019/20"
    assert view.quarter_choices[-1] == LATEST and len(view.quarter_choices) == 10
    # Table 8.1's published figure for KSS at Q3 2019/20 is 30% (50% at Q2 2020/21)
    assert view.now.rate == 30


@pytest.mark.parametrize("asked", ["Q2 2020/21", "q2 20/21"])
def test_the_latest_quarter_is_the_page_without_a_choice(db, asked):
    view = AhsnView.read(db, TCAM, "kss", {"quarter": asked})
    assert view.quarter_asked is None and view.quarter_refused is None and view.search == ""
    assert view.now.quarter == LATEST


@pytest.mark.parametrize(
    "asked,said", [("Q3 2030/31", "Q3 2030/31"), ("last year", "last year"), ("Q9 2019/20", "Q9 2019/20")]
)
def test_a_quarter_that_cannot_be_shown_is_said_and_the_latest_shown(db, client, asked, said):
    view = AhsnView.read(db, TCAM, "kss", {"quarter": asked})
    assert view.quarter_asked is None and view.quarter_refused == said and view.now.quarter == LATEST
    page = client.get("/tcam/ahsn/kss", query_string={"quarter": asked}).get_data(as_text=True)
    assert 'id="ahsn-quarter-refused"' in page and "the page shows the latest, Q2 2020/21" in page


def test_the_page_offers_every_quarter_and_marks_the_one_shown(client):
    page = client.get("/tcam/ahsn/kss?quarter=Q3%202019/20").get_data(as_text=True)
    nav = page[page.index('id="ahsn-quarters"') :]
    nav = nav[: nav.index("</nav>")]
    assert nav.count("<a ") == 10
    assert 'aria-current="page" href="/tcam/ahsn/kss?quarter=Q3%202019/20"' in nav or (
        'href="/tcam/ahsn/kss?quarter=Q3%202019/20" aria-current="page"' in nav
    )
    assert 'href="/tcam/ahsn/kss">Q2 2020/21</a>' in nav  # the latest is the page's own address
    assert 'id="ahsn-as-at"' in page and "As at Q3 2019/20" in page
    assert "Trusts in the Q3 2019/20 return" in page
    # sorting keeps the quarter, and so does the download
    assert 'href="/tcam/ahsn/kss?quarter=Q3%202019/20&amp;sort=level"' in page
    assert "/download/ahsn/kss.csv?quarter=Q3%202019/20" in page


def test_the_download_follows_the_quarter(client):
    rows = list(
        csv.reader(io.StringIO(client.get("/download/ahsn/kss.csv?quarter=Q3%202019/20").get_data(as_text=True)))
    )
    text = "\n".join(",".join(r) for r in rows)
    assert "Q3 2019/20" in text and "Q2 2020/21" not in text and "Q4 2019/20" not in text
