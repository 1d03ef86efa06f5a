"""Ready-to-fill return files: the header and the trusts of the AHSN's last return."""

from __future__ import annotations

import csv
import io

from etl import queries
from etl.programmes import Programme
from etl.quarters import Quarter
from etl.queries import Database
from etl.validate import COLUMNS

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Stop a spreadsheet running a cell as a formula (CSV injection): prefix with '.
    Also when spaces or control characters come first (some spreadsheets skip them) or a
    full-width sign does (read as = + - @ in some locales)."""
    if isinstance(value, str) and (value.startswith(FORMULA_START + _ALSO_START)
                                   or value.lstrip(_SKIPPED).startswith(FORMULA_START + _ALSO_START)):
        return "'" + value
    return value


_ALSO_START = ("\n", "\0", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # and full-width = + - @
_SKIPPED = "".join(map(chr, range(0x21))) + "\x7f\xa0\u3000"  # spaces, control characters


def template_csv(db: Database, programme: Programme, ahsn: str, quarter: Quarter) -> str:
    """Levels are carried over from the last return (most trusts do not move in a quarter);
    referral counts are left blank to be filled in."""
    rows = queries.current_return_rows(db, programme)
    mine = rows[(rows["ahsn"] == ahsn) & (rows["quarter_index"] < quarter.index)]
    if len(mine):
        mine = mine[mine["quarter_index"] == mine["quarter_index"].max()]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # Excel's own line ending
    writer.writerow(list(COLUMNS))
    for _, r in mine.iterrows():
        writer.writerow([neutralise(v) for v in (
            quarter.label, ahsn, r["trust_code"], r["trust_name"], r["trust_type"],
            int(r["adoption_level"]), "", "")])
    return out.getvalue()
