"""Each submission's rows as the database holds them: read from the rows kept when it was
accepted (parse once), or, for `rebuild --reparse` and submissions from before rows were
kept, from its original read again with today's reader."""

from __future__ import annotations

import json

from etl.events import Submission
from etl.programmes import Programmes
from etl.reading.limits import ReadLimits
from etl.rows import TrustRow
from etl.store.log import EventLog
from etl.validate import parse_returns

REREAD_BATCH = 200  # kept originals read per child process by `rebuild --reparse`


class KeptFileMissing(RuntimeError):
    """A file the store keeps is missing (a backup restored without it): the store's fault,
    not the event's, so no event is left out for it."""


def records_json(records: list[TrustRow]) -> bytes:
    """Validated rows as kept on disk: one object per row, the quarter as its label."""
    return json.dumps(
        [r.as_json() for r in records], ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode()


def records_from_json(content: bytes) -> list[TrustRow]:
    return [TrustRow.from_json(r) for r in json.loads(content)]


def rows_for(
    log: EventLog, submissions: list[Submission], programmes: Programmes, reparse: set[int] = frozenset()
) -> dict[int, list[TrustRow]]:
    """Each submission's rows as the database holds them: its kept records, or its original
    read again (a submission from before records were kept, or one in `reparse`), in batches
    of REREAD_BATCH files per reading child."""
    rows, reread = {}, []
    for submission in submissions:
        if submission.records is not None and submission.id not in reparse:
            try:
                rows[submission.id] = records_from_json((log.root / submission.records).read_bytes())
            except FileNotFoundError:
                raise KeptFileMissing(
                    f"the parsed rows of submission {submission.id} ({submission.records}) are missing; "
                    "restore parsed/ from a backup, or read every original again with "
                    "`python -m etl rebuild --reparse`"
                ) from None
        else:
            reread.append(submission)
    for start in range(0, len(reread), REREAD_BATCH):
        rows.update(_read_again(log, reread[start : start + REREAD_BATCH], programmes))
    return rows


def _read_again(log: EventLog, submissions: list[Submission], programmes: Programmes) -> dict[int, list[TrustRow]]:
    rows = {}
    for code in {s.programme for s in submissions}:
        mine = [s for s in submissions if s.programme == code]
        contents = [log.original_bytes(s) for s in mine]
        # No size limit or date rule here: these files were accepted under the rules of their day.
        limits = ReadLimits(max_bytes=max(len(c) for c in contents) + 1)
        results = parse_returns(
            [(s.file_name, c) for s, c in zip(mine, contents)], programmes[code], limits, today=None
        )
        for submission, parsed in zip(mine, results):
            if not parsed.ok:
                raise RuntimeError(
                    f"kept original of submission {submission.id} ({submission.file_name}) no longer "
                    "parses: " + "; ".join(str(p) for p in parsed.problems)
                )
            # A trust the file left untyped was typed when it was checked against the store;
            # the event keeps that type by row, so reading the file again types it the same way.
            carried = submission.trust_types or {}
            default = programmes[code].default_trust_type
            rows[submission.id] = [
                r if r.trust_type_given else r.typed(carried.get(str(r.row), default)) for r in parsed.records
            ]
    return rows
