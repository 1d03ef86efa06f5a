"""Read access to the current database: parameterised SQL in, data frames out.

This is the only module that reads DuckDB for the pages and the reports. A `Database` (one
per process, made by the web app's composition root or the command line) opens the file
CURRENT names read-only, lazily (so after gunicorn forks), and opens the new one as soon as
a writer publishes it. Published files never change, so a query's result is cached per
(database file, query, parameters). Every query function takes the Database first.

Within `Database.snapshot()` (the web app holds one for each request) every read is from
the one file that was current at the first read, so a page never mixes figures from before
and after a write that was published while it was being made.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from etl.programmes import Programme
from etl.store import Store, StoreNotReady

_CACHE_SIZE = 512


class _Connection:
    """The read-only connection to one database file, and a cache of query results for that
    file. Replaced as a whole when CURRENT names another file."""

    def __init__(self, path: Path):
        self.path = path
        self.connection = duckdb.connect(str(path), read_only=True)
        self.results: OrderedDict[tuple, pd.DataFrame] = OrderedDict()


class Database:
    """Read access to a store's current database, for one process.

    Opens the file CURRENT names read-only on first use (so after gunicorn forks) and the
    new one as soon as a writer publishes it. It never builds, never writes and never takes
    the store's write lock: a store with no database raises StoreNotReady."""

    def __init__(self, store: Store):
        self.store = store
        self._open: _Connection | None = None
        self._lock = threading.Lock()
        # inside a snapshot: [] until the first read, then [the connection every read uses]
        self._snapshot: ContextVar[list[_Connection] | None] = ContextVar(f"snapshot-{id(self)}", default=None)

    def begin_snapshot(self) -> Token:
        """From now until `end_snapshot`, in this thread or task, read one database only."""
        return self._snapshot.set([])

    def end_snapshot(self, token: Token) -> None:
        self._snapshot.reset(token)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        token = self.begin_snapshot()
        try:
            yield
        finally:
            self.end_snapshot(token)

    def _connection(self) -> _Connection:
        pinned = self._snapshot.get()
        if pinned:
            return pinned[0]
        opened = self._latest()
        if pinned is not None:
            pinned.append(opened)
        return opened

    def _latest(self) -> _Connection:
        path = self.store.current_database()
        if path is None:
            raise StoreNotReady()
        with self._lock:
            if self._open is None or self._open.path != path:
                # A file CURRENT named a moment ago may be gone (superseded and removed):
                # read CURRENT once more and open what it names now.
                try:
                    new = _Connection(path)
                except duckdb.Error:
                    path = self.store.current_database()
                    if path is None:
                        raise StoreNotReady() from None
                    new = _Connection(path)
                # The old file's connection is not closed here: a request in another thread
                # may still be reading its snapshot. It closes when the last one lets go.
                self._open = new
            return self._open

    @property
    def path(self) -> Path:
        return self._connection().path

    def query(self, sql: str, params: list | tuple = ()) -> pd.DataFrame:
        """Run one parameterised SELECT on the current database (cached; do not mutate the result)."""
        opened = self._connection()
        key = (sql, tuple(tuple(p) if isinstance(p, list) else p for p in params))
        with self._lock:
            if key in opened.results:
                opened.results.move_to_end(key)
                return opened.results[key]
        cursor = opened.connection.cursor()  # one cursor per call: safe across threads
        try:
            frame = cursor.execute(sql, list(params)).df()
        finally:
            cursor.close()
        with self._lock:
            opened.results[key] = frame
            if len(opened.results) > _CACHE_SIZE:
                opened.results.popitem(last=False)
        return frame

    def last_event_id(self) -> int:
        """The newest event the database being read holds."""
        meta = self.query("SELECT value FROM meta WHERE key = 'last_event_id'")
        return int(meta["value"].iloc[0]) if len(meta) else 0

    def holds(self, event_id: int) -> bool:
        """Whether the database being read holds this event: every page shows it."""
        return self.last_event_id() >= event_id

    def is_behind(self) -> bool:
        """Whether a stored event waits to be published (the pages do not show it yet)."""
        return not self.holds(self.store.last_event_id())

    def close(self) -> None:
        with self._lock:
            if self._open is not None:
                self._open.connection.close()
                self._open = None


