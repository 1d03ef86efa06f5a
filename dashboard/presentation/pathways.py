"""What the Pathways page shows: its state read from the address, and an Analysis (etl/pathways/qca.py)
as words first, then tables (pathway_tables.py). Pure: an analysis in, components out (the page
and the downloads read the database; nothing here does).

State in the address: ?cases=review|live, &quarter=Q3 2019/20 (live), &conditions=NONDELAY,PHARMA,
&outcome=OUTCOME, &solution=parsimonious|conservative. The programme is the page's own (from the
settings today; from the address once each programme has its own pages), kept in the state so
that moving the page moves nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from dash import html

from dashboard.context import services
from dashboard.presentation.pathway_tables import (  # noqa: F401  (the page and the downloads read them here)
    TABLES,
    method_and_limits,
    necessity_table,
    raw_table,
    solution_tables,
    table_rows,
    truth_table,
)
from etl import queries
from etl.live_cases import LiveCases, live_case_set
from etl.pathways.conditions import (
    OUTCOME,
    analysed_by_default,
    programme_conditions,
    review_cases,
    spread_conditions,
    wordings_for,
)
from etl.pathways.qca import (
    MAX_CONDITIONS,
    PARSIMONIOUS,
    SOLUTION_KINDS,
    Analysis,
    AnalysisError,
    Solution,
    analyse,
)
from etl.quarters import Quarter, QuarterError

REVIEW, LIVE = "review", "live"
PRESENT, ABSENT = "✓ present", "✗ absent"


@dataclass(frozen=True)
class PathwaysView:
    """The page's choices, checked: unknown or surplus values fall back to defaults, and each
    fallback is said (`notes`)."""

    programme: str  # the programme's code
    cases: str  # REVIEW or LIVE
    quarter: str | None  # LIVE: the quarter's label
    conditions: tuple[str, ...]
    outcome: str
    solution: str
    notes: tuple[str, ...] = ()

    @classmethod
    def read(
        cls,
        programme: str,
        query: dict,
        columns: list[str],
        default_conditions: tuple[str, ...],
        quarters: list[str],
        has_review: bool,
    ) -> PathwaysView:
        """`columns`: the conditions the case set can offer (and OUTCOME); `quarters`: the
        quarters the live case set can be at, latest first."""
        notes = []
        cases = query.get("cases") or (REVIEW if has_review else LIVE)
        if cases not in (REVIEW, LIVE) or (cases == REVIEW and not has_review):
            notes.append("the case set asked for is not one this page offers: the default is shown")
            cases = REVIEW if has_review else LIVE
        quarter = None
        if cases == LIVE:
            quarter = quarters[0] if quarters else None
            asked = query.get("quarter")
            if asked:
                try:
                    label = Quarter.parse(asked).label
                except QuarterError:
                    label = None
                if label in quarters:
                    quarter = label
                else:
                    notes.append(f"'{asked[:20]}' is not a quarter with returns: {quarter} is shown")
        outcome = query.get("outcome") or OUTCOME
        if outcome not in columns:
            notes.append(f"'{outcome[:20]}' is not a column of these cases: the outcome is {OUTCOME}")
            outcome = OUTCOME
        wanted = [c for c in (query.get("conditions") or "").split(",") if c]
        chosen = [c for c in dict.fromkeys(wanted) if c in columns and c != outcome]
        if len(chosen) < len(wanted):
            dropped = [c[:20] for c in wanted if c not in chosen]
            notes.append(f"left out of the conditions: {', '.join(dropped)} (not a condition of these cases)")
        if len(chosen) > MAX_CONDITIONS:
            notes.append(f"at most {MAX_CONDITIONS} conditions: the first {MAX_CONDITIONS} are used")
            chosen = chosen[:MAX_CONDITIONS]
        if not chosen:
            chosen = [c for c in default_conditions if c in columns and c != outcome]
        solution = query.get("solution") or PARSIMONIOUS
        if solution not in SOLUTION_KINDS:
            notes.append(f"'{solution[:20]}' is not a kind of solution: the parsimonious one is shown")
            solution = PARSIMONIOUS
        order = {c: i for i, c in enumerate(columns)}
        return cls(
            programme,
            cases,
            quarter,
            tuple(sorted(chosen, key=order.get)),
            outcome,
            solution,
            tuple(notes),
        )

    def query(self, **changes) -> dict:
        view = replace(self, **changes)
        out = {"cases": view.cases}
        if view.cases == LIVE and view.quarter:
            out["quarter"] = view.quarter
        out["conditions"] = ",".join(view.conditions)
        if view.outcome != OUTCOME:
            out["outcome"] = view.outcome
        if view.solution != PARSIMONIOUS:
            out["solution"] = view.solution
        return out

    def search(self, **changes) -> str:
        return "?" + urlencode(self.query(**changes))


def analysis_for(query: dict) -> tuple[PathwaysView, Analysis | None, LiveCases | None, str | None]:
    """(view, analysis or None, live cases or None, why there is no analysis): what the page and
    the downloads show for an address."""
    ctx = services()
    programme = ctx.programme
    review = review_cases(programme)
    quarters = list(reversed(queries.loaded_quarters(ctx.db, programme)["quarter"].tolist()))
    live_columns = [c.name for c in spread_conditions(programme)] + [OUTCOME]
    cases = query.get("cases") or (REVIEW if review is not None else LIVE)
    columns = list(review.columns) if cases == REVIEW and review is not None else live_columns
    view = PathwaysView.read(
        programme.code, query, columns, analysed_by_default(programme), quarters, review is not None
    )
    live = None
    if view.cases == REVIEW:
        case_set = review
    elif view.quarter is None:
        return view, None, None, "No quarter has returns yet, so the live AHSNs have no outcome."
    else:
        live = live_case_set(ctx.db, programme, Quarter.parse(view.quarter), view.conditions)
        case_set = live.case_set
        if case_set is None:
            return (
                view,
                None,
                live,
                (
                    f"No AHSN has a return for {view.quarter} and every chosen condition recorded: "
                    "record the AHSNs' conditions below, or choose fewer conditions."
                ),
            )
    try:
        analysis = analyse(
            case_set,
            view.conditions,
            view.outcome,
            kind=view.solution,
            wordings=wordings_for(case_set.columns, programme_conditions(programme)),
        )
    except AnalysisError as err:
        return view, None, live, f"These choices cannot be analysed: {err}."
    return view, analysis, live, None


# ---- words first ------------------------------------------------------------------------------


def summary(analysis: Analysis, target_words: str) -> html.Div:
    """The solutions in words, before any table: 'One pathway: a prompt start and a pharmacist
    at the AHSN (NONDELAY*PHARMA) covers all 7 AHSNs at target.'"""
    success, failure = analysis.solutions["1"], analysis.solutions["0"]
    return html.Div(
        className="pathways-summary",
        id="pathways-summary",
        children=[
            html.P(_solution_sentence(success, analysis, target_words), className="lead"),
            html.P(_solution_sentence(failure, analysis, "not " + target_words if target_words else "")),
        ],
    )


