"""The Pathways page's section on each AHSN's conditions: those recorded now, every version
(who, when, why) with making an earlier one current again, recording a new file, and a checked
file's preview of what storing it will change (dashboard/pages/pathways.py shows them and runs
the callbacks)."""

from __future__ import annotations

import pandas as pd
from dash import dcc, html

from dashboard.addresses import here, signin_address
from dashboard.context import services
from dashboard.presentation import checked_file as checked
from dashboard.presentation import pathway_tables
from dashboard.presentation.forms import post_form
from dashboard.presentation.pathways import PathwaysView
from dashboard.security.auth import current_user
from etl import queries
from etl.pathways.conditions import spread_conditions
from etl.pathways.conditions_file import Change, presence, values_words
from etl.permissions import Action, allowed, who_may


def conditions_section(view: PathwaysView, stored: str | None) -> html.Section:
    ctx = services()
    programme = ctx.programme
    current = queries.current_conditions(ctx.db, programme)
    versions = queries.condition_versions(ctx.db, programme)
    names = [c.name for c in spread_conditions(programme)]
    recorded: dict[str, dict[str, bool]] = {}
    for row in current.itertuples(index=False):
        recorded.setdefault(row.ahsn, {})[row.condition] = bool(row.present)
    newest = versions[versions["is_newest"]]
    rows = []
    for v in newest.itertuples(index=False):
        mine = recorded.get(v.ahsn, {})
        rows.append(
            [
                v.ahsn,
                *[("✓ 1" if mine[c] else "✗ 0") if c in mine else "— none" for c in names],
                f"v{v.version}, {v.happened_at:%-d %b %Y}" + (" ⚠ illustrative" if v.is_demo else ""),
            ]
        )
    children: list = [
        html.H2("Each AHSN's conditions", id="pathways-conditions-heading"),
        html.P(
            "Recorded by the national team, with a short note of the evidence for each; every version is kept "
            "(who, when, why), and an earlier one can be made current again. ✓ 1 present, ✗ 0 absent, — none: "
            "not recorded (the AHSN is left out of an analysis that uses that condition). ⚠ illustrative: the "
            "demo's conditions, made up to show the page.",
            className="muted",
        ),
        _stored_panel(stored),
    ]
    if rows:
        children.append(
            pathway_tables.table(
                f"The conditions recorded now ({len(rows)} AHSNs)",
                ["AHSN", *names, "Recorded"],
                rows,
                "pathways-recorded",
            )
        )
    else:
        children.append(html.P("No AHSN's conditions have been recorded yet.", id="pathways-recorded-none"))
    children.append(_history(versions))
    children.append(_record_section())
    return html.Section(children, className="pathways-recorded", id="pathways-recorded-section")


def _history(versions) -> html.Details | None:
    if not len(versions):
        return None
    user = current_user()
    may = allowed(user, Action.SET_CONDITIONS, programme=services().programme)
    items = []
    for v in versions.itertuples(index=False):
        said = (
            f"{v.ahsn}, version {v.version}{' (current)' if v.is_newest else ''}: {v.present} of {v.recorded} present; "
        )
        said += f"{v.by_user}, {v.happened_at:%-d %b %Y %H:%M}: {v.reason}"
        if pd.notna(v.restored_version):
            said += f" (restores version {int(v.restored_version)})"
        item: list = [said]
        if may and not v.is_newest:
            item.append(
                post_form(
                    "/pathways/conditions/restore",
                    [
                        html.Label(
                            f"Why restore version {v.version}",
                            htmlFor=f"restore-reason-{v.event_id}",
                            className="visually-hidden",
                        ),
                        dcc.Input(
                            id=f"restore-reason-{v.event_id}",
                            name="reason",
                            required=True,
                            maxLength=500,
                            placeholder="why",
                        ),
                        html.Button(
                            f"Restore version {v.version} of {v.ahsn}", type="submit", className="upload-button"
                        ),
                    ],
                    "pathways-restore",
                    ahsn=v.ahsn,
                    version=str(v.version),
                )
            )
        items.append(html.Li(item))
    return html.Details(
        [html.Summary(f"Every version ({len(versions)})"), html.Ul(items, id="pathways-history")],
        className="pathways-history",
    )


