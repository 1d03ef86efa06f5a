"""Every downloadable table, built as a Sheet (dashboard/presentation/sheets.py) from the same
objects as its page: the national table (through national_table.cells), the trusts behind it,
an AHSN's trusts, every AHSN's rates, the levels, who has returned, every trajectory version,
the milestones. Numbers stay numbers; what the page says with colour and symbols is the
Sheet's formatting and key."""

from __future__ import annotations

import pandas as pd

from dashboard.presentation import headline_sheet
from dashboard.presentation.headline_cells import has_referrals, is_count
from dashboard.presentation.legend import style_label
from dashboard.presentation.national_table import REVISED_MARK, SMALL_MARK, STYLES, Targets, caption, cells
from dashboard.presentation.sheets import Column, Sheet
from etl import words
from etl.programmes import Programme
from etl.quarters import Quarter
from etl.report import NationalTable, is_share, target_sentence

REVISED_KEY = "Revised since first published: when, from what, to what and why in the column 'Revised ...'"
REVISED_NOTE = (
    f"{REVISED_MARK} (Excel) and the columns 'Revised ...' (CSV, Excel; revised_... in JSON): a published figure "
    "changed since it was first published (an approved revision, or a return quarantined), with when, the figure "
    "first published, the figure now, and why. Add ?figures=first-published to the address for the figures as "
    "first published."
)
FIRST_PUBLISHED_NOTE = (
    "The figures as each quarter was first published (?figures=first-published), not as they stand now: "
    f"{REVISED_MARK} (Excel) and the columns 'Revised ...' say which have been revised since, to what and why."
)


def national(table: NationalTable, programme: Programme, trajectory: Targets | None = None) -> Sheet:
    """The national table: each rate and change as on the page, then what each rate is made of;
    with `trajectory` (?against=trajectory), the rates marked against each AHSN's own
    trajectory, and each quarter's target and whether the rate is on it."""
    rates, changes = table.quarters, table.change_columns
    columns = [Column("AHSN", "ahsn", width=24)]
    share = is_share(programme)
    if not share:  # a rate or count: its own words and measures (presentation/headline_sheet.py)
        columns += headline_sheet.columns(table, programme, trajectory is not None)
    else:
        columns += [Column(f"Adoption rate {q.label} (%)", f"rate_{q.key}", "percent") for q in rates]
        columns += [
            Column(f"Change {a.label} to {b.label} (percentage points)", f"change_{a.key}_to_{b.key}", "points", 18)
            for a, b, _ in changes
        ]
        counted, key = words.capital(words.counted(programme)), words.counted_key(programme)
        for q in rates:
            columns += [
                Column(f"{counted} adopted {q.label}", f"adopted_{q.key}", "whole"),
                Column(f"{counted} {q.label}", f"{key}_{q.key}", "whole"),
            ]
        if trajectory is not None:
            for q in rates:
                columns += [
                    Column(f"Trajectory target {q.label} (%)", f"trajectory_{q.key}", "percent"),
                    Column(f"On its trajectory {q.label}", f"on_trajectory_{q.key}", "bool"),
                ]
    columns += [Column(f"Revised {q.label}", f"revised_{q.key}", width=40) for q in rates]
    rows, styles, small, revised = [], [], [], []
    for facts, row_cells in cells(table, programme, trajectory):
        name = "England (Total)" if facts["is_total"] else facts["ahsn"]
        made_of = [
            v
            for c in row_cells[: len(rates)]
            for v in ((c.adopted, c.trusts) if share else headline_sheet.made_of(c, programme))
        ]
        if trajectory is not None:
            made_of += [v for c in row_cells[: len(rates)] for v in (c.target, c.on)]
        made_of += [c.revised for c in row_cells[: len(rates)]]
        rows.append([name] + [c.value for c in row_cells] + made_of)
        styles.append([None] + [c.style for c in row_cells] + [None] * len(made_of))
        small.append([False] + [c.small for c in row_cells] + [False] * len(made_of))
        revised.append([False] + [bool(c.revised) for c in row_cells] + [False] * len(made_of))
    points, example = programme.big_change_points, "412" if is_count(programme) else "45%"  # a count's figure
    flat = (
        [
            ("below", f"below {programme.target_percent}%", STYLES["below"]["label"]),
            ("at-target", f"{programme.target_percent}% or more", STYLES["at-target"]["label"]),
        ]
        if programme.target_percent is not None
        else [("no-target", example, STYLES["no-target"]["label"])]  # no flat national target
    )
    rate_key = (
        flat
        if trajectory is None
        else [
            (k, f"{STYLES[k]['symbol']} {example}".strip(), STYLES[k]["label"])
            for k in ("on-trajectory", "behind-trajectory", "no-trajectory")
        ]
    )
    key = [
        *rate_key,
        ("no-return", "(blank)", "No return from the AHSN for the quarter"),
        ("no-change", "● 0", STYLES["no-change"]["label"]),
        ("increase", "▲ +10", STYLES["increase"]["label"]),
        ("big-increase", f"▲▲ +{points + 1}", style_label("big-increase", programme)),
        ("decrease", "▼ −10", STYLES["decrease"]["label"]),
        (None, f"44% {REVISED_MARK}", REVISED_KEY),
    ]
    notes = national_notes(table, programme) if share else headline_sheet.notes(table, programme)
    notes.append(REVISED_NOTE if not table.first_published else FIRST_PUBLISHED_NOTE)
    if trajectory is not None:
        notes.append(
            "Against each AHSN's own trajectory: the target its trajectory set for the quarter (its latest "
            "step by then); a published quarter against the version in force when it was published. "
            "Blank target: no trajectory target for the quarter. England has no trajectory."
        )
    return Sheet(
        "national",
        caption(table, programme, trajectory),
        columns,
        rows,
        notes=notes,
        styles=styles,
        small=small,
        revised=revised,
        key=key,
    )


