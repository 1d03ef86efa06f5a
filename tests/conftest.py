"""Shared fixtures: real stores in temporary folders, a real gunicorn server, real Chromium.

Nothing is mocked: every test that needs data gets a DuckDB store of its own, built by the
same code the app uses.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from etl.store import Store

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """gunicorn serving app:server on a free port, with the given environment."""

    def __init__(self, env: dict[str, str], workers: int = 2):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "app:server", "--workers", str(workers),
             "--bind", f"127.0.0.1:{self.port}", "--timeout", "120"],
            cwd=ROOT, env={**os.environ, **env},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + self.process.stdout.read().decode())
            try:
                if requests.get(self.url + "/healthz", timeout=2).ok:
                    return
            # A worker still importing the app accepts the connection but answers late.
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


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