def _record_section() -> html.Section:
    ctx = services()
    user = current_user()
    who = who_may(Action.SET_CONDITIONS, ctx.programme)
    if user is None:
        body = [
            html.P([html.A("Sign in", href=signin_address("/pathways")), f" to record conditions: {who} records them."])
        ]
    elif not allowed(user, Action.SET_CONDITIONS, programme=ctx.programme):
        body = [html.P(f"Conditions are recorded by {who}; you are a {user.description}.")]
    else:
        limit = ctx.settings.max_upload_bytes
        body = [
            html.P(
                [
                    "1. ",
                    html.A(
                        "Download the conditions as a file",
                        href=here("/pathways/conditions/file.csv"),
                        id="pathways-conditions-file",
                    ),
                    " (CSV): one row for each AHSN and condition, with the columns ahsn, condition, present (1 or 0; "
                    "blank records nothing), evidence (a sentence), and what each condition means. A file may hold "
                    "some AHSNs only; each AHSN in it gets a new version, holding what the file gives for it.",
                ]
            ),
            html.P(
                f"2. Drop the file here (CSV, .xlsx, .xls or .ods, at most {limit // 1024:,} KB). It is checked at once; nothing is stored until you confirm, with a reason."
            ),
            dcc.Upload(
                id="conditions-upload",
                className="upload-drop",
                multiple=False,
                max_size=limit,
                children=html.Div(["Drag the file here, or ", html.Span("choose a file", className="upload-link")]),
            ),
            dcc.Loading(html.Div(id="conditions-result", **{"aria-live": "polite"})),
        ]
    return html.Section(className="upload-step", id="conditions-record", children=[html.H3("Record conditions"), *body])


def _stored_panel(stored: str | None) -> html.Div | None:
    if not stored or not stored.isdigit():
        return None
    batch = [e for e in services().store.committed_with(int(stored)) if e.kind == "conditions"]
    if not batch:
        return None
    return html.Div(
        className="upload-panel upload-panel-success",
        role="status",
        id="conditions-stored",
        children=[
            html.H3(f"✓ Stored: new conditions for {', '.join(e.ahsn for e in batch)}"),
            html.Ul([html.Li(f"{e.ahsn}: {values_words(e.values)}") for e in batch]),
            html.P(
                "The tables on this page show them once the figures are updated (usually within seconds): reload it."
            ),
        ],
    )


def preview(parsed, found: list[Change], token: str) -> html.Div:
    new = [c for c in found if not c.unchanged]
    rows = [
        [
            c.ahsn,
            "unchanged: no new version" if c.unchanged else f"version {c.version}",
            values_words(c.before.values) if c.before is not None else "nothing recorded yet",
            "; ".join(c.differences()) if c.before is not None else values_words(c.values),
        ]
        for c in found
    ]
    evidence = [
        [c.ahsn, v.condition, presence(v), v.evidence or "(no evidence given)", str(v.row or "")]
        for c in new
        for v in c.values
    ]
    children = [
        checked.panel(
            "success",
            f"{parsed.file_name} passed the checks: conditions for {', '.join(c.ahsn for c in found)}",
            [
                html.P(
                    [
                        "Nothing has been stored yet. Check what was read, then ",
                        html.Strong("say why and store it"),
                        " below.",
                    ]
                )
            ],
        ),
        checked.rows_table(
            "What storing this file will change",
            ["AHSN", "Version", "Now", "After storing"],
            rows,
            "conditions-changes",
        ),
        checked.rows_table(
            "Every condition as read", ["AHSN", "Condition", "Present", "Evidence", "Row"], evidence, "conditions-read"
        ),
        checked.readings(parsed.readings, parsed.file_name),
    ]
    if not new:
        children.append(
            html.P(
                "Every AHSN's conditions in the file are the same as now: there is nothing to store.",
                id="conditions-nothing-new",
            )
        )
        return html.Div(children)
    children.append(
        post_form(
            "/pathways/conditions/commit",
            [
                html.Label("Why these conditions (kept with them, shown beside them)", htmlFor="conditions-reason"),
                dcc.Textarea(
                    id="conditions-reason", name="reason", required=True, maxLength=500, className="trajectory-reason"
                ),
                html.Button(
                    f"Store the conditions of {', '.join(c.ahsn for c in new)}",
                    type="submit",
                    id="conditions-confirm",
                    className="upload-button upload-button-primary",
                ),
            ],
            "upload-confirm",
            ids="conditions",
            token=token,
        )
    )
    return html.Div(children)
