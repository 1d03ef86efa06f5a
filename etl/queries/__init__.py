"""Reading the published database: the only code that reads DuckDB, and it never writes.

    database.py      Database: one per process; opens the file CURRENT names read-only, lazily,
                     follows a new one as soon as it is made current, caches results per file,
                     and keeps one file for a whole request (`snapshot()`)
    adoption.py      the AHSNs, the quarters with data, each AHSN's and England's rates, the trusts
    submissions.py   every submission, its rows, comments, restores and quarantines
    collection.py    sign-offs, due dates, revisions waiting and made
    headlines.py     every programme's headline per AHSN and quarter (share, rate or count)
    trajectories.py  each AHSN's trajectory versions and the target each quarter is judged against
    conditions.py    each AHSN's spread conditions (the pathways analysis's live cases), every version
    files.py         uncached reads of one named file, for the store's write path and its build

Every query function takes the Database (or, in files.py, the file's path) first and returns a
data frame; SQL lives here and in the .sql files, never in a page. `from etl import queries`
then `queries.ahsn_rates(db, programme, ...)`: every query is named here.
"""

from __future__ import annotations

from etl.queries.adoption import (
    StoreStatus,
    ahsn_list,
    ahsn_rates,
    current_return_rows,
    england_rates,
    level_counts,
    loaded_quarters,
    store_status,
    trust_codes_missing,
    trust_revisions,
    trust_rows,
    trusts,
)
from etl.queries.collection import (
    collection_quarters,
    first_published_rates,
    latest_demo_only_quarter,
    pending_revisions,
    revision_standing,
    revision_trust_changes,
    revisions,
)
from etl.queries.conditions import condition_versions, current_conditions
from etl.queries.database import Database, Published
from etl.queries.headlines import first_published_headlines, headlines, published_headlines
from etl.queries.submissions import (
    left_out_events,
    quarantine_events,
    restore_preview,
    restores,
    submission_comments,
    submission_rows,
    submissions,
)
from etl.queries.trajectories import trajectory_steps, trajectory_targets, trajectory_versions

__all__ = [
    "Database",
    "Published",
    "StoreStatus",
    "ahsn_list",
    "ahsn_rates",
    "collection_quarters",
    "condition_versions",
    "current_conditions",
    "current_return_rows",
    "england_rates",
    "first_published_rates",
    "latest_demo_only_quarter",
    "left_out_events",
    "first_published_headlines",
    "headlines",
    "published_headlines",
    "level_counts",
    "loaded_quarters",
    "pending_revisions",
    "quarantine_events",
    "restore_preview",
    "restores",
    "revision_standing",
    "revision_trust_changes",
    "revisions",
    "store_status",
    "submission_comments",
    "submission_rows",
    "submissions",
    "trajectory_steps",
    "trajectory_targets",
    "trajectory_versions",
    "trust_codes_missing",
    "trust_revisions",
    "trust_rows",
    "trusts",
]
