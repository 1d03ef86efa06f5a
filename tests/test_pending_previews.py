"""Upload previews waiting to be confirmed: one per user, kept by content hash, within a
total cap, expired ones removed; so no account (nor a handful) can fill the disk by
previewing. Through the upload page's own callback on a real app and store, and the rules
on their own with a clock the test moves."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from upload_helpers import as_json, build_seed_store, copy_store, fixture_bytes, sign_in

from dashboard.background.pending import PendingPreviews
from etl.users import Users
from tests.conftest import make_app, settings_for

CALLBACK = {
    "output": "upload-result.children",
    "outputs": {"id": "upload-result", "property": "children"},
    "changedPropIds": ["upload-file.contents"],
}


def wessex_return(variant: int) -> bytes:
    """A good Wessex return; each variant a different file (Portsmouth's referrals)."""
    return fixture_bytes("wessex-good.csv").replace(b",5,40,30", f",5,{40 + variant},30".encode())


def preview(client, name: str, content: bytes) -> str | None:
    """Drop a file on the upload page (its Dash callback); the preview's token, if it passed."""
    data_url = "data:text/csv;base64," + base64.b64encode(content).decode()
    response = client.post(
        "/_dash-update-component",
        json={
            **CALLBACK,
            "inputs": [{"id": "upload-file", "property": "contents", "value": data_url}],
            "state": [{"id": "upload-file", "property": "filename", "value": name}],
        },
    )
    assert response.status_code == 200, response.text[:300]
    return _find_token(as_json(response))


def _find_token(node):
    if isinstance(node, dict):
        props = node.get("props", node)
        if props.get("id") == "upload-token":
            return props["value"]
        return next((t for v in node.values() if (t := _find_token(v))), None)
    if isinstance(node, list):
        return next((t for v in node if (t := _find_token(v))), None)
    return None


def confirm(client, csrf: str, token: str):
    return client.post("/upload/commit", data={"csrf_token": csrf, "token": token})


def pending_files(root):
    folder = root / "pending"
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != ".lock")


@pytest.fixture(scope="module")
def seed_template(tmp_path_factory):
    root = tmp_path_factory.mktemp("pending-seed") / "store"
    build_seed_store(root)
    Users(root).add("wessex2", "a long enough password", "ahsn", "Wessex")
    Users(root).add("wessex3", "a long enough password", "ahsn", "Wessex")
    return root


@pytest.fixture
def seed(seed_template, tmp_path):
    return copy_store(seed_template, tmp_path / "store")


@pytest.mark.slow  # 150 files read in the sandbox one after another
def test_one_user_previewing_hundreds_of_files_keeps_one(seed):
    client = make_app(settings_for(seed.root)).server.test_client()
    csrf = sign_in(client, "", "wessex")
    tokens = [preview(client, f"wessex-{i}.csv", wessex_return(i)) for i in range(150)]
    assert all(tokens) and len(set(tokens)) == 150
    last = hashlib.sha256(wessex_return(149)).hexdigest()
    assert pending_files(seed.root) == [f"files/{last}", f"users/{hashlib.sha256(b'wessex').hexdigest()}.json"]
    assert confirm(client, csrf, tokens[0]).status_code == 404  # replaced by the newer previews
    stored = confirm(client, csrf, tokens[-1])
    assert as_json(stored)["stored"][0]["file_name"] == "wessex-149.csv"
    assert pending_files(seed.root) == []  # confirmed: nothing left waiting
    assert confirm(client, csrf, tokens[-1]).status_code == 404  # and it cannot be stored twice


