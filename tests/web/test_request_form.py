"""The request form through Flask's test client: what is stored, what the visitor sees."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from clinic_app.choices import EmailState, RequestStatus
from clinic_app.extensions import db
from clinic_app.models import ConsultationRequest, OutboxEmail
from clinic_app.web.confirmation_links import SALT as CONFIRMATION_SALT
from clinic_app.web.form_tokens import SALT as FORM_TOKEN_SALT
from tests.helpers import signed_earlier, submit, valid_answers, visible_text


def only_request(app) -> ConsultationRequest:
    with app.app_context():
        request = db.session.scalars(sa.select(ConsultationRequest)).one()
        # Load the related rows while the session is open.
        request.insurance, request.coverage_note, request.emails  # noqa: B018
        db.session.expunge_all()
        return request


def test_form_page_has_labels_fieldsets_hints_and_autocomplete(client):
    page = client.get("/request")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<label class="label" for="full_name">Full name</label>' in html
    assert re.search(r'<input autocomplete="name"[^>]*id="full_name"', html)
    assert re.search(r'<input[^>]*autocomplete="email"[^>]*id="email"', html)
    assert re.search(r'<input[^>]*autocomplete="tel"[^>]*id="phone"', html)
    assert re.search(r'<input aria-describedby="phone-hint"[^>]*id="phone"', html)
    assert '<div class="hint" id="phone-hint">Include your area code' in html
    for legend in (
        "What would you like to book?",
        "How should we contact you?",
        "What kind of health coverage do you have?",
    ):
        assert f"<legend>{legend}</legend>" in html
    assert '<label for="coverage-0">Original Medicare</label>' in html
    assert 'data-show-when="coverage=private"' in html
    assert 'href="/privacy"' in html


def test_valid_request_is_stored_with_its_answers_and_note(app, client):
    response = submit(client)
    assert response.status_code == 303
    request = only_request(app)
    assert request.status is RequestStatus.NEW
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", request.reference)
    assert request.full_name == "Ana Díaz"
    assert request.phone_e164 == "+15035550142"
    assert request.email == "Ana.Diaz@example.com"
    assert request.best_days == ["mon", "wed"]
    assert request.best_times == ["morning"]
    assert request.headache_days_per_month == 8
    assert request.has_warning_signs is False
    assert request.insurance.carrier == "premera"
    assert request.insurance.deductible_remaining == Decimal("1200.00")
    assert request.insurance.copay == Decimal("40.00")
    assert request.insurance.coinsurance_percent == 20
    assert request.coverage_note.headline == "Likely covered"
    assert request.coverage_note.rule_ids[0] == "private-insurance"
    assert "After that, you pay your $40 copay for each visit." in " ".join(request.coverage_note.estimate)
    [email, copy] = request.emails
    assert email.state is copy.state is EmailState.QUEUED
    assert (email.to_patient, copy.to_patient) == (False, True), "the staff email, and the patient's copy"
    assert request.wants_email_copy is True


def test_confirmation_shows_the_note_and_what_happens_next(app, client):
    confirmation = client.get(submit(client, preferred_contact="text", plan_type="ppo").headers["Location"])
    html = confirmation.get_data(as_text=True)
    text = visible_text(html)
    assert confirmation.status_code == 200
    assert 'data-status="likely_covered"' in html
    assert "Thank you. We got your request." in text
    assert f"Your reference is {only_request(app).reference}" in text
    assert "Your coverage: Likely covered" in text
    assert "Your free 15-minute consultation costs nothing" in text
    assert "Someone from our front desk will send you a text within one business day." in text
    assert "Please get help now" not in text
    assert (
        text.index("Good to know")
        < text.index("we check your benefits with your plan")
        < text.index("What happens next")
    )


def test_answers_that_do_not_apply_are_not_stored(app, client):
    submit(
        client,
        coverage="oregon_health_plan",
        carrier="aetna",
        plan_type="hmo",
        deductible_status="met",
        copay="40",
    )
    insurance = only_request(app).insurance
    assert (insurance.carrier, insurance.plan_type, insurance.deductible_status, insurance.copay) == (
        None,
        None,
        None,
        None,
    )


def test_email_only_contact_needs_no_phone(app, client):
    assert submit(client, phone="", preferred_contact="email").status_code == 303
    assert only_request(app).phone_e164 is None


def test_warning_signs_lead_the_confirmation_with_emergency_advice(app, client):
    html = client.get(submit(client, warning_signs="yes").headers["Location"]).get_data(as_text=True)
    text = visible_text(html)
    assert text.index("Please get help now") < text.index("Thank you. We got your request.")
    assert "Call 911 or go to the nearest emergency room now." in text
    assert "(503) 555-0142" in text
    assert only_request(app).has_warning_signs is True


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"visit_type": None}, "visit_type-0", "Choose a free consultation or a new-patient appointment."),
        (
            {"visit_type": "surgery"},
            "visit_type-0",
            "Choose a free consultation or a new-patient appointment.",
        ),
        ({"full_name": "   "}, "full_name", "Enter your full name."),
        ({"full_name": "A" * 121}, "full_name", "Keep your name under 120 letters."),
        ({"phone": "555-0142"}, "phone", "Enter a phone number with area code, like 503-555-0142."),
        ({"phone": "call me"}, "phone", "Enter a phone number with area code, like 503-555-0142."),
        ({"phone": ""}, "phone", "Enter your phone number, so we can call or text you."),
        (
            {"email": "ana@", "preferred_contact": "email"},
            "email",
            "Enter an email address like name@example.com.",
        ),
        (
            {"email": "", "preferred_contact": "email"},
            "email",
            "Enter your email address, so we can email you.",
        ),
        (
            {"email": "", "phone": "", "preferred_contact": "text"},
            "phone",
            "Enter your phone number, so we can call or text you.",
        ),
        (
            {"preferred_contact": "pigeon"},
            "preferred_contact-0",
            "Choose how you would like us to contact you.",
        ),
        ({"best_days": ["sun"]}, "best_days-0", "Choose days from the list."),
        ({"best_times": ["midnight"]}, "best_times-0", "Choose times from the list."),
        ({"main_concern": None}, "main_concern-0", "Choose your main concern."),
        ({"headache_days": "32"}, "headache_days", "Enter a number of days from 0 to 31."),
        ({"headache_days": "-1"}, "headache_days", "Enter a number of days from 0 to 31."),
        ({"headache_days": "lots"}, "headache_days", "Enter a number of days from 0 to 31."),
        ({"headache_days": ""}, "headache_days", "Enter a number of days from 0 to 31."),
        ({"message": "x" * 1001}, "message", "Keep your message under 1000 characters."),
        ({"warning_signs": None}, "warning_signs-0", "Tell us if you have any of these warning signs."),
        ({"coverage": "unicorn"}, "coverage-0", "Choose your kind of coverage."),
        ({"carrier": ""}, "carrier", "Choose your insurance company, or Other."),
        ({"carrier": "acme"}, "carrier", "Choose your insurance company, or Other."),
        ({"plan_type": None}, "plan_type-0", "Choose your plan type, or Not sure."),
        ({"age": "121"}, "age", "Enter your age in years, from 0 to 120."),
        ({"age": "4.5"}, "age", "Enter your age in years, from 0 to 120."),
        (
            {"deductible_status": None},
            "deductible_status-0",
            "Tell us if you have met your deductible, or choose Not sure.",
        ),
        (
            {"coverage": "original_medicare", "deductible_status": "maybe"},
            "deductible_status-0",
            "Tell us if you have met your deductible, or choose Not sure.",
        ),
        ({"deductible_remaining": "lots"}, "deductible_remaining", "Enter an amount in dollars, like 250."),
        ({"deductible_remaining": "NaN"}, "deductible_remaining", "Enter an amount in dollars, like 250."),
        ({"copay": "-5"}, "copay", "Enter an amount in dollars, like 40."),
        ({"coinsurance_percent": "120"}, "coinsurance_percent", "Enter a percent from 0 to 100, like 20."),
        ({"consent": None}, "consent", "Tick this box so we can contact you about your request."),
    ],
)
def test_invalid_answer_is_explained_beside_its_field_and_nothing_is_stored(
    client, stored, changes, field, message
):
    response = submit(client, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'<li><a href="#{field}">{message}</a></li>' in html
    field_id = field.removesuffix("-0")
    assert re.search(rf'<p class="error-message" id="{field_id}-error">.*{re.escape(message)}</p>', html)
    assert stored() == {"requests": 0, "emails": 0}


def test_the_list_of_problems_follows_the_order_of_the_page(client):
    html = submit(client, answers={}).get_data(as_text=True)
    summary, form = html.split('<form method="post"', 1)
    linked = re.findall(r'<li><a href="#([\w-]+)">', summary)
    assert len(linked) >= 8
    assert linked == sorted(linked, key=lambda target: form.index(f'id="{target}"'))


def test_a_warning_sign_tops_the_form_sent_back_with_mistakes(client):
    text = visible_text(submit(client, warning_signs="yes", full_name="").get_data(as_text=True))
    assert text.index("Please get help now") < text.index("Please fix 1 thing below")
    assert "You told us you have a warning sign. Call 911" in text


def test_the_next_steps_after_a_warning_sign_agree_with_the_advice(client):
    html = client.get(submit(client, warning_signs="yes").headers["Location"]).get_data(as_text=True)
    steps = visible_text(html).split("What happens next", 1)[1]
    assert "Get help now: call 911" in steps and "Do not wait for our call." in steps
    assert "within one business day" not in steps


def test_error_is_tied_to_its_field_for_screen_readers(client):
    html = submit(client, full_name="").get_data(as_text=True)
    assert re.search(
        r'<input aria-describedby="full_name-error" aria-invalid="true"[^>]*id="full_name"', html
    )
    html = submit(client, coverage=None).get_data(as_text=True)
    assert '<fieldset aria-describedby="coverage-error">' in html


def test_the_visitors_input_is_kept_when_something_is_wrong(client):
    html = submit(client, age="200", message="Pain behind my <eyes>").get_data(as_text=True)
    assert 'value="Ana Díaz"' in html
    assert 'value="(503) 555-0142"' in html
    assert "Pain behind my &lt;eyes&gt;</textarea>" in html
    assert re.search(r'<input checked id="coverage-4" name="coverage" type="radio" value="private">', html)
    assert re.search(r'<input checked id="best_days-0" name="best_days" type="checkbox" value="mon">', html)
    assert '<option selected value="premera">' in html


def test_a_form_without_its_token_asks_to_send_again_and_keeps_the_answers(client, stored):
    response = client.post("/request", data=valid_answers(form_token="forged"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This page was open for a long time. Please check your answers and press Send again." in html
    assert 'value="Ana Díaz"' in html
    assert stored() == {"requests": 0, "emails": 0}


@pytest.mark.parametrize(
    "hostile",
    [
        {"full_name": "Ana\x00Díaz"},
        {"message": "\x00\x01\x02"},
        {"headache_days": "9" * 400},
        {"age": "1e3"},
        {"copay": "1e9999"},
        {"deductible_remaining": "Infinity"},
        {"visit_type": ["consultation", "new_patient"]},
        {"best_days": ["mon"] * 500},
        {"coverage": "private' OR 1=1 --"},
        {"email": "a@b.c\r\nBcc: everyone@example.com", "preferred_contact": "email"},
    ],
)
def test_hostile_input_gets_an_answer_never_a_server_error(client, hostile):
    assert submit(client, **hostile).status_code in (303, 400)


def test_control_characters_never_reach_the_database(app, client):
    assert submit(client, full_name="Ana\x00 \r\nDíaz", message="line one\r\nline\x00 two").status_code == 303
    request = only_request(app)
    assert request.full_name == "Ana Díaz"
    assert request.message == "line one\nline two"


def test_sql_metacharacters_are_stored_as_text(app, client):
    name = "Robert'); DROP TABLE consultation_request;--"
    assert submit(client, full_name=name).status_code == 303
    assert only_request(app).full_name == name


def test_too_large_a_post_gets_a_friendly_page(client, stored):
    response = client.post("/request", data={"message": "x" * 70_000})
    assert response.status_code == 413
    assert "That was too much to send" in response.get_data(as_text=True)
    assert stored()["requests"] == 0


def test_a_forged_confirmation_link_shows_the_closed_page(client):
    response = client.get("/request/received/not-a-real-token")
    assert response.status_code == 404
    assert "This page has closed" in response.get_data(as_text=True)


def test_confirmation_link_stops_working_after_its_time(app, client):
    submit(client)
    with app.app_context():
        reference = db.session.scalars(sa.select(ConsultationRequest.reference)).one()
    # Signed as the app signs it, two hours and a minute ago (CONFIRMATION_LINK_MINUTES is 120).
    response = client.get(f"/request/received/{signed_earlier(CONFIRMATION_SALT, 121 * 60, reference)}")
    assert response.status_code == 404
    assert "If you sent us a request, we have it." in response.get_data(as_text=True)


def test_privacy_notice_says_what_is_kept_who_sees_it_and_how_long(make_app):
    text = visible_text(
        make_app(DATA_RETENTION_DAYS=400).test_client().get("/privacy").get_data(as_text=True)
    )
    assert "Your answers about your health" in text
    assert "Only our front desk staff and the clinic owners see your request." in text
    assert "we delete your personal details after 400 days" in text


def test_home_leads_to_the_form(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/request")


def test_unknown_page_is_friendly(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_pages_carry_a_strict_content_security_policy(client):
    headers = client.get("/request").headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_script_or_style(client):
    html = client.get("/request").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html and " style=" not in html


def test_staff_email_queued_in_the_same_commit_as_the_request(app, client):
    submit(client)
    with app.app_context():
        email, copy = db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.id)).all()
        request = db.session.scalars(sa.select(ConsultationRequest)).one()
        assert email.request_id == copy.request_id == request.id
        assert email.recipients == ["frontdesk@clinic.example"]
        assert copy.recipients == ["Ana.Diaz@example.com"], "the patient's own copy, in the same commit"


def test_sending_the_same_form_twice_makes_one_request_and_shows_the_same_confirmation(client, stored):
    from tests.helpers import form_token

    data = {**valid_answers(), "form_token": form_token(client)}
    first = client.post("/request", data=data)
    second = client.post("/request", data=data)
    assert first.status_code == second.status_code == 303
    assert (
        first.headers["Location"].split("/")[-1].split(".")[0]
        == second.headers["Location"].split("/")[-1].split(".")[0]
    )
    assert stored() == {"requests": 1, "emails": 2}, "one staff email and one patient's copy"


def test_a_form_sent_from_another_site_is_refused(client, stored):
    from tests.helpers import form_token

    data = {**valid_answers(), "form_token": form_token(client)}
    response = client.post("/request", data=data, headers={"Origin": "https://evil.example"})
    assert response.status_code == 400
    assert "This form was sent from a page we do not know." in response.get_data(as_text=True)
    assert stored()["requests"] == 0
    assert client.post("/request", data=data, headers={"Origin": "null"}).status_code == 400
    # The Host a request names proves nothing (any client sets it): only PUBLIC_BASE_URL's origin counts.
    assert client.post("/request", data=data, headers={"Origin": "http://localhost"}).status_code == 400
    assert client.post("/request", data=data, headers={"Origin": "https://clinic.test"}).status_code == 303


def test_an_old_form_asks_to_send_again_with_the_answers_kept(client):
    # A form shown four hours and a minute ago (FORM_TOKEN_MINUTES is 240).
    response = submit(client, form_token=signed_earlier(FORM_TOKEN_SALT, 241 * 60))
    assert response.status_code == 400
    assert "This page was open for a long time." in response.get_data(as_text=True)
    assert 'value="Ana Díaz"' in response.get_data(as_text=True)


def test_an_unexpected_error_gets_the_friendly_page(make_app):
    # As in production: testing mode would otherwise re-raise the error into the test.
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    def broken():
        raise RuntimeError("a bug")

    app.add_url_rule("/broken", view_func=broken)
    response = app.test_client().get("/broken")
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.get_data(as_text=True)
    assert "a bug" not in response.get_data(as_text=True)


def test_a_request_sent_while_the_database_is_away_comes_back_with_every_answer(make_app):
    # A database server that is not running: connections are refused, as while PostgreSQL restarts.
    app = make_app(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    client = app.test_client()
    response = submit(client, full_name="Ana Away", message="Still here after the outage.")
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "We could not save this just now. Your answers are still here" in visible_text(html)
    assert 'value="Ana Away"' in html and "Still here after the outage." in html
    assert 'name="form_token"' in html, "a fresh token, so the same page can be sent again"
