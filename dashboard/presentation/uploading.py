"""What a checked return will change, whether the user may store it, and the preview of it:
shared by the upload page, the endpoint that stores it and the receipt e-mailed after."""

from __future__ import annotations

from dataclasses import dataclass

from dash import html

from dashboard.context import services
from dashboard.presentation import checked_file as checked
from dashboard.presentation.forms import post_form
from etl import ahsns, queries, statuses, words
from etl.permissions import Action, allowed
from etl.programmes import Programme
from etl.queries import Database
from etl.users import User
from etl.validate import ParsedReturn


def ahsns_in(results: list[ParsedReturn]) -> list[str]:
    found = {a for r in results for a, _, _ in r.returns()}
    order = {a.short_name: a.table_order for a in ahsns.all_ahsns()}
    return sorted(found, key=order.get)


def not_permitted(user: User, results: list[ParsedReturn]) -> str | None:
    """Why the user may not store these files, or None if they may (etl/permissions.py decides)."""
    others = [a for a in ahsns_in(results) if not allowed(user, Action.SUBMIT, ahsn=a)]
    if not others:
        return None
    return (
        f"This file holds returns for {', '.join(others)}. You are a {user.description}, "
        f"so you may only upload {user.ahsn}'s returns. Remove the other AHSNs' rows, or ask "
        "the national team to load them."
    )


@dataclass(frozen=True)
class Change:
    """What storing a file will do to one AHSN-quarter."""

    ahsn: str
    quarter: str
    rows: int
    before: str  # the rate in words (etl/words.py rate), or "no return yet; Q1 2020/21: <its rate>"
    after: str
    replaces: str  # e.g. "submission 12 by asha, 03 Oct 2020 14:05" or "nothing: a first return"


def changes(db: Database, results: list[ParsedReturn], programme: Programme) -> list[Change]:
    """Before -> after for every AHSN-quarter the files hold, counted the way the store
    counts (the programme's counted trust types and adoption threshold). A return for a
    published quarter replaces nothing until it is approved: it is a revision, waiting."""
    out = []
    published = published_quarters(db, programme)
    for parsed in results:
        frame = parsed.frame()
        for ahsn, quarter, rows in parsed.returns():
            mine = frame[(frame["ahsn"] == ahsn) & (frame["quarter_index"] == quarter.index)]
            counted = mine[mine["trust_type"].isin(programme.counted_trust_types)]
            adopted = int((counted["adoption_level"] >= programme.adopted_from_level).sum())
            rates = queries.ahsn_rates(db, programme, ahsn=ahsn)
            before = rates[rates["quarter_index"] == quarter.index]
            earlier = rates[rates["quarter_index"] < quarter.index].sort_values("quarter_index").tail(1)
            history = queries.submissions(db, programme, ahsn)
            current = history[(history["quarter_index"] == quarter.index) & history["is_current"]]
            if len(current):
                c = current.iloc[0]
                replaces = (
                    f"submission {int(c['submission_id'])} by {c['loaded_by']}, {c['loaded_at']:%d %b %Y %H:%M} UTC"
                )
            else:
                replaces = "nothing: this is the first return for this quarter"
            if quarter.label in published:
                replaces += f" once the national team approves it ({quarter.label} is published: {statuses.WAITING})"
            if len(before):
                before_text = words.rate(
                    int(before["adopted_trusts"].iloc[0]), int(before["counted_trusts"].iloc[0]), programme
                )
            elif len(earlier):  # a new quarter: compare with the AHSN's last return
                e = earlier.iloc[0]
                before_text = f"{words.NO_RETURN} yet; {e['quarter']}: " + words.rate(
                    int(e["adopted_trusts"]), int(e["counted_trusts"]), programme
                )
            else:
                before_text = f"{words.NO_RETURN} yet"
            out.append(
                Change(ahsn, quarter.label, rows, before_text, words.rate(adopted, len(counted), programme), replaces)
            )
    return out


def published_quarters(db: Database, programme: Programme) -> set[str]:
    """Labels of the published quarters: a return for one of them is a revision."""
    rows = queries.collection_quarters(db, programme)
    return set(rows.loc[rows["published_at"].notna(), "quarter"])


PREVIEW_ROWS = 200


def preview(name: str, results, programme, token: str) -> html.Div:
    """A file that passed the checks: what storing it will change, its warnings, how it was read,
    each trust as read, and the button that stores it (the preview `token`)."""
    found = changes(services().db, results, programme)
    warnings = [w for r in results for w in r.warnings]
    frame = results[0].frame()
    rows = [
        [
            r["row"],
            r["quarter"],
            r["ahsn"],
            r["trust_code"],
            r["trust_name"],
            words.type_words(r["trust_type"]),
            r["adoption_level"],
            words.count(r["referrals_made"]),
            words.count(r["referrals_completed"]),
            _text(r["comment"]),
        ]
        for r in frame.head(PREVIEW_ROWS).to_dict("records")
    ]
    what = ", ".join(f"{c.ahsn} {c.quarter}" for c in found)
    one = words.capital(programme.organisation)
    return html.Div(
        children=[
            checked.panel(
                "success",
                f"{name} passed the checks: {len(frame)} {programme.organisation} rows for {what}",
                [
                    html.P(
                        [
                            "Nothing has been stored yet. Check the preview, then ",
                            html.Strong("store the return"),
                            " at the bottom of this page.",
                        ]
                    ),
                ],
            ),
            checked.rows_table(
                "What storing this file will change",
                ["AHSN", "Quarter", f"{one} rows", "Adoption rate now", "After storing", "Replaces"],
                [[c.ahsn, c.quarter, c.rows, c.before, c.after, c.replaces] for c in found],
                "upload-changes",
            ),
            checked.panel(
                "warning",
                f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}",
                [
                    html.P("Warnings do not stop the return being stored; check each is what you meant."),
                    checked.rows_table(
                        "Warnings",
                        ["Row", "Column", "What to check", "What to do"],
                        checked.problem_rows(warnings),
                        "upload-warnings",
                    ),
                ],
            )
            if warnings
            else html.P("No warnings.", className="upload-no-warnings"),
            checked.readings(results[0].interpretations, name),
            checked.rows_table(
                f"What was read for each {programme.organisation} in {name}"
                + (f" (first {PREVIEW_ROWS})" if len(frame) > PREVIEW_ROWS else "")
                + ": compare it with your spreadsheet",
                [
                    "Row",
                    "Quarter",
                    "AHSN",
                    f"{one} code",
                    f"{one} name",
                    f"{one} type",
                    "Level",
                    "Referrals made",
                    "Referrals completed",
                    "Comment",
                ],
                rows,
                "upload-rows",
            ),
            post_form(
                "/upload/commit",
                [
                    html.Button(
                        f"Store the return for {what}",
                        type="submit",
                        id="upload-confirm",
                        className="upload-button upload-button-primary",
                    ),
                    html.Span(" The file is checked once more as it is stored.", className="upload-hint"),
                ],
                "upload-confirm",
                ids="upload",
                token=token,
            ),
        ]
    )


def _text(value) -> str:
    return "" if value is None or value != value else str(value)
