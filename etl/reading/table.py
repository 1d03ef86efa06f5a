"""Finding the table in what was read: which sheet, which row is the header, which column
is which, and the CSV's delimiter.

People put a title above the header, write headers in words ("Trust code (ODS)",
"No. of referrals made"), and keep an Instructions sheet before the data. Each is read, and
each reading is reported as an Interpretation. What a table's columns are is a `Layout`: a
programme's quarterly return (`layout_for(programme)`) or a trajectory's (etl/reading/trajectory.py).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from etl.problems import Problem
from etl.programmes import Programme
from etl.quarters import shortened
from etl.reading.cells import shown
from etl.reading.grid import Grid, column_letter, is_blank
from etl.reading.result import Interpretation

# The columns of every return, before and after the programme's level and measures (layout_for):
# column -> required. Optional columns may be left out of the file altogether.
ORGANISATION_COLUMNS: dict[str, bool] = {
    "quarter": True,
    "ahsn": True,
    "trust_code": True,
    "trust_name": True,
    "trust_type": False,
}

# What people write as a column's heading, after header_key() has tidied it (a programme's
# definition adds its own: etl/programmes.py).
_SYNONYMS = {
    "quarter": [
        "quarter",
        "reporting quarter",
        "financial quarter",
        "qtr",
        "period",
        "reporting period",
        "nhs quarter",
        "fy quarter",
        "quarter year",
    ],
    "ahsn": [
        "ahsn",
        "ahsn name",
        "ahsn hin",
        "hin",
        "health innovation network",
        "network",
        "innovation network",
        "ahsn health innovation network",
    ],
    "trust_code": [
        "trust code",
        "code",
        "ods code",
        "trust ods code",
        "ods",
        "organisation code",
        "org code",
        "organisation ods code",
        "provider code",
        "trust ods",
        "ods trust code",
    ],
    "trust_name": [
        "trust name",
        "trust",
        "name",
        "organisation",
        "organisation name",
        "org name",
        "provider",
        "provider name",
        "name trust",
    ],
    "trust_type": ["trust type", "type", "type trust", "organisation type", "provider type", "type organisation"],
    "adoption_level": [
        "adoption level",
        "level",
        "level adoption",
        "adoption",
        "adoption stage",
        "stage",
        "current level",
        "current adoption level",
    ],
    "comment": [
        "comment",
        "comments",
        "note",
        "notes",
        "notes comments",
        "comments notes",
        "remarks",
        "additional comments",
        "additional notes",
        "notes remarks",
    ],
}
_STOP = {"no", "number", "of", "the", "nr", "num", "in", "this", "during", "for", "s", "total", "e", "g"}


@dataclass(frozen=True)
class Layout:
    """The columns of one kind of file: their names (required or not), what people write as
    their headings, and how messages name the file and its template."""

    what: str  # "return": "no row of the file names the columns of a return"
    columns: dict[str, bool]
    synonyms: dict[str, list[str]]
    template: str  # how to get a good file: "Fill in the template (python -m etl template)"
    # a return's: word beginnings of a heading that may be a missing column misnamed; each count
    # column and what it holds; the counts that are a part of another (preferred when a heading
    # could be either)
    stems: dict[str, tuple[str, ...]] = field(default_factory=dict)
    counts: dict[str, str] = field(default_factory=dict)
    numerators: tuple[str, ...] = ()

    @functools.cached_property
    def by_key(self) -> dict[str, str]:
        return {key: column for column, keys in self.synonyms.items() for key in keys}

    @property
    def is_return(self) -> bool:
        return self.what == "return"


_STEMS = {
    "quarter": ("quarter", "qtr", "period", "month"),
    "ahsn": ("ahsn", "hin", "network", "innovation"),
    "trust_code": ("code", "ods"),
    "trust_name": ("name", "trust", "organis", "provider", "hospital"),
    "trust_type": ("type", "sector"),
    "adoption_level": ("level", "stage", "adopt"),
    "comment": ("comment", "note", "remark"),
}


def layout_for(programme: Programme) -> Layout:
    """A programme's return: the organisation columns, its adoption level (if it has levels),
    one column a measure, and an optional comment; the headings its definition adds."""
    columns = dict(ORGANISATION_COLUMNS)
    synonyms = {c: list(_SYNONYMS[c]) for c in columns}
    stems = {c: _STEMS[c] for c in columns}
    if programme.levels:
        columns["adoption_level"] = True
        synonyms["adoption_level"] = [*_SYNONYMS["adoption_level"], *programme.level_headings]
        stems["adoption_level"] = (*_STEMS["adoption_level"], *programme.level_stems)
    for m in programme.measures:
        columns[m.key] = True
        # its own name (patients_at_risk_baseline), its words and the headings its definition adds
        synonyms[m.key] = list(dict.fromkeys([header_key(m.key), header_key(m.words), *m.headings]))
        stems[m.key] = m.stems
    columns["comment"] = False
    synonyms["comment"], stems["comment"] = list(_SYNONYMS["comment"]), _STEMS["comment"]
    return Layout(
        "return",
        columns,
        synonyms,
        "Fill in the template (python -m etl template)",
        stems,
        {m.key: m.meaning for m in programme.measures},
        tuple(p.numerator for p in programme.pairs),
    )


# No column's name, however wordy, is longer than this.
LONGEST_HEADER = 200


def header_key(raw) -> str:
    """'No. of referrals made (this quarter)' -> 'referrals made'; '' for a cell too long to
    be a column's name (the brackets below cost time in proportion to its length squared)."""
    text = shown(raw).lower()
    if len(text) > LONGEST_HEADER:
        return ""
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", text).replace("&", " and ")
    words = [w for w in re.findall(r"[a-z0-9]+", text) if w not in _STOP]
    return " ".join(words)


