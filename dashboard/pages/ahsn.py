"""One AHSN's page, for its programme lead: /ahsn/<slug> (shareable; ?sort= orders the trusts).

Where the AHSN stands against the target, in words first, then the charts and its trusts.
The address is read by dashboard.views.AhsnView, as /download/ahsn/<slug>.* reads it; the
sentences are pure functions in dashboard/presentation/ahsn_story.py. Only trusts of the counted types
(Programme.counted_trust_types) count toward the rate, get the adopted tick, or are named as
nearest to adopting.
"""

from __future__ import annotations

import dash
from dash import html

from dashboard.addresses import here, programme_code
from dashboard.context import services
from dashboard.presentation import download_links, figures, overview, published
from dashboard.presentation.ahsn_headline import headline_part
from dashboard.presentation.ahsn_story import trajectory_story, what_changed
from dashboard.presentation.headline_cells import has_referrals
from dashboard.presentation.trust_table import trust_table
from dashboard.presentation.views import AhsnView
from dashboard.security.auth import current_user, may, may_for_every_ahsn
from etl import ahsns, report, words
from etl.milestones import MARK
from etl.permissions import Action
from etl.programmes import Programme
from etl.report import revision_words


def title(slug: str | None = None, **_other) -> str:
    ahsn = ahsns.by_slug(slug or "")
    return f"{ahsn.short_name}: {ahsn.name_from_2023}" if ahsn else "AHSN not found"


dash.register_page(__name__, path_template="/ahsn/<slug>", name="AHSN", title=title)


def heading(ahsn) -> list:
    """The naming rule: the AHSN's current name with its short name, then its 2018-2020 name."""
    short = f" ({ahsn.short_name})" if ahsn.short_name != ahsn.name_from_2023 else ""
    earlier = f"{ahsn.name_2018_2020} until 2023 · " if ahsn.name_2018_2020 != ahsn.name_from_2023 else ""
    return [html.H1([ahsn.name_from_2023, short], id="ahsn-name"), earlier]


