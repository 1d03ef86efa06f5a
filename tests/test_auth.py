"""Sign-in, sessions, rate limiting, CSRF and the server-side refusals, called directly
(Flask's test client on the real app and a real store: no page, no button involved)."""

from __future__ import annotations

import io
import json
import time

import pytest
from upload_helpers import PASSWORD, as_json, build_seed_store, copy_store, csrf_from, fixture_bytes, sign_in

from etl.queries import files
from etl.store import Store
from etl.users import Users
from tests.conftest import make_app, settings_for


@pytest.fixture(scope="session")
def seed_template(tmp_path_factory):
    root = tmp_path_factory.mktemp("upload-seed") / "store"
    build_seed_store(root)
    return root


@pytest.fixture
def seed(seed_template, tmp_path) -> Store:
    return copy_store(seed_template, tmp_path / "store")


def client_for(store: Store, **env):
    """A test client of a fresh app on the store, with the settings given."""
    return make_app(settings_for(store.root, **env)).server.test_client()


@pytest.fixture
def client(seed):
    return client_for(seed)


@pytest.fixture
def users(seed) -> Users:
    return Users(seed.root)


def upload(client, name, csrf="", **extra):
    data = {"file": (io.BytesIO(fixture_bytes(name)), name), **extra}
    if csrf:
        data["csrf_token"] = csrf
    return client.post("/upload/commit", data=data)


