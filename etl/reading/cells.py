"""Reading one cell as what a person obviously meant, or saying why it cannot be.

Each function takes the cell as the file holds it (text, or a spreadsheet's number, date,
yes/no or error) and returns (value, read_as): `read_as` is None when the value is exactly
what was typed, else the reading to show ("4", "Q3 2020/21", "not reported"). A cell that
could mean two things raises Unreadable with both readings: a guess is never stored.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re

from etl import ahsns, words
from etl.programmes import Measure, Programme
from etl.quarters import Quarter, QuarterError, shortened
from etl.reading.grid import CellError, is_blank
from etl.reading.text import BAD_CHARACTERS, describe_character

TRUST_CODE = re.compile(r"^[A-Z0-9]{3,5}$")
MAX_NAME_LENGTH = 200
MAX_COMMENT_LENGTH = 1000
COUNT_FIX = "Write a whole number of 0 or more, or leave it blank if not reported"
DIGITS_FIX = "Write the whole number with digits only, no commas, full stops or spaces"
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


def _refuse_special(value) -> None:
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


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


# ---- numbers ----------------------------------------------------------------------------


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
    _refuse_special(value)
    if isinstance(value, bool):
        raise Unreadable(f"'{shown(value)}' is a yes/no value, not a count of {noun}", COUNT_FIX)
    day = _as_date(value)
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


# ---- the adoption level -----------------------------------------------------------------


def level(value, programme: Programme) -> tuple[int, str | None]:
    levels = programme.levels
    fix = "Use a whole number from {} to {}: {}".format(
        levels[0].number, levels[-1].number, ", ".join(f"{lv.number} {lv.name}" for lv in levels)
    )
    if is_blank(value):
        raise Unreadable("the adoption level is blank", fix)
    _refuse_special(value)
    text = shown(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer() or int(value) not in programme.level_numbers:
            raise Unreadable(f"'{shortened(text)}' is not an adoption level", fix)
        return int(value), None
    if not isinstance(value, str) or len(text) > LONGEST_WORDING:
        raise Unreadable(f"'{shortened(text)}' is not an adoption level", fix)
    by_name = {lv.name.lower(): lv.number for lv in levels}
    t = " ".join(text.lower().split())
    number, _ = (None, None)
    with contextlib.suppress(Unreadable):
        number, _ = whole_number_text(t)
    if number is not None:
        if number not in programme.level_numbers:
            raise Unreadable(f"'{shortened(text)}' is not an adoption level", fix)
        return number, None if text == str(number) else str(number)
    if t in by_name:
        return by_name[t], str(by_name[t])
    # the number first ("4 - Live", "Level 4: Live", "Stage 4 - Live", "4. Live", "L4"), or the
    # name first ("Live (4)", "Embedded - level 5"); a number and a name must agree
    number_first, name_first = _level_patterns(programme.short_name)
    m = number_first.fullmatch(t)
    if m:
        number, name = int(m.group(1)), m.group(2)
    else:
        m = name_first.fullmatch(t)
        if m is None:
            raise Unreadable(f"'{shortened(text)}' is not an adoption level", fix)
        name, number = m.group(1), int(m.group(2))
    name = name.strip(" -–—:.()[]")
    if number not in programme.level_numbers:
        raise Unreadable(f"'{shortened(text)}' is not an adoption level", fix)
    if name and name != programme.level(number).name.lower():
        other = by_name.get(name)
        if other is None:
            raise Unreadable(f"'{shortened(text)}' is not an adoption level", fix)
        raise Unreadable(
            f"'{text}' could be level {number} ({programme.level(number).name}) "
            f"or level {other} ({programme.level(other).name})",
            "Write the level you mean as a number",
        )
    return number, str(number)


@functools.cache
def _level_patterns(short_name: str) -> tuple[re.Pattern, re.Pattern]:
    """The number first and the name first, with the level word, which may follow the
    programme's short name ("TCAM level 4", "PINCER stage 3")."""
    word = rf"(?:{re.escape(short_name.lower())}\s*)?(?:level|lvl|stage|l)?"
    return (
        re.compile(word + r"\s*(\d{1,6})\s*(?:[-–—:.)=]\s*|\s+)?(.*)"),
        re.compile(r"([a-z][a-z ]*?)\s*(?:[-–—:=,]\s*)?[(\[]?\s*" + word + r"\s*(\d{1,6})\s*[)\]]?"),
    )


# ---- the quarter ------------------------------------------------------------------------

_Q_FIRST = re.compile(r"q\s*([0-9]{1,4})\s*(?:fy\s*)?(\d{2}|\d{4})\s*[/-]\s*(\d{2}|\d{4})")
_Q_LAST = re.compile(r"(?:fy\s*)?(\d{2}|\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*q\s*([0-9]{1,4})")
_Q_CALENDAR = re.compile(r"q\s*([1-4])\s*(\d{4})|(\d{4})\s*q\s*([1-4])")
QUARTER_FIX = "Write the quarter like Q3 2019/20"