def layout(slug: str | None = None, **query) -> html.Div:
    if programme_code() is None:  # `/ahsn/<name>`: the AHSN's every programme
        return overview.portfolio_page(slug)
    ctx = services()
    programme = ctx.programme
    found = ahsns.by_slug(slug or "")
    may_see = may(Action.SEE_PROVISIONAL, found.short_name if found else None) if found else False
    view = AhsnView.read(ctx.db, programme, slug, query, may_see, may_for_every_ahsn(Action.SEE_PROVISIONAL))
    ahsn = view.ahsn
    if ahsn is None:
        return html.Div(
            className="page",
            children=[
                html.H1("AHSN not found"),
                html.P(["There is no AHSN at this address. ", html.A("See all AHSNs", href=here("/ahsn"))]),
            ],
        )
    h1, earlier = heading(ahsn)
    top = [
        h1,
        html.P(
            [
                f"{earlier}{programme.name} ({programme.short_name}) · ",
                html.A(
                    f"Every programme {ahsn.short_name} spreads", href=f"/ahsn/{ahsn.slug}", id="ahsn-portfolio-link"
                ),
            ],
            className="muted",
        ),
        published.choice(
            f"/ahsn/{ahsn.slug}",
            view.search,
            view.asked_provisional,
            view.unpublished,
            view.provisional,
            bool(report.shown_quarters(ctx.db, programme)),
            None if may_see else published.refusal(current_user(), ahsn.short_name),
            current_user() is None,
            view.refused_provisional,
        ),
        *_quarter_choice(view),
    ]
    now = view.now
    if now is None:
        return html.Div(
            className="page page-ahsn",
            children=top
            + [
                html.P(
                    f"{ahsn.short_name} has made no return yet."
                    if may_see or not view.unpublished
                    else f"{ahsn.short_name} has no published figures yet."
                )
            ],
        )
    q, target = now.quarter, programme.target_percent
    status_word = "at or above" if now.at_target else "below"
    adopted_level = programme.level(programme.adopted_from_level)
    facts = html.Div(
        className="facts",
        id="ahsn-facts",
        children=[
            html.Div(
                className=f"fact {'at-target' if now.at_target else 'below'}",
                children=[
                    html.Span(f"{now.rate}%", className="fact-number", id="ahsn-latest-rate"),
                    html.Span(
                        [
                            f"adoption in {q.label}: {words.of_counted(now.adopted, now.counted, programme)}, ",
                            html.Strong(
                                f"{status_word} the {target}% target" if target is not None else "no national target"
                            ),
                        ],
                        className="fact-label",
                    ),
                ],
            ),
            html.Div(
                className="fact",
                children=[
                    html.Span(str(now.to_go), className="fact-number", id="ahsn-to-go"),
                    html.Span(
                        f"more {words.counted(programme, now.to_go)} must adopt to reach {target}%"
                        if not now.at_target and target is not None
                        else "no national target to reach"
                        if target is None
                        else f"{words.organisations(programme)} to go: the target is met",
                        className="fact-label",
                    ),
                ],
            ),
            html.Div(
                className="fact",
                children=[
                    html.Span("Change", className="fact-label"),
                    html.Ul(
                        [html.Li(_sentence_case(now.since_last)), html.Li(_sentence_case(now.since_year))],
                        id="ahsn-changes",
                    ),
                ],
            ),
        ],
    )
    summary = (
        f"In {q.label}, {words.of_counted(now.adopted, now.counted, programme)} in {ahsn.short_name} had "
        f"adopted {programme.short_name} ({now.rate}%), "
        + (f"{status_word} the {target}% target; " if target is not None else "with no national target; ")
        + f"{now.since_last}, and {now.since_year}."
    )
    next_step = []
    if not now.at_target and target is not None:
        text = (
            f"{words.more_counted(now.to_go, programme)} reaching level "
            f"{adopted_level.number} ({adopted_level.name}) would meet the target."
        )
        nearest = view.nearest
        if len(nearest):
            below = programme.level(programme.adopted_from_level - 1)
            text += (
                f" Nearest to adopting ({words.counted(programme)} at level {below.number} {below.name}): "
                + ", ".join(nearest.sort_values("trust_name")["trust_name"])
                + "."
            )
        next_step = [html.P(text, id="ahsn-next")]
    stale = []
    latest = view.axis[-1] if view.axis else None
    if latest is not None and latest != q:
        stale = [
            html.P(
                f"No return from {ahsn.short_name} for {latest.label}, the latest quarter shown; "
                f"the figures below are from {q.label}.",
                className="note",
                role="status",
            )
        ]
    if q in view.provisional:
        stale.append(
            html.P(
                f"{q.label} is not published yet ({view.provisional[q]}): these figures are "
                "provisional and may change.",
                className="note",
                role="status",
                id="ahsn-provisional",
            )
        )
    revised = _revision_notes(view.revisions)
    trajectory = _trajectory(view, programme)
    # a rate or count headline: its own lead, figures and chart (the share's trusts-to-go do not apply)
    own = None if report.is_share(programme) else headline_part(ctx.db, programme, view, ahsn)

    axis = [a.label for a in view.axis]
    level_names = {lv.number: lv.name for lv in programme.levels}
    return html.Div(
        className="page page-ahsn",
        children=top
        + stale
        + [
            html.P(summary, className="lead", id="ahsn-summary") if own is None else own.lead,
            facts if own is None else own.facts,
            *(next_step if own is None else []),
            trajectory if own is None else None,
            revised,
            own.chart
            if own is not None
            else html.Section(
                className="keep-together",
                children=[
                    html.H2("Adoption rate against the target"),
                    html.P(
                        f"{ahsn.short_name}'s rate each quarter, England's rate (all {words.counted(programme)} in every "
                        "return) "
                        "and the target"
                        + (
                            f", and {ahsn.short_name}'s own trajectory (purple steps: the target each "
                            "quarter is judged against)."
                            if view.version is not None
                            else "."
                        ),
                        className="muted",
                    ),
                    figures.graph(
                        "ahsn-rate-chart",
                        figures.rate_over_time(
                            view.rates,
                            axis,
                            target,
                            view.england,
                            ahsn.short_name,
                            view.trajectory_on_axis(),
                            programme=programme,
                        ),
                        file_name=f"{programme.code}-{ahsn.slug}-adoption-{q.key}",
                    ),
                ],
            ),
            html.Section(
                className="keep-together",
                children=[
                    html.H2(f"What changed since {(q - 1).label}"),
                    html.Ul(
                        [html.Li(s) for s in what_changed(view.trusts, view.missing, programme, q, view.had_previous)],
                        className="changes",
                        id="ahsn-what-changed",
                    ),
                    _milestones(view.milestones, q),
                ],
            ),
            html.Section(
                className="keep-together",
                children=[
                    html.H2(words.capital(f"{words.counted(programme)} at each adoption level")),
                    html.P(
                        _below_the_line(programme),
                        className="muted",
                    ),
                    figures.graph(
                        "ahsn-levels-chart",
                        figures.level_counts(
                            view.levels, level_names, programme.adopted_from_level, programme=programme
                        ),
                        file_name=f"{programme.code}-{ahsn.slug}-levels-{q.key}",
                    ),
                ],
            ),
            html.Section(
                className="keep-heading",
                children=[
                    html.H2(f"{words.capital(programme.organisations)} in the {q.label} return"),
                    html.P("Scroll the table sideways to see every column →", className="scroll-hint"),
                    trust_table(view.trusts, programme, ahsn, view.sort, view.search),
                    download_links.links("this table", f"ahsn/{ahsn.slug}", view.search, "ahsn-download"),
                ],
            ),
            None
            if not has_referrals(programme)  # its own measures are in the table above
            else html.Section(
                className="keep-together",
                children=[
                    html.H2("Referrals to community pharmacy"),
                    html.P(
                        "Referrals made and completed each quarter (all trusts in the returns), and the share "
                        "completed.",
                        className="muted",
                    ),
                    figures.graph(
                        "ahsn-referrals-chart",
                        figures.referrals(view.rates),
                        file_name=f"{programme.code}-{ahsn.slug}-referrals-{q.key}",
                    ),
                ],
            ),
        ],
    )


