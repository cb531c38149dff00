"""Typed access to what the app was built with: its settings, the coverage rules, the clinic's facts
and the outbox worker. Views and helpers call these instead of reading ``app.extensions`` by name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import Flask, current_app

from clinic_app.booking.availability import rules_from_settings
from clinic_app.booking.slots import BookingRules
from clinic_app.coverage import ClinicFacts, RuleBook
from clinic_app.mail.worker import OutboxWorker
from clinic_app.settings import Settings

EXTENSION_KEY = "clinic_app"


@dataclass(frozen=True)
class AppServices:
    settings: Settings
    # The coverage rules in each language of the app ("en", "es"): the same rules, their texts translated.
    rule_books: Mapping[str, RuleBook]
    clinic: ClinicFacts
    outbox_worker: OutboxWorker


def install(app: Flask, services: AppServices) -> None:
    app.extensions[EXTENSION_KEY] = services


def services(app: Flask | None = None) -> AppServices:
    found: AppServices = (app or current_app).extensions[EXTENSION_KEY]
    return found


def settings() -> Settings:
    return services().settings


def rules(language: str = "en") -> RuleBook:
    """The rules with their texts in ``language``; staff read carriers and sources in English."""
    return services().rule_books[language]


def booking_rules() -> BookingRules:
    return rules_from_settings(services().settings)


def clinic() -> ClinicFacts:
    return services().clinic


def wake_outbox_worker() -> None:
    """Send now rather than at the next poll; called after a commit that queued an email."""
    services().outbox_worker.wake()
