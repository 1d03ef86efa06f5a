"""A quarter read from one cell as the person wrote it ("Q3 2019/20", "2019/20 Q3",
"Oct-Dec 2019", "October to December 2019"), or Unreadable naming each reading it could have."""

from __future__ import annotations

import datetime as dt
import re

from etl.quarters import Quarter, QuarterError, shortened
from etl.reading.cell_common import LONGEST_WORDING, Unreadable, as_date, refuse_special, shown
from etl.reading.grid import is_blank

# ---- the quarter ------------------------------------------------------------------------

_Q_FIRST = re.compile(r"q\s*([0-9]{1,4})\s*(?:fy\s*)?(\d{2}|\d{4})\s*[/-]\s*(\d{2}|\d{4})")
_Q_LAST = re.compile(r"(?:fy\s*)?(\d{2}|\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*q\s*([0-9]{1,4})")
_Q_CALENDAR = re.compile(r"q\s*([1-4])\s*(\d{4})|(\d{4})\s*q\s*([1-4])")
QUARTER_FIX = "Write the quarter like Q3 2019/20"


def quarter(value) -> tuple[Quarter, str | None]:
    if is_blank(value):
        raise Unreadable("the quarter is blank", QUARTER_FIX)
    refuse_special(value)
    day = as_date(value)
    if day is None and isinstance(value, str) and re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}([ T][\d:.]+)?\s*", value):
        try:
            day = dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            day = None
    if day is not None:
        q = Quarter.containing(day)
        raise Unreadable(
            f"the cell holds a date ({shown(day)}), not a quarter; that date falls in {q.label}",
            f"Write the quarter as text, e.g. {q.label}, if that is the "
            "quarter the return is for (format the cell as Text first)",
        )
    text = shown(value)
    if len(text) > LONGEST_WORDING:
        raise Unreadable(f"'{shortened(text)}' is not a quarter", QUARTER_FIX)
    try:
        q = Quarter.given(text)
        canonical_as_typed = re.sub(r"\s+", " ", text.strip()).upper() == q.label.upper()
        return q, None if canonical_as_typed else q.label
    except QuarterError as err:
        strict_error = err
    t = " ".join(text.lower().replace("–", "-").replace("—", "-").split())
    t = re.sub(r"\b(?:quarter|qtr)\s*", "q", t)
    t = re.sub(r"\bfy\s*", "fy", t)
    m = _Q_FIRST.fullmatch(t)
    if m:
        number, first, second = m.groups()
    else:
        m = _Q_LAST.fullmatch(t)
        if m:
            first, second, number = m.groups()
    if m:
        canonical = f"Q{number} {first}/{second}"
        try:
            q = Quarter.given(canonical)
        except QuarterError as err:
            raise Unreadable(str(err).replace(f"'{canonical}'", f"'{text}'"), QUARTER_FIX) from None
        return q, q.label
    months = _quarter_of_months(text, t)
    if months is not None:
        return months, months.label
    m = _Q_CALENDAR.fullmatch(t)
    if m:
        number = int(m.group(1) or m.group(4))
        year = int(m.group(2) or m.group(3))
        try:
            Quarter(year, number).plausible(text)
        except QuarterError as err:
            raise Unreadable(str(err), QUARTER_FIX) from None
        nhs = Quarter(year, number)
        calendar_nhs = Quarter.containing(dt.date(year, 3 * number - 2, 1))
        raise Unreadable(
            f"'{text}' does not say which NHS year: it could be {nhs.label} or, counting calendar "
            f"quarters from January, {calendar_nhs.label}",
            f"Write the NHS quarter with its year, like {nhs.label}",
        )
    raise Unreadable(str(strict_error), QUARTER_FIX)


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?"
_YEAR = r"(?:\s*'?(\d{4}|\d{2})\b)?"
_MONTH_RANGE = re.compile(_MONTH + _YEAR + r"\s*(?:-|to|until|through|thru|and)\s*" + _MONTH + _YEAR)
_ONE_MONTH = re.compile(_MONTH + r"\s*'?(\d{4}|\d{2})")
# what may stand beside the months: a Q number, an NHS year, a calendar year
_Q_NUMBER = re.compile(r"\bq\s*([1-4])\b")
_NHS_YEAR = re.compile(r"(?:\bfy\s*|\b)(\d{4}|\d{2})\s*[/-]\s*(\d{4}|\d{2})\b")
_BARE_YEAR = re.compile(r"\b(\d{4})\b")
_MONTH_SPAN = {1: "Apr-Jun", 2: "Jul-Sep", 3: "Oct-Dec", 4: "Jan-Mar"}


