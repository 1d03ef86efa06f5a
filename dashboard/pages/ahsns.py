"""/ahsn: every AHSN, linking to its page, by its current name with its short name."""

import dash
from dash import html

from dashboard.addresses import here
from dashboard.context import services
from etl import ahsns

dash.register_page(__name__, path="/ahsn", name="AHSNs", nav_order=1, nav_label="AHSNs", title="AHSNs")


def layout(**_other) -> html.Div:
    items = sorted(ahsns.all_ahsns(), key=lambda a: a.name_from_2023)
    return html.Div(
        className="page",
        children=[
            html.H1("AHSNs"),
            html.P(
                f"Each AHSN's page shows where it stands against the target, its {services().programme.organisations} "
                "and what changed "
                "in its latest return. AHSNs are listed by their Health Innovation Network name (since 2023) "
                "with the short name the tables use, then their 2018-2020 name."
            ),
            html.Ul(
                className="ahsn-index",
                id="ahsn-index",
                children=[
                    html.Li(
                        [
                            html.A(a.name_from_2023, href=here(f"/ahsn/{a.slug}")),
                            html.Span(
                                f" ({a.short_name})" if a.short_name != a.name_from_2023 else "", className="muted"
                            ),
                            html.Br(),
                            html.Span(a.name_2018_2020, className="muted ahsn-earlier")
                            if a.name_2018_2020 != a.name_from_2023
                            else None,
                        ]
                    )
                    for a in items
                ],
            ),
        ],
    )
