"""Definitions: the levels, the rate and the total, the target, the colours, the data (/definitions)."""

from __future__ import annotations

import dash
from dash import html

from dashboard.addresses import here
from dashboard.context import services
from dashboard.presentation import download_links
from dashboard.presentation.headline_cells import definition_items, group_heading, headline_definition
from dashboard.presentation.legend import swatch_text
from dashboard.presentation.national_table import STYLES
from etl import words
from etl.report import is_share

dash.register_page(
    __name__, path="/definitions", name="Definitions", nav_order=3, nav_label="Definitions", title="Definitions"
)


def layout(**_other) -> html.Div:
    p = services().programme
    adopted = p.level(p.adopted_from_level)
    small = 100 // p.big_change_points
    counted, one = words.counted(p), words.counted(p, 1)
    return html.Div(
        className="page page-definitions",
        children=[
            html.H1("Definitions"),
            html.P(p.description, className="lead"),
            html.H2(f"The {words.number(len(p.levels))} adoption levels"),
            html.Div(
                className="table-wrap",
                role="region",
                tabIndex=0,
                **{"aria-labelledby": "definitions-levels-caption"},
                children=html.Table(
                    className="data-table",
                    id="definitions-levels",
                    children=[
                        html.Caption(
                            f"Each AHSN reports every {p.organisation}'s level each quarter.",
                            className="muted",
                            id="definitions-levels-caption",
                        ),
                        html.Thead(
                            html.Tr(
                                [
                                    html.Th("Level", scope="col"),
                                    html.Th("Name", scope="col"),
                                    html.Th("What it means", scope="col"),
                                    html.Th("Counted as adopted", scope="col"),
                                ]
                            )
                        ),
                        html.Tbody(
                            [
                                html.Tr(
                                    [
                                        html.Td(str(lv.number)),
                                        html.Th(lv.name, scope="row"),
                                        html.Td(lv.description),
                                        html.Td("Yes" if p.is_adopted(lv.number) else "No"),
                                    ]
                                )
                                for lv in p.levels
                            ]
                        ),
                    ],
                ),
            ),
            download_links.links("the levels", "levels", "", "levels-download"),
            *(
                [
                    html.H2("Adoption rate"),
                    html.Dl(
                        className="definitions",
                        children=[
                            html.Dt("An AHSN's rate"),
                            html.Dd(
                                f"The {counted} at level {adopted.number} ({adopted.name}) or above, as a percentage of all "
                                f"{counted} in the AHSN's return for the quarter, rounded to a whole percent (halves up). "
                                f"{words.capital(words.organisations(p))} of other types may be listed but are not counted."
                            ),
                            html.Dt("England (Total)"),
                            html.Dd(
                                f"All adopted {counted} in every AHSN's return, as a percentage of all {counted} in "
                                f"those returns: an average weighted by {p.organisations}, not the average of the 15 rates."
                            ),
                            html.Dt("Change"),
                            html.Dd("The later rate minus the earlier one, in percentage points."),
                            html.Dt("No return"),
                            html.Dd(
                                "An AHSN that sent no return for a quarter shows 'no return', never 0%; it is left out of "
                                "that quarter's total and of the count of AHSNs at target."
                            ),
                            html.Dt(f"Few {p.organisations} (†)"),
                            html.Dd(
                                f"With fewer than {small} {counted}, one {words.organisations(p, 1)} adopting or stopping moves "
                                "the rate by "
                                f"more than {p.big_change_points} points, so a dark change colour may be one {p.organisation}."
                            ),
                        ],
                    ),
                    html.H2("The target"),
                    html.P(
                        f"{p.target_percent}% of each AHSN's {counted} adopting {p.short_name} (at level "
                        f"{adopted.number} or above). '{words.capital(words.organisations(p))} to go' on an AHSN's page is "
                        f"how many more {counted} "
                        "must adopt for its rate to reach the target."
                        if p.target_percent is not None
                        else f"{p.short_name} has no flat national target: its headline is {p.headline.words}, and each "
                        "AHSN's own trajectory is its target."
                    ),
                ]
                if is_share(p)
                else _headline(p)  # a rate or count: its own definition, from headline.kind
            ),
            html.P(
                [
                    "Which spread conditions went with reaching it: ",
                    html.A("Pathways to success", href=here("/pathways"), id="definitions-pathways-link"),
                    " (crisp-set Qualitative Comparative Analysis, as section 8.4 of the national review).",
                ]
            ),
            html.H2("Trajectories and milestones", id="trajectories"),
            html.P(
                [
                    "An AHSN's trajectory is its own stepped target, agreed locally: a target rate by each of a few "
                    "quarters. A quarter's target is the latest step at or before it. A published quarter is judged "
                    "against the trajectory in force when it was published, so a later version never changes how it "
                    "was judged. On the national overview, ",
                    html.A("marking the rates against each trajectory", href=here("/?against=trajectory")),
                    " shows ✓ for on or above it and ○ for behind. Every version is on the ",
                    html.A("Trajectories", href=here("/trajectories")),
                    " page.",
                ]
            ),
            html.P(
                "A milestone is a moment in one AHSN's own progress, counted in the first quarter it happened when an "
                f"earlier return shows it had not: its first {one} {words.adopted(p)}, a step of its trajectory met, "
                f"the national target reached, every {one} {words.adopted(p)}"
                + (
                    f", {counts} in a quarter past {' or '.join(f'{n:,}' for n in p.referral_milestones)} for the "
                    "first time. "
                    if (counts := words.milestone_counts(p))
                    else ". "
                )
                + "Milestones are listed A to Z, never ranked."
            ),
            html.H2("Colours in the national table"),
            html.P(
                "As in the published legend of Table 8.1, with a symbol or sign on every change so the colour "
                "is never the only cue. The colours are safe for the common kinds of colour blindness and "
                "their text meets WCAG AA contrast."
            ),
            html.Ul(
                className="definitions-legend",
                id="definitions-legend",
                children=[
                    html.Li(
                        [
                            html.Span(swatch_text(key, p), className=f"swatch c {key}"),
                            " " + s["label"].format(points=p.big_change_points),
                        ]
                    )
                    for key, s in STYLES.items()
                    # a programme's own: against its flat target, or the share with none
                    if key not in (("no-target",) if p.target_percent is not None else ("below", "at-target"))
                ],
            ),
            html.H2("AHSN names"),
            html.P(
                [
                    "The 15 AHSNs became Health Innovation Networks in 2023, most with new names. Tables, charts "
                    "and downloads use each AHSN's short name (as the national review's Table 8.1 does: KSS, "
                    "Wessex); an AHSN's own page is headed with its current name and the short name, then its "
                    "2018-2020 name. ",
                    html.A("The AHSNs page", href=here("/ahsn")),
                    " lists every name.",
                ],
                id="definitions-names",
            ),
            html.H2("Downloads and the data interface"),
            html.P(
                "Every table has CSV, Excel and JSON downloads at an address that takes the same query as its "
                "page (for example /download/national.csv?quarters=Q3 2018/19,Q3 2019/20). They hold numbers: "
                "rates as whole percents, changes as signed percentage points, blank where there is no return. "
                "The Excel files keep the page's colours and symbols as cell formatting."
            ),
            html.H2("Where the data come from"),
            html.P(
                f"Each AHSN returns a file every quarter listing every {p.organisation} in its area with its "
                f"adoption level and {_measures(p)}. Every file loaded is kept as sent, and the history page "
                "lists them all. A newer file for the same AHSN and quarter replaces the older one at once while "
                "the quarter is being collected (its figures are provisional until the national team signs the "
                "quarter off); for a published quarter it is a revision, which changes the published figures only "
                "when the national team approves it, and then with a revision mark (✎). "
                + (f"While the demo data are loaded: {p.demo_note}" if p.is_demo_data else "")
            ),
        ],
    )


def _headline(p) -> list:
    """How a rate or count headline is made, its England total, its changes and its target."""
    return [
        html.H2(group_heading(p)),
        html.Dl(
            className="definitions",
            children=[part for term, said in definition_items(p) for part in (html.Dt(term), html.Dd(said))],
        ),
        html.H2("The target"),
        html.P(headline_definition(p)),
    ]


def _measures(p) -> str:
    """'the referrals made and completed' said as the definition's measures: 'the referrals made and
    referrals completed'."""
    said = [m.words for m in p.measures]
    return (
        "the " + " and ".join([", ".join(said[:-1]), said[-1]] if len(said) > 1 else said) if said else "nothing more"
    )
