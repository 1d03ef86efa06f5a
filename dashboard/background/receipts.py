"""Receipts for stored returns, e-mailed in the background: never holding up the answer, and
never undoing a store if the mail server fails (the failure is logged)."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import threading

from etl import words
from etl.mail import Mailer, receipt
from etl.programmes import Programme
from etl.store import Accepted
from etl.users import User

log = logging.getLogger(__name__)


def send_receipt(
    mailer: Mailer | None,
    user: User,
    programme: Programme,
    accepted: list[Accepted],
    what_changes: dict[tuple[str, str], str],
    published: set[str],
    public_url: str | None,
) -> None:
    """E-mail the submitter what was stored. `what_changes`: (AHSN, quarter) -> what storing it
    changed, in words; `published`: the labels of the published quarters (a return for one is
    a revision)."""
    if mailer is None or not user.email:
        return
    now = dt.datetime.now(dt.UTC)
    messages = [
        receipt(
            user,
            programme,
            a.submission_id,
            a.file_name,
            now,
            [
                (
                    r.ahsn,
                    r.quarter,
                    what_changes.get(
                        (r.ahsn, r.quarter), words.plural(r.trust_rows, programme.organisation, programme.organisations)
                    ),
                    r.quarter in published,
                )
                for r in a.returns
            ],
            [str(w) for w in a.warnings],
            public_url,
        )
        for a in accepted
    ]

    def send():
        try:
            mailer.send(messages)
        except (OSError, smtplib.SMTPException):
            log.exception("the receipt for %s could not be sent", user.name)

    threading.Thread(target=send, name="receipt", daemon=True).start()
