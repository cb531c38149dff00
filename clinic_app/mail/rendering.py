"""The emails' own template environment: plain Jinja over templates/email, with the few filters the
emails use. Emails are rendered without Flask, so a request can be stored and its email queued from
any caller that has a database session (a view, the command line, a test)."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from clinic_app.formatting import clinic_time, phone_for_people
from clinic_app.settings import PROJECT_ROOT


@cache
def email_templates() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(PROJECT_ROOT / "templates" / "email"),
        # HTML is escaped as Flask escapes it; the text part and the subject are plain text.
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.filters.update(clinic_time=clinic_time, phone=phone_for_people)
    return environment


def render_email(name: str, **context: Any) -> str:
    return email_templates().get_template(name).render(**context)
