"""How a page says which of its figures are published: the 'include provisional figures' choice
and, when it is taken, a notice naming each provisional quarter and its coverage.

Pages show published quarters by default (etl/report.py); an unpublished quarter only when
the address asks for it (?provisional=1), and then always marked. Pure: the page passes
what its view read from the address.
"""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlencode

from dash import html

from etl.quarters import Quarter


def address(path: str, search: str, **changes: str | None) -> str:
    """`path` with the query `search`, some parameters changed (None removes one)."""
    params = {k: v[0] for k, v in parse_qs((search or "").lstrip("?")).items()}
    params.update(changes)
    kept = {k: v for k, v in params.items() if v}
    return path + ("?" + urlencode(kept, safe="/,", quote_via=quote) if kept else "")


def _quarters(coverage: dict[Quarter, str]) -> str:
    return "; ".join(f"{q.label}: {c}" for q, c in sorted(coverage.items()))


def choice(
    path: str,
    search: str,
    asked: bool,
    unpublished: dict[Quarter, str],
    shown: dict[Quarter, str],
    published_any: bool = True,
) -> html.Div | None:
    """The notice and the link that switches provisional figures on or off (None when every
    quarter with data is published)."""
    if not unpublished:
        return None
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