def test_the_same_file_previewed_by_two_users_is_kept_once(seed):
    app = make_app(settings_for(seed.root))
    first, second = app.server.test_client(), app.server.test_client()
    csrf1, csrf2 = sign_in(first, "", "wessex"), sign_in(second, "", "wessex2")
    token1 = preview(first, "ours.csv", wessex_return(1))
    token2 = preview(second, "ours.csv", wessex_return(1))
    assert len([f for f in pending_files(seed.root) if f.startswith("files/")]) == 1
    assert confirm(second, csrf2, token1).status_code == 404  # a token works only for its own user
    assert confirm(first, csrf1, token1).status_code == 200
    assert len([f for f in pending_files(seed.root) if f.startswith("files/")]) == 1  # still the other's
    assert confirm(second, csrf2, token2).status_code == 200  # not lost with the first user's
    assert pending_files(seed.root) == []


def test_previews_of_many_users_stay_under_the_total_cap_oldest_removed_first(seed):
    size = len(wessex_return(0))
    settings = settings_for(
        seed.root, METRICS_MAX_UPLOAD_BYTES=str(size + 10), METRICS_PENDING_MAX_BYTES=str(2 * size + 20)
    )  # room for two previews
    app = make_app(settings)
    clients = {name: app.server.test_client() for name in ("wessex", "wessex2", "wessex3")}
    csrf = {name: sign_in(c, "", name) for name, c in clients.items()}
    tokens = {name: preview(c, f"{name}.csv", wessex_return(i)) for i, (name, c) in enumerate(clients.items())}
    files = [f for f in pending_files(seed.root) if f.startswith("files/")]
    assert len(files) == 2
    assert sum((seed.root / "pending" / f).stat().st_size for f in files) <= 2 * size + 20
    assert confirm(clients["wessex"], csrf["wessex"], tokens["wessex"]).status_code == 404  # the oldest went
    assert confirm(clients["wessex3"], csrf["wessex3"], tokens["wessex3"]).status_code == 200


def test_a_crafted_preview_token_is_a_404(seed):
    client = make_app(settings_for(seed.root)).server.test_client()
    csrf = sign_in(client, "", "wessex")
    preview(client, "mine.csv", wessex_return(0))
    user_record = next((seed.root / "pending" / "users").iterdir()).name
    for token in ("x" * 5000, "../users", "../../users.json", user_record, "\x00" * 32, "A" * 32, "%2e%2e" * 6):
        page = confirm(client, csrf, token)
        assert page.status_code == 404, token[:20]
        assert as_json(page) == {"error": "That preview has expired or is not yours. Upload the file again."}


# ---- the rules on their own -------------------------------------------------------------------


class Clock:
    now = 1_000_000.0

    def __call__(self):
        return self.now


def test_a_preview_expires_and_is_removed(tmp_path):
    clock = Clock()
    pending = PendingPreviews(tmp_path, max_bytes=10_000, lifetime_seconds=3600, clock=clock)
    old = pending.save("kss", "kss.csv", b"old file")
    clock.now += 3601
    assert pending.load(old, "kss") is None  # too old to confirm
    pending.save("wessex", "w.csv", b"another file")  # any save sweeps what has expired
    names = sorted(p.name for p in (tmp_path / "pending" / "files").iterdir())
    assert names == [hashlib.sha256(b"another file").hexdigest()]
    assert len(list((tmp_path / "pending" / "users").iterdir())) == 1


def test_a_preview_damaged_on_disk_is_never_stored(tmp_path):
    pending = PendingPreviews(tmp_path, max_bytes=10_000, lifetime_seconds=3600)
    token = pending.save("kss", "kss.csv", b"what was previewed")
    (tmp_path / "pending" / "files" / hashlib.sha256(b"what was previewed").hexdigest()).write_bytes(b"other")
    assert pending.load(token, "kss") is None


def test_previews_kept_by_the_older_version_are_swept(tmp_path):
    folder = tmp_path / "pending"
    folder.mkdir()
    (folder / "AbCdEfGhIjKlMnOpQrStUvWxYz012345.json").write_text(json.dumps({"user": "kss", "content": "eA=="}))
    PendingPreviews(tmp_path, max_bytes=10_000, lifetime_seconds=3600).save("kss", "k.csv", b"x")
    assert sorted(p.name for p in folder.iterdir()) == [".lock", "files", "users"]
