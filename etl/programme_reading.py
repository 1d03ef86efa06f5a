"""Reading and checking one programme definition (`data/programmes/<code>.toml`): every field
by the kind FIELDS declares for it (etl/programme_fields.py), every problem collected, the
result a frozen Programme (etl/programme_model.py) or DefinitionError naming the file and each
bad field."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path

from etl.programme_fields import BY_KEY, CODE, MOST_PER_RETURN, MOST_PER_ROW, Field
from etl.programme_model import (
    HEADLINE_KINDS,
    SET_BY,
    DefinitionError,
    Headline,
    Level,
    Measure,
    OrganisationType,
    Pair,
    Programme,
)
from etl.quarters import Quarter


class _Checker:
    """Reads a definition's values field by field, collecting every problem."""

    def __init__(self, file: str, data: Mapping):
        self.file, self.data, self.problems = file, data, []

    def bad(self, key: str, message: str) -> None:
        self.problems.append(f"{key} {message}")

    def unknown(self, table: Mapping, prefix: str) -> None:
        """A key the definition does not know: most likely a typing mistake, never silently ignored."""
        for name, value in table.items():
            key = f"{prefix}{name}"
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                for item in value:
                    self.unknown(item, f"{key}[].")
            elif isinstance(value, dict) and key != "pathways":
                self.unknown(value, f"{key}.")
            elif key not in BY_KEY:
                self.bad(key, "is not a field of a programme definition (see docs/programmes.md)")

    def get(self, key: str, table: Mapping | None = None, shown: str | None = None):
        """The value of `key` (its last part read from `table`, when given), checked by its kind."""
        f = BY_KEY[key]
        shown = shown or key
        if table is None:
            table = self.data
            for part in key.split(".")[:-1]:
                table = table.get(part, {})
                if not isinstance(table, dict):
                    self.bad(shown, f"should be inside a [{part}] section")
                    return f.default
        name = key.split(".")[-1]
        if name not in table:
            if f.required:
                self.bad(shown, "is missing")
            return f.default
        return self._kind(f, shown, table[name])

    def _kind(self, f: Field, shown: str, value):
        ok = {
            "text": lambda v: isinstance(v, str) and v.strip() != "",
            "code": lambda v: isinstance(v, str) and bool(CODE.match(v)),
            "whole": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "percent": lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 100,
            "yes/no": lambda v: isinstance(v, bool),
            "texts": lambda v: isinstance(v, list) and all(isinstance(x, str) and x.strip() for x in v),
            "wholes": lambda v: isinstance(v, list) and all(isinstance(x, int) and not isinstance(x, bool) for x in v),
            "quarter": lambda v: isinstance(v, str) and _quarter(v) is not None,
            "quarters": lambda v: isinstance(v, list) and all(isinstance(x, str) and _quarter(x) for x in v),
            "table": lambda v: isinstance(v, dict),
        }[f.kind]
        if ok(value):
            return tuple(value) if isinstance(value, list) else value
        wanted = {
            "text": "text",
            "code": "lower-case letters, digits and hyphens, starting with a letter (e.g. escape-pain)",
            "whole": "a whole number",
            "percent": "a whole percent from 1 to 100",
            "yes/no": "true or false",
            "texts": 'a list of text, e.g. ["mh"]',
            "wholes": "a list of whole numbers, e.g. [1000, 2000]",
            "quarter": "a quarter written as Q3 2019/20",
            "quarters": 'a list of quarters, e.g. ["Q3 2018/19", "Q3 2019/20"]',
            "table": "a section",
        }[f.kind]
        self.bad(shown, f"is {value!r}: it should be {wanted}")
        return f.default

    def items(self, key: str) -> list[Mapping]:
        """The tables of a list of tables (`[[measures]]`)."""
        table = self.data
        parts = key.split(".")
        for part in parts[:-1]:
            table = table.get(part, {}) if isinstance(table, dict) else {}
        value = table.get(parts[-1], []) if isinstance(table, dict) else []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.bad(key, f"should be written as [[{key}]] sections")
            return []
        return value

    def between(self, key: str, value, low: int, high: int) -> None:
        if isinstance(value, int) and not low <= value <= high:
            self.bad(key, f"is {value:,}: it should be from {low:,} to {high:,}")


def _quarter(text: str) -> Quarter | None:
    try:
        return Quarter.parse(text)
    except ValueError:
        return None


