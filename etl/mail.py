"""The dashboard's e-mail: reminders to the submitters of late AHSNs, and receipts for returns.

Off unless METRICS_SMTP_HOST is set. Messages are plain text (every mail client shows them,
and nothing in them runs), composed by pure functions here and sent by `Mailer` over one
SMTP connection per batch. Sending never decides anything: a return is stored whether or
not its receipt goes out, and a failure is logged, not shown as the upload's.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Collection
from dataclasses import dataclass
from email.message import EmailMessage

from etl import ahsns, collection, queries, words
from etl.programmes import Programme
from etl.quarters import Quarter
from etl.queries import Database
from etl.settings import Settings
from etl.users import User, Users

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int
    sender: str
    starttls: bool = False
    user: str | None = None
    password: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer | None:
        """The mailer the settings describe, or None when e-mail is off."""
        if settings.smtp_host is None:
            return None
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_from,
            settings.smtp_starttls,
            settings.smtp_user,
            settings.smtp_password,
        )

    def send(self, messages: list[EmailMessage]) -> None:
        if not messages:
            return
        with smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            for message in messages:
                message["From"] = self.sender
                smtp.send_message(message)


def _message(to: User, subject: str, lines: list[str]) -> EmailMessage:
    message = EmailMessage()
    message["To"] = to.email
    message["Subject"] = subject
    message.set_content("\n".join(lines) + "\n")
    return message


def late_ahsns(db: Database, programme: Programme, quarter: Quarter, today: dt.date) -> tuple[list[str], dt.date]:
    """The AHSNs with no current return for the quarter, once it is past its due date."""
    status = collection.status_of(collection.statuses(db, programme, today), quarter)
    due = status.due if status else programme.due_date(quarter)
    if today <= due:
        return [], due
    returned = set(queries.ahsn_rates(db, programme, [quarter.index])["ahsn"])
    return [a.short_name for a in ahsns.all_ahsns() if a.short_name not in returned], due


def reminder(
    to: User, programme: Programme, quarter: Quarter, due: dt.date, today: dt.date, public_url: str | None
) -> EmailMessage:
    days = (today - due).days
    lines = [
        f"Hello {to.name},",
        "",
        f"{to.ahsn}'s {programme.short_name} return for {quarter.label} was due on {due:%-d %B %Y} "
        f"({days} day{'s' if days != 1 else ''} ago) and has not reached the national metrics dashboard yet.",
        "",
        f"Please upload it, or reply to say when it will come. Each {words.counted(programme, 1)}'s adoption level "
        "and its referrals made and completed in the quarter are what is needed.",
    ]
    if public_url:
        lines += ["", f"Upload it here: {public_url}/upload"]
    lines += ["", f"The national {programme.short_name} team"]
    return _message(to, f"{programme.short_name} return for {quarter.label}: {to.ahsn}'s is late", lines)


def send_reminders(
    mailer: Mailer,
    db: Database,
    users: Users,
    programme: Programme,
    quarter: Quarter,
    today: dt.date,
    public_url: str | None,
    only: Collection[str] | None = None,
) -> tuple[list[str], list[str]]:
    """E-mail every submitter of a late AHSN (of those in `only`, if given). (users reminded,
    AHSNs late with nobody to e-mail)"""
    late, due = late_ahsns(db, programme, quarter, today)
    if only is not None:
        late = [a for a in late if a in only]
    to = [u for u in users.all() if not u.is_national and u.ahsn in late and u.email]
    mailer.send([reminder(u, programme, quarter, due, today, public_url) for u in to])
    reached = {u.ahsn for u in to}
    return [u.name for u in to], [a for a in late if a not in reached]


def receipt(
    to: User,
    programme: Programme,
    submission_id: int,
    file_name: str,
    stored_at: dt.datetime,
    returns: list[tuple[str, str, str, bool]],
    warnings: list[str],
    public_url: str | None,
) -> EmailMessage:
    """returns: (AHSN, quarter, 'what storing it changes' in words, waits for approval)."""
    lines = [
        f"Hello {to.name},",
        "",
        f"{file_name} was stored on {stored_at:%-d %B %Y at %H:%M} UTC as submission {submission_id}.",
        "",
    ]
    for ahsn, quarter, change, waiting in returns:
        lines.append(f"- {ahsn} {quarter}: {change}.")
        if waiting:
            lines.append(
                f"  {quarter} is published, so this is a revision: the published figures change "
                "only when the national team approves it."
            )
    if warnings:
        lines += ["", f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''} kept with it:"]
        lines += [f"- {w}" for w in warnings]
    if public_url:
        lines += ["", f"Your returns: {public_url}/history"]
    lines += ["", f"The {programme.short_name} national metrics dashboard"]
    quarters = ", ".join(dict.fromkeys(f"{a} {q}" for a, q, _, _ in returns))
    return _message(to, f"Stored: {programme.short_name} return for {quarters}", lines)
