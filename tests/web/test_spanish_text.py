"""Every public page in Spanish is all Spanish, and plain: nothing left in English but names, and
Fernández-Huerta 70 or above (textstat 0.7.8's Spanish formula; its Spanish syllables come from
pyphen's bundled hyphenation dictionary, so it runs offline)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import textstat

from clinic_app.web import services
from tests.helpers import submit, visible_text

# Read by people: text and these attributes.
READ_ATTRIBUTES = {"aria-label", "title", "alt", "placeholder", "content"}
SKIPPED_ELEMENTS = {"script", "style"}


class _ReadTexts(HTMLParser):
    """Each piece of text a person reads or hears, with whether it sits inside a lang="en" element."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[tuple[str, bool]] = []
        self._stack: list[tuple[str, bool, bool]] = []

    def _english(self) -> bool:
        return bool(self._stack) and self._stack[-1][1]

    def _skipped(self) -> bool:
        return any(skipped for _, _, skipped in self._stack)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        english = values["lang"] == "en" if "lang" in values else self._english()
        void = tag in {"meta", "link", "input", "br", "img", "hr", "source"}
        if not self._skipped():
            name = values.get("name")
            for attribute in READ_ATTRIBUTES:
                if values.get(attribute) and (attribute != "content" or name == "description"):
                    self.texts.append((values[attribute], english))
        if not void:
            self._stack.append((tag, english, tag in SKIPPED_ELEMENTS))

    def handle_endtag(self, tag):
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if data.strip() and not self._skipped():
            self.texts.append((" ".join(data.split()), self._english()))


def read_texts(html: str) -> list[tuple[str, bool]]:
    parser = _ReadTexts()
    parser.feed(html)
    return parser.texts


def names(app) -> set[str]:
    """What reads the same in both languages: the clinic's details, the languages' own names, and the
    names of programs, plans and insurance companies."""
    settings = services.services(app).settings
    rules = services.services(app).rule_books["en"]
    return {
        settings.clinic_name, settings.clinic_address, settings.clinic_phone, "English", "Español",
        "Medicare", "Medicare Advantage", "Original Medicare", "PPO", "HMO", "EPO", "Apple Health",
        "Oregon Health Plan", "QMB", "911", "TTY", "HHS", "OCR",
        *rules.carriers.values(),
    }  # fmt: skip


# Words spelled the same in both languages.
SAME_IN_BOTH = {"No"}


def is_a_name_or_a_number(text: str, known: set[str]) -> bool:
    if text in SAME_IN_BOTH:
        return True
    for name in sorted(known, key=len, reverse=True):
        text = text.replace(name, " ")
    return not re.search(r"[A-Za-zÁÉÍÓÚáéíóúÑñ]{2,}", text)


def untranslated(app, english_html: str, spanish_html: str) -> list[str]:
    english = {text for text, _ in read_texts(english_html)}
    known = names(app)
    return [
        text
        for text, marked_english in read_texts(spanish_html)
        if text in english and not marked_english and not is_a_name_or_a_number(text, known)
    ]


def confirmation_path(client, lang: str, **answers) -> str:
    return submit(client, lang=lang, **answers).headers["Location"]


PAGES = ["/request", "/privacy", "/nondiscrimination", "/request/received/expired", "/no-such-page",
         "/embed/form?visit_type=consultation"]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_nothing_on_a_spanish_page_is_left_in_english(app, client, path):
    joiner = "&" if "?" in path else "?"
    english = client.get(f"{path}{joiner}lang=en").get_data(as_text=True)
    spanish = client.get(f"{path}{joiner}lang=es").get_data(as_text=True)
    assert untranslated(app, english, spanish) == []


def test_the_form_with_every_mistake_is_all_spanish(app, client):
    english = client.post("/request?lang=en", data={"lang": "en"}).get_data(as_text=True)
    spanish = client.post("/request?lang=es", data={"lang": "es"}).get_data(as_text=True)
    assert untranslated(app, english, spanish) == []


@pytest.mark.parametrize(
    "answers",
    [
        {"coverage": "original_medicare", "age": "70", "also_medicaid": "no", "warning_signs": "yes"},
        {"coverage": "apple_health", "age": "30", "carrier": None, "plan_type": None},
        {"coverage": "private", "plan_type": "hmo", "deductible_status": "met"},
        {"coverage": "self_pay"},
    ],
)
def test_the_confirmation_is_all_spanish(app, client, answers):
    english = client.get(confirmation_path(client, "en", **answers)).get_data(as_text=True)
    spanish = client.get(confirmation_path(client, "es", **answers)).get_data(as_text=True)
    assert untranslated(app, english, spanish) == []


@pytest.fixture
def spanish_scores():
    textstat.set_lang("es")
    try:
        yield lambda html: textstat.fernandez_huerta(visible_text(html).replace("\n", ". "))
    finally:
        textstat.set_lang("en")


@pytest.mark.parametrize("path", ["/request", "/privacy", "/nondiscrimination", "/request/received/expired"])
def test_spanish_public_pages_score_70_or_more(client, spanish_scores, path):
    assert spanish_scores(client.get(f"{path}?lang=es").get_data(as_text=True)) >= 70


def test_spanish_errors_and_confirmations_score_70_or_more(client, spanish_scores):
    assert spanish_scores(client.post("/request?lang=es", data={"lang": "es"}).get_data(as_text=True)) >= 70
    for coverage in ("original_medicare", "apple_health", "private", "self_pay", "not_sure"):
        page = client.get(confirmation_path(client, "es", coverage=coverage, also_medicaid="no"))
        assert spanish_scores(page.get_data(as_text=True)) >= 70, coverage