def _quarter_choice(view: AhsnView) -> list:
    """Links to the page as it stood at each quarter the AHSN returned (plain links: they work
    before Dash has loaded and can be shared), and what the page shows when one is chosen."""
    choices, path = view.quarter_choices, f"/ahsn/{view.ahsn.slug}"
    if not choices:
        return []
    latest, asked = choices[-1], view.quarter_asked
    shown = asked or latest

    def link(q):
        return html.Li(
            html.A(
                q.label,
                href=published.address(path, view.search, quarter=None if q == latest else q.label),
                **({"aria-current": "page"} if q == shown else {}),
            )
        )

    out = []
    if len(choices) > 1:
        out.append(
            html.Nav(
                className="quarter-choice no-print",
                id="ahsn-quarters",
                **{"aria-label": "Quarter shown"},
                children=[html.Span("Show the page as at: "), html.Ul([link(q) for q in reversed(choices)])],
            )
        )
    if asked is not None:
        out.append(
            html.P(
                [
                    html.Strong(f"As at {asked.label}. "),
                    "Later quarters are left out of every figure, chart and table on this page. ",
                    html.A(f"See the latest ({latest.label})", href=published.address(path, view.search, quarter=None)),
                ],
                className="note",
                id="ahsn-as-at",
            )
        )
    if view.quarter_refused is not None:
        out.append(
            html.P(
                f"'{view.quarter_refused}' is not a quarter {view.ahsn.short_name} returned among those shown; "
                f"the page shows the latest, {latest.label}.",
                className="note",
                role="status",
                id="ahsn-quarter-refused",
            )
        )
    return out


def _trajectory(view: AhsnView, programme: Programme) -> html.Div | None:
    """Where the AHSN stands against its own trajectory, and what the next step takes."""
    ahsn, version = view.ahsn, view.version
    if version is None:
        return None
    nearest = list(view.nearest.sort_values("trust_name")["trust_name"]) if len(view.nearest) else []
    sentences = trajectory_story(
        ahsn.short_name, view.now, view.target_of(view.now.quarter), view.steps, nearest, programme
    )
    set_on = f"{version['happened_at']:%-d %b %Y}"
    return html.Div(
        className="trajectory-note",
        id="ahsn-trajectory",
        children=[
            html.P([html.Strong("Against its own trajectory. "), sentences[0]], id="ahsn-trajectory-now"),
            *[html.P(s, id="ahsn-trajectory-next" if i == 0 else None) for i, s in enumerate(sentences[1:])],
            html.P(
                className="muted",
                children=[
                    f"Trajectory version {version['version']}, set by {version['by_user']} on {set_on}: "
                    f"“{version['reason']}”. ",
                    html.A("Every version", href=here(f"/trajectories#trajectory-{ahsn.slug}")),
                ],
            ),
        ],
    )


def _milestones(found: list, quarter) -> html.Div | None:
    """The AHSN's milestones in the quarters shown, this quarter's first, in plain words."""
    if not found:
        return None
    now = [m for m in found if m.quarter == quarter]
    earlier = [m for m in found if m.quarter != quarter]

    def item(m, with_quarter: bool):
        return html.Li(
            [
                html.Span(f"{MARK} ", **{"aria-hidden": "true"}),
                f"{m.quarter.label}: " if with_quarter else "",
                m.sentence,
            ]
        )

    # Printed, only this quarter's: a board paper has no use for a list folded away.
    return html.Div(
        className="milestones" + ("" if now else " no-print"),
        id="ahsn-milestones",
        children=[
            html.H3("Milestones"),
            html.Ul([item(m, False) for m in now], id="ahsn-milestones-now")
            if now
            else html.P(f"No new milestone in {quarter.label}.", className="muted"),
            html.Details(
                [
                    html.Summary(f"Earlier milestones ({len(earlier)})"),
                    html.Ul([item(m, True) for m in earlier], id="ahsn-milestones-earlier"),
                ],
                className="no-print",
            )
            if earlier
            else None,
        ],
    )


def _revision_notes(revisions) -> html.Div | None:
    """The AHSN's published figures revised since publication, each with when, what and why."""
    if revisions is None or not len(revisions):
        return None
    items = [
        html.Li(
            [html.Span("✎ ", **{"aria-hidden": "true"}), f"{r['quarter']}: ", revision_words(r, first_published=False)]
        )
        for r in revisions.sort_values("quarter_index", ascending=False).to_dict("records")
    ]
    return html.Div(
        className="revision-notes",
        id="ahsn-revisions",
        children=[
            html.H2("Revised since publication"),
            html.Ul(items),
        ],
    )


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _below_the_line(programme) -> str:
    """'Progress below the adoption line shows as trusts moving from Engaged to Implementing; ...'"""
    below = [lv.name for lv in programme.levels if lv.number < programme.adopted_from_level][-2:]
    moving = f" moving from {below[0]} to {below[1]}" if len(below) == 2 else " moving up a level"
    return f"Progress below the adoption line shows as {programme.organisations}{moving}; hatched bars are not yet adopted."
