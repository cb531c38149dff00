"""The coverage rules and clinic settings as the app uses them: on the form, the page, the email."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from clinic_app.coverage import Network, RuleFileError
from clinic_app.extensions import db
from clinic_app.models import ConsultationRequest
from tests.conftest import build_app
from tests.helpers import deliver, submit, visible_text


def stored_request(app) -> ConsultationRequest:
    with app.app_context():
        request = db.session.scalars(sa.select(ConsultationRequest)).one()
        request.insurance, request.coverage_note  # noqa: B018  (load while the session is open)
        db.session.expunge_all()
        return request


def test_confirmation_shows_the_estimate_with_the_arithmetic_in_words(app, client):
    page = client.get(
        submit(
            client,
            deductible_status="not_met",
            deductible_remaining="200",
            copay="",
            coinsurance_percent="20",
        ).headers["Location"]
    )
    text = visible_text(page.get_data(as_text=True))
    assert "What you might pay" in text
    assert (
        "Your first $200 goes to your deductible. After that, you pay 20% of each visit, about $13." in text
    )
    # A $160 first visit (the $95 exam and a $65 treatment), then 20% of $25, then 10 visits at $13.
    assert "First visit, with the new-patient exam: about $160." in text
    assert "Our usual plan of care (the visits we often suggest) is 12 visits. That is about $335" in text
    assert "These figures are estimates, not a bill." in text


def test_the_stored_note_keeps_its_estimate_and_network_status(app, client):
    submit(client, carrier="kaiser", plan_type="hmo")
    note = stored_request(app).coverage_note
    assert note.network is Network.OUT
    assert note.rule_ids[0] == "private-not-in-network-hmo"
    assert "Each treatment visit costs $85." in note.estimate


def test_medicare_visitors_are_asked_about_medicaid(app, client, stored):
    response = submit(client, coverage="original_medicare", age="70")
    assert '<a href="#also_medicaid-0">Tell us if you also have Medicaid, or choose Not sure.</a>' in (
        response.get_data(as_text=True)
    )
    assert stored()["requests"] == 0
    assert submit(client, coverage="original_medicare", age="70", also_medicaid="yes").status_code == 303
    request = stored_request(app)
    assert request.insurance.also_medicaid.value == "yes"
    assert "medicare-and-medicaid" in request.coverage_note.rule_ids


def test_the_medicaid_answer_is_dropped_for_other_coverage(app, client):
    submit(client, also_medicaid="yes")
    assert stored_request(app).insurance.also_medicaid is None


def test_the_network_setting_decides_what_a_carrier_is_told(make_app):
    app = make_app(CLINIC_IN_NETWORK=["kaiser"])
    client = app.test_client()
    html = client.get(submit(client, carrier="premera").headers["Location"]).get_data(as_text=True)
    assert 'data-status="limited"' in html
    assert "We are not in network with your plan." in visible_text(html)


def test_staff_email_says_why_the_note_says_what_it_says(make_app, smtp_server):
    app = make_app(**smtp_server.config())
    submit(app.test_client(), coverage="original_medicare", age="70", also_medicaid="no")
    deliver(app)
    text = smtp_server.staff_messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "Also Medicaid or QMB: No" in text
    assert "Network: we are in network" in text
    assert "Rules: original-medicare, medicare-second-plan, medicare-maintenance-notice" in text
    assert "Chapter 15, sections 240 to 240.1.2" in text and "checked 2026-12-08" in text
    assert "What you might pay:" in text


def test_a_clinic_rules_file_changes_the_note(make_app, tmp_path):
    rules = tmp_path / "clinic-rules.toml"
    rules.write_text(
        """
[carriers]
first_choice = "First Choice Health"

[[rule]]
id = "first-choice"
when = { coverage = "private", carrier = "first_choice" }
status = "likely_covered"
headline = "Covered for most members"
paragraphs = ["First Choice Health plans pay for spinal manipulation."]
estimate = "plan"
sources = ["rcw-48-43-045"]
"""
    )
    # Its Spanish texts, beside it: without them the app would refuse to start.
    rules.with_name("clinic-rules.es.toml").write_text(
        """
[[rule]]
id = "first-choice"
headline = "Cubierto para la mayoría de los miembros"
paragraphs = ["Los planes de First Choice Health pagan la manipulación de la columna."]
"""
    )
    app = make_app(COVERAGE_RULES_FILE=str(rules), CLINIC_IN_NETWORK=["first_choice"])
    client = app.test_client()
    assert '<option value="first_choice">First Choice Health</option>' in client.get("/request").get_data(
        as_text=True
    )
    html = client.get(submit(client, carrier="first_choice").headers["Location"]).get_data(as_text=True)
    assert "Your coverage: Covered for most members" in visible_text(html)
    spanish = client.get(submit(client, carrier="first_choice", lang="es").headers["Location"])
    assert "Cubierto para la mayoría de los miembros" in visible_text(spanish.get_data(as_text=True))


def test_the_app_refuses_to_start_with_a_malformed_rules_file(tmp_path, migrated_database):
    rules = tmp_path / "clinic-rules.toml"
    rules.write_text('[[rule]]\nid = "self-pay"\nstatus = "maybe"\n')
    with pytest.raises(RuleFileError, match="status must be one of"):
        build_app(migrated_database, tmp_path, COVERAGE_RULES_FILE=rules)


def test_the_app_refuses_to_start_with_an_unknown_network_name(tmp_path, migrated_database):
    with pytest.raises(RuntimeError, match="CLINIC_IN_NETWORK names acme"):
        build_app(migrated_database, tmp_path, CLINIC_IN_NETWORK=["premera", "acme"])
