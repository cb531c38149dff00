"""The request form's page is rendered once per process and options, and each visit gets it with its
own fresh token: what visitors see must be exactly what a full render gives them."""

from __future__ import annotations

import re

import pytest

from clinic_app.web import form_flow
from clinic_app.web.form_tokens import read_form_token
from clinic_app.web.page_cache import MAX_PAGES_PER_APP, RenderedPages, rendered_pages
from tests.helpers import TEST_SECRET_KEY, valid_answers

SITE = "https://www.cascadeclinic.example"
TOKEN = re.compile(r'name="form_token" type="hidden" value="([^"]+)"')
EMBED_VARIANTS = [
    "/embed/form",
    "/embed/form?accent=225522",
    "/embed/form?accent=%237a1f5c&visit_type=consultation",
    f"/embed/form?host={SITE}&visit_type=new_patient&accent=225522&lang=en",
    "/embed/form?accent=ffffff&visit_type=nonsense&host=https://evil.example",
]


@pytest.fixture
def embed_app(make_app):
    return make_app(EMBED_ALLOWED_ORIGINS=[SITE])


@pytest.fixture
def issued_tokens(monkeypatch) -> list[str]:
    """Every form token the app issues, in order."""
    issued: list[str] = []
    issue = form_flow.issue_form_token

    def recording(secret_key: str) -> str:
        issued.append(issue(secret_key))
        return issued[-1]

    monkeypatch.setattr(form_flow, "issue_form_token", recording)
    return issued


def page_and_token(client, path: str) -> tuple[str, str]:
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    tokens = TOKEN.findall(html)
    assert len(tokens) == 1, "the form carries one token"
    return html.replace(tokens[0], "TOKEN"), tokens[0]


def test_two_visits_get_the_same_page_each_with_its_own_fresh_token(app, client, stored, issued_tokens):
    first_page, first_token = page_and_token(client, "/request")
    second_page, second_token = page_and_token(app.test_client(), "/request")
    assert first_page == second_page
    assert first_token != second_token
    assert [first_token, second_token] == issued_tokens, "each page shows the token issued for it"
    for token in (first_token, second_token):
        read_form_token(TEST_SECRET_KEY, token, 60)  # signed by the app, and new
    for number, token in enumerate((second_token, first_token), start=1):
        response = client.post("/request", data={**valid_answers(), "form_token": token})
        assert response.status_code == 303
        assert stored()["requests"] == number, "each token is accepted once, by a request of its own"


@pytest.mark.parametrize("path", ["/request", *EMBED_VARIANTS])
def test_the_kept_page_is_the_page_a_full_render_gives(make_app, path):
    kept = make_app(EMBED_ALLOWED_ORIGINS=[SITE])
    # With templates reloaded on change (as under flask run --debug), every visit is rendered in full.
    rendered_each_time = make_app(EMBED_ALLOWED_ORIGINS=[SITE])
    rendered_each_time.jinja_env.auto_reload = True
    full = rendered_each_time.test_client().get(path)
    for _ in range(2):  # the first visit fills the store, the second is served from it
        served = kept.test_client().get(path)
        assert served.status_code == full.status_code
        assert TOKEN.sub("TOKEN", served.get_data(as_text=True)) == TOKEN.sub(
            "TOKEN", full.get_data(as_text=True)
        )
        assert served.headers == full.headers
    assert len(rendered_pages(kept)) == 1
    assert len(rendered_pages(rendered_each_time)) == 0


def test_each_embed_variant_gets_its_own_page(embed_app):
    client = embed_app.test_client()
    pages = {path: page_and_token(client, path)[0] for path in ["/request", *EMBED_VARIANTS, "/request"]}
    assert 'class="embedded"' not in pages["/request"]
    assert "/embed/theme/" not in pages["/request"]
    assert 'class="embedded"' in pages["/embed/form"]
    assert '<link rel="stylesheet" href="/embed/theme/225522.css">' in pages["/embed/form?accent=225522"]
    purple = pages["/embed/form?accent=%237a1f5c&visit_type=consultation"]
    assert '<link rel="stylesheet" href="/embed/theme/7a1f5c.css">' in purple
    assert re.search(
        r'<input checked id="visit_type-0" name="visit_type" type="radio" value="consultation">', purple
    )
    chosen = pages[f"/embed/form?host={SITE}&visit_type=new_patient&accent=225522&lang=en"]
    assert f'data-parent-origin="{SITE}"' in chosen
    assert re.search(
        r'<input checked id="visit_type-1" name="visit_type" type="radio" value="new_patient">', chosen
    )
    assert (
        f'action="/embed/form?host={SITE}&amp;accent=225522&amp;lang=en&amp;visit_type=new_patient"' in chosen
    )
    refused = pages["/embed/form?accent=ffffff&visit_type=nonsense&host=https://evil.example"]
    assert refused == pages["/embed/form"], "options that fail their checks are dropped, as before"
    assert not re.search(r'<input checked[^>]*name="visit_type"', pages["/embed/form"])


