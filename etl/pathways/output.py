"""An Analysis as plain-text tables (what `python -m etl pathways` prints) and as JSON (`--json`).

The JSON object is the one issue 19 specifies: `conditions`, `outcome`, `truth_table`
[{configuration, cases, outcome, consistency}], `remainders`, and `solutions` {"1": [model],
"0": [model]} with model {terms: [{term, cases, raw_coverage, unique_coverage, consistency}],
coverage, consistency}; what else is useful is under other keys (the words, the raw table with
its variation, necessity, the simplifying assumptions, notes), never in place of those.
"""

from __future__ import annotations

from etl.pathways.qca import Analysis, Configuration, Model, Necessity, Solution, Term, Variation

SOLUTION_EXPLAINED = {
    "parsimonious": "parsimonious: configurations observed in no case may be assumed to have the outcome "
    "or not, whichever gives the simpler solution",
    "conservative": "conservative: only the configurations observed are used",
}


def figure(value: float | None) -> str:
    """A share as the review prints it: 1.0, 0.5, 0.375, 0.636; 'none' where there is no case."""
    if value is None:
        return "none"
    text = f"{value:.3f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def cases_text(groups: tuple[tuple[str, ...], ...]) -> str:
    """'4; 6, 13, 14; 8, 9; 15': the cases of each configuration together, as Table 8.5."""
    return "; ".join(", ".join(g) for g in groups)


# ---- JSON ---------------------------------------------------------------------------


def as_json(analysis: Analysis) -> dict:
    return {
        "conditions": list(analysis.conditions),
        "outcome": analysis.outcome,
        "truth_table": [_configuration(r) for r in analysis.truth_table],
        "remainders": list(analysis.remainders),
        "solutions": {k: [_model(m) for m in s.models] for k, s in analysis.solutions.items()},
        # beyond what the issue specifies
        "solution_type": analysis.kind,
        "source": analysis.source,
        "cases": list(analysis.cases),
        "words": {name: {"present": w.present, "absent": w.absent} for name, w in analysis.wordings.items()},
        "solution_notes": {k: s.note for k, s in analysis.solutions.items() if s.note},
        "raw_table": {
            "columns": list(analysis.raw.columns),
            "rows": [
                {"case": case, **dict(zip(analysis.raw.columns, values, strict=True))}
                for case, values in analysis.raw.rows
            ],
        },
        "variation": [_variation(v) for v in analysis.raw.variation],
        "necessity": [_necessity(n) for n in analysis.necessity],
        "notes": list(analysis.notes),
    }


def _configuration(row: Configuration) -> dict:
    return {
        "configuration": row.configuration,
        "cases": list(row.cases),
        "outcome": row.outcome,
        "consistency": row.consistency,
    }


def _model(model: Model) -> dict:
    return {
        "terms": [_term(t) for t in model.terms],
        "coverage": model.coverage,
        "consistency": model.consistency,
        "name": model.name,
        "expression": model.expression,
        "words": model.words,
        "reach": model.reach,
        "remainders_assumed": list(model.remainders),
    }


def _term(term: Term) -> dict:
    return {
        "term": term.expression,
        "cases": list(term.cases),
        "raw_coverage": term.raw_coverage,
        "unique_coverage": term.unique_coverage,
        "consistency": term.consistency,
        "case_groups": [list(g) for g in term.case_groups],
        "words": term.words,
        "reach": term.reach,
        "remainders_assumed": list(term.remainders),
    }


def _variation(v: Variation) -> dict:
    return {
        "column": v.column,
        "present": v.present,
        "absent": v.absent,
        "differ": v.differ,
        "too_little_variation": v.flagged,
        "used": "outcome" if v.is_outcome else "condition" if v.chosen else None,
    }


def _necessity(n: Necessity) -> dict:
    return {
        "literal": n.literal,
        "condition": n.condition,
        "present": n.present,
        "outcome": n.outcome,
        "consistency": n.consistency,
        "coverage": n.coverage,
        "cases_with_both": n.with_both,
        "cases_with_outcome": n.with_outcome,
        "cases_with_condition": n.with_condition,
    }


# ---- plain text ---------------------------------------------------------------------


def as_text(analysis: Analysis) -> str:
    a = analysis
    case, cases = a.noun
    words = a.wordings
    out = [
        f"Pathways to {a.outcome} ({words[a.outcome].present}): crisp-set QCA of {len(a.cases)} "
        f"{cases if len(a.cases) != 1 else case}" + (f" from {a.source}" if a.source else ""),
        "Conditions, in this order: " + "; ".join(f"{c} ({words[c].present})" for c in a.conditions),
        "Solutions: " + SOLUTION_EXPLAINED[a.kind],
        "",
    ]
    out += _raw_text(a)
    out += _necessity_text(a)
    out += _truth_table_text(a)
    out.append(f"Solutions (as the review's Table 8.5), {a.kind}")
    for key in ("1", "0"):
        out += _solution_text(a, a.solutions[key])
    if a.notes:
        out.append("Notes")
        out += [f"- {n}" for n in a.notes]
        out.append("")
    out.append(
        f"These are associations among these {len(a.cases)} {cases}, not proof of cause, and each "
        "condition is a judgement made by people (docs/pathways.md)."
    )
    return "\n".join(out) + "\n"


