"""What reading a file gives: a return's records or a trajectory's steps, problems, warnings
and interpretations.

Light on purpose (no pandas at import): the reading child process builds these, and they
cross the process boundary as JSON (`to_json` / `from_json`), which is also the form the
parsed rows can be kept in beside each original. The JSON form is versioned and complete:
`from_json(to_json(p))` gives back an equal ParsedReturn.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from etl.problems import Problem, row_list
from etl.quarters import Quarter
from etl.rows import FRAME_COLUMNS, TrustRow

JSON_VERSION = 1


@dataclass(frozen=True)
class Interpretation:
    """A value (or the file's layout) read as something other than exactly what was typed.

    Cell readings have `column`, `typed` and `read_as`, grouped over `rows`:
    "adoption_level: '4 - Live' read as 4 in 3 rows (2, 5, 7)". Readings of the file's
    layout (the header row, the sheet, the delimiter, the encoding) have only a `note`."""

    column: str | None
    typed: str | None
    read_as: str | None
    rows: tuple[int, ...] = ()
    note: str = ""

    def __str__(self) -> str:
        if self.typed is None:
            return self.note
        where = ""
        if len(self.rows) == 1:
            where = f" in row {self.rows[0]}"
        elif self.rows:
            where = f" in {len(self.rows)} rows ({row_list(self.rows)})"
        text = f"{self.column}: '{self.typed}' read as {self.read_as}{where}"
        return f"{text} ({self.note})" if self.note else text

    def as_dict(self) -> dict:
        return {
            "column": self.column,
            "typed": self.typed,
            "read_as": self.read_as,
            "rows": list(self.rows),
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Interpretation:
        return cls(d["column"], d["typed"], d["read_as"], tuple(d.get("rows") or ()), d.get("note", ""))


@dataclass
class ParsedReturn:
    file_name: str
    records: list[TrustRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    interpretations: list[Interpretation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def returns(self) -> list[tuple[str, Quarter, int]]:
        """The AHSN-quarters the file holds, with their row counts, in table order."""
        from etl import ahsns

        counts: dict[tuple[str, Quarter], int] = defaultdict(int)
        for r in self.records:
            counts[(r.ahsn, r.quarter)] += 1
        order = {a.short_name: a.table_order for a in ahsns.all_ahsns()}
        return sorted(((a, q, n) for (a, q), n in counts.items()), key=lambda t: (t[1], order[t[0]]))

    def frame(self):
        """The records as a data frame (quarter as its label, plus quarter_index)."""
        import pandas as pd  # only the parent process needs pandas

        rows = [{**r.as_json(), "quarter_index": r.quarter.index} for r in self.records]
        frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
        for col in ("referrals_made", "referrals_completed"):
            frame[col] = frame[col].astype("Int64")
        frame["trust_type_given"] = frame["trust_type_given"].astype(bool)
        return frame

    # ---- JSON ----------------------------------------------------------------------

    def as_dict(self) -> dict:
        return {
            "version": JSON_VERSION,
            "file_name": self.file_name,
            "records": [r.as_json() for r in self.records],
            "problems": [p.as_dict() for p in self.problems],
            "warnings": [w.as_dict() for w in self.warnings],
            "interpretations": [i.as_dict() for i in self.interpretations],
        }

    @classmethod
    def from_dict(cls, d: dict) -> ParsedReturn:
        if d.get("version") != JSON_VERSION:
            raise ValueError(f"parsed return of version {d.get('version')!r}, expected {JSON_VERSION}")
        return cls(
            d["file_name"],
            [TrustRow.from_json(r) for r in d["records"]],
            [Problem.from_dict(p) for p in d["problems"]],
            [Problem.from_dict(w) for w in d["warnings"]],
            [Interpretation.from_dict(i) for i in d["interpretations"]],
        )

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> ParsedReturn:
        return cls.from_dict(json.loads(text))


# The columns of one step of a trajectory, in order.
STEP_FIELDS = ("row", "ahsn", "quarter", "target_percent", "note")


@dataclass
class ParsedTrajectory:
    """What reading a trajectory file gives: each AHSN's steps (a target rate by a quarter),
    problems, and how it was read. Same JSON shape as ParsedReturn, with `steps`."""

    file_name: str
    steps: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    interpretations: list[Interpretation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def ahsns(self) -> list[str]:
        """The AHSNs the file sets a trajectory for, in table order."""
        from etl import ahsns

        order = {a.short_name: a.table_order for a in ahsns.all_ahsns()}
        return sorted({s["ahsn"] for s in self.steps}, key=order.__getitem__)

    def steps_of(self, ahsn: str) -> list[dict]:
        """One AHSN's steps, earliest quarter first."""
        return sorted((s for s in self.steps if s["ahsn"] == ahsn), key=lambda s: s["quarter"])

    def as_dict(self) -> dict:
        return {
            "version": JSON_VERSION,
            "file_name": self.file_name,
            "steps": [{**{k: s.get(k) for k in STEP_FIELDS}, "quarter": s["quarter"].label} for s in self.steps],
            "problems": [p.as_dict() for p in self.problems],
            "warnings": [w.as_dict() for w in self.warnings],
            "interpretations": [i.as_dict() for i in self.interpretations],
        }

    @classmethod
    def from_dict(cls, d: dict) -> ParsedTrajectory:
        if d.get("version") != JSON_VERSION:
            raise ValueError(f"parsed trajectory of version {d.get('version')!r}, expected {JSON_VERSION}")
        return cls(
            d["file_name"],
            [{**{k: s.get(k) for k in STEP_FIELDS}, "quarter": Quarter.parse(s["quarter"])} for s in d["steps"]],
            [Problem.from_dict(p) for p in d["problems"]],
            [Problem.from_dict(w) for w in d["warnings"]],
            [Interpretation.from_dict(i) for i in d["interpretations"]],
        )


# What the reading child can be asked to read: the kind of file, and the result it gives.
RESULTS = {"return": ParsedReturn, "trajectory": ParsedTrajectory}


@dataclass
class ParsedCaseTable:
    """What reading a case table gives (etl/reading/casetable.py): its header and every row's
    cells as the file holds them, for etl.pathways.cases to read as 0s and 1s. A cell is text,
    a number, TRUE/FALSE, None (blank), or {"kind": "date" | "error" | "number", "shown": ...}
    for what JSON cannot carry. `formulas`: (row, column index, whether its value was saved)."""

    file_name: str
    sheet: str = ""
    header_row: int | None = None
    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, list]] = field(default_factory=list)
    formulas: list[tuple[int, int, bool]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    interpretations: list[Interpretation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {
            "version": JSON_VERSION,
            "file_name": self.file_name,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "header": list(self.header),
            "rows": [[number, list(cells)] for number, cells in self.rows],
            "formulas": [list(f) for f in self.formulas],
            "problems": [p.as_dict() for p in self.problems],
            "warnings": [w.as_dict() for w in self.warnings],
            "interpretations": [i.as_dict() for i in self.interpretations],
        }

    @classmethod
    def from_dict(cls, d: dict) -> ParsedCaseTable:
        if d.get("version") != JSON_VERSION:
            raise ValueError(f"parsed case table of version {d.get('version')!r}, expected {JSON_VERSION}")
        return cls(
            d["file_name"],
            d.get("sheet", ""),
            d.get("header_row"),
            list(d.get("header") or []),
            [(int(number), list(cells)) for number, cells in d.get("rows") or []],
            [(int(r), int(c), bool(saved)) for r, c, saved in d.get("formulas") or []],
            [Problem.from_dict(p) for p in d["problems"]],
            [Problem.from_dict(w) for w in d["warnings"]],
            [Interpretation.from_dict(i) for i in d["interpretations"]],
        )


RESULTS["cases"] = ParsedCaseTable  # a case table for a QCA (etl/reading/casetable.py)
