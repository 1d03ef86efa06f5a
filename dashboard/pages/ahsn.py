"""One AHSN's page, for its programme lead: /ahsn/<slug> (shareable; ?sort= orders the trusts).

Where the AHSN stands against the target, in words first, then the charts and its trusts.
The page is built on the server from the URL; the sentences are pure functions below.
"""

from __future__ import annotations

from urllib.parse import quote

import dash
import pandas as pd
from dash import dcc, html

from dashboard import figures
from dashboard.ahsn_story import standing, what_changed
from dashboard.context import services
from etl import ahsns, queries
from etl.programmes import Programme
from etl.quarters import Quarter

dash.register_page(__name__, path_template="/ahsn/<slug>", name="AHSN", title="AHSN")

SORTS = {  # ?sort= value -> (column label, frame column, descending first)
    "name": ("Trust", "trust_name", False),
    "level": ("Level", "adoption_level", True),
    "change": ("Change since last quarter", "level_change", True),
    "made": ("Referrals made", "referrals_made", True),
    "completed": ("Referrals completed", "referrals_completed", True),
    "completion": ("Completion rate", "completion_percent", True),
}


def sorted_trusts(trusts: pd.DataFrame, sort: str | None) -> tuple[pd.DataFrame, str]:
    key = sort if sort in SORTS else "name"
    frame = trusts.assign(level_change=trusts["adoption_level"] - trusts["previous_level"])
    _, column, descending = SORTS[key]
    frame = frame.sort_values([column, "trust_name"], ascending=[not descending, True], na_position="last",
                              kind="stable")
    return frame, key


