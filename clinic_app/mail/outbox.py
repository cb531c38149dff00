"""The outbox: emails are rows first, so a request's email is never lost when the mail server is down.

``enqueue`` adds a row in the caller's transaction. ``deliver_due`` claims due rows one at a time with a
conditional UPDATE that only one process can win (on SQLite and PostgreSQL alike), sends, and records
the result. A claim is a lease: if a worker dies mid-send, the row becomes due again when it runs out,
and the retry carries the same Message-ID so the receiving side can tell it is the same email.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any, cast

import sqlalchemy as sa

from clinic_app.choices import EmailState
from clinic_app.mail.transports import PlainSMTPRefused, Transport
from clinic_app.models import Booking, BookingStatus, ConsultationRequest, OutboxEmail, utcnow
from clinic_app.models.types import DbSession

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=2)
CLAIM_LEASE = timedelta(minutes=5)
# How often an email the settings refuse to send (health details, plain SMTP) is looked at again.
SETTINGS_REFUSAL_WAIT = timedelta(minutes=5)


def enqueue(
    session: DbSession,
    *,
    sender: str,
    recipients: list[str],
    subject: str,
    body_text: str,
    body_html: str,
    message_domain: str,
    carries_health_details: bool,
    request: ConsultationRequest | None = None,
    extra_headers: dict[str, str] | None = None,
    to_patient: bool = False,
    calendar: CalendarInvite | None = None,
    not_before: datetime | None = None,
) -> OutboxEmail:
    """Add an email to the outbox in the caller's transaction; it leaves only after the commit, and
    not before `not_before` (a reminder's time) when given. With `calendar`, it carries the invite
    (see ``as_message``)."""
    email = OutboxEmail(
        message_id=make_msgid(domain=message_domain),
        request=request,
        recipients=list(recipients),
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        headers={"From": sender, **(extra_headers or {})},
        state=EmailState.QUEUED,
        carries_health_details=carries_health_details,
        to_patient=to_patient,
        attempts=0,
        next_attempt_at=not_before or utcnow(),
        calendar_ics=calendar.ics if calendar else None,
        calendar_method=calendar.method if calendar else None,
    )
    session.add(email)
    return email


@dataclass(frozen=True)
class CalendarInvite:
    """An iCalendar file to send with an email, and its iTIP method (the file's own METHOD)."""

    ics: str
    method: str

    def __post_init__(self) -> None:
        if self.method not in CALENDAR_METHODS:
            raise ValueError(f"the invite's method is one of {CALENDAR_METHODS}, not {self.method!r}")


CALENDAR_METHODS = ("REQUEST", "CANCEL")
INVITE_FILENAME = "invite.ics"


def retry_delay(attempts: int) -> timedelta:
    """Wait after the given number of failed attempts: 30 s, doubling, at most two hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def deliver_due(
    session: DbSession,
    transport: Transport,
    *,
    max_attempts: int,
    now: datetime | None = None,
    limit: int = 50,
    connections: int = 1,
) -> DeliveryReport:
    """Send the emails that are due, each claimed so that no other worker sends it at the same time.

    The claimed emails are shared among up to ``connections`` senders, each with one connection for
    its share, so a slow mail server is kept busy on several connections at once. Only this thread
    touches the database: each result is recorded and committed as it arrives, so a worker that dies
    mid-round has recorded every email it finished."""
    now = now or utcnow()
    report = DeliveryReport()
    outgoing: dict[int, OutboxEmail] = {}
    # Every connection gets the same number of emails, so that none waits idle at the end of the
    # round while another finishes a longer share: 50 on one connection, 60 on 12.
    per_connection = -(-limit // connections)
    for email_id in _claim_due(session, now, per_connection * connections):
        email = session.get(OutboxEmail, email_id)
        assert email is not None
        outgoing[email_id] = email
    for email_id, error in _send_all(transport, outgoing, now, connections):
        email = outgoing[email_id]
        if error is not None:
            _record_failure(email, error, now, max_attempts)
            if email.state is EmailState.FAILED:
                report.failed += 1
            else:
                report.retrying += 1
        else:
            email.state = EmailState.SENT
            email.sent_at = utcnow()
            email.claimed_until = None
            email.last_error = None
            report.sent += 1
        session.commit()
    return report


def _send_all(
    transport: Transport, outgoing: dict[int, OutboxEmail], now: datetime, connections: int
) -> Iterator[tuple[int, Exception | None]]:
    """Send the emails on up to ``connections`` threads; yield (id, error or None) as each finishes."""
    messages = {
        email_id: (as_message(email, now), email.carries_health_details)
        for email_id, email in outgoing.items()
    }
    ids = list(messages)
    shares = [ids[start::connections] for start in range(min(connections, len(ids)))]
    results: queue.Queue[tuple[int, Exception | None]] = queue.Queue()

    def send_share(share: list[int]) -> None:
        done: set[int] = set()
        try:
            with transport.open() as send:
                for email_id in share:
                    message, health_details = messages[email_id]
                    try:
                        send(message, health_details=health_details)
                    # Whatever goes wrong in one send is recorded on that row; the rest go on.
                    except Exception as error:
                        results.put((email_id, error))
                    else:
                        results.put((email_id, None))
                    done.add(email_id)
        except Exception as error:  # closing the connection failed: the sends already stand
            for email_id in share:
                if email_id not in done:
                    results.put((email_id, error))

    senders = [threading.Thread(target=send_share, args=(share,), daemon=True) for share in shares]
    for sender in senders:
        sender.start()
    for _ in ids:
        yield results.get()
    for sender in senders:
        sender.join()


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        OutboxEmail.state == EmailState.QUEUED,
        OutboxEmail.next_attempt_at <= now,
        sa.or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until < now),
        # A booking's reminder is never claimed once the booking is cancelled, even if the caller that
        # cancelled it did not drop the reminder: the claim decides, in the same statement.
        ~sa.exists().where(
            Booking.reminder_email_id == OutboxEmail.id, Booking.status == BookingStatus.CANCELLED
        ),
    )


def _claim_due(session: DbSession, now: datetime, limit: int) -> list[int]:
    """Take due rows for this worker; no other worker can take the same row while the claim lasts."""
    oldest_first = (OutboxEmail.next_attempt_at, OutboxEmail.id)
    claim = {"claimed_until": now + CLAIM_LEASE, "attempts": OutboxEmail.attempts + 1}
    if session.get_bind().dialect.name == "postgresql":
        # Rows another worker has locked are skipped, not waited for.
        ids = session.scalars(
            sa.select(OutboxEmail.id)
            .where(_due(now))
            .order_by(*oldest_first)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        if ids:
            session.execute(
                sa.update(OutboxEmail)
                .where(OutboxEmail.id.in_(ids))
                .values(**claim)
                .execution_options(synchronize_session=False)
            )
        session.commit()
        return list(ids)
    # SQLite has no row locks: each row is taken by an UPDATE that only one writer can still find due.
    candidates = session.scalars(
        sa.select(OutboxEmail.id).where(_due(now)).order_by(*oldest_first).limit(limit)
    ).all()
    session.commit()
    claimed = []
    for email_id in candidates:
        result = session.execute(  # an UPDATE gives a CursorResult, which counts its rows
            sa.update(OutboxEmail)
            .where(OutboxEmail.id == email_id, _due(now))
            .values(**claim)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        if cast(sa.CursorResult[Any], result).rowcount == 1:
            claimed.append(email_id)
    return claimed


def retry_failed(email: OutboxEmail) -> None:
    """Give a failed email a fresh set of attempts, starting now."""
    email.state = EmailState.QUEUED
    email.attempts = 0
    email.next_attempt_at = utcnow()
    email.claimed_until = None


@dataclass
class OutboxStatus:
    queued: int
    failing: int
    sent: int
    failed: list[OutboxEmail]
    oldest_queued: datetime | None


def outbox_status(session: DbSession) -> OutboxStatus:
    counts = dict(
        session.execute(sa.select(OutboxEmail.state, sa.func.count()).group_by(OutboxEmail.state)).all()
    )
    failing = session.scalar(
        sa.select(sa.func.count()).where(
            OutboxEmail.state == EmailState.QUEUED, OutboxEmail.last_error.is_not(None)
        )
    )
    oldest = session.scalar(
        sa.select(sa.func.min(OutboxEmail.created_at)).where(OutboxEmail.state == EmailState.QUEUED)
    )
    failed = session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.state == EmailState.FAILED).order_by(OutboxEmail.created_at)
    ).all()
    return OutboxStatus(
        queued=counts.get(EmailState.QUEUED, 0),
        failing=failing or 0,
        sent=counts.get(EmailState.SENT, 0),
        failed=list(failed),
        oldest_queued=oldest,
    )


def failed_count(session: DbSession) -> int:
    """Staff emails that failed for good. A patient's own copy that failed (a mistyped address, most
    often) shows on its request's page, not in the staff pages' alarm."""
    return (
        session.scalar(
            sa.select(sa.func.count()).where(
                OutboxEmail.state == EmailState.FAILED, OutboxEmail.to_patient.is_(False)
            )
        )
        or 0
    )


def _record_failure(email: OutboxEmail, error: Exception, now: datetime, max_attempts: int) -> None:
    email.last_error = f"{type(error).__name__}: {error}"[:2000]
    email.claimed_until = None
    if isinstance(error, PlainSMTPRefused):
        # Nothing was tried: the settings forbid it. The email waits, its tries kept, and leaves at the
        # first round after the settings are fixed.
        email.attempts -= 1
        email.next_attempt_at = now + SETTINGS_REFUSAL_WAIT
        log.warning("email %s waits: %s", email.id, _logged_error(email))
        return
    if email.attempts >= max_attempts:
        email.state = EmailState.FAILED
        log.error(
            "email %s failed for good after %d attempts: %s", email.id, email.attempts, _logged_error(email)
        )
    else:
        email.next_attempt_at = now + retry_delay(email.attempts)
        log.warning(
            "email %s attempt %d failed, retrying: %s", email.id, email.attempts, _logged_error(email)
        )


def _logged_error(email: OutboxEmail) -> str:
    """The error as the log gets it: a mail server's refusal may quote the recipient's address (a
    patient's, for their own copy), which stays on the row for staff and out of the log."""
    text = email.last_error or ""
    for address in email.recipients:
        text = re.sub(re.escape(address), "[recipient]", text, flags=re.IGNORECASE)
    return text


def as_message(email: OutboxEmail, now: datetime) -> EmailMessage:
    message = EmailMessage()
    for name, value in email.headers.items():
        message[name] = value
    message["To"] = ", ".join(email.recipients)
    message["Subject"] = email.subject
    message["Message-ID"] = email.message_id
    message["Date"] = format_datetime(now)
    message.set_content(email.body_text)
    message.add_alternative(email.body_html, subtype="html")
    if email.calendar_ics is not None:
        _add_calendar(message, email.calendar_ics, email.calendar_method or "REQUEST")
    return message


def _add_calendar(message: EmailMessage, ics: str, method: str) -> None:
    """The invite as iMIP (RFC 6047) sends it, in the layout Gmail's own invites have: a third
    alternative of the body (``text/calendar; method=...``), which the mail programs that read iMIP
    (Gmail, Outlook, Apple Mail) show as an event to add to the calendar, or update or remove by its
    UID, and the same file attached as ``invite.ics`` for the programs that only offer attachments. multipart/mixed holds the alternatives, then the attachment. The
    bytes go base64-encoded, so the file's CRLF line ends and folded lines arrive as written."""
    data = ics.encode("utf-8")
    params = {"method": method, "charset": "UTF-8"}
    message.add_alternative(data, maintype="text", subtype="calendar", params=params)
    message.add_attachment(
        data,
        maintype="text",
        subtype="calendar",
        filename=INVITE_FILENAME,
        params={**params, "name": INVITE_FILENAME},
    )
