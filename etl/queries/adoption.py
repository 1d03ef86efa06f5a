"""Adoption: the AHSNs, the quarters with data, each AHSN's and England's rates, the trusts behind them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from etl.programmes import Programme
from etl.queries.database import Database


@dataclass(frozen=True)
class StoreStatus:
    """What /healthz and the page header report about the data being read."""

    database: str
    built_at: str | None
    last_event_id: int
    latest_quarter: str | None  # the latest quarter with any return, published or not
    latest_quarter_index: int | None
    latest_published_quarter: str | None  # the latest quarter signed off
    last_loaded_at: dt.datetime | None
    demo_returns: int
    returns: int


def store_status(db: Database, programme: Programme) -> StoreStatus:
    meta = db.query("SELECT key, value FROM meta")
    meta = dict(zip(meta["key"], meta["value"]))
    latest = db.query(
        """SELECT quarter_index, quarter FROM england_quarters WHERE programme = ?
           ORDER BY quarter_index DESC LIMIT 1""",
        [programme.code],
    )
    published = db.query(
        """SELECT quarter FROM publications WHERE programme = ?
           AND quarter_index IN (SELECT quarter_index FROM england_quarters WHERE programme = ?)
           ORDER BY quarter_index DESC LIMIT 1""",
        [programme.code, programme.code],
    )
    demo = db.query(
        """SELECT count(*) FILTER (WHERE s.is_demo) AS demo, count(*) AS all_returns
           FROM current_returns c JOIN submissions s ON s.id = c.submission_id
           WHERE c.programme = ?""",
        [programme.code],
    )
    last_load = db.query(
        """SELECT max(loaded_at) AS at FROM (
               SELECT loaded_at FROM submissions WHERE programme = ?
               UNION ALL SELECT restored_at FROM restores r
               JOIN submissions s ON s.id = r.submission_id WHERE s.programme = ?)""",
        [programme.code, programme.code],
    )
    loaded_at = last_load["at"].iloc[0] if len(last_load) else None
    return StoreStatus(
        database=db.path.name,
        built_at=meta.get("built_at"),
        last_event_id=int(meta.get("last_event_id", 0)),
        latest_quarter=latest["quarter"].iloc[0] if len(latest) else None,
        latest_quarter_index=int(latest["quarter_index"].iloc[0]) if len(latest) else None,
        latest_published_quarter=published["quarter"].iloc[0] if len(published) else None,
        last_loaded_at=None if loaded_at is None or pd.isna(loaded_at) else loaded_at.to_pydatetime(),
        demo_returns=int(demo["demo"].iloc[0]),
        returns=int(demo["all_returns"].iloc[0]),
    )


def ahsn_list(db: Database) -> pd.DataFrame:
    return db.query(
        "SELECT short_name, slug, name_2018_2020, name_from_2023, table_order FROM ahsns ORDER BY table_order"
    )


def loaded_quarters(db: Database, programme: Programme) -> pd.DataFrame:
    """Quarters with at least one return, oldest first."""
    return db.query(
        """SELECT quarter_index, quarter, ahsns_returned FROM england_quarters
                    WHERE programme = ? ORDER BY quarter_index""",
        [programme.code],
    )


def ahsn_rates(
    db: Database, programme: Programme, quarter_indexes: list[int] | None = None, ahsn: str | None = None
) -> pd.DataFrame:
    """Per AHSN and quarter: counted and adopted trusts, the rate, referrals.
    Only AHSN-quarters with a return have a row."""
    sql = """SELECT a.short_name AS ahsn, a.slug, a.table_order, q.quarter_index, q.quarter,
                    q.counted_trusts, q.adopted_trusts, q.all_trusts, q.rate_percent,
                    q.referrals_made, q.referrals_completed, q.submission_id
             FROM ahsn_quarters q JOIN ahsns a ON a.short_name = q.ahsn
             WHERE q.programme = ?"""
    params: list = [programme.code]
    if quarter_indexes is not None:
        sql += " AND list_contains(?, q.quarter_index)"
        params.append(list(quarter_indexes))
    if ahsn is not None:
        sql += " AND q.ahsn = ?"
        params.append(ahsn)
    return db.query(sql + " ORDER BY a.table_order, q.quarter_index", params)


def england_rates(db: Database, programme: Programme, quarter_indexes: list[int] | None = None) -> pd.DataFrame:
    sql = """SELECT quarter_index, quarter, counted_trusts, adopted_trusts, rate_percent,
                    ahsns_returned, referrals_made, referrals_completed
             FROM england_quarters WHERE programme = ?"""
    params: list = [programme.code]
    if quarter_indexes is not None:
        sql += " AND list_contains(?, quarter_index)"
        params.append(list(quarter_indexes))
    return db.query(sql + " ORDER BY quarter_index", params)


def level_counts(db: Database, programme: Programme, ahsn: str) -> pd.DataFrame:
    """Counted trusts at each level, per quarter, for one AHSN (zeros included)."""
    return db.query(
        """SELECT quarter_index, quarter, level, level_name, trusts FROM level_counts
                    WHERE programme = ? AND ahsn = ? ORDER BY quarter_index, level""",
        [programme.code, ahsn],
    )


_TRUST_ROWS = """
    SELECT t.ahsn, t.quarter_index, t.quarter, t.trust_code, t.trust_name, t.trust_type,
           list_contains(p.counted_trust_types, t.trust_type) AS counted,
           t.adoption_level, lv.name AS level_name,
           list_contains(p.counted_trust_types, t.trust_type)
               AND t.adoption_level >= p.adopted_from_level AS adopted,
           prev.adoption_level AS previous_level,
           t.referrals_made, t.referrals_completed,
           CASE WHEN t.referrals_made > 0
                THEN round(100.0 * t.referrals_completed / t.referrals_made)::INTEGER END AS completion_percent,
           t.comment,
           t.submission_id
    FROM trust_returns t
    JOIN programmes p ON p.code = t.programme
    JOIN levels lv ON lv.programme = t.programme AND lv.level = t.adoption_level
    JOIN ahsns a ON a.short_name = t.ahsn
    LEFT JOIN trust_returns prev
           ON prev.programme = t.programme AND prev.ahsn = t.ahsn
          AND prev.trust_code = t.trust_code AND prev.quarter_index = t.quarter_index - 1
    WHERE t.programme = ? AND list_contains(?, t.quarter_index)"""


# The rows as each quarter was first published (?figures=first-published): a published quarter's
# returns as signed off, any other quarter's as they stand.
_FIRST_PUBLISHED_ROWS = """
    WITH shown_rows AS (
        SELECT r.* FROM submitted_rows r
        JOIN first_published_returns f USING (submission_id, programme, ahsn, quarter_index)
        UNION ALL
        SELECT t.* FROM trust_returns t
        ANTI JOIN first_published_returns f USING (programme, ahsn, quarter_index)
    )"""


def trust_rows(
    db: Database,
    programme: Programme,
    quarter_indexes: list[int],
    ahsn: str | None = None,
    first_published: bool = False,
) -> pd.DataFrame:
    """Every trust row of the current returns for these quarters (optionally one AHSN's), with
    whether the trust counts toward the rate, whether it counts as adopted, and its level in the
    quarter before (if it was in that return). AHSNs in the national table's order. With
    `first_published`, a published quarter's rows as it was first published."""
    sql, params = _TRUST_ROWS, [programme.code, list(quarter_indexes)]
    if first_published:
        sql = _FIRST_PUBLISHED_ROWS + sql.replace("trust_returns", "shown_rows")
    if ahsn is not None:
        sql += " AND t.ahsn = ?"
        params.append(ahsn)
    rows = db.query(sql + " ORDER BY t.quarter_index, a.table_order, t.trust_name, t.trust_code", params)
    return _with_measures(db, programme, rows)


def _with_measures(db: Database, programme: Programme, rows: pd.DataFrame) -> pd.DataFrame:
    """The rows with a column per measure of the definition they do not already hold (its key;
    <NA> where the return left it blank), from the rows' own submissions."""
    keys = [m.key for m in programme.measures if m.key not in rows.columns]
    if not keys:
        return rows
    values = db.query(
        """SELECT submission_id, ahsn, quarter_index, trust_code, measure, value FROM submitted_measures
           WHERE programme = ? AND list_contains(?, submission_id) AND list_contains(?, measure)""",
        [programme.code, sorted({int(i) for i in rows["submission_id"].dropna()}), keys],
    )
    if not len(values):
        return rows.assign(**{key: pd.array([None] * len(rows), dtype="Int64") for key in keys})
    wide = values.pivot_table(
        index=["submission_id", "ahsn", "quarter_index", "trust_code"], columns="measure", values="value", aggfunc="sum"
    ).reindex(columns=keys)
    out = rows.merge(wide.reset_index(), on=["submission_id", "ahsn", "quarter_index", "trust_code"], how="left")
    for key in keys:
        out[key] = out[key].astype("Int64")
    return out


def trusts(
    db: Database, programme: Programme, ahsn: str, quarter_index: int, first_published: bool = False
) -> pd.DataFrame:
    """The trusts of one return (see trust_rows)."""
    return trust_rows(db, programme, [quarter_index], ahsn, first_published)


def trust_revisions(db: Database, programme: Programme, quarter_indexes: list[int]) -> pd.DataFrame:
    """Each trust whose row differs from the one first published (a revision approved, or a
    return quarantined, since its quarter was published): its type, level and referrals first
    published and now (blank where the trust was not in that return), when, why and how."""
    return db.query(
        """
        WITH first AS (
            SELECT v.ahsn, v.quarter_index, r.trust_code, r.trust_name, r.trust_type, r.adoption_level,
                   r.referrals_made, r.referrals_completed
            FROM revisions v JOIN submitted_rows r ON r.submission_id = v.first_submission_id
             AND r.programme = v.programme AND r.ahsn = v.ahsn AND r.quarter_index = v.quarter_index
            WHERE v.programme = $1 AND list_contains($2, v.quarter_index)),
        now AS (
            SELECT v.ahsn, v.quarter_index, r.trust_code, r.trust_name, r.trust_type, r.adoption_level,
                   r.referrals_made, r.referrals_completed
            FROM revisions v JOIN submitted_rows r ON r.submission_id = v.current_submission_id
             AND r.programme = v.programme AND r.ahsn = v.ahsn AND r.quarter_index = v.quarter_index
            WHERE v.programme = $1 AND list_contains($2, v.quarter_index))
        SELECT coalesce(n.ahsn, f.ahsn) AS ahsn, coalesce(n.quarter_index, f.quarter_index) AS quarter_index,
               coalesce(n.trust_code, f.trust_code) AS trust_code,
               f.trust_code IS NOT NULL AS in_first, n.trust_code IS NOT NULL AS in_now,
               f.trust_type AS first_type, f.adoption_level AS first_level,
               f.referrals_made AS first_made, f.referrals_completed AS first_completed,
               n.trust_type AS now_type, n.adoption_level AS now_level,
               n.referrals_made AS now_made, n.referrals_completed AS now_completed,
               v.changed_at, v.reason, v.how
        FROM now n FULL JOIN first f USING (ahsn, quarter_index, trust_code)
        JOIN revisions v ON v.programme = $1 AND v.ahsn = coalesce(n.ahsn, f.ahsn)
         AND v.quarter_index = coalesce(n.quarter_index, f.quarter_index)
        WHERE f.trust_code IS NULL OR n.trust_code IS NULL
           OR f.trust_type IS DISTINCT FROM n.trust_type OR f.adoption_level IS DISTINCT FROM n.adoption_level
           OR f.referrals_made IS DISTINCT FROM n.referrals_made
           OR f.referrals_completed IS DISTINCT FROM n.referrals_completed
        ORDER BY quarter_index, ahsn, trust_code""",
        [programme.code, list(quarter_indexes)],
    )


def trust_codes_missing(db: Database, programme: Programme, ahsn: str, quarter_index: int) -> pd.DataFrame:
    """Trusts in the AHSN's return for the quarter before but not in this one's."""
    return db.query(
        """
        SELECT prev.trust_code, prev.trust_name, prev.adoption_level
        FROM trust_returns prev
        WHERE prev.programme = ? AND prev.ahsn = ? AND prev.quarter_index = ? - 1
          AND prev.trust_code NOT IN (
              SELECT trust_code FROM trust_returns
              WHERE programme = ? AND ahsn = ? AND quarter_index = ?)
        ORDER BY prev.trust_name""",
        [programme.code, ahsn, quarter_index, programme.code, ahsn, quarter_index],
    )


def current_return_rows(db: Database, programme: Programme) -> pd.DataFrame:
    """Every current trust row (for templates and previews)."""
    return db.query(
        """SELECT ahsn, quarter_index, quarter, trust_code, trust_name, trust_type,
                           adoption_level, referrals_made, referrals_completed
                    FROM trust_returns WHERE programme = ?
                    ORDER BY ahsn, quarter_index, trust_name""",
        [programme.code],
    )
