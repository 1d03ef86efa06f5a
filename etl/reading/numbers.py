"""A count or a target percent read from one cell as the person meant it, or Unreadable
saying why not (etl/reading/cells.py reads the other cells)."""

from __future__ import annotations

import datetime as dt
import re

from etl import words
from etl.programmes import Measure
from etl.quarters import shortened
from etl.reading.cell_common import (
    LONGEST_WORDING,
    MOST_DIGITS,
    NOT_REPORTED,
    Unreadable,
    as_date,
    quoted,
    refuse_special,
    shown,
)
from etl.reading.grid import is_blank

COUNT_FIX = "Write a whole number of 0 or more, or leave it blank if not reported"
DIGITS_FIX = "Write the whole number with digits only, no commas, full stops or spaces"


def count(
    value, most: int, measure: Measure | None = None, organisation: str = "trust"
) -> tuple[int | None, str | None]:
    """A count (of the measure's `noun`, referrals for TCAM) for one organisation in one quarter:
    blank or a not-reported word -> None; else a whole number from 0 to `most` (the measure's
    plausible maximum, Measure.max_per_row), so that every count stored fits wherever it is
    added up."""
    noun = measure.noun if measure is not None else "referrals"
    if is_blank(value):
        return None, None
    refuse_special(value)
    if isinstance(value, bool):
        raise Unreadable(f"'{shown(value)}' is a yes/no value, not a count of {noun}", COUNT_FIX)
    day = as_date(value)
    if day is not None or isinstance(value, (dt.time, dt.timedelta)):
        raise Unreadable(
            f"the cell holds a date or time ({shown(value)}), not a count: Excel may "
            "have turned what was typed into a date",
            "Format the cell as Number, type the count again, and save",
        )
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            raise Unreadable(f"the cell holds '{shown(value)}', which is not a number", COUNT_FIX)
        if value < 0 or (isinstance(value, float) and not value.is_integer()):
            raise Unreadable(f"'{quoted(value)}' is not a count of {noun}", COUNT_FIX)
        return _at_most(int(value), most, quoted(value), measure, organisation), None
    text = str(value).strip()
    if text.lower() in NOT_REPORTED:
        return None, "not reported (blank)"
    _refuse_power_of_ten(text)
    number, read_as = whole_number_text(text)
    if number is None or number < 0:
        raise Unreadable(f"'{shortened(text)}' is not a count of {noun}", COUNT_FIX)
    return _at_most(number, most, shortened(text), measure, organisation), read_as


def _at_most(number: int, most: int, typed: str, measure: Measure | None, organisation: str) -> int:
    if number > most:
        noun = measure.noun if measure is not None else "referrals"
        typical = measure.typical if measure is not None else "hundreds"
        usual = (
            f": real returns hold {typical} for {words.with_article(organisation)} in a quarter. " if typical else ". "
        )
        raise Unreadable(
            f"'{typed}' {noun} for one {organisation} in one quarter is more than any {organisation} makes (a return "
            f"accepts at most {most:,})",
            f"Check the cell{usual}A total pasted into {words.with_article(organisation)}'s row, or a number typed "
            "twice, is the usual cause",
        )
    return number


# 1E+300, 1.5e3, 2 x 10^5, 10^20: what Excel's CSV writes for a long number in a General
# cell (1.23457E+11, digits lost), or a power typed by hand
_POWER_OF_TEN = re.compile(
    r"[+-]?(\d+([.,]\d*)?|[.,]\d+)\s*([eE]\s*[+-]?\s*\d+|[x×*]\s*10\s*(\^|\*\*)\s*[+-]?\d+)"
    r"|10\s*(\^|\*\*)\s*[+-]?\d+"
)


def _refuse_power_of_ten(text: str) -> None:
    if len(text) <= LONGEST_WORDING and _POWER_OF_TEN.fullmatch(text):
        raise Unreadable(
            f"'{text}' is a number written as a power of ten, not a count: Excel writes a long "
            "number that way in a CSV when its column is too narrow, losing digits",
            "Write the count in digits (format the cell as Number with no decimal places, widen the "
            "column, and save again)",
        )


