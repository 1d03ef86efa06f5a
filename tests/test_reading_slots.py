"""An in-cap costly workbook cannot tie up the site (issue 22): one file read per user at a
time, and METRICS_READS_AT_ONCE across every worker; a read that may not start is answered
at once (429 for the user's second, 503 with Retry-After when every slot is taken), so no
worker waits for one. Locks are held by open files, as another worker's read holds them."""

from __future__ import annotations

import io

import pytest
from upload_helpers import build_seed_store, copy_store, fixture_bytes, sign_in

from dashboard.security.reading_slots import ReadingRefused, ReadingSlots
from tests.conftest import make_app, settings_for


def test_one_read_per_user_and_a_few_at_once(tmp_path):
    slots = ReadingSlots(tmp_path, at_once=2)
    with slots.reading("wessex"):
        with pytest.raises(ReadingRefused) as second, slots.reading("wessex"):
            pass
        assert second.value.status == 429
        with slots.reading("kss"):
            with pytest.raises(ReadingRefused) as third, slots.reading("nat"):
                pass
            assert third.value.status == 503
    with slots.reading("nat"), slots.reading("wessex"):  # released when each read ends
        pass


@pytest.fixture
def app(tmp_path):
    template = tmp_path / "seed"
    build_seed_store(template)
    root = copy_store(template, tmp_path / "store").root
    return make_app(settings_for(root, METRICS_READS_AT_ONCE="1"))


def test_a_second_upload_while_the_first_is_read_is_answered_at_once(app):
    client = app.server.test_client()
    csrf = sign_in(client, "", "wessex")
    slots = app.server.extensions["metrics"].reading
    events = len(app.server.extensions["metrics"].store.events())

    def upload():
        data = {"csrf_token": csrf, "file": (io.BytesIO(fixture_bytes("wessex-good.csv")), "wessex-good.csv")}
        return client.post("/upload/commit", data=data)

    with slots.reading("wessex"):  # the user's first file, being read (by this or another worker)
        second = upload()
        assert second.status_code == 429
        assert "A file you sent is still being read" in second.json["error"]
    with slots.reading("kss"):  # every slot taken by other users' files
        busy = upload()
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "30"
        assert "nothing was stored" in busy.json["error"]
        trajectory = client.post(
            "/trajectories/commit",
            data={"csrf_token": csrf, "reason": "x", "file": (io.BytesIO(b"ahsn,quarter,target_percent\n"), "t.csv")},
        )
        assert trajectory.status_code in (403, 503)  # refused before any reading
    assert len(app.server.extensions["metrics"].store.events()) == events
    assert upload().status_code == 200  # once the slot is free, the file is read and stored
