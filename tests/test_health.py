"""GET /healthz reports the store being read, and fails when it cannot be read."""

from tests.conftest import make_app


def test_healthz_reports_the_store_being_served(store, settings):
    client = make_app(settings).server.test_client()
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 200
    assert (body["status"], body["programme"], body["latest_quarter"], body["last_event_id"], body["demo_data"]) == (
        "ok",
        "tcam",
        "Q2 2020/21",
        160,
        True,
    )
    assert body["database"] == store.current_database().name


def test_healthz_fails_when_the_store_is_unreadable_without_showing_where_it_is(store, settings):
    store.current_database().write_bytes(b"this is not a DuckDB file")
    (store.root / "CURRENT").write_text(store.current_database().name)
    store.events_dir.rename(store.root / "events-moved")  # nothing to rebuild from either
    for p in store.databases.glob("*.duckdb"):
        p.write_bytes(b"garbage")
    client = make_app(settings).server.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"
    assert str(store.root) not in response.get_data(as_text=True)
