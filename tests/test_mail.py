"""Reminders to late AHSNs and receipts for stored returns, sent to a real SMTP server
(aiosmtpd, started by the test on a free port), never a mock."""

from __future__ import annotations

import email
import io
import time

import pytest
from aiosmtpd.controller import Controller
from upload_helpers import PASSWORD, as_json, sign_in

from etl.programmes import TCAM
from etl.users import Users
from tests.conftest import make_app, settings_for
from tests.live import free_port
from tests.returns import filled_return


class Inbox:
    """What the SMTP server received."""

    def __init__(self):
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def wait_for(self, count: int, seconds: float = 10) -> list:
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


@pytest.fixture
def inbox():
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


@pytest.fixture
def people(store):
    users = Users(store.root)
    users.add("asha", PASSWORD, "ahsn", "Wessex", email="asha@wessex.example")
    users.add("kim", PASSWORD, "ahsn", "KSS", email="kim@kss.example")
    users.add("olu", PASSWORD, "ahsn", "Oxford")  # no address
    users.add("nat", PASSWORD, "national", email="nat@england.example")
    return users


def client_with_mail(store, port, **env):
    settings = settings_for(
        store.root,
        METRICS_SMTP_HOST="127.0.0.1",
        METRICS_SMTP_PORT=str(port),
        METRICS_SMTP_FROM="tcam@england.example",
        METRICS_PUBLIC_URL="https://metrics.example",
        **env,
    )
    return make_app(settings).server.test_client()


def test_reminders_go_to_the_submitters_of_the_late_ahsns_only(store, db, people, inbox):
    box, port = inbox
    store.load([("kss.csv", filled_return(db, "KSS"))], TCAM)
    client = client_with_mail(store, port)
    csrf = sign_in(client, "", "nat")
    answer = as_json(client.post("/quarters/q3_2020_21/remind", data={"csrf_token": csrf}))
    assert answer["sent"] == ["asha"]  # KSS has returned; Oxford's submitter has no address
    assert "Oxford" in answer["without_address"] and "KSS" not in answer["without_address"]
    [message] = box.wait_for(1)
    assert (message["To"], message["From"]) == ("asha@wessex.example", "tcam@england.example")
    assert message["Subject"] == "TCAM return for Q3 2020/21: Wessex's is late"
    body = message.get_payload(decode=True).decode()
    assert "Wessex's TCAM return for Q3 2020/21 was due on 15 February 2021" in body
    assert "https://metrics.example/upload" in body


def test_a_submitter_gets_a_receipt_for_a_stored_return(store, db, people, inbox):
    box, port = inbox
    client = client_with_mail(store, port)
    csrf = sign_in(client, "", "asha")
    content = filled_return(db, "Wessex")
    stored = client.post("/upload/commit", data={"csrf_token": csrf, "file": (io.BytesIO(content), "wessex.csv")})
    assert stored.status_code == 200
    [message] = box.wait_for(1)
    assert message["To"] == "asha@wessex.example"
    assert message["Subject"] == "Stored: TCAM return for Wessex Q3 2020/21"
    body = message.get_payload(decode=True).decode()
    submission = as_json(stored)["stored"][0]["submission_id"]
    assert "wessex.csv was stored on " in body and f"as submission {submission}." in body
    assert "- Wessex Q3 2020/21: no return yet; Q2 2020/21: 63% (5 of 8 acute trusts) before, " in body


def test_a_receipt_for_a_revision_says_it_waits_for_approval(store, db, people, inbox):
    from etl.quarters import Quarter

    box, port = inbox
    client = client_with_mail(store, port)
    csrf = sign_in(client, "", "kim")
    content = filled_return(db, "KSS", Quarter.parse("Q2 2020/21"))
    answer = as_json(
        client.post("/upload/commit", data={"csrf_token": csrf, "file": (io.BytesIO(content), "kss-q2.csv")})
    )
    assert answer["stored"][0]["waiting_for_approval"] == [["KSS", "Q2 2020/21", 12]]
    [message] = box.wait_for(1)
    assert "Q2 2020/21 is published, so this is a revision" in message.get_payload(decode=True).decode()