def quarter(value) -> tuple[Quarter, str | None]:
    if is_blank(value):
        raise Unreadable("the quarter is blank", QUARTER_FIX)
    _refuse_special(value)
    day = _as_date(value)
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


def ahsn(value) -> tuple[str, str | None]:
    if is_blank(value):
        raise Unreadable("the AHSN is blank", "Write the AHSN's name, e.g. Wessex")
    _refuse_special(value)
    text = shown(value)
    found = ahsns.resolve(text)
    if found is None:
        raise Unreadable(f"'{shortened(text)}' is not one of the 15 AHSNs", unknown_ahsn_fix(text))
    return found.short_name, None if " ".join(text.split()) == found.short_name else found.short_name


def unknown_ahsn_fix(text: str) -> str:
    import difflib

    every = {name.lower(): a for a in ahsns.all_ahsns() for name in ahsns.names_of(a)}
    close = (
        difflib.get_close_matches(text.lower(), list(every), n=1, cutoff=0.6) if len(text) <= LONGEST_SUGGESTED else []
    )
    if close:
        a = every[close[0]]
        names = ahsns.names_of(a)
        return f"Did you mean {a.short_name}? It may be written {', '.join(names[:-1])} or {names[-1]}"
    return "Use the AHSN's short name (e.g. Wessex), its full name or its Health Innovation Network name"


def trust_code(value, programme: Programme | None = None) -> tuple[str, str | None]:
    """An organisation's code, in upper case, matching the programme's code pattern."""
    if is_blank(value):
        raise Unreadable("the trust code is blank", "Write the trust's ODS code, e.g. RTH")
    _refuse_special(value)
    text = shown(value)
    code = text.upper()
    pattern = re.compile(programme.code_pattern) if programme is not None else TRUST_CODE
    if not pattern.match(code):
        said = (programme.code_words, programme.code_example) if programme else ("the trust's ODS code", "RTH")
        raise Unreadable(f"'{shortened(text)}' is not an NHS organisation code", f"Use {said[0]}, e.g. {said[1]}")
    return code, None if code == text else code


def trust_name(value) -> str:
    _refuse_special(value)
    name = " ".join(shown(value).split())
    if not name:
        raise Unreadable("the trust name is blank", "Write the trust's name")
    if len(name) > MAX_NAME_LENGTH:
        raise Unreadable(
            f"the trust name is {len(name)} characters long", f"Shorten it to at most {MAX_NAME_LENGTH} characters"
        )
    return name


def _type_words(programme: Programme) -> dict[str, str]:
    """Every way a return may write one of the programme's types, read as its key: its words
    ("mental health") and its aliases ("mh")."""
    said = {}
    for t in programme.organisation_types:
        said[t.words.lower()] = t.key
        said.update(dict.fromkeys(t.aliases, t.key))
    return said


def trust_type(value, programme: Programme) -> tuple[str | None, str | None]:
    """None when blank: the type is then carried over from the trust's last return."""
    if is_blank(value):
        return None, None
    _refuse_special(value)
    text = shown(value)
    t = " ".join(re.sub(r"[_\-/]", " ", text.lower()).split())
    if t.replace(" ", "_") in programme.type_keys:
        return t.replace(" ", "_"), None
    kept = " ".join(
        w
        for w in t.split()
        if w not in ("trust", "nhs", "foundation", "ft", "services", "provider", "hospital", "hospitals")
    )
    said = _type_words(programme)
    if kept in said:
        return said[kept], said[kept]
    raise Unreadable(
        f"'{shortened(text)}' is not a trust type",
        f"Use one of: {', '.join(programme.type_keys)} (only {words.counted(programme)} count toward the rate)",
    )


def comment(value) -> str | None:
    if is_blank(value):
        return None
    _refuse_special(value)
    text = shown(value)
    if len(text) > MAX_COMMENT_LENGTH:
        raise Unreadable(
            f"the comment is {len(text):,} characters long", f"Shorten it to at most {MAX_COMMENT_LENGTH:,} characters"
        )
    return text


# ---- a target rate (trajectories) -------------------------------------------------------

PERCENT_FIX = "Write the target as a whole percent from 0 to 100, like 35 or 35%"
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(%|per\s*cent|pc)?", re.IGNORECASE)


def percent(value) -> tuple[int, str | None]:
    """A target rate as a whole percent (as the adoption rate is). 35, '35', '35%' are 35; a
    fraction (0.35, what a cell formatted as a percentage holds) is 35 too, said so, since a
    target of 0.35% is not a whole percent. 1 could be 1% or 100% (a percentage cell): refused."""
    if is_blank(value):
        raise Unreadable("the target is blank", PERCENT_FIX)
    _refuse_special(value)
    if isinstance(value, bool):
        raise Unreadable(f"'{shown(value)}' is a yes/no value, not a target", PERCENT_FIX)
    if _as_date(value) is not None or isinstance(value, (dt.time, dt.timedelta)):
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
