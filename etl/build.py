"""Build a complete DuckDB database file from the submission events and kept originals.

Every write (load, restore, rebuild) builds a whole new file this way, so there is one
code path and "rebuild gives the same result" holds by construction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from etl import ahsns
from etl.events import Event, Restore, Submission
from etl.programmes import PROGRAMMES
from etl.validate import parse_return

SQL_DIR = Path(__file__).resolve().parent
Progress = Callable[[int, int, str], None]


def build_database(
    path: Path,
    events: list[Event],
    read_original: Callable[[Submission], bytes],
    progress: Progress | None = None,
) -> None:
    """Write a new database at `path` (which must not exist) holding every event."""
    submissions = [e for e in events if isinstance(e, Submission)]
    restores = [e for e in events if isinstance(e, Restore)]
    rows: list[dict] = []
    for done, event in enumerate(submissions, start=1):
        rows.extend(_rows_of(event, read_original(event)))
        if progress:
            progress(done, len(submissions), event.file_name)
    # Data frames, not executemany: DuckDB reads a frame in one scan.
    submitted_rows = pd.DataFrame(rows, columns=ROW_COLUMNS).astype(
        {"referrals_made": "Int64", "referrals_completed": "Int64"})
    submission_table = pd.DataFrame(
        [[e.id, e.programme, e.file_name, e.sha256, e.stored_as, e.loaded_by, _timestamp(e.loaded_at),
          e.source, e.rows, list(e.warnings), e.is_demo] for e in submissions],
        columns=["id", "programme", "file_name", "sha256", "stored_as", "loaded_by", "loaded_at",
                 "source", "row_count", "warnings", "is_demo"])
    restore_table = pd.DataFrame(
        [[e.id, e.submission_id, e.loaded_by, _timestamp(e.loaded_at), e.source] for e in restores],
        columns=["id", "submission_id", "restored_by", "restored_at", "source"])

    con = duckdb.connect(str(path))
    try:
        con.execute((SQL_DIR / "schema.sql").read_text())
        _insert_reference(con)
        for table, frame in (("submissions", submission_table), ("restores", restore_table),
                             ("submitted_rows", submitted_rows)):
            if len(frame):
                con.register("incoming", frame)
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
                con.unregister("incoming")
        con.execute((SQL_DIR / "derived.sql").read_text())
        last_event = max((e.id for e in events), default=0)
        con.executemany("INSERT INTO meta VALUES (?, ?)", [
            ["last_event_id", str(last_event)],
            ["built_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")],
        ])
        con.execute("CHECKPOINT")
    finally:
        con.close()


ROW_COLUMNS = ["submission_id", "programme", "ahsn", "quarter_index", "quarter", "row", "trust_code",
               "trust_name", "trust_type", "adoption_level", "referrals_made", "referrals_completed"]


def _timestamp(iso: str) -> dt.datetime:
    """Event times are UTC; the database keeps them as naive UTC timestamps."""
    return dt.datetime.fromisoformat(iso).replace(tzinfo=None)


def _rows_of(event: Submission, content: bytes) -> list[dict]:
    programme = PROGRAMMES[event.programme]
    # No size limit or date rule here: this file was accepted under the rules of its day.
    parsed = parse_return(event.file_name, content, programme, max_bytes=len(content) + 1, today=None)
    if not parsed.ok:
        raise RuntimeError(
            f"kept original of submission {event.id} ({event.file_name}) no longer parses: "
            + "; ".join(str(p) for p in parsed.problems))
    return [{**r, "submission_id": event.id, "programme": event.programme,
             "quarter_index": r["quarter"].index, "quarter": r["quarter"].label} for r in parsed.records]


def _insert_reference(con: duckdb.DuckDBPyConnection) -> None:
    con.executemany("INSERT INTO programmes VALUES (?, ?, ?, ?, ?, ?)", [
        [p.code, p.short_name, p.name, p.adopted_from_level, p.target_percent, list(p.counted_trust_types)]
        for p in PROGRAMMES.values()])
    con.executemany("INSERT INTO levels VALUES (?, ?, ?, ?)", [
        [p.code, lv.number, lv.name, lv.description] for p in PROGRAMMES.values() for lv in p.levels])
    con.executemany("INSERT INTO ahsns VALUES (?, ?, ?, ?, ?)", [
        [a.short_name, a.slug, a.name_2018_2020, a.name_from_2023, a.table_order] for a in ahsns.all_ahsns()])

