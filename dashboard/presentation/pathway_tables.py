"""The Pathways page's tables: an Analysis (etl/pathways/qca.py) as the review's tables (the raw
table, necessity, the truth table, each solution's models), its method and limits, and every
table as rows for the downloads. Pure: an analysis in, components or rows out."""

from __future__ import annotations

from dash import html

from etl.pathways.output import cases_text, figure
from etl.pathways.qca import CONTRADICTION, Analysis, Model, Solution


def table(caption: str, header: list[str], rows: list[list], table_id: str, note: str | None = None) -> html.Div:
    return html.Div(
        className="table-wrap pathways-table-wrap",
        role="region",
        tabIndex=0,
        **{"aria-labelledby": f"{table_id}-caption"},
        children=[
            html.Table(
                className="data-table pathways-table",
                id=table_id,
                children=[
                    html.Caption(caption, id=f"{table_id}-caption"),
                    html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
                    html.Tbody(
                        [
                            html.Tr([html.Th(r[0], scope="row"), *[html.Td(c) for c in r[1:]]], className=_row_class(r))
                            for r in rows
                        ]
                    ),
                ],
            ),
            html.P(note, className="muted table-note") if note else None,
        ],
    )


def _row_class(row: list) -> str | None:
    return "pathways-flagged" if any(isinstance(c, str) and c.startswith("⚠") for c in row) else None


def raw_table(analysis: Analysis) -> html.Div:
    """Table 8.3: each case's value of each column, then each column's variation, flagged."""
    raw = analysis.raw
    chosen = set(analysis.conditions) | {analysis.outcome}
    header = ["Case", *[f"{c} (used)" if c in chosen else c for c in raw.columns]]
    rows = [[case, *[str(v) for v in values]] for case, values in raw.rows]
    variation = {v.column: v for v in raw.variation}
    rows.append(["present (1)", *[str(variation[c].present) for c in raw.columns]])
    rows.append(["absent (0)", *[str(variation[c].absent) for c in raw.columns]])
    rows.append(["variation", *["⚠ too little" if variation[c].flagged else "enough" for c in raw.columns]])
    n = len(raw.rows)
    return table(
        f"The raw table (as the review's Table 8.3): 1 present, 0 absent, for each of the {n} {analysis.noun[1]}",
        header,
        rows,
        "pathways-raw",
        f"⚠ too little variation: a third or fewer of the {n} {analysis.noun[1]} differ from the rest "
        f"(the review's rule: the smaller of present and absent is at most {n // 3}). A warning for whoever "
        "chooses the conditions, never a decision.",
    )


def necessity_table(analysis: Analysis) -> html.Div:
    words = analysis.wordings[analysis.outcome]
    rows = []
    for n in analysis.necessity:
        wording = analysis.wordings[n.condition]
        rows.append(
            [
                n.literal,
                wording.present if n.present else wording.absent,
                words.present if n.outcome == "1" else words.absent,
                f"{figure(n.consistency)} ({n.with_both} of {n.with_outcome})",
                f"{figure(n.coverage)} ({n.with_both} of {n.with_condition})",
            ]
        )
    return table(
        "Necessity: is a condition always there when the outcome is?",
        ["Condition", "In words", "Outcome", "Consistency", "Coverage"],
        rows,
        "pathways-necessity",
        "Consistency: of the cases with the outcome, the share with the condition (1.0: every one had it). "
        "Coverage: of the cases with the condition, the share with the outcome.",
    )


def truth_table(analysis: Analysis) -> html.Div:
    words = analysis.wordings[analysis.outcome]
    outcome_said = {"1": f"1 {words.present}", "0": f"0 {words.absent}", CONTRADICTION: "⚠ C contradiction"}
    rows = [
        [
            r.configuration,
            *list(r.configuration),
            outcome_said[r.outcome],
            figure(r.consistency),
            ", ".join(r.cases),
        ]
        for r in analysis.truth_table
    ]
    total = len(analysis.truth_table) + len(analysis.remainders)
    return table(
        "The truth table (as the review's Table 8.4): every combination of the conditions seen in some case",
        ["Configuration", *analysis.conditions, analysis.outcome, "Consistency", _capital(analysis.noun[1])],
        rows,
        "pathways-truth",
        f"{len(analysis.truth_table)} of the {total:,} possible configurations were observed; the other "
        f"{len(analysis.remainders):,} are logical remainders (seen in no case). A contradiction (C: its cases "
        "disagree) is never covered by a solution and never used as a remainder.",
    )