def test_a_form_sent_with_mistakes_comes_back_with_its_errors_and_answers(client, stored):
    client.get("/request")
    page, token = page_and_token(client, "/request")
    response = client.post("/request", data={**valid_answers(full_name="", age="200"), "form_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<title>Please fix your answers: Ask for a visit" in html
    assert 'id="error-summary" role="alert"' in html
    assert "Please fix 2 things below" in html
    assert re.search(
        r'<input aria-describedby="full_name-error" aria-invalid="true"[^>]*id="full_name"', html
    )
    assert 'value="Ana.Diaz@Example.com"' in html and 'value="200"' in html
    new_token = TOKEN.search(html).group(1)
    assert new_token != token
    assert stored()["requests"] == 0
    # The next visitor gets the blank form, not this one's answers or errors.
    assert page_and_token(client, "/request")[0] == page
    response = client.post("/request", data={**valid_answers(), "form_token": new_token})
    assert response.status_code == 303
    assert stored()["requests"] == 1


def test_a_flashed_message_shows_once_to_its_own_visitor(app, client):
    blank = page_and_token(app.test_client(), "/request")[0]
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "You are signed out.")]
    flashed = page_and_token(client, "/request")[0]
    assert '<div class="flash" role="status"><p>You are signed out.</p></div>' in flashed
    assert page_and_token(client, "/request")[0] == blank
    assert page_and_token(app.test_client(), "/request")[0] == blank


def test_the_kept_pages_are_bounded_whatever_the_address_asks_for(embed_app):
    client = embed_app.test_client()
    for blue in range(MAX_PAGES_PER_APP + 20):
        page = page_and_token(client, f"/embed/form?accent=0000{blue:02x}")[0]
        assert f'href="/embed/theme/0000{blue:02x}.css"' in page
    assert len(rendered_pages(embed_app)) == MAX_PAGES_PER_APP


def test_each_app_keeps_its_own_pages(make_app):
    first = make_app(CLINIC_NAME="First Clinic")
    second = make_app(CLINIC_NAME="Second Clinic")
    assert "First Clinic" in first.test_client().get("/request").get_data(as_text=True)
    assert "Second Clinic" in second.test_client().get("/request").get_data(as_text=True)


def test_the_value_is_escaped_and_put_wherever_the_page_shows_it():
    pages = RenderedPages(max_pages=2)
    renders: list[str] = []

    def render(value: str) -> str:
        renders.append(value)
        return f'<input value="{value}"><p data-token="{value}"></p>'

    assert (
        pages.page("a", render, 'x"<y>')
        == '<input value="x&#34;&lt;y&gt;"><p data-token="x&#34;&lt;y&gt;"></p>'
    )
    assert pages.page("a", render, "z") == '<input value="z"><p data-token="z"></p>'
    assert renders == [pages.placeholder], "rendered once, with the placeholder"
    pages.page("b", render, "z")
    pages.page("a", render, "z")  # used last, so "b" is the one dropped next
    pages.page("c", render, "z")
    assert len(pages) == 2
    pages.page("a", render, "z")
    assert len(renders) == 3
    pages.page("b", render, "z")
    assert len(renders) == 4


def test_a_page_without_the_value_is_refused():
    with pytest.raises(ValueError):
        RenderedPages().page("a", lambda value: "<p>no token here</p>", "token")


def test_the_placeholder_is_drawn_anew_for_each_store():
    assert RenderedPages().placeholder != RenderedPages().placeholder
