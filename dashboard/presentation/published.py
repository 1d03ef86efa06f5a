"""How a page says which of its figures are published: the 'include provisional figures' choice
and, when it is taken, a notice naming each provisional quarter and its coverage.

Pages show published quarters by default (etl/report.py); an unpublished quarter only when
the address asks for it (?provisional=1) and the reader may see it (etl/permissions.py,
Action.SEE_PROVISIONAL: the national team, an AHSN's own submitters for their AHSN, everyone
with METRICS_PROVISIONAL_PUBLIC), and then always marked. Anyone else gets the published
figures and a note saying who may see the provisional ones. Pure: the page passes what its
view read from the address, and the reader.
"""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlencode

from dash import html

from dashboard.addresses import here
from etl.quarters import Quarter
from etl.users import User


def address(path: str, search: str, **changes: str | None) -> str:
    """`path` with the query `search`, some parameters changed (None removes one)."""
    params = {k: v[0] for k, v in parse_qs((search or "").lstrip("?")).items()}
    params.update(changes)
    kept = {k: v for k, v in params.items() if v}
    return (here(path) if path else "") + ("?" + urlencode(kept, safe="/,", quote_via=quote) if kept else "")


def _quarters(coverage: dict[Quarter, str]) -> str:
    return "; ".join(f"{q.label}: {c}" for q, c in sorted(coverage.items()))


def refusal(user: User | None, ahsn: str | None = None) -> str:
    """Why provisional figures are not shown to this reader (on a page about `ahsn`, or about
    every AHSN when None), in words that say what would help."""
    if user is None:
        return "Provisional figures need signing in: they are for the national team and each AHSN's own submitters."
    if ahsn is None and user.ahsn:
        return f"Provisional figures of every AHSN are for the national team; {user.ahsn}'s are on its own page."
    return f"Provisional figures of {ahsn} are for its own submitters and the national team."


def _refused(path: str, search: str, unpublished: dict[Quarter, str], why: str, signin: bool) -> html.Div:
    """The note for a reader who may not see provisional figures (asked for them or not)."""
    being = f"Being collected, not published yet: {_quarters(unpublished)}. " if unpublished else ""
    link = address(path, search, provisional="1")
    return html.Div(
        className="provisional-notice provisional-refused",
        role="note",
        id="provisional-refused",
        children=[
            html.Strong("Published figures only. "),
            being,
            why,
            *(
                [" ", html.A("Sign in", href=here("/signin?next=") + quote(link, safe="/"), id="provisional-signin")]
                if signin
                else []
            ),
        ],
    )


def choice(
    path: str,
    search: str,
    asked: bool,
    unpublished: dict[Quarter, str],
    shown: dict[Quarter, str],
    published_any: bool = True,
    refused: str | None = None,
    signin: bool = False,
    refused_asked: bool = False,
) -> html.Div | None:
    """The notice and the link that switches provisional figures on or off (None when every
    quarter with data is published). `refused`: why this reader may not see them (None: they
    may), with a sign-in link when `signin`; `refused_asked`: they asked (?provisional=1)."""
    if refused is not None and (refused_asked or not published_any):
        return _refused(path, search, unpublished, refused, signin)
    if not unpublished:
        return None
    if refused is not None:
        return html.P(
            className="provisional-choice no-print",
            id="provisional-choice",
            children=[
                f"Published figures only. Being collected, not published yet: {_quarters(unpublished)}. ",
                refused,
            ],
        )
    if not published_any:
        return html.Div(
            className="provisional-notice",
            role="note",
            id="provisional-notice",
            children=[
                html.Strong("Provisional figures. "),
                f"No quarter has been published yet, so every figure here may change ({_quarters(shown)}).",
            ],
        )
    if asked:
        return html.Div(
            className="provisional-notice",
            role="note",
            id="provisional-notice",
            children=[
                html.Strong("Provisional figures included. "),
                (
                    f"Not published yet, so they may change: {_quarters(shown)}. Totals and counts for a quarter not "
                    "every AHSN has returned are of the AHSNs that have, not England's. "
                    if shown
                    else "No provisional quarter is among those shown. "
                ),
                html.A(
                    "Show published figures only", href=address(path, search, provisional=None), id="provisional-off"
                ),
            ],
        )
    return html.P(
        className="provisional-choice no-print",
        id="provisional-choice",
        children=[
            f"Published figures only. Being collected, not published yet: {_quarters(unpublished)}. ",
            html.A("Include provisional figures", href=address(path, search, provisional="1"), id="provisional-on"),
        ],
    )
