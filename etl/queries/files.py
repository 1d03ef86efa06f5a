"""Uncached reads of one named database file, for the store's write path and its build.

The pages read through a `Database`, which follows CURRENT and caches. A write's checks must
read the very file they name (the one current under the write lock), now, and the build must
look inside a file before extending it; these functions do that, read-only, and close the
file at once. They never write.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from etl.programmes import Programme

# The current rows of a quarter a new return is checked against (etl/validate.py).
ROWS_TO_CHECK = ["ahsn", "quarter_index", "trust_code", "trust_name", "trust_type", "adoption_level", "referrals_made"]


@contextmanager
def opened(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def read(path: Path, sql: str, params: list | tuple = ()) -> pd.DataFrame:
    """One parameterised SELECT on the file at `path`, uncached."""
    with opened(path) as con:
        return con.execute(sql, list(params)).df()


def read_one(path: Path, sql: str, params: list | tuple = ()) -> dict:
    """The first row of a SELECT on the file at `path`, as a dict."""
    with opened(path) as con:
        cursor = con.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        return dict(zip(names, cursor.fetchone()))


def meta_of(path: Path) -> dict[str, str] | None:
    """The file's meta table (last_event_id, schema_version, built_at), or None if it cannot be read."""
    try:
        with opened(path) as con:
            return dict(con.execute("SELECT key, value FROM meta").fetchall())
    except duckdb.Error:
        return None


def last_event_in(path: Path) -> int | None:
    """The newest event a database file was built from, or None if it cannot be read."""
    meta = meta_of(path)
    if meta is None or "last_event_id" not in meta:
        return None
    return int(meta["last_event_id"])


def current_rows(path: Path | None, quarter_indexes: set[int]) -> pd.DataFrame:
    """The current trust rows of the given quarters: what a new return is checked against."""
    if path is None or not quarter_indexes:
        return pd.DataFrame(columns=ROWS_TO_CHECK)
    return read(
        path,
        f"SELECT {', '.join(ROWS_TO_CHECK)} FROM trust_returns WHERE list_contains(?, quarter_index)",
        [sorted(quarter_indexes)],
    )


CODE_HISTORY = ["trust_code", "ahsn", "first_quarter", "last_quarter"]


def code_history(path: Path | None, programme: Programme, codes: set[str]) -> pd.DataFrame:
    """For each of these codes and each AHSN whose current returns have held it (any quarter),
    the first and the latest quarter it did: who held a trust, and when a merged trust's
    successor first took its place."""
    if path is None or not codes:
        return pd.DataFrame(columns=CODE_HISTORY)
    return read(
        path,
        """SELECT trust_code, ahsn, min(quarter_index) AS first_quarter, max(quarter_index) AS last_quarter
           FROM trust_returns WHERE programme = ? AND list_contains(?, trust_code)
           GROUP BY trust_code, ahsn ORDER BY trust_code, ahsn""",
        [programme.code, sorted(codes)],
    )


def collection_state(path: Path | None, programme: Programme, ahsn_names: set[str]) -> dict:
    """What the collection's warnings on a new return need: the published quarters, due dates
    set by hand, and the quarters each of these AHSNs has a current return for."""
    state = {"published": set(), "due": {}, "returned": set()}
    if path is None or not ahsn_names:
        return state
    with opened(path) as con:
        state["published"] = {
            q
            for (q,) in con.execute(
                "SELECT quarter_index FROM publications WHERE programme = ?", [programme.code]
            ).fetchall()
        }
        state["due"] = dict(
            con.execute(
                "SELECT quarter_index, due_date FROM due_dates WHERE programme = ?", [programme.code]
            ).fetchall()
        )
        state["returned"] = set(
            con.execute(
                "SELECT ahsn, quarter_index FROM current_returns WHERE programme = ? AND list_contains(?, ahsn)",
                [programme.code, sorted(ahsn_names)],
            ).fetchall()
        )
    return state


def quarter_state(path: Path, programme: Programme, quarter_index: int) -> dict:
    """{'returned': AHSNs with a current return, 'published': 1 if signed off} for one quarter."""
    return read_one(
        path,
        """
        SELECT (SELECT count(*) FROM current_returns WHERE programme = ? AND quarter_index = ?) AS returned,
               (SELECT count(*) FROM publications WHERE programme = ? AND quarter_index = ?) AS published""",
        [programme.code, quarter_index, programme.code, quarter_index],
    )


def pending_revision(path: Path, event_id: int) -> dict:
    """{'programme', 'n'}: whether the submission or restore `event_id` waits for a decision."""
    return read_one(
        path,
        "SELECT any_value(programme) AS programme, count(*) AS n FROM pending_revisions WHERE event_id = ?",
        [event_id],
    )


def overtaking_revision(path: Path, event_id: int) -> int | None:
    """The newest change, approved or in effect, to an AHSN-quarter the waiting revision
    `event_id` touches and made after it: approving `event_id` would then change nothing."""
    found = read_one(
        path,
        """SELECT max(n.event_id) AS newer FROM pending_revisions p
           JOIN touch_status n ON n.programme = p.programme AND n.ahsn = p.ahsn
            AND n.quarter_index = p.quarter_index AND n.event_id > p.event_id
           WHERE p.event_id = ? AND n.status IN ('approved', 'in effect') AND NOT n.quarantined""",
        [event_id],
    )
    return None if found["newer"] is None else int(found["newer"])
