"""The national table's cells of a rate or count headline (a programme whose headline is not the
share of its organisations adopting): the figure, what it is made of, its changes in its own
units, each judged against the national target or the AHSN's own trajectory. Used by
presentation/national_table.py, which keeps the share's own cells (TCAM's Table 8.1)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.presentation.ahsn_story import BEHIND_MARK, ON_MARK
from etl.programmes import Programme
from etl.quarters import Quarter
from etl.report import NationalTable, is_share

Targets = dict[tuple[str, Quarter], int | None]  # (AHSN, quarter) -> its trajectory's target


@dataclass(frozen=True)
class Cell:
    text: str  # what the page shows
    value: int | None  # the number (None for no return / n/a)
    style: str  # key of national_table.STYLES
    detail: str  # what it is made of, for hover, focus and screen readers
    small: bool = False
    adopted: int | None = None  # a rate's numerator and denominator (None for changes, no return)
    trusts: int | None = None
    revised: str | None = None  # the revision mark's words, if the figure changed since publication
    target: int | None = None  # against a trajectory: the target the rate is judged against
    on: bool | None = None  # against a trajectory: on (or above) it


# The counts every trust row keeps as columns of its own (etl/schema.sql), with the completion
# rate between them: a programme whose measures are exactly these (TCAM) keeps their table,
# sort links and charts; any other shows its definition's own measures under their words.
REFERRAL_MEASURES = ("referrals_made", "referrals_completed")


def has_referrals(programme: Programme) -> bool:
    """Whether the definition's measures are the trust rows' referral counts."""
    return tuple(m.key for m in programme.measures) == REFERRAL_MEASURES


def is_count(programme: Programme) -> bool:
    return programme.headline is not None and programme.headline.kind == "count"


def headline_name(programme: Programme) -> str:
    """The headline as a heading: 'Eligible mothers given magnesium sulphate (%)', 'People completing'."""
    said = programme.headline.words
    return f"{said[0].upper()}{said[1:]}" + ("" if is_count(programme) else " (%)")


def group_heading(programme: Programme) -> str:
    return "Adoption rate" if is_share(programme) else headline_name(programme)


def change_unit(programme: Programme) -> str:
    """What a change is counted in: 'percentage points', or the count's unit ('people')."""
    return programme.headline.unit if is_count(programme) else "percentage points"


def figure_text(value: int, programme: Programme) -> str:
    """'72%' or '412'."""
    return f"{value:,}" if is_count(programme) else f"{value}%"


def made_of(value: int, numerator, denominator, programme: Programme) -> str:
    """'36 of 50 eligible mothers given magnesium sulphate', '412 people completing'."""
    if is_count(programme):
        return f"{value:,} {programme.headline.words}"
    return f"{int(numerator):,} of {int(denominator):,} {programme.headline.words}"


def headline_definition(programme: Programme) -> str:
    """What the national table's figure is, under its sentence: its target, or that it has none."""
    across = f"summed over the AHSN's {programme.organisations}"
    if is_count(programme):
        return (
            f"Each AHSN's {programme.headline.words} in the quarter, {across}; {programme.short_name} has no "
            "national target for it: each AHSN's own trajectory is its target."
        )
    numerator = programme.measure(programme.headline.numerator).words
    denominator = programme.measure(programme.headline.denominator).words
    return (
        f"National target: {programme.target_percent}% of each AHSN's {programme.headline.words} "
        f"({numerator} as a percentage of {denominator}, {across})."
    )


def definition_items(programme: Programme) -> list[tuple[str, str]]:
    """The Definitions page's terms for a rate or count headline, each with what it means."""
    headline, across = programme.headline, f"summed over the {programme.organisations} in the AHSN's return"
    if is_count(programme):
        figure = f"The {headline.words} in the quarter, {across}."
        england = f"The {headline.words} of every AHSN's return, summed."
        change = f"The later figure minus the earlier one, in {headline.unit}."
    else:
        top, bottom = (programme.measure(k).words for k in (headline.numerator, headline.denominator))
        figure = f"The {top} as a percentage of the {bottom}, each {across}, rounded to a whole percent (halves up)."
        england = (
            f"All {top} in every AHSN's return as a percentage of all {bottom} in them: weighted by {bottom}, "
            "not the average of the AHSNs' percentages."
        )
        change = "The later figure minus the earlier one, in percentage points."
    return [
        ("An AHSN's figure", figure),
        ("England (Total)", england),
        ("Change", change),
        (
            "No return",
            "An AHSN that sent no return for a quarter shows 'no return', never 0; it is left out of that quarter's "
            "total and of the count of AHSNs at target.",
        ),
    ]


