"""Checking benefits with the payer's 271, in Chromium: staff sign in, open a request, paste the
Medicare Advantage sample, read the figures and the differences, and email the patient the updated
note, which a real SMTP server on loopback receives. axe checks the page in both colour schemes."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import free_port
from tests.helpers import STAFF_PASSWORD, LiveServer, create_account, deliver, submit

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "x12_271" / "medicare_advantage.271"


@pytest.fixture
def served(make_app, smtp_server):
    port = free_port()
    app = make_app(PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", **smtp_server.config())
    server = LiveServer(app, port).start()
    yield server
    server.stop()


def violations(page) -> list[str]:
    result = Axe().run(page)
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in result.response["violations"]]


def test_staff_check_benefits_and_email_the_updated_note(chromium, served, smtp_server):
    app = served.app
    create_account(app, "desk@clinic.example", name="Dana Desk")
    # A patient who said Original Medicare, with $1,200 of the deductible left.
    submit(
        app.test_client(), coverage="original_medicare", carrier=None, plan_type=None, plan_state=None,
        state_employee_plan=None, self_funded=None, also_medicaid="no", age="78", copay=None,
        coinsurance_percent=None, full_name="Richard Roe", email="richard.roe@example.com",
    )  # fmt: skip
    assert deliver(app).sent == 2
    smtp_server.messages.clear()

    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{served.url}/staff/sign-in")
        page.get_by_label("Email").fill("desk@clinic.example")
        page.get_by_label("Password").fill(STAFF_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Richard Roe").click()
        page.get_by_role("heading", name="Benefits from the payer (271)").wait_for()
        assert violations(page) == []

        # Nothing pasted: the message is tied to the box.
        page.get_by_role("button", name="Check the benefits").click()
        box = page.get_by_label("Paste the 271")
        assert box.get_attribute("aria-invalid") == "true"
        assert "Paste the 271 or upload its file." in page.locator("#x12-error").inner_text()
        # The list of problems has the focus (no script on staff pages: autofocus) and links to the box.
        page.wait_for_function("document.activeElement && document.activeElement.id === 'error-summary'")
        summary_link = page.locator("#error-summary").get_by_role(
            "link", name="Paste the 271 or upload its file."
        )
        assert summary_link.get_attribute("href") == "#x12"
        assert violations(page) == []

        box.fill(SAMPLE.read_text(encoding="ascii"))
        page.get_by_role("button", name="Check the benefits").click()
        section = page.locator("section.benefits")
        section.get_by_role("heading", name="What the 271 says").wait_for()
        found = section.inner_text()
        for words in ("CASCADE GOLD PLUS HMO", "$20 per visit", "12 visits", "Required", "Not in the 271"):
            assert words in found, words
        differing = section.locator("tr.differs")
        assert differing.count() == 3
        assert "Differs from the patient's answer" in differing.first.inner_text()
        assert "Original Medicare" in differing.first.inner_text()
        assert "may be about someone else" not in found, "ROE, born 1948: 78 on the 271's day"
        note = found[found.index("The note with the payer's figures") :]
        assert (
            "We asked your Medicare Advantage plan about your benefits" in note
            and "$20" in note
            and "copay" in note
        )
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            assert violations(page) == [], scheme

        page.get_by_role("button", name="Email the patient this updated note").click()
        page.get_by_text("The updated note is queued to be emailed to the patient.").wait_for()
        assert violations(page) == []
    finally:
        context.close()

    assert deliver(app).sent == 1
    [email] = smtp_server.messages
    assert email["To"] == "richard.roe@example.com"
    assert email["Subject"] == "Your updated cost estimate from Cascade Headache & Neck Clinic"
    text = email.get_body(preferencelist=("plain",)).get_content()
    assert (
        "We asked your Medicare Advantage plan about your benefits" in text
        and "$20" in text
        and "copay" in text
    )
