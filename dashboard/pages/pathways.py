"""/pathways: which combinations of spread conditions went with reaching the target (crisp-set QCA,
as the national review did), on the review's published cases or on the live AHSNs at a quarter;
and each AHSN's conditions, which the national team records here.

State is in the address (dashboard/presentation/pathways.py reads it), so the page is built on
the server and is in the first response; the one callback turns a new choice of quarter,
conditions or outcome into a new address. The downloads are plain links with the same query
(dashboard/endpoints/pathways.py). Recording conditions works as setting trajectories does: the
file is read by the same code as `python -m etl conditions load` (in the reading child), every
problem listed with its row and column, nothing stored until a national administrator confirms
with a reason (POST /pathways/conditions/commit, which checks everything again).
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlencode

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard.addresses import here, signin_address
from dashboard.context import services
from dashboard.presentation import checked_file as checked
from dashboard.presentation import pathway_conditions
from dashboard.presentation import pathways as shown
from dashboard.presentation.pathways import LIVE, REVIEW, TABLES, PathwaysView
from dashboard.security.auth import current_user
from etl import queries
from etl.pathways.conditions import (
    OUTCOME,
    programme_conditions,
    review_cases,
    spread_conditions,
)
from etl.pathways.qca import MAX_CONDITIONS, SOLUTION_KINDS
from etl.permissions import Action, allowed, who_may
from etl.reading.kinds import clean_file_name

dash.register_page(
    __name__, path="/pathways", name="Pathways", title="Pathways to success", nav_order=4, nav_label="Pathways"
)


def layout(stored: str | None = None, **query) -> html.Div:
    ctx = services()
    programme = ctx.programme
    if not spread_conditions(programme):
        return html.Div(
            className="page page-pathways",
            children=[html.H1("Pathways to success"), html.P(f"{programme.short_name} defines no spread conditions.")],
        )
    view, analysis, live, why_none = shown.analysis_for(query)
    search = view.search()
    target = f"at or above {programme.target_percent}%"
    return html.Div(
        className="page page-pathways",
        children=[
            dcc.Location(id="pathways-url", refresh="callback-nav"),
            dcc.Store(id="pathways-state", data=view.query()),
            html.H1("Pathways to success"),
            html.P(
                [
                    "Which combinations of how an AHSN spread ",
                    html.Strong(programme.short_name),
                    " went with reaching the target: crisp-set Qualitative Comparative Analysis, as the national "
                    "review did it. The words come first, then every table behind them.",
                ],
                className="lead",
            ),
            _choices(view, analysis),
            *[html.P(n, className="note", role="status") for n in view.notes],
            _case_set_said(view, live, programme),
            html.P(why_none, className="note pathways-none", id="pathways-none") if why_none else None,
            *(_analysis(analysis, view, target, search) if analysis is not None else []),
            pathway_conditions.conditions_section(view, stored),
        ],
    )


def _choices(view: PathwaysView, analysis) -> html.Section:
    ctx = services()
    programme = ctx.programme
    review = review_cases(programme)
    quarters = list(reversed(queries.loaded_quarters(ctx.db, programme)["quarter"].tolist()))
    columns = (
        list(review.columns)
        if view.cases == REVIEW and review is not None
        else [c.name for c in spread_conditions(programme)] + [OUTCOME]
    )
    words = {c.name: c.wording.present for c in programme_conditions(programme)}

    def choice(label: str, href: str | None, chosen: bool, element_id: str):
        return html.Strong(label, **{"aria-current": "true"}) if chosen else html.A(label, href=href, id=element_id)

    case_choice = ["Cases: "]
    if review is not None:
        case_choice += [
            choice(
                "the review's published Table 8.3 (15 anonymised AHSNs)",
                "/pathways" + view.search(cases=REVIEW, quarter=None),
                view.cases == REVIEW,
                "pathways-cases-review",
            ),
            " · ",
        ]
    case_choice.append(
        choice(
            "the live AHSNs at a quarter",
            "/pathways" + view.search(cases=LIVE, quarter=view.quarter or (quarters[0] if quarters else None)),
            view.cases == LIVE,
            "pathways-cases-live",
        )
    )
    solution_choice: list = ["Solution: "]
    for i, kind in enumerate(SOLUTION_KINDS):
        if i:
            solution_choice.append(" · ")
        solution_choice.append(
            choice(
                {
                    "parsimonious": "parsimonious (the review's; unobserved combinations may be assumed)",
                    "conservative": "conservative (nothing assumed)",
                }[kind],
                "/pathways" + view.search(solution=kind),
                view.solution == kind,
                f"pathways-solution-{kind}",
            )
        )
    controls: list = [html.P(case_choice, id="pathways-cases")]
    # the quarter is chosen for the live AHSNs only; the picker is kept (hidden) for the callback
    controls.append(
        html.Div(
            hidden=view.cases != LIVE,
            children=[
                html.Label("Quarter (the outcome is each AHSN's headline at this quarter)", htmlFor="pathways-quarter"),
                dcc.Dropdown(
                    id="pathways-quarter",
                    options=[{"label": q, "value": q} for q in quarters],
                    value=view.quarter,
                    clearable=False,
                    className="quarter-picker",
                ),
            ],
        )
    )
    controls += [
        html.Fieldset(
            className="pathways-conditions",
            children=[
                html.Legend(f"Conditions (at most {MAX_CONDITIONS}; the review used four)"),
                dcc.Checklist(
                    id="pathways-conditions",
                    options=[
                        {"label": f"{c} ({words[c]})" if c in words else c, "value": c}
                        for c in columns
                        if c != view.outcome
                    ],
                    value=list(view.conditions),
                    className="pathways-checklist",
                    labelClassName="pathways-checkbox",
                ),
            ],
        ),
        html.Label("Outcome", htmlFor="pathways-outcome"),
        dcc.Dropdown(
            id="pathways-outcome",
            options=[{"label": f"{c} ({words[c]})" if c in words else c, "value": c} for c in columns],
            value=view.outcome,
            clearable=False,
            className="pathways-outcome",
        ),
        html.P(solution_choice, id="pathways-solution"),
        html.P(id="pathways-choice-note", className="note", role="status"),
    ]
    return html.Section(controls, className="controls pathways-choices no-print", id="pathways-choices")


def _case_set_said(view: PathwaysView, live, programme) -> html.Div:
    if view.cases == REVIEW:
        return html.P(
            "Cases: the national review's Table 8.3, anonymised as published (AHSNs 1 to 15, not in the order "
            "of its Table 8.1 and never tied to AHSN names). The outcome: at or above 50% at the end of 2019 "
            "(Q3 2019/20). The conditions were judged by the review's team from interviews.",
            id="pathways-case-set",
        )
    parts: list = [
        html.P(
            f"Cases: the live AHSNs at {view.quarter}, each with the conditions the national team recorded; the "
            f"outcome OUTCOME is 1 where the AHSN's headline was at or above the {programme.target_percent}% "
            "target at that quarter, as the figures stand now.",
            id="pathways-case-set",
        )
    ]
    if live is not None and live.illustrative:
        parts.append(
            html.P(
                [
                    html.Strong("⚠ Illustrative conditions: "),
                    "the conditions of these AHSNs are the demo's, made up to show the page. They say nothing "
                    "about how any AHSN spread the programme.",
                ],
                className="note pathways-illustrative",
                id="pathways-illustrative",
            )
        )
    if live is not None and live.left_out:
        parts.append(
            html.P(
                [html.Strong(f"Left out ({len(live.left_out)}): ")]
                + ["; ".join(f"{a} ({why})" for a, why in live.left_out) + "."],
                id="pathways-left-out",
            )
        )
    return html.Div(parts)


def _downloads(search: str) -> html.P:
    names = {
        "raw": "the cases",
        "necessity": "necessity",
        "truth-table": "the truth table",
        "solutions": "the solutions",
    }
    parts: list = [
        "Download the analysis: ",
        html.A(
            "JSON, every table (for analysts)",
            href=here(f"/pathways/analysis.json{search}"),
            id="pathways-download-json",
        ),
    ]
    for table in TABLES:
        parts += [
            " · ",
            html.A(
                f"{names[table]} (CSV)", href=here(f"/pathways/{table}.csv{search}"), id=f"pathways-download-{table}"
            ),
        ]
    return html.P(parts, className="downloads no-print", id="pathways-downloads")


def _analysis(analysis, view: PathwaysView, target: str, search: str) -> list:
    return [
        html.H2("What went with the outcome, in words"),
        shown.summary(analysis, target if analysis.outcome == OUTCOME and view.cases == LIVE else ""),
        html.Ul([html.Li(n) for n in analysis.notes], className="pathways-notes", id="pathways-notes"),
        _downloads(search),
        html.H2("Solutions (as the review's Table 8.5)"),
        html.P(
            "Each term is a combination of conditions: upper case present, lower case absent, * and, + or. "
            "Raw coverage: the share of the cases with that outcome the term covers; unique coverage: the share "
            "only it covers; consistency: the share of the cases it covers that have the outcome.",
            className="muted",
        ),
        shown.solution_tables(analysis.solutions["1"], analysis),
        shown.solution_tables(analysis.solutions["0"], analysis),
        html.H2("The truth table"),
        shown.truth_table(analysis),
        html.H2("Necessity"),
        shown.necessity_table(analysis),
        html.H2("The cases"),
        html.P("Scroll the table sideways to see every condition →", className="scroll-hint"),
        shown.raw_table(analysis),
        shown.method_and_limits(analysis),
    ]


@callback(
    Output("conditions-result", "children"),
    Input("conditions-upload", "contents"),
    State("conditions-upload", "filename"),
    prevent_initial_call=True,
)
def check_conditions(contents: str | None, filename: str | None):
    """Read the dropped file (storing nothing) and show its problems or what it would change."""
    user = current_user()  # checked again here: the callback is a request of its own
    ctx = services()
    if user is None:
        return checked.panel(
            "error",
            "You are signed out",
            [html.P(["Your session has ended. ", html.A("Sign in", href=signin_address("/pathways")), " again."])],
        )
    if not allowed(user, Action.SET_CONDITIONS, programme=ctx.programme):
        return checked.panel(
            "error",
            "You may not record conditions",
            [html.P(f"Conditions are recorded by {who_may(Action.SET_CONDITIONS, ctx.programme)}.")],
        )
    name = clean_file_name(filename or "conditions.csv")
    try:
        content = base64.b64decode((contents or "").partition(",")[2], validate=True)
    except (binascii.Error, ValueError):
        return checked.panel("error", "The file could not be read", [html.P("Choose the file again.")])
    parsed, found = ctx.store.check_conditions(name, content, ctx.programme)
    if parsed.problems:
        return checked.problems_panel(parsed.file_name, parsed.problems, parsed.readings)
    token = ctx.pending.save(user.name, name, content, "conditions")
    return pathway_conditions.preview(parsed, found, token)


@callback(
    Output("pathways-url", "search"),
    Output("pathways-choice-note", "children"),
    Input("pathways-conditions", "value"),
    Input("pathways-outcome", "value"),
    Input("pathways-quarter", "value"),
    State("pathways-state", "data"),
    prevent_initial_call=True,
)
def choose(conditions: list[str] | None, outcome: str | None, quarter: str | None, state: dict | None):
    """A new choice is a new address (the page is built from it); the other choices are kept."""
    if not conditions:
        return no_update, "Choose at least one condition."
    if len(conditions) > MAX_CONDITIONS:
        return no_update, f"Choose at most {MAX_CONDITIONS} conditions."
    query = dict(state or {})
    query["conditions"] = ",".join(c for c in conditions if c != outcome)
    if outcome and outcome != OUTCOME:
        query["outcome"] = outcome
    else:
        query.pop("outcome", None)
    if quarter and query.get("cases") == LIVE:
        query["quarter"] = quarter
    return "?" + urlencode(query), None
