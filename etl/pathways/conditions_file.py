"""The national team's file of each AHSN's spread conditions, read and checked, and what it would change.

    ahsn,condition,present,evidence
    Wessex,NONDELAY,1,spread work began in April 2018
    Wessex,PHARMA,0,no pharmacist in post until 2020

One row an AHSN and condition: present (1, or yes/present/TRUE) or absent (0, no/absent/
FALSE), and the evidence in a few words. A `means` column (the template has one, so that
whoever fills it in sees what each condition means) is not read. A row whose `present` is
left blank records nothing: the condition stays "not recorded" for that AHSN (and the AHSN is
left out of an analysis that uses it); each such row is listed, never silent.

The bytes are read in the sandboxed reading child, by the case-table reader (an AHSN's name is
a case id); this module reads its cells. Every problem names the file, row and column, and
says how to fix it: an AHSN or a condition not known (the known ones listed), a value not 0 or
1, an AHSN and condition on two rows, evidence too long, a formula whose value was not saved.

What a file changes: for each AHSN it holds, its conditions as the file gives them become a
new version (etl/store/conditions.py), unless they are the same as the current ones.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from etl import ahsns
from etl.events import ConditionValue, SetConditions
from etl.pathways.cases import crisp, shown_cell
from etl.pathways.conditions import Condition, column_key, spread_conditions
from etl.problems import Problem
from etl.programmes import Programme
from etl.reading.cells import Unreadable
from etl.reading.check_parts import grouped, too_big
from etl.reading.grid import column_letter, is_blank
from etl.reading.headings import header_key
from etl.reading.kinds import clean_file_name
from etl.reading.limits import ReadLimits
from etl.reading.result import Interpretation, ParsedCaseTable
from etl.reading.sandbox import read_files
from etl.reading.text import BAD_CHARACTERS, describe_character

EVIDENCE_CHARACTERS = 300
HOW = (
    "Give the file a header row: ahsn, condition, present, evidence (as the template from "
    "`python -m etl conditions template` or the Pathways page), then one row for each AHSN and condition"
)
COLUMNS = ("ahsn", "condition", "present", "evidence")
IGNORED = {"means", "meaning", "what it means"}
UNREAD = object()  # a cell that could not be read (a problem says why)


@dataclass(frozen=True)
class ParsedConditions:
    """A conditions file as read: each AHSN's conditions (short name -> values in the
    programme's order), or every problem; and every value read other than as typed."""

    file_name: str
    values: dict[str, tuple[ConditionValue, ...]] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    readings: tuple[Interpretation, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def ahsns(self) -> list[str]:
        """The AHSNs the file records conditions for, in the national table's order."""
        return [a.short_name for a in ahsns.all_ahsns() if a.short_name in self.values]


def read_conditions_file(file_name: str, content: bytes, programme: Programme, limits: ReadLimits) -> ParsedConditions:
    """A conditions file read in the sandboxed child, then checked against the programme's
    conditions. Nothing is stored."""
    name = clean_file_name(file_name)
    defined = spread_conditions(programme)
    if not defined:
        return ParsedConditions(
            name,
            problems=(
                Problem(
                    name,
                    None,
                    None,
                    f"{programme.short_name} defines no spread conditions",
                    "Record conditions for a programme that defines them (TCAM's are the national review's twelve)",
                ),
            ),
        )
    if len(content) > limits.max_bytes:  # refused before anything is sent to a child
        return ParsedConditions(name, problems=(too_big(name, len(content), limits.max_bytes),))
    parsed = read_files([(name, content)], programme, limits, None, kind="cases")[0]
    return conditions_of(parsed, defined, limits)


def conditions_of(parsed: ParsedCaseTable, defined: tuple[Condition, ...], limits: ReadLimits) -> ParsedConditions:
    """What the reading child found, read as each AHSN's conditions."""
    file = parsed.file_name
    if not parsed.header:
        problems = [
            Problem(file, None, None, "no row of the file names an ahsn column", HOW)
            if "case column" in p.message
            else p
            for p in parsed.problems
        ]
        return ParsedConditions(file, problems=tuple(problems), readings=tuple(parsed.interpretations))
    if parsed.problems:
        return ParsedConditions(file, problems=tuple(parsed.problems), readings=tuple(parsed.interpretations))
    return _Reading(parsed, defined, limits).read()


class _Reading:
    def __init__(self, parsed: ParsedCaseTable, defined: tuple[Condition, ...], limits: ReadLimits):
        self.parsed, self.defined, self.limits = parsed, defined, limits
        self.file = parsed.file_name
        self.found: list[tuple[int | None, str | None, str, str]] = []
        self.notes: list[Interpretation] = list(parsed.interpretations)
        self.saved = {(r, c): saved for r, c, saved in parsed.formulas}
        self.by_key = {column_key(c.name): c.name for c in defined}
        self.readings: dict[tuple[str, str], list[int]] = defaultdict(list)

    def problem(self, row: int | None, column: str | None, message: str, fix: str) -> None:
        self.found.append((row, column, message, fix))

    def read(self) -> ParsedConditions:
        at = self._columns()
        if at is None:
            return self._result({})
        values: dict[str, dict[str, ConditionValue]] = defaultdict(dict)
        first_row: dict[tuple[str, str], int] = {}
        blank_rows: list[int] = []
        for number, cells in self.parsed.rows:
            if all(is_blank(c) for c in cells):
                continue
            if any(self.saved.get((number, i)) is False for i in at.values() if i is not None):
                self.problem(
                    number,
                    None,
                    "a cell of this row holds a formula whose result was not saved in the file",
                    "Open the file in Excel or LibreOffice, let it calculate, save it, and read it again",
                )
                continue
            ahsn = self._ahsn(number, _at(cells, at["ahsn"]))
            condition = self._condition(number, _at(cells, at["condition"]))
            present = self._present(number, _at(cells, at["present"]))
            evidence = self._evidence(number, _at(cells, at["evidence"]) if at["evidence"] is not None else None)
            if ahsn is None or condition is None or present is UNREAD:
                continue
            earlier = first_row.setdefault((ahsn, condition), number)
            if earlier != number:
                self.problem(
                    number,
                    "condition",
                    f"{ahsn}'s {condition} is on two rows (also row {earlier})",
                    "Keep one row for each AHSN and condition",
                )
                continue
            if present is None:
                blank_rows.append(number)
                continue
            values[ahsn][condition] = ConditionValue(condition, present, evidence, number)
        for (typed, read_as), rows in self.readings.items():
            self.notes.append(Interpretation("present", typed, read_as, tuple(rows)))
        if blank_rows:
            self.notes.append(
                Interpretation(
                    "present",
                    "",
                    "not recorded",
                    tuple(blank_rows),
                    note="a blank present cell records nothing for that AHSN and condition",
                )
            )
        if not values and not self.found:
            self.problem(
                None,
                "present",
                "the file records no condition: every present cell is blank",
                "Write 1 (present) or 0 (absent) for each AHSN and condition you have evidence for",
            )
        order = [c.name for c in self.defined]
        return self._result(
            {a: tuple(sorted(v.values(), key=lambda c: order.index(c.condition))) for a, v in values.items()}
        )

    def _result(self, values: dict) -> ParsedConditions:
        problems = tuple(grouped(self.file, sorted(self.found, key=lambda f: (f[0] is None, f[0] or 0)), self.limits))
        if problems:
            return ParsedConditions(self.file, {}, problems, tuple(self.notes))
        return ParsedConditions(self.file, values, (), tuple(self.notes))

    def _columns(self) -> dict[str, int | None] | None:
        """Where each column is; None (with a problem) when one that is needed is missing."""
        keys = [header_key(h) for h in self.parsed.header]
        at: dict[str, int | None] = {}
        for name in COLUMNS:
            wanted = {"ahsn": ("ahsn", "ahsn name")}.get(name, (name,))
            found = [i for i, k in enumerate(keys) if k in wanted]
            if len(found) > 1:
                self.problem(
                    self.parsed.header_row,
                    name,
                    f"columns {' and '.join(column_letter(i) for i in found)} are both called {name}",
                    "Keep one of the two columns",
                )
                return None
            at[name] = found[0] if found else None
        listed = ", ".join(h for h in self.parsed.header if not is_blank(h))
        missing = [n for n in ("ahsn", "condition", "present") if at[n] is None]
        if missing:
            looks = " (it looks like a case table, not a file of conditions)" if at["ahsn"] is None else ""
            self.problem(
                self.parsed.header_row,
                None,
                f"the file has no {_either(missing)} column{looks}; its columns are {listed}",
                HOW,
            )
            return None
        known = {i for i in at.values() if i is not None}
        for i, h in enumerate(self.parsed.header):
            if i not in known and not is_blank(h) and header_key(h) not in IGNORED:
                self.notes.append(Interpretation(None, None, None, note=f"column '{h}' is not read"))
        return at

    def _ahsn(self, number: int, cell) -> str | None:
        if is_blank(cell):
            self.problem(number, "ahsn", "the row names no AHSN", "Write the AHSN's name, as the template does")
            return None
        found = ahsns.resolve(shown_cell(cell))
        if found is None:
            self.problem(
                number,
                "ahsn",
                f"'{shown_cell(cell)[:60]}' is not one of the 15 AHSNs",
                "Write the AHSN's name as the template does (Wessex, KSS, Oxford, ...)",
            )
            return None
        return found.short_name

    def _condition(self, number: int, cell) -> str | None:
        known = ", ".join(c.name for c in self.defined)
        if is_blank(cell):
            self.problem(number, "condition", "the row names no condition", f"Write one of {known}")
            return None
        name = self.by_key.get(column_key(shown_cell(cell)))
        if name is None:
            self.problem(
                number,
                "condition",
                f"'{shown_cell(cell)[:40]}' is not one of the programme's conditions",
                f"Write one of {known}",
            )
        return name

    def _present(self, number: int, cell) -> bool | None | object:
        """True or False; None for a blank cell (nothing recorded); UNREAD (and a problem)
        for anything else."""
        if is_blank(cell):
            return None
        try:
            value, read_as = crisp(cell)
        except Unreadable as bad:
            self.problem(
                number,
                "present",
                bad.message,
                bad.fix.replace("in the case", "at the AHSN").replace("the case is", "the AHSN has the condition"),
            )
            return UNREAD
        if read_as is not None:
            self.readings[(shown_cell(cell), read_as)].append(number)
        return bool(value)

    def _evidence(self, number: int, cell) -> str | None:
        if is_blank(cell):
            return None
        if isinstance(cell, dict) and cell.get("kind") == "error":
            self.problem(number, "evidence", f"the cell shows the Excel error {cell['shown']}", "Type the evidence")
            return None
        text = " ".join(shown_cell(cell).split())
        bad = BAD_CHARACTERS.search(text)
        if bad:
            self.problem(
                number,
                "evidence",
                f"the cell contains {describe_character(bad.group())}",
                "Retype the cell (the character may be invisible)",
            )
            return None
        if len(text) > EVIDENCE_CHARACTERS:
            self.problem(
                number,
                "evidence",
                f"the evidence is {len(text):,} characters long; at most {EVIDENCE_CHARACTERS} are kept",
                "Say it in a sentence or two, and keep the full notes elsewhere",
            )
            return None
        return text


def _either(names: list[str]) -> str:
    """'present'; 'condition or present'; 'ahsn, condition or present'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _at(cells: list, position: int | None):
    return cells[position] if position is not None and position < len(cells) else None


# ---- what a file would change -------------------------------------------------------------


def same_values(a: tuple[ConditionValue, ...], b: tuple[ConditionValue, ...]) -> bool:
    """Whether two versions record the same conditions with the same evidence (rows may differ)."""
    return [(v.condition, v.present, v.evidence or None) for v in a] == [
        (v.condition, v.present, v.evidence or None) for v in b
    ]


@dataclass(frozen=True)
class Change:
    """What a file would do to one AHSN's conditions."""

    ahsn: str
    values: tuple[ConditionValue, ...]
    before: SetConditions | None  # the newest version now (None: nothing recorded yet)
    version: int  # the number this would have: 1 for the first

    @property
    def unchanged(self) -> bool:
        return self.before is not None and same_values(self.before.values, self.values)

    def differences(self) -> list[str]:
        """Each condition that changes, in words: 'PHARMA: absent -> present'."""
        old = {v.condition: v for v in self.before.values} if self.before is not None else {}
        new = {v.condition: v for v in self.values}
        out = []
        for name in dict.fromkeys([*new, *old]):
            a, b = old.get(name), new.get(name)
            if a is not None and b is not None and a.present == b.present:
                if (a.evidence or None) != (b.evidence or None):
                    out.append(f"{name}: evidence changed")
                continue
            out.append(f"{name}: {presence(a)} -> {presence(b)}")
        return out


def presence(value: ConditionValue | None) -> str:
    return "not recorded" if value is None else ("present" if value.present else "absent")


def changes(parsed: ParsedConditions, versions: dict[str, list[SetConditions]]) -> list[Change]:
    """Per AHSN in the file: its conditions against its newest version (`versions`: every
    version of every AHSN, oldest first)."""
    out = []
    for ahsn in parsed.ahsns():
        mine = versions.get(ahsn, [])
        out.append(Change(ahsn, parsed.values[ahsn], mine[-1] if mine else None, len(mine) + 1))
    return out


def values_words(values: tuple[ConditionValue, ...]) -> str:
    """'NONDELAY, PHARMA present; ADOPT absent' (and 'nothing recorded')."""
    present = [v.condition for v in values if v.present]
    absent = [v.condition for v in values if not v.present]
    parts = ([", ".join(present) + " present"] if present else []) + ([", ".join(absent) + " absent"] if absent else [])
    return "; ".join(parts) or "nothing recorded"


def template_rows(programme: Programme, versions: dict[str, list[SetConditions]], order: list[str]) -> list[list]:
    """Every AHSN and condition as a file to fill in (the header first): the current value and
    evidence where one is recorded, blank where not, and what each condition means. (The
    caller writes it, neutralising formulas: etl.templates.)"""
    defined = spread_conditions(programme)
    rows: list[list] = [[*COLUMNS, "means"]]
    for ahsn in order:
        mine = versions.get(ahsn, [])
        now = {v.condition: v for v in mine[-1].values} if mine else {}
        for c in defined:
            v = now.get(c.name)
            rows.append([ahsn, c.name, "" if v is None else int(v.present), (v.evidence or "") if v else "", c.means])
    return rows
