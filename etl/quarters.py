"""NHS financial-year quarters: parsing, labels and arithmetic.

NHS years run April to March: Q1 = Apr-Jun, Q2 = Jul-Sep, Q3 = Oct-Dec, Q4 = Jan-Mar.
"Q3 2019/20" is October-December 2019. Quarters are written that way everywhere a person
reads them; `Q3 19/20` is accepted on input.

A quarter a person gives (a cell of a return or trajectory file, a command-line argument) is
read with `Quarter.given`, which also holds it to the years a quarter can plausibly be in;
`Quarter.parse` reads any well-formed label, as stored ones are read back.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# The quarter number is read with a few digits at most: Python refuses to turn more than
# 4,300 digits into a number (a ValueError, not a QuarterError), and Q12345 is no quarter anyway.
_PATTERN = re.compile(r"^\s*Q\s*([0-9]{1,4})\s+(\d{2}|\d{4})\s*/\s*(\d{2}|\d{4})\s*$", re.IGNORECASE)
_FIRST_MONTH = {1: 4, 2: 7, 3: 10, 4: 1}

# The NHS years a quarter given by a person may start in: from 2013/14, when NHS England
# licensed the 15 AHSNs (no return can be older), to 2099/00, the last year a two-digit year
# names (Q3 20/21 is 2020/21). Outside them is a typo or a crafted value: Q4 9999/00 would end
# in the year 10000, which no date can hold.
FIRST_YEAR = 2013
LAST_YEAR = 2099
# What a message quotes of a text that is not a quarter (a cell may hold 10,000 characters).
SHOWN_CHARACTERS = 40


def shortened(text: str, most: int = SHOWN_CHARACTERS) -> str:
    """`text` as a message quotes it: at most `most` characters, saying how long it was."""
    text = str(text)
    if len(text) <= most:
        return text
    return f"{text[: most - 10]}…{text[-5:]} ({len(text):,} characters)"


class QuarterError(ValueError):
    """A quarter that cannot be read; the message says how to write it."""


@dataclass(frozen=True, order=True)
class Quarter:
    year: int  # the calendar year the NHS year starts in: 2019 for 2019/20
    number: int  # 1 to 4

    def __post_init__(self) -> None:
        if self.number not in (1, 2, 3, 4):
            raise QuarterError(f"quarter number must be 1 to 4, not {self.number}")

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Any well-formed quarter label, in any year (stored labels are read back with it)."""
        match = _PATTERN.match(str(text))
        shown = shortened(text)
        if not match:
            raise QuarterError(f"'{shown}' is not a quarter; write it like Q3 2019/20 (or Q3 19/20)")
        number, first, second = int(match.group(1)), match.group(2), match.group(3)
        if number not in (1, 2, 3, 4):
            raise QuarterError(f"'{shown}': there is no quarter Q{number}; NHS quarters are Q1 to Q4")
        start = int(first) if len(first) == 4 else 2000 + int(first)
        end_two_digits = int(second[-2:])
        if (start + 1) % 100 != end_two_digits or (len(second) == 4 and int(second) != start + 1):
            raise QuarterError(
                f"'{shown}': an NHS year runs into the next calendar year, "
                f"so {start} is followed by {(start + 1) % 100:02d} (write {start}/{(start + 1) % 100:02d})"
            )
        return cls(start, number)

    @classmethod
    def given(cls, text: str) -> Quarter:
        """A quarter as a person gives it: well-formed, and in the years a quarter can be in."""
        return cls.parse(text).plausible(str(text))

    def plausible(self, typed: str | None = None) -> Quarter:
        """This quarter, if its year is one a quarter can be in (FIRST_YEAR to LAST_YEAR);
        else QuarterError quoting `typed` (what was written), or the label."""
        if FIRST_YEAR <= self.year <= LAST_YEAR:
            return self
        first, last = Quarter(FIRST_YEAR, 1), Quarter(LAST_YEAR, 4)
        raise QuarterError(
            f"'{shortened(typed if typed is not None else self.label)}' is outside the years a quarter can "
            f"be in here: {first.label} (when the AHSNs began) to {last.label}"
        )

    @classmethod
    def containing(cls, day: dt.date) -> Quarter:
        year = day.year if day.month >= 4 else day.year - 1
        number = {4: 1, 5: 1, 6: 1, 7: 2, 8: 2, 9: 2, 10: 3, 11: 3, 12: 3}.get(day.month, 4)
        return cls(year, number)

    @classmethod
    def from_index(cls, index: int) -> Quarter:
        return cls(index // 4, index % 4 + 1)

    @property
    def index(self) -> int:
        """Consecutive quarters have consecutive indexes."""
        return self.year * 4 + self.number - 1

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.year}/{(self.year + 1) % 100:02d}"

    @property
    def key(self) -> str:
        """Column-name form, as in the published table: q3_2019_20."""
        return f"q{self.number}_{self.year}_{(self.year + 1) % 100:02d}"

    @property
    def start(self) -> dt.date:
        month = _FIRST_MONTH[self.number]
        return dt.date(self.year + (1 if self.number == 4 else 0), month, 1)

    @property
    def end(self) -> dt.date:
        """The quarter's last day."""
        return (self + 1).start - dt.timedelta(days=1)

    def __add__(self, quarters: int) -> Quarter:
        return Quarter.from_index(self.index + quarters)

    def __sub__(self, quarters: int) -> Quarter:
        return Quarter.from_index(self.index - quarters)

    def __str__(self) -> str:
        return self.label


def span(first: Quarter, last: Quarter) -> list[Quarter]:
    return [Quarter.from_index(i) for i in range(first.index, last.index + 1)]


def parse_list(text: str) -> list[Quarter]:
    """'Q3 2018/19,Q3 2019/20' -> quarters, in the order given (each as a person gives it)."""
    return [Quarter.given(part) for part in text.split(",") if part.strip()]