# ---- the store ----------------------------------------------------------------------


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
           ORDER BY quarter_index DESC LIMIT 1""", [programme.code])
    published = db.query(
        """SELECT quarter FROM publications WHERE programme = ?
           AND quarter_index IN (SELECT quarter_index FROM england_quarters WHERE programme = ?)
           ORDER BY quarter_index DESC LIMIT 1""", [programme.code, programme.code])
    demo = db.query(
        """SELECT count(*) FILTER (WHERE s.is_demo) AS demo, count(*) AS all_returns
           FROM current_returns c JOIN submissions s ON s.id = c.submission_id
           WHERE c.programme = ?""", [programme.code])
    last_load = db.query(
        """SELECT max(loaded_at) AS at FROM (
               SELECT loaded_at FROM submissions WHERE programme = ?
               UNION ALL SELECT restored_at FROM restores r
               JOIN submissions s ON s.id = r.submission_id WHERE s.programme = ?)""",
        [programme.code, programme.code])
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


# ---- reference ----------------------------------------------------------------------


def ahsn_list(db: Database) -> pd.DataFrame:
    return db.query("SELECT short_name, slug, name_2018_2020, name_from_2023, table_order "
                 "FROM ahsns ORDER BY table_order")


def loaded_quarters(db: Database, programme: Programme) -> pd.DataFrame:
    """Quarters with at least one return, oldest first."""
    return db.query("""SELECT quarter_index, quarter, ahsns_returned FROM england_quarters
                    WHERE programme = ? ORDER BY quarter_index""", [programme.code])


# ---- adoption -----------------------------------------------------------------------


def ahsn_rates(db: Database, programme: Programme, quarter_indexes: list[int] | None = None,
               ahsn: str | None = None) -> pd.DataFrame:
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
    return db.query("""SELECT quarter_index, quarter, level, level_name, trusts FROM level_counts
                    WHERE programme = ? AND ahsn = ? ORDER BY quarter_index, level""",
                 [programme.code, ahsn])


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


def trust_rows(db: Database, programme: Programme, quarter_indexes: list[int], ahsn: str | None = None) -> pd.DataFrame:
    """Every trust row of the current returns for these quarters (optionally one AHSN's), with
    whether the trust counts toward the rate, whether it counts as adopted, and its level in the
    quarter before (if it was in that return). AHSNs in the national table's order."""
    sql, params = _TRUST_ROWS, [programme.code, list(quarter_indexes)]
    if ahsn is not None:
        sql += " AND t.ahsn = ?"
        params.append(ahsn)
    return db.query(sql + " ORDER BY t.quarter_index, a.table_order, t.trust_name, t.trust_code", params)


def trusts(db: Database, programme: Programme, ahsn: str, quarter_index: int) -> pd.DataFrame:
    """The trusts of one return (see trust_rows)."""
    return trust_rows(db, programme, [quarter_index], ahsn)


def trust_codes_missing(db: Database, programme: Programme, ahsn: str, quarter_index: int) -> pd.DataFrame:
    """Trusts in the AHSN's return for the quarter before but not in this one's."""
    return db.query("""
        SELECT prev.trust_code, prev.trust_name, prev.adoption_level
        FROM trust_returns prev
        WHERE prev.programme = ? AND prev.ahsn = ? AND prev.quarter_index = ? - 1
          AND prev.trust_code NOT IN (
              SELECT trust_code FROM trust_returns
              WHERE programme = ? AND ahsn = ? AND quarter_index = ?)
        ORDER BY prev.trust_name""",
        [programme.code, ahsn, quarter_index, programme.code, ahsn, quarter_index])


def current_return_rows(db: Database, programme: Programme) -> pd.DataFrame:
    """Every current trust row (for templates and previews)."""
    return db.query("""SELECT ahsn, quarter_index, quarter, trust_code, trust_name, trust_type,
                           adoption_level, referrals_made, referrals_completed
                    FROM trust_returns WHERE programme = ?
                    ORDER BY ahsn, quarter_index, trust_name""", [programme.code])


# ---- submissions --------------------------------------------------------------------


def submissions(db: Database, programme: Programme, ahsn: str | None = None) -> pd.DataFrame:
    """Every submission with the AHSN-quarters it holds and whether each is current.
    One row per submission and AHSN-quarter, newest first."""
    sql = """
        SELECT s.id AS submission_id, sr.ahsn, sr.quarter_index, sr.quarter, sr.trust_rows,
               s.file_name, s.loaded_by, s.loaded_at, s.source, s.sha256, s.stored_as,
               len(s.warnings) AS warning_count, s.warnings, s.is_demo,
               (c.submission_id IS NOT NULL) AS is_current,
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
    return db.query("""SELECT q.id, q.submission_id, q.action, q.reason, q.by_user, q.happened_at
                       FROM quarantine_events q JOIN submissions s ON s.id = q.submission_id
                       WHERE s.programme = ? ORDER BY q.id DESC""", [programme.code])


def submission_comments(db: Database, programme: Programme, submission_ids: list[int]) -> pd.DataFrame:
    """The per-trust comments (a Notes/Comments column) of these submissions, in file order."""
    return db.query("""SELECT submission_id, ahsn, quarter, "row", trust_code, trust_name, comment
                       FROM submitted_rows
                       WHERE programme = ? AND list_contains(?, submission_id) AND comment IS NOT NULL
                         AND trim(comment) <> ''
                       ORDER BY submission_id, "row"
                    """, [programme.code, list(submission_ids)])


def restores(db: Database, programme: Programme) -> pd.DataFrame:
    return db.query("""SELECT r.id, r.submission_id, r.restored_by, r.restored_at, r.source
                    FROM restores r JOIN submissions s ON s.id = r.submission_id
                    WHERE s.programme = ? ORDER BY r.id DESC""", [programme.code])



# ---- the quarter's collection: sign-off, due dates, revisions --------------------------


def collection_quarters(db: Database, programme: Programme) -> pd.DataFrame:
    """Every quarter with a return or a sign-off event, oldest first: when it was published
    (NULL while open), a due date set by hand (NULL: the programme's rule), how many AHSNs and
    trusts have a current return, how many published figures have been revised since, and
    how many changes wait for approval."""
    return db.query("""
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
        ORDER BY q.quarter_index""", [programme.code] * 8)


def pending_revisions(db: Database, programme: Programme) -> pd.DataFrame:
    """Changes to published quarters waiting for a decision, one row per AHSN-quarter each
    changes, oldest first: the figure now (before) and the figure it would make (after)."""
    return db.query("""
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
        ORDER BY r.event_id, x.table_order""", [programme.code])


def revision_trust_changes(db: Database, programme: Programme, event_id: int) -> pd.DataFrame:
    """What a pending revision changes, trust by trust: the level and referrals now and after,
    for every trust that differs (added, removed or changed)."""
    return db.query("""
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
        ORDER BY 1, 3""", [programme.code, event_id])


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
    return db.query("""SELECT a.short_name AS ahsn, q.quarter_index, q.quarter, q.counted_trusts, q.adopted_trusts,
                              q.all_trusts, q.rate_percent, q.submission_id
                       FROM first_published_quarters q JOIN ahsns a ON a.short_name = q.ahsn
                       WHERE q.programme = ? AND list_contains(?, q.quarter_index)
                       ORDER BY a.table_order, q.quarter_index""", [programme.code, list(quarter_indexes)])


def restore_preview(db: Database, programme: Programme, submission_id: int) -> pd.DataFrame:
    """What restoring a submission would do, per AHSN-quarter it holds: the figure now, the
    figure it holds, and whether its quarter is published (then it would be a revision)."""
    return db.query("""
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
        ORDER BY f.quarter_index, a.table_order""", [programme.code, submission_id])
def submission_rows(db: Database, programme: Programme, submission_id: int) -> pd.DataFrame:
    """The trust rows the database holds from one submission, as counted, in file order
    (`row` is the row in the file as sent)."""
    return db.query("""SELECT "row", quarter, ahsn, trust_code, trust_name, trust_type, adoption_level,
                           referrals_made, referrals_completed, comment
                    FROM submitted_rows WHERE programme = ? AND submission_id = ?
                    ORDER BY "row", ahsn, quarter_index""", [programme.code, submission_id])



# ---- trajectories: each AHSN's stepped local targets (etl/trajectories.py) ----------------------


def trajectory_targets(db: Database, programme: Programme, ahsn: str | None = None) -> pd.DataFrame:
    """The target each quarter of each AHSN with a trajectory is judged against (NULL before its
    first step): a published quarter's from the version in force when it was published, any
    other's from the newest. From the first quarter with a return or step to the last."""
    sql = """SELECT t.ahsn, t.quarter_index, t.quarter, t.is_published, t.version_event_id, t.version, t.is_newest,
                    t.step_quarter_index, t.step_quarter, t.target_percent
             FROM trajectory_targets t JOIN ahsns a ON a.short_name = t.ahsn
             WHERE t.programme = ?"""
    params: list = [programme.code]
    if ahsn is not None:
        sql += " AND t.ahsn = ?"
        params.append(ahsn)
    return db.query(sql + " ORDER BY a.table_order, t.quarter_index", params)


def trajectory_versions(db: Database, programme: Programme, ahsn: str | None = None) -> pd.DataFrame:
    """Every version of every AHSN's trajectory: who set it, when, why, from which file; AHSNs
    in the national table's order, newest version first."""
    sql = """SELECT v.event_id, v.ahsn, a.slug, v.version, v.is_newest, v.reason, v.file_name, v.sha256,
                    v.by_user, v.happened_at, v.source, v.is_demo
             FROM trajectory_versions v JOIN ahsns a ON a.short_name = v.ahsn
             WHERE v.programme = ?"""
    params: list = [programme.code]
    if ahsn is not None:
        sql += " AND v.ahsn = ?"
        params.append(ahsn)
    return db.query(sql + " ORDER BY a.table_order, v.version DESC", params)


def trajectory_steps(db: Database, programme: Programme, ahsn: str | None = None,
                     newest_only: bool = False) -> pd.DataFrame:
    """The steps of each version (`newest_only`: of each AHSN's trajectory now), earliest first."""
    sql = """SELECT s.event_id, s.ahsn, v.version, v.is_newest, s.quarter_index, s.quarter, s.target_percent, s.note
             FROM trajectory_steps s
             JOIN trajectory_versions v ON v.event_id = s.event_id
             JOIN ahsns a ON a.short_name = s.ahsn
             WHERE s.programme = ?"""
    params: list = [programme.code]
    if ahsn is not None:
        sql += " AND s.ahsn = ?"
        params.append(ahsn)
    if newest_only:
        sql += " AND v.is_newest"
    return db.query(sql + " ORDER BY a.table_order, v.version DESC, s.quarter_index", params)
