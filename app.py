"""The dashboard's entry point: `gunicorn app:server` (see Procfile) or `python app.py`.

Kept thin: the Dash app with its pages, the WSGI server, the page shell and /healthz.
Pages and their callbacks live in dashboard/pages/, one module each.
"""

from dash import Dash

from dashboard import auth, health, shell
from etl import programmes, settings

app = Dash(
    __name__,
    use_pages=True,
    pages_folder="dashboard/pages",
    title=f"{programmes.current().short_name} national metrics",
    suppress_callback_exceptions=True,  # pages are laid out on demand
)
server = app.server
app.layout = shell.layout
health.register(server)
auth.register(server)  # sign-in, sessions, and the upload/restore endpoints

if __name__ == "__main__":
    app.run(host=settings.get("METRICS_HOST"), port=settings.get_int("METRICS_PORT"), debug=True)
