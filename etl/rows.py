"""A return's row, typed: one trust in one AHSN's return for one quarter, its columns defined once.

The reading child makes them (etl/reading/check.py), validation checks them against the store
(etl/validate.py), the store keeps them beside each original as JSON (parse once) and the
database build writes them into `submitted_rows`. Their JSON form is the one on disk since
rows were first kept, so every parsed/*.json file ever written still loads: a field a file
does not have (one from before it existed) takes its default.

Light on purpose (no pandas): the reading child imports it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from etl.quarters import Quarter


@dataclass(frozen=True)
class TrustRow:
    row: int  # the row in the file as sent: the header is row 1, the first trust row 2
    quarter: Quarter
    ahsn: str  # short name
    trust_code: str
    trust_name: str
    trust_type: str
    # False when the file did not say the trust's type (no trust_type column, or a blank cell):
    # the type is then the programme's default until validation carries it over from the
    # trust's previous return.
    trust_type_given: bool
    adoption_level: int
    referrals_made: int | None  # None: not reported
    referrals_completed: int | None
    comment: str | None = None  # a Notes or Comments column, kept with the return
    # The counts of a programme whose measures are not the referral columns above, in its
    # definition's order: (measure, value or None for not reported).
    measures: tuple[tuple[str, int | None], ...] = ()

    def typed(self, trust_type: str) -> TrustRow:
        """This row with the type validation gave it."""
        return replace(self, trust_type=trust_type)

    def measure_values(self) -> dict[str, int | None]:
        """Every count the row carries, by measure (what the database's submitted_measures holds)."""
        return {
            "referrals_made": self.referrals_made,
            "referrals_completed": self.referrals_completed,
            **dict(self.measures),
        }

    def as_json(self) -> dict:
        """As kept on disk and sent from the reading child: the quarter as its label; the other
        measures, when there are any, as an object (a TCAM row is as it always was)."""
        out = {name: getattr(self, name) for name in FIELDS if name != "measures"}
        if self.measures:
            out["measures"] = dict(self.measures)
        return {**out, "quarter": self.quarter.label}

    @classmethod
    def from_json(cls, record: dict) -> TrustRow:
        kept = {name: record[name] for name in FIELDS if name in record}
        kept["measures"] = tuple((record.get("measures") or {}).items())
        return cls(**{**DEFAULTS, **kept, "quarter": Quarter.parse(record["quarter"])})

    def as_database_row(self) -> dict:
        """A row of the database's submitted_rows (without its submission and programme)."""
        placed = {name: getattr(self, name) for name in DATABASE_COLUMNS if name not in ("quarter", "quarter_index")}
        return {**placed, "quarter": self.quarter.label, "quarter_index": self.quarter.index}


FIELDS = tuple(f.name for f in fields(TrustRow))
# What a row kept before a field existed is taken to have had.
DEFAULTS = {"trust_type_given": True, "comment": None}
# The columns of submitted_rows a row fills (trust_type_given is settled by then).
DATABASE_COLUMNS = (
    "row",
    "quarter",
    "quarter_index",
    "ahsn",
    "trust_code",
    "trust_name",
    "trust_type",
    "adoption_level",
    "referrals_made",
    "referrals_completed",
    "comment",
)
# The columns of a row as a data frame (ParsedReturn.frame): every field, with the quarter's index.
FRAME_COLUMNS = ("row", "quarter", "quarter_index", *(f for f in FIELDS if f not in ("row", "quarter", "measures")))
