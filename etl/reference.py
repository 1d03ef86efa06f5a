"""A programme's reference list of organisations: who may adopt it, in which AHSN, its name and
type, and what replaced an organisation after a merger.

`data/programmes/<code>/organisations.csv` (the file the definition names), columns `ahsn`
(short name), `code`, `name`, `type`, `successor` (the code of the organisation that replaced
it, blank while it is current):

    ahsn,code,name,type,successor
    Health Innovation Manchester,DM428,University Hospitals of Tamberdene NHS Foundation Trust,acute,DM668

Read and checked when a process starts (etl/settings.py), so a list with a mistake stops
start-up with a message naming the file, row and column. A return is checked against it
(etl/code_owners.py: a code another AHSN owns, a code retired by a merger) and read with it
(etl/reading/check.py: a trust named without its code). A programme whose definition names no
list and has none beside it has an empty one, and those checks fall back on the returns stored.

Light on purpose (stdlib only): the reading child imports it.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from etl import ahsns
from etl.programmes import DefinitionError, Programme

COLUMNS = ("ahsn", "code", "name", "type", "successor")
# Words a trust's name is written with or without, at its end: "Royal Example Hospitals NHS
# Foundation Trust", "Royal Example Hospitals FT" and "Royal Example Hospitals" are one trust.
_SUFFIX_WORDS = {"nhs", "foundation", "trust", "ft", "nhsft", "nhst"}


@dataclass(frozen=True)
class Organisation:
    ahsn: str  # the AHSN's short name (data/reference/ahsns.csv)
    code: str
    name: str
    type: str  # one of the programme's organisation types
    successor: str | None  # the code of the organisation that replaced it; None while current

    @property
    def is_current(self) -> bool:
        return self.successor is None


@dataclass(frozen=True)
class Reference:
    """Every organisation of one programme, with lookups by code, by AHSN and by name."""

    programme: str  # its code
    organisations: tuple[Organisation, ...] = ()  # in the file's order
    path: Path | None = None  # None: the programme has no list
    is_demo: bool = False  # invented organisations: say so wherever they show
    _by_code: dict[str, Organisation] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_code.update({o.code: o for o in self.organisations})

    def __bool__(self) -> bool:
        return bool(self.organisations)

    def by_code(self, code: str) -> Organisation | None:
        return self._by_code.get(code)

    def of_ahsn(self, ahsn: str) -> tuple[Organisation, ...]:
        return tuple(o for o in self.organisations if o.ahsn == ahsn)

    @property
    def ahsns(self) -> tuple[str, ...]:
        """The AHSNs the list has organisations in, in the file's order."""
        return tuple(dict.fromkeys(o.ahsn for o in self.organisations))

    def successor(self, code: str) -> Organisation | None:
        """The organisation that took this one's place at the end of its mergers (DM428 ->
        DM668), or None if it has not merged. A loop is refused when the list is read; never
        hang on one."""
        org, seen = self.by_code(code), set()
        while org is not None and org.successor and org.code not in seen:
            seen.add(org.code)
            org = self.by_code(org.successor)
        return org if org is not None and org.code != code else None

    def current_code(self, code: str) -> str:
        """The code of the organisation `code` is now: DM428 -> DM668; itself if not merged."""
        after = self.successor(code)
        return after.code if after is not None else code

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


def path_of(programme: Programme) -> Path:
    """Where the definition says its reference list is, beside the definition file."""
    return Path(programme.file).parent / (programme.reference_list or f"{programme.code}/organisations.csv")


def organisations(programme: Programme) -> Reference:
    """The programme's reference list, read and checked (DefinitionError names the file, row and
    column of every mistake). Read once per process and file. A list the definition names must
    exist; without one named, a programme with no file beside it has an empty list."""
    path = path_of(programme)
    if programme.reference_list is None and not path.exists():
        return Reference(programme.code)
    return read_list(path, programme)


@functools.lru_cache(maxsize=32)
def _read(path: str, programme: Programme) -> Reference:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise DefinitionError(f"{path}: the reference list of {programme.short_name} cannot be read ({err})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    if tuple(h.strip().lower() for h in header) != COLUMNS:
        raise DefinitionError(f"{path}: row 1 should be the header {','.join(COLUMNS)}, not {','.join(header)}")
    pattern = re.compile(programme.code_pattern)
    types = set(programme.type_keys)
    problems, found = [], []
    for row_number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(COLUMNS):
            problems.append(f"row {row_number} has {len(cells)} values, not {len(COLUMNS)}")
            continue
        ahsn, code, name, kind, successor = (c.strip() for c in cells)
        known = ahsns.resolve(ahsn)
        if known is None:
            problems.append(f"row {row_number}, column ahsn: {ahsn!r} is not an AHSN (data/reference/ahsns.csv)")
        if not pattern.match(code.upper()):
            problems.append(
                f"row {row_number}, column code: {code!r} is not {programme.code_words} (e.g. {programme.code_example})"
            )
        if successor and not pattern.match(successor.upper()):
            problems.append(f"row {row_number}, column successor: {successor!r} is not {programme.code_words}")
        if not name:
            problems.append(f"row {row_number}, column name: blank")
        if kind not in types:
            problems.append(f"row {row_number}, column type: {kind!r} is not one of {', '.join(sorted(types))}")
        found.append(
            Organisation(known.short_name if known else ahsn, code.upper(), name, kind, successor.upper() or None)
        )
    codes = [o.code for o in found]
    seen: set[str] = set()
    for o in found:
        if o.code in seen:
            problems.append(f"code {o.code} is listed twice")
        seen.add(o.code)
        if o.successor and (o.successor not in codes or o.successor == o.code):
            problems.append(f"the successor of {o.code}, {o.successor}, is not another organisation in the list")
    listed = Reference(programme.code, tuple(found), Path(path), programme.is_demo_data)
    if not problems:  # a merger that leads back to itself has no end
        for o in found:
            step, trail = o, {o.code}
            while step is not None and step.successor:
                if step.successor in trail:
                    problems.append(f"the successors of {o.code} go round in a loop")
                    break
                trail.add(step.successor)
                step = listed.by_code(step.successor)
    if problems:
        raise DefinitionError(f"{path}: " + "; ".join(problems[:20]))
    return listed


def read_list(path: Path, programme: Programme) -> Reference:
    """The list at `path`, read and checked for `programme` (its code pattern and types)."""
    return _read(str(path), programme)
