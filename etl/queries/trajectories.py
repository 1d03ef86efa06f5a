"""Trajectories: each AHSN's stepped local targets (etl/trajectories.py), every version, and the
target each quarter is judged against."""

from __future__ import annotations

import pandas as pd

from etl.programmes import Programme
from etl.queries.database import Database


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


def trajectory_steps(
    db: Database, programme: Programme, ahsn: str | None = None, newest_only: bool = False
) -> pd.DataFrame:
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
