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
from etl.programmes import PROGRAMMES
from etl.reading.limits import ReadLimits
from etl.validate import parse_returns

SQL_DIR = Path(__file__).resolve().parent
Progress = Callable[[int, int, str], None]


def build_database(
    path: Path,
    events: list[dict],
    read_original: Callable[[dict], bytes],
    progress: Progress | None = None,
) -> None:
    """Write a new database at `path` (which must not exist) holding every event."""
    submissions = [e for e in events if e["kind"] == "submission"]
    restores = [e for e in events if e["kind"] == "restore"]
    rows: list[dict] = []
    for done, (event, parsed) in enumerate(_parse_all(submissions, read_original), start=1):
        rows.extend(_rows_of(event, parsed))
        if progress:
            progress(done, len(submissions), event["file_name"])
    # Data frames, not executemany: DuckDB reads a frame in one scan.
    submitted_rows = pd.DataFrame(rows, columns=ROW_COLUMNS).astype(
        {"referrals_made": "Int64", "referrals_completed": "Int64"})
    submission_table = pd.DataFrame(
        [[e["id"], e["programme"], e["file_name"], e["sha256"], e["stored_as"], e["loaded_by"],
          dt.datetime.fromisoformat(e["loaded_at"]).replace(tzinfo=None), e["source"], e["rows"],
          e["warnings"], e.get("is_demo", False)] for e in submissions],
        columns=["id", "programme", "file_name", "sha256", "stored_as", "loaded_by", "loaded_at",
                 "source", "row_count", "warnings", "is_demo"])
    restore_table = pd.DataFrame(
        [[e["id"], e["submission_id"], e["loaded_by"],
          dt.datetime.fromisoformat(e["loaded_at"]).replace(tzinfo=None), e["source"]] for e in restores],
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
        last_event = max((e["id"] for e in events), default=0)
        con.executemany("INSERT INTO meta VALUES (?, ?)", [
            ["last_event_id", str(last_event)],
            ["built_at", dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")],
        ])
        con.execute("CHECKPOINT")
    finally:
        con.close()


ROW_COLUMNS = ["submission_id", "programme", "ahsn", "quarter_index", "quarter", "row", "trust_code",
               "trust_name", "trust_type", "adoption_level", "referrals_made", "referrals_completed",
               "comment"]
BATCH = 200  # kept files read per child process


def _parse_all(submissions: list[dict], read_original: Callable[[dict], bytes]):
    """(event, ParsedReturn) for every submission, in order, read in batches."""
    for start in range(0, len(submissions), BATCH):
        batch = submissions[start:start + BATCH]
        contents = [read_original(e) for e in batch]
        parsed: dict[int, object] = {}
        for code in {e["programme"] for e in batch}:
            mine = [i for i, e in enumerate(batch) if e["programme"] == code]
            # No size limit or date rule here: these files were accepted under the rules of their day.
            limits = ReadLimits(max_bytes=max(len(contents[i]) for i in mine) + 1)
            results = parse_returns([(batch[i]["file_name"], contents[i]) for i in mine],
                                    PROGRAMMES[code], limits, today=None)
            parsed.update(zip(mine, results))
        yield from ((e, parsed[i]) for i, e in enumerate(batch))


def _rows_of(event: dict, parsed) -> list[dict]:
    if not parsed.ok:
        raise RuntimeError(
            f"kept original of submission {event['id']} ({event['file_name']}) no longer parses: "
            + "; ".join(str(p) for p in parsed.problems))
    # A trust whose type the file did not give was typed when it was checked against the
    # store (carried over from its previous return); the event keeps that type by row.
    carried = event.get("trust_types", {})
    return [{**r, "submission_id": event["id"], "programme": event["programme"],
             "quarter_index": r["quarter"].index, "quarter": r["quarter"].label,
             "trust_type": r["trust_type"] if r["trust_type_given"] else carried.get(str(r["row"]), "acute")}
            for r in parsed.records]


def _insert_reference(con: duckdb.DuckDBPyConnection) -> None:
    con.executemany("INSERT INTO programmes VALUES (?, ?, ?, ?, ?, ?)", [
        [p.code, p.short_name, p.name, p.adopted_from_level, p.target_percent, list(p.counted_trust_types)]
        for p in PROGRAMMES.values()])
    con.executemany("INSERT INTO levels VALUES (?, ?, ?, ?)", [
        [p.code, lv.number, lv.name, lv.description] for p in PROGRAMMES.values() for lv in p.levels])
    con.executemany("INSERT INTO ahsns VALUES (?, ?, ?, ?, ?)", [
        [a.short_name, a.slug, a.name_2018_2020, a.name_from_2023, a.table_order] for a in ahsns.all_ahsns()])

