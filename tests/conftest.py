"""Shared fixtures: real stores in temporary folders, real apps, a real gunicorn, real Chromium.

Nothing is mocked and nothing global is patched: every test that needs data gets a DuckDB
store of its own, built by the same code the app uses, and an app or command is configured
by passing it Settings (`settings_for`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from etl.queries import Database
from etl.settings import Settings
from etl.store import Store
from tests.live import LiveServer

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEMO_RETURNS = ROOT / "data" / "demo" / "returns" / "tcam"
DEMO_TRAJECTORIES = ROOT / "data" / "demo" / "trajectories"
CHROMIUM = "/usr/bin/chromium"


def settings_for(root: Path, **env: str) -> Settings:
    """Settings for a store at `root`, with any METRICS_* values given (as in the environment)."""
    return Settings.from_env({"METRICS_DATA": str(root), **env})


def make_app(settings: Settings):
    """A fresh dashboard app for these settings (its Flask server is `.server`)."""
    from dashboard import create_app

    return create_app(settings)


def pytest_collection_modifyitems(items):
    """Browser tests are marked `browser` wherever they are; `make test-fast` leaves them out."""
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def demo_store_template(tmp_path_factory) -> Path:
    """The embedded demo data built once per test session; tests get copies."""
    root = tmp_path_factory.mktemp("demo-store")
    Store(root, demo_returns=DEMO_RETURNS).ensure()
    return root


@pytest.fixture(scope="session")
def trajectory_store_template(tmp_path_factory) -> Path:
    """The demo data with the demo trajectories (as `python -m etl init` builds it), once per session."""
    root = tmp_path_factory.mktemp("trajectory-store")
    Store(root, demo_returns=DEMO_RETURNS, demo_trajectories=DEMO_TRAJECTORIES).ensure()
    return root


@pytest.fixture
def tstore(trajectory_store_template, tmp_path) -> Store:
    """A store of this test's own, holding the demo data and the demo trajectories."""
    root = tmp_path / "tstore"
    shutil.copytree(trajectory_store_template, root)
    return Store(root)


@pytest.fixture
def store(demo_store_template, tmp_path) -> Store:
    """A store of this test's own, holding the demo data."""
    root = tmp_path / "store"
    shutil.copytree(demo_store_template, root)
    return Store(root)


@pytest.fixture
def db(store) -> Database:
    database = Database(store)
    yield database
    database.close()


@pytest.fixture
def settings(store) -> Settings:
    return settings_for(store.root)


@pytest.fixture
def empty_store(tmp_path) -> Store:
    return Store(tmp_path / "empty-store", demo_returns=DEMO_RETURNS)


@pytest.fixture
def live_server(store):
    server = LiveServer({"METRICS_DATA": str(store.root)})
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (never a browser Playwright downloads)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser page; the test fails if the page logged any console error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"console errors: {errors}"


def page_request(app, path: str = "/", code: str = "tcam"):
    """A request context for `path` in the programme `code`, as the address /<code><path> makes
    it (dashboard/addresses.py): the pages lay out that programme's page, their links under it."""
    from dashboard.addresses import ENVIRON_KEY

    return app.server.test_request_context(
        path, base_url=f"http://localhost/{code}/", environ_overrides={ENVIRON_KEY: code}
    )
