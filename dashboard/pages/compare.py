"""Region comparison: every AHSN's adoption trend side by side (/compare).

Alphabetical by default: the review found league tables used to blame discourage, while
variation shown to learn from helps. ?sort=latest orders by the latest rate instead.
"""

from __future__ import annotations

import dash
import pandas as pd
from dash import dcc, html

from dashboard import figures
from dashboard.context import services
from etl import queries
from etl.quarters import Quarter

dash.register_page(__name__, path="/compare", name="Compare regions", nav_order=2,
                   nav_label="Compare regions", title="Compare regions")

SORTS = {"name": "A to Z", "latest": "latest rate, highest first", "trusts": "number of acute trusts"}


def ahsn_order(rates: pd.DataFrame, names: list[str], sort: str) -> list[str]:
    """AHSN short names in the order asked for (alphabetical unless told)."""
    alphabetical = sorted(names, key=str.lower)
    if sort not in ("latest", "trusts"):
        return alphabetical
    latest = rates.sort_values("quarter_index").groupby("ahsn").tail(1).set_index("ahsn")
    column = "rate_percent" if sort == "latest" else "counted_trusts"
    value = {a: (latest[column].get(a) if a in latest.index else -1) for a in alphabetical}
    return sorted(alphabetical, key=lambda a: -int(value[a]))


def at_target_counts(rates: pd.DataFrame, quarters: list[str], target: int) -> pd.DataFrame:
    by_quarter = rates.assign(at=rates["rate_percent"] >= target).groupby("quarter")
    frame = pd.DataFrame({"at_target": by_quarter["at"].sum(), "returned": by_quarter["at"].size()})
    frame = frame.reindex(quarters).fillna(0).astype(int).reset_index(names="quarter")
    return frame


def layout(sort: str | None = None, **_other) -> html.Div:
    ctx = services()
    programme = ctx.programme
    sort = sort if sort in SORTS else "name"
    loaded = queries.loaded_quarters(ctx.db, programme)
    if not len(loaded):
        return html.Div([html.H1("Compare regions"), html.P("No returns have been loaded yet.")])
    quarters = [Quarter.from_index(i).label for i in range(int(loaded["quarter_index"].min()),
                                                           int(loaded["quarter_index"].max()) + 1)]
    rates = queries.ahsn_rates(ctx.db, programme)
    names = list(queries.ahsn_list(ctx.db)["short_name"])
    order = ahsn_order(rates, names, sort)
    latest_q = quarters[-1]
    latest = rates[rates["quarter"] == latest_q].set_index("ahsn").reindex(order).reset_index()
    target = programme.target_percent
    sort_links = html.P(className="sort-links no-print", id="compare-sort", children=["Order AHSNs by: "] + [
        html.Strong(label, **{"aria-current": "true"}) if key == sort else html.A(label, href=f"/compare?sort={key}")
        for key, label in SORTS.items()])
    return html.Div(className="page page-compare", children=[
        html.H1("Compare regions"),
        html.P("Every AHSN's adoption rate over time, on the same scale, to see the variation between "
               "regions and learn from it. Ordered A to Z unless you choose otherwise.", className="lead"),
        sort_links,
        html.H2(f"Adoption rate by AHSN, {quarters[0]} to {quarters[-1]}"),
        dcc.Graph(id="compare-multiples", config=figures.CONFIG,
                  figure=figures.small_multiples(rates, order, quarters, target)),
        html.H2(f"AHSNs at or above the {target}% target each quarter"),
        dcc.Graph(id="compare-at-target", config=figures.CONFIG,
                  figure=figures.at_target(at_target_counts(rates, quarters, target), target)),
        html.H2(f"Referrals by AHSN in {latest_q}"),
        html.P("AHSNs with no return for the quarter show no bars.", className="muted"),
        dcc.Graph(id="compare-referrals", config=figures.CONFIG,
                  figure=figures.referrals_by_ahsn(latest[["ahsn", "referrals_made", "referrals_completed"]])),
    ])
