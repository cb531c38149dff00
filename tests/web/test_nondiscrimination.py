"""The nondiscrimination notice and the "Language help" line: the notice gives the clinic's details and
how to complain, every visitor's page links to it, and the taglines are in the languages the page is
not in, each marked with its language."""

from __future__ import annotations

import re

import pytest
import textstat

from tests.helpers import visible_text
from tests.web.test_valid_html import nu_checker, nu_errors

FOOTER_PAGES = ["/request", "/privacy", "/request/received/expired"]
SITE = "https://www.clinic-site.example"


def grade(html: str) -> float:
    return textstat.flesch_kincaid_grade(visible_text(html).replace("\n", ". "))


def part(html: str, element: str) -> str:
    """The HTML of the first <element> and what it holds."""
    start = html.index(f"<{element}")
    return html[start : html.index(f"</{element}>", start)]


def language_help(html: str) -> str:
    match = re.search(r'<section class="language-help".*?</section>', html, re.S)
    assert match, "the page has its Language help section"
    return match.group(0)


def taglines(html: str) -> dict[str, str]:
    """The taglines in the Language help section, by their lang attribute."""
    found = re.findall(r'<p lang="([^"]+)"[^>]*>(.*?)</p>', language_help(html), re.S)
    return {code: re.sub(r"<[^>]+>", "", text) for code, text in found}


def test_the_notice_gives_the_clinics_name_address_and_phone(client):
    response = client.get("/nondiscrimination")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = visible_text(html)
    assert "Cascade Headache & Neck Clinic" in text
    assert "1200 Main Street, Suite 210, Vancouver, WA 98660" in text
    assert "(503) 555-0142" in text
    assert '<a href="tel:+15035550142">(503) 555-0142</a>' in part(html, "main")


def test_the_notice_says_what_the_law_asks_and_how_to_complain(client):
    html = client.get("/nondiscrimination").get_data(as_text=True)
    text = visible_text(html)
    assert "race, color, national origin, age, disability, or sex" in text
    assert "free aids and services to people with disabilities" in text
    assert "free language help" in text
    assert "Section 1557 Coordinator" in text
    assert "grievance" in text
    main = part(html, "main")
    assert 'href="https://ocrportal.hhs.gov/ocr/portal/lobby.jsf"' in main
    assert '<a href="tel:+18003681019">1-800-368-1019</a>' in main
    assert '<a href="tel:+18005377697">800-537-7697</a> (TDD)' in main
    assert "200 Independence Avenue SW Room 509F, HHH Building Washington, DC 20201" in text


def test_the_notice_has_its_headings_in_order_and_nothing_inline(client):
    main = part(client.get("/nondiscrimination").get_data(as_text=True), "main")
    levels = [int(level) for level in re.findall(r"<h([1-6])", main)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:], strict=False))
    assert "style=" not in main and "<script" not in main


def test_the_notice_reads_at_grade_eight_or_below(client):
    assert grade(client.get("/nondiscrimination").get_data(as_text=True)) <= 8


@pytest.mark.parametrize("path", FOOTER_PAGES)
def test_the_footer_links_to_the_notice(client, path):
    html = client.get(path).get_data(as_text=True)
    assert 'href="/nondiscrimination"' in part(html, "footer")
    assert 'href="/nondiscrimination"' in language_help(html)


@pytest.mark.parametrize("path", FOOTER_PAGES)
def test_a_page_in_english_has_the_spanish_tagline(client, path):
    html = client.get(path).get_data(as_text=True)
    lines = taglines(html)
    assert list(lines) == ["es"]
    assert lines["es"].startswith("ATENCIÓN: Si habla español")
    assert "Llame al (503) 555-0142." in lines["es"]
    assert '<a href="tel:+15035550142">(503) 555-0142</a>' in language_help(html)


@pytest.mark.parametrize("path", [f"{path}?lang=es" for path in FOOTER_PAGES])
def test_a_page_in_spanish_has_the_english_tagline(client, path):
    html = client.get(path).get_data(as_text=True)
    assert '<html lang="es"' in html
    lines = taglines(html)
    assert list(lines) == ["en"]
    assert lines["en"].startswith("ATTENTION: If you speak English")
    assert "Call (503) 555-0142." in lines["en"]


def test_the_embedded_form_ends_with_the_language_help(make_app):
    app = make_app(EMBED_ALLOWED_ORIGINS=[SITE])
    html = app.test_client().get(f"/embed/form?host={SITE}").get_data(as_text=True)
    main = part(html, "main")
    assert '<section class="language-help"' in main
    assert main.rindex('<section class="language-help"') > main.rindex("</form>")
    assert 'href="/nondiscrimination" target="_blank" rel="noopener"' in language_help(html)
    assert list(taglines(html)) == ["es"]


def test_the_clinic_chooses_the_languages(make_app):
    client = make_app(CLINIC_LANGUAGES="en").test_client()
    assert taglines(client.get("/request").get_data(as_text=True)) == {}
    assert list(taglines(client.get("/request?lang=es").get_data(as_text=True))) == ["en"]


def test_a_language_with_no_tagline_stops_the_app(make_app):
    with pytest.raises(ValueError, match="'xx'"):
        make_app(CLINIC_LANGUAGES="en,es,xx")


def test_the_notice_is_valid_html_in_each_language(client, tmp_path):
    """The notice is not among tests/web/test_valid_html.py's pages: the Nu checker reads it here."""
    files = []
    for name, path in [("notice-en", "/nondiscrimination"), ("notice-es", "/nondiscrimination?lang=es")]:
        files.append(tmp_path / f"{name}.html")
        files[-1].write_text(client.get(path).get_data(as_text=True), encoding="utf-8")
    assert nu_errors(nu_checker(), files) == []
