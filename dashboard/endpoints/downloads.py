"""The dashboard's data interface: every table on every page as CSV, Excel and JSON, at a
stable address that takes the same query as the page.

    /download/national.csv?quarters=Q3 2018/19,Q3 2019/20   the national table (as /?quarters=)
    /download/trusts.csv?quarters=...                        every trust row of the returns that table is made of
    /download/ahsn/wessex.csv?sort=level                     an AHSN's trusts in its latest return (as /ahsn/wessex)
    /download/compare.csv                                    every AHSN's rate at every quarter (as /compare)
    /download/levels.csv                                     the adoption levels (as /definitions)
    /download/returns.csv?quarter=Q2 2020/21                 who has returned (as /returns; national team only)
    /download/trajectories.csv                               every version of every AHSN's trajectory (as /trajectories)
    /download/milestones.csv?provisional=1                   every milestone in the quarters shown (as /)

Each also as .xlsx and .json. The query is read by the page's own parser (dashboard/views.py)
and the file built from the same objects as the page (dashboard/sheets.py), so the file holds
the page's numbers. `register` wires the endpoints; `links` is the row of links a page shows.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from dash import html
from flask import Flask, Response, request

from dashboard import sheets
from dashboard.auth import Refused, may, require
from dashboard.context import services
from dashboard.views import AhsnView, CompareView, NationalView, ReturnsView, returns_grid
from etl import milestones, queries, report
from etl.permissions import Action

FORMATS = {"csv": "CSV", "xlsx": "Excel", "json": "JSON"}


def href(table: str, ext: str, search: str = "") -> str:
    return f"/download/{quote(table)}.{ext}{search}"


def links(what: str, table: str, search: str = "", id_prefix: str | None = None) -> html.P:
    """'Download <what>: CSV · Excel · JSON', each a plain link to the file's stable address."""
    parts: list = [f"Download {what}: "]
    for i, (ext, name) in enumerate(FORMATS.items()):
        if i:
            parts.append(" · ")
        parts.append(html.A(name, href=href(table, ext, search), className="download-link",
                            id=f"{id_prefix}-{ext}" if id_prefix else None,
                            **{"aria-label": f"{what}, {name}" + (" (for analysts)" if ext == "json" else "")}))
    return html.P(parts, className="downloads no-print")


def as_of() -> str:
    ctx = services()
    status = queries.store_status(ctx.db, ctx.programme)
    loaded = f", last loaded {status.last_loaded_at:%d %b %Y %H:%M} UTC" if status.last_loaded_at else ""
    return f"Data as of {status.latest_published_quarter or 'no quarter published'} (published){loaded}."


def _sheet(table: str, slug: str | None) -> tuple[sheets.Sheet, str]:
    """The table and its file name (without extension)."""
    ctx = services()
    db, programme = ctx.db, ctx.programme
    args = request.args
    code = programme.code
    if table in ("national", "trusts"):
        view = NationalView.read(db, programme, args, may(Action.SEE_PROVISIONAL))
        if view is None:
            raise Refused(404, "No returns have been loaded yet.")
        span = f"{view.quarters[0].key}-to-{view.quarters[-1].key}"
        if table == "national":
            sheet = sheets.national(view.table, programme, view.trajectory)
            return (sheet, f"{code}-national-{span}")
        labels = ", ".join(q.label for q in view.quarters)
        sheet = sheets.trusts(view.trust_rows(db, programme), programme,
                              f"Every trust in the {programme.short_name} returns for {labels}", "trusts",
                              comments=may(Action.SEE_COMMENTS))
        return (sheet, f"{code}-trusts-{span}")
    if table == "ahsn":
        view = AhsnView.read(db, programme, slug, args, may(Action.SEE_PROVISIONAL))
        if view.ahsn is None:
            raise Refused(404, f"There is no AHSN at /ahsn/{slug}.")
        if view.now is None:
            raise Refused(404, f"{view.ahsn.short_name} has made no return yet.")
        q = view.now.quarter
        sheet = sheets.trusts(view.trusts, programme, f"Trusts in the {view.ahsn.short_name} return for {q.label}",
                              view.ahsn.slug, comments=may(Action.SEE_COMMENTS, view.ahsn.short_name))
        return (sheet, f"{code}-{view.ahsn.slug}-trusts-{q.key}")
    if table == "compare":
        view = CompareView.read(db, programme, args, may(Action.SEE_PROVISIONAL))
        if view is None:
            raise Refused(404, "No returns have been loaded yet.")
        sheet = sheets.ahsn_rates(view.rates, view.order,
                                  f"{programme.short_name} adoption rate by AHSN and quarter, "
                                  f"{view.axis[0].label} to {view.axis[-1].label}", programme, view.trajectory)
        return (sheet, f"{code}-ahsn-rates")
    if table == "levels":
        return (sheets.levels(programme), f"{code}-levels")
    if table == "trajectories":
        return (sheets.trajectories(queries.trajectory_versions(db, programme), queries.trajectory_steps(db, programme),
                                    programme),
                f"{code}-trajectories")
    if table == "milestones":
        view = NationalView.read(db, programme, args, may(Action.SEE_PROVISIONAL))
        if view is None:
            raise Refused(404, "No returns have been loaded yet.")
        shown = report.shown_quarters(db, programme, view.provisional)
        return (sheets.milestones(milestones.recognise(db, programme, shown),
                                  f"Milestones of every AHSN, {shown[0].label} to {shown[-1].label}", programme),
                f"{code}-milestones")
    if table == "returns":
        require(Action.SEE_COLLECTION)
        today = dt.date.today()
        view = ReturnsView.read(db, programme, args, today)
        if view.status is None:
            raise Refused(404, "No returns have been loaded yet.")
        return (sheets.returns(returns_grid(db, programme, view.status, today), view.status),
                f"{code}-returns-{view.quarter.key}")
    raise Refused(404, f"There is no table '{table}' to download; see the README's data interface.")


def _respond(table: str, ext: str, slug: str | None = None) -> Response:
    sheet, stem = _sheet(table, slug)
    sheet = sheet.with_as_of(as_of(), request.url)
    write, media_type = sheets.WRITERS[ext]
    response = Response(write(sheet), mimetype=media_type.split(";")[0], content_type=media_type)
    disposition = "inline" if ext == "json" else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{stem}.{ext}"'
    response.headers["Cache-Control"] = "no-cache"  # a new return changes every table
    return response


def register(server: Flask) -> None:
    @server.get("/download/<table>.<any(csv, xlsx, json):ext>")
    def download(table: str, ext: str):
        return _respond(table, ext)

    @server.get("/download/ahsn/<slug>.<any(csv, xlsx, json):ext>")
    def download_ahsn(slug: str, ext: str):
        return _respond("ahsn", ext, slug)

    @server.get("/download/<path:other>")
    def no_such_download(other: str):
        raise Refused(404, f"There is no download at /download/{other}: tables end in .csv, .xlsx or .json; "
                           "the README's data interface lists them.")
