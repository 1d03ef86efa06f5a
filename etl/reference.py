"""A programme's reference list of organisations: who may adopt it, in which AHSN, and what
replaced an organisation after a merger.

`data/programmes/<code>/organisations.csv` (the file the definition names), columns `ahsn`
(short name), `code`, `name`, `type`, `successor` (the code of the organisation that replaced
it, blank while it is current). Read and checked when a process starts (etl/settings.py), so a
list with a mistake stops start-up with a message naming the file, row and column; the reading
checks a return's codes against it. Light on purpose (stdlib only).
"""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path

from etl import ahsns
from etl.programmes import DefinitionError, Programme

COLUMNS = ("ahsn", "code", "name", "type", "successor")


@dataclass(frozen=True)
class Organisation:
    ahsn: str  # the AHSN's short name
    code: str
    name: str
    type: str  # one of the programme's organisation types
    successor: str | None  # the code of the organisation that replaced it; None while current

    @property
    def is_current(self) -> bool:
        return self.successor is None


@dataclass(frozen=True)
class ReferenceList:
    programme: str  # its code
    path: Path
    is_demo: bool  # invented organisations: say so wherever they show
    organisations: tuple[Organisation, ...]  # in the file's order

    @functools.cached_property
    def by_code(self) -> dict[str, Organisation]:
        return {o.code: o for o in self.organisations}

    @functools.cached_property
    def by_ahsn(self) -> dict[str, tuple[Organisation, ...]]:
        out: dict[str, list[Organisation]] = {}
        for o in self.organisations:
            out.setdefault(o.ahsn, []).append(o)
        return {a: tuple(os) for a, os in out.items()}

    @functools.cached_property
    def successors(self) -> dict[str, str]:
        """Merged code -> the code of the organisation it became."""
        return {o.code: o.successor for o in self.organisations if o.successor}

    def current_code(self, code: str) -> str:
        """The organisation `code` is now, following mergers to the end: DM428 -> DM668."""
        seen = {code}
        while code in self.successors:
            code = self.successors[code]
            if code in seen:  # a loop is refused when the list is read; never hang on one
                break
            seen.add(code)
        return code


def path_of(programme: Programme) -> Path:
    """Where the definition says its reference list is, beside the definition file."""
    return Path(programme.file).parent / (programme.reference_list or f"{programme.code}/organisations.csv")


def organisations(programme: Programme) -> ReferenceList:
    """The programme's reference list, read and checked (DefinitionError names the file, row and
    column of every mistake). Read once per process and definition file."""
    return _read(str(path_of(programme)), programme)


@functools.lru_cache(maxsize=32)
def _read(path: str, programme: Programme) -> ReferenceList:
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
        if o.successor and o.successor not in codes:
            problems.append(f"the successor of {o.code}, {o.successor}, is not in the list")
    listed = ReferenceList(programme.code, Path(path), programme.is_demo_data, tuple(found))
    for o in found:
        if o.successor and listed.current_code(o.code) in listed.successors:
            problems.append(f"the successors of {o.code} go round in a loop")
    if problems:
        raise DefinitionError(f"{path}: " + "; ".join(problems[:20]))
    return listed
