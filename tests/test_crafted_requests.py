"""Crafted requests at every endpoint and every Dash callback of a real app: each is answered
(400, 401, 403, 404, 405, 413, 429 or an ordinary page), never with a 500, a traceback or the
store's path. The corpus is built from the app itself, so an endpoint or callback added later
is attacked too; the slow test sends malformed HTTP to a real gunicorn."""

from __future__ import annotations

import json
import re
import socket

import pytest
from upload_helpers import build_seed_store, copy_store, seed_server, sign_in

from tests.conftest import make_app, settings_for

QUARTERS = [
    "Q5 2019/20",
    "Q1 2019/21",
    "Q0 0/1",
    "Q1 99999/100000",
    "Q1 -5/-4",
    "Q3 2019/20,Q5 2019/20",
    "q3 2019/20",
    "Q3 2019/20" * 500,
]
TEXT = [
    "",
    "x" * 5000,
    "\x00",
    "\r\nX-Injected: yes",
    "' OR 1=1 --",
    "%",
    "%00",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "\u202eevil",
    '=HYPERLINK("http://evil.example")',
    "All AHSNs",
    "Wessex",
    "data:text/csv;base64,!!!!",
    "data:;base64," + "A" * 100,
    "/",
    "//evil.example",
    "?ahsn=\x00&quarter=Q9",
]
VALUES = (
    [
        None,
        0,
        -1,
        10**30,
        1.5,
        float("1e308"),
        True,
        [],
        [None],
        ["x" * 5000],
        ["Q1 2019/20"] * 300,
        {"a": 1},
        [{"a": 1}],
        [[1]],
    ]
    + TEXT
    + QUARTERS
)
QUERIES = [
    "quarter=Q5+2019/20",
    "quarters=Q1+0/1,Q9+9/9",
    "quarter=" + "x" * 5000,
    "ahsn=%00",
    "stored=9" * 30,
    "restored=-1",
    "quarter[]=a",
    "quarter=Q1%202019/20&quarter=Q2%202019/20",
    "next=%0d%0aX:%20y",
    "next=/%09/evil.example",
    "next=" + "a" * 5000,
    "next=%00",
    "next=/%E2%82%AC",
    "format=xlsx",
    "ahsn=Wessex&quarter=" + "9" * 5000,
    "ahsns=" + ",".join(["wessex"] * 300),
    "%ff=%fe",
]
PATH_VALUES = {
    "int": ["0", "1", "99999999999999999999999", "-1"],
    "path": ["x", "..%2f..%2fapp.py", "%00", "a" * 3000, "dash/../../x.js", "dash%2f%2e%2e%2fx"],
    "string": ["x", "dash", "plotly", "%00"],
    "default": ["x", "%00", "..%2f"],
}
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND"]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    template = tmp_path_factory.mktemp("crafted-seed") / "store"
    build_seed_store(template)
    root = copy_store(template, tmp_path_factory.mktemp("crafted") / "store").root
    app = make_app(settings_for(root))
    app.server.test_client().get("/")  # Dash sets up its callbacks on the first request
    return app


class Answers:
    """Every answer checked as it comes; what was hit, to check the corpus covered the app."""

    def __init__(self, root):
        self.root = str(root)
        self.bad: list[str] = []
        self.rules_hit: set[str] = set()
        self.callbacks_hit: set[str] = set()

    def check(self, response, what: str) -> None:
        body = response.get_data().decode("utf-8", "replace")
        if response.status_code >= 500 or "Traceback" in body or self.root in body or 'File "/' in body:
            self.bad.append(f"{response.status_code} {what[:120]!r}: {body[:150]!r}")


def urls_for(rule) -> list[str]:
    """The rule's path with crafted values in each of its variables."""
    urls = [""]
    for is_variable, part in _parts(rule.rule):
        if not is_variable:
            urls = [u + part for u in urls]
            continue
        converter = part.split(":")[0] if ":" in part else "default"
        urls = [u + v for u in urls for v in PATH_VALUES.get(converter, PATH_VALUES["default"])]
    return urls


def _parts(rule: str):
    for piece in re.split(r"(<[^>]+>)", rule):
        if piece:
            yield piece.startswith("<"), piece.strip("<>")


