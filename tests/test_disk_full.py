"""A full disk and a read-only store (issue 22, item 8): the write is refused in plain words
(507 or 503 on the web, one line on the command line, never a traceback), nothing is
half-written in the event log or beside it, and the published figures keep being served.

The disk is simulated where the store writes: os.open, os.fsync and os.replace raise ENOSPC or
EROFS for paths inside the store's own folders (events, originals, parsed, databases, the
write lock), as a full or read-only file system would. Everything else (the sessions, the
reading slots, SQLite and DuckDB, which write from C) works as usual.
"""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path

import pytest
from upload_helpers import PASSWORD, as_json, sign_in

from etl import cli
from etl.errors import DiskFull, StoreReadOnly
from etl.files import write_atomically
from etl.programmes import TCAM
from etl.users import Users
from tests.conftest import make_app, settings_for
from tests.returns import filled_return

STORE_PARTS = ("events", "originals", "parsed", "databases", "write.lock")


def _path_of(target) -> str:
    if isinstance(target, int):  # a file descriptor (os.fsync)
        try:
            return os.readlink(f"/proc/self/fd/{target}")
        except OSError:
            return ""
    return os.fspath(target)


@pytest.fixture
def disk(monkeypatch):
    """`disk.fail(root, errno.ENOSPC, "fsync")`: that call fails for the store's own files."""

    class Disk:
        def fail(self, root: Path, code: int, *calls: str) -> None:
            inside = [str(root / part) for part in STORE_PARTS]
            for name in calls:
                real = getattr(os, name)

                def failing(*args, _real=real, **kwargs):
                    if any(_path_of(a).startswith(tuple(inside)) for a in args[:2]):
                        raise OSError(code, os.strerror(code))
                    return _real(*args, **kwargs)

                monkeypatch.setattr(os, name, failing)

        def heal(self) -> None:
            monkeypatch.undo()

    return Disk()


