"""Shared fixtures: real stores in temporary folders, a real gunicorn server, real Chromium.

Nothing is mocked: every test that needs data gets a DuckDB store of its own, built by the
same code the app uses.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from etl.store import Store
from tests.live import LiveServer

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def demo_store_template(tmp_path_factory) -> Path:
    """The embedded demo data built once per test session; tests get copies."""
    root = tmp_path_factory.mktemp("demo-store")
    Store(root).ensure()
    return root


@pytest.fixture
def store(demo_store_template, tmp_path, monkeypatch) -> Store:
    """A store of this test's own, holding the demo data, and METRICS_DATA pointing at it."""
    root = tmp_path / "store"
    shutil.copytree(demo_store_template, root)
    monkeypatch.setenv("METRICS_DATA", str(root))
    return Store(root)


@pytest.fixture
def empty_store(tmp_path, monkeypatch) -> Store:
    root = tmp_path / "empty-store"
    monkeypatch.setenv("METRICS_DATA", str(root))
    return Store(root)


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
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
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
