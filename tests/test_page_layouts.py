"""Every page's layout and callbacks, called directly on a real app and the demo store, without a
browser (as datasette tests its HTML): fast, and exact about what each page says."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from flask import session

from dashboard.context import services
from etl.users import Users
from tests.conftest import make_app, page_request

PASSWORD = "a long enough password"


def text_of(component) -> str:
    """All the text a component tree shows, in order, with runs of spaces as one."""

    def pieces(node):
        if node is None:
            return []
        if isinstance(node, str | int | float):
            return [str(node)]
        if isinstance(node, list | tuple):
            return [p for child in node for p in pieces(child)]
        return pieces(getattr(node, "children", None))

    return " ".join(" ".join(pieces(component)).split())


def find(component, component_id: str):
    """The component with this id inside the tree, or None."""
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None) if not isinstance(component, list | tuple) else component
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = find(child, component_id)
            if found is not None:
                return found
    return None


@pytest.fixture
def app(settings):
    return make_app(settings)


@pytest.fixture
def pages(app) -> SimpleNamespace:
    """The page modules, as the app loaded them (Dash imports pages when it makes an app)."""
    names = ("ahsn", "compare", "definitions", "history", "national", "returns", "upload")
    return SimpleNamespace(**{n: importlib.import_module(f"dashboard.pages.{n}") for n in names})


@pytest.fixture
def as_user(app, store):
    """A request context signed in as a new user of the given role (None: signed out)."""
    accounts = Users(store.root)

    def context(role: str | None = None, ahsn_name: str | None = None):
        while contexts:  # one request at a time: each has its own app context, g and session
            contexts.pop().pop()
        ctx = page_request(app)
        ctx.push()
        if role:
            user = accounts.add(f"{role}-user", PASSWORD, role, ahsn_name)
            session["sid"], _csrf = services().sessions.start(user.name, user.stamp)  # as /signin does
        return ctx

    contexts = []
    yield lambda *a: contexts.append(context(*a))
    while contexts:
        contexts.pop().pop()


def test_national_overview_shows_table_8_1_and_the_target_sentence(as_user, pages):
    as_user()
    page = pages.national.layout()
    assert text_of(find(page, "national-sentence")) == (
        "3 of 15 AHSNs at or above 50% in Q3 2018/19; 7 of 15 AHSNs at or above 50% in Q3 2019/20, up from 3 in "
        "Q3 2018/19; 10 of 15 AHSNs at or above 50% in Q2 2020/21, up from 7 in Q3 2019/20."
    )
    grid = find(page, "national-table-grid")
    body = grid.children[2].children
    assert len(body) == 16 and text_of(body[0]).startswith("Oxford 0%")
    assert text_of(body[-1]).startswith("England (Total) 25%")


def test_national_overview_quarters_from_the_url_and_a_note_for_an_unknown_one(as_user, pages):
    as_user()
    page = pages.national.layout(quarters="Q3 2018/19,Q1 2019/20,Q4 2030/31")
    assert list(find(page, "national-quarters").value) == ["Q3 2018/19", "Q1 2019/20"]
    assert text_of(find(page, "national-note")) == "No data loaded for Q4 2030/31; not shown."
    assert pages.national.choose_quarters(["Q3 2019/20", "Q3 2018/19"], "") == (
        "?quarters=Q3%202018/19,Q3%202019/20",
        None,
    )
    assert pages.national.choose_quarters(["Q3 2019/20", "Q3 2018/19"], "?provisional=1") == (
        "?provisional=1&quarters=Q3%202018/19,Q3%202019/20",
        None,
    )


def test_ahsn_page_says_where_the_ahsn_stands(as_user, pages):
    as_user()
    page = pages.ahsn.layout(slug="wessex")
    assert text_of(find(page, "ahsn-name")) == "Health Innovation Wessex (Wessex)"
    assert "Wessex Academic Health Science Network until 2023" in text_of(page)
    assert text_of(find(page, "ahsn-summary")).startswith(
        "In Q2 2020/21, 5 of 8 acute trusts in Wessex had adopted TCAM (63%), at or above the 50% target"
    )
    assert "AHSN not found" in text_of(pages.ahsn.layout(slug="atlantis"))
    assert text_of(find(pages.ahsn.layout(slug="health-innovation-manchester"), "ahsn-name")) == (
        "Health Innovation Manchester"
    )  # one name only when the names are the same


def trust_rows(page) -> list[list[str]]:
    body = find(page, "ahsn-trusts").children[2].children
    return [[text_of(cell) for cell in row.children] for row in body]


def test_ahsn_page_ticks_only_the_trusts_that_count(as_user, pages):
    as_user()
    page = pages.ahsn.layout(slug="kss")
    rows = trust_rows(page)
    assert [c for c in text_of(find(page, "ahsn-trusts").children[1]).split(" ") if c][:3] == ["Trust", "Type", "Level"]
    ticked = [r for r in rows if r[3] == "✓ adopted"]
    assert len(ticked) == 5 and all(r[1] == "acute" for r in ticked)  # the headline's 5 of 10
    assert "5 of 10 acute trusts" in text_of(find(page, "ahsn-summary"))
    others = {r[1]: r[3] for r in rows if r[1] != "acute"}
    assert others == {"mental health": "not counted (mental health)", "community": "not counted (community)"}
    assert all(r[3] in ("✓ adopted", "not yet") for r in rows if r[1] == "acute")


def test_nearest_to_adopting_and_trusts_to_go_count_only_acute_trusts(as_user, pages):
    as_user()
    page = pages.ahsn.layout(slug="health-innovation-manchester")
    rows = trust_rows(page)
    nearest = text_of(find(page, "ahsn-next"))
    level_3 = [r[0].rsplit(" (", 1)[0] for r in rows if r[2] == "3 Implementing"]
    named = [n for n in level_3 if n in nearest]
    acute_3 = [r[0].rsplit(" (", 1)[0] for r in rows if r[2] == "3 Implementing" and r[1] == "acute"]
    assert named == acute_3 and acute_3
    assert text_of(find(page, "ahsn-to-go")) == "1"  # 4 of 9 = 44%; 5 of 9 = 56%


def test_what_changed_has_no_raw_warnings_and_each_change_once(as_user, pages, store):
    as_user()
    for slug in ("kss", "wessex", "nenc", "hin", "oxford"):
        changes = [text_of(li) for li in find(pages.ahsn.layout(slug=slug), "ahsn-what-changed").children]
        assert not any("Warning" in c or "warning" in c for c in changes), slug
        assert len(changes) == len(set(changes)), slug
        codes = [c.split("(")[1].split(")")[0] for c in changes if "(" in c]
        assert len(codes) == len(set(codes)), slug  # one sentence per trust


def test_the_server_sends_each_page_readable_before_any_javascript(app):
    client = app.server.test_client()
    response = client.get("/tcam/")
    assert response.headers["Cache-Control"] == "private, no-cache"  # it holds who is signed in
    home = response.get_data(as_text=True)
    assert home.startswith('<!DOCTYPE html>\n<html lang="en" style="--print-stamp: &quot;Printed ')
    assert "Data as of Q2 2020/21" in home[:300]  # each printed page's foot, even before any script runs
    stamp = home[: home.index(">", home.index("<html"))]
    assert "span" not in stamp and "print-date" not in stamp  # text, as CSS shows it, not markup
    prerendered = home[home.index('<div id="prerendered"') : home.index('<div id="react-entry-point"')]
    assert '<table id="national-table-grid" class="ntable">' in prerendered
    assert "3 of 15 AHSNs at or above 50% in Q3 2018/19" in prerendered
    assert 'href="/tcam/download/national.csv"' in prerendered
    assert '<div id="react-entry-point" class="dash-pending">' in home
    chosen = client.get("/tcam/?quarters=Q3%202018/19,Q2%202020/21").get_data(as_text=True)
    assert (
        "Q3 2018/19 to Q2 2020/21" in chosen and "/download/national.csv?quarters=Q3%202018/19,Q2%202020/21" in chosen
    )
    ahsn = client.get("/tcam/ahsn/kss").get_data(as_text=True)
    assert "<title>KSS: Health Innovation Kent Surrey Sussex</title>" in ahsn
    assert 'id="ahsn-summary" class="lead">In Q2 2020/21, 5 of 10 acute trusts in KSS' in ahsn
    assert 'class="dash-graph prerender-graph " style="height: 340px"' in ahsn  # a chart keeps its place
    for path, headline in (
        ("/tcam/compare", "<h1>Compare regions</h1>"),
        ("/tcam/definitions", "<h1>Definitions</h1>"),
        ("/ahsn", "<h1>AHSNs</h1>"),
        ("/tcam/upload", "<h1>Upload a quarterly return</h1>"),
    ):
        assert headline in client.get(path).get_data(as_text=True), path
    # text from the data is escaped like everything else
    assert "<script>" not in prerendered


def test_compare_and_definitions(as_user, pages):
    as_user()
    assert "Adoption rate by AHSN, Q1 2018/19 to Q2 2020/21" in text_of(pages.compare.layout())
    assert text_of(find(pages.compare.layout(sort="latest"), "compare-sort")).startswith("Order AHSNs by:")
    assert "The five adoption levels" in text_of(pages.definitions.layout())


def test_upload_page_asks_a_signed_out_visitor_to_sign_in(as_user, pages):
    as_user()
    assert "Sign in with the account the national team gave you" in text_of(pages.upload.layout())


def test_upload_page_offers_a_submitter_only_their_own_ahsn(as_user, pages):
    as_user("ahsn", "KSS")
    page = pages.upload.layout()
    assert find(page, "upload-template-ahsn").options == ["KSS"]


def test_returns_page_is_for_the_national_team(as_user, pages):
    as_user("ahsn", "KSS")
    assert "This page is for the national team." in text_of(pages.returns.layout())
    assert "This page is for the national team." in text_of(pages.returns.layout(quarter="Q2 2020/21"))


def test_returns_grid_for_a_national_administrator(as_user, pages):
    as_user("national")
    page = pages.returns.layout(quarter="Q2 2020/21")
    assert text_of(find(page, "returns-state")).startswith("Published on ")
    assert text_of(page).count("✓ Returned") == 15
    assert find(page, "returns-actions") is None  # nothing to do on a published quarter
    upcoming = pages.returns.layout()  # the default: the open quarter after the demo's last
    assert text_of(find(upcoming, "returns-state")).startswith("Open for returns, due 15 Feb 2021 (in 14 days)")
    # the demo's own day (etl/collection.py's clock): nobody is late yet, and the page says why
    assert text_of(find(upcoming, "returns-summary")) == "0 of 15 AHSNs have returned for Q3 2020/21."
    assert "counted as on 1 Feb 2021" in text_of(find(upcoming, "returns-clock"))
    assert find(upcoming, "returns-sign-off") is not None


def test_history_callback_filters_on_the_server(as_user, pages):
    as_user("ahsn", "Wessex")
    table, search = pages.history.show_history("All AHSNs", "All quarters", True, "")
    assert text_of(table).startswith("10 submissions for Wessex")  # whatever the dropdown sent
    as_user("national")
    table, search = pages.history.show_history("All AHSNs", "Q2 2020/21", True, "")
    assert text_of(table).startswith("15 submissions holding Q2 2020/21")
    assert search == "?quarter=Q2+2020%2F21"


def test_comments_in_a_return_show_on_the_ahsn_page_and_in_the_history(store, as_user, pages):
    """A Notes column is kept per trust (issue 11) and shown where the return is read."""
    from etl.programmes import TCAM
    from tests.conftest import FIXTURES

    notes = (FIXTURES / "messy" / "descriptive-headers.csv").read_bytes()
    [accepted] = store.load([("with-notes.csv", notes)], TCAM, loaded_by="test")
    as_user("ahsn", "Wessex")  # provisional figures and comments: the AHSN's own (and the national team's)
    page = pages.ahsn.layout(slug="wessex", provisional="1")  # Q3 2020/21 is not published yet
    table = find(page, "ahsn-trusts")
    assert "Comment" in text_of(table.children[1])
    assert "IG sign-off expected in January" in text_of(table)
    as_user()  # not signed in: neither the provisional quarter nor the comments
    page = pages.ahsn.layout(slug="wessex", provisional="1")
    assert "IG sign-off expected in January" not in text_of(page)
    assert "Comment" not in text_of(find(page, "ahsn-trusts").children[1])
    as_user("national")
    history, _ = pages.history.show_history("Wessex", "All quarters", True, "")
    assert f"{accepted.submission_id}" in text_of(history)
    assert "2 comments" in text_of(history) and "Live from November; figures for Nov-Dec only" in text_of(history)
