"""The application factory: a table of contents of what the app is made of."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from clinic_app.settings import PROJECT_ROOT, Settings
from clinic_app.web.log_privacy import keep_secrets_out_of_request_logs
from clinic_app.web.requests import InMemoryRequest


def create_app(settings: Settings | None = None, flask_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from ``settings`` (read from the environment when not given).

    ``flask_config`` is for Flask's own switches in tests (TESTING, PROPAGATE_EXCEPTIONS); everything
    the clinic sets goes through ``Settings``. A configuration mistake raises ``SettingsError`` (or
    ``RuleFileError`` for the rules file) before anything is served.
    """
    settings = settings or Settings.from_environ()
    from_settings = flask_settings(settings)
    overridden = sorted((flask_config or {}).keys() & from_settings.keys())
    if overridden:
        raise ValueError(f"{', '.join(overridden)} come from the settings; set them there")
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(settings.instance_path),
    )
    # Uploads in memory, never in a temporary file (a 271 is never written to disk).
    app.request_class = InMemoryRequest
    app.config.from_mapping(from_settings)
    app.config.from_mapping(flask_config or {})
    configure_logging()
    # Flask logs an unexpected error as "Exception on /request/received/<token> [GET]".
    keep_secrets_out_of_request_logs(app.logger)
    register_services(app, settings)
    register_extensions(app, settings)
    register_template_helpers(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_compression(app)
    register_commands(app)
    return app


def flask_settings(settings: Settings) -> dict[str, Any]:
    """What Flask and its extensions read from ``app.config``, taken from the typed settings."""
    return {
        "SECRET_KEY": settings.secret_key,
        "SQLALCHEMY_DATABASE_URI": settings.database_url,
        # A failed statement's error names no values: they are patients' answers.
        "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
        "MAX_CONTENT_LENGTH": 64 * 1024,
        "RATELIMIT_ENABLED": settings.ratelimit_enabled,
        "RATELIMIT_STORAGE_URI": settings.ratelimit_storage_uri,
        "RATELIMIT_HEADERS_ENABLED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": settings.session_cookie_secure,
        "WTF_CSRF_TIME_LIMIT": 4 * 3600,
        # Compressed where it is safe (see register_compression), not by Flask-Compress everywhere.
        "COMPRESS_REGISTER": False,
    }


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Alembic announces each of its plugins at INFO on every start; that tells an operator nothing.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # SQLAlchemy logs statements and result rows (patients' answers) at INFO and DEBUG: never, whatever
    # the root level. Its warnings and errors still show.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    keep_secrets_out_of_request_logs(logging.getLogger("werkzeug"))


def register_services(app: Flask, settings: Settings) -> None:
    """Load and check the coverage rules and the clinic's facts once; start the outbox worker with the
    first web request (so CLI commands never start one)."""
    from flask import request_started

    from clinic_app.intake.clinic_setup import clinic_facts, coverage_rule_books
    from clinic_app.mail.worker import OutboxWorker
    from clinic_app.web.services import AppServices, install

    rule_books = coverage_rule_books(settings)
    worker = OutboxWorker(app, settings)
    install(app, AppServices(settings, rule_books, clinic_facts(settings, rule_books["en"]), worker))
    if settings.outbox_worker == "thread":
        request_started.connect(lambda sender, **extra: worker.start_thread(), app, weak=False)


def register_extensions(app: Flask, settings: Settings) -> None:
    from clinic_app import models  # noqa: F401  (tables must be known to the metadata)
    from clinic_app.extensions import babel, csrf, db, limiter, login_manager, migrate
    from clinic_app.web.languages import page_language, register_languages

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=page_language, default_timezone=settings.clinic_timezone)
    register_languages(app)
    if settings.proxy_count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = settings.proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]
    if settings.database_url.startswith("sqlite"):
        _tune_sqlite(app)


def _tune_sqlite(app: Flask) -> None:
    """WAL lets the outbox worker write while a page reads; foreign keys are off in SQLite by default.
    The file holds health information: only the app's own user may read it (SQLite gives the WAL and
    shared-memory files the database file's mode)."""
    from sqlalchemy import event

    from clinic_app.extensions import db
    from clinic_app.settings import private_file

    with app.app_context():
        if db.engine.url.database not in (None, "", ":memory:"):
            private_file(Path(str(db.engine.url.database)))

        @event.listens_for(db.engine, "connect")
        def on_connect(dbapi_connection: Any, _record: object) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            # Deleted rows are overwritten with zeros, so a purged request leaves nothing in the file.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()


def register_template_helpers(app: Flask) -> None:
    from clinic_app.web.assets import register_assets
    from clinic_app.web.templating import register_template_helpers as register

    register(app)
    register_assets(app)


def register_blueprints(app: Flask) -> None:
    from clinic_app import embed, public, staff
    from clinic_app.web import health

    app.register_blueprint(public.bp)
    app.register_blueprint(embed.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(health.bp)


def register_error_handlers(app: Flask) -> None:
    from clinic_app.web.errors import register_error_handlers as register

    register(app)


def register_security_headers(app: Flask) -> None:
    from clinic_app.web.security_headers import register_security_headers as register

    register(app)


def register_compression(app: Flask) -> None:
    """Compress public pages, CSS and JS. Not the staff pages: they carry a CSRF token that stays the
    same for the session beside text a visitor can make them show (a search), which is what the
    BREACH attack reads a secret from, one compressed length at a time."""
    from flask import Response, request

    from clinic_app.extensions import compress

    compress.init_app(app)

    def compress_unless_staff(response: Response) -> Response:
        return response if request.blueprint == "staff" else compress.after_request(response)

    app.after_request(compress_unless_staff)


def register_commands(app: Flask) -> None:
    from clinic_app.commands import backup_cli, check_settings, outbox_cli, requests_cli, staff_cli
    from clinic_app.commands.availability import availability_cli

    app.cli.add_command(availability_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(check_settings)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(requests_cli)
    app.cli.add_command(staff_cli)
