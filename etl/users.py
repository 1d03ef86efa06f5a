"""The people who may upload returns, and `python -m etl users add|remove|list|passwd`.

Users live in <METRICS_DATA>/users.json, beside the store and never in the repository:

    {"users": {"asha": {"role": "ahsn", "ahsn": "Wessex", "password_hash": "$argon2id$...",
                        "stamp": "<random>", "created_at": "...", "changed_at": "..."}}}

Two roles: an AHSN submitter ("ahsn") uploads, sees the history of and restores returns for
one AHSN; a national administrator ("national") may do so for every AHSN. Passwords are
hashed with Argon2id (salted, memory-hard). There are no default accounts: the first user
is added from the command line. `stamp` changes with every password change or removal, so
a session signed in with the old password stops working (dashboard/auth.py checks it).

The file is small and rewritten whole, atomically, under a lock, so gunicorn workers and
the command line can read it at any time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import getpass
import json
import os
import secrets
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from etl import ahsns, settings

ROLES = ("ahsn", "national")
MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
# Verified against when the user name is unknown, so a wrong name takes as long as a
# wrong password and timing does not reveal which names exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class UserError(ValueError):
    """A user command that cannot be done; the message says why."""


@dataclass(frozen=True)
class User:
    name: str
    role: str  # "ahsn" or "national"
    ahsn: str | None  # the AHSN's short name, for role "ahsn"
    stamp: str

    @property
    def is_national(self) -> bool:
        return self.role == "national"

    def may_submit_for(self, ahsn: str) -> bool:
        return self.is_national or ahsn == self.ahsn

    def may_act_on(self, ahsn_names) -> bool:
        """True when every AHSN of a submission is one this user may submit for."""
        names = set(ahsn_names)
        return bool(names) and all(self.may_submit_for(a) for a in names)

    @property
    def description(self) -> str:
        return "national administrator" if self.is_national else f"submitter for {self.ahsn}"


def users_file() -> Path:
    return settings.data_dir() / "users.json"


def _read() -> dict:
    try:
        return json.loads(users_file().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"users": {}}


@contextlib.contextmanager
def _changing() -> Iterator[dict]:
    """Read, change and write back the users file, one process at a time."""
    path = users_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name("users.lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            data = _read()
            yield data
            tmp = path.with_name(f".users.{uuid.uuid4().hex[:8]}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # hashes: owner only
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, indent=1, sort_keys=True)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _to_user(name: str, record: dict) -> User:
    return User(name, record["role"], record.get("ahsn"), record["stamp"])


def get(name: str) -> User | None:
    record = _read()["users"].get(name)
    return _to_user(name, record) if record else None


def all_users() -> list[User]:
    return [_to_user(n, r) for n, r in sorted(_read()["users"].items())]


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long")


def _check_name(name: str) -> None:
    if not name or len(name) > 64 or not all(c.isalnum() or c in "._-@" for c in name):
        raise UserError("a user name is 1 to 64 letters, digits or . _ - @ (an email address works)")


def add(name: str, password: str, role: str, ahsn: str | None = None) -> User:
    _check_name(name)
    _check_password(password)
    if role not in ROLES:
        raise UserError(f"the role must be one of {', '.join(ROLES)}")
    short_name = None
    if role == "ahsn":
        found = ahsns.resolve(ahsn or "")
        if found is None:
            raise UserError(f"'{ahsn}' is not one of the 15 AHSNs; use its short name, e.g. Wessex")
        short_name = found.short_name
    with _changing() as data:
        if name in data["users"]:
            raise UserError(f"there is already a user called {name}")
        data["users"][name] = {
            "role": role, "ahsn": short_name, "password_hash": _hasher.hash(password),
            "stamp": secrets.token_hex(8), "created_at": _now(), "changed_at": _now(),
        }
        return _to_user(name, data["users"][name])


def remove(name: str) -> None:
    with _changing() as data:
        if data["users"].pop(name, None) is None:
            raise UserError(f"there is no user called {name}")


def set_password(name: str, password: str) -> None:
    _check_password(password)
    with _changing() as data:
        record = data["users"].get(name)
        if record is None:
            raise UserError(f"there is no user called {name}")
        record["password_hash"] = _hasher.hash(password)
        record["stamp"] = secrets.token_hex(8)  # signs out every session of the old password
        record["changed_at"] = _now()


def authenticate(name: str, password: str) -> User | None:
    """The user if the password is theirs, else None (same work either way)."""
    record = _read()["users"].get(name)
    try:
        _hasher.verify(record["password_hash"] if record else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return _to_user(name, record) if record else None


# ---- python -m etl users ... ------------------------------------------------------------


def add_commands(commands, registry: dict) -> None:
    """Called by etl/cli.py: one `users` command with its own subcommands."""
    parser = commands.add_parser("users", help="manage who may upload returns")
    sub = parser.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add_p = sub.add_parser("add", help="add a user (asks for the password)")
    add_p.add_argument("name")
    who = add_p.add_mutually_exclusive_group(required=True)
    who.add_argument("--ahsn", help="the AHSN this user submits for, e.g. Wessex")
    who.add_argument("--national", action="store_true",
                     help="a national administrator, who may submit for every AHSN")
    add_p.add_argument("--password-stdin", action="store_true",
                       help="read the password from standard input (for scripts)")
    remove_p = sub.add_parser("remove", help="remove a user (their sessions end at once)")
    remove_p.add_argument("name")
    sub.add_parser("list", help="list the users and what each may do")
    passwd_p = sub.add_parser("passwd", help="set a user's password (their sessions end)")
    passwd_p.add_argument("name")
    passwd_p.add_argument("--password-stdin", action="store_true",
                          help="read the password from standard input (for scripts)")
    registry["users"] = cmd_users


def _ask_password(args) -> str:
    """Never from the command line itself: it would show in `ps` and the shell history."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise UserError("the two passwords are different")
    return first


def cmd_users(args) -> int:
    try:
        if args.users_command == "add":
            user = add(args.name, _ask_password(args), "national" if args.national else "ahsn",
                       args.ahsn)
            print(f"added {user.name}, {user.description}")
        elif args.users_command == "remove":
            remove(args.name)
            print(f"removed {args.name}")
        elif args.users_command == "passwd":
            set_password(args.name, _ask_password(args))
            print(f"changed the password of {args.name}; their sessions have ended")
        else:
            users = all_users()
            for u in users:
                print(f"{u.name}\t{u.description}")
            if not users:
                print("no users yet: add one with python -m etl users add NAME --ahsn AHSN "
                      "(or --national)", file=sys.stderr)
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0

