"""Fixtures: a migrated database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set), apps built
against it, a test client, and a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
import uuid
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from hypothesis import settings as hypothesis_settings

from clinic_app import create_app
from clinic_app.accounts.passwords import use_password_hash_method
from clinic_app.extensions import db
from clinic_app.models import ConsultationRequest, OutboxEmail
from clinic_app.settings import Settings, database_url
from clinic_app.web.services import services
from tests.helpers import CHEAP_PASSWORD_HASH, TEST_SECRET_KEY, count

# Staff passwords are hashed thousands of times in the suite: a cheap method here, scrypt in the app
# (tests/web/test_staff_access.py checks that).
use_password_hash_method(CHEAP_PASSWORD_HASH)

# In CI the property tests draw the same examples every run (a red run can be replayed, never flaky);
# on a developer's machine they draw new ones each time. HYPOTHESIS_PROFILE picks one by name.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture(scope="session")
def test_database_url(tmp_path_factory):
    """A fresh database for this test run: its own schema on PostgreSQL, a new file on SQLite."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'migrated.sqlite3'}"
        return
    with postgres_schema(server_url) as url:
        yield url


@contextmanager
def postgres_schema(server_url: str):
    """A schema of its own on the PostgreSQL server, dropped afterwards; yields a URL that uses it."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(database_url(server_url))
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.make_url(database_url(server_url)).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def migrated_database(test_database_url, tmp_path_factory):
    """Apply the real migrations once: the tests run on the schema production gets."""
    migrate_to(test_database_url, tmp_path_factory.mktemp("instance"))
    return test_database_url


def migrate_to(url: str, instance_path: Path, revision: str = "head") -> None:
    app = build_app(url, instance_path)
    with app.app_context():
        upgrade(revision=revision)
        db.engine.dispose()


# The environment every test app starts from; a test changes what it is about.
BASE_ENVIRON = {
    "SECRET_KEY": TEST_SECRET_KEY,
    "OUTBOX_WORKER": "off",
    "STAFF_EMAILS": "frontdesk@clinic.example",
    "MAIL_FROM": "Clinic requests <requests@clinic.example>",
    "CLINIC_TIMEZONE": "America/Los_Angeles",
    "PUBLIC_BASE_URL": "https://clinic.test",
    # Tests send the form the moment they open it; the tests about bots set this themselves.
    "MIN_FILL_SECONDS": "0",
    # One limiter serves every app in this process; the rate-limit tests switch it on themselves.
    "RATELIMIT_ENABLED": "false",
}
# Flask's and its extensions' own switches, which are not the clinic's settings.
FLASK_ONLY = {"PROPAGATE_EXCEPTIONS", "RATELIMIT_KEY_PREFIX"}


def environ_value(value: object) -> str:
    """A setting as the environment would carry it: lists comma-separated, flags as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(item) for item in value)
    return str(value)


def build_app(database: str, instance_path: Path, **environ: object):
    """An app built the way production builds one, from environment variables (given as keywords)."""
    flask_config = {"TESTING": True, **{key: environ.pop(key) for key in FLASK_ONLY & environ.keys()}}
    values = {**BASE_ENVIRON, "DATABASE_URL": database, **{k: environ_value(v) for k, v in environ.items()}}
    return create_app(Settings.from_environ(values, instance_path), flask_config)


@pytest.fixture
def test_database(migrated_database, tmp_path):
    """This test's database: a copy of the migrated SQLite file, or the shared PostgreSQL schema,
    emptied afterwards (the audit log's append-only triggers are bypassed for that alone)."""
    if migrated_database.startswith("sqlite"):
        copy = tmp_path / "test.sqlite3"
        shutil.copyfile(sa.make_url(migrated_database).database, copy)
        yield f"sqlite:///{copy}"
        return
    yield migrated_database
    engine = sa.create_engine(migrated_database)
    with engine.begin() as connection:
        connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


@pytest.fixture
def make_app(test_database, tmp_path):
    """Build apps on this test's database."""
    built = []

    def build(**environ):
        app = build_app(test_database, tmp_path / "instance", MAIL_FILE_DIR=tmp_path / "mail", **environ)
        built.append(app)
        return app

    yield build
    for app in built:
        services(app).outbox_worker.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app, request):
    """The app; a test that runs a mail server (up or down) gets an app that sends to it."""
    for server in ("smtp_server", "stopped_smtp_server"):
        if server in request.fixturenames:
            return make_app(**request.getfixturevalue(server).config())
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
    """A real SMTP server on loopback that keeps what it receives. It can be stopped and started,
    told how to answer the next messages, or made to hang in the middle of one."""

    def __init__(self, **options) -> None:
        self.port = free_port()
        self.options = options
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.replies: list[str] = []
        self.stall_next = False
        self.stalled: list[EmailMessage] = []
        self.stalling = threading.Event()
        self.release = threading.Event()
        # A slow server: each message takes this long; the connections seen and the most at once.
        self.seconds_per_message = 0.0
        self.connections: set[int] = set()
        self.most_at_once = 0
        self._at_once = 0
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):
        self.connections.add(id(session))
        if self.seconds_per_message:
            self._at_once += 1
            self.most_at_once = max(self.most_at_once, self._at_once)
            await asyncio.sleep(self.seconds_per_message)
            self._at_once -= 1
        message = message_from_bytes(envelope.content, policy=policy.default)
        if self.stall_next:
            self.stall_next = False
            self.stalled.append(message)
            self.stalling.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.4.2 The sender went away"
        if self.replies:
            return self.replies.pop(0)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message)
        return "250 Message accepted"

    # Staff addresses in the tests are all at clinic.example; patients write from anywhere else.
    @property
    def staff_messages(self) -> list[EmailMessage]:
        """What reached the clinic's staff, without the patients' own copies."""
        return [message for message in self.messages if "@clinic.example" in message["To"]]

    @property
    def patient_copies(self) -> list[EmailMessage]:
        """The patients' own copies of their requests."""
        return [message for message in self.messages if "@clinic.example" not in message["To"]]

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **self.options)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def config(self) -> dict[str, object]:
        # A plain server on loopback: the one case MAIL_ALLOW_PLAIN_SMTP is for.
        return {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": self.port,
            "MAIL_TIMEOUT_SECONDS": 5,
            "MAIL_ALLOW_PLAIN_SMTP": True,
        }


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


@pytest.fixture
def owner(app):
    from tests.helpers import create_account

    return create_account(app, "owner@clinic.example", role="owner", name="Olivia Owner")


@pytest.fixture
def staff(app):
    from tests.helpers import create_account

    return create_account(app, "desk@clinic.example", role="staff", name="Dana Desk")


@pytest.fixture
def owner_client(app, owner):
    from tests.helpers import sign_in

    client = app.test_client()
    assert sign_in(client, "owner@clinic.example").status_code == 302
    return client


@pytest.fixture
def staff_client(app, staff):
    from tests.helpers import sign_in

    client = app.test_client()
    assert sign_in(client, "desk@clinic.example").status_code == 302
    return client
