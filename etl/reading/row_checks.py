"""What a return's rows say about the file beyond each row's own cells: a row that is a note or
a totals row, not a trust; a quarter or AHSN written only on the first row; a trust listed
twice, or under two AHSNs; more rows than any return holds. `problem(row, column, message,
fix)` records each."""

from __future__ import annotations

import re
from collections import defaultdict

from etl.problems import row_list
from etl.programmes import Programme
from etl.quarters import Quarter
from etl.reading.cell_common import quoted, shown
from etl.reading.check_parts import NOTE
from etl.reading.grid import is_blank
from etl.reading.limits import ReadLimits
from etl.reading.result import ParsedReturn
from etl.reading.table import Table
from etl.rows import TrustRow

LABELS = {"quarter": "quarter", "ahsn": "AHSN"}
_TOTALS = re.compile(r"^\s*(grand\s+)?(sub\s*)?totals?\b|^\s*all\s+trusts\b|^\s*sum\b", re.IGNORECASE)


def fill_down_problems(table: Table, rows, problem) -> set[str]:
    """A quarter or AHSN written only on the first row: one problem, not one per row."""
    reported = set()
    for column in ("quarter", "ahsn"):
        position = table.columns[column]
        values = [(n, cells[position] if position < len(cells) else None) for n, cells in rows]
        blank = [n for n, v in values if is_blank(v)]
        given = [(n, v) for n, v in values if not is_blank(v)]
        if not blank or not given or values[0][0] != given[0][0]:
            continue
        if len({shown(v) for _, v in given}) == 1 and len(given) <= max(1, len(values) // 3):
            where = row_list([n for n, _ in given])
            problem(
                given[0][0],
                column,
                f"the {LABELS[column]} is only on row{'s' if len(given) > 1 else ''} {where}: every trust row needs it",
                f"Fill it down: copy {quoted(given[0][1])} into rows {row_list(blank)}",
            )
            reported.add(column)
    return reported


def is_totals(table: Table, cell: dict) -> bool:
    for column in ("trust_code", "trust_name", "quarter", "ahsn"):
        if isinstance(cell[column], str) and _TOTALS.match(cell[column]):
            return True
    numbers = [cell[c] for c in table.layout.counts if not is_blank(cell[c])]
    return bool(numbers) and all(is_blank(cell.get(c)) for c in ("trust_code", "trust_name", "adoption_level"))


def is_note(table: Table, cells: list) -> str | None:
    filled = [c for c in cells if not is_blank(c)]
    if len(filled) != 1 or not isinstance(filled[0], str):
        return None
    position = next(i for i, c in enumerate(cells) if not is_blank(c))
    if position == table.columns.get("comment"):
        return None
    text = filled[0].strip()
    return text if NOTE.match(text) or len(text) > 40 else None


def duplicates(records: list[TrustRow], problem) -> None:
    first_seen: dict[tuple, TrustRow] = {}
    ahsn_of: dict[tuple, TrustRow] = {}
    for r in records:
        key = (r.ahsn, r.quarter, r.trust_code)
        if key in first_seen:
            problem(
                r.row,
                "trust_code",
                f"trust {r.trust_code} is listed twice for {r.ahsn} in {r.quarter.label} "
                f"(also row {first_seen[key].row})",
                "Keep one row per trust; add up its referrals if they were split",
            )
            continue
        first_seen[key] = r
        other = ahsn_of.setdefault((r.quarter, r.trust_code), r)
        if other.ahsn != r.ahsn:
            problem(
                r.row,
                "trust_code",
                f"trust {r.trust_code} is listed under {r.ahsn} here and under "
                f"{other.ahsn} in row {other.row}, both for {r.quarter.label}",
                "A trust belongs to one AHSN: keep it in its own AHSN's return only",
            )


def too_many_rows(result: ParsedReturn, found: list, limits: ReadLimits, programme: Programme) -> None:
    counts: dict[tuple[str, Quarter], int] = defaultdict(int)
    for r in result.records:
        counts[(r.ahsn, r.quarter)] += 1
    # the programme's own most (organisations.most_per_return), within the deployment's ceiling
    most = min(limits.max_trusts_per_return, programme.max_organisations_per_return)
    one = programme.organisation
    for (ahsn, q), n in counts.items():
        if n > most:
            result.records = []  # not kept: they are not a return
            found.insert(
                0,
                (
                    None,
                    None,
                    f"the file holds {n:,} {one} rows for {ahsn} in {q.label}; a return holds one row "
                    f"per {one}, at most {most:,}",
                    f"Check it is the right file, and that each {one} is listed once",
                ),
            )
