"""Ready-to-fill return files: the header and the trusts of the AHSN's last return."""

from __future__ import annotations

import csv
import io

from etl import queries
from etl.programmes import Programme
from etl.quarters import Quarter
from etl.validate import COLUMNS

CSV_COLUMNS = [c for c in COLUMNS if c != "comment"]  # a Notes column may be added by the user
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Stop a spreadsheet running a cell as a formula (CSV injection): prefix with '."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def template_csv(programme: Programme, ahsn: str, quarter: Quarter) -> str:
    """Levels are carried over from the last return (most trusts do not move in a quarter);
    referral counts are left blank to be filled in."""
    rows = queries.current_return_rows(programme)
    mine = rows[(rows["ahsn"] == ahsn) & (rows["quarter_index"] < quarter.index)]
    if len(mine):
        mine = mine[mine["quarter_index"] == mine["quarter_index"].max()]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # Excel's own line ending
    writer.writerow(CSV_COLUMNS)
    for _, r in mine.iterrows():
        writer.writerow([neutralise(v) for v in (
            quarter.label, ahsn, r["trust_code"], r["trust_name"], r["trust_type"],
            int(r["adoption_level"]), "", "")])
    return out.getvalue()