def parse(source: str, file: str = "<definition>") -> Programme:
    """A definition's text (TOML) as a Programme, or DefinitionError naming `file` and every bad field."""
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as err:
        raise DefinitionError(f"{file}: is not a readable definition ({err}); see docs/programmes.md") from None
    c = _Checker(file, data)
    c.unknown(data, "")
    code = c.get("code")
    if file.endswith(".toml") and code and Path(file).stem != code:
        c.bad("code", f"is {code!r} but the file is {Path(file).name}: name the file <code>.toml")

    types = []
    for i, item in enumerate(c.items("organisations.types"), start=1):
        at = f"organisations.types[{i}]"
        types.append(
            OrganisationType(
                key=c.get("organisations.types[].key", item, f"{at}.key"),
                words=c.get("organisations.types[].words", item, f"{at}.words"),
                counts=c.get("organisations.types[].counts", item, f"{at}.counts"),
                aliases=tuple(a.lower() for a in c.get("organisations.types[].aliases", item, f"{at}.aliases")),
            )
        )
    keys = [t.key for t in types]
    if not types:
        c.bad("organisations.types", "is missing: give at least one [[organisations.types]]")
    elif not any(t.counts for t in types):
        c.bad("organisations.types", "has no type that counts: set counts = true on at least one")
    if len(set(keys)) < len(keys):
        c.bad("organisations.types", "names a type twice")
    default_type = c.get("organisations.default_type")
    if default_type and types and default_type not in keys:
        c.bad("organisations.default_type", f"is {default_type!r}, not one of the types ({', '.join(keys)})")
    most = c.get("organisations.most_per_return")
    c.between("organisations.most_per_return", most, 1, MOST_PER_RETURN)
    pattern = c.get("organisations.code_pattern")
    example = c.get("organisations.code_example")
    if pattern:
        try:
            if example and not re.match(pattern, example.upper()):
                c.bad("organisations.code_example", f"is {example!r}, which does not match code_pattern")
        except re.error as err:
            c.bad("organisations.code_pattern", f"is not a regular expression ({err})")

    levels = []
    for i, item in enumerate(c.items("adoption.levels"), start=1):
        at = f"adoption.levels[{i}]"
        levels.append(
            Level(
                c.get("adoption.levels[].number", item, f"{at}.number"),
                c.get("adoption.levels[].name", item, f"{at}.name"),
                c.get("adoption.levels[].description", item, f"{at}.description"),
            )
        )
    adopted_from = c.get("adoption.adopted_from_level")
    numbers = [lv.number for lv in levels]
    if levels and numbers != list(range(1, len(levels) + 1)):
        c.bad("adoption.levels", f"are numbered {numbers}: number them 1, 2, 3 ... in order")
    if levels and adopted_from is None:
        c.bad("adoption.adopted_from_level", "is missing: say from which level an organisation counts as adopted")
    if adopted_from is not None and adopted_from not in numbers:
        c.bad("adoption.adopted_from_level", f"is {adopted_from}, not one of the levels ({numbers or 'none given'})")

    measures = []
    for i, item in enumerate(c.items("measures"), start=1):
        at = f"measures[{i}]"
        words = c.get("measures[].words", item, f"{at}.words")
        m = Measure(
            c.get("measures[].key", item, f"{at}.key"),
            words,
            c.get("measures[].max_per_row", item, f"{at}.max_per_row"),
            c.get("measures[].meaning", item, f"{at}.meaning") or f"the number of {words} in the quarter",
            tuple(h.lower() for h in c.get("measures[].headings", item, f"{at}.headings")),
            tuple(s.lower() for s in c.get("measures[].stems", item, f"{at}.stems")),
            c.get("measures[].noun", item, f"{at}.noun") or words,
            c.get("measures[].typical", item, f"{at}.typical") or "",
            c.get("measures[].explanation", item, f"{at}.explanation") or "",
        )
        c.between(f"{at}.max_per_row", m.max_per_row, 1, MOST_PER_ROW)
        measures.append(m)
    measure_keys = [m.key for m in measures]
    if len(set(measure_keys)) < len(measure_keys):
        c.bad("measures", "names a measure twice")

    def a_measure(key: str, value) -> None:
        if value is not None and value not in measure_keys:
            c.bad(key, f"is {value!r}, not one of the measures ({', '.join(measure_keys) or 'none given'})")

    pairs = []
    for i, item in enumerate(c.items("pairs"), start=1):
        at = f"pairs[{i}]"
        p = Pair(
            c.get("pairs[].numerator", item, f"{at}.numerator"),
            c.get("pairs[].denominator", item, f"{at}.denominator"),
            c.get("pairs[].more_than", item, f"{at}.more_than") or "",
            c.get("pairs[].more_than_fix", item, f"{at}.more_than_fix") or "",
            c.get("pairs[].blank_denominator", item, f"{at}.blank_denominator") or "",
            c.get("pairs[].blank_denominator_fix", item, f"{at}.blank_denominator_fix") or "",
        )
        a_measure(f"{at}.numerator", p.numerator)
        a_measure(f"{at}.denominator", p.denominator)
        pairs.append(p)

    kind = c.get("headline.kind")
    if kind is not None and kind not in HEADLINE_KINDS:
        c.bad("headline.kind", f"is {kind!r}: it should be one of {', '.join(HEADLINE_KINDS)}")
    target = c.get("headline.target_percent")
    numerator, denominator, measure = (
        c.get("headline.numerator"),
        c.get("headline.denominator"),
        c.get("headline.measure"),
    )
    if kind == "share" and not levels:
        c.bad("headline.kind", "is 'share', which needs adoption levels: add an [adoption] section")
    if kind == "rate":
        if numerator is None or denominator is None:
            c.bad("headline", "is a rate: give its numerator and denominator (two measures)")
        elif Pair(numerator, denominator) not in pairs:
            c.bad("headline", "is a rate of numerator over denominator: declare them as a [[pairs]] too")
    if kind == "count" and measure is None:
        c.bad("headline.measure", "is missing: a count headline sums one measure")
    if kind == "count" and target is not None:
        c.bad("headline.target_percent", "is given for a count: a count's target is each AHSN's trajectory")
    if kind in ("share", "rate") and target is None:
        c.bad("headline.target_percent", f"is missing: a {kind} has a national target in percent")
    for key, value in (
        ("headline.numerator", numerator),
        ("headline.denominator", denominator),
        ("headline.measure", measure),
    ):
        a_measure(key, value)
    big_change = c.get("headline.big_change")
    c.between("headline.big_change", big_change, 1, MOST_PER_ROW)

    set_by = c.get("trajectories.set_by")
    if set_by is not None and set_by not in SET_BY:
        c.bad("trajectories.set_by", f"is {set_by!r}: it should be one of {', '.join(SET_BY)}")
    day, months = c.get("due.day"), c.get("due.months_after_quarter_end")
    c.between("due.day", day, 1, 28)
    c.between("due.months_after_quarter_end", months, 0, 12)
    milestone_measure = c.get("milestones.measure")
    a_measure("milestones.measure", milestone_measure)
    thresholds = c.get("milestones.thresholds")
    if list(thresholds) != sorted(set(thresholds)) or any(t <= 0 for t in thresholds):
        c.bad("milestones.thresholds", "should be whole numbers above 0, smallest first, each once")

    # Read for its checks; nothing else uses them yet.
    c.get("name"), c.get("short_name"), c.get("description"), c.get("first_quarter"), c.get("table.checkpoint_quarters")
    for key in ("organisations.singular", "organisations.plural", "organisations.reference_list", "headline.words"):
        c.get(key)
    plural = c.get("organisations.plural") or "organisations"
    demo_note = c.get("organisations.demo_note") or (
        f"The {plural}, their codes and names and every figure are invented: illustrative only."
    )
    level_headings = tuple(h.lower() for h in c.get("adoption.headings"))
    level_stems = tuple(s.lower() for s in c.get("adoption.stems"))
    if c.problems:
        raise DefinitionError(f"{file}: " + "; ".join(c.problems) + " (see docs/programmes.md)")
    d = data
    return Programme(
        code=code,
        short_name=d["short_name"],
        name=d["name"],
        description=d["description"],
        levels=tuple(levels),
        adopted_from_level=adopted_from if adopted_from is not None else 1,
        target_percent=target,
        counted_trust_types=tuple(t.key for t in types if t.counts),
        checkpoint_quarters=tuple(d["table"]["checkpoint_quarters"]),
        big_change_points=big_change,
        default_trust_type=default_type,
        max_count_per_row=max((m.max_per_row for m in measures), default=1),
        organisation=d["organisations"]["singular"],
        organisations=d["organisations"]["plural"],
        due_day=day,
        due_months_after_quarter_end=months,
        submitters_set_trajectories=d["trajectories"]["allowed"] and set_by == "ahsn",
        referral_milestones=tuple(thresholds),
        milestone_measure=milestone_measure,
        headline=Headline(
            kind=kind,
            words=d["headline"]["words"],
            unit=d["headline"]["unit"],
            target_percent=target,
            big_change=big_change,
            numerator=numerator,
            denominator=denominator,
            measure=measure,
        ),
        organisation_types=tuple(types),
        measures=tuple(measures),
        pairs=tuple(pairs),
        first_quarter=d["first_quarter"],
        max_organisations_per_return=most,
        code_pattern=pattern,
        code_example=example.upper(),
        code_words=d["organisations"]["code_words"],
        reference_list=d["organisations"]["reference_list"],
        is_demo_data=d["organisations"]["reference_is_demo"],
        demo_note=demo_note,
        trajectories_allowed=d["trajectories"]["allowed"],
        trajectory_unit=d["trajectories"]["unit"],
        level_headings=level_headings,
        level_stems=level_stems,
        source=source,
        file=file,
    )


def load(path: Path) -> Programme:
    """One definition file, read and checked (DefinitionError names the file and every bad field)."""
    try:
        source = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise DefinitionError(f"{path}: cannot be read ({err})") from None
    return parse(source, str(path))
