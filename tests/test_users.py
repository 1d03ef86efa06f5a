"""python -m etl users add|remove|list|passwd, and the user file they keep."""

from __future__ import annotations

import io
import json
import stat

import pytest

from etl import cli, users

PASSWORD = "correct horse battery"


def run(argv, monkeypatch, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return cli.main(["users", *argv])


def test_add_list_passwd_remove(empty_store, monkeypatch, capsys):
    assert run(["add", "asha", "--ahsn", "wessex", "--password-stdin"], monkeypatch, PASSWORD + "\n") == 0
    assert run(["add", "nat", "--national", "--password-stdin"], monkeypatch, PASSWORD + "\n") == 0
    assert run(["list"], monkeypatch) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "added asha, submitter for Wessex",
        "added nat, national administrator",
        "asha\tsubmitter for Wessex",
        "nat\tnational administrator",
    ]
    # kept in the store folder, hashed with argon2id, readable by the owner only
    path = empty_store.root / "users.json"
    record = json.loads(path.read_text())["users"]["asha"]
    assert record["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert users.authenticate("asha", PASSWORD).ahsn == "Wessex"
    assert users.authenticate("asha", PASSWORD + "x") is None
    assert users.authenticate("nobody", PASSWORD) is None

    stamp = users.get("asha").stamp
    assert run(["passwd", "asha", "--password-stdin"], monkeypatch, "a new long password\n") == 0
    assert users.authenticate("asha", PASSWORD) is None
    assert users.authenticate("asha", "a new long password").name == "asha"
    assert users.get("asha").stamp != stamp  # ends sessions signed in with the old password

    assert run(["remove", "asha"], monkeypatch) == 0
    assert users.get("asha") is None
    assert [u.name for u in users.all_users()] == ["nat"]


@pytest.mark.parametrize("argv, stdin, message", [
    (["add", "b", "--ahsn", "Atlantis", "--password-stdin"], PASSWORD,
     "error: 'Atlantis' is not one of the 15 AHSNs; use its short name, e.g. Wessex"),
    (["add", "b", "--ahsn", "KSS", "--password-stdin"], "short",
     "error: the password must be at least 12 characters long"),
    (["add", "b c", "--national", "--password-stdin"], PASSWORD,
     "error: a user name is 1 to 64 letters, digits or . _ - @ (an email address works)"),
    (["remove", "ghost"], "", "error: there is no user called ghost"),
    (["passwd", "ghost", "--password-stdin"], PASSWORD, "error: there is no user called ghost"),
])
def test_refused_commands_say_why(empty_store, monkeypatch, capsys, argv, stdin, message):
    assert run(argv, monkeypatch, stdin) == 1
    assert capsys.readouterr().err.strip() == message


def test_no_duplicate_users_and_no_default_accounts(empty_store, monkeypatch, capsys):
    assert users.all_users() == []
    assert run(["add", "asha", "--ahsn", "Wessex", "--password-stdin"], monkeypatch, PASSWORD) == 0
    assert run(["add", "asha", "--national", "--password-stdin"], monkeypatch, PASSWORD) == 1
    assert capsys.readouterr().err.strip() == "error: there is already a user called asha"


def test_permissions():
    sub = users.User("asha", "ahsn", "Wessex", "s")
    nat = users.User("nat", "national", None, "s")
    assert sub.may_act_on(["Wessex"]) and not sub.may_act_on(["Wessex", "KSS"])
    assert not sub.may_act_on([])
    assert nat.may_act_on(["Wessex", "KSS"])
