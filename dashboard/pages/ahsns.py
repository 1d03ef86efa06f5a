"""/ahsn: every AHSN, linking to its page."""

import dash
from dash import html

from etl import ahsns

dash.register_page(__name__, path="/ahsn", name="AHSNs", nav_order=1, nav_label="AHSNs", title="AHSNs")


def layout(**_other) -> html.Div:
    items = sorted(ahsns.all_ahsns(), key=lambda a: a.name_from_2023)
    return html.Div(className="page", children=[
        html.H1("AHSNs"),
        html.P("Each AHSN's page shows where it stands against the target, its trusts and what changed "
               "in its latest return. Health Innovation Network names since 2023; the 2018-2020 names "
               "follow."),
        html.Ul(className="ahsn-index", id="ahsn-index", children=[
            html.Li([html.A(a.name_from_2023, href=f"/ahsn/{a.slug}"),
                     html.Span(f" ({a.short_name})", className="muted")]) for a in items]),
    ])
