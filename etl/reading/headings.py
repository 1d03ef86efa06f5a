"""What a column's heading means: the columns of one kind of file (a `Layout`: a programme's
quarterly return from `layout_for(programme)`, or a trajectory's), the words people write as
their headings ("Trust code (ODS)", "No. of referrals made"), a heading that names a unit other
than a count ("Referrals completed (%)"), and a heading not known that may be a missing column
misnamed. etl/reading/table.py finds the header row with them."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from etl.programmes import Programme
from etl.reading.cell_common import shown

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
SYNONYMS = {
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
    synonyms = {c: list(SYNONYMS[c]) for c in columns}
    stems = {c: _STEMS[c] for c in columns}
    if programme.levels:
        columns["adoption_level"] = True
        synonyms["adoption_level"] = [*SYNONYMS["adoption_level"], *programme.level_headings]
        stems["adoption_level"] = (*_STEMS["adoption_level"], *programme.level_stems)
    for m in programme.measures:
        columns[m.key] = True
        # its own name (patients_at_risk_baseline), its words and the headings its definition adds
        synonyms[m.key] = list(dict.fromkeys([header_key(m.key), header_key(m.words), *m.headings]))
        stems[m.key] = m.stems
    columns["comment"] = False
    synonyms["comment"], stems["comment"] = list(SYNONYMS["comment"]), _STEMS["comment"]
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