def headline_change_words(change: int, programme: Programme) -> str:
    """'up 12 percentage points', 'down 40 people', 'no change'."""
    if change == 0:
        return "no change"
    unit = change_unit(programme)
    if abs(change) == 1:
        unit = "percentage point" if not is_count(programme) else unit
    return f"{'up' if change > 0 else 'down'} {abs(change):,} {unit}"


def headline_caption(table: NationalTable, programme: Programme, trajectory: Targets | None) -> str:
    quarters = ", ".join(q.label for q in table.quarters)
    if is_count(programme):
        what = f"{programme.short_name} {programme.headline.words} by AHSN: the number in each quarter"
        change = f"the change in {programme.headline.unit}"
    else:
        what = f"{programme.short_name} by AHSN: the percentage of {programme.headline.words}"
        change = "the change in percentage points"
    return f"{what}, at {quarters}, and {change} between them" + (
        "; each figure marked against the AHSN's own trajectory" if trajectory is not None else ""
    )


def none_to_divide(row, q: Quarter, revised: str | None, programme: Programme) -> Cell:
    """A rate whose return has none to divide by ('no eligible mothers'): returned, but no figure."""
    said = f"no {programme.measure(programme.headline.denominator).words}"
    detail = f"{row['ahsn']}'s return for {q.label} has {said}, so no percentage" + (f". {revised}" if revised else "")
    return Cell(said, None, "no-return", detail, revised=revised)


def headline_cell(
    table: NationalTable,
    row,
    q: Quarter,
    value: int,
    revised: str | None,
    trajectory: Targets | None,
    programme: Programme,
) -> Cell:
    """One AHSN's (or the Total's) figure at a quarter, with what it is made of."""
    numerator, denominator = row[q.key + "_adopted"], row[q.key + "_trusts"]
    detail = made_of(value, numerator, denominator, programme) + f" in {q.label}"
    text = figure_text(value, programme)
    partial = row["is_total"] and not table.is_complete(q)
    if partial:
        detail += f": the total of the {table.returned(q)} AHSNs that have returned, not England's"
        returned = table.returned(q)
        text += f" ({returned} AHSN{'s' if returned != 1 else ''})"
    if q in table.provisional:
        detail += f" (provisional: {table.provisional[q]})"
    if revised:
        detail += f". {revised}"
    adopted = int(numerator)
    parts = None if is_count(programme) else int(denominator)
    if trajectory is None:
        if programme.target_percent is None:
            style = "no-target"
        else:
            style = "at-target" if value >= programme.target_percent else "below"
        return Cell(text, value, style, detail, False, adopted, parts, revised)
    if row["is_total"]:
        return Cell(
            text,
            value,
            "no-trajectory",
            detail + ". England has no trajectory of its own",
            False,
            adopted,
            parts,
            revised,
        )
    target = trajectory.get((row["ahsn"], q))
    if target is None:
        why = (
            "no trajectory"
            if not any(a == row["ahsn"] for a, _ in trajectory)
            else f"no trajectory target for {q.label}"
        )
        return Cell(text, value, "no-trajectory", f"{detail}. {row['ahsn']} has {why}", False, adopted, parts, revised)
    on = value >= target
    gap = abs(value - target)
    by = f"{gap:,} {change_unit(programme)} {'above' if on else 'below'} it" if gap else "exactly on it"
    said = f"{'On' if on else 'Behind'} its trajectory of {figure_text(target, programme)} for {q.label}: {by}"
    mark = ON_MARK if on else BEHIND_MARK
    return Cell(
        f"{mark} {text}",
        value,
        "on-trajectory" if on else "behind-trajectory",
        f"{detail}. {said}",
        False,
        adopted,
        parts,
        revised,
        target,
        on,
    )
