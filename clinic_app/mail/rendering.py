"""The emails' own template environment: plain Jinja over templates/email, with the few filters the
emails use, one environment per language. Emails are rendered without Flask, so a request can be
stored and its email queued from any caller that has a database session (a view, the command line, a
test); their words come from the same gettext catalogues as the pages (``_()`` in the templates)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache, partial
from pathlib import Path
from typing import Any

from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from clinic_app.coverage import english_terms_marked
from clinic_app.formatting import clinic_time, phone_for_people
from clinic_app.settings import PROJECT_ROOT

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


@cache
def email_templates(language: str = "en") -> Environment:
    environment = Environment(
        loader=FileSystemLoader(PROJECT_ROOT / "templates" / "email"),
        # HTML is escaped as Flask escapes it; the text part and the subject are plain text.
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.policies["ext.i18n.trimmed"] = True  # as pybabel extracts them (babel.cfg)
    translations = Translations.load(str(TRANSLATIONS), [language])
    environment.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    environment.filters.update(
        clinic_time=partial(clinic_time, locale=language),
        phone=phone_for_people,
        english_terms=english_terms_marked,
    )
    return environment


def render_email(name: str, context: Mapping[str, Any], language: str = "en") -> str:
    """The template rendered in ``language`` (staff emails are in English), which it may name as
    ``language`` (``<html lang>``)."""
    return email_templates(language).get_template(name).render({**context, "language": language})