def column_of(raw, layout: Layout) -> str | None:
    by_key = layout.by_key
    key = header_key(raw)
    if key in by_key:
        return by_key[key]
    words = key.split()
    if len(words) > 1 and words[-1] in ("quarter", "qtr", "period"):  # "referrals made quarter"
        return by_key.get(" ".join(words[:-1]))
    return None


def is_plain_name(raw, column: str) -> bool:
    """'Trust Code', 'trust_code', ' TRUST CODE ' are the column's own name, not a reading."""
    return "_".join(shown(raw).lower().split()) == column or shown(raw).lower().replace(
        "_", " "
    ).split() == column.split("_")


@dataclass
class Table:
    grid: Grid
    header_row: int
    header: list  # the header cells as typed
    columns: dict[str, int]  # column -> position
    rows: list[tuple[int, list]]  # the rows below the header
    problems: list[Problem] = field(default_factory=list)
    interpretations: list[Interpretation] = field(default_factory=list)
    layout: Layout | None = None  # what it was found as


def header_score(cells: list, layout: Layout) -> int:
    return len({column_of(c, layout) for c in cells if not is_blank(c)} - {None})


def find_header(rows: list[tuple[int, list]], layout: Layout, look: int = 20) -> int | None:
    """Index (in rows) of the header: the first of the best-matching rows among the first
    `look`, if it names at least three of the layout's columns."""
    best, at = 0, None
    for i, (_, cells) in enumerate(rows[:look]):
        score = header_score(cells, layout)
        if score > best:
            best, at = score, i
    return at if best >= 3 else None


def choose_delimiter(samples: dict[str, list[tuple[int, list[str]]]], layout: Layout) -> str:
    """The delimiter whose first rows hold the best header; commas when none does."""
    scores = {d: max((header_score(cells, layout) for _, cells in rows[:20]), default=0) for d, rows in samples.items()}
    best = max(scores.values())
    if best < 3 or scores.get(",", 0) == best:
        return ","
    return next(d for d, s in scores.items() if s == best)


def find_table(file_name: str, grids: list[Grid], layout: Layout) -> Table | Problem:
    """The sheet and header row holding the table, and which column is which."""
    found = [(g, find_header(g.rows, layout=layout)) for g in grids]
    with_header = [(g, i) for g, i in found if i is not None]
    notes: list[Interpretation] = []
    if len(with_header) > 1:
        names = [f"'{g.sheet}'" for g, _ in with_header]
        return Problem(
            file_name,
            None,
            None,
            f"sheets {', '.join(names[:-1])} and {names[-1]} each hold a {layout.what} table",
            f"Send one {layout.what} per file: delete the sheets you do not mean to send, or save "
            "each as a file of its own",
        )
    if with_header:
        grid, at = with_header[0]
    else:
        non_empty = [g for g in grids if g.rows]
        if not non_empty:
            return Problem(
                file_name,
                None,
                None,
                "the file has no header row and no data",
                f"{layout.template} and upload it again",
            )
        grid, at = non_empty[0], 0
        if header_score(grid.rows[0][1], layout) < 2:  # nothing like the layout's header anywhere
            return _no_header(file_name, grid, layout)
    if len(grids) > 1:
        others = [f"'{g.sheet}'" for g in grids if g is not grid and g.rows]
        if others:
            notes.append(
                Interpretation(
                    None,
                    None,
                    None,
                    note=(
                        f"the {layout.what} was read from sheet '{grid.sheet}'; "
                        f"{'sheets' if len(others) > 1 else 'sheet'} {', '.join(others)} "
                        f"{'hold' if len(others) > 1 else 'holds'} no {layout.what} table and "
                        f"{'were' if len(others) > 1 else 'was'} not read"
                    ),
                )
            )
    header_number, header = grid.rows[at]
    if at > 0:
        skipped = grid.rows[:at]
        first = " / ".join(shown(c) for c in skipped[0][1] if not is_blank(c))[:60]
        numbers = [n for n, _ in skipped]
        span = f"row {numbers[0]}" if len(numbers) == 1 else f"rows {numbers[0]}-{numbers[-1]}"
        notes.append(
            Interpretation(
                None,
                None,
                None,
                note=(
                    f"the header row is row {header_number}: {span} above it ('{first}') "
                    f"{'is' if len(numbers) == 1 else 'are'} skipped"
                ),
            )
        )
    table = Table(grid, header_number, header, {}, grid.rows[at + 1 :], interpretations=notes, layout=layout)
    _map_columns(file_name, table, layout)
    return table


