"""Shared by the upload tests: a small real store built from tests/fixtures/upload/seed, users
for it, and signing in. The seed is three AHSNs (Wessex, KSS, Oxford) for Q4 2019/20 and
Q1 2020/21, so the tests know every expected number exactly, whatever the demo data holds."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from pathlib import Path

from etl import store as store_module
from etl import users
from etl.store import Store
from tests.live import LiveServer

UPLOAD = Path(__file__).resolve().parent / "fixtures" / "upload"
PASSWORD = "a long enough password"
USERS = {"wessex": ("ahsn", "Wessex"), "kss": ("ahsn", "KSS"), "nat": ("national", None)}


@contextlib.contextmanager
def data_env(root: Path):
    before = os.environ.get("METRICS_DATA")
    os.environ["METRICS_DATA"] = str(root)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("METRICS_DATA", None)
        else:
            os.environ["METRICS_DATA"] = before


def build_seed_store(root: Path) -> Store:
    """The seed returns loaded the way the demo data is (the store's first-use path)."""
    saved = store_module.DEMO_DIR
    store_module.DEMO_DIR = UPLOAD / "seed"
    try:
        Store(root).ensure()
    finally:
        store_module.DEMO_DIR = saved
    with data_env(root):
        for name, (role, ahsn) in USERS.items():
            users.add(name, PASSWORD, role, ahsn)
    return Store(root)


@contextlib.contextmanager
def seed_server(root: Path, workers: int):
    """gunicorn serving a fresh seed store: yields (LiveServer, Store)."""
    build_seed_store(root)
    with LiveServer({"METRICS_DATA": str(root)}, workers=workers) as live:
        yield live, Store(root)


def copy_store(template: Path, root: Path) -> Store:
    shutil.copytree(template, root)
    return Store(root)


def fixture_bytes(name: str) -> bytes:
    return (UPLOAD / name).read_bytes()


def csrf_from(html_text: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html_text).group(1)


def sign_in(client, base: str, name: str, password: str = PASSWORD) -> str:
    """Sign in with a requests.Session (or a Flask test client, base ""); returns the
    session's CSRF token (a new one is made at sign-in)."""
    token = csrf_from(client.get(base + "/signin").text)
    client.post(base + "/signin", data={"name": name, "password": password, "csrf_token": token})
    return as_json(client.get(base + "/session"))["csrf_token"]


def as_json(response) -> dict:
    """requests' .json() is a method, Flask's test response .json a property."""
    return response.json() if callable(response.json) else response.json