def _year(text: str | None) -> int | None:
    return None if text is None else int(text) if len(text) == 4 else 2000 + int(text)


def _quarter_of_months(text: str, t: str) -> Quarter | None:
    """A quarter written as its months: 'Oct-Dec 2020', 'October to December 2020',
    'Oct 2020 - Dec 2020', '2020 Q3 (Oct-Dec)', 'Q4 2020/21 (Jan-Mar)'. None when `t` (the
    text in lower case) names no months; Unreadable when its months are not one NHS quarter,
    its year is not certain, or a Q number or NHS year beside them says another quarter."""
    m = _MONTH_RANGE.search(t)
    if m is None:
        one = _ONE_MONTH.fullmatch(t)
        if one:
            month, year = _MONTHS[one.group(1)], _year(one.group(2))
            q = Quarter.containing(dt.date(year, month, 1))
            raise Unreadable(
                f"'{text}' is a month, not a quarter; it falls in {q.label}",
                f"Write the quarter the return is for, e.g. {q.label}",
            )
        return None
    first, second = _MONTHS[m.group(1)], _MONTHS[m.group(3)]
    first_year, last_year = _year(m.group(2)), _year(m.group(4))
    rest = t[: m.start()] + " " + t[m.end() :]
    q_number = _Q_NUMBER.search(rest)
    rest = _Q_NUMBER.sub(" ", rest)
    nhs_year = _NHS_YEAR.search(rest)
    rest = _NHS_YEAR.sub(" ", rest)
    bare = _BARE_YEAR.search(rest)
    rest = _BARE_YEAR.sub(" ", rest)
    if re.sub(r"[\s(),:;\[\]-]|\bfy\b|\bnhs\b|\bquarter\b|\bqtr\b", "", rest):
        return None  # other words beside the months: not a quarter written as months
    spans = "; NHS quarters run " + ", ".join(f"Q{n} {span}" for n, span in _MONTH_SPAN.items())
    if (
        (second - first) % 12 != 2
        or first not in (4, 7, 10, 1)
        or (first_year and last_year and first_year != last_year)
    ):
        raise Unreadable(
            f"'{text}' is not one NHS quarter{spans}", "Write the quarter the return is for, like Q3 2020/21"
        )
    year = last_year or first_year
    start = None
    if nhs_year:
        start = _year(nhs_year.group(1))
        try:
            Quarter.given(f"Q1 {nhs_year.group(1)}/{nhs_year.group(2)}")
        except QuarterError as err:
            raise Unreadable(
                str(err).replace(f"'Q1 {nhs_year.group(1)}/{nhs_year.group(2)}'", f"'{text}'"), QUARTER_FIX
            ) from None
    if year is None and start is not None:
        year = start if first >= 4 else start + 1
    if year is None and bare:
        year = int(bare.group(1))
        if first == 1 and q_number:  # '2020 Q4 (Jan-Mar)': the calendar year, or the NHS year's start?
            raise Unreadable(
                f"'{text}' could be {Quarter(year - 1, 4).label} (January to March {year}) or "
                f"{Quarter(year, 4).label} (the NHS year {year}/{(year + 1) % 100:02d}, January to March "
                f"{year + 1})",
                f"Write the NHS quarter with its year, like {Quarter(year - 1, 4).label}",
            )
    if year is None:
        raise Unreadable(f"'{text}' does not say which year", "Write the quarter with its NHS year, like Q3 2020/21")
    q = Quarter.containing(dt.date(year, first, 1))
    try:
        q.plausible(text)
    except QuarterError as err:
        raise Unreadable(str(err), QUARTER_FIX) from None
    months = f"{_MONTH_SPAN[q.number]} {year}"
    if q_number and int(q_number.group(1)) != q.number:
        said = int(q_number.group(1))
        raise Unreadable(
            f"'{text}' says Q{said}, but {months} is {q.label} (NHS quarters start in April: "
            f"Q{said} is {_MONTH_SPAN[said]})",
            f"Check which quarter the return is for, and write it like {q.label}",
        )
    if start is not None and start != q.year:
        raise Unreadable(
            f"'{text}' says the NHS year {nhs_year.group(0)}, but {months} is in "
            f"{q.year}/{(q.year + 1) % 100:02d} ({q.label})",
            f"Check which quarter the return is for, and write it like {q.label}",
        )
    return q


# ---- the AHSN, the trust ----------------------------------------------------------------
