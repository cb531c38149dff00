"""Which language a page is in, and how the choice travels from page to page without a cookie.

A visitor's choice rides in the address (``?lang=es``) and in the request form (a hidden ``lang``
field), because the embedded form may not set a cookie and the clinic's own page keeps none either:
the form page is the same for every visitor and is cached per language. With no choice made, the
browser's ``Accept-Language`` decides. Staff pages stay in English.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask, g, has_request_context, request, url_for
from flask_babel import get_locale, get_translations
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from clinic_app.coverage import english_terms_marked
from clinic_app.web import services

# The languages the app's texts are written in: the gettext catalogues and the coverage rules.
LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
# A form's page that was sent (POST), and the page that shows the same form afresh.
FORM_PAGES = {"public.send_request_form": "public.request_form", "embed.send_form": "embed.form"}
# Pages whose language follows the visitor; every other page (staff, health checks) is in English.
VISITOR_BLUEPRINTS = {"public", "embed"}


def visitor_page() -> bool:
    """A page that follows the visitor's language: a public or embedded page, or an error page for an
    address that matched nothing."""
    return request.blueprint in VISITOR_BLUEPRINTS or request.url_rule is None


def chosen_language() -> str | None:
    """The language the visitor picked, from the address or the form they sent, if it is one we have."""
    if not visitor_page():
        return None
    asked = request.args.get("lang")
    if asked is None and request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        try:
            asked = request.form.get("lang")
        except HTTPException:  # a body too large to read: its error page follows the browser
            asked = None
    return asked if asked in LANGUAGES else None


def page_language() -> str | None:
    """The locale Flask-Babel uses for this request (None outside one: emails name theirs)."""
    if not has_request_context():
        return None
    if "page_language" not in g:
        if visitor_page():
            browser = request.accept_languages.best_match(LANGUAGES)
            g.page_language = chosen_language() or browser or DEFAULT_LANGUAGE
        else:
            g.page_language = DEFAULT_LANGUAGE
    return str(g.page_language)


def this_page_in(language: str) -> str:
    """The address of this page in another language, for the language switch. A form sent back with
    mistakes switches to the empty form: its answers were never stored, and are not put in a link."""
    query: dict[str, Any] = {**request.args.to_dict(), "lang": language}
    endpoint = FORM_PAGES.get(request.endpoint or "", request.endpoint)
    if endpoint is None:  # an address that matched nothing: its error page, in the other language
        return f"{request.script_root}{request.path}?{urlencode(query)}"
    return url_for(endpoint, **(request.view_args or {}), **query)


def english_terms_here(text: str, language: str | None = None) -> Markup:
    """Text in ``language`` (the page's, unless named) with the English insurance words it keeps in
    brackets, "deducible (deductible)", marked ``lang="en"`` for screen readers to say them in English.
    The words are the Spanish rules' ``english_terms``. Text that is not Markup is escaped first."""
    language = language or str(get_locale() or DEFAULT_LANGUAGE)
    if language == DEFAULT_LANGUAGE:
        return text if isinstance(text, Markup) else escape(text)
    return english_terms_marked(text, services.rules(language).english_terms)


def register_languages(app: Flask) -> None:
    # The templates' _() and ngettext() as Flask-Babel installs them, with English words kept in a
    # Spanish text marked (the catalogue's texts are trusted HTML to Jinja: {% trans %} keeps links).
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda text: english_terms_here(Markup(get_translations().ugettext(text))),
        ngettext=lambda one, many, n: english_terms_here(Markup(get_translations().ungettext(one, many, n))),
        newstyle=True,
    )
    app.jinja_env.filters["english_terms"] = english_terms_here
    # {% trans %} blocks over several lines are found in the catalogue as pybabel extracted them.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals.update(
        this_page_in=this_page_in, language_names=LANGUAGE_NAMES, visitor_page=visitor_page
    )

    @app.url_defaults
    def keep_the_chosen_language(endpoint: str, values: dict[str, object]) -> None:
        """Links between a visitor's pages keep a language picked by hand (the switch, the embed's
        ``lang``), which may differ from what the browser asks for."""
        if "lang" in values or not endpoint.startswith(("public.", "embed.")) or not has_request_context():
            return
        picked = chosen_language()
        if picked is not None:
            values["lang"] = picked

    @app.after_request
    def say_the_page_follows_the_browser(response: Response) -> Response:
        """A visitor's page with no language picked follows Accept-Language: caches must key on it."""
        if visitor_page() and chosen_language() is None:
            response.vary.add("Accept-Language")
        return response