def _no_header(file_name: str, grid: Grid, layout: Layout) -> Problem:
    columns = ", ".join(c for c in layout.columns)
    number, first = grid.rows[0]
    looks_like_data = any(isinstance(c, str) and re.search(r"\bq[1-4]\b", c, re.IGNORECASE) for c in first)
    where = f" (sheet '{grid.sheet}')" if grid.sheet else ""
    if looks_like_data:
        return Problem(
            file_name,
            number,
            None,
            f"the first row{where} holds data, not the names of the columns",
            f"Add a header row above it naming the columns: {columns}",
        )
    if layout.is_return:
        return Problem(
            file_name,
            None,
            None,
            f"no row of the file{where} names the columns of a return",
            f"Use the template: its first row names the columns ({columns}); copy the "
            "trusts' rows into it and upload that",
        )
    return Problem(
        file_name,
        None,
        None,
        f"no row of the file{where} names the columns of a {layout.what}",
        f"Give the file a first row naming its columns: {columns}",
    )


# A heading's unit is part of its meaning: "Referrals completed (%)" holds percentages, not
# the count the column needs (brackets are otherwise dropped from headings: "(ODS)", "(1-5)").
# A count's own units ("(number)", "(n)", "(count)", "(no.)") say nothing against it.
_UNITS = (
    (
        re.compile(r"%|\bper\s*cent|\bpercent|\bpct\b|\bproportion\b|\bratio\b|\brates?\b|\bshare\b"),
        "a percentage or rate",
    ),
    (
        re.compile(
            r"(?<!not )(?<!non-)(?<!non )\bcumulative\b|\byear\s*to\s*date\b|\bytd\b|\bto\s*date\b|\brunning\s*total\b|\bsince\b"
        ),
        "a running total",
    ),
    (
        re.compile(
            r"\bper\s*(\d|thousand|hundred|day|week|month)|\baverage\b|\bmean\b|\bmedian\b|"
            r"\bmonthly\b|\bweekly\b|\bdaily\b"
        ),
        "an average or a rate",
    ),
)


def heading_unit(raw, layout: Layout) -> tuple[str, str] | None:
    """(the count column a heading is about, the unit it names) when the heading names a unit
    other than a count: '% completed' -> ('referrals_completed', 'a percentage or rate')."""
    text = shown(raw).lower()
    if len(text) > LONGEST_HEADER:
        return None
    for pattern, unit in _UNITS:
        if pattern.search(text):
            key = header_key(pattern.sub(" ", text))
            column = column_of(key, layout)
            if column not in layout.counts:
                words = key.split()
                # a part of another count first: "% referrals completed" is about those completed
                ordered = sorted(layout.counts, key=lambda c: c not in layout.numerators)
                column = next(
                    (c for c in ordered if any(w.startswith(s) for w in words for s in layout.stems.get(c, ())[:1])),
                    None,
                )
            if column is not None:
                return column, unit
    return None


# What a misnamed heading shares with the column it may be: the stems of the column's words
# (Layout.stems). A column not found, and a heading not known that shares them, is refused as
# possibly that column misnamed ("Referals made" where referrals_made is missing); a heading that
# shares nothing with any missing column is an extra column, ignored (ICS, region, lead's name).


def may_be(raw, missing: list[str], layout: Layout) -> str | None:
    """The missing column a heading not known may be, misnamed or misspelt, if any."""
    import difflib

    key = header_key(raw)
    words = key.split()
    for column in missing:
        if layout.columns.get(column) and any(
            w.startswith(stem) for w in words for stem in layout.stems.get(column, ())
        ):
            return column
        names = [column.replace("_", " ")] + layout.synonyms.get(column, [])
        if difflib.get_close_matches(key, names, n=1, cutoff=0.8 if layout.columns.get(column) else 0.85):
            return column
    return None


