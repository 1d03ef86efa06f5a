"""The first paint shared by visitors who are not signed in (dashboard/presentation/shared_pages.py):
rendered once per address, published database and day; never for a signed-in user; a new
publish is a new page. On the real app, a real store and Flask's test client."""

from __future__ import annotations

import re

import pytest
from upload_helpers import PASSWORD, sign_in

from dashboard.presentation.shared_pages import EXTENSION, SharedPages
from etl.store import Store
from etl.users import Users
from tests.conftest import make_app, settings_for


@pytest.fixture
def app(store):
    """The demo store (its quarters published: a visitor sees the figures) and one submitter."""
    Users(store.root).add("wessex", PASSWORD, "ahsn", "Wessex")
    return make_app(settings_for(store.root))


def shared(app) -> SharedPages:
    return app.server.extensions[EXTENSION]


def first_paint(page: str) -> str:
    """The page as painted before Dash runs, without the time of the request in its print stamp."""
    painted = page[page.index('<div id="prerendered"') : page.index('<div id="react-entry-point"')]
    return re.sub(r'<span class="print-date">[^<]*</span>', "", painted)


def test_a_visitor_gets_the_page_rendered_for_the_one_before(app):
    client = app.server.test_client()
    first = client.get("/tcam/").get_data(as_text=True)
    assert len(shared(app)) == 1 and shared(app).hits == 0
    second = app.server.test_client().get("/tcam/").get_data(as_text=True)
    assert shared(app).hits == 1
    assert first_paint(first) == first_paint(second)
    assert "Wessex" in second  # the national table itself, not an empty shell
    # another address, or the same one with another query, is a page of its own
    client.get("/tcam/?quarters=Q4%202019/20,Q2%202020/21")
    client.get("/tcam/compare")
    assert len(shared(app)) == 3 and shared(app).hits == 1


def test_a_signed_in_user_always_gets_their_own_page(app):
    anonymous = app.server.test_client()
    anonymous.get("/tcam/")
    client = app.server.test_client()
    sign_in(client, "", "wessex")
    page = client.get("/tcam/").get_data(as_text=True)
    assert "Signed in as" in page and "wessex" in page
    assert shared(app).hits == 0 and len(shared(app)) == 1  # neither read nor kept
    # and what a visitor gets next never carries the signed-in name
    assert "Signed in as" not in anonymous.get("/tcam/").get_data(as_text=True)
    assert shared(app).hits == 1


def test_a_new_publish_is_shown_at_once(app, tmp_path):
    client = app.server.test_client()
    before = client.get("/tcam/ahsn/wessex").get_data(as_text=True)
    store = Store(app.server.extensions["metrics"].store.root)
    store.rebuild()  # a new database file: every kept page is for the old one
    after = client.get("/tcam/ahsn/wessex").get_data(as_text=True)
    assert shared(app).hits == 0 and len(shared(app)) == 2
    assert "Wessex" in before and "Wessex" in after


def test_the_store_is_bounded():
    pages = SharedPages(size=2)
    for n in range(3):
        pages.put(("db", f"/{n}", b""), ("title", f"page {n}"))
    assert len(pages) == 2
    assert pages.get(("db", "/0", b"")) is None and pages.get(("db", "/2", b""))[1] == "page 2"
