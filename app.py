"""The dashboard's entry point: `gunicorn app:server` (see Procfile) or `python app.py`.

Kept thin: read the settings once (a bad one stops start-up with a message naming it) and
build the app with `dashboard.create_app`.
"""

import sys

from dashboard import create_app
from etl.settings import Settings, SettingsError

try:
    settings = Settings.from_env()
except SettingsError as err:
    sys.exit(str(err))

app = create_app(settings)
server = app.server

if __name__ == "__main__":
    # The debugger runs code sent to it: only when METRICS_DEBUG asks for it.
    app.run(host=settings.host, port=settings.port, debug=settings.debug)