def whole_number_text(text: str) -> tuple[int | None, str | None]:
    """A whole number written as text. Only plain digits and correctly grouped thousands
    (1,234) are numbers; a full stop or comma that could mean two things raises Unreadable,
    and so do more than MOST_DIGITS digits."""
    t = text.strip()
    digits = len(re.findall(r"\d", t))
    if digits > MOST_DIGITS:
        raise Unreadable(
            f"'{shortened(t)}' has {digits:,} digits: no number typed into a spreadsheet has more than {MOST_DIGITS}",
            "Check the cell: something was pasted into it by mistake. " + DIGITS_FIX,
        )
    if re.fullmatch(r"[+-]?\d+", t):
        n = int(t)
        return n, None if t == str(n) else str(n)
    if re.fullmatch(r"\d{1,3}(,\d{3})+", t):
        n = int(t.replace(",", ""))
        return n, str(n)
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", t):
        whole = int(t.replace(".", ""))
        if re.fullmatch(r"\d+\.0+", t):
            other = f"{int(float(t))} (with a decimal point)"
        else:
            other = f"the decimal {t}, which is not a whole number"
        raise Unreadable(
            f"'{t}' could be {whole} (with a full stop between thousands, as in much of Europe) or {other}", DIGITS_FIX
        )
    if re.fullmatch(r"\d+\.0+", t):  # Excel and other tools sometimes write 4 as 4.0
        return int(float(t)), str(int(float(t)))
    if re.fullmatch(r"\d+,\d+", t):
        decimal = t.replace(",", ".")
        raise Unreadable(
            f"'{t}' could be {decimal} (with a decimal comma) or {t.replace(',', '')} "
            "(with the comma in the wrong place)",
            DIGITS_FIX,
        )
    if re.fullmatch(r"\d+(,\d+){2,}", t) or re.fullmatch(r"\d+(,\d+)+", t):
        parts = t.split(",")
        raise Unreadable(
            f"'{t}' could be {''.join(parts)} or the {len(parts)} numbers {', '.join(parts[:-1])} and {parts[-1]}",
            "Write one whole number, with digits only",
        )
    if re.fullmatch(r"\d{1,3}([ \u00a0\u202f]\d{3})+", t):
        raise Unreadable(f"'{t}' has spaces in it: it could be {t.replace(' ', '')} or several numbers", DIGITS_FIX)
    return None, None


# ---- a target rate (trajectories) -------------------------------------------------------

PERCENT_FIX = "Write the target as a whole percent from 0 to 100, like 35 or 35%"
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(%|per\s*cent|pc)?", re.IGNORECASE)


def percent(value) -> tuple[int, str | None]:
    """A target rate as a whole percent (as the adoption rate is). 35, '35', '35%' are 35; a
    fraction (0.35, what a cell formatted as a percentage holds) is 35 too, said so, since a
    target of 0.35% is not a whole percent. 1 could be 1% or 100% (a percentage cell): refused."""
    if is_blank(value):
        raise Unreadable("the target is blank", PERCENT_FIX)
    refuse_special(value)
    if isinstance(value, bool):
        raise Unreadable(f"'{shown(value)}' is a yes/no value, not a target", PERCENT_FIX)
    if as_date(value) is not None or isinstance(value, (dt.time, dt.timedelta)):
        raise Unreadable(
            f"the cell holds a date or time ({shown(value)}), not a target",
            "Format the cell as Number or Percentage, type the target again, and save",
        )
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            raise Unreadable(f"the cell holds '{shown(value)}', which is not a number", PERCENT_FIX)
        return _unmarked(float(value), shown(value))
    text = str(value).strip()
    if len(text) > LONGEST_WORDING:
        raise Unreadable(f"'{shortened(text)}' is not a target rate", PERCENT_FIX)
    match = _PERCENT.fullmatch(text)
    comma = re.fullmatch(r"(\d+),(\d+)\s*%?", text)
    if comma:
        raise Unreadable(
            f"'{text}' could be {comma.group(1)}.{comma.group(2)} (with a decimal comma) or "
            f"{comma.group(1)}{comma.group(2)}",
            PERCENT_FIX,
        )
    if match is None:
        raise Unreadable(f"'{text}' is not a target rate", PERCENT_FIX)
    number, sign = float(match.group(1)), match.group(2)
    if sign is None:
        return _unmarked(number, text)
    if not number.is_integer():
        raise Unreadable(
            f"'{text}' is not a whole percent",
            "Targets are whole percents, as the adoption rate is: round it to a whole number",
        )
    return _in_range(int(number), text), None if re.sub(r"\s+", "", text) == f"{int(number)}%" else f"{int(number)}%"


def _unmarked(number: float, text: str) -> tuple[int, str | None]:
    """A number without a percent sign: a whole percent, or a fraction of one."""
    if number.is_integer():
        whole = int(number)
        if whole == 1:
            raise Unreadable(
                f"'{text}' could be 1% or 100% (a cell formatted as a percentage holds 1 for 100%)",
                "Write the target with a percent sign: 1% or 100%",
            )
        return _in_range(whole, text), None if text == str(whole) else f"{whole}%"
    if 0 < number < 1 and round(number * 100, 6).is_integer():
        whole = int(round(number * 100, 6))
        return whole, f"{whole}%"
    raise Unreadable(
        f"'{text}' is not a whole percent",
        "Targets are whole percents, as the adoption rate is: write 35 or 35% (a fraction such as 0.35 is read as 35%)",
    )


def _in_range(whole: int, text: str) -> int:
    if not 0 <= whole <= 100:
        raise Unreadable(f"'{text}' is not a percent from 0 to 100", PERCENT_FIX)
    return whole
