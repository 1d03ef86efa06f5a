"""Check a quarterly return and turn it into clean rows, reporting every problem at once.

Two steps, both pure (bytes and data frames in, results out, nothing written):
- `parse_return` checks the file on its own: columns, every cell, duplicates inside it.
- `check_against_store` compares it with what is already loaded: a trust claimed by two
  AHSNs (an error) and the warnings that do not block (missing trusts, big level drops,
  referral jumps).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from etl import ahsns
from etl.problems import Problem
from etl.programmes import TRUST_TYPES, Programme
from etl.quarters import Quarter, QuarterError
from etl.readers import Table, read_table

# column -> required. Optional columns may be left out of the file altogether.
COLUMNS: dict[str, bool] = {
    "quarter": True,
    "ahsn": True,
    "trust_code": True,
    "trust_name": True,
    "trust_type": False,
    "adoption_level": True,
    "referrals_made": True,
    "referrals_completed": True,
}
TRUST_CODE = re.compile(r"^[A-Z0-9]{3,5}$")
MAX_NAME_LENGTH = 200
REFERRAL_JUMP = 10  # a trust's referrals growing more than this many times is worth a look


@dataclass
class ParsedReturn:
    file_name: str
    records: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def returns(self) -> list[tuple[str, Quarter, int]]:
        """The AHSN-quarters the file holds, with their row counts, in table order."""
        counts: dict[tuple[str, Quarter], int] = defaultdict(int)
        for r in self.records:
            counts[(r["ahsn"], r["quarter"])] += 1
        order = {a.short_name: a.table_order for a in ahsns.all_ahsns()}
        return sorted(((a, q, n) for (a, q), n in counts.items()), key=lambda t: (t[1], order[t[0]]))

    def frame(self) -> pd.DataFrame:
        rows = [
            {**r, "quarter_index": r["quarter"].index, "quarter": r["quarter"].label}
            for r in self.records
        ]
        frame = pd.DataFrame(rows, columns=[
            "row", "quarter", "quarter_index", "ahsn", "trust_code", "trust_name", "trust_type",
            "adoption_level", "referrals_made", "referrals_completed"])
        for col in ("referrals_made", "referrals_completed"):
            frame[col] = frame[col].astype("Int64")
        return frame


def parse_return(
    file_name: str,
    content: bytes,
    programme: Programme,
    max_bytes: int,
    today: dt.date | None,
) -> ParsedReturn:
    """Check a file on its own. `today` None skips the future-quarter rule (used when
    rebuilding from files that were accepted in the past)."""
    result = ParsedReturn(file_name)
    table = read_table(file_name, content, max_bytes)
    if isinstance(table, Problem):
        result.problems.append(table)
        return result
    columns = _check_header(file_name, table, result.problems)
    if not columns:
        return result  # nothing recognisable to check the rows against
    if not table.rows:
        result.problems.append(Problem(file_name, None, None, "the file has a header but no trust rows",
                                       "Add one row per trust in the AHSN's area"))
        return result
    for row_number, cells in table.rows:
        record = _check_row(file_name, row_number, cells, columns, len(table.header), programme, today,
                            result.problems)
        if record is not None:
            result.records.append(record)
    _check_duplicates(file_name, result.records, result.problems)
    return result


def _check_header(file_name: str, table: Table, problems: list[Problem]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for position, raw in enumerate(table.header):
        name = "_".join(raw.strip().lower().split())
        if not name:
            problems.append(Problem(file_name, 1, f"column {position + 1}", "this column has no name",
                                    "Delete the empty column or give it one of the template's names"))
        elif name in columns:
            problems.append(Problem(file_name, 1, raw, "this column appears twice",
                                    "Keep one of the two columns"))
        elif name not in COLUMNS:
            problems.append(Problem(file_name, 1, raw, "this is not a column of the return",
                                    f"Delete it, or rename it to one of: {', '.join(COLUMNS)}"))
        else:
            columns[name] = position
    for name, required in COLUMNS.items():
        if required and name not in columns:
            problems.append(Problem(file_name, 1, name, "this column is missing",
                                    "Add it to the header row, as in the template"))
    return columns


def _check_row(
    file_name: str,
    row: int,
    cells: list[str],
    columns: dict[str, int],
    width: int,
    programme: Programme,
    today: dt.date | None,
    problems: list[Problem],
) -> dict | None:
    """The clean record of one row, or None (with its problems added) if it has any.
    Columns missing from the header are reported once there, not on every row."""
    found_before = len(problems)
    if len(cells) > width:
        # The values have shifted, so checking them column by column would only mislead.
        problems.append(Problem(
            file_name, row, None, f"the row has {len(cells)} values but the header has {width} columns",
            "Remove the extra values, or put a trust name that contains a comma in double quotes"))
        return None
    cell = {name: (str(cells[columns[name]]).strip() if name in columns and columns[name] < len(cells)
                   else "") for name in COLUMNS}
    record = _check_cells(file_name, row, cell, programme, today, problems, present=set(columns))
    header_complete = all(name in columns for name, required in COLUMNS.items() if required)
    return record if header_complete and len(problems) == found_before else None


def _check_cells(
    file_name: str,
    row: int,
    cell: dict[str, str],
    programme: Programme,
    today: dt.date | None,
    problems: list[Problem],
    present: set[str],
) -> dict:
    def problem(column: str, message: str, fix: str) -> None:
        if column in present:
            problems.append(Problem(file_name, row, column, message, fix))

    quarter = None
    try:
        quarter = Quarter.parse(cell["quarter"])
    except QuarterError as err:
        problem("quarter", str(err), "Write the quarter like Q3 2019/20")
    if quarter is not None and today is not None and quarter.start > today:
        current = Quarter.containing(today)
        problem("quarter", f"{quarter.label} has not started yet",
                f"Returns can be made up to the current quarter, {current.label}")

    ahsn = ahsns.resolve(cell["ahsn"])
    if ahsn is None:
        problem("ahsn", f"'{cell['ahsn']}' is not one of the 15 AHSNs",
                "Use the AHSN's short name (e.g. Wessex), its full name or its Health Innovation "
                "Network name")

    code = cell["trust_code"].upper()
    if not TRUST_CODE.match(code):
        problem("trust_code", f"'{cell['trust_code']}' is not an NHS organisation code",
                "Use the trust's ODS code: 3 to 5 letters or digits, e.g. RTH")

    name = " ".join(cell["trust_name"].split())
    if not name:
        problem("trust_name", "the trust name is blank", "Write the trust's name")
    elif len(name) > MAX_NAME_LENGTH:
        problem("trust_name", f"the trust name is {len(name)} characters long",
                f"Shorten it to at most {MAX_NAME_LENGTH} characters")

    trust_type = cell.get("trust_type", "").lower().replace(" ", "_").replace("-", "_") or "acute"
    if trust_type not in TRUST_TYPES:
        problem("trust_type", f"'{cell['trust_type']}' is not a trust type",
                f"Use one of: {', '.join(TRUST_TYPES)} (or leave blank for acute)")

    levels = programme.levels
    level_fix = "Use a whole number from {} to {}: {}".format(
        levels[0].number, levels[-1].number, ", ".join(f"{lv.number} {lv.name}" for lv in levels))
    level = _whole_number(cell["adoption_level"])
    if level is None or level not in programme.level_numbers:
        problem("adoption_level",
                "the adoption level is blank" if not cell["adoption_level"]
                else f"'{cell['adoption_level']}' is not an adoption level", level_fix)

    counts = {}
    for column in ("referrals_made", "referrals_completed"):
        text = cell[column]
        value = _whole_number(text) if text else None
        if text and (value is None or value < 0):
            problem(column, f"'{text}' is not a count of referrals",
                    "Write a whole number of 0 or more, or leave it blank if not reported")
            value = None
        counts[column] = value
    made, completed = counts["referrals_made"], counts["referrals_completed"]
    if made is not None and completed is not None and completed > made:
        problem("referrals_completed", f"{completed} referrals completed is more than the {made} made",
                "Completed referrals are a part of those made in the quarter: check both numbers")
    if not cell["referrals_made"] and completed is not None:
        problem("referrals_made", "referrals completed are given but referrals made are blank",
                "Fill in referrals made, or leave both blank if not reported")

    return {
        "row": row, "quarter": quarter, "ahsn": ahsn.short_name if ahsn else None, "trust_code": code,
        "trust_name": name, "trust_type": trust_type, "adoption_level": level,
        "referrals_made": made, "referrals_completed": completed,
    }


def _whole_number(text: str) -> int | None:
    text = text.strip().replace(",", "")
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if re.fullmatch(r"[+-]?\d+\.0*", text):  # Excel sometimes writes 4 as 4.0
        return int(float(text))
    return None


def _check_duplicates(file_name: str, records: list[dict], problems: list[Problem]) -> None:
    first_seen: dict[tuple, dict] = {}
    ahsn_of: dict[tuple, dict] = {}
    for r in records:
        key = (r["ahsn"], r["quarter"], r["trust_code"])
        if key in first_seen:
            problems.append(Problem(
                file_name, r["row"], "trust_code",
                f"trust {r['trust_code']} is listed twice for {r['ahsn']} in {r['quarter'].label} "
                f"(also row {first_seen[key]['row']})",
                "Keep one row per trust; add up its referrals if they were split"))
            continue
        first_seen[key] = r
        other = ahsn_of.setdefault((r["quarter"], r["trust_code"]), r)
        if other["ahsn"] != r["ahsn"]:
            problems.append(Problem(
                file_name, r["row"], "trust_code",
                f"trust {r['trust_code']} is listed under {r['ahsn']} here and under {other['ahsn']} "
                f"in row {other['row']}, both for {r['quarter'].label}",
                "A trust belongs to one AHSN: keep it in its own AHSN's return only"))


def check_against_store(parsed: ParsedReturn, current: pd.DataFrame) -> None:
    """Add the problems and warnings that need the data already loaded.

    `current` holds the current returns: ahsn, quarter_index, trust_code, trust_name,
    adoption_level, referrals_made (one row per trust per AHSN-quarter)."""
    if not parsed.records:
        return
    replaced = {(a, q.index) for a, q, _ in parsed.returns()}
    by_return: dict[tuple[str, int], dict[str, dict]] = defaultdict(dict)
    for r in parsed.records:
        by_return[(r["ahsn"], r["quarter"].index)][r["trust_code"]] = r

    keep = [(a, q) not in replaced for a, q in zip(current["ahsn"], current["quarter_index"])]
    kept = current.loc[pd.Series(keep, index=current.index, dtype=bool)]
    owner = {(q, c): a for a, q, c in zip(kept["ahsn"], kept["quarter_index"], kept["trust_code"])}
    for r in parsed.records:
        other = owner.get((r["quarter"].index, r["trust_code"]))
        if other and other != r["ahsn"]:
            parsed.problems.append(Problem(
                parsed.file_name, r["row"], "trust_code",
                f"trust {r['trust_code']} is already in {other}'s return for {r['quarter'].label}",
                f"A trust belongs to one AHSN: check the code, or ask {other} to correct their return"))

    stored: dict[tuple[str, int], dict[str, dict]] = defaultdict(dict)
    for rec in current.to_dict("records"):
        stored[(rec["ahsn"], rec["quarter_index"])][rec["trust_code"]] = rec
    for (ahsn, q_index), trusts in by_return.items():
        label = Quarter.from_index(q_index).label
        before_label = Quarter.from_index(q_index - 1).label
        previous = by_return.get((ahsn, q_index - 1)) or stored.get((ahsn, q_index - 1), {})
        for code, before in previous.items():
            now = trusts.get(code)
            if now is None:
                parsed.warnings.append(Problem(
                    parsed.file_name, None, "trust_code",
                    f"{before['trust_name']} ({code}) was in {ahsn}'s return for {before_label} "
                    f"but is missing from {label}",
                    "If it merged or left the programme, nothing to do; otherwise add its row"))
                continue
            if before["adoption_level"] - now["adoption_level"] >= 2:
                parsed.warnings.append(Problem(
                    parsed.file_name, now["row"], "adoption_level",
                    f"{now['trust_name']} ({code}) dropped from level {before['adoption_level']} "
                    f"to {now['adoption_level']} since {before_label}",
                    "Check the level; a drop of two or more levels is unusual"))
            made_before = before.get("referrals_made")
            made_now = now["referrals_made"]
            if made_before is not None and not pd.isna(made_before) and made_before > 0 \
                    and made_now is not None and made_now > REFERRAL_JUMP * made_before:
                parsed.warnings.append(Problem(
                    parsed.file_name, now["row"], "referrals_made",
                    f"{now['trust_name']} ({code}) made {made_now:,} referrals, more than "
                    f"{REFERRAL_JUMP} times the {int(made_before):,} of {before_label}",
                    "Check the figure is for this quarter only, not a running total"))
