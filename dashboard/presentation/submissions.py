"""The history page's parts about one submission: the confirmation before a restore (what it
changes), the comments kept with it, and the national team's quarantine and release forms; and
the stored changes the build left out of the figures."""

from __future__ import annotations

import pandas as pd
from dash import dcc, html

from dashboard.addresses import here
from dashboard.context import services
from dashboard.presentation.forms import post_form
from etl import queries, words
from etl.permissions import Action, allowed, allowed_for_all


def restore_confirmation(user, submission_id: int) -> html.Div | None:
    """Before a restore: what it changes, AHSN-quarter by AHSN-quarter, and the button that does it."""
    ctx = services()
    submission = ctx.store.submission(submission_id)
    if submission is None or not allowed_for_all(user, Action.RESTORE, submission.ahsns):
        return html.Div(
            html.P(f"There is no submission {submission_id} you may restore."),
            className="upload-panel upload-panel-error",
            role="alert",
        )
    preview = queries.restore_preview(ctx.db, ctx.programme, submission_id)

    def rate(value, adopted, counted) -> str:
        return words.stored_rate(value, adopted, counted, ctx.programme)

    items = []
    for r in preview.to_dict("records"):
        text = (
            f"{r['ahsn']} {r['quarter']}: {rate(r['now_rate'], r['now_adopted'], r['now_counted'])} now → "
            f"{rate(r['restored_rate'], r['restored_adopted'], r['restored_counted'])} after restoring"
        )
        if r["is_published"]:
            text += f" ({r['quarter']} is published: this is a revision, waiting for the national team's approval)"
        items.append(html.Li(text))
    return html.Div(
        className="upload-panel upload-panel-warning",
        id="history-confirm-restore",
        children=[
            html.H2(f"Restore submission {submission_id}?"),
            html.P(
                f"{submission.file_name}, uploaded by {submission.loaded_by}. The submission it replaces is kept, "
                "and can be restored in turn."
            ),
            html.Ul(items),
            post_form(
                f"/history/{submission_id}/restore",
                [
                    html.Button(
                        f"Restore submission {submission_id}",
                        type="submit",
                        className="upload-button upload-button-primary",
                    ),
                    html.A("Cancel", href=here("/history"), className="history-cancel"),
                ],
                "history-restore",
            ),
        ],
    )


def comments_of(comments: pd.DataFrame, submission_id: int, ahsn: str, quarter: str) -> html.Details | None:
    """The per-trust comments (a Notes/Comments column) of one AHSN-quarter of a submission."""
    mine = comments[
        (comments["submission_id"] == submission_id) & (comments["ahsn"] == ahsn) & (comments["quarter"] == quarter)
    ]
    if not len(mine):
        return None
    return html.Details(
        className="history-comments",
        children=[
            html.Summary(f"{len(mine)} comment{'s' if len(mine) != 1 else ''}"),
            html.Ul(
                [
                    html.Li([html.Strong(f"{c['trust_name']} ({c['trust_code']}): "), c["comment"]])
                    for c in mine.to_dict("records")
                ]
            ),
        ],
    )


def set_aside_form(submission_id: int, action: str) -> html.Form:
    """The national team's quarantine (or release) of a submission, with the reason kept."""
    verb = "Quarantine" if action == "quarantine" else "Release"
    field_id = f"history-{action}-reason-{submission_id}"
    return post_form(
        f"/history/{submission_id}/{action}",
        [
            html.Label(
                f"Why {verb.lower()} submission {submission_id}?", htmlFor=field_id, className="visually-hidden"
            ),
            dcc.Input(
                id=field_id,
                name="reason",
                type="text",
                required=True,
                maxLength=500,
                placeholder="reason (kept with the submission)",
                className="history-reason",
            ),
            html.Button(f"{verb} submission {submission_id}", type="submit", className="upload-button"),
        ],
        f"history-{action}",
    )


def left_out_panel(user) -> html.Div | None:
    """For the national team: the stored events the build could not hold, left out of every
    figure so that the rest are published (etl/store/database.py), each with why and what to do."""
    if not allowed(user, Action.QUARANTINE):
        return None
    left_out = queries.left_out_events(services().db)
    if not len(left_out):
        return None
    return html.Div(
        className="upload-panel upload-panel-error",
        role="alert",
        children=[
            html.H2(f"⚠ {words.plural(len(left_out), 'stored change')} left out of the figures"),
            html.P(
                "The database could not hold these, so every figure is built without them; every other "
                "change is shown. They are kept in the store as they were. Tell the maintainers: once the "
                "cause is fixed, `python -m etl rebuild` tries them again."
            ),
            html.Ul(
                [
                    html.Li(f"Event {r['id']} ({r['kind']}): {r['description']}. Why: {r['reason']}")
                    for r in left_out.to_dict("records")
                ]
            ),
        ],
    )
