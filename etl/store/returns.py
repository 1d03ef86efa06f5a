"""Storing quarterly returns: each file read once, checked against the figures current under
the write lock, kept with its rows, and committed as one event per file.

Reading (`read`) runs the sandboxed reading child and needs no lock, so the web app reads an
upload before it takes the lock; `commit` then checks those same parsed returns against the
data current at that moment (never reading the file again) and writes, or refuses with every
problem and writes nothing.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl.events import ReturnRef, Submission
from etl.permissions import Action
from etl.problems import Problem, ReturnRejected
from etl.programmes import Programme
from etl.quarters import Quarter
from etl.queries import files
from etl.reading.limits import ReadLimits
from etl.reference import organisations
from etl.store.commands import Actor, Writer, envelope, permit
from etl.store.records import records_json
from etl.validate import ParsedReturn, check_against_store, parse_returns


@dataclass(frozen=True)
class Accepted:
    """A file that was checked and stored."""

    submission_id: int
    file_name: str
    returns: list[ReturnRef]
    warnings: list[Problem]
    interpretations: list = ()  # etl.reading.result.Interpretation: what was read differently
    parsed: ParsedReturn | None = None  # the return as checked and stored


def read(
    files_: list[tuple[str, bytes]], programme: Programme, limits: ReadLimits, today: dt.date | None
) -> list[ParsedReturn]:
    """Each file read and checked on its own, in the sandboxed reading child: no lock, nothing stored."""
    return parse_returns(files_, programme, limits, today)


def check(parsed: list[ParsedReturn], programme: Programme, database: Path | None) -> list[ParsedReturn]:
    """Copies of the parsed returns, checked against the current data of their quarters and the
    quarters before them in `database` (never the whole history, so checking costs the same on
    any store). Later files in a batch are checked as if the earlier ones were loaded."""
    results = copy.deepcopy(parsed)  # the caller's stay as read, to be checked again later
    quarters = {q.index + d for r in results if r.ok for _, q, _ in r.returns() for d in (0, -1)}
    rows = files.current_rows(database, quarters)
    # not dict(groupby): a GroupBy has a .keys attribute, which dict() would call
    context = {key: frame for key, frame in rows.groupby(["ahsn", "quarter_index"])}  # noqa: C416
    state = files.collection_state(database, programme, {a for r in results if r.ok for a, _, _ in r.returns()})
    reference = organisations(programme)
    codes = {r.trust_code for one in results if one.ok for r in one.records}
    codes |= {s.code for s in map(reference.successor, codes) if s is not None}
    history = files.code_history(database, programme, codes)
    for one in results:
        if not one.ok:
            continue
        mine = {q.index + d for _, q, _ in one.returns() for d in (0, -1)}
        relevant = [f for (_, q), f in context.items() if q in mine]
        current = pd.concat(relevant, ignore_index=True) if relevant else rows.iloc[0:0]
        check_against_store(one, current, programme, history, reference)
        if one.ok:
            history = _with_codes_of(history, one)
            _warn_about_the_collection(one, programme, state)
            frame = one.frame()[list(rows.columns)]
            for key, replacement in frame.groupby(["ahsn", "quarter_index"]):
                context[key] = replacement
                state["returned"].add(key)
    return results


def _with_codes_of(history: pd.DataFrame, parsed: ParsedReturn) -> pd.DataFrame:
    """The codes' history with a file of the batch stored: the files after it are checked as
    if it were."""
    replaced = [(a, q.index) for a, q, _ in parsed.returns()]
    # vectorised: the history grows with every file of a batch (hundreds of GP practices a file)
    held_in = pd.MultiIndex.from_arrays([history["ahsn"], history["first_quarter"].astype("int64")]).isin(replaced)
    keep = ~(held_in & (history["first_quarter"] == history["last_quarter"]).to_numpy(dtype=bool))
    added = pd.DataFrame(
        [(r.trust_code, r.ahsn, r.quarter.index, r.quarter.index) for r in parsed.records], columns=files.CODE_HISTORY
    )
    return pd.concat([history.loc[keep], added], ignore_index=True)


def commit(
    writer: Writer,
    files_: list[tuple[str, bytes]],
    parsed: list[ParsedReturn],
    programme: Programme,
    actor: Actor,
    is_demo: bool = False,
) -> list[Accepted]:
    """Check the parsed returns against the data current now and store them: the originals
    and their rows kept, then one Submission event per file, in one commit. Raises
    ReturnRejected with every problem, having written nothing. The caller holds the lock."""
    for one in parsed:
        permit(actor, Action.SUBMIT, [a for a, _, _ in one.returns()], programme, f"{one.file_name} holds returns for")
    results = check(parsed, programme, writer.database.current())
    problems = [p for r in results for p in r.problems]
    if problems:
        raise ReturnRejected(problems)
    stored = [writer.log.keep_original(name, content) for name, content in files_]
    records = [writer.log.keep_records(records_json(r.records)) for r in results]
    writer.log.sync_kept()
    events = writer.log.append(
        [
            Submission(
                **envelope(actor, programme.code),
                # the name as cleaned by parse_returns: no control or bidi characters, capped
                file_name=r.file_name,
                sha256=hashlib.sha256(content).hexdigest(),
                stored_as=stored_as,
                rows=len(r.records),
                warnings=tuple(str(w) for w in r.warnings),
                returns=tuple(ReturnRef(a, q.label, n) for a, q, n in r.returns()),
                is_demo=is_demo,
                records=records_as,
                trust_types=_carried_types(r),
            )
            for (_, content), r, stored_as, records_as in zip(files_, results, stored, records)
        ]
    )
    return [
        Accepted(e.id, e.file_name, list(e.returns), r.warnings, r.interpretations, r) for e, r in zip(events, results)
    ]


def _warn_about_the_collection(parsed: ParsedReturn, programme: Programme, state: dict) -> None:
    """Warnings that do not block: a return for a published quarter is a revision that waits
    for approval; a return for a later quarter while an earlier open one lacks this AHSN's
    return is probably the wrong quarter, or the earlier one is forgotten."""
    for ahsn, quarter, _ in parsed.returns():
        if quarter.index in state["published"]:
            parsed.warnings.append(
                Problem(
                    parsed.file_name,
                    None,
                    "quarter",
                    f"{quarter.label} is published: {ahsn}'s return for it is a revision, and the published "
                    "figures change only when a national administrator approves it",
                    "Nothing to do if you meant to correct the published return; otherwise check the quarter",
                )
            )
            continue
        before = [q for a, q in state["returned"] if a == ahsn and q < quarter.index]
        if not before:
            continue
        missing = [Quarter.from_index(i) for i in range(max(before) + 1, quarter.index) if i not in state["published"]]
        for gap in missing:
            due = state["due"].get(gap.index) or programme.due_date(gap)
            parsed.warnings.append(
                Problem(
                    parsed.file_name,
                    None,
                    "quarter",
                    f"{ahsn} has no return for {gap.label}, which is still open (due {due:%-d %b %Y}), and this "
                    f"file is for {quarter.label}",
                    f"Check the quarter is right, and send the {gap.label} return too",
                )
            )


def _carried_types(parsed: ParsedReturn) -> dict[str, str] | None:
    """The types check_against_store gave trusts the file left untyped, by row."""
    carried = {str(r.row): r.trust_type for r in parsed.records if not r.trust_type_given}
    return carried or None
