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
        "added asha, submitter for Wessex (tcam)",
        "added nat, national administrator (every programme)",
        "asha\tsubmitter for Wessex\ttcam",
        "nat\tnational administrator\tevery programme",
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


def test_a_submitter_is_granted_programmes_and_a_record_without_them_means_tcam(
    empty_store, users, capsys, tmp_path, monkeypatch
):
    import shutil

    from etl.permissions import allowed, why_not
    from etl.programmes import Programmes
    from tests.conftest import ROOT

    folder = tmp_path / "programmes"
    shutil.copytree(ROOT / "data" / "programmes", folder)
    tcam_text = (folder / "tcam.toml").read_text()
    (folder / "other.toml").write_text(tcam_text.replace('code = "tcam"', 'code = "other"').replace("TCAM", "OTHER"))
    programmes = Programmes.from_folder(folder)
    settings = settings_for(empty_store.root, METRICS_PROGRAMMES=str(folder))

    def users_cli(argv, stdin=""):
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        return cli.main(["users", *argv], settings=settings)

    assert (
        users_cli(
            ["add", "asha", "--ahsn", "Wessex", "--password-stdin", "--programmes", "TCAM,other"], PASSWORD + "\n"
        )
        == 0
    )
    assert users_cli(["add", "bo", "--ahsn", "KSS", "--password-stdin", "--programmes", "nope"], PASSWORD + "\n") == 1
    assert "'nope' is not a programme (known: tcam, escape-pain, other, pincer, precept)" in capsys.readouterr().err
    assert users.get("asha").programmes == ("tcam", "other")
    # a record from before programmes were granted: TCAM only, as it could do then
    data = json.loads((empty_store.root / "users.json").read_text())
    data["users"]["old"] = {**data["users"]["asha"]}
    del data["users"]["old"]["programmes"]
    (empty_store.root / "users.json").write_text(json.dumps(data))
    old = users.get("old")
    assert old.programmes == ("tcam",)
    assert allowed(old, Action.SUBMIT, ahsn="Wessex", programme=programmes["tcam"])
    assert not allowed(old, Action.SUBMIT, ahsn="Wessex", programme=programmes["other"])
    assert why_not(old, Action.SUBMIT, ahsn="Wessex", programme=programmes["other"]) == (
        "You may not upload returns for OTHER: your account is for TCAM only. Ask the national team to add OTHER to it."
    )
    assert users_cli(["programmes", "old", "other"]) == 0
    assert "old now submits for Wessex in other" in capsys.readouterr().out
    assert allowed(users.get("old"), Action.SUBMIT, ahsn="Wessex", programme=programmes["other"])
    assert not allowed(users.get("old"), Action.SUBMIT, ahsn="Wessex", programme=programmes["tcam"])
    assert users_cli(["add", "nat", "--national", "--password-stdin"], PASSWORD + "\n") == 0
    assert allowed(users.get("nat"), Action.SUBMIT, ahsn="KSS", programme=programmes["other"])
    assert users_cli(["programmes", "nat", "tcam"]) == 1
    assert "works on every programme" in capsys.readouterr().err
