"""The floors for the benchmark: a minimal Dash app showing only the national table, and the
same table as a static HTML page (/static-table) with the same stylesheet and no script.

Same data, same table builder, same stylesheet as the real app; no pages, no shell, no
callbacks. `gunicorn tests.bench_minimal_app:server`.
"""

from pathlib import Path

from dash import Dash, html

from dashboard.presentation.national_table import html_table
from dashboard.presentation.prerender import to_html
from etl.queries import Database
from etl.report import default_quarters, national_table
from etl.settings import Settings
from etl.store import Store

settings = Settings.from_env()
db = Database(Store(settings.data_dir))
app = Dash(__name__, assets_folder=str(Path(__file__).resolve().parent.parent / "assets"))
server = app.server


def table():
    programme = settings.programme
    return html.Div(
        html_table(national_table(db, programme, default_quarters(db, programme)), programme), className="table-wrap"
    )


app.layout = lambda: html.Div(table())


@server.get("/static-table")
def static_table():
    body = "".join(to_html(table()).parts)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>National table</title>'
        f'<link rel="stylesheet" href="/assets/dashboard.css"></head><body>{body}</body></html>'
    )


@server.get("/healthz")
def healthz():
    return {"status": "ok"}