def _listed(configurations: tuple[str, ...], most: int = 16) -> str:
    """'0000, 0001, 0100'; past `most`, the first of them and how many more (--json has all)."""
    if len(configurations) <= most:
        return ", ".join(configurations)
    return f"{', '.join(configurations[:most])} and {len(configurations) - most:,} more (all of them with --json)"


def _table(header: list[str], rows: list[list[str]], indent: str = "") -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    return [
        indent + "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]


def _raw_text(a: Analysis) -> list[str]:
    raw = a.raw
    case, cases = a.noun
    header = [case, *raw.columns]
    rows = [[c, *map(str, values)] for c, values in raw.rows]
    by_column = {v.column: v for v in raw.variation}
    rows.append(["present", *(str(by_column[c].present) for c in raw.columns)])
    rows.append(["absent", *(str(by_column[c].absent) for c in raw.columns)])
    rows.append(["differ", *(str(by_column[c].differ) for c in raw.columns)])
    rows.append(["variation", *("LOW" if by_column[c].flagged else "ok" for c in raw.columns)])
    rows.append(
        [
            "used",
            *("outcome" if by_column[c].is_outcome else "yes" if by_column[c].chosen else "-" for c in raw.columns),
        ]
    )
    total = len(raw.rows)
    return [
        f"The {cases} (as the review's Table 8.3): 1 present, 0 absent",
        *_table(header, rows),
        f"variation LOW: a third or fewer of the {total} {cases} differ from the rest "
        f"(the smaller of present and absent is at most {total // 3}), the review's rule for too "
        "little variation",
        "",
    ]


def _necessity_text(a: Analysis) -> list[str]:
    words = a.wordings[a.outcome]
    lines = [
        "Necessity: of the cases with each outcome, how many have the condition (consistency), and of "
        "the cases with the condition, how many have the outcome (coverage)"
    ]
    for key, said in (("1", words.present), ("0", words.absent)):
        rows = [n for n in a.necessity if n.outcome == key]
        with_outcome = rows[0].with_outcome if rows else 0
        lines.append(f"  {said} ({with_outcome} {a.noun[1] if with_outcome != 1 else a.noun[0]})")
        lines += _table(
            ["condition", "consistency", "", "coverage", ""],
            [
                [
                    n.literal,
                    figure(n.consistency),
                    f"{n.with_both} of {n.with_outcome}",
                    figure(n.coverage),
                    f"{n.with_both} of {n.with_condition}",
                ]
                for n in rows
            ],
            "    ",
        )
    lines.append("")
    return lines


def _truth_table_text(a: Analysis) -> list[str]:
    n = len(a.truth_table)
    rows = [[*r.configuration, r.outcome, figure(r.consistency), ", ".join(r.cases)] for r in a.truth_table]
    lines = [
        f"Truth table (as the review's Table 8.4): {n} configuration{'s' if n != 1 else ''} observed; "
        "outcome C where the cases of a configuration disagree (a contradiction)",
        *_table([*a.conditions, a.outcome, "consistency", a.noun[1]], rows),
    ]
    total = n + len(a.remainders)
    if a.remainders:
        lines.append(
            f"Logical remainders, observed in no {a.noun[0]}: {len(a.remainders):,} of the {total:,} "
            f"configurations: {_listed(a.remainders)}"
        )
    else:
        lines.append(f"Every one of the {total:,} configurations was observed: no logical remainders")
    lines.append("")
    return lines


def _solution_text(a: Analysis, solution: Solution) -> list[str]:
    name = a.outcome if solution.outcome == "1" else a.outcome.lower()
    count = len(solution.models)
    lines = [
        f"  {solution.wording} ({name}): "
        + (solution.note if not count else f"{count} model{'s tie' if count > 1 else ''}")
    ]
    if count > 1:
        common = solution.in_every_model
        lines.append(
            f"    {count} models have the fewest terms, so each is shown"
            + (f"; every one has {' and '.join(common)}" if common else "")
        )
    for model in solution.models:
        lines.append(f"    {model.name}: {model.expression}")
        reached = (
            "; or ".join(f"{t.words} ({t.reach})" for t in model.terms)
            if len(model.terms) > 1
            else model.terms[0].words
        )
        lines.append(f"      in words: {reached}: {model.reach}")
        lines += _table(
            ["term", a.noun[1], "raw coverage", "unique coverage", "consistency"],
            [
                [
                    t.expression,
                    cases_text(t.case_groups),
                    figure(t.raw_coverage),
                    figure(t.unique_coverage),
                    figure(t.consistency),
                ]
                for t in model.terms
            ],
            "      ",
        )
        lines.append(f"      solution coverage {figure(model.coverage)}, consistency {figure(model.consistency)}")
        if model.remainders:
            lines.append(
                f"      simplifying assumptions: {len(model.remainders):,} configuration"
                f"{'s' if len(model.remainders) != 1 else ''} observed in no {a.noun[0]}, taken as "
                f"{solution.wording}: {_listed(model.remainders)}"
            )
    lines.append("")
    return lines
