"""Backups: `flask --app wsgi backup create PATH` and `backup restore PATH`, on the test's database
(SQLite's online backup API, or pg_dump and pg_restore on the test's PostgreSQL schema)."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import sqlalchemy as sa

from clinic_app.backups import create_backup
from clinic_app.extensions import db
from clinic_app.models import ConsultationRequest, OutboxEmail
from tests.conftest import postgres_schema
from tests.helpers import submit


def stored_requests(app) -> list[tuple[str, str, str, int]]:
    """Each stored request: reference, name, message, and how many staff emails it has."""
    with app.app_context():
        found = [
            (found.reference, found.full_name, found.message, len(found.emails))
            for found in db.session.scalars(sa.select(ConsultationRequest).order_by(ConsultationRequest.id))
        ]
        db.session.remove()
        return found


def delete_every_request(app) -> None:
    with app.app_context():
        db.session.execute(sa.delete(OutboxEmail))
        db.session.execute(sa.delete(ConsultationRequest))
        db.session.commit()
        db.session.remove()


def backup(app, *args: str):
    return app.test_cli_runner().invoke(args=["backup", *args])


def test_a_backup_brings_back_requests_deleted_after_it(app, tmp_path):
    assert submit(app.test_client()).status_code == 303
    assert (
        submit(app.test_client(), full_name="Bo Lindqvist", message="Stiff neck mornings.").status_code == 303
    )
    before = stored_requests(app)
    # Each with its staff email and the patient's own copy.
    assert [(name, emails) for _, name, _, emails in before] == [("Ana Díaz", 2), ("Bo Lindqvist", 2)]

    path = tmp_path / "backups" / "clinic.backup"
    created = backup(app, "create", str(path))
    assert created.exit_code == 0, created.output
    assert f"Backed up the database to {path}." in created.output
    # It holds health details: only the app's own user may read it.
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [entry.name for entry in path.parent.iterdir()] == ["clinic.backup"]

    delete_every_request(app)
    assert stored_requests(app) == []

    restored = backup(app, "restore", "--yes", str(path))
    assert restored.exit_code == 0, restored.output
    assert f"Restored the database from {path}." in restored.output
    assert stored_requests(app) == before
    # The restored database takes new requests as before.
    assert submit(app.test_client(), full_name="Cy Young").status_code == 303
    assert [name for _, name, _, _ in stored_requests(app)] == ["Ana Díaz", "Bo Lindqvist", "Cy Young"]


def test_restore_asks_first_and_does_nothing_when_told_no(app, tmp_path):
    submit(app.test_client())
    path = tmp_path / "clinic.backup"
    assert backup(app, "create", str(path)).exit_code == 0
    delete_every_request(app)

    refused = app.test_cli_runner().invoke(args=["backup", "restore", str(path)], input="n\n")
    assert "This replaces everything in the database with the backup. Go on?" in refused.output
    assert refused.exit_code != 0
    assert stored_requests(app) == []


def test_a_file_that_is_not_a_backup_is_refused_and_the_database_is_left_as_it_was(app, tmp_path):
    submit(app.test_client())
    before = stored_requests(app)
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("Call Ana back on Monday.\n" * 100)

    refused = backup(app, "restore", "--yes", str(not_a_backup))
    assert refused.exit_code == 1
    assert refused.output.startswith("Error: ")
    assert stored_requests(app) == before


def another_databases_backup(app, tmp_path: Path) -> Path:
    """A good backup, made by this app's command, of a database that is not this app's."""
    backup = tmp_path / "other.backup"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        other = tmp_path / "other.sqlite3"
        with sqlite3.connect(other) as connection:
            connection.execute("CREATE TABLE notes (body TEXT)")
        connection.close()
        return create_backup(f"sqlite:///{other}", backup)
    with postgres_schema(os.environ["TEST_DATABASE_URL"]) as other:
        engine = sa.create_engine(other)
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE notes (body TEXT)"))
        engine.dispose()
        return create_backup(other, backup)


def test_a_backup_of_another_database_is_refused_and_the_database_is_left_as_it_was(app, tmp_path):
    submit(app.test_client())
    before = stored_requests(app)
    other = another_databases_backup(app, tmp_path)

    refused = backup(app, "restore", "--yes", str(other))
    assert refused.exit_code == 1
    assert "is not a backup of this app's database" in refused.output
    assert stored_requests(app) == before


def test_a_backup_never_overwrites_a_file(app, tmp_path):
    existing = tmp_path / "clinic.backup"
    existing.write_text("yesterday's backup")

    refused = backup(app, "create", str(existing))
    assert refused.exit_code == 1
    assert "already exists" in refused.output
    assert existing.read_text() == "yesterday's backup"
    assert [entry.name for entry in tmp_path.iterdir() if entry.name.endswith("backup")] == ["clinic.backup"]


def test_a_backup_holds_nothing_of_a_request_deleted_before_it(app, tmp_path):
    submit(app.test_client(), full_name="Zebediah Quarrington", email="zebediah@example.com")
    submit(app.test_client())
    with app.app_context():
        db.session.execute(sa.delete(OutboxEmail))
        db.session.execute(sa.delete(ConsultationRequest).where(ConsultationRequest.full_name != "Ana Díaz"))
        db.session.commit()
        db.session.remove()

    path = tmp_path / "clinic.backup"
    assert backup(app, "create", str(path)).exit_code == 0
    contents = path.read_bytes().lower()
    assert b"zebediah" not in contents
    assert b"quarrington" not in contents
