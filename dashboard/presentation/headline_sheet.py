"""The national table's download for a rate or count headline (presentation/tables.py keeps the
share's own columns, TCAM's Table 8.1): each figure and change under the headline's own words,
then what each figure is made of, in the definition's measures' words."""

from __future__ import annotations

from dashboard.presentation.headline_cells import Cell, change_unit, headline_name, is_count
from dashboard.presentation.sheets import Column
from etl import words
from etl.programmes import Programme
from etl.report import NationalTable, target_sentence


def columns(table: NationalTable, programme: Programme, trajectory: bool) -> list[Column]:
    """Every column after the AHSN's and before the revision marks."""
    count = is_count(programme)
    key = "count" if count else "rate"
    name = headline_name(programme)
    out = [Column(f"{name} {q.label}", f"{key}_{q.key}", "whole" if count else "percent") for q in table.quarters]
    out += [
        Column(
            f"Change {a.label} to {b.label} ({change_unit(programme)})",
            f"change_{a.key}_to_{b.key}",
            "points",
            18,
        )
        for a, b, _ in table.change_columns
    ]
    if not count:
        top, bottom = (programme.measure(k) for k in (programme.headline.numerator, programme.headline.denominator))
        for q in table.quarters:
            out += [
                Column(f"{words.capital(top.words)} {q.label}", f"{top.key}_{q.key}", "whole"),
                Column(f"{words.capital(bottom.words)} {q.label}", f"{bottom.key}_{q.key}", "whole"),
            ]
    if trajectory:
        for q in table.quarters:
            out += [
                Column(
                    f"Trajectory target {q.label}" + ("" if count else " (%)"),
                    f"trajectory_{q.key}",
                    "whole" if count else "percent",
                ),
                Column(f"On its trajectory {q.label}", f"on_trajectory_{q.key}", "bool"),
            ]
    return out


def made_of(cell: Cell, programme: Programme) -> tuple:
    """A figure's parts as the columns above hold them: a rate's numerator and denominator; a count none."""
    return () if is_count(programme) else (cell.adopted, cell.trusts)


def notes(table: NationalTable, programme: Programme) -> list[str]:
    headline = programme.headline
    if is_count(programme):
        how = (
            f"{words.capital(headline.words)}: the sum over the AHSN's {programme.organisations} in its return for "
            f"the quarter. England (Total): the sum over every AHSN's return. Changes are in {headline.unit}."
        )
    else:
        top, bottom = (programme.measure(k).words for k in (headline.numerator, headline.denominator))
        how = (
            f"{words.capital(headline.words)}: {top} as a percentage of {bottom}, summed over the AHSN's "
            f"{programme.organisations}, a whole percent rounded half up. England (Total): all {top} over all "
            f"{bottom} in the returns. Changes are in percentage points."
        )
    return [
        target_sentence(table, programme.target_percent),
        how,
        "A blank figure means the AHSN sent no return for that quarter (never 0); a blank change, that one of "
        "its two quarters has no return.",
    ]