def _leftovers(root: Path) -> list[str]:
    """Temporary files a write left behind, anywhere in the store."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.tmp"))


@pytest.fixture
def people(store):
    users = Users(store.root)
    users.add("asha", PASSWORD, "ahsn", "Wessex")
    users.add("nat", PASSWORD, "national")
    return users


@pytest.mark.parametrize(
    "code, calls, refusal",
    [
        (errno.ENOSPC, ("fsync",), DiskFull),
        (errno.ENOSPC, ("replace",), DiskFull),
        (errno.EDQUOT, ("fsync",), DiskFull),
        (errno.EROFS, ("open",), StoreReadOnly),
        (errno.EROFS, ("replace",), StoreReadOnly),
    ],
)
def test_an_atomic_write_refuses_and_leaves_the_old_file_and_no_temporary_one(tmp_path, disk, code, calls, refusal):
    target = tmp_path / "events" / "000001.json"
    write_atomically(target, b"the old content")
    disk.fail(tmp_path, code, *calls)
    with pytest.raises(refusal):
        write_atomically(target, b"the new content, never half of it")
    disk.heal()
    assert target.read_bytes() == b"the old content"
    assert _leftovers(tmp_path) == []


def test_any_other_failure_of_the_disk_is_not_called_full(tmp_path, disk):
    disk.fail(tmp_path, errno.EIO, "fsync")
    with pytest.raises(OSError) as raised:
        write_atomically(tmp_path / "events" / "000001.json", b"x")
    assert raised.type is OSError and raised.value.errno == errno.EIO


@pytest.mark.parametrize(
    "code, calls, status, words",
    [
        (errno.ENOSPC, ("fsync",), 507, "the disk holding the store is full"),
        (errno.ENOSPC, ("replace",), 507, "the disk holding the store is full"),
        (errno.EROFS, ("open", "replace"), 503, "the store cannot be written to just now (its disk is read-only)"),
    ],
)
def test_an_upload_to_a_full_or_read_only_store_is_refused_and_the_figures_stay_served(
    store, db, people, disk, code, calls, status, words
):
    client = make_app(settings_for(store.root)).server.test_client()
    csrf = sign_in(client, "", "asha")
    national, events = client.get("/download/national.csv").data, len(store.events())
    content = filled_return(db, "Wessex")
    disk.fail(store.root, code, *calls)
    answer = client.post("/upload/commit", data={"csrf_token": csrf, "file": (io.BytesIO(content), "wessex.csv")})
    assert answer.status_code == status
    error = as_json(answer)["error"]
    assert error.startswith(f"The file was not stored: {words}") and "Traceback" not in error
    assert "nothing was written and the published figures are unchanged" in error
    # the published figures keep being served, while the disk is still full or read-only
    assert client.get("/").status_code == 200
    assert client.get("/download/national.csv").data == national
    assert client.get("/ahsn/wessex").status_code == 200
    assert client.get("/healthz").status_code == 200
    disk.heal()
    assert len(store.events()) == events and _leftovers(store.root) == []
    # once there is room, the same file is stored
    again = client.post("/upload/commit", data={"csrf_token": csrf, "file": (io.BytesIO(content), "wessex.csv")})
    assert again.status_code == 200 and len(store.events()) == events + 1


def test_a_form_posted_from_a_page_gets_a_plain_page_saying_so(store, db, people, disk):
    client = make_app(settings_for(store.root)).server.test_client()
    csrf = sign_in(client, "", "nat")
    disk.fail(store.root, errno.ENOSPC, "fsync")
    answer = client.post(
        "/quarters/q3_2020_21/due-date",
        data={"csrf_token": csrf, "due": "2021-03-01", "reason": "Easter", "from_page": "1"},
    )
    assert answer.status_code == 507
    assert "the disk holding the store is full" in answer.text and "Traceback" not in answer.text
    assert answer.mimetype == "text/html"


@pytest.mark.parametrize(
    "code, calls, words",
    [
        (errno.ENOSPC, ("fsync",), "the disk holding the store is full"),
        (errno.EROFS, ("open",), "the store cannot be written to just now"),
    ],
)
def test_the_command_line_says_it_in_one_line(store, db, tmp_path, disk, capsys, code, calls, words):
    settings = settings_for(store.root)
    events = len(store.events())
    returned = tmp_path / "wessex.csv"
    returned.write_bytes(filled_return(db, "Wessex"))
    capsys.readouterr()
    disk.fail(store.root, code, *calls)
    assert cli.main(["load", str(returned)], settings) != 0
    assert cli.main(["due-date", "Q3 2020/21", "2021-03-01", "--reason", "Easter"], settings) != 0
    out = capsys.readouterr()
    lines = [line for line in out.err.splitlines() if line.startswith("error:")]
    assert len(lines) == 2 and all(words in line for line in lines), out.err
    assert "Traceback" not in out.err + out.out
    disk.heal()
    assert len(store.events()) == events and _leftovers(store.root) == []


def test_a_publish_the_disk_refuses_keeps_the_published_figures(store, db, people, disk):
    store.load([("kss.csv", filled_return(db, "KSS"))], TCAM)  # Q3 2020/21, to sign off
    client = make_app(settings_for(store.root)).server.test_client()
    csrf = sign_in(client, "", "nat")
    before = client.get("/download/national.csv").data
    current = store.current_database()
    disk.fail(store.root, errno.ENOSPC, "fsync", "replace")
    answer = client.post("/quarters/q3_2020_21/sign-off", data={"csrf_token": csrf, "incomplete": "yes"})
    assert answer.status_code == 507 and "the disk holding the store is full" in as_json(answer)["error"], answer.text
    assert client.get("/download/national.csv").data == before
    disk.heal()
    assert store.current_database() == current
    assert not [e for e in store.events() if type(e).__name__ == "SignOff" and e.quarter == "Q3 2020/21"]
