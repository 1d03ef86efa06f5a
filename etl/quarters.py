"""NHS financial-year quarters: parsing, labels and arithmetic.

NHS years run April to March: Q1 = Apr-Jun, Q2 = Jul-Sep, Q3 = Oct-Dec, Q4 = Jan-Mar.
"Q3 2019/20" is October-December 2019. Quarters are written that way everywhere a person
reads them; `Q3 19/20` is accepted on input.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_PATTERN = re.compile(r"^\s*Q\s*([0-9]+)\s+(\d{2}|\d{4})\s*/\s*(\d{2}|\d{4})\s*$", re.IGNORECASE)
_FIRST_MONTH = {1: 4, 2: 7, 3: 10, 4: 1}


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
        match = _PATTERN.match(str(text))
        if not match:
            raise QuarterError(
                f"'{text}' is not a quarter; write it like Q3 2019/20 (or Q3 19/20)"
            )
        number, first, second = int(match.group(1)), match.group(2), match.group(3)
        if number not in (1, 2, 3, 4):
            raise QuarterError(f"'{text}': there is no quarter Q{number}; NHS quarters are Q1 to Q4")
        start = int(first) if len(first) == 4 else 2000 + int(first)
        end_two_digits = int(second[-2:])
        if (start + 1) % 100 != end_two_digits or (len(second) == 4 and int(second) != start + 1):
            raise QuarterError(
                f"'{text}': an NHS year runs into the next calendar year, "
                f"so {start} is followed by {(start + 1) % 100:02d} (write {start}/{(start + 1) % 100:02d})"
            )
        return cls(start, number)

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
    """'Q3 2018/19,Q3 2019/20' -> quarters, in the order given."""
    return [Quarter.parse(part) for part in text.split(",") if part.strip()]
