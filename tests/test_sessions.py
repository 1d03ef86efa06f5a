"""Sessions live on the server: signing out, idling and the absolute lifetime end them for
every copy of the cookie, and the cookie alone grants nothing. A real app on a real seed
store (Flask's test client); the slow tests repeat the key attacks on gunicorn's workers."""

from __future__ import annotations

import io
import sqlite3

import pytest
import requests
from flask.sessions import SecureCookieSessionInterface
from upload_helpers import PASSWORD, as_json, build_seed_store, copy_store, fixture_bytes, seed_server, sign_in

from dashboard.security.sessions import Sessions
from etl.store import Store
from etl.users import Users
from tests.conftest import make_app, settings_for


@pytest.fixture(scope="session")
def seed_template(tmp_path_factory):
    root = tmp_path_factory.mktemp("sessions-seed") / "store"
    build_seed_store(root)
    return root


@pytest.fixture
def seed(seed_template, tmp_path) -> Store:
    return copy_store(seed_template, tmp_path / "store")


@pytest.fixture
def app(seed):
    return make_app(settings_for(seed.root))


def cookie_of(client) -> str:
    return client.get_cookie("metrics_session").value


def with_cookie(app, value: str):
    """Another browser holding a copy of someone's cookie."""
    thief = app.server.test_client()
    thief.set_cookie("metrics_session", value)
    return thief


def cookie_contents(app, value: str) -> dict:
    serializer = SecureCookieSessionInterface().get_signing_serializer(app.server)
    return serializer.loads(value)


def age_sessions(root, idle_seconds: float = 0, since_sign_in: float = 0) -> None:
    """Move every session record back in time, as if that long had passed."""
    with sqlite3.connect(root / "sessions.sqlite") as con:
        con.execute("UPDATE sessions SET seen = seen - ?, started = started - ?", (idle_seconds, since_sign_in))


def test_signing_out_ends_the_session_for_a_copied_cookie_too(app):
    owner = app.server.test_client()
    csrf = sign_in(owner, "", "wessex")
    thief = with_cookie(app, cookie_of(owner))
    assert as_json(thief.get("/session"))["user"] == "wessex"  # a copy works while the session lives
    assert owner.post("/signout", data={"csrf_token": csrf}).status_code == 303
    assert thief.get("/session").status_code == 401
    assert thief.get("/history/1/original").status_code == 401
    refused = thief.post(
        "/upload/commit",
        data={"csrf_token": csrf, "file": (io.BytesIO(fixture_bytes("wessex-good.csv")), "wessex-good.csv")},
    )
    assert refused.status_code == 401


def test_the_cookie_carries_only_the_session_id_and_the_store_only_its_hash(app, seed):
    client = app.server.test_client()
    client.get("/signin")
    assert set(cookie_contents(app, cookie_of(client))) == {"csrf"}  # before sign-in: the form's token
    sign_in(client, "", "wessex")
    contents = cookie_contents(app, cookie_of(client))
    assert set(contents) - {"_permanent"} == {"sid"}  # (Flask's mark of a cookie with an expiry)
    stored = (seed.root / "sessions.sqlite").read_bytes()
    wal = seed.root / "sessions.sqlite-wal"
    stored += wal.read_bytes() if wal.exists() else b""
    assert contents["sid"].encode() not in stored  # reading the file gives nobody a cookie


def test_a_cookie_naming_a_user_signs_nobody_in(app, seed):
    """The old cookie format (user, stamp, CSRF token), even signed with the real key, is
    not a session: only a record on the server is."""
    user = Users(seed.root).get("nat")
    serializer = SecureCookieSessionInterface().get_signing_serializer(app.server)
    forged = serializer.dumps({"user": user.name, "stamp": user.stamp, "csrf": "x" * 43})
    assert with_cookie(app, forged).get("/session").status_code == 401
    made_up = serializer.dumps({"sid": "x" * 43})
    assert with_cookie(app, made_up).get("/session").status_code == 401


def test_a_session_ends_after_the_idle_time(app, seed):
    client = app.server.test_client()
    sign_in(client, "", "wessex")
    age_sessions(seed.root, idle_seconds=59 * 60)
    assert client.get("/session").status_code == 200  # 59 minutes idle: still live (default 60)
    age_sessions(seed.root, idle_seconds=61 * 60)
    assert client.get("/session").status_code == 401
    with sqlite3.connect(seed.root / "sessions.sqlite") as con:
        assert con.execute("SELECT count(*) FROM sessions").fetchone() == (0,)  # and forgotten


def test_a_busy_session_still_ends_after_its_absolute_lifetime(seed):
    app = make_app(settings_for(seed.root, METRICS_SESSION_HOURS="2"))
    client = app.server.test_client()
    sign_in(client, "", "wessex")
    age_sessions(seed.root, since_sign_in=119 * 60)  # in use all along: never idle
    assert client.get("/session").status_code == 200
    age_sessions(seed.root, since_sign_in=2 * 60)
    assert client.get("/session").status_code == 401
    cookie = client.get_cookie("metrics_session")
    assert cookie is None or cookie.expires is not None  # the cookie itself is not renewed forever


