"""Shared by the upload tests: a small real store built from tests/fixtures/upload/seed, users
for it, and signing in. The seed is three AHSNs (Wessex, KSS, Oxford) for Q4 2019/20 and
Q1 2020/21, so the tests know every expected number exactly, whatever the demo data holds."""

from __future__ import annotations

import contextlib
import re
import shutil
from pathlib import Path

from etl.store import Store
from etl.users import Users
from tests.live import LiveServer

UPLOAD = Path(__file__).resolve().parent / "fixtures" / "upload"
PASSWORD = "a long enough password"
USERS = {"wessex": ("ahsn", "Wessex"), "kss": ("ahsn", "KSS"), "nat": ("national", None)}


def build_seed_store(root: Path) -> Store:
    """The seed returns loaded the way the demo data is (the store's first-use path)."""
    Store(root, demo_returns=UPLOAD / "seed").ensure()
    accounts = Users(root)
    for name, (role, ahsn) in USERS.items():
        accounts.add(name, PASSWORD, role, ahsn)
    return Store(root)


@contextlib.contextmanager
def seed_server(root: Path, workers: int):
    """gunicorn serving a fresh seed store: yields (LiveServer, Store)."""
    build_seed_store(root)
    with LiveServer({"METRICS_DATA": str(root)}, workers=workers) as live:
        yield live, Store(root)


def reset_to(template: Path, root: Path) -> None:
    """Put the store at `root` back to `template` while a server reads it, as a restore from
    a backup would: its workers open the database CURRENT names on their next request. Under
    the store's write lock, so no background publish of the last test lands afterwards."""
    with Store(root).write_lock():
        for part in ("events", "originals", "parsed", "databases", "pending"):
            shutil.rmtree(root / part, ignore_errors=True)
        for name in (
            "users.json",
            "signin_attempts.sqlite",
            "sessions.sqlite",
            "sessions.sqlite-wal",
            "sessions.sqlite-shm",
        ):
            (root / name).unlink(missing_ok=True)
        for item in template.iterdir():
            if item.is_dir():
                shutil.copytree(item, root / item.name)
            elif item.name not in ("CURRENT", "write.lock"):
                shutil.copy2(item, root / item.name)
        shutil.copy2(template / "CURRENT", root / "CURRENT")  # last: readers switch once all is there


def restore_via_api(base: str, user: str, submission_id: int) -> None:
    """Make a submission current again as `user`, as the history page's button does."""
    import requests

    session = requests.Session()
    csrf = sign_in(session, base, user)
    session.post(f"{base}/history/{submission_id}/restore", data={"csrf_token": csrf}, timeout=120).raise_for_status()


def store_via_api(base: str, user: str, name: str, content: bytes | None = None) -> int:
    """Store a file as `user` through POST /upload/commit (what the page's confirm does);
    the new submission's id."""
    import requests

    session = requests.Session()
    csrf = sign_in(session, base, user)
    body = fixture_bytes(name) if content is None else content
    response = session.post(
        base + "/upload/commit", data={"csrf_token": csrf}, files={"file": (name, body)}, timeout=120
    )
    response.raise_for_status()
    return response.json()["stored"][0]["submission_id"]


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
