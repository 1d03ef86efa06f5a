"""Reading one cell as what a person obviously meant, or saying why it cannot be.

Each function takes the cell as the file holds it (text, or a spreadsheet's number, date,
yes/no or error) and returns (value, read_as): `read_as` is None when the value is exactly
what was typed, else the reading to show ("4", "Q3 2020/21", "not reported"). A cell that
could mean two things raises Unreadable with both readings: a guess is never stored.

Here the adoption level, the AHSN and the trust's code, name, type and comment; counts and
target percents are read in numbers.py, quarters in quarter_text.py, and what every cell shares
is in cell_common.py (all of them reached through this module too: `cells.count`).
"""

from __future__ import annotations

import contextlib
import functools
import re

from etl import ahsns, words
from etl.programmes import Programme
from etl.quarters import shortened
from etl.reading.cell_common import (  # noqa: F401  (read through this module: cells.shown, cells.Unreadable)
    LONGEST_SUGGESTED,
    LONGEST_WORDING,
    MOST_DIGITS,
    NOT_REPORTED,
    TEXT_MARK_NOTE,
    Unreadable,
    quoted,
    refuse_special,
    shown,
    text_marked,
)
from etl.reading.grid import is_blank
from etl.reading.numbers import COUNT_FIX, DIGITS_FIX, PERCENT_FIX, count, percent, whole_number_text  # noqa: F401
from etl.reading.quarter_text import QUARTER_FIX, quarter  # noqa: F401

TRUST_CODE = re.compile(r"^[A-Z0-9]{3,5}$")
MAX_NAME_LENGTH = 200
MAX_COMMENT_LENGTH = 1000


# ---- the adoption level -----------------------------------------------------------------


def level(value, programme: Programme) -> tuple[int, str | None]:
    levels = programme.levels
    fix = "Use a whole number from {} to {}: {}".format(
        levels[0].number, levels[-1].number, ", ".join(f"{lv.number} {lv.name}" for lv in levels)
    )
    if is_blank(value):
        raise Unreadable("the adoption level is blank", fix)
    refuse_special(value)
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


def ahsn(value) -> tuple[str, str | None]:
    if is_blank(value):
        raise Unreadable("the AHSN is blank", "Write the AHSN's name, e.g. Wessex")
    refuse_special(value)
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
    refuse_special(value)
    text = shown(value)
    code = text.upper()
    pattern = re.compile(programme.code_pattern) if programme is not None else TRUST_CODE
    if not pattern.match(code):
        said = (programme.code_words, programme.code_example) if programme else ("the trust's ODS code", "RTH")
        raise Unreadable(f"'{shortened(text)}' is not an NHS organisation code", f"Use {said[0]}, e.g. {said[1]}")
    return code, None if code == text else code


def trust_name(value) -> str:
    refuse_special(value)
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
    refuse_special(value)
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
    refuse_special(value)
    text = shown(value)
    if len(text) > MAX_COMMENT_LENGTH:
        raise Unreadable(
            f"the comment is {len(text):,} characters long", f"Shorten it to at most {MAX_COMMENT_LENGTH:,} characters"
        )
    return text