def wait_until(condition, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def submission_ids(store):
    return [e.id for e in store.events()]


# ---- signing in -----------------------------------------------------------------------------


def test_sign_in_and_out(client):
    assert client.get("/session").status_code == 401
    csrf = sign_in(client, "", "wessex")
    assert as_json(client.get("/session")) == {"user": "wessex", "role": "ahsn", "ahsn": "Wessex", "csrf_token": csrf}
    cookie = client.get_cookie("metrics_session")
    assert cookie.http_only and cookie.same_site == "Lax"
    assert client.post("/signout", data={"csrf_token": csrf}).status_code == 303
    assert client.get("/session").status_code == 401


def test_wrong_password_is_refused_without_saying_which_part(client):
    csrf = csrf_from(client.get("/signin").text)
    for name in ("wessex", "nobody"):
        page = client.post("/signin", data={"name": name, "password": "wrong password!", "csrf_token": csrf})
        assert page.status_code == 401
        assert "The user name or password is wrong." in page.text
    assert client.get("/session").status_code == 401


def test_sign_in_needs_the_csrf_token(client):
    page = client.post("/signin", data={"name": "wessex", "password": PASSWORD})
    assert page.status_code == 400
    assert client.get("/session").status_code == 401


def test_sign_in_is_limited_per_address_and_only_slowed_per_name(seed):
    client = client_for(seed, METRICS_LOGIN_ATTEMPTS="3")
    csrf = csrf_from(client.get("/signin").text)
    for _ in range(3):
        assert (
            client.post(
                "/signin", data={"name": "wessex", "password": "guess guess guess", "csrf_token": csrf}
            ).status_code
            == 401
        )
    # this address has used its tries: the right password is not even checked...
    blocked = client.post("/signin", data={"name": "wessex", "password": PASSWORD, "csrf_token": csrf})
    assert blocked.status_code == 429
    assert "Too many failed sign-ins from your network address. Wait 15 minutes" in blocked.text
    # 15 minutes from the first failure: a second or more may have passed on a busy machine
    assert 890 <= int(blocked.headers["Retry-After"]) <= 900
    assert "reset" not in blocked.text  # others' failures are no reason to change a password
    # ...for any name
    assert client.post("/signin", data={"name": "kss", "password": PASSWORD, "csrf_token": csrf}).status_code == 429
    # but the account is not locked: from another address its owner signs in at once
    other = client.application.test_client()
    elsewhere = {"REMOTE_ADDR": "10.0.0.9"}
    csrf2 = csrf_from(other.get("/signin", environ_base=elsewhere).text)
    ok = other.post(
        "/signin", data={"name": "wessex", "password": PASSWORD, "csrf_token": csrf2}, environ_base=elsewhere
    )
    assert ok.status_code == 303
    # the count is kept in the store folder, shared by every worker
    assert (seed.root / "signin_attempts.sqlite").exists()


def test_behind_a_proxy_the_rate_limit_counts_the_users_address_and_cookies_need_https(seed):
    """With METRICS_PROXIES=1 the address is the proxy's X-Forwarded-For, not the proxy's own."""
    server = make_app(
        settings_for(seed.root, METRICS_PROXIES="1", METRICS_SECURE_COOKIES="true", METRICS_LOGIN_ATTEMPTS="2")
    ).server
    proxy = {"REMOTE_ADDR": "10.0.0.1"}  # every request arrives from the proxy

    def via(client, user_address, method, path, **kwargs):
        headers = {"X-Forwarded-For": user_address, "X-Forwarded-Proto": "https"}
        return getattr(client, method)(path, headers=headers, environ_base=proxy, **kwargs)

    guesser, colleague = server.test_client(), server.test_client()
    csrf = csrf_from(via(guesser, "203.0.113.7", "get", "/signin").text)
    for name in ("kss", "wessex"):
        assert (
            via(
                guesser,
                "203.0.113.7",
                "post",
                "/signin",
                data={"name": name, "password": "guess guess guess", "csrf_token": csrf},
            ).status_code
            == 401
        )
    assert (
        via(
            guesser, "203.0.113.7", "post", "/signin", data={"name": "nat", "password": PASSWORD, "csrf_token": csrf}
        ).status_code
        == 429
    )
    # a colleague behind the same proxy, at another address, is not locked out by the guesser
    csrf = csrf_from(via(colleague, "198.51.100.4", "get", "/signin").text)
    assert (
        via(
            colleague, "198.51.100.4", "post", "/signin", data={"name": "nat", "password": PASSWORD, "csrf_token": csrf}
        ).status_code
        == 303
    )
    cookie = colleague.get_cookie("metrics_session")
    assert cookie.secure and cookie.http_only


def test_the_next_address_is_only_ever_local(client):
    csrf = csrf_from(client.get("/signin").text)
    page = client.post(
        "/signin", data={"name": "wessex", "password": PASSWORD, "csrf_token": csrf, "next": "https://evil.example/"}
    )
    assert page.headers["Location"] == "/upload"


def test_password_change_and_removal_end_sessions(client, users):
    sign_in(client, "", "wessex")
    users.set_password("wessex", "another long password")
    assert client.get("/session").status_code == 401
    sign_in(client, "", "wessex", "another long password")
    assert client.get("/session").status_code == 200
    users.remove("wessex")
    assert client.get("/session").status_code == 401


def test_secret_key_is_generated_once_in_the_store_folder(client, seed):
    sign_in(client, "", "wessex")
    key_file = seed.root / "secret_key"
    assert len(key_file.read_text()) == 64 and oct(key_file.stat().st_mode)[-3:] == "600"
    assert client.get("/session").status_code == 200  # the same key signs and reads


def test_require_login_closes_every_page(client, seed):
    assert client.get("/tcam/upload").status_code == 200  # open by default
    client = client_for(seed, METRICS_REQUIRE_LOGIN="true")
    page = client.get("/tcam/returns?quarter=Q1+2020/21")
    assert page.status_code == 302
    assert page.headers["Location"] == "/signin?next=/tcam/returns%3Fquarter%3DQ1%2B2020/21"
    assert client.get("/_dash-layout").status_code == 401
    assert client.post("/_dash-update-component", json={}).status_code == 401
    assert client.get("/healthz").status_code == 200
    assert client.get("/signin").status_code == 200
    sign_in(client, "", "kss")
    assert client.get("/_dash-layout").status_code == 200


# ---- the upload, restore and download endpoints refuse ---------------------------------------


def test_commit_without_a_session_is_refused(client, seed):
    before = submission_ids(seed)
    page = upload(client, "wessex-good.csv", csrf="made-up")
    assert page.status_code == 401
    assert as_json(page) == {"error": "Sign in first: uploading and restoring need a user account."}
    assert submission_ids(seed) == before


def test_commit_without_the_csrf_token_is_refused(client, seed):
    sign_in(client, "", "wessex")
    before = submission_ids(seed)
    page = upload(client, "wessex-good.csv")
    assert page.status_code == 400
    assert submission_ids(seed) == before


def test_commit_of_another_ahsns_return_is_refused(client, seed):
    csrf = sign_in(client, "", "wessex")
    before = submission_ids(seed)
    page = upload(client, "kss-good.csv", csrf)
    assert page.status_code == 403
    assert as_json(page)["error"] == (
        "This file holds returns for KSS. You are a submitter for Wessex, so you may only upload "
        "Wessex's returns. Remove the other AHSNs' rows, or ask the national team to load them."
    )
    assert submission_ids(seed) == before


def test_commit_of_own_return_is_stored_like_the_command_line(client, seed):
    csrf = sign_in(client, "", "wessex")
    page = upload(client, "wessex-good.csv", csrf)
    assert page.status_code == 200
    answer = as_json(page)
    assert answer["stored"] == [
        {
            "submission_id": 7,
            "file_name": "wessex-good.csv",
            "returns": [["Wessex", "Q2 2020/21", 5]],
            "waiting_for_approval": [],
            "warnings": 0,
        }
    ]
    assert answer["figures_updated"] in (True, False)  # the database is built after the answer
    event = seed.event(7)
    assert (event.loaded_by, event.source) == ("wessex", "upload page (127.0.0.1)")
    assert seed.original_bytes(event) == fixture_bytes("wessex-good.csv")
    assert wait_until(seed.is_current)  # published in the background
    assert files.last_event_in(seed.current_database()) == 7


def test_commit_of_a_malformed_file_lists_its_problems_and_stores_nothing(client, seed):
    csrf = sign_in(client, "", "wessex")
    page = upload(client, "wessex-malformed.csv", csrf)
    assert page.status_code == 422
    problems = [(p["row"], p["column"]) for p in as_json(page)["problems"]]
    assert problems == [(2, "adoption_level"), (3, "referrals_completed"), (4, "trust_code"), (5, "quarter")]
    assert submission_ids(seed) == [1, 2, 3, 4, 5, 6]


def test_a_national_administrator_may_commit_any_ahsn(client, seed):
    csrf = sign_in(client, "", "nat")
    assert upload(client, "kss-good.csv", csrf).status_code == 200


def test_a_preview_token_works_only_for_its_own_user(client, seed, users):
    from dashboard.context import services

    with client.application.app_context():
        token = services().pending.save("kss", "kss-good.csv", fixture_bytes("kss-good.csv"))
    csrf = sign_in(client, "", "wessex")
    page = client.post("/upload/commit", data={"csrf_token": csrf, "token": token})
    assert page.status_code == 404
    assert submission_ids(seed) == [1, 2, 3, 4, 5, 6]


def kss_submission(seed) -> int:
    return next(e.id for e in seed.events() if e.returns[0].ahsn == "KSS")


def test_restore_refusals(client, seed):
    kss = kss_submission(seed)
    assert client.post(f"/history/{kss}/restore", data={"csrf_token": "x"}).status_code == 401
    csrf = sign_in(client, "", "wessex")
    assert client.post(f"/history/{kss}/restore").status_code == 400  # no CSRF token
    refused = client.post(f"/history/{kss}/restore", data={"csrf_token": csrf})
    assert refused.status_code == 403
    assert client.post("/history/999/restore", data={"csrf_token": csrf}).status_code == 404
    assert [e.kind for e in seed.events()] == ["submission"] * 6


def test_restore_of_own_submission_keeps_everything(client, seed):
    csrf = sign_in(client, "", "kss")
    kss = kss_submission(seed)
    page = client.post(f"/history/{kss}/restore", data={"csrf_token": csrf, "from_page": "1"})
    assert (page.status_code, page.headers["Location"]) == (303, f"/history?restored={kss}")
    restore = seed.events()[-1]
    assert (restore.kind, restore.submission_id, restore.loaded_by) == ("restore", kss, "kss")
    assert len(seed.events()) == 7  # nothing deleted


def test_download_of_the_original(client, seed):
    kss = kss_submission(seed)
    assert client.get(f"/history/{kss}/original").status_code == 401
    sign_in(client, "", "wessex")
    assert client.get(f"/history/{kss}/original").status_code == 403
    client.post("/signout", data={"csrf_token": as_json(client.get("/session"))["csrf_token"]})
    sign_in(client, "", "kss")
    page = client.get(f"/history/{kss}/original")
    assert page.status_code == 200
    assert page.headers["Content-Disposition"] == f"attachment; filename=submission-{kss}-kss-q1-2020.csv"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.data == (seed.root / seed.event(kss).stored_as).read_bytes()


def test_template_download_neutralises_formula_cells(client, seed):
    csrf = sign_in(client, "", "wessex")
    # a return whose trust names a spreadsheet would run, and one with markup
    assert upload(client, "wessex-hostile.csv", csrf).status_code == 200
    assert wait_until(seed.is_current)
    page = client.get("/upload/template?ahsn=Wessex&quarter=Q3+2020/21")
    assert page.headers["Content-Disposition"] == "attachment; filename=tcam-return-wessex-q3_2020_21.csv"
    lines = page.data.decode("utf-8-sig").splitlines()
    assert lines == [
        "quarter,ahsn,trust_code,trust_name,trust_type,adoption_level,referrals_made,referrals_completed",
        "Q3 2020/21,Wessex,RHM,'+Southampton General,acute,3,,",
        "Q3 2020/21,Wessex,RW1,'-Southern Health,mental_health,2,,",
        "Q3 2020/21,Wessex,RHU,<script>alert('x')</script><b>Portsmouth</b>,acute,4,,",
        'Q3 2020/21,Wessex,R1F,"\'=HYPERLINK(""http://evil.example"",""click"")",acute,4,,',
        "Q3 2020/21,Wessex,RN3,'@Great Western Hospitals,acute,2,,",
    ]


def test_files_over_the_limit_or_not_returns_are_refused(client, seed):
    csrf = sign_in(client, "", "wessex")
    page = upload(client, "not-a-return.pdf", csrf)
    assert page.status_code == 422
    assert [p["message"] for p in as_json(page)["problems"]] == [
        "this is not a CSV, Excel or OpenDocument spreadsheet file"
    ]
    client = client_for(seed, METRICS_MAX_UPLOAD_BYTES="100")
    csrf = sign_in(client, "", "wessex")
    page = upload(client, "wessex-good.csv", csrf)
    assert page.status_code == 422
    assert as_json(page)["problems"][0]["message"] == "the file is 373 bytes, over the limit of 100 bytes"
    assert submission_ids(seed) == [1, 2, 3, 4, 5, 6]
    assert json.loads((seed.root / "users.json").read_text())  # untouched, still readable


def test_quarantine_is_for_the_national_team_with_a_reason(client, seed):
    kss = kss_submission(seed)
    assert client.post(f"/history/{kss}/quarantine", data={"reason": "x"}).status_code == 401
    csrf = sign_in(client, "", "kss")
    refused = client.post(f"/history/{kss}/quarantine", data={"csrf_token": csrf, "reason": "mine"})
    assert refused.status_code == 403
    assert as_json(refused)["error"] == "Only the national team may quarantine or release a submission."
    client.post("/signout", data={"csrf_token": csrf})
    csrf = sign_in(client, "", "nat")
    assert client.post(f"/history/{kss}/quarantine", data={"reason": "x"}).status_code == 400  # no CSRF
    assert client.post(f"/history/{kss}/quarantine", data={"csrf_token": csrf, "reason": "  "}).status_code == 400
    assert client.post("/history/999/quarantine", data={"csrf_token": csrf, "reason": "r"}).status_code == 404
    assert [e.kind for e in seed.events()] == ["submission"] * 6
    page = client.post(
        f"/history/{kss}/quarantine", data={"csrf_token": csrf, "reason": "duplicate upload", "from_page": "1"}
    )
    assert (page.status_code, page.headers["Location"]) == (303, f"/history?quarantined={kss}")
    event = seed.events()[-1]
    assert (event.kind, event.submission_id, event.reason, event.loaded_by) == (
        "quarantine",
        kss,
        "duplicate upload",
        "nat",
    )
    again = client.post(f"/history/{kss}/quarantine", data={"csrf_token": csrf, "reason": "r"})
    assert again.status_code == 409
    assert client.post(f"/history/{kss}/release", data={"csrf_token": csrf, "reason": "ok"}).status_code == 200


def test_the_session_cookie_is_secure_whenever_the_request_came_over_https(seed):
    """Issue 22: the cookie's Secure flag was off unless configured, even behind HTTPS."""

    def cookie(client, **kwargs) -> str:
        csrf = csrf_from(client.get("/signin", **kwargs).text)
        answer = client.post("/signin", data={"name": "wessex", "password": PASSWORD, "csrf_token": csrf}, **kwargs)
        return "; ".join(answer.headers.getlist("Set-Cookie"))

    plain = client_for(seed)
    assert "metrics_session=" in cookie(plain) and "Secure" not in cookie(plain.application.test_client())
    assert "Secure" in cookie(client_for(seed).application.test_client(), base_url="https://localhost")
    behind = client_for(seed, METRICS_PROXIES="1").application.test_client()
    assert "Secure" in cookie(behind, headers={"X-Forwarded-Proto": "https"})
    forced = client_for(seed, METRICS_SECURE_COOKIES="true").application.test_client()
    assert "Secure" in cookie(forced)