def layout(slug: str | None = None, sort: str | None = None, **_other) -> html.Div:
    ctx = services()
    programme = ctx.programme
    ahsn = ahsns.by_slug(slug or "")
    if ahsn is None:
        return html.Div([html.H1("AHSN not found"),
                         html.P(["There is no AHSN at this address. ", html.A("See all AHSNs", href="/ahsn")])])
    rates = queries.ahsn_rates(ctx.db, programme, ahsn=ahsn.short_name)
    heading = [html.H1(ahsn.name_from_2023, id="ahsn-name"),
               html.P(f"{ahsn.name_2018_2020} · {programme.name} ({programme.short_name})", className="muted")]
    if not len(rates):
        return html.Div(heading + [html.P(f"{ahsn.short_name} has made no return yet.")])
    loaded = queries.loaded_quarters(ctx.db, programme)
    axis = [Quarter.from_index(int(i)).label for i in range(
        int(loaded["quarter_index"].min()), int(loaded["quarter_index"].max()) + 1)]
    now = standing(rates, programme)
    q, target = now.quarter, programme.target_percent
    national_latest = queries.store_status(ctx.db, programme).latest_quarter
    trusts = queries.trusts(ctx.db, programme, ahsn.short_name, q.index)
    missing = queries.trust_codes_missing(ctx.db, programme, ahsn.short_name, q.index)
    subs = queries.submissions(ctx.db, programme, ahsn.short_name)
    current = subs[subs["is_current"] & (subs["quarter_index"] == q.index)]
    warnings = [str(w) for ws in current["warnings"] for w in list(ws)]
    had_previous = bool((rates["quarter_index"] == q.index - 1).any())
    nearest = trusts[trusts["adoption_level"] == programme.adopted_from_level - 1]

    status_word = "at or above" if now.at_target else "below"
    facts = html.Div(className="facts", id="ahsn-facts", children=[
        html.Div(className=f"fact {'at-target' if now.at_target else 'below'}", children=[
            html.Span(f"{now.rate}%", className="fact-number", id="ahsn-latest-rate"),
            html.Span([f"adoption in {q.label}: {now.adopted} of {now.counted} acute trusts, ",
                       html.Strong(f"{status_word} the {target}% target")], className="fact-label"),
        ]),
        html.Div(className="fact", children=[
            html.Span(str(now.to_go) if not now.at_target else "0", className="fact-number",
                      id="ahsn-to-go"),
            html.Span(("more acute trust" + ("s" if now.to_go != 1 else "") + f" must adopt to reach {target}%")
                      if not now.at_target else "trusts to go: the target is met", className="fact-label"),
        ]),
        html.Div(className="fact", children=[
            html.Span("Change", className="fact-label"),
            html.Ul([html.Li(_sentence_case(now.since_last)), html.Li(_sentence_case(now.since_year))],
                    id="ahsn-changes"),
        ]),
    ])
    summary = (f"In {q.label}, {now.adopted} of {now.counted} acute trusts in {ahsn.short_name} had "
               f"adopted {programme.short_name} ({now.rate}%), {status_word} the {target}% target; "
               f"{now.since_last}, and {now.since_year}.")
    next_step = []
    if not now.at_target:
        text = f"{now.to_go} more acute trust{'s' if now.to_go != 1 else ''} reaching level " \
               f"{programme.adopted_from_level} ({programme.level(programme.adopted_from_level).name}) would meet the target."
        if len(nearest):
            text += f" Nearest to adopting (level {programme.adopted_from_level - 1} " \
                    f"{programme.level(programme.adopted_from_level - 1).name}): " + \
                    ", ".join(nearest["trust_name"]) + "."
        next_step = [html.P(text, id="ahsn-next")]
    stale = []
    if national_latest and national_latest != q.label:
        stale = [html.P(f"No return from {ahsn.short_name} for {national_latest}, the latest quarter loaded; "
                        f"the figures below are from {q.label}.", className="note", role="status")]

    levels = queries.level_counts(ctx.db, programme, ahsn.short_name)
    level_names = {lv.number: lv.name for lv in programme.levels}
    return html.Div(className="page page-ahsn", children=heading + stale + [
        html.P(summary, className="lead", id="ahsn-summary"),
        facts, *next_step,
        html.H2("Adoption rate against the target"),
        dcc.Graph(id="ahsn-rate-chart", figure=figures.rate_over_time(rates, axis, target),
                  config=figures.CONFIG),
        html.H2(f"What changed since {(q - 1).label}"),
        html.Ul([html.Li(s) for s in what_changed(trusts, missing, warnings, programme, q, had_previous)],
                className="changes", id="ahsn-what-changed"),
        html.H2("Acute trusts at each adoption level"),
        html.P("Progress below the adoption line shows as trusts moving from Engaged to Implementing; "
               "hatched bars are not yet adopted.", className="muted"),
        dcc.Graph(id="ahsn-levels-chart", config=figures.CONFIG,
                  figure=figures.level_counts(levels, level_names, programme.adopted_from_level)),
        html.H2(f"Trusts in the {q.label} return"),
        trust_table(trusts, programme, ahsn.slug, sort),
        html.H2("Referrals to community pharmacy"),
        html.P("Referrals made and completed each quarter (all trusts in the returns), and the share completed.",
               className="muted"),
        dcc.Graph(id="ahsn-referrals-chart", config=figures.CONFIG, figure=figures.referrals(rates)),
    ])


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def trust_table(trusts: pd.DataFrame, programme: Programme, slug: str, sort: str | None) -> html.Table:
    frame, key = sorted_trusts(trusts, sort)

    def head(name: str, numeric: bool = False) -> html.Th:
        label = SORTS[name][0]
        link = html.A(label, href=f"/ahsn/{slug}?sort={quote(name)}", title=f"Sort by {label.lower()}")
        return html.Th(link, scope="col", className="num" if numeric else None,
                       **{"aria-sort": ("descending" if SORTS[name][2] else "ascending") if name == key else "none"})

    rows = []
    for _, t in frame.iterrows():
        level, change = int(t["adoption_level"]), t["level_change"]
        change_text = ("new" if pd.isna(change) else "● 0" if change == 0 else
                       f"▲ +{int(change)}" if change > 0 else f"▼ −{-int(change)}")
        made, done = t["referrals_made"], t["referrals_completed"]
        rows.append(html.Tr([
            html.Th(f"{t['trust_name']} ({t['trust_code']})", scope="row"),
            html.Td(f"{level} {t['level_name']}" + (" ✓" if programme.is_adopted(level) else "")),
            html.Td(change_text, className="num"),
            html.Td("not given" if pd.isna(made) else f"{int(made):,}", className="num"),
            html.Td("not given" if pd.isna(done) else f"{int(done):,}", className="num"),
            html.Td("–" if pd.isna(t["completion_percent"]) else f"{int(t['completion_percent'])}%", className="num"),
        ]))
    return html.Table(className="data-table", id="ahsn-trusts", children=[
        html.Caption(f"Sorted by {SORTS[key][0].lower()}; choose a column heading to sort by it. "
                     f"✓ = adopted (level {programme.adopted_from_level} or above).", className="muted"),
        html.Thead(html.Tr([head("name"), head("level"), head("change", True), head("made", True),
                            head("completed", True), head("completion", True)])),
        html.Tbody(rows),
    ])
