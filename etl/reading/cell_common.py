"""What reading every cell shares: Unreadable (a cell that cannot be read, with its fix), a
cell as a person sees it and as a message quotes it, Excel's text marker, and the cells that
are never a value (an Excel error, an invisible character)."""

from __future__ import annotations

import datetime as dt

from etl.quarters import shortened
from etl.reading.grid import CellError
from etl.reading.text import BAD_CHARACTERS, describe_character

# Excel keeps 15 significant digits of a number, so no number typed into a spreadsheet has
# more; a longer run of digits is pasted text (and Python will not turn more than 4,300
# digits into a number at all).
MOST_DIGITS = 15
# A cell longer than this is not a quarter, a level or a target, whatever it says: it is
# quoted, shortened, and refused before any pattern is tried on it.
LONGEST_WORDING = 60
# A name longer than this gets no "did you mean" (comparing it with every name costs time
# in proportion to its length).
LONGEST_SUGGESTED = 100

# What people write for "we have no figure this quarter"; read as not reported (blank).
NOT_REPORTED = {
    "n/a",
    "na",
    "n.a.",
    "-",
    "–",
    "—",
    "not reported",
    "not known",
    "unknown",
    "not available",
    "nr",
    "tbc",
    "not applicable",
    "no data",
}


class Unreadable(Exception):
    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.message = message
        self.fix = fix


def shown(value) -> str:
    """A cell as a person sees it: 4.0 -> '4', a date -> '1 October 2020', 1e20 -> '1E+20'
    (as Excel shows a number too long for 15 digits)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and (
        value != value or abs(value) in (float("inf"), 0.0) or abs(value) >= 10.0**MOST_DIGITS or abs(value) < 1e-9
    ):
        return f"{value:.15G}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    return str(value).strip()


def quoted(value) -> str:
    """A cell as a message quotes it: as shown, shortened if long."""
    return shortened(shown(value))


TEXT_MARK_NOTE = "a leading apostrophe is Excel's mark for text, not part of the value"


def text_marked(value) -> bool:
    """Whether a cell starts with Excel's text marker, an apostrophe ('RX1, '123), as CSV
    exports and pasted text keep it (Excel itself hides it). An apostrophe alone is Excel's
    empty text; two are text that starts with one."""
    return isinstance(value, str) and value.strip()[:1] == "'" and value.strip()[1:2] != "'"


def refuse_special(value) -> None:
    """Cells that are never a value of this column, whatever it is."""
    if isinstance(value, CellError):
        raise Unreadable(
            f"the cell shows the Excel error {value.text}",
            "Fix the formula behind it, or type the value, and save again",
        )
    if isinstance(value, str):
        bad = BAD_CHARACTERS.search(value)
        if bad:
            raise Unreadable(
                f"the cell contains {describe_character(bad.group())}",
                "Retype the cell (the character may be invisible)",
            )


def as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None
