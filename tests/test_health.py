"""GET /healthz reports the store being read, and fails when it cannot be read."""

import app as dashboard_app


def test_healthz_reports_the_store_being_served(store):
    client = dashboard_app.server.test_client()
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 200
    assert (body["status"], body["programme"], body["latest_quarter"], body["last_event_id"],
            body["demo_data"]) == ("ok", "tcam", "Q2 2020/21", 150, True)
    assert body["database"] == store.current_database().name


def test_healthz_fails_when_the_store_is_unreadable(store):
    store.current_database().write_bytes(b"this is not a DuckDB file")
    (store.root / "CURRENT").write_text(store.current_database().name)
    store.events_dir.rename(store.root / "events-moved")  # nothing to rebuild from either
    for p in store.databases.glob("*.duckdb"):
        p.write_bytes(b"garbage")
    # a new store path, so no cached connection of an earlier test is reused
    client = dashboard_app.server.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"
