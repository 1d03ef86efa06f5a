"""The people who may upload returns: the account store (`python -m etl users` manages it).

Users live in <METRICS_DATA>/users.json, beside the store and never in the repository:

    {"users": {"asha": {"role": "ahsn", "ahsn": "Wessex", "programmes": ["tcam", "pincer"],
                        "password_hash": "$argon2id$...",
                        "email": "asha@example.nhs.uk", "stamp": "<random>",
                        "created_at": "...", "changed_at": "..."}}}

Two roles: an AHSN submitter ("ahsn") uploads, sees the history of and restores returns for
one AHSN, in the programmes they are granted (`programmes`; a record from before programmes
were granted has none and means TCAM only, all it could do then); a national administrator
("national") may do so for every AHSN and every programme, and runs the collection. What each role may do is decided in one place, etl/permissions.py. Passwords are
hashed with Argon2id (salted, memory-hard). There are no default accounts: the first user
is added from the command line. `stamp` changes with every password change or removal, so
a session signed in with the old password stops working (dashboard/security/auth.py checks it).

The file is small and rewritten whole, atomically, under a lock, so gunicorn workers and
the command line can read it at any time. A `Users` is made for one store folder by the
web app's composition root or the command line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from etl import ahsns
from etl.files import make_folder, write_atomically

ROLES = ("ahsn", "national")
# What a submitter's record without `programmes` was written for: the one programme there was.
BEFORE_PROGRAMMES = ("tcam",)
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
    email: str | None = None  # for reminders and receipts, if the dashboard sends e-mail
    # The codes of the programmes a submitter submits for; a national administrator has every one.
    programmes: tuple[str, ...] = BEFORE_PROGRAMMES

    @property
    def is_national(self) -> bool:
        return self.role == "national"

    def works_on(self, code: str) -> bool:
        """Whether the user acts for the programme of this code at all."""
        return self.is_national or code in self.programmes

    @property
    def description(self) -> str:
        return "national administrator" if self.is_national else f"submitter for {self.ahsn}"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _to_user(name: str, record: dict) -> User:
    granted = tuple(record.get("programmes") or BEFORE_PROGRAMMES)
    return User(name, record["role"], record.get("ahsn"), record["stamp"], record.get("email"), granted)


def _check_programmes(codes) -> list[str]:
    """Programme codes as kept: lower case, each once, in the order given."""
    kept = list(dict.fromkeys(str(c).strip().lower() for c in codes if str(c).strip()))
    if not kept:
        raise UserError("give at least one programme, e.g. --programmes tcam,pincer")
    return kept


EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


def _check_email(email: str | None) -> str | None:
    if email is None or email == "":
        return None
    if len(email) > 254 or not EMAIL.match(email):
        raise UserError(f"'{email[:60]}' is not an e-mail address")
    return email


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long")


def _check_name(name: str) -> None:
    if not name or len(name) > 64 or not all(c.isalnum() or c in "._-@" for c in name):
        raise UserError("a user name is 1 to 64 letters, digits or . _ - @ (an email address works)")


class Users:
    """The accounts kept in <store folder>/users.json."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / "users.json"

    def _read(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"users": {}}

    @contextlib.contextmanager
    def _changing(self) -> Iterator[dict]:
        """Read, change and write back the users file, one process at a time."""
        make_folder(self.path.parent)
        fd = os.open(self.path.with_name("users.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                data = self._read()
                yield data
                # password hashes: owner only (write_atomically creates files 0600)
                write_atomically(self.path, json.dumps(data, indent=1, sort_keys=True).encode())
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def get(self, name: str) -> User | None:
        record = self._read()["users"].get(name)
        return _to_user(name, record) if record else None

    def all(self) -> list[User]:
        return [_to_user(n, r) for n, r in sorted(self._read()["users"].items())]

    def add(
        self,
        name: str,
        password: str,
        role: str,
        ahsn: str | None = None,
        email: str | None = None,
        programmes: list[str] | None = None,
    ) -> User:
        """`programmes`: the codes a submitter submits for (the caller checks they exist);
        None: TCAM only. A national administrator has every programme."""
        _check_name(name)
        _check_password(password)
        email = _check_email(email)
        if role not in ROLES:
            raise UserError(f"the role must be one of {', '.join(ROLES)}")
        short_name = None
        if role == "ahsn":
            found = ahsns.resolve(ahsn or "")
            if found is None:
                raise UserError(f"'{ahsn}' is not one of the 15 AHSNs; use its short name, e.g. Wessex")
            short_name = found.short_name
        with self._changing() as data:
            if name in data["users"]:
                raise UserError(f"there is already a user called {name}")
            data["users"][name] = {
                "role": role,
                "ahsn": short_name,
                **({"programmes": _check_programmes(programmes)} if role == "ahsn" and programmes is not None else {}),
                "password_hash": _hasher.hash(password),
                "email": email,
                "stamp": secrets.token_hex(8),
                "created_at": _now(),
                "changed_at": _now(),
            }
            return _to_user(name, data["users"][name])

    def set_email(self, name: str, email: str | None) -> None:
        """Set (or with None, remove) the address reminders and receipts go to."""
        email = _check_email(email)
        with self._changing() as data:
            record = data["users"].get(name)
            if record is None:
                raise UserError(f"there is no user called {name}")
            record["email"] = email
            record["changed_at"] = _now()

    def set_programmes(self, name: str, programmes: list[str]) -> User:
        """Grant a submitter these programmes (and no others); their sessions see it at once."""
        codes = _check_programmes(programmes)
        with self._changing() as data:
            record = data["users"].get(name)
            if record is None:
                raise UserError(f"there is no user called {name}")
            if record["role"] != "ahsn":
                raise UserError(f"{name} is a national administrator, who works on every programme")
            record["programmes"] = codes
            record["changed_at"] = _now()
            return _to_user(name, record)

    def remove(self, name: str) -> None:
        with self._changing() as data:
            if data["users"].pop(name, None) is None:
                raise UserError(f"there is no user called {name}")

    def set_password(self, name: str, password: str) -> None:
        _check_password(password)
        with self._changing() as data:
            record = data["users"].get(name)
            if record is None:
                raise UserError(f"there is no user called {name}")
            record["password_hash"] = _hasher.hash(password)
            record["stamp"] = secrets.token_hex(8)  # signs out every session of the old password
            record["changed_at"] = _now()

    def authenticate(self, name: str, password: str) -> User | None:
        """The user if the password is theirs, else None (same work either way)."""
        record = self._read()["users"].get(name)
        try:
            _hasher.verify(record["password_hash"] if record else _DUMMY_HASH, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        return _to_user(name, record) if record else None
