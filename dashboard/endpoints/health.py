"""GET /healthz: is the store readable, which data is being served, and is it up to date.

`status` is "ok" when the database being served holds every stored event; "updating" (still
200) for the few seconds after a write is stored and before the database is made current; and
"behind" (503) when stored events have waited longer than STALE_AFTER_SECONDS: pages are
serving figures older than what was stored, and someone should look. "events left out" (200:
every other event is served) when the build could not hold an event and left it out of the
figures (etl/store/database.py): `left_out` lists each by number and kind only (this address is
public); the history page and `python -m etl history` say what each is and why.
"""

from __future__ import annotations

import time

from flask import Blueprint, jsonify

from dashboard.context import services
from etl import queries
from etl.errors import StoreNotReady

STALE_AFTER_SECONDS = 120
blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz():
    ctx = services()
    try:
        status = queries.store_status(ctx.db, ctx.programme)
        stored = ctx.store.last_event_id()
        left_out = queries.left_out_events(ctx.db)
    except StoreNotReady as err:
        return jsonify(status="error", error=str(err)), 503
    except Exception as err:  # any failure to read the store means unhealthy
        # the kind of failure only: a message may hold the store's path
        return jsonify(status="error", error=f"the store cannot be read ({type(err).__name__})"), 503
    waiting = stored - status.last_event_id
    state, code = "ok", 200
    if waiting > 0:
        since = ctx.store.committed_at(status.last_event_id + 1)
        late = since is not None and time.time() - since > STALE_AFTER_SECONDS
        state, code = ("behind", 503) if late else ("updating", 200)
    elif len(left_out):
        state = "events left out"
    loaded = status.last_loaded_at
    return jsonify(
        status=state,
        programme=ctx.programme.code,
        database=status.database,
        built_at=status.built_at,
        last_event_id=status.last_event_id,
        events_stored=stored,
        events_waiting=max(waiting, 0),
        last_loaded_at=loaded.isoformat() if loaded is not None else None,
        latest_quarter=status.latest_quarter,
        demo_data=status.demo_returns > 0,
        left_out=[{"event": int(r["id"]), "kind": r["kind"]} for r in left_out.to_dict("records")],
    ), code
