"""Who may do what, tried for every role: every action etl/permissions.py decides, and every
endpoint the dashboard serves, each with the answer expected written out.

The roles: someone not signed in, an AHSN submitter acting on their own AHSN's things
(Wessex's), a submitter of another AHSN acting on them (KSS's submitter), and a national
administrator. Each role works on a store of its own, so no role's writes change what the
next one meets.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import replace

import pytest
from upload_helpers import PASSWORD, build_seed_store, csrf_from, fixture_bytes

from etl.permissions import POLICY, Action, allowed, why_not
from etl.programmes import TCAM
from etl.quarters import Quarter
from etl.store import Store
from etl.users import User
from tests.conftest import make_app, settings_for

ROLES = ("anonymous", "own", "other", "national")
PEOPLE = {
    "anonymous": None,
    "own": User("wessex", "ahsn", "Wessex", "s"),
    "other": User("kss", "ahsn", "KSS", "s"),
    "national": User("nat", "national", None, "s"),
}
ACCOUNT = {"own": "wessex", "other": "kss", "national": "nat"}

# Every action, asked of Wessex's things: may each role do it? (anonymous, own, other, national)
YES, NO = True, False
ACTIONS = {
    Action.SUBMIT: (NO, YES, NO, YES),
    Action.SEE_HISTORY: (NO, YES, NO, YES),
    Action.SEE_ORIGINALS: (NO, YES, NO, YES),
    Action.RESTORE: (NO, YES, NO, YES),
    Action.QUARANTINE: (NO, NO, NO, YES),
    Action.SIGN_OFF: (NO, NO, NO, YES),
    Action.SET_DUE_DATE: (NO, NO, NO, YES),
    Action.DECIDE_REVISION: (NO, NO, NO, YES),
    Action.APPROVE_OWN_REVISION: (NO, NO, NO, NO),  # a second administrator approves it
    Action.SEND_REMINDERS: (NO, NO, NO, YES),
    Action.SEE_COLLECTION: (NO, NO, NO, YES),
    Action.SET_TRAJECTORY: (NO, YES, NO, YES),  # TCAM lets each AHSN set its own
    Action.SET_CONDITIONS: (NO, NO, NO, YES),  # the national team records them, for every AHSN
    Action.SEE_PROVISIONAL: (NO, YES, NO, YES),  # unless METRICS_PROVISIONAL_PUBLIC opens them
    Action.SEE_COMMENTS: (NO, YES, NO, YES),  # unless METRICS_PUBLIC_COMMENTS opens them
    Action.GET_TEMPLATE: (YES, YES, YES, YES),  # a blank one
    Action.SEE_LAST_RETURN: (NO, YES, NO, YES),  # the template filled in from it
}


def test_every_action_has_a_rule_and_an_expected_answer_for_every_role():
    assert set(POLICY) == set(Action) == set(ACTIONS)


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.name)
def test_every_role_against_every_action(action):
    answers = tuple(allowed(PEOPLE[role], action, ahsn="Wessex", programme=TCAM) for role in ROLES)
    assert answers == ACTIONS[action]
    for role, yes in zip(ROLES, answers):
        assert (why_not(PEOPLE[role], action, ahsn="Wessex", programme=TCAM) is None) == yes


def test_a_programme_that_keeps_trajectories_national_refuses_submitters():
    national_only = replace(TCAM, submitters_set_trajectories=False)
    answers = [allowed(PEOPLE[r], Action.SET_TRAJECTORY, ahsn="Wessex", programme=national_only) for r in ROLES]
    assert answers == [NO, NO, NO, YES]
    assert why_not(PEOPLE["own"], Action.SET_TRAJECTORY, ahsn="Wessex", programme=national_only) == (
        "You may not set a trajectory for Wessex: that is for a national administrator (you are a submitter for "
        "Wessex)."
    )


def test_the_reasons_say_what_would_help():
    assert why_not(None, Action.SUBMIT, ahsn="Wessex") == "Sign in to upload returns."
    assert why_not(PEOPLE["own"], Action.QUARANTINE) == "Only the national team may quarantine or release a submission."
    assert why_not(PEOPLE["other"], Action.RESTORE, ahsn="Wessex") == (
        "You may not restore a submission for Wessex: that is for the AHSN's own submitters and the national team "
        "(you are a submitter for KSS)."
    )


# ---- every endpoint ----------------------------------------------------------------------------

# The seed (tests/upload_helpers.py): submissions 1-6 hold KSS, Oxford and Wessex for Q4 2019/20 and
# Q1 2020/21; Wessex's Q1 2020/21 is submission 5. Below, more is added: see `matrix_seed`.
NEW_TRAJECTORY = b"ahsn,quarter,target_percent\nWessex,Q4 2021/22,60\n"
NEW_CONDITIONS = b"ahsn,condition,present,evidence\nWessex,PHARMA,0,none in post\n"

# (rule, method, address, form, expected status for anonymous, own, other, national)
ENDPOINTS = [
    ("/signin", "GET", "/signin", None, (200, 302, 302, 302)),  # signed in: on to /upload
    ("/signin", "POST", "/signin", {"name": "{account}", "password": "not the password"}, (401, 401, 401, 401)),
    ("/session", "GET", "/session", None, (401, 200, 200, 200)),
    ("/healthz", "GET", "/healthz", None, (200, 200, 200, 200)),
    ("/upload/commit", "POST", "/upload/commit", {"file": "wessex-good.csv"}, (401, 200, 403, 200)),
    ("/upload/template", "GET", "/upload/template?ahsn=Wessex&quarter=Q2%202020/21", None, (200, 200, 200, 200)),
    ("/history/<int:submission_id>/counted.csv", "GET", "/history/5/counted.csv", None, (401, 200, 403, 200)),
    ("/history/<int:submission_id>/original", "GET", "/history/5/original", None, (401, 200, 403, 200)),
    ("/history/<int:submission_id>/restore", "POST", "/history/5/restore", {}, (401, 200, 403, 200)),
    (
        "/history/<int:submission_id>/quarantine",
        "POST",
        "/history/6/quarantine",
        {"reason": "checking it"},
        (401, 403, 403, 200),
    ),
    ("/history/<int:submission_id>/release", "POST", "/history/4/release", {"reason": "checked"}, (401, 403, 403, 200)),
    ("/quarters/<key>/sign-off", "POST", "/quarters/q2_2020_21/sign-off", {"incomplete": "yes"}, (401, 403, 403, 200)),
    # the sign-off's first address, kept for scripts
    ("/quarters/<key>/publish", "POST", "/quarters/q4_2019_20/publish", {"incomplete": "yes"}, (401, 403, 403, 200)),
    (
        "/quarters/<key>/due-date",
        "POST",
        "/quarters/q3_2020_21/due-date",
        {"due": "2021-03-01", "reason": "Easter"},
        (401, 403, 403, 200),
    ),
    ("/quarters/<key>/remind", "POST", "/quarters/q2_2020_21/remind", {}, (401, 403, 403, 409)),  # e-mail is off
    (
        "/revisions/<int:event_id>/approve",
        "POST",
        "/revisions/{approve}/approve",
        {"reason": "right"},
        (401, 403, 403, 200),
    ),
    (
        "/revisions/<int:event_id>/reject",
        "POST",
        "/revisions/{reject}/reject",
        {"reason": "wrong"},
        (401, 403, 403, 200),
    ),
    (
        "/trajectories/commit",
        "POST",
        "/trajectories/commit",
        {"trajectory": "t.csv", "reason": "agreed"},
        (401, 200, 403, 200),
    ),
    ("/trajectories/file.csv", "GET", "/trajectories/file.csv", None, (200, 200, 200, 200)),
    ("/trajectories/<int:event_id>/original", "GET", "/trajectories/{trajectory}/original", None, (401, 200, 403, 200)),
    ("/pathways/analysis.json", "GET", "/pathways/analysis.json", None, (200, 200, 200, 200)),
    (
        "/pathways/<any(raw, necessity, 'truth-table', solutions):table>.csv",
        "GET",
        "/pathways/truth-table.csv?conditions=NONDELAY,PHARMA",
        None,
        (200, 200, 200, 200),
    ),
    ("/pathways/conditions/file.csv", "GET", "/pathways/conditions/file.csv", None, (200, 200, 200, 200)),
    (
        "/pathways/conditions/commit",
        "POST",
        "/pathways/conditions/commit",
        {"conditions": "c.csv", "reason": "interviews"},
        (401, 403, 403, 200),
    ),
    (
        "/pathways/conditions/restore",
        "POST",
        "/pathways/conditions/restore",
        {"ahsn": "Wessex", "version": "1", "reason": "back"},
        (401, 403, 403, 200),
    ),
    (
        "/pathways/conditions/<int:event_id>/original",
        "GET",
        "/pathways/conditions/{conditions}/original",
        None,
        (401, 403, 403, 200),
    ),
    (
        "/download/<table>.<any(csv, xlsx, json):ext>",
        "GET",
        "/download/returns.csv?quarter=Q1%202020/21",
        None,
        (401, 403, 403, 200),
    ),
    (
        "/download/<table>.<any(csv, xlsx, json):ext>",
        "GET",
        "/download/national.csv?provisional=1",
        None,
        (200, 200, 200, 200),
    ),
    (
        "/download/<table>.<any(csv, xlsx, json):ext>",
        "GET",
        "/download/trusts.json?provisional=1",
        None,
        (200, 200, 200, 200),
    ),
    (
        "/download/ahsn/<slug>.<any(csv, xlsx, json):ext>",
        "GET",
        "/download/ahsn/wessex.csv",
        None,
        (200, 200, 200, 200),
    ),
    ("/download/<path:other>", "GET", "/download/nothing/here", None, (404, 404, 404, 404)),
    ("/signout", "POST", "/signout", {}, (303, 303, 303, 303)),  # last: it ends the session
]

# What each page offers each role: a phrase its first response holds.
PAGES = [
    (
        "/tcam/pathways",
        (
            "to record conditions",
            "Conditions are recorded by the national team",
            "Conditions are recorded by the national team",
            "Drop the file here",
        ),
    ),
    (
        "/tcam/upload",
        (
            "with the account the national team gave you",
            "Upload the filled-in file",
            "Upload the filled-in file",
            "Upload the filled-in file",
        ),
    ),
    (
        "/tcam/history",
        ("to see the returns you have uploaded", "Every file uploaded", "Every file uploaded", "Every file uploaded"),
    ),
    ("/tcam/returns", ("This page is for the national team", "See your AHSN", "See your AHSN", "Returns for")),
    (
        "/tcam/trajectories",
        (
            "to set a trajectory",
            "Download the current trajectories of Wessex",
            "Download the current trajectories of KSS",
            "Drop the file here",
        ),
    ),
]


@pytest.fixture(scope="module")
def matrix_seed(tmp_path_factory):
    """The upload seed, plus what the endpoints act on: Wessex's Q2 2020/21 (7), Q1 2020/21 signed
    off (8), two revisions of Wessex's Q1 2020/21 waiting (9, 10), Oxford's Q4 2019/20 (4)
    quarantined (11), and a Wessex trajectory (12), and Wessex's conditions (13)."""
    root = tmp_path_factory.mktemp("permissions") / "store"
    store = build_seed_store(root)
    store.load([("wessex-good.csv", fixture_bytes("wessex-good.csv"))], TCAM)
    store.sign_off(TCAM, Quarter.parse("Q1 2020/21"))
    wessex_q1 = (root / store.submission(5).stored_as).read_bytes()
    revisions = [wessex_q1.replace(b"acute,3,15", b"acute,4,15"), wessex_q1.replace(b"acute,2,35", b"acute,3,35")]
    assert revisions[0] != wessex_q1 != revisions[1]
    ids = [store.load([(f"wessex-q1-{n}.csv", c)], TCAM)[0].submission_id for n, c in enumerate(revisions)]
    store.quarantine(4, "checking it")
    [trajectory] = store.set_trajectory("t.csv", b"ahsn,quarter,target_percent\nWessex,Q4 2020/21,50\n", TCAM, "agreed")
    [conditions] = store.set_conditions(
        "c.csv", b"ahsn,condition,present\nWessex,PHARMA,1\n", TCAM, "the spring interviews"
    )
    return root, {"approve": ids[0], "reject": ids[1], "trajectory": trajectory.id, "conditions": conditions.id}


