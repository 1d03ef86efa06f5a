"""Every field of a programme definition (data/programmes/<code>.toml), declared once.

The table both checks a definition field by field (etl/programmes.py) and writes
docs/programmes.md's table (`as_markdown`; a test holds the document to it), so neither can
drift from the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# England's sum of a quarter's counts (15 AHSNs of at most 10,000 rows) must fit the database's
# BIGINT (9.2 x 10^18), so no measure may allow more than this in one row.
MOST_PER_ROW = 10**12
MOST_PER_RETURN = 10_000
CODE = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")


@dataclass(frozen=True)
class Field:
    key: str  # dotted; "[]" marks a list of tables ("measures[].key")
    kind: str  # text, code, whole, percent, yes/no, texts, wholes, quarter, quarters, table list
    required: bool
    help: str
    default: object = None


FIELDS: tuple[Field, ...] = (
    Field(
        "code",
        "code",
        True,
        "The programme's code: lower-case letters, digits and hyphens. Its "
        "addresses (`/<code>/`) and the command line's `--programme` use it; the file is `<code>.toml`.",
    ),
    Field("short_name", "text", True, "What the programme is called in headings and tables: `TCAM`."),
    Field("name", "text", True, "Its full name: `Transfers of Care Around Medicines`."),
    Field(
        "description", "text", True, "One or two sentences on what adopting it means, shown on its definitions page."
    ),
    Field(
        "first_quarter",
        "quarter",
        True,
        "The first quarter of the programme (`Q1 2018/19`): no return is expected before it.",
    ),
    Field(
        "organisations.singular",
        "text",
        True,
        "What one adopting organisation is called: `trust`, `GP practice`, `site`.",
    ),
    Field("organisations.plural", "text", True, "And many: `trusts`, `GP practices`, `sites`."),
    Field(
        "organisations.reference_list",
        "text",
        True,
        "The reference list of organisations, a CSV file relative to "
        "the definitions' folder (`tcam/organisations.csv`), columns `ahsn` (short name), `code`, `name`, `type`, "
        "`successor` (the code of the organisation that replaced it after a merger, blank if current).",
    ),
    Field(
        "organisations.reference_is_demo",
        "yes/no",
        True,
        "`true` when the reference list is invented (demo "
        "organisations): every page showing the programme then says its data are illustrative.",
    ),
    Field(
        "organisations.demo_note",
        "text",
        False,
        'What every page showing the programme says about its demo data, after "Demo data." (what is '
        "real and what is invented); shown while the figures hold demo returns (default: the organisations and "
        "every figure are invented, illustrative only).",
    ),
    Field(
        "organisations.code_pattern",
        "text",
        True,
        "A regular expression an organisation's code must match, "
        "in upper case: `^[A-Z0-9]{3,5}$` (an ODS trust code), `^[A-Z][0-9]{5}$` (a GP practice code).",
    ),
    Field("organisations.code_example", "text", True, "A code that matches, for messages: `RTH`, `A81001`."),
    Field(
        "organisations.code_words",
        "text",
        True,
        "The code in words, for messages: `the trust's ODS code: 3 to 5 letters or digits`.",
    ),
    Field(
        "organisations.most_per_return",
        "whole",
        True,
        "The most organisation rows one AHSN's return for one "
        f"quarter may hold (1 to {MOST_PER_RETURN:,}); a file with more is refused as implausible. TCAM: 300.",
    ),
    Field(
        "organisations.default_type",
        "text",
        True,
        "The type of an organisation whose return does not say and that has no earlier return; one of the types' keys.",
    ),
    Field(
        "organisations.types[].key",
        "code",
        True,
        "An organisation type as a return writes it (`acute`, `mental_health`): lower case, `_` between words.",
    ),
    Field("organisations.types[].words", "text", True, "The type as said: `mental health`."),
    Field(
        "organisations.types[].counts",
        "yes/no",
        True,
        "Whether organisations of this type count toward the headline (TCAM: acute only). At least one type counts.",
    ),
    Field(
        "organisations.types[].aliases",
        "texts",
        False,
        "Other ways a return may write the type (`mh`), read as it and said so.",
        (),
    ),
    Field(
        "adoption.adopted_from_level",
        "whole",
        False,
        "The level from which an organisation counts as adopted. "
        "Leave the `adoption` section out for a programme without adoption levels: every counted organisation "
        "in a return then counts as taking part.",
    ),
    Field(
        "adoption.headings",
        "texts",
        False,
        "Other headings people give the level column, as read after tidying (lower case, words only): "
        '`["tcam level"]`. The column is `adoption_level`; `level`, `stage` and the like are always read as it.',
        (),
    ),
    Field(
        "adoption.stems",
        "texts",
        False,
        "Word beginnings that make an unknown heading a possibly misnamed level column (`tcam`).",
        (),
    ),
    Field("adoption.levels[].number", "whole", False, "A level's number, from 1, in order."),
    Field("adoption.levels[].name", "text", False, "Its name: `Live`."),
    Field(
        "adoption.levels[].description", "text", False, "What it means, on the definitions page and in the template."
    ),
    Field(
        "measures[].key",
        "code",
        False,
        "A whole-number count each row of a return may carry: its column's "
        "name (`referrals_made`). Blank in a return means not reported, never 0.",
    ),
    Field("measures[].words", "text", False, "The count as said: `referrals made`."),
    Field(
        "measures[].max_per_row",
        "whole",
        False,
        "The most one organisation can plausibly report in one quarter "
        "(1 to 10^12): a larger value is refused where it is read (a pasted total, a crafted number).",
    ),
    Field(
        "measures[].meaning",
        "text",
        False,
        "What the column holds, for messages: `the number of referrals made in the quarter` (default: "
        "`the number of <words> in the quarter`).",
    ),
    Field(
        "measures[].headings",
        "texts",
        False,
        "Other headings people give the column, as read after tidying (lower case, words only, no `number of`): "
        '`["referrals", "referrals sent"]`. Its words are always read as it.',
        (),
    ),
    Field(
        "measures[].stems",
        "texts",
        False,
        "Word beginnings that make an unknown heading a possibly misnamed column of this measure (`referr`).",
        (),
    ),
    Field(
        "measures[].noun",
        "text",
        False,
        "What one of it is, in messages: `referrals` (\"'x' is not a count of referrals\"; default: its words).",
    ),
    Field(
        "measures[].typical",
        "text",
        False,
        "How many a real row holds, in words, for the message refusing a count above `max_per_row`: `hundreds`.",
    ),
    Field(
        "measures[].explanation",
        "text",
        False,
        "What the template says the column holds; `{most:,}` is `max_per_row` (default: its meaning, "
        "with the whole numbers it takes).",
    ),
    Field(
        "pairs[].numerator",
        "text",
        False,
        "A measure that is a part of another in the same row "
        "(`referrals_completed`): a row whose numerator is more than its denominator is refused.",
    ),
    Field("pairs[].denominator", "text", False, "The measure it is a part of (`referrals_made`)."),
    Field(
        "pairs[].more_than",
        "text",
        False,
        "The message when a row's numerator is more than its denominator, with `{numerator}` and `{denominator}` "
        "for the numbers: `{numerator} referrals completed is more than the {denominator} made` (default: "
        "`{numerator} <numerator words> is more than the {denominator} <denominator words>`).",
    ),
    Field("pairs[].more_than_fix", "text", False, "How to fix it (default: `Check both numbers`)."),
    Field(
        "pairs[].blank_denominator",
        "text",
        False,
        "The message when a row gives the numerator but leaves the denominator blank (default: "
        "`<numerator words> are given but <denominator words> are blank`).",
    ),
    Field(
        "pairs[].blank_denominator_fix",
        "text",
        False,
        "How to fix that (default: `Fill in <denominator words>, or leave both blank if not reported`).",
    ),
    Field(
        "headline.kind",
        "text",
        True,
        "How each AHSN-quarter's one figure is made: `share` (adopted counted "
        "organisations over counted organisations, a whole percent), `rate` (the sum of `numerator` over the sum "
        "of `denominator` across the AHSN's organisations, a whole percent) or `count` (the sum of `measure`).",
    ),
    Field(
        "headline.words",
        "text",
        True,
        "What the headline counts, after a number: `acute trusts adopting`, "
        "`people completing`, `eligible mothers given magnesium sulphate`.",
    ),
    Field("headline.unit", "text", True, "`percent` for a share or a rate; what a count counts (`people`)."),
    Field(
        "headline.target_percent",
        "percent",
        False,
        "The flat national target of a share or rate, in percent "
        "(TCAM: 50). Leave it out for a count: each AHSN's trajectory is its target.",
    ),
    Field(
        "headline.big_change",
        "whole",
        True,
        "A change from one quarter to another above this, in the headline's "
        "units (percentage points, or people), takes the national table's darkest colour.",
    ),
    Field("headline.numerator", "text", False, "A rate's numerator: a measure."),
    Field("headline.denominator", "text", False, "A rate's denominator: a measure."),
    Field("headline.measure", "text", False, "A count's measure."),
    Field("trajectories.allowed", "yes/no", True, "Whether AHSNs have trajectories (stepped local targets)."),
    Field(
        "trajectories.set_by",
        "text",
        True,
        "Who sets them: `ahsn` (the AHSN's own submitters, and the national "
        "team) or `national` (the national team only).",
    ),
    Field(
        "trajectories.unit", "text", True, "A trajectory step's unit: `percent` (of the headline) or the count's unit."
    ),
    Field(
        "table.checkpoint_quarters",
        "quarters",
        True,
        "The quarters the national table shows by default (the review's checkpoints), with the latest.",
    ),
    Field("due.day", "whole", True, "Returns for a quarter are due on this day of the month (1 to 28) ..."),
    Field("due.months_after_quarter_end", "whole", True, "... this many months after the quarter ends (0 to 12)."),
    Field(
        "milestones.measure",
        "text",
        False,
        "A measure whose AHSN-quarter total passing a threshold for the "
        "first time is a milestone (TCAM: `referrals_made`). The other milestones (first organisation adopted, "
        "target or trajectory step reached, every counted organisation adopted) follow from the headline.",
    ),
    Field("milestones.thresholds", "wholes", False, "Those thresholds, smallest first: `[1000, 2000]`.", ()),
    Field(
        "pathways",
        "table",
        False,
        "Coming with issue 19: the conditions of the programme's spread analysis "
        "(crisp-set QCA). Leave it out for now.",
    ),
)
BY_KEY = {f.key: f for f in FIELDS}


def as_markdown() -> str:
    """Every field of a definition as a table, for docs/programmes.md (a test checks it carries it)."""
    lines = ["| field | kind | required | what it means |", "| --- | --- | --- | --- |"]
    for f in FIELDS:
        lines.append(f"| `{f.key}` | {f.kind} | {'yes' if f.required else 'no'} | {f.help} |")
    return "\n".join(lines)
