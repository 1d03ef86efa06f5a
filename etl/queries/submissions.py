"""Submissions: every file stored, what it holds, its comments, restores and quarantines."""

from __future__ import annotations

import pandas as pd

from etl.programmes import Programme
from etl.queries.database import Database


def submissions(db: Database, programme: Programme, ahsn: str | None = None) -> pd.DataFrame:
    """Every submission with the AHSN-quarters it holds and whether each is current (and made
    so by a restore), quarantined, or a revision waiting, approved or rejected (`standing`):
    what etl.statuses.of_row says. One row per submission and AHSN-quarter, newest first."""
    sql = """
        SELECT s.id AS submission_id, sr.ahsn, sr.quarter_index, sr.quarter, sr.trust_rows,
               s.file_name, s.loaded_by, s.loaded_at, s.source, s.sha256, s.stored_as,
               len(s.warnings) AS warning_count, s.warnings, s.is_demo,
               (c.submission_id IS NOT NULL) AS is_current,
               coalesce(c.event_id <> s.id, false) AS is_restored,
               (qu.submission_id IS NOT NULL) AS is_quarantined, qu.reason AS quarantine_reason,
               qu.by_user AS quarantined_by, qu.happened_at AS quarantined_at,
               ts.status AS standing, ts.decision_reason, ts.decided_by, ts.decided_at
        FROM submissions s
        JOIN submission_returns sr ON sr.submission_id = s.id
        LEFT JOIN current_returns c
               ON c.submission_id = s.id AND c.ahsn = sr.ahsn AND c.quarter_index = sr.quarter_index
        LEFT JOIN quarantined qu ON qu.submission_id = s.id
        LEFT JOIN touch_status ts
               ON ts.event_id = s.id AND ts.ahsn = sr.ahsn AND ts.quarter_index = sr.quarter_index
        WHERE s.programme = ?"""
    params: list = [programme.code]
    if ahsn is not None:
        sql += " AND sr.ahsn = ?"
        params.append(ahsn)
    return db.query(sql + " ORDER BY s.id DESC, sr.quarter_index, sr.ahsn", params)


def quarantine_events(db: Database, programme: Programme) -> pd.DataFrame:
    """Every quarantine and release, newest first."""
    return db.query(
        """SELECT q.id, q.submission_id, q.action, q.reason, q.by_user, q.happened_at
                       FROM quarantine_events q JOIN submissions s ON s.id = q.submission_id
                       WHERE s.programme = ? ORDER BY q.id DESC""",
        [programme.code],
    )


def submission_comments(db: Database, programme: Programme, submission_ids: list[int]) -> pd.DataFrame:
    """The per-trust comments (a Notes/Comments column) of these submissions, in file order."""
    return db.query(
        """SELECT submission_id, ahsn, quarter, "row", trust_code, trust_name, comment
                       FROM submitted_rows
                       WHERE programme = ? AND list_contains(?, submission_id) AND comment IS NOT NULL
                         AND trim(comment) <> ''
                       ORDER BY submission_id, "row"
                    """,
        [programme.code, list(submission_ids)],
    )


def restores(db: Database, programme: Programme) -> pd.DataFrame:
    return db.query(
        """SELECT r.id, r.submission_id, r.restored_by, r.restored_at, r.source
                    FROM restores r JOIN submissions s ON s.id = r.submission_id
                    WHERE s.programme = ? ORDER BY r.id DESC""",
        [programme.code],
    )


def restore_preview(db: Database, programme: Programme, submission_id: int) -> pd.DataFrame:
    """What restoring a submission would do, per AHSN-quarter it holds: the figure now, the
    figure it holds, and whether its quarter is published (then it would be a revision)."""
    return db.query(
        """
        SELECT f.ahsn, f.quarter_index, f.quarter,
               n.rate_percent AS now_rate, n.adopted_trusts AS now_adopted, n.counted_trusts AS now_counted,
               n.submission_id AS now_submission_id,
               f.rate_percent AS restored_rate, f.adopted_trusts AS restored_adopted,
               f.counted_trusts AS restored_counted,
               p.publish_event_id IS NOT NULL AS is_published
        FROM return_figures f
        JOIN ahsns a ON a.short_name = f.ahsn
        LEFT JOIN ahsn_quarters n ON n.programme = f.programme AND n.ahsn = f.ahsn AND n.quarter_index = f.quarter_index
        LEFT JOIN publications p ON p.programme = f.programme AND p.quarter_index = f.quarter_index
        WHERE f.programme = ? AND f.submission_id = ?
        ORDER BY f.quarter_index, a.table_order""",
        [programme.code, submission_id],
    )


def submission_rows(db: Database, programme: Programme, submission_id: int) -> pd.DataFrame:
    """The trust rows the database holds from one submission, as counted, in file order
    (`row` is the row in the file as sent)."""
    return db.query(
        """SELECT "row", quarter, ahsn, trust_code, trust_name, trust_type, adoption_level,
                           referrals_made, referrals_completed, comment
                    FROM submitted_rows WHERE programme = ? AND submission_id = ?
                    ORDER BY "row", ahsn, quarter_index""",
        [programme.code, submission_id],
    )


def left_out_events(db: Database) -> pd.DataFrame:
    """The stored events the build could not hold and left out of every figure (of any
    programme: one event must never stop the others), with why; oldest first."""
    return db.query("SELECT id, programme, kind, description, reason, left_out_at FROM left_out_events ORDER BY id")
