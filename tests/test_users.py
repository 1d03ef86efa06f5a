"""python -m etl users add|remove|list|passwd, and the user file they keep."""

from __future__ import annotations

import io
import json
import stat

import pytest

from etl import cli
from etl.permissions import Action, allowed_for_all
from etl.users import User, Users
from tests.conftest import settings_for

PASSWORD = "correct horse battery"


@pytest.fixture
def users(empty_store) -> Users:
    return Users(empty_store.root)


@pytest.fixture
def run(empty_store, monkeypatch):
    """`python -m etl users ARGV` on the test's store, with `stdin` as standard input."""

    def run(argv, stdin=""):
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        return cli.main(["users", *argv], settings=settings_for(empty_store.root))

    return run


def test_add_list_passwd_remove(empty_store, users, run, capsys):
    assert run(["add", "asha", "--ahsn", "wessex", "--password-stdin"], PASSWORD + "\n") == 0
    assert run(["add", "nat", "--national", "--password-stdin"], PASSWORD + "\n") == 0
    assert run(["list"]) == 0
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
    assert run(["passwd", "asha", "--password-stdin"], "a new long password\n") == 0
    assert users.authenticate("asha", PASSWORD) is None
    assert users.authenticate("asha", "a new long password").name == "asha"
    assert users.get("asha").stamp != stamp  # ends sessions signed in with the old password

    assert run(["remove", "asha"]) == 0
    assert users.get("asha") is None
    assert [u.name for u in users.all()] == ["nat"]


@pytest.mark.parametrize(
    "argv, stdin, message",
    [
        (
            ["add", "b", "--ahsn", "Atlantis", "--password-stdin"],
            PASSWORD,
            "error: 'Atlantis' is not one of the 15 AHSNs; use its short name, e.g. Wessex",
        ),
        (
            ["add", "b", "--ahsn", "KSS", "--password-stdin"],
            "short",
            "error: the password must be at least 12 characters long",
        ),
        (
            ["add", "b c", "--national", "--password-stdin"],
            PASSWORD,
            "error: a user name is 1 to 64 letters, digits or . _ - @ (an email address works)",
        ),
        (["remove", "ghost"], "", "error: there is no user called ghost"),
        (["passwd", "ghost", "--password-stdin"], PASSWORD, "error: there is no user called ghost"),
    ],
)
def test_refused_commands_say_why(run, capsys, argv, stdin, message):
    assert run(argv, stdin) == 1
    assert capsys.readouterr().err.strip() == message


def test_no_duplicate_users_and_no_default_accounts(users, run, capsys):
    assert users.all() == []
    assert run(["add", "asha", "--ahsn", "Wessex", "--password-stdin"], PASSWORD) == 0
    assert run(["add", "asha", "--national", "--password-stdin"], PASSWORD) == 1
    assert capsys.readouterr().err.strip() == "error: there is already a user called asha"


def test_a_submission_is_a_submitters_only_when_every_ahsn_in_it_is_theirs():
    sub = User("asha", "ahsn", "Wessex", "s")
    nat = User("nat", "national", None, "s")
    assert allowed_for_all(sub, Action.RESTORE, ["Wessex"]) and not allowed_for_all(
        sub, Action.RESTORE, ["Wessex", "KSS"]
    )
    assert not allowed_for_all(sub, Action.RESTORE, [])
    assert allowed_for_all(nat, Action.RESTORE, ["Wessex", "KSS"])
