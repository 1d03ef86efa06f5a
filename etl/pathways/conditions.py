"""What a programme's spread conditions mean: the words beside a solution.

TCAM's twelve are the national review's (data/reference/tcam_qca_conditions.csv: the
review's meaning of each, and the short words the project says it with, present and
absent), with the outcome the review used. The analysis takes the words as input
(etl.pathways.qca.Wording), so a case table whose columns a programme does not define is
said by its column names instead.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from etl.pathways.qca import CaseSet, Wording
from etl.programmes import Programme

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"
# programme code -> the file defining its conditions (and, on the row named OUTCOME, its outcome)
FILES = {"tcam": "tcam_qca_conditions.csv"}
# The conditions analysed when none are chosen: for TCAM the four the review kept after
# setting aside those with too little variation (its Tables 8.4 and 8.5).
ANALYSED = {"tcam": ("NONDELAY", "ADOPT", "PHARMA", "INTERSECT")}
OUTCOME = "OUTCOME"
# programme code -> the review's own case table (its Table 8.3), anonymised as published
REVIEW_CASES = {"tcam": "tcam_qca_table_8_3.csv"}


@dataclass(frozen=True)
class Condition:
    name: str  # "NONDELAY"
    wording: Wording  # "a prompt start" / "a delayed start"
    means: str  # what the review meant by it


def programme_conditions(programme: Programme) -> tuple[Condition, ...]:
    """The programme's conditions and its outcome (named OUTCOME), in the file's order; ()
    for a programme that defines none."""
    name = FILES.get(programme.code)
    if name is None:
        return ()
    with (REFERENCE / name).open(encoding="utf-8", newline="") as f:
        return tuple(
            Condition(r["condition"], Wording(r["present"], r["absent"]), r["means"]) for r in csv.DictReader(f)
        )


def wordings_for(columns, conditions: tuple[Condition, ...]) -> dict[str, Wording]:
    """The words of each column the definitions name (ignoring case, spaces and punctuation)."""
    by_key = {column_key(c.name): c.wording for c in conditions}
    return {column: by_key[column_key(column)] for column in columns if column_key(column) in by_key}


def column_key(name: str) -> str:
    """How a column is matched to a name: 'Non-delay', 'NONDELAY' and 'non delay' are one."""
    return re.sub(r"[^0-9a-z]", "", str(name).casefold())


def spread_conditions(programme: Programme) -> tuple[Condition, ...]:
    """The programme's spread conditions, without its outcome."""
    return tuple(c for c in programme_conditions(programme) if c.name != OUTCOME)


def analysed_by_default(programme: Programme) -> tuple[str, ...]:
    """The conditions an analysis uses when none are chosen."""
    return ANALYSED.get(programme.code) or tuple(c.name for c in spread_conditions(programme))[:4]


def review_cases(programme: Programme) -> CaseSet | None:
    """The national review's published case table for the programme (TCAM's Table 8.3: cases
    1-15, anonymised as published, never tied to AHSN names); None for a programme without one."""
    name = REVIEW_CASES.get(programme.code)
    return _review_cases(name) if name else None


@functools.cache
def _review_cases(name: str) -> CaseSet:
    """The reference file is the project's own (data/reference/), read once per process; the
    case set is frozen, so nothing a request does can change it."""
    with (REFERENCE / name).open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    columns = [c for c in rows[0] if c != "case"]
    return CaseSet(
        tuple(r["case"] for r in rows),
        {c: tuple(int(r[c]) for r in rows) for c in columns},
        "the national review's Table 8.3",
        ("AHSN", "AHSNs"),
    )
