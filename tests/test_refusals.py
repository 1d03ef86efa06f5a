"""Refusals and bugs told apart: the data layer's refusals (etl/errors.py) answer each with its
own status, from one place (dashboard/endpoints/refusals.py); anything else is a bug, and shows
as one (a 500 with its traceback in the log), never as a polite refusal."""

from __future__ import annotations

import json
import logging

from upload_helpers import build_seed_store, sign_in

from dashboard.endpoints.refusals import STATUS, status_of
from etl import errors
from etl.errors import Refusal
from tests.conftest import make_app, settings_for


def test_every_kind_of_refusal_has_its_status():
    kinds = {k for k in vars(errors).values() if isinstance(k, type) and issubclass(k, Refusal) and k is not Refusal}
    assert kinds == set(STATUS)
    assert [
        status_of(k("x") if k is not errors.StoreNotReady else k())
        for k in (
            errors.NotFound,
            errors.Conflict,
            errors.InvalidInput,
            errors.NotAllowed,
            errors.StoreBusy,
            errors.StoreNotReady,
        )
    ] == [404, 409, 400, 403, 503, 503]


def test_bad_input_is_a_400_and_a_state_that_forbids_it_a_409(tmp_path):
    root = tmp_path / "store"
    build_seed_store(root)
    client = make_app(settings_for(root)).server.test_client()
    csrf = sign_in(client, "", "nat")
    early = client.post("/quarters/q3_2020_21/due-date", data={"csrf_token": csrf, "due": "2020-01-01", "reason": "x"})
    assert early.status_code == 400
    assert early.json["error"].startswith("Nothing was changed: 01 January 2020 is before Q3 2020/21 starts")
    assert client.post("/history/4/quarantine", data={"csrf_token": csrf, "reason": "x"}).status_code == 200
    again = client.post("/history/4/quarantine", data={"csrf_token": csrf, "reason": "x"})
    assert (again.status_code, again.json["error"]) == (
        409,
        "Nothing was changed: submission 4 is already quarantined.",
    )


def test_a_bug_in_a_write_is_a_500_with_its_traceback_not_a_refusal(tmp_path, caplog):
    """A KeyError once passed for a refusal (LookupError) and answered a polite 409. An event
    file of a kind no code knows makes the store's write raise one now: it is a bug, and says so."""
    root = tmp_path / "store"
    store = build_seed_store(root)
    (store.events_dir / "000007.json").write_text(json.dumps({"kind": "no such kind", "id": 7}))
    client = make_app(settings_for(root)).server.test_client()
    csrf = sign_in(client, "", "wessex")
    with caplog.at_level(logging.ERROR):
        answer = client.post("/history/5/restore", data={"csrf_token": csrf})
    assert answer.status_code == 500
    assert any(
        "Exception on /history/5/restore" in r.getMessage() and r.exc_info and r.exc_info[0] is KeyError
        for r in caplog.records
    )
