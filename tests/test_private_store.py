"""The store is private to the user the app runs as: after a realistic spell of use (made by
the commands and a real gunicorn, as in production) every folder in it is 0700 and every
file 0600: events, originals, databases, CURRENT, locks, SQLite files, previews, keys, users."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
import time

import pytest
import requests
from upload_helpers import UPLOAD, csrf_from, fixture_bytes

from tests.live import ROOT, LiveServer

pytestmark = pytest.mark.slow  # commands in subprocesses and a gunicorn

PASSWORD = "a long enough password"


def etl(env: dict, *args: str, stdin: str = "") -> str:
    result = subprocess.run(
        [sys.executable, "-m", "etl", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def use_the_dashboard(url: str) -> None:
    """What a submitter does in a day, and a guesser: every kind of file gets written."""
    session = requests.Session()
    csrf = csrf_from(session.get(url + "/signin", timeout=60).text)
    assert (
        session.post(
            url + "/signin", data={"name": "kss", "password": "wrong guess!!", "csrf_token": csrf}, timeout=60
        ).status_code
        == 401
    )
    session.post(url + "/signin", data={"name": "wessex", "password": PASSWORD, "csrf_token": csrf}, timeout=60)
    csrf = session.get(url + "/session", timeout=60).json()["csrf_token"]
    content = "data:text/csv;base64," + base64.b64encode(fixture_bytes("wessex-good.csv")).decode()
    preview = session.post(
        url + "/_dash-update-component",
        timeout=60,
        json={
            "output": "upload-result.children",
            "outputs": {"id": "upload-result", "property": "children"},
            "inputs": [{"id": "upload-file", "property": "contents", "value": content}],
            "state": [{"id": "upload-file", "property": "filename", "value": "wessex-good.csv"}],
            "changedPropIds": ["upload-file.contents"],
        },
    )
    assert preview.status_code == 200 and "upload-token" in preview.text  # passed: kept in pending/
    preview_again = session.post(
        url + "/_dash-update-component",
        timeout=60,
        json={
            "output": "upload-result.children",
            "outputs": {"id": "upload-result", "property": "children"},
            "inputs": [{"id": "upload-file", "property": "contents", "value": content}],
            "state": [{"id": "upload-file", "property": "filename", "value": "again.csv"}],
            "changedPropIds": ["upload-file.contents"],
        },
    )
    assert preview_again.status_code == 200
    stored = session.post(
        url + "/upload/commit",
        timeout=120,
        data={"csrf_token": csrf},
        files={"file": ("wessex-good.csv", fixture_bytes("wessex-good.csv"))},
    )
    submission = stored.json()["stored"][0]["submission_id"]
    assert (
        session.post(f"{url}/history/{submission}/restore", data={"csrf_token": csrf}, timeout=120).status_code == 200
    )
    deadline = time.monotonic() + 60
    while session.get(f"{url}/history/{submission}/counted.csv", timeout=60).status_code != 200:
        assert time.monotonic() < deadline, "the figures never held the stored submission"
        time.sleep(0.2)  # published in the background
    assert session.get(f"{url}/history/{submission}/original", timeout=60).status_code == 200
    assert session.get(url + "/history", timeout=60).status_code == 200
    session.post(url + "/signout", data={"csrf_token": csrf}, timeout=60)


def test_every_folder_and_file_of_a_used_store_is_owner_only(tmp_path):
    root = tmp_path / "store"
    env = {"METRICS_DATA": str(root), "METRICS_DEMO_RETURNS": str(UPLOAD / "seed")}
    old_umask = os.umask(0o022)  # the usual default: anything not made private explicitly is world-readable
    try:
        etl(env, "init")
        for name, flag in (("wessex", ["--ahsn", "Wessex"]), ("kss", ["--ahsn", "KSS"])):
            etl(env, "users", "add", name, *flag, "--password-stdin", stdin=PASSWORD + "\n")
        with LiveServer(env, workers=2) as live:
            use_the_dashboard(live.url)
            kss = tmp_path / "kss-good.csv"
            kss.write_bytes(fixture_bytes("kss-good.csv"))
            etl(env, "load", str(kss), "--by", "someone")  # the command line while the app serves
            etl(env, "history")
    finally:
        os.umask(old_umask)
    seen, loose = [], []
    for folder, folders, files in os.walk(root):
        for name in folders + files:
            path = os.path.join(folder, name)
            mode = stat.S_IMODE(os.lstat(path).st_mode)
            seen.append(os.path.relpath(path, root))
            if mode & 0o077 or (name in folders and mode != 0o700):
                loose.append(f"{os.path.relpath(path, root)} {oct(mode)}")
    assert stat.S_IMODE(os.stat(root).st_mode) == 0o700
    assert loose == []
    # the walk saw every kind of file (or it would prove nothing)
    kinds = {
        "events",
        "originals",
        "databases",
        "CURRENT",
        "write.lock",
        "users.json",
        "users.lock",
        "secret_key",
        "sessions.sqlite",
        "signin_attempts.sqlite",
        "pending/.lock",
        "pending/files",
        "pending/users",
    }
    assert kinds <= {
        p if "/" not in p or p.startswith("pending/") and p.count("/") == 1 else p.split("/")[0] for p in seen
    }