def test_use_restarts_the_idle_clock_but_not_the_absolute_one(tmp_path):
    now = [1_000_000.0]
    sessions = Sessions(tmp_path, idle_seconds=600, lifetime_seconds=3600, clock=lambda: now[0])
    session_id, _ = sessions.start("wessex", "stamp")
    for _ in range(5):  # used every 9 minutes for 45 minutes: never idle for 10
        now[0] += 9 * 60
        assert sessions.find(session_id) is not None
    now[0] += 9 * 60
    assert sessions.find(session_id) is not None  # 54 minutes in
    now[0] += 7 * 60
    assert sessions.find(session_id) is None  # 61 minutes: past the absolute hour
    other, _ = sessions.start("wessex", "stamp")
    now[0] += 11 * 60
    assert sessions.find(other) is None  # idle for 11 minutes


def test_a_csrf_token_cannot_be_replayed_after_sign_out_or_in_a_new_session(app, seed):
    client = app.server.test_client()
    old_csrf = sign_in(client, "", "kss")
    old_cookie = cookie_of(client)
    client.post("/signout", data={"csrf_token": old_csrf})
    kss = next(e.id for e in seed.events() if e.returns[0].ahsn == "KSS")
    # the old cookie and token together: the session is gone
    replay = with_cookie(app, old_cookie)
    assert replay.post(f"/history/{kss}/restore", data={"csrf_token": old_csrf}).status_code == 401
    # signed in again, the old token is not this session's
    new_csrf = sign_in(client, "", "kss")
    assert new_csrf != old_csrf
    assert client.post(f"/history/{kss}/restore", data={"csrf_token": old_csrf}).status_code == 400
    assert [e.kind for e in seed.events()] == ["submission"] * 6


def test_signing_in_again_replaces_the_session(app):
    client = app.server.test_client()
    csrf = sign_in(client, "", "wessex")
    first = cookie_of(client)
    again = client.post("/signin", data={"name": "wessex", "password": PASSWORD, "csrf_token": csrf})
    assert again.status_code == 303
    assert cookie_of(client) != first  # a new id at every sign-in: no fixation
    assert with_cookie(app, first).get("/session").status_code == 401


def test_two_browsers_have_separate_sessions(app):
    laptop, phone = app.server.test_client(), app.server.test_client()
    laptop_csrf = sign_in(laptop, "", "nat")
    sign_in(phone, "", "nat")
    laptop.post("/signout", data={"csrf_token": laptop_csrf})
    assert laptop.get("/session").status_code == 401
    assert phone.get("/session").status_code == 200


def test_signing_in_in_a_loop_keeps_at_most_20_sessions_per_user(app, seed):
    clients = [app.server.test_client() for _ in range(22)]
    for client in clients:  # a script that signs in again and again, dropping each cookie
        sign_in(client, "", "kss")
    with sqlite3.connect(seed.root / "sessions.sqlite") as con:
        assert con.execute("SELECT count(*) FROM sessions WHERE user = 'kss'").fetchone() == (20,)
    assert [c.get("/session").status_code for c in clients] == [401] * 2 + [200] * 20  # the oldest ended


def test_sign_out_without_the_csrf_token_ends_nothing(app):
    client = app.server.test_client()
    sign_in(client, "", "wessex")
    assert client.post("/signout").status_code == 303
    assert client.get("/session").status_code == 200


def test_a_password_change_ends_sessions_in_every_browser(app, seed):
    laptop, phone = app.server.test_client(), app.server.test_client()
    sign_in(laptop, "", "wessex")
    sign_in(phone, "", "wessex")
    Users(seed.root).set_password("wessex", "a brand new long password")
    assert laptop.get("/session").status_code == 401
    assert phone.get("/session").status_code == 401


# ---- on gunicorn: the cookie is copied to a request another worker answers -------------------


@pytest.mark.slow
def test_on_gunicorn_sign_out_ends_a_copied_cookie_in_every_worker(tmp_path):
    with seed_server(tmp_path / "store", workers=3) as (live, _store):
        owner = requests.Session()
        csrf = sign_in(owner, live.url, "nat")
        thieves = []
        for _ in range(6):  # several connections: requests land on different workers
            thief = requests.Session()
            thief.cookies.set("metrics_session", owner.cookies["metrics_session"])
            assert thief.get(live.url + "/session", timeout=30).status_code == 200
            thieves.append(thief)
        signed_out = owner.post(live.url + "/signout", data={"csrf_token": csrf}, allow_redirects=False, timeout=30)
        assert signed_out.status_code == 303
        for thief in thieves:
            assert thief.get(live.url + "/session", timeout=30).status_code == 401
            page = thief.post(
                live.url + "/signin", data={"name": "nat", "password": "wrong", "csrf_token": csrf}, timeout=30
            )
            assert page.status_code == 400  # the stolen token signs nobody in either