def callback_bodies(output: str, spec: dict):
    """Each input and state in turn given each crafted value, the others sensible."""
    outputs = (
        [{"id": o.component_id, "property": o.component_property} for o in spec["output"]]
        if isinstance(spec["output"], list)
        else {"id": spec["output"].component_id, "property": spec["output"].component_property}
    )
    declared = [("inputs", i) for i in spec["inputs"]] + [("state", s) for s in spec["state"]]
    for position in range(len(declared)):
        for value in VALUES:
            body = {
                "output": output,
                "outputs": outputs,
                "inputs": [],
                "state": [],
                "changedPropIds": [f"{spec['inputs'][0]['id']}.{spec['inputs'][0]['property']}"],
            }
            for i, (part, item) in enumerate(declared):
                sensible = "/" if item["property"] == "pathname" else None
                body[part].append({**item, "value": value if i == position else sensible})
            yield body
    yield {"output": output, "outputs": outputs, "inputs": "nope", "state": []}
    yield {
        "output": output,
        "outputs": outputs,
        "inputs": [{"id": "shell-url", "property": "pathname", "value": "/"}] * 3,
    }


def malformed_callback_bodies():
    yield from (
        "",
        "not json",
        "{}",
        "[]",
        "null",
        '{"output": 1}',
        '{"output": "x.y", "inputs": "a"}',
        json.dumps({"output": "returns-grid.children"}),
        json.dumps({"output": "_pages_dummy.children"}),
        '{"output": "' + "x" * 100000 + '"}',
        "[" * 10000 + "]" * 10000,
    )


@pytest.mark.parametrize(
    "user", [None, pytest.param("wessex", marks=pytest.mark.slow), pytest.param("nat", marks=pytest.mark.slow)]
)
def test_no_crafted_request_gets_a_500_a_traceback_or_a_path(app, user):
    answers = Answers(app.server.extensions["metrics"].settings.data_dir)
    client = app.server.test_client()
    # an address of its own: the crafted sign-ins use up its tries (a 429 is an answer too)
    client.environ_base["REMOTE_ADDR"] = f"203.0.113.{[None, 'wessex', 'nat'].index(user) + 1}"
    csrf = sign_in(client, "", user) if user else "none"
    for rule in app.server.url_map.iter_rules():
        for url in urls_for(rule):
            for query in [""] + QUERIES:
                for method in sorted(rule.methods) if not query else ["GET"]:
                    response = client.open(url + ("?" + query if query else ""), method=method)
                    answers.check(response, f"{method} {url}?{query}")
                    answers.rules_hit.add(rule.rule)
            for method in METHODS:
                answers.check(client.open(url, method=method), f"{method} {url}")
        for form in (
            {"token": "x" * 5000},
            {"token": "../../users"},
            {"token": "\x00"},
            {"next": "\r\n"},
            {"name": "x" * 100_000, "password": "y"},
            {"csrf_token": "x" * 5000},
            {"from_page": "1", "token": "A" * 32},
            {"file": "not a file"},
        ):
            for method in rule.methods - {"GET", "HEAD", "OPTIONS"}:
                for url in urls_for(rule):
                    response = client.open(url, method=method, data={"csrf_token": csrf, **form})
                    answers.check(response, f"{method} {url} {form}"[:120])
    for output, spec in app.callback_map.items():
        for body in callback_bodies(output, spec):
            response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
            answers.check(response, f"callback {output} {json.dumps(body)[:200]}")
            answers.callbacks_hit.add(output)
    for text in malformed_callback_bodies():
        response = client.post("/_dash-update-component", data=text, content_type="application/json")
        answers.check(response, f"callback body {text[:60]}")
    for path in ("/", "/returns", "/history", "/upload", "/compare", "/ahsn/wessex", "/ahsn/%00", "/definitions"):
        for query in [""] + QUERIES:  # the pages' router builds each layout from the URL
            response = client.post(
                "/_dash-update-component",
                json={
                    "output": ".._pages_content.children..._pages_store.data..",
                    "outputs": [
                        {"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"},
                    ],
                    "inputs": [
                        {"id": "_pages_location", "property": "pathname", "value": path},
                        {"id": "_pages_location", "property": "search", "value": "?" + query},
                    ],
                    "changedPropIds": ["_pages_location.pathname"],
                },
            )
            answers.check(response, f"page {path}?{query}")
    assert answers.bad == []
    assert answers.rules_hit == {r.rule for r in app.server.url_map.iter_rules()}
    assert answers.callbacks_hit == set(app.callback_map)