def _ask(client, csrf: str, method: str, address: str, form: dict | None, account: str):
    if method == "GET":
        return client.get(address)
    data = {}
    for key, value in (form or {}).items():
        if key == "file":
            data["file"] = (io.BytesIO(fixture_bytes(value)), value)
        elif key == "trajectory":
            data["file"] = (io.BytesIO(NEW_TRAJECTORY), value)
        elif key == "conditions":
            data["file"] = (io.BytesIO(NEW_CONDITIONS), value)
        else:
            data[key] = value.format(account=account)
    if csrf:
        data["csrf_token"] = csrf
    return client.post(address, data=data)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_against_every_endpoint(matrix_seed, tmp_path, role):
    template, ids = matrix_seed
    root = tmp_path / "store"
    shutil.copytree(template, root)
    client = make_app(settings_for(root)).server.test_client()
    account = ACCOUNT.get(role, "nobody")
    csrf = csrf_from(client.get("/signin").text)  # the sign-in form's token, until signed in
    if role != "anonymous":
        assert (
            client.post("/signin", data={"name": account, "password": PASSWORD, "csrf_token": csrf}).status_code == 303
        )
        csrf = client.get("/session").json["csrf_token"]
    column = ROLES.index(role)
    for path, phrases in PAGES:
        page = client.get(path)
        assert page.status_code == 200 and phrases[column] in page.text, (role, path)
    answers = {}
    for _rule, method, address, form, expected in ENDPOINTS:
        response = _ask(client, csrf, method, address.format(**ids), form, account)
        answers[(method, address)] = (response.status_code, expected[column])
    assert {k: got for k, (got, _) in answers.items()} == {k: want for k, (_, want) in answers.items()}
    Store(root).make_current()  # the writes' background builds are done or finished here


def test_the_matrix_covers_every_endpoint_the_dashboard_serves(matrix_seed):
    root, _ = matrix_seed
    server = make_app(settings_for(root)).server
    served = {
        (rule.rule, method)
        for rule in server.url_map.iter_rules()
        if server.view_functions[rule.endpoint].__module__.startswith("dashboard")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served == {(rule, method) for rule, method, *_ in ENDPOINTS}
