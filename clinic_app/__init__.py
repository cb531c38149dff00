"""The application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from clinic_app.config import load_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: Mapping[str, Any] | None = None, instance_path: Path | None = None) -> Flask:
    """Build the app from the environment; ``overrides`` and ``instance_path`` are for tests."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(instance_path or PROJECT_ROOT / "instance"),
    )
    app.config.from_mapping(load_config(Path(app.instance_path)))
    app.config.from_mapping(overrides or {})
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Alembic announces each of its plugins at INFO on every start; that tells an operator nothing.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    register_clinic_settings(app)
    register_extensions(app)
    register_template_helpers(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_commands(app)
    register_outbox_worker(app)
    return app


def register_clinic_settings(app: Flask) -> None:
    """Load and check the coverage rules and the clinic's settings once; a mistake stops the start."""
    from clinic_app.intake.settings import clinic_facts, coverage_rules

    rules = coverage_rules(app.config)
    app.extensions["coverage_rules"] = rules
    app.extensions["clinic_facts"] = clinic_facts(app.config, rules)


def register_extensions(app: Flask) -> None:
    from clinic_app import models  # noqa: F401  (tables must be known to the metadata)
    from clinic_app.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _tune_sqlite(app)


def _tune_sqlite(app: Flask) -> None:
    """WAL lets the outbox worker write while a page reads; foreign keys are off in SQLite by default."""
    from sqlalchemy import event

    from clinic_app.extensions import db

    with app.app_context():

        @event.listens_for(db.engine, "connect")
        def on_connect(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()


def register_template_helpers(app: Flask) -> None:
    from clinic_app.coverage import dollars
    from clinic_app.formatting import age, clinic_time, email_state_in_words, phone_for_people
    from clinic_app.intake.choices import label, time_label, weekday_label
    from clinic_app.workflow import CLOSE_REASON_LABELS, STATUS_LABELS

    carriers = app.extensions["coverage_rules"].carriers
    app.jinja_env.globals.update(label=label, carrier_name=lambda key: carriers.get(key, key))
    app.jinja_env.globals.update(
        status_labels=STATUS_LABELS,
        close_reason_labels=CLOSE_REASON_LABELS,
        email_state=email_state_in_words,
    )
    app.jinja_env.filters.update(
        age=age,
        phone=phone_for_people,
        clinic_time=clinic_time,
        dollars=dollars,
        weekday_label=weekday_label,
        time_label=time_label,
    )

    @app.context_processor
    def clinic_details() -> dict[str, Any]:
        config = app.config
        return {
            "clinic": {
                "name": config["CLINIC_NAME"],
                "phone": config["CLINIC_PHONE"],
                "address": config["CLINIC_ADDRESS"],
                "timezone": config["CLINIC_TIMEZONE"],
                "response_time": config["CLINIC_RESPONSE_TIME"],
                "retention_days": config["DATA_RETENTION_DAYS"],
            }
        }


def register_blueprints(app: Flask) -> None:
    from clinic_app import embed, health, public, staff

    app.register_blueprint(public.bp)
    app.register_blueprint(embed.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(health.bp)


def register_error_handlers(app: Flask) -> None:
    from clinic_app.errors import register_error_handlers as register

    register(app)


def register_security_headers(app: Flask) -> None:
    from clinic_app.security import register_security_headers as register

    register(app)


def register_commands(app: Flask) -> None:
    from clinic_app.commands import outbox_cli, requests_cli, staff_cli

    app.cli.add_command(outbox_cli)
    app.cli.add_command(requests_cli)
    app.cli.add_command(staff_cli)


def register_outbox_worker(app: Flask) -> None:
    """Start the in-process worker with the first web request, so CLI commands never start one."""
    from flask import request_started

    from clinic_app.mail.worker import OutboxWorker

    worker = OutboxWorker(app)
    app.extensions["outbox_worker"] = worker
    if app.config["OUTBOX_WORKER"] == "thread":
        request_started.connect(lambda sender, **extra: worker.start_thread(), app, weak=False)
