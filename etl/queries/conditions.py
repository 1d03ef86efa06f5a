"""Each AHSN's spread conditions (etl/pathways/conditions_file.py): every version, and the current
values the pathways analysis takes as its live cases."""

from __future__ import annotations

import pandas as pd

from etl.programmes import Programme
from etl.queries.database import Database


def current_conditions(db: Database, programme: Programme) -> pd.DataFrame:
    """Each AHSN's current conditions, one row per AHSN and condition recorded: present or
    absent, the evidence, and the version's who, when and whether it is illustrative (demo)."""
    return db.query(
        """SELECT c.ahsn, a.slug, c.condition, c.present, c.evidence, v.version, v.by_user, v.happened_at,
                  v.reason, v.is_demo
           FROM condition_values c
           JOIN condition_versions v ON v.event_id = c.event_id
           JOIN ahsns a ON a.short_name = c.ahsn
           WHERE c.programme = ? AND v.is_newest
           ORDER BY a.table_order, c."row" NULLS LAST, c.condition""",
        [programme.code],
    )


def condition_versions(db: Database, programme: Programme, ahsn: str | None = None) -> pd.DataFrame:
    """Every version of every AHSN's conditions: who, when, why, from which file (or which
    version it restored); AHSNs in the national table's order, newest first."""
    sql = """SELECT v.event_id, v.ahsn, a.slug, v.version, v.is_newest, v.reason, v.file_name, v.by_user,
                    v.happened_at, v.source, v.is_demo, r.version AS restored_version,
                    (SELECT count(*) FROM condition_values c WHERE c.event_id = v.event_id) AS recorded,
                    (SELECT count(*) FROM condition_values c WHERE c.event_id = v.event_id AND c.present) AS present
             FROM condition_versions v
             JOIN ahsns a ON a.short_name = v.ahsn
             LEFT JOIN condition_versions r ON r.event_id = v.restored_from
             WHERE v.programme = ?"""
    params: list = [programme.code]
    if ahsn is not None:
        sql += " AND v.ahsn = ?"
        params.append(ahsn)
    return db.query(sql + " ORDER BY a.table_order, v.version DESC", params)