def national_notes(table: NationalTable, programme: Programme) -> list[str]:
    return [
        target_sentence(table, programme.target_percent),
        f"Adoption rate: {words.counted(programme)} at level {programme.adopted_from_level} or above as a percentage "
        f"of the {words.counted(programme)} in the AHSN's return, a whole percent rounded half up. England (Total): "
        f"all adopted {words.counted(programme)} over all {words.counted(programme)} in the returns.",
        "A blank rate means the AHSN sent no return for that quarter (never 0%); a blank change, that one of "
        "its two quarters has no return.",
        f"{SMALL_MARK} (Excel): fewer than {100 // programme.big_change_points} {words.counted(programme)}, so one "
        f"{words.organisations(programme, 1)} moves the rate by more than {programme.big_change_points} points.",
    ]


def _whole(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def trust_revisions(changed: pd.DataFrame, programme: Programme, first_published: bool) -> dict[tuple, tuple[str, set]]:
    """(AHSN, quarter index, trust code) -> the words of a trust's revision since first published
    (etl.queries.trust_revisions), and which of its figures changed ('trust_type', 'adoption_level',
    'referrals_made', 'referrals_completed')."""
    out = {}
    for r in changed.to_dict("records"):
        when = f"Revised {r['changed_at']:%-d %b %Y}" if not pd.isna(r["changed_at"]) else "Revised"
        how = f" ({r['how']})" if isinstance(r.get("how"), str) and r["how"] else ""
        why = f". Why: {r['reason']}" if isinstance(r.get("reason"), str) and r["reason"] else ""
        if not r["in_first"]:
            figures, changed_columns = "not in the return first published", set(_FIGURES)
        elif not r["in_now"]:
            figures, changed_columns = "no longer in the return", set(_FIGURES)
        else:
            parts, changed_columns = [], set()
            for column, label in _FIGURES.items():
                before, now = r[f"first_{_SHORT[column]}"], r[f"now_{_SHORT[column]}"]
                if _same(before, now):
                    continue
                changed_columns.add(column)
                shown = [words.type_words(v) if column == "trust_type" else _shown(v) for v in (before, now)]
                parts.append(
                    f"{label} first published {shown[0]}, {'since revised to' if first_published else 'now'} {shown[1]}"
                )
            figures = "; ".join(parts)
        out[(r["ahsn"], int(r["quarter_index"]), r["trust_code"])] = (f"{when}{how}: {figures}{why}", changed_columns)
    return out


_FIGURES = {
    "trust_type": "type",
    "adoption_level": "level",
    "referrals_made": "referrals made",
    "referrals_completed": "referrals completed",
}
_SHORT = {"trust_type": "type", "adoption_level": "level", "referrals_made": "made", "referrals_completed": "completed"}


def _same(a, b) -> bool:
    blank_a, blank_b = (
        a is None or (not isinstance(a, str) and pd.isna(a)),
        b is None or (not isinstance(b, str) and pd.isna(b)),
    )
    return (blank_a and blank_b) or (not blank_a and not blank_b and a == b)


def _shown(value) -> str:
    return "blank" if value is None or pd.isna(value) else f"{int(value):,}"


def trusts(
    frame: pd.DataFrame,
    programme: Programme,
    title: str,
    stem: str,
    comments: bool = True,
    revisions: dict[tuple, tuple[str, set]] | None = None,
    first_published: bool = False,
) -> Sheet:
    """Trust rows (etl.queries.trust_rows): one row per trust and return; `comments`: with the
    comments kept with each trust (blank otherwise); `revisions` (trust_revisions): each trust's
    figures revised since first published, marked and said; `first_published`: the rows are the
    figures as first published."""
    revisions = revisions or {}
    one = words.capital(programme.organisation)
    columns = [
        Column("AHSN", "ahsn", width=20),
        Column("Quarter", "quarter", width=11),
        Column(f"{one} code", "trust_code", width=10),
        Column(f"{one} name", "trust_name", width=44),
        Column(f"{one} type", "trust_type", width=14),
        Column("Counted toward the rate", "counted", "bool"),
        Column("Adoption level", "adoption_level", "whole", 10),
        Column("Level name", "level_name", width=13),
        Column(f"Adopted (counted, level {programme.adopted_from_level} or above)", "adopted", "bool"),
        Column("Level in the quarter before", "previous_level", "whole"),
        Column("Change in level since the quarter before", "level_change", "points"),
    ]
    share = has_referrals(programme)  # other measures than referrals: the definition's own, in its words
    columns += (
        [
            Column("Referrals made", "referrals_made", "whole"),
            Column("Referrals completed", "referrals_completed", "whole"),
            Column("Completion rate (%)", "completion_percent", "percent"),
        ]
        if share
        else [Column(words.capital(m.words), m.key, "whole") for m in programme.measures]
    )
    columns += [Column("Comment", "comment", width=40), Column("Revised since first published", "revised", width=50)]
    marked = {"trust_type": 4, "adoption_level": 6}
    if share:
        marked |= {"referrals_made": 11, "referrals_completed": 12}
    rows, revised = [], []
    for r in frame.to_dict("records"):
        level, before = int(r["adoption_level"]), _whole(r["previous_level"])
        said, changed = revisions.get((r["ahsn"], int(r["quarter_index"]), r["trust_code"]), (None, set()))
        flags = [False] * len(columns)
        for column in changed & set(marked):
            flags[marked[column]] = True
        revised.append(flags)
        rows.append(
            [
                r["ahsn"],
                r["quarter"],
                r["trust_code"],
                r["trust_name"],
                words.type_words(r["trust_type"]),
                bool(r["counted"]),
                level,
                r["level_name"],
                bool(r["adopted"]),
                before,
                None if before is None else level - before,
                *(
                    [_whole(r["referrals_made"]), _whole(r["referrals_completed"]), _whole(r["completion_percent"])]
                    if share
                    else [_whole(r.get(m.key)) for m in programme.measures]
                ),
                r.get("comment")
                if comments and isinstance(r.get("comment"), str) and r.get("comment").strip()
                else None,
                said,
            ]
        )
    notes = [
        f"Only {words.counted(programme)} count toward an AHSN's adoption rate; other "
        f"{words.organisations(programme)} are listed as returned.",
        f"Level in the quarter before: blank when the {programme.organisation} was not in the AHSN's return for that "
        "quarter. "
        + (
            "Referrals: blank when the return did not give them. Completion rate: completed as a share of made."
            if share
            else f"{words.capital(', '.join(m.words for m in programme.measures))}: blank when the return did not "
            "give them (never 0)."
        ),
        FIRST_PUBLISHED_NOTE
        if first_published
        else REVISED_NOTE.replace("columns 'Revised ...'", "column 'Revised since first published'").replace(
            "revised_... in JSON", "revised in JSON"
        ),
    ]
    if first_published:
        notes[-1] = notes[-1].replace("columns 'Revised ...'", "column 'Revised since first published'")
    key = [(None, f"4 {REVISED_MARK}", REVISED_KEY.replace("'Revised ...'", "'Revised since first published'"))]
    return Sheet(stem, title, columns, rows, notes=notes, revised=revised, key=key)


def ahsn_rates(
    rates: pd.DataFrame, order: list[str], title: str, programme: Programme, trajectory: dict | None = None
) -> Sheet:
    """Each AHSN's rate at every quarter it made a return (etl.queries.ahsn_rates), AHSNs in
    `order`, with the target its trajectory set for the quarter ((AHSN, Quarter) -> target)."""
    columns = [
        Column("AHSN", "ahsn", width=20),
        Column("Quarter", "quarter", width=11),
        Column("Adoption rate (%)", "rate", "percent"),
        Column(words.capital(f"{words.counted(programme)} adopted"), "adopted", "whole"),
        Column(words.capital(words.counted(programme)), words.counted_key(programme), "whole"),
        Column(f"All {words.organisations(programme)} in the return", f"all_{words.organisations(programme)}", "whole"),
        Column("Referrals made", "referrals_made", "whole"),
        Column("Referrals completed", "referrals_completed", "whole"),
        Column("Trajectory target (%)", "trajectory", "percent"),
    ]
    trajectory = trajectory or {}
    position = {name: i for i, name in enumerate(order)}
    frame = rates[rates["ahsn"].isin(position)]
    frame = frame.assign(position=frame["ahsn"].map(position)).sort_values(["position", "quarter_index"])
    rows = [
        [
            r["ahsn"],
            r["quarter"],
            _whole(r["rate_percent"]),
            _whole(r["adopted_trusts"]),
            _whole(r["counted_trusts"]),
            _whole(r["all_trusts"]),
            _whole(r["referrals_made"]),
            _whole(r["referrals_completed"]),
            trajectory.get((r["ahsn"], Quarter.from_index(int(r["quarter_index"])))),
        ]
        for r in frame.to_dict("records")
    ]
    notes = [
        "One row per AHSN and quarter with a return; a quarter without a return has no row.",
        "Trajectory target: the target the AHSN's own trajectory set for the quarter, as the quarter is judged "
        "(a published quarter against the version in force when it was published); blank: none.",
        f"{words.capital(words.counted(programme))}: those counted toward the rate; all "
        f"{words.organisations(programme)} also counts those of the other types in the return.",
    ]
    return Sheet("compare", title, columns, rows, notes=notes)


def levels(programme: Programme) -> Sheet:
    columns = [
        Column("Level", "level", "whole", 8),
        Column("Name", "name", width=14),
        Column("What it means", "description", width=60),
        Column("Counted as adopted", "adopted", "bool"),
    ]
    rows = [[lv.number, lv.name, lv.description, programme.is_adopted(lv.number)] for lv in programme.levels]
    return Sheet("levels", f"The {programme.short_name} adoption levels", columns, rows)


def returns(rows: list[dict], status) -> Sheet:
    """The returns grid (dashboard.views.returns_grid) for a quarter (etl.collection.QuarterStatus)."""
    columns = [
        Column("AHSN", "ahsn", width=20),
        Column("Status", "status", width=40),
        Column("Returned", "returned", "bool"),
        Column("Late", "late", "bool"),
        Column("Days late", "days_late", "whole"),
        Column("Warnings", "warnings", "whole"),
        Column("Earlier versions replaced", "earlier", "whole"),
        Column("Stored (UTC)", "stored_at", width=18),
        Column("By", "by", width=16),
        Column("Submission", "submission", "whole"),
        Column("Revisions waiting for approval", "revisions_waiting", width=18),
        Column("Trusts of the quarter before missing now", "missing", width=50),
        Column("How many missing", "missing_count", "whole"),
    ]
    out = [
        [
            r["ahsn"],
            r["status"],
            r["returned"],
            r["late"],
            r["days_late"],
            r["warnings"],
            r["earlier"],
            None if r["stored_at"] is None else f"{r['stored_at']:%Y-%m-%d %H:%M}",
            r["by"],
            r["submission"],
            ", ".join(map(str, r["revisions_waiting"])) or None,
            "; ".join(r["missing"]),
            len(r["missing"]),
        ]
        for r in rows
    ]
    state = "published" if status.is_published else f"open, due {status.due:%-d %b %Y}"
    return Sheet("returns", f"Returns for {status.quarter.label} ({state}; {status.coverage}), by AHSN", columns, out)


def trajectories(versions: pd.DataFrame, steps: pd.DataFrame, programme: Programme) -> Sheet:
    """Every step of every version of every AHSN's trajectory (etl.queries.trajectory_versions and
    trajectory_steps): AHSNs in the national table's order, newest version first."""
    columns = [
        Column("AHSN", "ahsn", width=24),
        Column("Version", "version", "whole", 8),
        Column("Current", "current", "bool", 8),
        Column("By quarter", "quarter", width=11),
        Column("Target (%)", "target", "percent", 9),
        Column("Note", "note", width=30),
        Column("Set by", "set_by", width=16),
        Column("Set at (UTC)", "set_at", width=17),
        Column("Why", "reason", width=40),
        Column("File", "file_name", width=24),
    ]
    by_event = {int(e): frame for e, frame in steps.groupby("event_id")}
    rows = []
    for v in versions.to_dict("records"):
        mine = by_event.get(int(v["event_id"]))
        for s in [] if mine is None else mine.sort_values("quarter_index").to_dict("records"):
            rows.append(
                [
                    v["ahsn"],
                    int(v["version"]),
                    bool(v["is_newest"]),
                    s["quarter"],
                    int(s["target_percent"]),
                    s["note"] if isinstance(s["note"], str) else None,
                    v["by_user"],
                    f"{v['happened_at']:%Y-%m-%d %H:%M}",
                    v["reason"],
                    v["file_name"],
                ]
            )
    notes = [
        f"One row per step: by the quarter, the target share of the AHSN's {words.counted(programme)} "
        "adopting; the target "
        "holds until the next step.",
        "A published quarter is judged against the version in force when it was published, any other quarter "
        "against the current version.",
    ]
    return Sheet("trajectories", "Every version of every AHSN's trajectory", columns, rows, notes=notes)


def milestones(found: list, title: str, programme: Programme) -> Sheet:
    """Milestones (etl.milestones.Milestone), newest quarter first, AHSNs A to Z."""
    columns = [
        Column("Quarter", "quarter", width=11),
        Column("AHSN", "ahsn", width=24),
        Column("Kind", "kind", width=12),
        Column("Milestone", "milestone", width=90),
    ]
    rows = [[m.quarter.label, m.ahsn, m.kind, m.sentence] for m in found]
    one = words.counted(programme, 1)
    notes = [
        f"Kinds: first-live (its first {one} {words.adopted(programme)}), step (a step of its own trajectory "
        f"met), target (the national target reached), all-live (every {one} {words.adopted(programme)}), "
        f"referrals ({words.milestone_counts(programme) or 'counts'} in a quarter past a milestone for the first "
        "time). Each counts the first quarter it happened, when an earlier return shows it had not."
    ]
    return Sheet("milestones", title, columns, rows, notes=notes)
