"""The floor for the benchmark: a minimal Dash app showing only the national table.

Same data, same table builder, same stylesheet as the real app; no pages, no shell, no
callbacks. `gunicorn tests.bench_minimal_app:server`.
"""

from pathlib import Path

from dash import Dash, html

from dashboard.national_table import html_table
from etl.queries import Database
from etl.report import default_quarters, national_table
from etl.settings import Settings
from etl.store import Store

settings = Settings.from_env()
db = Database(Store(settings.data_dir))
app = Dash(__name__, assets_folder=str(Path(__file__).resolve().parent.parent / "assets"))
server = app.server


def layout():
    programme = settings.programme
    return html.Div(html_table(national_table(db, programme, default_quarters(db, programme)), programme))


app.layout = layout


@server.get("/healthz")
def healthz():
    return {"status": "ok"}
