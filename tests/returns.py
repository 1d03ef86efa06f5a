"""Helpers that write real return files for tests, from the trusts a store already holds."""

from __future__ import annotations

import csv
import io

from etl.programmes import TCAM
from etl.quarters import Quarter
from etl.queries import Database
from etl.templates import template_csv

NEXT_QUARTER = Quarter.parse("Q3 2020/21")  # the quarter after the demo data's last


def filled_return(
    db: Database,
    ahsn: str,
    quarter: Quarter = NEXT_QUARTER,
    levels: dict[str, int] | None = None,
    referrals: dict[str, tuple[int, int]] | None = None,
    drop: tuple[str, ...] = (),
) -> bytes:
    """The AHSN's template for `quarter`, with levels changed as given, referrals filled in for
    adopted trusts (or as given), and the trusts in `drop` left out."""
    rows = list(csv.DictReader(io.StringIO(template_csv(db, TCAM, ahsn, quarter))))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        code = row["trust_code"]
        if code in drop:
            continue
        if levels and code in levels:
            row["adoption_level"] = str(levels[code])
        if referrals and code in referrals:
            row["referrals_made"], row["referrals_completed"] = map(str, referrals[code])
        elif int(row["adoption_level"]) >= TCAM.adopted_from_level:
            row["referrals_made"], row["referrals_completed"] = "100", "60"
        writer.writerow(row)
    return out.getvalue().encode()


def trust_codes(db: Database, ahsn: str, quarter: Quarter = NEXT_QUARTER) -> list[tuple[str, int, str]]:
    """(code, level, trust type) of the trusts in the AHSN's template for `quarter`."""
    rows = csv.DictReader(io.StringIO(template_csv(db, TCAM, ahsn, quarter)))
    return [(r["trust_code"], int(r["adoption_level"]), r["trust_type"]) for r in rows]
