"""Build a DuckDB database file from the store's events and the rows each submission holds.

One code path for every write: start from an empty database (a full build: `rebuild`, a
new store) or from a copy of the current one (an incremental build: every load, restore
and quarantine), add the base rows of the events it does not hold yet, then derive every
table from the base tables again (etl/derived.sql). The derived tables are always computed
from all the base rows, so both starts give the same result (tests/test_store.py checks it),
and storing one return costs the same on a store of ten years as on a new one.

A submission's rows come from its parsed records, kept beside its original when it was
accepted (parse once): the original is read again only by `rebuild --reparse`.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

import duckdb
import pandas as pd

from etl import ahsns
from etl.events import (
    ApproveRevision,
    Event,
    Quarantine,
    RejectRevision,
    Release,
    Restore,
    SetConditions,
    SetDueDate,
    SetTrajectory,
    SignOff,
    Submission,
)
from etl.files import FILE_MODE, create_private
from etl.programmes import Programmes, bundled
from etl.quarters import Quarter
from etl.queries import files
from etl.rows import DATABASE_COLUMNS, TrustRow

SQL_DIR = Path(__file__).resolve().parent
# Bump when schema.sql or what the base tables hold changes: a database of another version
# is never extended, only rebuilt.
SCHEMA_VERSION = "9"
Progress = Callable[[int, int, str], None]
RowsFor = Callable[[list[Submission]], dict[int, list[TrustRow]]]  # submission id -> its rows

ROW_COLUMNS = ["submission_id", "programme", *DATABASE_COLUMNS]


def build_database(
    path: Path,
    events: list[Event],
    rows_for: RowsFor,
    start_from: Path | None = None,
    progress: Progress | None = None,
    left_out: Mapping[int, str] | None = None,
    programmes: Programmes | None = None,
) -> None:
    """Write a database at `path` (which must not exist) holding every event. With
    `start_from` (a published database of this schema version holding an earlier prefix of
    the events), copy it and add only the newer events. `left_out`: events (by id, with the
    reason) the store found this build cannot hold: recorded in left_out_events, not added."""
    left_out = left_out or {}
    known = held_by(start_from, events)
    if known is None:
        con = duckdb.connect(str(path))
        os.chmod(path, FILE_MODE)  # private before anything is written to it
        con.execute((SQL_DIR / "schema.sql").read_text())
        _insert_reference(con, programmes if programmes is not None else bundled())
        known = 0
    else:
        shutil.copyfile(start_from, create_private(path))
        con = duckdb.connect(str(path))
    try:
        added = [e for e in events if e.id > known]
        _record_left_out([e for e in added if e.id in left_out], left_out, con)
        _insert_events([e for e in added if e.id not in left_out], rows_for, con, progress)
        con.execute((SQL_DIR / "derived.sql").read_text())
        last_event = max((e.id for e in events), default=0)
        con.executemany(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)",
            [
                ["last_event_id", str(last_event)],
                ["schema_version", SCHEMA_VERSION],
                ["built_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")],
            ],
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()


def held_by(path: Path | None, events: list[Event]) -> int | None:
    """The last event the database at `path` holds, if a build can extend it with the rest of
    `events`: same schema version, and every event it holds is still one of the first events.
    None when a build must start from nothing."""
    meta = files.meta_of(path) if path is not None else None
    if meta is None or meta.get("schema_version") != SCHEMA_VERSION:
        return None
    last = int(meta.get("last_event_id", -1))
    ids = [e.id for e in events]
    return last if 0 <= last <= max(ids, default=0) and ids[:last] == list(range(1, last + 1)) else None


def _record_left_out(events: list[Event], reasons: Mapping[int, str], con: duckdb.DuckDBPyConnection) -> None:
    if not events:
        return
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.executemany(
        "INSERT INTO left_out_events VALUES (?, ?, ?, ?, ?, ?)",
        [[e.id, e.programme, e.kind, describe(e), reasons[e.id], now] for e in events],
    )


def describe(event: Event) -> str:
    """An event in a few words, for the national team reading why it was left out."""
    if isinstance(event, Submission):
        returns = ", ".join(f"{r.ahsn} {r.quarter}" for r in event.returns)
        return f"{event.file_name} ({returns}), stored by {event.loaded_by}"
    if isinstance(event, SignOff | SetDueDate):
        return f"{event.kind.replace('_', ' ')} of {event.quarter}, by {event.loaded_by}"
    if isinstance(event, SetTrajectory):
        return f"{event.ahsn}'s trajectory from {event.file_name}, set by {event.loaded_by}"
    target = getattr(event, "submission_id", None) or getattr(event, "event_id", None)
    return f"{event.kind} of event {target}, by {event.loaded_by}"


def _insert_events(
    events: list[Event], rows_for: RowsFor, con: duckdb.DuckDBPyConnection, progress: Progress | None
) -> None:
    submissions = [e for e in events if isinstance(e, Submission)]
    by_submission = rows_for(submissions)
    rows: list[dict] = []
    measures: list[dict] = []  # each row's counts, by measure
    for done, event in enumerate(submissions, start=1):
        rows.extend(
            {**r.as_database_row(), "submission_id": event.id, "programme": event.programme}
            for r in by_submission[event.id]
        )
        measures.extend(r.measure_values() for r in by_submission[event.id])
        if progress:
            progress(done, len(submissions), event.file_name)
    # Data frames, not executemany: DuckDB reads a frame in one scan.
    tables = {
        "submissions": pd.DataFrame(
            [
                [
                    e.id,
                    e.programme,
                    e.file_name,
                    e.sha256,
                    e.stored_as,
                    e.loaded_by,
                    _timestamp(e.loaded_at),
                    e.source,
                    e.rows,
                    list(e.warnings),
                    e.is_demo,
                ]
                for e in submissions
            ],
            columns=[
                "id",
                "programme",
                "file_name",
                "sha256",
                "stored_as",
                "loaded_by",
                "loaded_at",
                "source",
                "row_count",
                "warnings",
                "is_demo",
            ],
        ),
        "restores": pd.DataFrame(
            [
                [e.id, e.submission_id, e.loaded_by, _timestamp(e.loaded_at), e.source]
                for e in events
                if isinstance(e, Restore)
            ],
            columns=["id", "submission_id", "restored_by", "restored_at", "source"],
        ),
        "quarantine_events": pd.DataFrame(
            [
                [e.id, e.submission_id, e.kind, e.reason, e.loaded_by, _timestamp(e.loaded_at), e.source]
                for e in events
                if isinstance(e, Quarantine | Release)
            ],
            columns=["id", "submission_id", "action", "reason", "by_user", "happened_at", "source"],
        ),
        "quarter_events": pd.DataFrame(
            [
                [
                    e.id,
                    e.programme,
                    Quarter.parse(e.quarter).index,
                    e.quarter,
                    e.kind,
                    dt.date.fromisoformat(e.due) if isinstance(e, SetDueDate) else None,
                    e.reason if isinstance(e, SetDueDate) else e.note,
                    e.loaded_by,
                    _timestamp(e.loaded_at),
                    e.source,
                ]
                for e in events
                if isinstance(e, SignOff | SetDueDate)
            ],
            columns=[
                "id",
                "programme",
                "quarter_index",
                "quarter",
                "kind",
                "due_date",
                "reason",
                "by_user",
                "happened_at",
                "source",
            ],
        ),
        "revision_decisions": pd.DataFrame(
            [
                [e.id, e.programme, e.event_id, e.kind, e.reason, e.loaded_by, _timestamp(e.loaded_at), e.source]
                for e in events
                if isinstance(e, ApproveRevision | RejectRevision)
            ],
            columns=["id", "programme", "event_id", "decision", "reason", "by_user", "happened_at", "source"],
        ),
        "trajectory_events": pd.DataFrame(
            [
                [
                    e.id,
                    e.programme,
                    e.ahsn,
                    e.reason,
                    e.file_name,
                    e.sha256,
                    e.stored_as,
                    e.loaded_by,
                    _timestamp(e.loaded_at),
                    e.source,
                    e.is_demo,
                ]
                for e in events
                if isinstance(e, SetTrajectory)
            ],
            columns=[
                "id",
                "programme",
                "ahsn",
                "reason",
                "file_name",
                "sha256",
                "stored_as",
                "by_user",
                "happened_at",
                "source",
                "is_demo",
            ],
        ),
        "trajectory_steps": pd.DataFrame(
            [
                [e.id, e.programme, e.ahsn, Quarter.parse(s.quarter).index, s.quarter, s.target_percent, s.note, s.row]
                for e in events
                if isinstance(e, SetTrajectory)
                for s in e.steps
            ],
            columns=["event_id", "programme", "ahsn", "quarter_index", "quarter", "target_percent", "note", "row"],
        ).astype({"row": "Int64"}),
        **_condition_tables(events),
        "submitted_rows": pd.DataFrame(rows, columns=ROW_COLUMNS).astype(
            {"referrals_made": "Int64", "referrals_completed": "Int64"}
        ),
        "submitted_measures": pd.DataFrame(
            [
                [
                    r["submission_id"],
                    r["programme"],
                    r["ahsn"],
                    r["quarter_index"],
                    r["trust_code"],
                    r["trust_type"],
                    k,
                    v,
                ]
                for r, values in zip(rows, measures)
                for k, v in values.items()
                if v is not None
            ],
            columns=[
                "submission_id",
                "programme",
                "ahsn",
                "quarter_index",
                "trust_code",
                "trust_type",
                "measure",
                "value",
            ],
        ),
    }
    for table, frame in tables.items():
        if len(frame):
            con.register("incoming", frame)
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
            con.unregister("incoming")


def _condition_tables(events: list[Event]) -> dict[str, pd.DataFrame]:
    """Each version of each AHSN's spread conditions, and the values it records."""
    versions = [e for e in events if isinstance(e, SetConditions)]
    return {
        "condition_events": pd.DataFrame(
            [
                [
                    e.id,
                    e.programme,
                    e.ahsn,
                    e.reason,
                    e.file_name,
                    e.sha256,
                    e.stored_as,
                    e.loaded_by,
                    _timestamp(e.loaded_at),
                    e.source,
                    e.is_demo,
                    e.restored_from,
                ]
                for e in versions
            ],
            columns=[
                "id",
                "programme",
                "ahsn",
                "reason",
                "file_name",
                "sha256",
                "stored_as",
                "by_user",
                "happened_at",
                "source",
                "is_demo",
                "restored_from",
            ],
        ).astype({"restored_from": "Int64"}),
        "condition_values": pd.DataFrame(
            [
                [e.id, e.programme, e.ahsn, v.condition, v.present, v.evidence, v.row]
                for e in versions
                for v in e.values
            ],
            columns=["event_id", "programme", "ahsn", "condition", "present", "evidence", "row"],
        ).astype({"row": "Int64"}),
    }


def _timestamp(iso: str) -> dt.datetime:
    """Event times are UTC; the database keeps them as naive UTC timestamps."""
    return dt.datetime.fromisoformat(iso).replace(tzinfo=None)


def _insert_reference(con: duckdb.DuckDBPyConnection, programmes: Programmes) -> None:
    con.executemany(
        "INSERT INTO programmes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                p.code,
                p.short_name,
                p.name,
                p.adopted_from_level,
                p.target_percent,
                list(p.counted_trust_types),
                p.headline.kind,
                p.headline.numerator,
                p.headline.denominator,
                p.headline.measure,
            ]
            for p in programmes
        ],
    )
    con.executemany(
        "INSERT INTO levels VALUES (?, ?, ?, ?)",
        [[p.code, lv.number, lv.name, lv.description] for p in programmes for lv in p.levels],
    )
    con.executemany(
        "INSERT INTO ahsns VALUES (?, ?, ?, ?, ?)",
        [[a.short_name, a.slug, a.name_2018_2020, a.name_from_2023, a.table_order] for a in ahsns.all_ahsns()],
    )
