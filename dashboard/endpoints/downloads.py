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

Each also as .xlsx and .json. The query is read by the page's own parser
(dashboard/presentation/views.py) and the file built from the same objects as the page
(dashboard/presentation/tables.py), so the file holds the page's numbers. The links a page
shows to them are dashboard/presentation/download_links.py.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, request

from dashboard.context import services
from dashboard.endpoints.attachments import attachment
from dashboard.presentation import headline_compare, sheets, tables
from dashboard.presentation.collection import ReturnsView, returns_grid
from dashboard.presentation.published import refusal
from dashboard.presentation.views import AhsnView, CompareView, NationalView, nothing_shown, sorted_trusts
from dashboard.security.auth import current_user, may, may_for_every_ahsn, require
from etl import ahsns, collection, milestones, queries, report, words
from etl.permissions import Action

blueprint = Blueprint("downloads", __name__)


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
        view = NationalView.read(db, programme, args, may_for_every_ahsn(Action.SEE_PROVISIONAL))
        if view is None:
            abort(404, nothing_shown(db, programme))
        span = f"{view.quarters[0].key}-to-{view.quarters[-1].key}"
        if table == "national":
            sheet = tables.national(view.table, programme, view.trajectory)
            return (_refused(sheet, view.refused_provisional), f"{code}-national-{span}")
        labels = ", ".join(q.label for q in view.quarters)
        sheet = tables.trusts(
            view.trust_rows(db, programme),
            programme,
            f"Every {programme.organisation} in the {programme.short_name} returns for {labels}"
            + (", as first published" if view.first_published else ""),
            "trusts",
            comments=may_for_every_ahsn(Action.SEE_COMMENTS),
            revisions=tables.trust_revisions(view.trust_revisions(db, programme), programme, view.first_published),
            first_published=view.first_published,
        )
        return (_refused(sheet, view.refused_provisional), f"{code}-trusts-{span}")
    if table == "ahsn":
        found = ahsns.by_slug(slug or "")
        if found is None:
            abort(404, f"There is no AHSN at /ahsn/{slug}.")
        view = AhsnView.read(
            db,
            programme,
            slug,
            args,
            may(Action.SEE_PROVISIONAL, found.short_name),
            may_for_every_ahsn(Action.SEE_PROVISIONAL),
        )
        if view.now is None:
            abort(404, f"{view.ahsn.short_name} has no published figures yet.")
        q = view.now.quarter
        first_published = args.get("figures") == "first-published"
        trusts = view.trusts
        if first_published:  # the AHSN's latest return as first published, sorted as the page sorts it
            trusts, _ = sorted_trusts(queries.trusts(db, programme, view.ahsn.short_name, q.index, True), view.sort)
        changed = queries.trust_revisions(db, programme, [q.index])
        sheet = tables.trusts(
            trusts,
            programme,
            f"{words.capital(programme.organisations)} in the {view.ahsn.short_name} return for {q.label}"
            + (", as first published" if first_published else ""),
            view.ahsn.slug,
            comments=may(Action.SEE_COMMENTS, view.ahsn.short_name),
            revisions=tables.trust_revisions(changed, programme, first_published),
            first_published=first_published,
        )
        return (
            _refused(sheet, view.refused_provisional, view.ahsn.short_name),
            f"{code}-{view.ahsn.slug}-trusts-{q.key}",
        )
    if table == "compare":
        view = CompareView.read(db, programme, args, may_for_every_ahsn(Action.SEE_PROVISIONAL))
        if view is None:
            abort(404, nothing_shown(db, programme))
        span = f"by AHSN and quarter, {view.axis[0].label} to {view.axis[-1].label}"
        sheet = (
            tables.ahsn_rates(
                view.rates,
                view.order,
                f"{programme.short_name} adoption rate {span}",
                programme,
                view.trajectory,
            )
            if report.is_share(programme)
            else headline_compare.sheet(  # a rate or count: its own headline, in its words
                view.rates,
                view.order,
                f"{programme.short_name} {programme.headline.words} {span}",
                programme,
                view.trajectory,
            )
        )
        return (_refused(sheet, view.refused_provisional), f"{code}-ahsn-rates")
    if table == "levels":
        return (tables.levels(programme), f"{code}-levels")
    if table == "trajectories":
        return (
            tables.trajectories(
                queries.trajectory_versions(db, programme), queries.trajectory_steps(db, programme), programme
            ),
            f"{code}-trajectories",
        )
    if table == "milestones":
        view = NationalView.read(db, programme, args, may_for_every_ahsn(Action.SEE_PROVISIONAL))
        if view is None:
            abort(404, nothing_shown(db, programme))
        shown = report.shown_quarters(db, programme, view.provisional)
        return (
            _refused(
                tables.milestones(
                    milestones.recognise(db, programme, shown),
                    f"Milestones of every AHSN, {shown[0].label} to {shown[-1].label}",
                    programme,
                ),
                view.refused_provisional,
            ),
            f"{code}-milestones",
        )
    if table == "returns":
        require(Action.SEE_COLLECTION)
        today = collection.clock(db, programme).today  # as the Returns page counts
        view = ReturnsView.read(db, programme, args, today)
        if view.status is None:
            abort(404, "No returns have been loaded yet.")
        return (
            tables.returns(returns_grid(db, programme, view.status, today), view.status),
            f"{code}-returns-{view.quarter.key}",
        )
    abort(404, f"There is no table '{table}' to download; see the README's data interface.")


def _refused(sheet: sheets.Sheet, refused: bool, ahsn: str | None = None) -> sheets.Sheet:
    """With a note when provisional figures were asked for by someone who may not see them:
    the file holds the published figures (the note is in Excel and JSON; CSV holds the table)."""
    if not refused:
        return sheet
    return replace(sheet, notes=[*sheet.notes, "Published figures only. " + refusal(current_user(), ahsn)])


def _respond(table: str, ext: str, slug: str | None = None):
    sheet, stem = _sheet(table, slug)
    sheet = sheet.with_as_of(as_of(), request.url)
    write, media_type = sheets.WRITERS[ext]
    # JSON is shown in the browser (for analysts); CSV and Excel are files to save. A new return
    # changes every table: no-cache.
    return attachment(write(sheet), f"{stem}.{ext}", media_type.split(";")[0], inline=ext == "json")


@blueprint.get("/download/<table>.<any(csv, xlsx, json):ext>")
def download(table: str, ext: str):
    return _respond(table, ext)


@blueprint.get("/download/ahsn/<slug>.<any(csv, xlsx, json):ext>")
def download_ahsn(slug: str, ext: str):
    return _respond("ahsn", ext, slug)


@blueprint.get("/download/<path:other>")
def no_such_download(other: str):
    abort(
        404,
        f"There is no download at /download/{other}: tables end in .csv, .xlsx or .json; "
        "the README's data interface lists them.",
    )