def solution_tables(solution: Solution, analysis: Analysis) -> html.Section:
    words = analysis.wordings[analysis.outcome]
    wording = words.present if solution.outcome == "1" else words.absent
    children: list = [
        html.H3(f"{'The outcome' if solution.outcome == '1' else 'Its absence'}: {wording}"),
    ]
    if not solution.models:
        children.append(html.P(solution.note or "No solution.", className="pathways-no-solution"))
    elif len(solution.models) > 1:
        children.append(
            html.P(
                f"{len(solution.models)} models tie with the fewest terms, so each is shown: "
                + ", ".join(f"{m.name} {m.expression}" for m in solution.models)
                + "."
            )
        )
    for model in solution.models:
        children.append(_model_table(model, solution, analysis))
    return html.Section(children, className="pathways-solution", id=f"pathways-solution-{solution.outcome}")


def _model_table(model: Model, solution: Solution, analysis: Analysis) -> html.Div:
    rows = [
        [
            html.Code(t.expression),
            t.words,
            cases_text(t.case_groups),
            figure(t.raw_coverage),
            figure(t.unique_coverage),
            figure(t.consistency),
        ]
        for t in model.terms
    ]
    rows.append(["Solution", model.reach, "", figure(model.coverage), "", figure(model.consistency)])
    assumed = (
        f"Simplifying assumptions: {len(model.remainders)} configuration(s) seen in no case taken to have this "
        f"outcome: {', '.join(model.remainders)}."
        if model.remainders
        else "No configuration seen in no case was assumed."
    )
    return table(
        f"{model.name}: {model.expression}",
        ["Term", "In words", _capital(analysis.noun[1]), "Raw coverage", "Unique coverage", "Consistency"],
        rows,
        f"pathways-model-{solution.outcome}-{model.name.lower()}",
        assumed,
    )


def method_and_limits(analysis: Analysis) -> html.Section:
    n = len(analysis.cases)
    return html.Section(
        id="pathways-method",
        className="pathways-method",
        children=[
            html.H2("The method, and what it cannot tell you"),
            html.P(
                "Crisp-set Qualitative Comparative Analysis, as the national review did it (its section 8.4): each "
                "case's conditions judged present (1) or absent (0), the combinations seen listed in a truth table, "
                "and a Boolean minimisation (Quine-McCluskey, then Petrick's method for the fewest terms) finding "
                "the simplest combinations that cover every case with the outcome and none without it."
            ),
            html.Ul(
                [
                    html.Li(
                        f"Small N: {n} cases. The results are associations among these cases, not proof of cause, "
                        "and one case judged differently can change them."
                    ),
                    html.Li(
                        "Crisp sets: each condition is in or out, judged by people from what they knew; partial "
                        "presence cannot be shown."
                    ),
                    html.Li(
                        "The parsimonious solution assumes, for configurations seen in no case (logical "
                        "remainders), whichever outcome gives the simpler answer; each model lists those "
                        "assumptions. The conservative solution assumes nothing and is longer."
                    ),
                    html.Li(
                        "Where several models are equally simple, every one is shown: the data cannot choose "
                        "between them."
                    ),
                ]
            ),
        ],
    )


# ---- the downloads: every table as rows ---------------------------------------------------------

TABLES = ("raw", "necessity", "truth-table", "solutions")


def table_rows(analysis: Analysis, table: str) -> list[list]:
    """One of the analysis's tables as rows for a CSV (the header first)."""
    if table == "raw":
        variation = {v.column: v for v in analysis.raw.variation}
        rows = [["case", *analysis.raw.columns]]
        rows += [[case, *values] for case, values in analysis.raw.rows]
        rows.append(["too_little_variation", *["yes" if variation[c].flagged else "no" for c in analysis.raw.columns]])
        return rows
    if table == "necessity":
        return [
            [
                "literal",
                "condition",
                "present",
                "outcome",
                "consistency",
                "coverage",
                "with_both",
                "with_outcome",
                "with_condition",
            ]
        ] + [
            [
                n.literal,
                n.condition,
                int(n.present),
                n.outcome,
                n.consistency,
                n.coverage,
                n.with_both,
                n.with_outcome,
                n.with_condition,
            ]
            for n in analysis.necessity
        ]
    if table == "truth-table":
        return (
            [["configuration", *analysis.conditions, "outcome", "consistency", "cases"]]
            + [
                [r.configuration, *list(r.configuration), r.outcome, r.consistency, " ".join(r.cases)]
                for r in analysis.truth_table
            ]
            + [[c, *list(c), "remainder", "", ""] for c in analysis.remainders]
        )
    rows = [["outcome", "model", "term", "words", "cases", "raw_coverage", "unique_coverage", "consistency"]]
    for key, solution in analysis.solutions.items():
        for model in solution.models:
            for t in model.terms:
                rows.append(
                    [
                        key,
                        model.name,
                        t.expression,
                        t.words,
                        cases_text(t.case_groups),
                        t.raw_coverage,
                        t.unique_coverage,
                        t.consistency,
                    ]
                )
            rows.append([key, model.name, "(solution)", model.reach, "", model.coverage, "", model.consistency])
    return rows


def _capital(text: str) -> str:
    """'AHSNs' stays 'AHSNs'; 'cases' becomes 'Cases'."""
    return text[:1].upper() + text[1:]
