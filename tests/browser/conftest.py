"""Fixtures for the browser tests: a served copy of the demo store with one user of each role,
shared by a module's tests; and for the upload tests one gunicorn per module whose seed store
is put back as it was before every test, so each test holds in any order and alone."""

from __future__ import annotations

import shutil

import pytest
from upload_helpers import build_seed_store, reset_to, seed_server

from etl.users import Users
from tests.browser.steps import sign_in
from tests.live import LiveServer
from tests.upload_helpers import PASSWORD

ROLES = {None: None, "ahsn": ("kss-lead", "ahsn", "KSS"), "national": ("national-team", "national", None)}
PAGES = [
    "/tcam/",
    "/tcam/?quarters=Q3%202018/19,Q1%202019/20,Q2%202020/21",
    "/ahsn",
    "/tcam/ahsn/kss",
    "/tcam/ahsn/wessex?sort=level",
    "/tcam/compare",
    "/tcam/compare?sort=latest",
    "/tcam/definitions",
    "/tcam/upload",
    "/tcam/returns",
    "/tcam/history",
    "/tcam/trajectories",
    "/tcam/?against=trajectory",
    # every programme: the overview, an AHSN's portfolio, another programme's pages
    "/",
    "/ahsn/kss",
    "/precept/",
    "/precept/ahsn/wessex",
]


@pytest.fixture(scope="module")
def site(demo_store_template, tmp_path_factory):
    root = tmp_path_factory.mktemp("site") / "store"
    shutil.copytree(demo_store_template, root)
    accounts = Users(root)
    for user in ROLES.values():
        if user:
            accounts.add(user[0], PASSWORD, user[1], user[2])
    live = LiveServer({"METRICS_DATA": str(root)})
    live.root = root
    yield live
    live.stop()


def sign_in_as(page, url: str, role: str | None) -> None:
    if ROLES[role] is None:
        return
    sign_in(page, url, ROLES[role][0], then="/tcam/definitions")


@pytest.fixture
def browse(browser):
    """browse(width, role): a fresh page of that width, signed in as that role (None: signed out),
    that fails the test on any console error."""
    contexts, errors = [], []

    def open_page(width: int = 1280, role: str | None = None, url: str = ""):
        context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        sign_in_as(page, url, role)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert errors == [], f"console errors: {errors}"


@pytest.fixture(scope="module")
def seed_template(tmp_path_factory):
    root = tmp_path_factory.mktemp("upload-seed") / "store"
    build_seed_store(root)
    return root


@pytest.fixture(scope="module")
def module_server(tmp_path_factory):
    with seed_server(tmp_path_factory.mktemp("upload-browser") / "store", workers=2) as served:
        yield served


@pytest.fixture
def server(module_server, seed_template):
    """The module's server (LiveServer, Store), its store put back to the seed for this test."""
    live, store = module_server
    reset_to(seed_template, store.root)
    return live, store
