"""What every template can use: the clinic's details, the answers' rows, and filters for times,
phone numbers and ages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask_babel import get_locale

from clinic_app.answer_fields import Place, rows
from clinic_app.booking.slots import time_in_words
from clinic_app.extensions import db
from clinic_app.formatting import (
    age,
    clinic_time,
    email_state_in_words,
    html_datetime,
    phone_for_links,
    phone_for_people,
)
from clinic_app.language_help import taglines_for
from clinic_app.models import Booking, BookingStatus, ConsultationRequest
from clinic_app.web.languages import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES
from clinic_app.web.services import services


def register_template_helpers(app: Flask) -> None:
    app_services = services(app)
    settings = app_services.settings
    carriers = app_services.rule_books["en"].carriers

    def answer_rows(request: ConsultationRequest, place: str) -> list[Any]:
        return rows(request, Place(place), carriers)

    def booked_time(request: ConsultationRequest) -> dict[str, str] | None:
        """The request's free-consultation booking, if it has one: its time in words in the page's
        language ("Tuesday, March 16, 2:15 PM Pacific time") and the provider's name."""
        booking = db.session.scalar(
            sa.select(Booking).where(Booking.request_id == request.id, Booking.status == BookingStatus.BOOKED)
        )
        if booking is None:
            return None
        language = str(get_locale() or DEFAULT_LANGUAGE)
        when = time_in_words(booking.starts_at, settings.clinic_timezone, language)
        return {"when": when, "provider": booking.provider.name, "id": str(booking.id)}

    app.jinja_env.globals.update(
        answer_rows=answer_rows,
        email_state=email_state_in_words,
        booked_time=booked_time,
    )

    def clinic_time_here(moment: datetime, zone_name: str) -> str:
        return clinic_time(moment, zone_name, str(get_locale() or DEFAULT_LANGUAGE))

    app.jinja_env.filters.update(
        age=age, phone=phone_for_people, clinic_time=clinic_time_here, html_datetime=html_datetime
    )
    clinic_for_everyone = {
        "name": settings.clinic_name,
        "phone": settings.clinic_phone,
        # For tel: links, computed once: the number as set ("(503) 555-0142") is shown, not linked.
        "phone_e164": phone_for_links(settings.clinic_phone),
        "address": settings.clinic_address,
        "timezone": settings.clinic_timezone,
        "retention_days": settings.data_retention_days,
    }
    clinic_by_language = {
        language: {**clinic_for_everyone, "response_time": settings.clinic_response_time[language]}
        for language in LANGUAGES
    }
    # The "Language help" taglines (templates/public/_language_help.html), made once: the settings are
    # fixed for the process, and a language with no tagline stops the app here, when it starts.
    app.jinja_env.globals["language_help"] = taglines_for(settings.clinic_languages, settings.clinic_phone)

    @app.context_processor
    def clinic_details() -> dict[str, Any]:
        language = str(get_locale() or DEFAULT_LANGUAGE)
        return {
            "clinic": clinic_by_language[language],
            "page_language": language,
            "other_languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES if code != language],
        }
