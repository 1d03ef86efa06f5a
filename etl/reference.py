"""A programme's reference list of organisations: which AHSN each belongs to, its name and type,
and the organisation it merged into (its successor), from data/programmes/<code>/organisations.csv.

    ahsn,code,name,type,successor
    Health Innovation Manchester,DM428,University Hospitals of Tamberdene NHS Foundation Trust,acute,DM668

A return is checked against it (etl/validate.py: a code another AHSN owns, a code retired by a
merger) and read with it (etl/reading/check.py: a trust named without its code). A programme
without the file has an empty list, and those checks fall back on the returns stored.

Light on purpose (csv only, no pandas): the reading child imports it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from etl import ahsns
from etl.programmes import TRUST_TYPES

# beside the code, in the repository: each programme's own facts, like its definition
PROGRAMMES_FOLDER = Path(__file__).resolve().parent.parent / "data" / "programmes"
COLUMNS = ("ahsn", "code", "name", "type", "successor")
_CODE = re.compile(r"^[A-Z0-9]{3,5}$")
# Words a trust's name is written with or without, at its end: "Royal Example Hospitals NHS
# Foundation Trust", "Royal Example Hospitals FT" and "Royal Example Hospitals" are one trust.
_SUFFIX_WORDS = {"nhs", "foundation", "trust", "ft", "nhsft", "nhst"}


@dataclass(frozen=True)
class Organisation:
    ahsn: str  # the AHSN's short name (data/reference/ahsns.csv)
    code: str
    name: str
    type: str  # one of etl.programmes.TRUST_TYPES
    successor: str | None  # the code of the organisation it merged into, if it has


@dataclass(frozen=True)
class Reference:
    """Every organisation of one programme, with lookups by code, by AHSN and by name."""

    programme: str
    organisations: tuple[Organisation, ...] = ()
    _by_code: dict[str, Organisation] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_code.update({o.code: o for o in self.organisations})

    def __bool__(self) -> bool:
        return bool(self.organisations)

    def by_code(self, code: str) -> Organisation | None:
        return self._by_code.get(code)

    def of_ahsn(self, ahsn: str) -> tuple[Organisation, ...]:
        return tuple(o for o in self.organisations if o.ahsn == ahsn)

    def successor(self, code: str) -> Organisation | None:
        """The organisation that took this one's place at the end of its mergers (DM428 ->
        DM668), or None if it has not merged."""
        org, seen = self.by_code(code), set()
        while org is not None and org.successor and org.code not in seen:
            seen.add(org.code)
            org = self.by_code(org.successor)
        return org if org is not None and org.code != code else None

    def predecessors(self, code: str) -> tuple[Organisation, ...]:
        """The organisations that merged into this one (directly)."""
        return tuple(o for o in self.organisations if o.successor == code)

    def named(self, ahsn: str, name: str) -> tuple[Organisation, ...]:
        """The AHSN's organisations whose name is this one, written with or without case,
        spacing, punctuation, a leading 'The' and 'NHS (Foundation) Trust' at its end."""
        key = name_key(name)
        return tuple(o for o in self.of_ahsn(ahsn) if key and name_key(o.name) == key)


def name_key(name: str) -> str:
    """'The Royal Example Hospitals NHS Foundation Trust' -> 'royal example hospitals'."""
    words = re.sub(r"[^a-z0-9]+", " ", name.lower().replace("&", " and ")).split()
    if words[:1] == ["the"]:
        words = words[1:]
    while words and words[-1] in _SUFFIX_WORDS:
        words.pop()
    return " ".join(words)


def organisations(programme, folder: Path | None = None) -> Reference:
    """The reference list of `programme` (a Programme or its code); an empty one when the
    programme has none. A list that is not well formed is a ValueError: it is the project's
    own data, so it is mended, not read around."""
    code = getattr(programme, "code", programme)
    return _load(code, folder or PROGRAMMES_FOLDER)


@cache
def _load(code: str, folder: Path) -> Reference:
    path = folder / code / "organisations.csv"
    if not path.exists():
        return Reference(code)
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path}: the columns must be {','.join(COLUMNS)}")
        rows = list(reader)
    known = {a.short_name for a in ahsns.all_ahsns()}
    found: list[Organisation] = []
    for line, row in enumerate(rows, start=2):
        org = Organisation(row["ahsn"], row["code"], row["name"].strip(), row["type"], row["successor"] or None)
        if org.ahsn not in known:
            raise ValueError(
                f"{path}, line {line}: '{org.ahsn}' is not an AHSN's short name (data/reference/ahsns.csv)"
            )
        if not _CODE.match(org.code) or (org.successor and not _CODE.match(org.successor)):
            raise ValueError(f"{path}, line {line}: a code is 3 to 5 capital letters or digits")
        if org.type not in TRUST_TYPES:
            raise ValueError(f"{path}, line {line}: type must be one of {', '.join(TRUST_TYPES)}")
        if not org.name:
            raise ValueError(f"{path}, line {line}: the name is blank")
        found.append(org)
    codes = [o.code for o in found]
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        raise ValueError(f"{path}: {', '.join(twice)} listed more than once")
    for org in found:
        if org.successor and (org.successor not in codes or org.successor == org.code):
            raise ValueError(f"{path}: {org.code}'s successor {org.successor} is not another listed organisation")
    reference = Reference(code, tuple(found))
    for org in found:  # a merger that leads back to itself has no end
        seen = {org.code}
        step = org
        while step.successor:
            if step.successor in seen:
                raise ValueError(f"{path}: the mergers from {org.code} go round in a circle")
            seen.add(step.successor)
            step = reference.by_code(step.successor)
    return reference
