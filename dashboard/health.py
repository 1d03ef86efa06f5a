"""GET /healthz: is the store readable, and which data is being served."""

from __future__ import annotations

from flask import Flask, jsonify

from dashboard.context import services
from etl import queries
from etl.store import StoreNotReady


def register(server: Flask) -> None:
    @server.get("/healthz")
    def healthz():
        ctx = services()
        try:
            status = queries.store_status(ctx.db, ctx.programme)
        except StoreNotReady as err:
            return jsonify(status="error", error=str(err)), 503
        except Exception as err:  # any failure to read the store means unhealthy
            # the kind of failure only: a message may hold the store's path
            return jsonify(status="error", error=f"the store cannot be read ({type(err).__name__})"), 503
        loaded = status.last_loaded_at
        return jsonify(
            status="ok",
            programme=ctx.programme.code,
            database=status.database,
            built_at=status.built_at,
            last_event_id=status.last_event_id,
            last_loaded_at=loaded.isoformat() if loaded is not None else None,
            latest_quarter=status.latest_quarter,
            demo_data=status.demo_returns > 0,
        )