def _solution_sentence(solution: Solution, analysis: Analysis, what: str) -> list:
    words = analysis.wordings[analysis.outcome]
    wording = words.present if solution.outcome == "1" else words.absent
    label = f"{wording} ({what})" if what and what != wording else wording
    head = f"{label[0].upper()}{label[1:]}: "
    if not solution.models:
        return [html.Strong(head), "no pathway. ", solution.note or ""]
    first = solution.models[0]
    if len(solution.models) > 1:
        parts = [
            html.Strong(head),
            f"{len(solution.models)} equally simple explanations tie (",
            ", ".join(m.name for m in solution.models),
            "), so none is preferred. ",
        ]
        common = solution.in_every_model
        if common:
            parts.append(f"Every one has {' and '.join(common)}. ")
        parts.append(f"The first, {first.expression}, covers {first.reach}.")
        return parts
    if len(first.terms) == 1:
        term = first.terms[0]
        return [
            html.Strong(head),
            f"one pathway: {term.words} (",
            html.Code(term.expression),
            f") covers {term.reach}.",
        ]
    count = {2: "two pathways, either", 3: "three pathways, any"}.get(
        len(first.terms), f"{len(first.terms)} pathways, any"
    )
    parts = [html.Strong(head), f"{count} of them: "]
    for i, term in enumerate(first.terms):
        if i:
            parts.append("; or ")
        parts += [f"{term.words} (", html.Code(term.expression), f": {term.reach})"]
    parts.append(f". Together they cover {first.reach}.")
    return parts