def test_crafted_requests_are_told_what_is_wrong(app):
    client = app.server.test_client()
    csrf = sign_in(client, "", "nat")
    token = client.post("/upload/commit", data={"csrf_token": csrf, "token": "x" * 5000})
    assert (token.status_code, token.get_json()) == (
        404,
        {"error": "That preview has expired or is not yours. Upload the file again."},
    )
    damaged = client.get("/signin?next=%0d%0aX-Injected:%20yes")
    assert damaged.status_code == 400 and "This sign-in link is damaged" in damaged.text
    tabbed = client.get("/signin?next=/%09/evil.example")  # a browser would drop the tab: //evil.example
    assert tabbed.status_code == 400
    quarter = client.post(
        "/_dash-update-component",
        json={
            "output": "returns-url.search",
            "outputs": {"id": "returns-url", "property": "search"},
            "inputs": [{"id": "returns-quarter", "property": "value", "value": "Q5 2019/20"}],
            "state": [{"id": "returns-url", "property": "search", "value": ""}],
            "changedPropIds": ["returns-quarter.value"],
        },
    )
    assert (quarter.status_code, quarter.get_json()) == (
        400,
        {"error": "'Q5 2019/20': there is no quarter Q5; NHS quarters are Q1 to Q4"},
    )
    kind = client.post(
        "/_dash-update-component",
        json={
            "output": "returns-url.search",
            "outputs": {"id": "returns-url", "property": "search"},
            "inputs": [{"id": "returns-quarter", "property": "value", "value": ["Q1 2019/20"]}],
            "state": [{"id": "returns-url", "property": "search", "value": ""}],
            "changedPropIds": ["returns-quarter.value"],
        },
    )
    assert (kind.status_code, kind.get_json()) == (
        400,
        {"error": "This is not a request the dashboard's pages make: label is not str | None."},
    )
    template = client.get("/upload/template?ahsn=Wessex&quarter=Q5+2019/20")
    assert template.status_code == 400
    assert client.get("/_dash-component-suites/nothing/here.js").status_code == 404


def test_requests_the_pages_really_make_still_work(app):
    """The checks refuse what no page sends, not what the pages send."""
    client = app.server.test_client()
    sign_in(client, "", "nat")
    for body in (
        {
            "output": "returns-url.search",
            "outputs": {"id": "returns-url", "property": "search"},
            "inputs": [{"id": "returns-quarter", "property": "value", "value": "Q1 2020/21"}],
            "state": [{"id": "returns-url", "property": "search", "value": ""}],
        },
        {
            "output": "..national-url.search...national-note.children..",
            "outputs": [{"id": "national-url", "property": "search"}, {"id": "national-note", "property": "children"}],
            "inputs": [{"id": "national-quarters", "property": "value", "value": ["Q4 2019/20", "Q1 2020/21"]}],
            "state": [{"id": "national-url", "property": "search", "value": "?provisional=1"}],
        },
        {
            "output": "..history-table.children...history-url.search..",
            "outputs": [{"id": "history-table", "property": "children"}, {"id": "history-url", "property": "search"}],
            "inputs": [
                {"id": "history-ahsn", "property": "value", "value": "All AHSNs"},
                {"id": "history-quarter", "property": "value", "value": "All quarters"},
                {"id": "history-figures-poll", "property": "disabled", "value": True},
            ],
            "state": [{"id": "history-url", "property": "search", "value": ""}],
        },
    ):
        response = client.post("/_dash-update-component", json={"state": [], "changedPropIds": [], **body})
        assert response.status_code == 200, response.text[:200]


# ---- malformed HTTP at gunicorn --------------------------------------------------------------


def raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(request)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.slow
def test_malformed_http_is_refused_by_gunicorn_without_a_500(tmp_path):
    requests_ = [
        b"FOO / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /\x01 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET http://evil.example/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /signin?next=%0d%0aSet-Cookie:%20x=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET / HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: " + b"1," * 3000 + b"\r\nConnection: close\r\n\r\n",
        b"POST /signin HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\nConnection: close\r\n\r\n",
        b"POST /_dash-update-component HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 5\r\nConnection: close\r\n\r\n{{{{{",
        b"GET /healthz HTTP/1.0\r\n\r\n",
    ]
    with seed_server(tmp_path / "store", workers=2) as (live, store):
        for request in requests_:
            answer = raw(live.port, request)
            status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
            assert 200 <= status < 500, (request[:60], answer[:200])
            assert b"Traceback" not in answer and str(store.root).encode() not in answer
            assert b"Set-Cookie: x=1" not in answer


NON_ASCII = ["é" * 43, "ťoken", "\u202e" + "x" * 42, "🙂" * 11, "ẃessex", "Ω"]


@pytest.mark.parametrize("user", ["wessex", "nat"])
def test_non_ascii_tokens_names_and_headers_with_a_session_get_a_4xx(app, user):
    """Issue 22: a non-ASCII CSRF token sent with a session cookie was a 500
    (hmac.compare_digest refuses text that is not ASCII); names and headers too."""
    answers = Answers(app.server.extensions["metrics"].settings.data_dir)
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = f"203.0.113.{10 + ['wessex', 'nat'].index(user)}"
    sign_in(client, "", user)
    posts = [r for r in app.server.url_map.iter_rules() if "POST" in r.methods and "_dash" not in r.rule]
    assert len(posts) > 10
    for rule in posts:
        url = urls_for(rule)[0]
        for text in NON_ASCII:
            for form in ({"csrf_token": text}, {"csrf_token": text, "token": text, "name": text, "reason": text}):
                response = client.post(url, data=form)
                answers.check(response, f"POST {url} {form}")
                assert response.status_code < 500
            # a header is Latin-1 on the wire: its non-ASCII bytes arrive as such
            response = client.post(url, headers={"X-CSRF-Token": "é" * 43, "X-Forwarded-For": "é"})
            answers.check(response, f"POST {url} with a non-ASCII header")
    for text in NON_ASCII:
        response = client.post("/signin", data={"name": text, "password": text, "csrf_token": text})
        answers.check(response, f"signin {text!r}")
    assert answers.bad == []


def test_crafted_quarters_in_addresses_and_due_dates_are_refused_not_stored(app):
    """Issue 22: a national administrator could set a due date for Q1 2099/00, and crafted
    quarter keys in that address answered 500."""
    store = app.server.extensions["metrics"].store
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.30"
    csrf = sign_in(client, "", "nat")
    events = len(store.events())
    for key in ("q1_9999_00", "q4_2012_13", "q9_2020_21", "q1_2020_99", "q1_" + "9" * 5000 + "_00"):
        answer = client.post(f"/quarters/{key}/due-date", data={"csrf_token": csrf, "due": "2021-06-01", "reason": "x"})
        assert answer.status_code == 404, (key[:20], answer.status_code, answer.text[:200])
    for key in ("q1_2099_00", "q1_2098_99"):  # quarters that exist, but have not begun
        future = client.post(f"/quarters/{key}/due-date", data={"csrf_token": csrf, "due": "2099-08-01", "reason": "x"})
        assert future.status_code == 400 and "has not begun" in future.json["error"], key
    for key in ("q1_2014_15", "q4_2017_18"):  # quarters that exist, before the programme's first (Q1 2018/19)
        early = client.post(f"/quarters/{key}/due-date", data={"csrf_token": csrf, "due": "2018-08-01", "reason": "x"})
        assert early.status_code == 400, (key, early.status_code)
        assert (
            "TCAM's returns start in Q1 2018/19: a due date can be set for Q1 2018/19 or a later" in early.json["error"]
        ), key
    begun_later = client.post(
        "/quarters/q4_2020_21/due-date", data={"csrf_token": csrf, "due": "9999-12-31", "reason": "x"}
    )
    assert begun_later.status_code == 400 and "not a due date a return can have" in begun_later.json["error"]
    assert len(store.events()) == events
    for quarter in ("Q4 9999/00", "Q1 2012/13", "Q1 99999/100000"):
        answer = client.get("/upload/template", query_string={"ahsn": "Wessex", "quarter": quarter})
        assert answer.status_code == 400, quarter
