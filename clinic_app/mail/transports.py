"""Ways an email can leave: an SMTP server, or .eml files in a folder when no server is configured."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from clinic_app.settings import Settings, private_file


class Send(Protocol):
    def __call__(self, message: EmailMessage, *, health_details: bool) -> None: ...


class Transport(Protocol):
    def open(self) -> AbstractContextManager[Send]:
        """A way to send several emails in a row, over one connection where there is one."""
        ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class SMTPTransport:
    host: str
    port: int
    username: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    timeout: float = 20
    ca_file: str = ""
    # Health details leave only encrypted, with the server's certificate checked (HIPAA's transmission
    # security), unless the owner says the server never leaves a trusted network.
    allow_plain_for_health_details: bool = False

    @property
    def refuses_health_details(self) -> bool:
        return not (self.use_tls or self.use_ssl or self.allow_plain_for_health_details)

    @contextmanager
    def open(self) -> Iterator[Send]:
        """One SMTP connection for a run of emails: connected at the first send, connected again
        after it drops, and closed at the end. A refused message leaves the connection usable."""
        client: smtplib.SMTP | None = None

        def send(message: EmailMessage, *, health_details: bool) -> None:
            nonlocal client
            if health_details and self.refuses_health_details:
                raise PlainSMTPRefused(PLAIN_SMTP_REFUSAL)
            if client is None:
                client = self._connect()
            try:
                client.send_message(message)
            except (smtplib.SMTPServerDisconnected, OSError):
                client = None
                raise
            except smtplib.SMTPResponseException as refused:
                if refused.smtp_code == 421:  # the server is closing this connection
                    client = None
                raise

        try:
            yield send
        finally:
            if client is not None:
                with suppress(smtplib.SMTPException, OSError):
                    client.quit()

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context(cafile=self.ca_file or None)
        if self.use_ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.use_tls and not self.use_ssl:
                client.starttls(context=context)
            if self.username:
                client.login(self.username, self.password)
        except BaseException:
            client.close()
            raise
        return client

    def describe(self) -> str:
        security = "SSL" if self.use_ssl else "STARTTLS" if self.use_tls else "plain"
        return f"SMTP {self.host}:{self.port} ({security})"


@dataclass(frozen=True)
class FileTransport:
    directory: Path

    @contextmanager
    def open(self) -> Iterator[Send]:
        yield self.send

    def send(self, message: EmailMessage, *, health_details: bool) -> None:
        target = self.path_for(message["Message-ID"])
        # Write then rename, so a reader never sees half a message; only this user may read either.
        partial = private_file(target.with_suffix(".part"))
        partial.write_bytes(message.as_bytes())
        partial.replace(target)

    def path_for(self, message_id: str) -> Path:
        name = message_id.strip("<>").replace("@", "_at_").replace("/", "_")
        return self.directory / f"{name}.eml"

    def describe(self) -> str:
        return f"files in {self.directory}"


class PlainSMTPRefused(RuntimeError):
    """The email carries health details and the mail server would get it without encryption."""


PLAIN_SMTP_REFUSAL = (
    "Not sent: this email carries health details and MAIL_SERVER is reached without TLS."
    " Set MAIL_USE_TLS=true or MAIL_USE_SSL=true (or MAIL_PHI=summary for new emails)."
)


def plain_smtp_refusal(settings: Settings) -> str | None:
    """Why new staff emails will not leave, or None: with MAIL_PHI=full they carry health details,
    which never cross a network in the clear (see SMTPTransport)."""
    transport = transport_for(settings)
    if (
        isinstance(transport, SMTPTransport)
        and transport.refuses_health_details
        and settings.mail_phi == "full"
    ):
        return PLAIN_SMTP_REFUSAL
    return None


def forget_written_emails(settings: Settings, message_ids: list[str]) -> None:
    """Delete the .eml copies of these emails, if they were written to the mail folder."""
    folder = FileTransport(settings.mail_file_dir)
    for message_id in message_ids:
        folder.path_for(message_id).unlink(missing_ok=True)


def transport_for(settings: Settings) -> Transport:
    if settings.mail_server:
        return SMTPTransport(
            host=settings.mail_server,
            port=settings.mail_port,
            username=settings.mail_username,
            password=settings.mail_password,
            use_tls=settings.mail_use_tls,
            use_ssl=settings.mail_use_ssl,
            timeout=settings.mail_timeout_seconds,
            ca_file=settings.mail_ca_file,
            allow_plain_for_health_details=settings.mail_allow_plain_smtp,
        )
    return FileTransport(settings.mail_file_dir)