def _map_columns(file_name: str, table: Table, layout: Layout) -> None:
    row = table.header_row
    # a CSV row longer than the header is refused as ragged; a sheet's is a nameless column
    width = (
        len(table.header)
        if table.grid.ragged_matters
        else max([len(table.header)] + [len(cells) for _, cells in table.rows])
    )
    unknown: list[tuple[int, object]] = []  # (position, heading) of headings not a column's
    units: list[tuple[int, object, str, str]] = []  # (position, heading, column, unit)
    for position in range(width):
        raw = table.header[position] if position < len(table.header) else None
        if is_blank(raw):
            if any(position < len(cells) and not is_blank(cells[position]) for _, cells in table.rows):
                table.problems.append(
                    Problem(
                        file_name,
                        row,
                        f"column {position + 1}",
                        "this column has no name",
                        "Delete the empty column or give it one of the template's names",
                    )
                )
            continue
        unit = heading_unit(raw, layout) if layout.is_return else None
        if unit is not None:
            units.append((position, raw, *unit))
            continue
        column = column_of(raw, layout)
        text = shortened(shown(raw))
        if column is None and layout.is_return:
            unknown.append((position, raw))
        elif column is None:
            table.problems.append(
                Problem(
                    file_name,
                    row,
                    text,
                    f"this is not a column of the {layout.what}",
                    f"Delete it, or rename it to one of: {', '.join(layout.columns)} (a column of notes "
                    "may be called Notes)",
                )
            )
        elif column in table.columns:
            table.problems.append(
                Problem(file_name, row, text, "this column appears twice", "Keep one of the two columns")
            )
        else:
            table.columns[column] = position
            if not is_plain_name(raw, column):
                table.interpretations.append(Interpretation("header", text, column, (row,)))
    explained = _units_and_extras(file_name, table, units, unknown, layout) if layout.is_return else set()
    for name, required in layout.columns.items():
        if name == "trust_code" and layout.is_return and "trust_name" in table.columns:
            continue  # each trust found by its name in the reference list (etl/reading/check.py)
        if required and name not in table.columns and name not in explained:
            table.problems.append(
                Problem(
                    file_name,
                    row,
                    name,
                    "this column is missing",
                    "Add it to the header row, as in the template"
                    if layout.is_return
                    else f"Add it to the header row: {', '.join(layout.columns)}",
                )
            )


def _units_and_extras(file_name: str, table: Table, units: list, unknown: list, layout: Layout) -> set[str]:
    """Headings that are not the return's columns: a count in another unit (refused where the
    count is missing, else ignored), a heading that may be a missing column misnamed (refused),
    and the rest, extra columns (ignored, and said so). The missing columns explained."""
    row, explained, ignored = table.header_row, set(), []
    for position, raw, column, unit in units:
        text = shortened(shown(raw))
        if column in table.columns or column in explained:
            ignored.append(f"'{text}' (column {column_letter(position)}: {unit}, not a count)")
            continue
        explained.add(column)
        table.problems.append(
            Problem(
                file_name,
                row,
                text,
                f"this column holds {unit}, but the return needs {column}: {layout.counts[column]}",
                f"Give each trust's count in a column headed {column} (a percentage or total cannot be turned "
                "back into the quarter's count for certain); this column may stay beside it, and is not read",
            )
        )
    missing = [c for c in layout.columns if c not in table.columns and c not in explained]
    for position, raw in unknown:
        text = shortened(shown(raw))
        suspect = may_be(raw, missing, layout)
        if suspect is None:
            ignored.append(f"'{text}' (column {column_letter(position)})")
            continue
        explained.add(suspect)
        missing.remove(suspect)
        table.problems.append(
            Problem(
                file_name,
                row,
                text,
                f"this is not a column of the return, and the return's {suspect} column is missing: it may be "
                f"{suspect} under another name",
                f"If it holds {suspect.replace('_', ' ')}, head it {suspect}; if not, add a {suspect} column "
                "(columns that are not the return's are ignored)",
            )
        )
    if ignored:
        table.interpretations.append(
            Interpretation(
                None,
                None,
                None,
                note=(
                    f"{'columns' if len(ignored) > 1 else 'column'} {', '.join(ignored)} "
                    f"{'are' if len(ignored) > 1 else 'is'} not part of the return: ignored, nothing in "
                    f"{'them' if len(ignored) > 1 else 'it'} is read or stored"
                ),
            )
        )
    return explained
