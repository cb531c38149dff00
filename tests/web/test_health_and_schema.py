"""Operations: the health check, the migrations, the outbox command."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from clinic_app.extensions import db
from clinic_app.models.requests import described_by_models
from tests.conftest import migrate_to, postgres_schema
from tests.helpers import submit


def test_health_check_answers_ok_with_the_database_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_health_check_answers_503_when_the_database_is_unreachable(make_app):
    app = make_app(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_migrations_build_exactly_the_schema_the_models_describe(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": lambda name, type_, parents: described_by_models(name, type_)}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_outbox_send_command_delivers_what_is_due(make_app, smtp_server):
    app = make_app(**smtp_server.config())
    submit(app.test_client())
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0
    assert result.output.strip() == "sent 2, will retry 0, failed 0", "the staff email and the patient's copy"
    assert len(smtp_server.staff_messages) == 1 and len(smtp_server.patient_copies) == 1


@contextmanager
def empty_database(tmp_path):
    """A database of the engine under test with nothing in it: a schema of its own on PostgreSQL."""
    server = os.environ.get("TEST_DATABASE_URL")
    if server:
        with postgres_schema(server) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"


def test_upgrading_a_database_keeps_the_requests_already_in_it(tmp_path):
    """Migrations run on real data: a request stored under the first schemas survives every later one."""
    with empty_database(tmp_path) as url:
        _upgrade_with_data(url, tmp_path)


def _upgrade_with_data(url, tmp_path):
    migrate_to(url, tmp_path, revision="0002_estimates_and_network")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO consultation_request (id, reference, created_at, status, visit_type, full_name,"
                " preferred_contact, best_days, best_times, main_concern, headache_days_per_month,"
                " has_warning_signs, consented_at) VALUES (1, 'ACDE-FG34', :now, 'new', 'consultation',"
                " 'Old Request', 'phone', '[]', '[]', 'neck_pain', 3, false, :now)"
            ),
            {"now": "2026-01-05 17:00:00+00"},
        )
        connection.execute(
            sa.text("INSERT INTO insurance_answers (request_id, coverage, age) VALUES (1, 'self_pay', 50)")
        )
    engine.dispose()
    migrate_to(url, tmp_path, revision="head")
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        assert connection.execute(
            sa.text("SELECT full_name, status, search_text FROM consultation_request")
        ).all() == [("Old Request", "new", "old request")]
        assert connection.execute(sa.text("SELECT coverage, age FROM insurance_answers")).all() == [
            ("self_pay", 50)
        ]
    engine.dispose()


def test_check_names_the_settings_still_on_their_samples(make_app):
    result = make_app().test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    assert "CLINIC_NAME is still the sample value: set the clinic's name" in result.output
    assert "PUBLIC_BASE_URL is still the sample value" not in result.output, "the tests set it"


def test_upgrading_removes_the_words_of_searches_logged_before_they_were_hashed(tmp_path):
    with empty_database(tmp_path) as url:
        _upgrade_old_searches(url, tmp_path)


def _upgrade_old_searches(url, tmp_path):
    migrate_to(url, tmp_path, revision="0008_sign_in_throttle")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for detail in ('{"search": "jane doe", "status": "new"}', '{"search": "hash 0123abcd"}', "{}"):
            connection.execute(
                sa.text(
                    "INSERT INTO audit_entry (at, actor_email, ip_address, action, detail)"
                    " VALUES (:at, 'desk@clinic.example', '127.0.0.1', 'viewed_list', :detail)"
                ),
                {"at": "2026-11-30 17:00:00+00", "detail": detail},
            )
    engine.dispose()
    migrate_to(url, tmp_path, revision="head")
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        details = [
            row[0] for row in connection.execute(sa.text("SELECT detail FROM audit_entry ORDER BY id"))
        ]
        assert [d if isinstance(d, dict) else json.loads(d) for d in details] == [
            {"search": "(removed)", "status": "new"},
            {"search": "hash 0123abcd"},
            {},
        ]
    with engine.begin() as connection, pytest.raises(sa.exc.DatabaseError, match="append-only"):
        connection.execute(sa.text("UPDATE audit_entry SET action = 'changed'"))
    engine.dispose()