def test_without_a_mail_server_setting_nothing_is_sent_and_reminders_say_why(store, people, settings):
    client = make_app(settings).server.test_client()
    csrf = sign_in(client, "", "nat")
    refused = client.post("/quarters/q3_2020_21/remind", data={"csrf_token": csrf})
    assert refused.status_code == 409
    assert as_json(refused)["error"] == "E-mail is off: set METRICS_SMTP_HOST to send reminders."


def test_a_mail_server_that_is_down_is_a_clear_error_not_a_500(store, db, people):
    store.load([("kss.csv", filled_return(db, "KSS"))], TCAM)  # a real return: today's date counts, the rest are late
    client = client_with_mail(store, free_port())  # nothing listens there
    csrf = sign_in(client, "", "nat")
    answer = client.post("/quarters/q3_2020_21/remind", data={"csrf_token": csrf})
    assert answer.status_code == 502
    assert as_json(answer)["error"].startswith("The mail server did not take the reminders")


def test_only_the_national_team_sends_reminders(store, people, inbox):
    box, port = inbox
    client = client_with_mail(store, port)
    csrf = sign_in(client, "", "asha")
    assert client.post("/quarters/q3_2020_21/remind", data={"csrf_token": csrf}).status_code == 403
    assert box.messages == []


def test_a_second_reminder_within_the_interval_is_refused_saying_when_it_may_be_sent(store, db, people, inbox):
    """Issue 22: reminders could be sent again and again."""
    box, port = inbox
    store.load([("oxford.csv", filled_return(db, "Oxford"))], TCAM)  # a real return: today's date counts
    client = client_with_mail(store, port)  # METRICS_REMINDER_HOURS: 24 by default
    csrf = sign_in(client, "", "nat")
    first = client.post("/quarters/q3_2020_21/remind", data={"csrf_token": csrf})
    assert as_json(first)["sent"] == ["asha", "kim"]
    assert len(box.wait_for(2)) == 2
    again = client.post("/quarters/q3_2020_21/remind", data={"csrf_token": csrf})
    assert again.status_code == 429
    error = as_json(again)["error"]
    assert error.startswith("No reminder was sent. KSS was reminded of Q3 2020/21 less than 24 hours ago (")
    assert "it may be reminded again from " in error and " UTC on " in error
    # another worker (another app on the same store) is held the same way
    other = client_with_mail(store, port)
    assert other.post("/quarters/q3_2020_21/remind", data={"csrf_token": sign_in(other, "", "nat")}).status_code == 429
    time.sleep(0.5)
    assert len(box.messages) == 2  # nothing more was sent
    # another quarter is its own
    assert client.post("/quarters/q2_2020_21/remind", data={"csrf_token": csrf}).status_code == 200


def test_a_reminder_the_mail_server_did_not_take_may_be_sent_again_at_once(store, db, people, inbox):
    box, port = inbox
    store.load([("oxford.csv", filled_return(db, "Oxford"))], TCAM)  # a real return: today's date counts
    down = client_with_mail(store, free_port())  # nothing listens there
    assert down.post("/quarters/q3_2020_21/remind", data={"csrf_token": sign_in(down, "", "nat")}).status_code == 502
    client = client_with_mail(store, port)
    answer = client.post("/quarters/q3_2020_21/remind", data={"csrf_token": sign_in(client, "", "nat")})
    assert answer.status_code == 200 and as_json(answer)["sent"] == ["asha", "kim"]


def test_an_ahsn_given_an_address_since_may_be_reminded_while_the_others_wait(store, db, people, inbox):
    box, port = inbox
    store.load([("kss.csv", filled_return(db, "KSS"))], TCAM)  # a real return: today's date counts
    client = client_with_mail(store, port)
    csrf = sign_in(client, "", "nat")
    assert "Oxford" in as_json(client.post("/quarters/q3_2020_21/remind", data={"csrf_token": csrf}))["without_address"]
    people.set_email("olu", "olu@oxford.example")
    answer = as_json(client.post("/quarters/q3_2020_21/remind", data={"csrf_token": csrf}))
    assert answer["sent"] == ["olu"] and answer["not_yet"] == ["Wessex"]
    assert "Not reminded again yet: Wessex was reminded of Q3 2020/21" in answer["done"]
