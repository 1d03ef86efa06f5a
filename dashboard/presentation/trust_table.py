"""The trusts of an AHSN's latest return, as its page shows them: sortable by any column, each
trust's type, level, whether it counts as adopted (only the counted types are ever ticked),
its change since the quarter before and its counts (referrals, or the definition's own
measures under their words); its comments for who may see them."""

from __future__ import annotations

import pandas as pd
from dash import html

from dashboard.presentation.headline_cells import has_referrals
from dashboard.presentation.published import address
from dashboard.presentation.views import TRUST_SORTS
from dashboard.security.auth import may
from etl import words
from etl.permissions import Action
from etl.programmes import Programme


def adopted_words(trust, programme: Programme) -> str:
    """What the trust's level means for the rate: only counted trusts are ever ticked."""
    if not trust["counted"]:
        return f"not counted ({words.type_words(trust['trust_type'])})"
    return "✓ adopted" if programme.is_adopted(int(trust["adoption_level"])) else "not yet"


def measure_heads(programme: Programme) -> list[html.Th]:
    """The headings of a rate's or count's measures (their words), and of a rate its own percent."""
    heads = [html.Th(words.capital(m.words), scope="col", className="num") for m in programme.measures]
    if programme.headline is not None and programme.headline.kind == "rate":
        heads.append(html.Th(words.capital(f"{programme.headline.words} (%)"), scope="col", className="num"))
    return heads


def own_rate(trust, programme: Programme) -> str:
    """One organisation's own rate ('90%'), '–' where it has none to divide by or did not report."""
    top, bottom = trust.get(programme.headline.numerator), trust.get(programme.headline.denominator)
    if top is None or bottom is None or pd.isna(top) or pd.isna(bottom) or int(bottom) == 0:
        return "–"
    return f"{words.whole_percent(int(top), int(bottom))}%"


def trust_table(trusts: pd.DataFrame, programme: Programme, ahsn, key: str, search: str = "") -> html.Div:
    """The trusts of the latest return, in the order of `key`, in a box that scrolls sideways.
    The sort links keep the rest of the page's address (`search`: the quarter, provisional)."""

    def said(name: str) -> str:  # the name column is headed by what the programme's organisations are
        return words.capital(programme.organisation) if name == "name" else TRUST_SORTS[name][0]

    def head(name: str, numeric: bool = False) -> html.Th:
        label = said(name)
        href = address(f"/ahsn/{ahsn.slug}", search, sort=name)
        link = html.A(label, href=href, title=f"Sort by {label.lower()}")
        return html.Th(
            link,
            scope="col",
            className="num" if numeric else None,
            **{"aria-sort": ("descending" if TRUST_SORTS[name][2] else "ascending") if name == key else "none"},
        )

    # referral counts (TCAM's measures) keep their columns; any other measures show under their words
    share = has_referrals(programme)
    is_rate = programme.headline is not None and programme.headline.kind == "rate"
    # a Comment column only when the return has comments (a Notes/Comments column in the file)
    with_comments = (
        may(Action.SEE_COMMENTS, ahsn.short_name)
        and "comment" in trusts
        and trusts["comment"].fillna("").astype(str).str.strip().ne("").any()
    )
    rows = []
    for _, t in trusts.iterrows():
        level, change = int(t["adoption_level"]), t["level_change"]
        change_text = (
            "new"
            if pd.isna(change)
            else "● 0"
            if change == 0
            else f"▲ +{int(change)}"
            if change > 0
            else f"▼ −{-int(change)}"
        )
        made, done = t["referrals_made"], t["referrals_completed"]
        counted = bool(t["counted"])
        figures = (
            [
                html.Td(words.count(made), className="num"),
                html.Td(words.count(done), className="num"),
                html.Td(
                    "–" if pd.isna(t["completion_percent"]) else f"{int(t['completion_percent'])}%", className="num"
                ),
            ]
            if share
            else [html.Td(words.count(t.get(m.key)), className="num") for m in programme.measures]
            + ([html.Td(own_rate(t, programme), className="num")] if is_rate else [])
        )
        rows.append(
            html.Tr(
                className=None if counted else "not-counted",
                children=[
                    html.Th(f"{t['trust_name']} ({t['trust_code']})", scope="row"),
                    html.Td(words.type_words(t["trust_type"])),
                    html.Td(f"{level} {t['level_name']}"),
                    html.Td(adopted_words(t, programme), className="adopted" if counted and t["adopted"] else None),
                    html.Td(change_text, className="num"),
                    *figures,
                    *(
                        [html.Td(t["comment"] if isinstance(t["comment"], str) else "", className="comment")]
                        if with_comments
                        else []
                    ),
                ],
            )
        )
    return html.Div(
        className="table-wrap",
        role="region",
        **{"aria-labelledby": "ahsn-trusts-caption"},
        children=[
            html.Table(
                className="data-table",
                id="ahsn-trusts",
                children=[
                    html.Caption(
                        id="ahsn-trusts-caption",
                        className="muted",
                        children=[
                            f"Sorted by {said(key).lower()}. ✓ adopted: {words.with_article(words.counted(programme, 1))} at level "
                            f"{programme.adopted_from_level} or above; other {programme.organisations} are listed but not counted toward the rate.",
                            html.Span(" Choose a column heading to sort by it.", className="no-print"),
                        ],
                    ),
                    html.Thead(
                        html.Tr(
                            [
                                head("name"),
                                head("type"),
                                head("level"),
                                html.Th("Counts as adopted", scope="col"),
                                head("change", True),
                                *(
                                    [head("made", True), head("completed", True), head("completion", True)]
                                    if share
                                    else measure_heads(programme)
                                ),
                                *([html.Th("Comment", scope="col")] if with_comments else []),
                            ]
                        )
                    ),
                    html.Tbody(rows),
                ],
            ),
        ],
    )
