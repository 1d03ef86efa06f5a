"""GET /healthz: is the store readable, and which data is being served."""

from __future__ import annotations

from flask import Flask, jsonify

from etl import programmes, queries


def register(server: Flask) -> None:
    @server.get("/healthz")
    def healthz():
        try:
            status = queries.store_status(programmes.current())
        except Exception as err:  # any failure to read the store means unhealthy
            return jsonify(status="error", error=f"{type(err).__name__}: {err}"), 503
        loaded = status["last_loaded_at"]
        return jsonify(
            status="ok",
            programme=programmes.current().code,
            database=status["database"],
            built_at=status["built_at"],
            last_event_id=status["last_event_id"],
            last_loaded_at=loaded.isoformat() if loaded is not None else None,
            latest_quarter=status["latest_quarter"],
            demo_data=status["demo_returns"] > 0,
        )
