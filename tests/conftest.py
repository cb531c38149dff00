"""Fixtures: a migrated database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set), apps built
against it, a test client, and a real SMTP server on loopback."""

from __future__ import annotations

import os
import socket
import uuid
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask_migrate import upgrade

from clinic_app import create_app
from clinic_app.config import database_url
from clinic_app.extensions import db
from clinic_app.models import ConsultationRequest, OutboxEmail
from tests.helpers import count


@pytest.fixture(scope="session")
def test_database_url(tmp_path_factory):
    """A fresh database for this test run: its own schema on PostgreSQL, a new file on SQLite."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(database_url(server_url))
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.make_url(database_url(server_url)).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def migrated_database(test_database_url, tmp_path_factory):
    """Apply the real migrations once: the tests run on the schema production gets."""
    app = create_app(base_config(test_database_url), instance_path=tmp_path_factory.mktemp("instance"))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return test_database_url


def base_config(url: str) -> dict[str, object]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "OUTBOX_WORKER": "off",
        "STAFF_EMAILS": ["frontdesk@clinic.test"],
        "MAIL_FROM": "Clinic requests <requests@clinic.test>",
        "CLINIC_TIMEZONE": "America/Los_Angeles",
    }


@pytest.fixture
def make_app(migrated_database, tmp_path):
    """Build apps on the test database; every table is emptied after the test."""
    built = []

    def build(**overrides):
        config = {**base_config(migrated_database), "MAIL_FILE_DIR": str(tmp_path / "mail"), **overrides}
        app = create_app(config, instance_path=tmp_path / "instance")
        built.append(app)
        return app

    yield build
    for app in built:
        app.extensions["outbox_worker"].stop()
        with app.app_context():
            db.engine.dispose()
    if built:
        empty_all_tables(create_app(base_config(migrated_database), instance_path=tmp_path / "instance"))


def empty_all_tables(app) -> None:
    with app.app_context():
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def stored(app):
    """Count what is stored, from inside an app context."""

    def counts() -> dict[str, int]:
        with app.app_context():
            return {"requests": count(ConsultationRequest), "emails": count(OutboxEmail)}

    return counts


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    """A real SMTP server on loopback that keeps what it receives; it can be stopped and started."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def config(self) -> dict[str, object]:
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_TIMEOUT_SECONDS": 5}


@pytest.fixture
def smtp_server():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stopped_smtp_server():
    """An SMTP server that is down until the test starts it."""
    server = SMTPServer()
    yield server
    server.stop()


@pytest.fixture
def mail_dir(tmp_path) -> Path:
    return tmp_path / "mail"
