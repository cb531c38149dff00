"""Ways an email can leave: an SMTP server, or .eml files in a folder when no server is configured."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from clinic_app.settings import Settings, private_file


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...

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

    def send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context(cafile=self.ca_file or None)
        if self.use_ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            if self.use_tls and not self.use_ssl:
                client.starttls(context=context)
            if self.username:
                client.login(self.username, self.password)
            client.send_message(message)

    def describe(self) -> str:
        security = "SSL" if self.use_ssl else "STARTTLS" if self.use_tls else "plain"
        return f"SMTP {self.host}:{self.port} ({security})"


@dataclass(frozen=True)
class FileTransport:
    directory: Path

    def send(self, message: EmailMessage) -> None:
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
        )
    return FileTransport(settings.mail_file_dir)
