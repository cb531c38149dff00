"""Staff check a request's benefits with the payer's 271 (pasted or uploaded), compare it with the
patient's answers, and email the patient the updated note: received by a real SMTP server on loopback.
The 271 itself is never stored or logged: only its figures are kept."""

from __future__ import annotations

import io
import logging
import re
from html import unescape
from pathlib import Path

import pytest
import sqlalchemy as sa
import textstat

from clinic_app.extensions import db
from clinic_app.models import AuditEntry, BenefitCheck, ConsultationRequest, OutboxEmail
from tests.helpers import (
    audit_actions,
    deliver,
    form_token,
    page_csrf_token,
    submit,
    valid_answers,
    visible_text,
)

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "x12_271"
CLINIC = "Cascade Headache & Neck Clinic"


def sample(name: str) -> str:
    return (SAMPLES / f"{name}.271").read_text(encoding="ascii")


def request_id(app) -> int:
    with app.app_context():
        return db.session.scalars(
            sa.select(ConsultationRequest.id).order_by(ConsultationRequest.id.desc())
        ).first()


def new_request(app, **changes) -> int:
    submit(app.test_client(), **changes)
    return request_id(app)


# The person each sample is about (its NM1 and DMG), as a request names them: their age on the 271's
# day. A request from anyone else is flagged, and its updated note is not sent.
PATIENT = {
    "commercial_ppo_visit_limit": {"full_name": "John Doe", "age": "40"},
    "copay_before_deductible": {"full_name": "Jane Doe", "age": "35"},
    "deductible_not_met": {"full_name": "Jane Doe", "age": "47"},
    "medicare_advantage": {"full_name": "Richard Roe", "age": "78"},
    "medicare_advantage_via_hets": {"full_name": "Margaret Hale", "age": "76"},
    "original_medicare": {"full_name": "Jane Doe", "age": "73"},
}


def patient_of(app, name: str, **changes) -> int:
    """A request from the person the sample ``name`` is about."""
    return new_request(app, **{**PATIENT[name], **changes})


def paste(client, rid: int, text: str):
    path = f"/staff/requests/{rid}"
    return client.post(
        f"{path}/benefits",
        data={"x12": text, "csrf_token": page_csrf_token(client, path)},
        content_type="multipart/form-data",
    )


def upload(client, rid: int, content: bytes, filename: str = "eligibility.271"):
    path = f"/staff/requests/{rid}"
    return client.post(
        f"{path}/benefits",
        data={"upload": (io.BytesIO(content), filename), "csrf_token": page_csrf_token(client, path)},
        content_type="multipart/form-data",
    )


def send_note(client, app, rid: int):
    with app.app_context():
        check_id = db.session.scalars(sa.select(BenefitCheck.id).where(BenefitCheck.request_id == rid)).all()[
            -1
        ]
    path = f"/staff/requests/{rid}"
    return client.post(f"{path}/benefits/{check_id}/send", data={"csrf_token": page_csrf_token(client, path)})


def page_text(client, rid: int) -> str:
    return visible_text(client.get(f"/staff/requests/{rid}").get_data(as_text=True))


def benefits_part(text: str) -> str:
    start = text.index("Benefits from the payer (271)")
    return text[start : text.index("Staff email", start)]


