"""The quarter's collection: sign-offs, due dates, revisions waiting and made."""

from __future__ import annotations

import pandas as pd

from etl.programmes import Programme
from etl.queries.database import Database


def collection_quarters(db: Database, programme: Programme) -> pd.DataFrame:
    """Every quarter with a return or a sign-off event, oldest first: when it was published
    (NULL while open), a due date set by hand (NULL: the programme's rule), how many AHSNs and
    trusts have a current return, how many published figures have been revised since, and
    how many changes wait for approval."""
    return db.query(
        """
        WITH quarters AS (
            SELECT quarter_index, any_value(quarter) AS quarter FROM (
                SELECT quarter_index, quarter FROM touches WHERE programme = ?
                UNION ALL SELECT quarter_index, quarter FROM quarter_events WHERE programme = ?)
            GROUP BY quarter_index)
        SELECT q.quarter_index, q.quarter, p.published_at, p.published_by, d.due_date AS due_date_set,
               d.reason AS due_date_reason,
               coalesce(e.ahsns_returned, 0) AS ahsns_returned,
               coalesce((SELECT sum(all_trusts) FROM ahsn_quarters a
                         WHERE a.programme = ? AND a.quarter_index = q.quarter_index), 0)::INTEGER AS trusts_returned,
               (SELECT count(*) FROM revisions r WHERE r.programme = ? AND r.quarter_index = q.quarter_index)
                   AS revised_figures,
               (SELECT count(DISTINCT event_id) FROM pending_revisions r
                 WHERE r.programme = ? AND r.quarter_index = q.quarter_index) AS pending_revisions
        FROM quarters q
        LEFT JOIN publications p ON p.programme = ? AND p.quarter_index = q.quarter_index
        LEFT JOIN due_dates d ON d.programme = ? AND d.quarter_index = q.quarter_index
        LEFT JOIN england_quarters e ON e.programme = ? AND e.quarter_index = q.quarter_index
        ORDER BY q.quarter_index""",
        [programme.code] * 8,
    )


def pending_revisions(db: Database, programme: Programme) -> pd.DataFrame:
    """Changes to published quarters waiting for a decision, one row per AHSN-quarter each
    changes, oldest first: the figure now (before) and the figure it would make (after)."""
    return db.query(
        """
        SELECT r.event_id, r.action, r.submission_id, r.ahsn, r.quarter_index, r.quarter, r.by_user,
               r.happened_at, s.file_name,
               b.rate_percent AS before_rate, b.adopted_trusts AS before_adopted, b.counted_trusts AS before_counted,
               a.rate_percent AS after_rate, a.adopted_trusts AS after_adopted, a.counted_trusts AS after_counted,
               r.current_submission_id
        FROM pending_revisions r
        JOIN submissions s ON s.id = r.submission_id
        JOIN ahsns x ON x.short_name = r.ahsn
        LEFT JOIN ahsn_quarters b ON b.programme = r.programme AND b.ahsn = r.ahsn AND b.quarter_index = r.quarter_index
        LEFT JOIN return_figures a ON a.submission_id = r.submission_id AND a.ahsn = r.ahsn
                                  AND a.quarter_index = r.quarter_index
        WHERE r.programme = ?
        ORDER BY r.event_id, x.table_order""",
        [programme.code],
    )


def revision_trust_changes(db: Database, programme: Programme, event_id: int) -> pd.DataFrame:
    """What a pending revision changes, trust by trust: the level and referrals now and after,
    for every trust that differs (added, removed or changed)."""
    return db.query(
        """
        WITH pending AS (SELECT * FROM pending_revisions WHERE programme = ? AND event_id = ?),
        after AS (SELECT r.* FROM submitted_rows r
                  JOIN pending p ON p.submission_id = r.submission_id AND p.ahsn = r.ahsn
                                AND p.quarter_index = r.quarter_index),
        now AS (SELECT t.* FROM trust_returns t
                JOIN pending p ON p.programme = t.programme AND p.ahsn = t.ahsn AND p.quarter_index = t.quarter_index)
        SELECT coalesce(a.ahsn, n.ahsn) AS ahsn, coalesce(a.quarter, n.quarter) AS quarter,
               coalesce(a.trust_code, n.trust_code) AS trust_code, coalesce(a.trust_name, n.trust_name) AS trust_name,
               n.adoption_level AS level_now, a.adoption_level AS level_after,
               n.trust_type AS type_now, a.trust_type AS type_after,
               n.referrals_made AS made_now, a.referrals_made AS made_after,
               n.referrals_completed AS completed_now, a.referrals_completed AS completed_after
        FROM after a FULL OUTER JOIN now n
             ON a.ahsn = n.ahsn AND a.quarter_index = n.quarter_index AND a.trust_code = n.trust_code
        WHERE a.trust_code IS NULL OR n.trust_code IS NULL
           OR a.adoption_level IS DISTINCT FROM n.adoption_level OR a.trust_type IS DISTINCT FROM n.trust_type
           OR a.referrals_made IS DISTINCT FROM n.referrals_made
           OR a.referrals_completed IS DISTINCT FROM n.referrals_completed
        ORDER BY 1, 3""",
        [programme.code, event_id],
    )


def revisions(db: Database, programme: Programme, quarter_indexes: list[int] | None = None) -> pd.DataFrame:
    """Published figures changed since publication: first published and now, when, why, by whom."""
    sql = """SELECT ahsn, quarter_index, quarter, first_rate, first_adopted, first_counted, current_rate,
                    current_adopted, current_counted, changed_at, reason, changed_by, how
             FROM revisions WHERE programme = ?"""
    params: list = [programme.code]
    if quarter_indexes is not None:
        sql += " AND list_contains(?, quarter_index)"
        params.append(list(quarter_indexes))
    return db.query(sql + " ORDER BY quarter_index, ahsn", params)


def first_published_rates(db: Database, programme: Programme, quarter_indexes: list[int]) -> pd.DataFrame:
    """Per AHSN and published quarter, the figures as first published (what the board saw)."""
    return db.query(
        """SELECT a.short_name AS ahsn, q.quarter_index, q.quarter, q.counted_trusts, q.adopted_trusts,
                              q.all_trusts, q.rate_percent, q.submission_id
                       FROM first_published_quarters q JOIN ahsns a ON a.short_name = q.ahsn
                       WHERE q.programme = ? AND list_contains(?, q.quarter_index)
                       ORDER BY a.table_order, q.quarter_index""",
        [programme.code, list(quarter_indexes)],
    )


def latest_demo_only_quarter(db: Database, programme: Programme) -> int | None:
    """The latest quarter (its index) with a return, while every return of the programme ever
    stored is demo data; None once any real one is (etl/collection.py's clock)."""
    found = db.query(
        """SELECT count(*) FILTER (WHERE NOT s.is_demo) AS real_returns, max(sr.quarter_index) AS latest
           FROM submission_returns sr JOIN submissions s ON s.id = sr.submission_id
           WHERE sr.programme = ?""",
        [programme.code],
    )
    if not len(found) or int(found["real_returns"].iloc[0]) or pd.isna(found["latest"].iloc[0]):
        return None
    return int(found["latest"].iloc[0])
