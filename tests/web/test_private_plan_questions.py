"""The three questions asked of private-insurance patients: the plan's state, a Washington state or
school employees' plan, a self-funded plan. Asked and stored for private insurance only, explained when
missing, and shown to staff in the email, on the request's page and in the export."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from clinic_app.choices import PlanState, YesNoNotSure
from clinic_app.extensions import db
from clinic_app.models import ConsultationRequest, InsuranceAnswers
from tests.conftest import build_app, migrate_to
from tests.helpers import deliver, submit, valid_answers, visible_text
from tests.web.test_health_and_schema import empty_database

QUESTIONS = {
    "plan_state": "Which state is your plan from?",
    "state_employee_plan": "Is it a plan for Washington state or school employees?",
    "self_funded": "Does your employer pay the claims itself?",
}
MESSAGES = {
    "plan_state": "Choose the state your plan is from, or Not sure.",
    "state_employee_plan": "Tell us if it is a plan for state or school employees, or choose Not sure.",
    "self_funded": "Tell us if your employer pays the claims itself, or choose Not sure.",
}
ANSWERED = {"plan_state": "or", "state_employee_plan": "not_sure", "self_funded": "yes"}
STAFF_ROWS = {
    "Plan's state": "Oregon",
    "Washington state or school employees' plan": "Not sure",
    "Self-funded employer plan": "Yes",
}


def field_html(html: str, name: str) -> str:
    match = re.search(rf'<div class="field[^"]*" id="{name}-field".*?</fieldset>\s*</div>', html, re.S)
    assert match, f"the form has the {name} question"
    return match.group(0)


def stored_insurance(app) -> InsuranceAnswers:
    with app.app_context():
        insurance = db.session.scalars(sa.select(InsuranceAnswers)).one()
        db.session.expunge_all()
        return insurance


def request_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(ConsultationRequest.id))


def test_the_questions_follow_the_plan_type_and_show_for_private_insurance_only(client):
    html = client.get("/request").get_data(as_text=True)
    positions = [html.index(f'id="{name}-field"') for name in ("plan_type", *QUESTIONS, "also_medicaid")]
    assert positions == sorted(positions), "right after the plan type, in this order"
    hints = {
        "plan_state": "It is often on your card. If your plan is through work, your employer can tell you.",
        "state_employee_plan": "These plans are run by PEBB or SEBB, like the Uniform Medical Plan.",
        "self_funded": "This is called a self-funded plan. Employers of any size can have one. Choose No"
        " if you bought the plan yourself, and Not sure if you do not know.",
    }
    for name, label in QUESTIONS.items():
        question = field_html(html, name)
        # The script shows it only for private insurance; without the script the hint says so.
        assert 'data-show-when="coverage=private"' in question
        assert f"<legend>{label}</legend>" in question
        text = visible_text(question, "div")
        assert "Only if you have private insurance." in text and hints[name] in text
        assert f'aria-describedby="{name}-hint"' in question
    assert [label for label in re.findall(r'for="plan_state-\d">([^<]+)<', html)] == [
        "Washington", "Oregon", "Another state", "Not sure",
    ]  # fmt: skip
    assert re.findall(r'for="self_funded-\d">([^<]+)<', html) == ["Yes", "No", "Not sure"]


def test_the_answers_of_a_private_insurance_patient_are_stored(app, client):
    assert submit(client, **ANSWERED).status_code == 303
    insurance = stored_insurance(app)
    assert (insurance.plan_state, insurance.state_employee_plan, insurance.self_funded) == (
        PlanState.OREGON, YesNoNotSure.NOT_SURE, YesNoNotSure.YES,
    )  # fmt: skip


@pytest.mark.parametrize("coverage", ["self_pay", "original_medicare", "apple_health", "not_sure"])
def test_other_coverage_is_not_asked_and_nothing_sent_is_stored(app, client, coverage):
    """Without JavaScript every question shows, and a visitor may tick one before choosing their
    coverage: what does not apply is neither required nor kept."""
    answers = {"coverage": coverage, "also_medicaid": "no", "age": "70"}
    assert (
        submit(
            client, **answers, plan_state="other", state_employee_plan="yes", self_funded="yes"
        ).status_code
        == 303
    )
    assert (
        submit(client, **answers, plan_state=None, state_employee_plan=None, self_funded=None).status_code
        == 303
    )
    with app.app_context():
        stored = db.session.execute(
            sa.select(
                InsuranceAnswers.plan_state,
                InsuranceAnswers.state_employee_plan,
                InsuranceAnswers.self_funded,
            )
        ).all()
    assert stored == [(None, None, None), (None, None, None)]


@pytest.mark.parametrize("name", list(QUESTIONS))
@pytest.mark.parametrize("sent", [None, "", "maybe", "WA"])
def test_a_missing_or_unknown_answer_is_explained_beside_its_question(client, stored, name, sent):
    response = submit(client, **{name: sent})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    message = MESSAGES[name]
    assert f'<li><a href="#{name}-0">{message}</a></li>' in html
    question = field_html(html, name)
    assert re.search(rf'<p class="error-message" id="{name}-error">.*{re.escape(message)}</p>', question)
    assert f'aria-describedby="{name}-hint {name}-error"' in question
    assert stored()["requests"] == 0


def test_all_three_missing_are_listed_in_the_order_of_the_page(client):
    html = submit(client, plan_state=None, state_employee_plan=None, self_funded=None).get_data(as_text=True)
    listed = re.findall(r'<li><a href="#(\w+)-0">', html)
    assert listed == list(QUESTIONS)


def test_staff_read_the_answers_in_the_email_and_on_the_request_page(app, smtp_server, staff_client):
    assert submit(app.test_client(), **ANSWERED).status_code == 303
    deliver(app)
    [message] = smtp_server.staff_messages
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    page = staff_client.get(f"/staff/requests/{request_id(app)}").get_data(as_text=True)
    for label, answer in STAFF_ROWS.items():
        escaped = label.replace("'", "&#39;")
        assert f"{label}: {answer}" in text.splitlines()
        assert f'<th scope="row" align="left">{escaped}</th><td>{answer}</td>' in html
        assert f"<dt>{escaped}</dt><dd>{answer}</dd>" in page
    # Under Insurance, after the plan type.
    assert text.index("INSURANCE") < text.index("Plan type: PPO") < text.index("Plan's state: Oregon")
    assert text.index("Self-funded employer plan: Yes") < text.index("Age: 41")


def test_the_export_has_the_answers_in_its_last_columns(app, owner_client):
    client = app.test_client()
    assert submit(client, **ANSWERED).status_code == 303
    assert submit(client, coverage="self_pay").status_code == 303
    rows = list(csv.reader(io.StringIO(owner_client.get("/staff/export.csv").get_data(as_text=True))))
    assert rows[0][-4:] == ["Language", *STAFF_ROWS]
    assert rows[0][:4] == ["Reference", "Received", "Status", "Closing reason"]
    self_pay, private = (dict(zip(rows[0], row, strict=True)) for row in rows[1:])
    assert {label: private[label] for label in STAFF_ROWS} == STAFF_ROWS
    assert {label: self_pay[label] for label in STAFF_ROWS} == dict.fromkeys(STAFF_ROWS, "")
    assert private["Coverage"] == "Private insurance (through work or bought yourself)"


def test_a_spanish_page_asks_the_questions_in_spanish(client):
    html = client.get("/request?lang=es").get_data(as_text=True)
    text = visible_text(html)
    for spanish in (
        "¿De qué estado es su plan?",
        "Muchas veces viene en su tarjeta. Si su plan es del trabajo, su empleador le puede decir.",
        "¿Es un plan para empleados del estado de Washington o de escuelas?",
        "PEBB o SEBB manejan estos planes, como el Uniform Medical Plan.",
        "¿Su empleador mismo paga los gastos médicos del plan?",
        "Esto se llama un plan autofinanciado.",
    ):
        assert spanish in text
    assert re.findall(r'for="plan_state-\d">([^<]+)<', html) == [
        "Estado de Washington", "Oregón", "Otro estado", "No sé",
    ]  # fmt: skip
    errors = submit(client, lang="es", plan_state=None, self_funded=None).get_data(as_text=True)
    assert 'Elija el estado de su plan, o "No sé".' in visible_text(errors)
    assert "Díganos si su empleador mismo paga los gastos médicos del plan" in visible_text(errors)


def test_the_migration_adds_the_columns_and_takes_them_away(tmp_path):
    with empty_database(tmp_path) as url:
        migrate_to(url, tmp_path, revision="0012_request_language")
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO consultation_request (id, reference, created_at, status, visit_type, full_name,"
                    " preferred_contact, best_days, best_times, main_concern, headache_days_per_month,"
                    " has_warning_signs, consented_at, search_text) VALUES (1, 'ACDE-FG34', :now, 'new',"
                    " 'consultation', 'Old Request', 'phone', '[]', '[]', 'neck_pain', 3, false, :now, '')"
                ),
                {"now": "2026-01-05 17:00:00+00"},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO insurance_answers (request_id, coverage, carrier, plan_type, age)"
                    " VALUES (1, 'private', 'premera', 'ppo', 50)"
                )
            )
        migrate_to(url, tmp_path, revision="0013_private_plan_questions")
        columns = {column["name"] for column in sa.inspect(engine).get_columns("insurance_answers")}
        assert set(QUESTIONS) <= columns
        with engine.begin() as connection:
            assert connection.execute(
                sa.text(
                    "SELECT plan_type, plan_state, state_employee_plan, self_funded FROM insurance_answers"
                )
            ).all() == [("ppo", None, None, None)], "asked of nobody before: empty, not guessed"
            connection.execute(sa.text("UPDATE insurance_answers SET plan_state = 'wa', self_funded = 'no'"))
            # The counts' triggers on the request table are still there after the change.
            connection.execute(sa.text("UPDATE consultation_request SET status = 'contacted'"))
            assert connection.execute(
                sa.text("SELECT status, total FROM request_status_count WHERE total > 0")
            ).all() == [("contacted", 1)]
        engine.dispose()
        app = build_app(url, tmp_path)
        with app.app_context():
            downgrade(revision="0012_request_language")
            db.engine.dispose()
        engine = sa.create_engine(url)
        columns = {column["name"] for column in sa.inspect(engine).get_columns("insurance_answers")}
        assert not set(QUESTIONS) & columns
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT plan_type, age FROM insurance_answers")).all() == [
                ("ppo", 50)
            ]
        engine.dispose()
        with app.app_context():
            upgrade()
            db.engine.dispose()


def test_the_answers_default_to_a_complete_private_request():
    # The shared helper answers them, so every test that posts the form is a request the form accepts.
    assert {name: valid_answers()[name] for name in QUESTIONS} == {
        "plan_state": "wa", "state_employee_plan": "no", "self_funded": "no",
    }  # fmt: skip