def compare_rows(html: str) -> dict[str, tuple[str, ...]]:
    """The comparison table: each question with the patient's answer, the 271's, and the verdict."""
    table = html[html.index('<table class="compare') : html.index("</table>")]
    found = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]:
        cells = [
            " ".join(re.sub(r"<[^>]+>", "", re.sub(r'<span class="cell-label".*?</span>', "", cell)).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        found[cells[0]] = tuple(unescape(cell) for cell in cells[1:])
    return found


def expected_note(app, rid: int, name: str, language: str):
    """The note the app's own rules give the request's answers with the sample's figures."""
    from clinic_app.benefits import read_271
    from clinic_app.benefits.checked import checked_answers
    from clinic_app.casework.benefit_checks import stored_answers
    from clinic_app.coverage import build_note
    from clinic_app.web.services import services

    with app.app_context():
        request = db.session.get(ConsultationRequest, rid)
        answers = checked_answers(stored_answers(request), read_271(sample(name)))
        return build_note(answers, services(app).clinic, services(app).rule_books[language])


def rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# What each sample shows once checked: the figures staff read on the page.
EXPECTED = {
    "original_medicare": ["Coverage\nActive", "Medicare Part B (MB)", "Other payers in the 271\nMedigap Part B (MI): EXAMPLE MEDIGAP INSURANCE CO, MEDIGAP PART B", "Deductible for the year\n$283", "Deductible left\n$120", "Coinsurance\n20%"],
    "medicare_advantage": ["Medicare Advantage (Medicare risk HMO) (HN)", "CASCADE GOLD PLUS HMO", "Copay\n$20 per visit", "Visit limit\n12 visits", "Visits used\n3", "Visits left\n9", "Prior authorization\nRequired", "MANUAL MANIPULATION OF THE SPINE ONLY"],
    "commercial_ppo_visit_limit": ["EVERGREEN PPO SELECT", "Network\nIn network", "Deductible for the year\n$1,500", "Deductible left\n$0", "Out-of-pocket left\n$2,300", "Visit limit\n20 visits", "Visits used\n8", "Prior authorization\nNot required", "VISIT LIMIT COMBINED WITH PHYSICAL THERAPY"],
    "deductible_not_met": ["RAINIER CHOICE 2000", "Deductible left\n$1,650", "Copay\nNo copay ($0)", "Coinsurance\n30%"],
    "copay_before_deductible": ["CASCADIA BRONZE 3000", "Copay\n$35 per visit", "Yes: the copay is owed from the first visit", "Out-of-pocket left\n$7,150"],
    "inactive": ["Coverage is not active.", "Coverage\nNot active", "Other payers in the 271\nNone named"],
    "medicare_advantage_via_hets": ["Medicare Part B (MB)", "Other payers in the 271\nMedicare Advantage (Medicare risk HMO) (HN): CASCADE GOLD PLUS HMO; Other (OT): NORTHWEST RX PART D PLAN (ended December 31, 2025)"],
}  # fmt: skip


@pytest.mark.parametrize("how", ["pasted", "uploaded"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_sample_pasted_or_uploaded_shows_its_figures(app, staff_client, name, how):
    rid = new_request(app)
    text = sample(name)
    response = paste(staff_client, rid, text) if how == "pasted" else upload(staff_client, rid, text.encode())
    assert response.status_code == 302, visible_text(response.get_data(as_text=True))[:600]
    assert response.headers["Location"].endswith(f"/staff/requests/{rid}#benefits-title")
    shown = benefits_part(page_text(staff_client, rid))
    for words in EXPECTED[name]:
        assert words in shown, (words, shown)
    assert "Not in the 271" in shown
    assert rows(app, BenefitCheck) == 1


def test_the_comparison_names_each_difference_in_words(app, staff_client):
    # The patient said Original Medicare, deductible not met with $1,200 left; the 271 is a Medicare
    # Advantage plan with no deductible and a $20 copay.
    rid = new_request(
        app, coverage="original_medicare", carrier=None, plan_type=None, plan_state=None,
        state_employee_plan=None, self_funded=None, also_medicaid="no", age="78",
        copay=None, coinsurance_percent=None,
    )  # fmt: skip
    assert paste(staff_client, rid, sample("medicare_advantage")).status_code == 302
    html = staff_client.get(f"/staff/requests/{rid}").get_data(as_text=True)
    shown = benefits_part(visible_text(html))
    table = compare_rows(html)
    assert table["Coverage"] == (
        "Original Medicare",
        "Medicare Advantage (Medicare risk HMO)",
        "Differs from the patient's answer",
    )
    assert table["Deductible met this year"] == ("No", "Yes", "Differs from the patient's answer")
    assert table["Deductible left"] == ("$1,200", "$0", "Differs from the patient's answer")
    assert table["Copay per visit"] == ("Not given", "$20", "Cannot compare")
    assert table["Coinsurance"] == ("Not given", "Not in the 271", "Cannot compare")
    assert html.count('class="urgent-row differs"') == 3
    # The rebuilt note: Medicare Advantage now, with the plan's own figures.
    assert "We asked your Medicare Advantage plan about your benefits" in shown
    assert "$20 copay" in shown or "copay is $20" in shown
    assert "Your plan pays for up to 12 visits a year, and you have used 3." in shown
    for words in expected_note(app, rid, "medicare_advantage", "en").paragraphs:
        assert words in shown


def test_a_271_for_someone_else_is_flagged_and_its_name_never_kept(app, staff_client):
    rid = new_request(app)  # Ana Díaz, 41
    assert paste(staff_client, rid, sample("medicare_advantage")).status_code == 302  # ROE, born 1948
    shown = benefits_part(page_text(staff_client, rid))
    assert "This 271 may be about someone else." in shown
    assert "The last name in the 271 is not in the name on the request." in shown
    assert "The birth date in the 271 does not fit the age on the request." in shown
    with app.app_context():
        check = db.session.scalars(sa.select(BenefitCheck)).one()
        assert check.same_person is False


def test_the_same_person_with_accents_and_case_is_not_flagged(app, staff_client):
    # DOE, born 1985-09-22; the 271 is dated 2026-05-05: 40 years old.
    rid = new_request(app, full_name="John Doé", age="40")
    assert paste(staff_client, rid, sample("commercial_ppo_visit_limit")).status_code == 302
    shown = benefits_part(page_text(staff_client, rid))
    assert "may be about someone else" not in shown
    with app.app_context():
        assert db.session.scalars(sa.select(BenefitCheck)).one().same_person is True


REFUSED = [
    ("malformed", lambda: sample("malformed"), "This 271 is incomplete"),
    ("empty", lambda: "   \n", "Paste the 271 or upload its file."),
    ("a 270", lambda: sample("original_medicare").replace("ST*271*", "ST*270*"), "it is a 270 request"),
    ("not X12", lambda: "Hello, this is a PDF", "This is not an X12 file"),
]


@pytest.mark.parametrize(("what", "text", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_bad_paste_shows_the_message_at_the_field_and_stores_nothing(
    app, staff_client, what, text, message
):
    rid = new_request(app)
    audit_before = rows(app, AuditEntry)
    response = paste(staff_client, rid, text())
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(r'<p class="error-message" id="x12-error">(.*?)</p>', html, re.S)
    assert error and message in error.group(1)
    assert re.search(r'<textarea[^>]*aria-describedby="x12-hint x12-error"', html)
    assert 'aria-invalid="true"' in html
    assert rows(app, BenefitCheck) == 0
    # Only the view of the page before the post is logged.
    assert rows(app, AuditEntry) == audit_before + 1


def test_a_bad_upload_is_refused_at_the_upload_field(app, staff_client):
    rid = new_request(app)
    response = upload(staff_client, rid, b"%PDF-1.7\x00\x01\x02", "scan.pdf")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(r'<p class="error-message" id="upload-error">(.*?)</p>', html, re.S)
    assert error and "binary data" in error.group(1)
    assert rows(app, BenefitCheck) == 0


def test_a_271_up_to_a_megabyte_is_read_and_a_larger_one_refused(app, staff_client):
    rid = new_request(app)
    # A big 271 still reads (the rest of the app takes 64 KiB at most).
    big = "\n" * 700_000 + sample("commercial_ppo_visit_limit")
    assert upload(staff_client, rid, big.encode()).status_code == 302
    too_big = sample("commercial_ppo_visit_limit") + "X" * (1024 * 1024)
    response = upload(staff_client, rid, too_big.encode())
    assert response.status_code == 422
    assert "over 1 MB" in response.get_data(as_text=True)
    assert rows(app, BenefitCheck) == 1


@pytest.mark.parametrize("how", ["pasted", "uploaded"])
def test_a_body_over_the_limit_gets_the_staff_page_with_the_reason_at_the_box(app, staff_client, how):
    rid = new_request(app)
    audit_before = rows(app, AuditEntry)
    too_big = sample("commercial_ppo_visit_limit") + "\n" * (1024 * 1024 + 16 * 1024)
    if how == "pasted":
        response = paste(staff_client, rid, too_big)
    else:
        response = upload(staff_client, rid, too_big.encode())
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    text = visible_text(html)
    assert "That was too much to send" not in text and "Go to the request form" not in text
    assert "Benefits from the payer (271)" in text
    error = re.search(r'<p class="error-message" id="upload-error">(.*?)</p>', html, re.S)
    assert error and "too large to be a 271 eligibility response (over 1 MB)" in error.group(1)
    assert '<a href="#upload">This file is too large' in html
    assert "ISA*00" not in html
    assert rows(app, BenefitCheck) == 0
    assert rows(app, AuditEntry) == audit_before + 1, "only the view of the page before the post"


def test_an_upload_is_kept_in_memory_not_spooled_to_a_temporary_file(app):
    from flask import request

    from clinic_app.staff.benefits_views import MAX_POST

    # Werkzeug's default spools a body over 500 KB to a temporary file.
    content = b"\n" * (900 * 1024)
    with app.test_request_context(
        "/staff/requests/1/benefits",
        method="POST",
        data={"upload": (io.BytesIO(content), "eligibility.271")},
        content_type="multipart/form-data",
    ):
        request.max_content_length = MAX_POST
        stream = request.files["upload"].stream
        assert type(stream) is io.BytesIO
        assert stream.getvalue() == content


def test_a_900_kb_upload_is_read(app, staff_client):
    rid = new_request(app)
    big = "\n" * (900 * 1024) + sample("commercial_ppo_visit_limit")
    assert upload(staff_client, rid, big.encode()).status_code == 302
    assert rows(app, BenefitCheck) == 1


def test_the_error_summary_links_to_the_box_and_takes_the_focus(app, staff_client):
    rid = new_request(app)
    html = paste(staff_client, rid, sample("malformed")).get_data(as_text=True)
    summary = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert summary and "autofocus" in summary.group(0)
    assert re.search(r'<li><a href="#x12">This 271 is incomplete', summary.group(1))
    assert re.search(r'<textarea[^>]*id="x12"', html)
    html = upload(staff_client, rid, b"%PDF-1.7\x00\x01", "scan.pdf").get_data(as_text=True)
    assert re.search(r'<li><a href="#upload">This is not an X12 file', html)


@pytest.mark.parametrize("what", ["both", "unreadable", "no form token"])
def test_the_pasted_271_is_never_shown_again(app, staff_client, what):
    rid = new_request(app)
    path = f"/staff/requests/{rid}"
    text = sample("original_medicare") if what != "unreadable" else sample("malformed")
    data = {"x12": text, "csrf_token": page_csrf_token(staff_client, path)}
    if what == "both":
        data["upload"] = (io.BytesIO(sample("original_medicare").encode()), "eligibility.271")
    if what == "no form token":
        data["csrf_token"] = "not the token"
    response = staff_client.post(f"{path}/benefits", data=data, content_type="multipart/form-data")
    assert response.status_code in (400, 422)
    html = response.get_data(as_text=True)
    assert "ISA*00" not in html and "DOE" not in html
    assert re.search(r'<textarea[^>]*id="x12"[^>]*>\s*</textarea>', html)
    assert rows(app, BenefitCheck) == 0


def test_only_signed_in_staff_can_check(app, client):
    rid = new_request(app)
    response = client.post(
        f"/staff/requests/{rid}/benefits",
        data={"x12": sample("original_medicare")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert "/staff/sign-in" in response.headers["Location"]
    assert rows(app, BenefitCheck) == 0
    assert "/staff/sign-in" in client.get(f"/staff/requests/{rid}").headers["Location"]


def test_a_post_without_the_form_token_is_refused(app, staff_client):
    rid = new_request(app)
    response = staff_client.post(
        f"/staff/requests/{rid}/benefits",
        data={"x12": sample("original_medicare")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert rows(app, BenefitCheck) == 0


def test_the_check_and_the_send_are_audited_and_on_the_timeline(app, staff_client, smtp_server):
    rid = patient_of(app, "commercial_ppo_visit_limit")
    assert paste(staff_client, rid, sample("commercial_ppo_visit_limit")).status_code == 302
    assert send_note(staff_client, app, rid).status_code == 302
    actions = audit_actions(app, rid)
    assert "benefits_checked" in actions and "updated_note_sent" in actions
    assert actions.index("benefits_checked") < actions.index("updated_note_sent")
    text = page_text(staff_client, rid)
    timeline = text[text.index("Timeline") :]
    assert "Checked the benefits with the payer's 271 (desk@clinic.example)" in timeline
    assert "Emailed the patient an updated coverage note (desk@clinic.example)" in timeline
    with app.app_context():
        check = db.session.scalars(sa.select(BenefitCheck)).one()
        assert check.email_id is not None and check.staff_id is not None


def test_the_updated_note_is_not_called_the_patients_copy(app, staff_client):
    rid = patient_of(app, "commercial_ppo_visit_limit")  # the patient asked for a copy too
    assert paste(staff_client, rid, sample("commercial_ppo_visit_limit")).status_code == 302
    assert send_note(staff_client, app, rid).status_code == 302
    text = page_text(staff_client, rid)
    timeline = text[text.index("Timeline") :]
    assert timeline.count("Queued the patient's copy") == 1
    assert "Queued the updated note to the patient" in timeline
    copies = text[text.index("Patient's copy") : text.index("Notes")]
    assert copies.count("queued") == 1, copies


def updated_notes(app, rid: int) -> int:
    with app.app_context():
        return len(
            db.session.scalars(
                sa.select(OutboxEmail).where(
                    OutboxEmail.request_id == rid, OutboxEmail.subject.startswith("Your updated")
                )
            ).all()
        )


def test_a_271_about_someone_else_cannot_be_emailed_to_this_patient(app, staff_client):
    # John Doe's 271 (DOE, 40 on its day) pasted into Ana Díaz's request (41).
    rid = new_request(app)
    assert paste(staff_client, rid, sample("commercial_ppo_visit_limit")).status_code == 302
    html = staff_client.get(f"/staff/requests/{rid}").get_data(as_text=True)
    shown = benefits_part(visible_text(html))
    assert "This 271 may be about someone else." in shown
    assert "Email the patient this updated note" not in html
    assert "The 271 may be about someone else, so its note is not sent." in shown
    assert "paste the 271 for this patient" in shown
    # Nor the email it would have been.
    assert "Subject: Your updated cost estimate" not in shown
    audit_before = rows(app, AuditEntry)
    response = send_note(staff_client, app, rid)
    assert response.status_code == 400
    assert "The 271 may be about someone else" in visible_text(response.get_data(as_text=True))
    assert updated_notes(app, rid) == 0
    assert "updated_note_sent" not in audit_actions(app, rid)
    assert rows(app, AuditEntry) == audit_before + 1, "only the view of the page before the post"


def assert_not_sent(app, staff_client, rid: int, reason: str) -> None:
    """No send button, the reason on the page, and a send refused with nothing queued."""
    html = staff_client.get(f"/staff/requests/{rid}").get_data(as_text=True)
    assert "Email the patient this updated note</button>" not in html
    assert reason in benefits_part(visible_text(html))
    emails_before = rows(app, OutboxEmail)
    response = send_note(staff_client, app, rid)
    assert response.status_code == 400
    assert reason in visible_text(response.get_data(as_text=True))
    assert updated_notes(app, rid) == 0 and rows(app, OutboxEmail) == emails_before
    assert "updated_note_sent" not in audit_actions(app, rid)


NOT_FOR_THIS_COVERAGE = "An updated note is only sent for Medicare, Medicare Advantage and private plans"


def test_an_apple_health_request_checked_with_a_271_gets_no_updated_note(app, staff_client):
    # A Medicaid 271 (MC) leaves the coverage as the patient said: Apple Health, which the updated
    # note is not for (its rebuilt note only promises a check).
    rid = patient_of(
        app, "copay_before_deductible", coverage="apple_health", carrier=None, plan_type=None,
        plan_state=None, state_employee_plan=None, self_funded=None, deductible_status=None,
        deductible_remaining=None, copay=None, coinsurance_percent=None,
    )  # fmt: skip
    assert (
        paste(staff_client, rid, sample("copay_before_deductible").replace("*C1*", "*MC*")).status_code == 302
    )
    assert_not_sent(app, staff_client, rid, NOT_FOR_THIS_COVERAGE)


def test_a_private_plan_we_are_not_in_network_with_gets_no_updated_note(app, staff_client):
    rid = patient_of(app, "commercial_ppo_visit_limit", carrier="kaiser")  # not in CLINIC_IN_NETWORK
    assert paste(staff_client, rid, sample("commercial_ppo_visit_limit")).status_code == 302
    assert_not_sent(app, staff_client, rid, NOT_FOR_THIS_COVERAGE)


def test_a_private_plan_in_network_still_gets_the_updated_note(app, staff_client):
    rid = patient_of(app, "commercial_ppo_visit_limit")  # Premera, in network
    assert paste(staff_client, rid, sample("commercial_ppo_visit_limit")).status_code == 302
    assert "Email the patient this updated note</button>" in staff_client.get(
        f"/staff/requests/{rid}"
    ).get_data(as_text=True)
    assert send_note(staff_client, app, rid).status_code == 302
    assert updated_notes(app, rid) == 1


@pytest.mark.parametrize("said", ["original_medicare", "medicare_advantage"])
def test_medicares_271_naming_a_medicare_advantage_plan_reads_as_that_plan(app, staff_client, said):
    rid = patient_of(
        app, "medicare_advantage_via_hets", coverage=said, carrier=None, plan_type=None, plan_state=None,
        state_employee_plan=None, self_funded=None, also_medicaid="no", copay=None, coinsurance_percent=None,
    )  # fmt: skip
    assert paste(staff_client, rid, sample("medicare_advantage_via_hets")).status_code == 302
    html = staff_client.get(f"/staff/requests/{rid}").get_data(as_text=True)
    coverage = compare_rows(html)["Coverage"]
    assert coverage[1] == "Medicare Part B, with a Medicare Advantage plan: CASCADE GOLD PLUS HMO"
    assert (coverage[2] == "Differs from the patient's answer") is (said == "original_medicare")
    # Medicare answered, not the plan: no updated note goes until the plan's own 271 is pasted.
    assert_not_sent(app, staff_client, rid, "Ask that plan for the patient's benefits and paste its 271")


def test_one_check_sends_one_email_and_the_first_keeps_its_name(app, staff_client):
    rid = patient_of(app, "deductible_not_met")  # the patient asked for a copy too
    assert paste(staff_client, rid, sample("deductible_not_met")).status_code == 302
    assert send_note(staff_client, app, rid).status_code == 302
    html = staff_client.get(f"/staff/requests/{rid}").get_data(as_text=True)
    shown = benefits_part(visible_text(html))
    assert "This updated note was queued to the patient from this check:\nQueued" in shown
    assert "Email the patient this updated note" not in html
    assert "To send the patient a note again, paste the 271 again below." in shown
    second = send_note(staff_client, app, rid)
    assert second.status_code == 400
    assert "already queued to the patient" in visible_text(second.get_data(as_text=True))
    assert updated_notes(app, rid) == 1
    assert audit_actions(app, rid).count("updated_note_sent") == 1
    text = page_text(staff_client, rid)
    timeline = text[text.index("Timeline") :]
    assert timeline.count("Queued the updated note to the patient") == 1
    assert timeline.count("Queued the patient's copy") == 1
    copies = text[text.index("Patient's copy") : text.index("Notes")]
    assert copies.count("Queued") == 1, copies
    # A new check (the 271 pasted again) may send again, and the first email keeps its name.
    assert paste(staff_client, rid, sample("deductible_not_met")).status_code == 302
    assert send_note(staff_client, app, rid).status_code == 302
    assert updated_notes(app, rid) == 2
    text = page_text(staff_client, rid)
    timeline = text[text.index("Timeline") :]
    assert timeline.count("Queued the updated note to the patient") == 2
    assert timeline.count("Queued the patient's copy") == 1


def test_a_send_that_read_the_check_before_another_was_sent_is_refused(app, staff_client, staff):
    from sqlalchemy.orm import Session

    from clinic_app.casework.benefit_checks import UpdatedNoteRefused, send_updated_note
    from clinic_app.models import StaffUser
    from clinic_app.web.services import services

    rid = patient_of(app, "deductible_not_met")
    assert paste(staff_client, rid, sample("deductible_not_met")).status_code == 302
    app_services = services(app)
    with app.app_context(), Session(db.engine) as first:
        # One send reads the check and the request...
        request = first.get(ConsultationRequest, rid)
        check = first.scalars(sa.select(BenefitCheck).where(BenefitCheck.request_id == rid)).one()
        # ...while a colleague sends the note from their page.
        assert send_note(staff_client, app, rid).status_code == 302
        assert check.email_id is None, "the first send still holds what it read before"
        with pytest.raises(UpdatedNoteRefused, match="already queued"):
            send_updated_note(
                first, request, check, app_services.settings, app_services.clinic,
                app_services.rule_books, actor=first.get(StaffUser, staff), ip_address="127.0.0.1",
            )  # fmt: skip
        first.rollback()
    assert updated_notes(app, rid) == 1
    assert audit_actions(app, rid).count("updated_note_sent") == 1


def test_every_row_the_271_leaves_out_is_listed_and_no_other(app, staff_client):
    for name in sorted(EXPECTED):
        rid = new_request(app)
        assert paste(staff_client, rid, sample(name)).status_code == 302
        html = staff_client.get(f"/staff/requests/{rid}").get_data(as_text=True)
        found = html[html.index('id="benefits-found-title"') : html.index('id="benefits-missing-title"')]
        unsaid = [
            unescape(label)
            for label, value in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", found, re.S)
            if value == "Not in the 271"
        ]
        listed = html[html.index('id="benefits-missing-title"') : html.index('id="benefits-compare-title"')]
        assert [unescape(item) for item in re.findall(r"<li>(.*?)</li>", listed)] == unsaid, name
        assert ("The 271 gave every figure." in listed) is not bool(unsaid), name


def test_the_ppo_sample_does_not_say_it_gave_every_figure(app, staff_client):
    rid = new_request(app)
    assert paste(staff_client, rid, sample("commercial_ppo_visit_limit")).status_code == 302
    shown = benefits_part(page_text(staff_client, rid))
    assert "Copay\nNot in the 271" in shown
    assert "The 271 gave every figure." not in shown
    missing = shown[shown.index("Not in the 271\n") : shown.index("Compared with the patient's answers")]
    assert "Copay\n" in missing and "Copay before the deductible is met" in missing


def test_an_inactive_plan_shows_the_271s_own_date_and_its_end_date(app, staff_client):
    rid = new_request(app)
    assert paste(staff_client, rid, sample("inactive")).status_code == 302
    shown = benefits_part(page_text(staff_client, rid))
    # BHT04 is 2026-07-15, whenever staff checked it; DTP*347 is 2026-06-30.
    assert (
        "The payer's 271 of July 15, 2026 shows no active plan (RAINIER CHOICE 2000): "
        "it ended on June 30, 2026." in shown
    )
    assert "Coverage end date\nJune 30, 2026" in shown
    assert "Checked by Dana Desk, " in shown


@pytest.fixture
def app(make_app, smtp_server):
    return make_app(**smtp_server.config())


def parts(message) -> tuple[str, str]:
    return (
        message.get_body(preferencelist=("plain",)).get_content(),
        message.get_body(preferencelist=("html",)).get_content(),
    )


def test_the_updated_note_reaches_the_patient_with_the_payers_figures(app, staff_client, smtp_server):
    rid = new_request(
        app, coverage="medicare_advantage", carrier=None, plan_type=None, plan_state=None,
        state_employee_plan=None, self_funded=None, also_medicaid="no", age="78", copay="40",
        full_name="Richard Roe",
    )  # fmt: skip
    deliver(app)
    smtp_server.messages.clear()
    assert paste(staff_client, rid, sample("medicare_advantage")).status_code == 302
    assert send_note(staff_client, app, rid).status_code == 302
    assert deliver(app).sent == 1
    [email] = smtp_server.messages
    assert email["To"] == "Ana.Diaz@example.com"
    assert email["Subject"] == f"Your updated cost estimate from {CLINIC}"
    text, html = parts(email)
    note = expected_note(app, rid, "medicare_advantage", "en")
    assert note.paragraphs and note.estimate
    for body in (text, html):
        for words in [note.headline, *note.paragraphs, *note.caveats, *note.estimate, note.closing]:
            assert words in unescape(body), words
        assert "We asked your Medicare Advantage plan about your benefits" in body
        assert "$20" in body and "copay" in body
        assert "(503) 555-0142" in body
        assert "$40" not in body, "the patient's own guess gave way to the plan's figure"
    subject = email["Subject"].replace(CLINIC, "")
    for words in ("Medicare", "copay", "deductible", "neck", "headache", "$"):
        assert words.lower() not in subject.lower()
    with app.app_context():
        row = db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.subject == email["Subject"])).one()
        assert row.to_patient and row.carries_health_details
    # The page now shows the email's state, and no button to send it again.
    shown = benefits_part(page_text(staff_client, rid))
    assert "This updated note was queued to the patient from this check:\nSent" in shown
    assert "Email the patient this updated note" not in shown


def test_the_updated_note_reads_at_grade_eight_or_below(app, staff_client, smtp_server):
    for name in (
        "medicare_advantage",
        "commercial_ppo_visit_limit",
        "deductible_not_met",
        "copay_before_deductible",
        "original_medicare",
    ):
        rid = patient_of(app, name)
        assert paste(staff_client, rid, sample(name)).status_code == 302
        assert send_note(staff_client, app, rid).status_code == 302
    deliver(app)
    notes = [m for m in smtp_server.messages if m["Subject"].startswith("Your updated")]
    assert len(notes) == 5
    for email in notes:
        text, html = parts(email)
        # The amounts' dollar signs and the phone number are not words.
        assert textstat.flesch_kincaid_grade(text) <= 8, text
        assert textstat.flesch_kincaid_grade(visible_text(html, "body").replace("\n", ". ")) <= 8


def test_a_spanish_request_gets_the_updated_note_in_spanish(app, staff_client, smtp_server):
    client = app.test_client()
    data = valid_answers(lang="es", **PATIENT["copay_before_deductible"])
    data["form_token"] = form_token(client, "/request?lang=es")
    assert client.post("/request?lang=es", data=data).status_code == 303
    rid = request_id(app)
    deliver(app)
    smtp_server.messages.clear()
    assert paste(staff_client, rid, sample("copay_before_deductible")).status_code == 302
    shown = benefits_part(page_text(staff_client, rid))
    assert "Email to the patient, in Spanish" in shown
    assert send_note(staff_client, app, rid).status_code == 302
    deliver(app)
    [email] = smtp_server.messages
    assert email["Subject"] == f"Su estimado de costos actualizado de {CLINIC}"
    text, html = parts(email)
    assert "$35" in text and "Hola, Jane Doe:" in text
    assert "Revisamos sus beneficios con su plan." in text
    assert 'lang="es"' in html
    # Plain Spanish, as every Spanish page and note (README, En español).
    textstat.set_lang("es")
    try:
        assert textstat.fernandez_huerta(re.sub(r"\S+@\S+|\(\d{3}\) [\d-]+", "", text)) >= 70
    finally:
        textstat.set_lang("en")


def test_inactive_coverage_has_no_estimate_and_no_send_button(app, staff_client):
    rid = new_request(app)
    assert paste(staff_client, rid, sample("inactive")).status_code == 302
    html = staff_client.get(f"/staff/requests/{rid}").get_data(as_text=True)
    shown = benefits_part(visible_text(html))
    assert shown.index("Coverage is not active.") < shown.index("What the 271 says")
    assert "The note with the payer's figures" not in shown
    assert "Email the patient this updated note" not in html
    assert send_note(staff_client, app, rid).status_code == 400
    assert rows(app, OutboxEmail) == 2, "only the staff email and the patient's copy"


def test_no_email_address_means_no_send_button(app, staff_client):
    rid = new_request(app, email=None, email_copy=None)
    assert paste(staff_client, rid, sample("commercial_ppo_visit_limit")).status_code == 302
    html = staff_client.get(f"/staff/requests/{rid}").get_data(as_text=True)
    assert "The patient gave no email address." in html
    assert "Email the patient this updated note</button>" not in html


def test_the_raw_271_is_never_stored_or_logged(app, staff_client, smtp_server, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    rid = patient_of(app, "commercial_ppo_visit_limit")
    for name in ("original_medicare", "medicare_advantage", "malformed"):
        paste(staff_client, rid, sample(name))
    upload(staff_client, rid, sample("commercial_ppo_visit_limit").encode())
    assert send_note(staff_client, app, rid).status_code == 302
    deliver(app)
    secrets = [
        "1EG4TE5MK73",
        "W123456789",
        "XEH123456789",
        "DOE",
        "ROE",
        "RICHARD",
        "19520614",
        "19480203",
        "CLINIC0001TRACE",
        "ISA*00",
    ]
    dumped = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)):
                dumped.append(repr(tuple(row)))
    database = "\n".join(dumped)
    logs = caplog.text
    # X12 is upper case: "DOE" as a word, not "does".
    for secret in secrets:
        assert not re.search(rf"\b{re.escape(secret)}", database), secret
        assert not re.search(rf"\b{re.escape(secret)}", logs), secret
    assert rows(app, BenefitCheck) == 3
    assert not list(tmp_path.rglob("*.271"))


def test_the_purge_removes_the_checks_and_the_updated_note_with_their_request(app, staff_client):
    from datetime import timedelta

    from clinic_app.casework.retention import purge_old_requests
    from clinic_app.choices import RequestStatus
    from clinic_app.models import utcnow

    rid = patient_of(app, "commercial_ppo_visit_limit")
    assert paste(staff_client, rid, sample("commercial_ppo_visit_limit")).status_code == 302
    assert send_note(staff_client, app, rid).status_code == 302
    with app.app_context():
        request = db.session.get(ConsultationRequest, rid)
        request.status, request.closed_at = RequestStatus.CLOSED, utcnow()
        db.session.commit()
        purged = purge_old_requests(db.session, timedelta(days=1), now=utcnow() + timedelta(days=2))
        db.session.commit()
        assert len(purged.references) == 1
    assert rows(app, BenefitCheck) == 0 and rows(app, OutboxEmail) == 0


# What real payers send (issue 22): said first, and never an estimate from it.


def test_a_plan_that_excludes_chiropractic_is_said_first_with_no_estimate_and_no_email(app, staff_client):
    from tests.unit.test_benefits_271 import interchange, subscriber

    rid = new_request(app, full_name="Jane Doe", age="46", coverage="private")
    excluded = interchange(
        subscriber("EB*1*IND*30*C1*GOLD PPO", "EB*B*IND*98*C1***25*****Y", "EB*I*IND*33*C1")
    )
    assert paste(staff_client, rid, excluded).status_code == 302
    shown = benefits_part(page_text(staff_client, rid))
    assert shown.index("Chiropractic is not covered.") < shown.index("What the 271 says")
    assert "Not covered (the plan's 271 says so)" in shown
    assert "The note with the payer's figures" not in shown
    assert "Email the patient this updated note" not in shown
    response = send_note(staff_client, app, rid)
    assert response.status_code == 400
    assert "The plan does not cover chiropractic" in visible_text(response.get_data(as_text=True))
    assert rows(app, OutboxEmail) == 2, "the staff email and the patient's copy only"


def test_a_part_of_the_question_turned_down_is_read_before_the_figures(app, staff_client):
    from tests.unit.test_benefits_271 import interchange, subscriber

    rid = new_request(app, full_name="Jane Doe", age="46")
    text = interchange(subscriber("EB*1*IND*30*C1", "EB*1*IND*33", "AAA*N**63*C"))
    assert paste(staff_client, rid, text).status_code == 302
    shown = benefits_part(page_text(staff_client, rid))
    assert shown.index("Read this before the figures:") < shown.index("What the 271 says")
    assert "the date of service is in the future (reason 63)" in shown


def test_a_whole_question_turned_down_is_refused_with_the_reason_at_the_box(app, staff_client):
    from tests.unit.test_benefits_271 import interchange, subscriber

    rid = new_request(app)
    response = paste(staff_client, rid, interchange(subscriber("AAA*N**63*C")))
    assert response.status_code == 422
    text = visible_text(response.get_data(as_text=True))
    assert "the date of service is in the future (reason 63)" in text
    assert "ask the patient about their current insurance" not in text
    assert rows(app, BenefitCheck) == 0
