"""Valid HTML: every public and staff page, in each of its states, passes the W3C Nu HTML checker
(vnu-jar from the npm registry, on Java 17) with no errors. Warnings are allowed.

The pages are collected first, written to files, and checked in one run of the checker: its JVM
takes seconds to start. `.ci/ensure-vnu` installs it (`make test` runs it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from clinic_app.choices import EmailState, RequestStatus
from clinic_app.extensions import db
from clinic_app.models import BenefitCheck, ConsultationRequest, OutboxEmail, SignInThrottle, utcnow
from clinic_app.models.booking import Booking
from clinic_app.web.booking_links import manage_address
from clinic_app.web.errors import render_error
from clinic_app.web.services import services
from tests.helpers import (
    create_account,
    form_token,
    page_csrf_token,
    sign_in,
    staff_post,
    submit,
    valid_answers,
)

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = Path(os.environ.get("VNU_JAR") or ROOT / ".tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar")
JAVA_17 = Path("/usr/lib/jvm/java-17-openjdk-amd64/bin/java")
SITE = "https://www.clinic-site.example"


def nu_checker() -> list[str]:
    """The command that runs the checker; the test fails, saying how to install it, where it is missing."""
    java = os.environ.get("VNU_JAVA") or (str(JAVA_17) if JAVA_17.exists() else shutil.which("java"))
    if not java or not VNU_JAR.exists():
        pytest.fail(
            f"the Nu HTML checker is missing ({VNU_JAR if java else 'no Java'}): run .ci/ensure-vnu"
            " (make test runs it), or set VNU_JAR to a vnu.jar and VNU_JAVA to a java",
            pytrace=False,
        )
    return [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout"]


def nu_errors(checker: list[str], files: list[Path]) -> list[str]:
    """One run of the checker over all the files: its errors as 'file:line: message'."""
    result = subprocess.run(
        [*checker, *map(str, files)], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.stdout.strip(), f"the Nu HTML checker printed nothing: {result.stderr[-2000:]}"
    messages = json.loads(result.stdout)["messages"]
    return [
        f"{Path(m.get('url', '?')).name}:{m.get('lastLine', m.get('firstLine', '?'))}: {m['message']}"
        + (f"\n    {m['extract'].strip()}" if m.get("extract") else "")
        for m in messages
        if m["type"] in ("error", "non-document-error")
    ]


class Pages:
    """Each page's HTML, by a name that says which page and state it is."""

    def __init__(self) -> None:
        self.html: dict[str, str] = {}

    def add(self, name: str, response, status: int | None = None) -> str:
        if status is not None:
            assert response.status_code == status, f"{name}: {response.status_code}, expected {status}"
        assert response.mimetype == "text/html", f"{name} is {response.mimetype}"
        html = response.get_data(as_text=True)
        self.html[name] = html
        return html

    def write(self, folder: Path) -> list[Path]:
        folder.mkdir()
        files = []
        for name, html in self.html.items():
            path = folder / f"{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}.html"
            assert not path.exists(), f"two pages named {path.name}"
            path.write_text(html, encoding="utf-8")
            files.append(path)
        return files


def confirmation_link(response) -> str:
    assert response.status_code == 303, response.status_code
    return response.headers["Location"]


def latest_request_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.max(ConsultationRequest.id)))


def public_pages(app, pages: Pages) -> None:
    client = app.test_client()
    pages.add("form", client.get("/request"), 200)
    token = form_token(client)
    pages.add("form, all errors", client.post("/request", data={"form_token": token}), 400)
    pages.add(
        "form, warning sign and errors",
        client.post("/request", data={"form_token": form_token(client), "warning_signs": "yes"}),
        400,
    )
    pages.add("form, private insurance open with errors", submit(client, carrier=None, copay="lots"), 400)
    pages.add(
        "form, new patient with errors",
        submit(client, visit_type="new_patient", email="not an email", consent=None),
        400,
    )
    pages.add("confirmation", client.get(confirmation_link(submit(client))), 200)
    pages.add(
        "confirmation, warning sign",
        client.get(confirmation_link(submit(client, warning_signs="yes"))),
        200,
    )
    pages.add(
        "confirmation, self-pay",
        client.get(confirmation_link(submit(client, coverage="self_pay", carrier=None))),
        200,
    )
    pages.add(
        "confirmation, Medicare",
        client.get(
            confirmation_link(submit(client, coverage="original_medicare", age="70", also_medicaid="no"))
        ),
        200,
    )
    pages.add("confirmation, link expired", client.get("/request/received/not-a-token"), 404)
    pages.add("privacy", client.get("/privacy"), 200)
    pages.add("error 404", client.get("/no-such-page"), 404)
    pages.add("error 405", client.put("/privacy"), 405)

    # The embed: framed on the clinic's site, with its options.
    options = f"host={SITE}&accent=1d4ed8&visit_type=new_patient&lang=en"
    pages.add("embed form", client.get(f"/embed/form?{options}"), 200)
    embed_path = f"/embed/form?{options}"
    embed_token = form_token(client, embed_path)
    pages.add("embed form, errors", client.post(embed_path, data={"form_token": embed_token}), 400)
    for name, changes in (
        ("embed confirmation", {}),
        ("embed confirmation, warning sign", {"warning_signs": "yes"}),
    ):
        data = {"form_token": form_token(client, embed_path), **valid_answers(**changes)}
        pages.add(name, client.get(confirmation_link(client.post(embed_path, data=data))), 200)
    pages.add("embed confirmation, link expired", client.get(f"/embed/received/nope?{options}"), 404)
    spanish_pages(client, pages)


def spanish_pages(client, pages: Pages) -> None:
    """The same pages in Spanish: the catalogue's texts carry links and marks of their own."""
    pages.add("nondiscrimination", client.get("/nondiscrimination"), 200)
    pages.add("es: form", client.get("/request?lang=es"), 200)
    pages.add("es: form, all errors", client.post("/request?lang=es", data={"lang": "es"}), 400)
    for name, changes in (
        ("es: confirmation, private", {}),
        ("es: confirmation, warning sign", {"warning_signs": "yes"}),
        ("es: confirmation, Medicare", {"coverage": "original_medicare", "age": "70", "also_medicaid": "no"}),
    ):
        pages.add(name, client.get(confirmation_link(submit(client, lang="es", **changes))), 200)
    pages.add("es: privacy", client.get("/privacy?lang=es"), 200)
    pages.add("es: nondiscrimination", client.get("/nondiscrimination?lang=es"), 200)
    pages.add("es: error 404", client.get("/no-such-page?lang=es"), 404)
    pages.add("es: embed form", client.get(f"/embed/form?host={SITE}&lang=es"), 200)


def error_pages(app, pages: Pages) -> None:
    """Error pages that a test cannot cheaply reach by a request, rendered as the handlers render them."""
    for code in (400, 403, 413, 429, 500):
        with app.test_request_context("/request"):
            html, status = render_error(code)
        pages.html[f"error {code}, rendered"] = html
        assert status == code


def staff_pages(app, pages: Pages) -> None:
    create_account(app, "owner@clinic.example", role="owner", name="Olivia Owner")
    desk_id = create_account(app, "desk@clinic.example", name="Dana Desk")
    visitor = app.test_client()
    pages.add("sign-in", visitor.get("/staff/sign-in"), 200)
    pages.add("sign-in, wrong password", sign_in(visitor, "desk@clinic.example", "wrong password"), 400)
    pages.add(
        "sign-in, blank",
        visitor.post("/staff/sign-in", data={"csrf_token": page_csrf_token(visitor, "/staff/sign-in")}),
        400,
    )
    pages.add("csrf refused", visitor.post("/staff/sign-in", data={"email": "x@clinic.example"}), 400)
    # Ten wrong passwords pause the desk's sign-in from this address.
    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for number in range(10):
        with app.app_context():
            db.session.execute(sa.update(SignInThrottle).values(blocked_until=None))
            db.session.commit()
        last = sign_in(guesser, "desk@clinic.example", f"wrong guess {number}!")
    pages.add("sign-in, paused", last, 400)

    # Requests in many states: a warning sign, a bot's, one closed, one assigned with a note, a failed email.
    patient = app.test_client()
    submit(patient, full_name="Kim Consult")
    plain = latest_request_id(app)
    submit(patient, full_name="Late Comer", visit_type="new_patient", warning_signs="yes")
    urgent = latest_request_id(app)
    submit(patient, full_name="Sam Selfpay", coverage="self_pay", carrier=None)
    closed = latest_request_id(app)
    submit(patient, full_name="Bot", website="http://cheap-pills.example")
    spam = latest_request_id(app)
    with app.app_context():
        db.session.get(ConsultationRequest, closed).status = RequestStatus.CLOSED
        db.session.get(ConsultationRequest, plain).created_at = utcnow() - timedelta(days=3)
        email = db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.request_id == urgent)).first()
        email.state, email.attempts, email.last_error = EmailState.FAILED, 5, "550 5.1.1 No such mailbox"
        db.session.commit()

    owner = app.test_client()
    assert sign_in(owner, "owner@clinic.example").status_code == 302
    detail = f"/staff/requests/{plain}"
    staff_post(owner, f"{detail}/notes", {"body": "Called, left a message."}, detail)
    staff_post(owner, f"{detail}/assign", {"assignee": str(desk_id)}, detail)
    pages.add("list", owner.get("/staff/"), 200)
    for name, query in (
        (
            "list, filtered",
            "status=new&visit_type=consultation&coverage=private&received_from=2020-01-01&received_to=2099-12-31",
        ),
        ("list, search", "q=Kim"),
        ("list, search finds nothing", "q=nobody+at+all"),
        ("list, assigned", f"assigned={desk_id}"),
        ("list, spam", "spam=1"),
        ("list, failed emails", "email=failed"),
        ("list, closed", "status=closed"),
    ):
        pages.add(name, owner.get(f"/staff/?{query}"), 200)
    pages.add("detail, assigned with a note", owner.get(detail), 200)
    pages.add("detail, warning sign and failed email", owner.get(f"/staff/requests/{urgent}"), 200)
    pages.add("detail, closed", owner.get(f"/staff/requests/{closed}"), 200)
    pages.add("detail, spam", owner.get(f"/staff/requests/{spam}"), 200)
    pages.add("detail, not found", owner.get("/staff/requests/999999"), 404)
    pages.add(
        "detail, status refused",
        staff_post(owner, f"{detail}/status", {"status": "closed"}, detail),
        400,
    )
    pages.add("detail, empty note refused", staff_post(owner, f"{detail}/notes", {"body": ""}, detail), 400)
    # Benefits checked with the payer's 271: figures, differences, the rebuilt note and the email sent;
    # coverage not active; a 271 refused, its message at the field.
    samples = Path(__file__).resolve().parent.parent / "samples" / "x12_271"
    advantage = (samples / "medicare_advantage.271").read_text(encoding="ascii")
    staff_post(owner, f"{detail}/benefits", {"x12": advantage}, detail)
    pages.add("detail, a 271 about someone else", owner.get(detail), 200)
    # The sample is about Richard Roe, 78 on its day: his request's note may be sent.
    submit(patient, full_name="Richard Roe", age="78")
    roe = f"/staff/requests/{latest_request_id(app)}"
    staff_post(owner, f"{roe}/benefits", {"x12": advantage}, roe)
    with app.app_context():
        check_id = db.session.scalars(sa.select(BenefitCheck.id).order_by(BenefitCheck.id.desc())).first()
    staff_post(owner, f"{roe}/benefits/{check_id}/send", {}, roe)
    pages.add("detail, benefits checked and updated note sent", owner.get(roe), 200)
    inactive = (samples / "inactive.271").read_text(encoding="ascii")
    staff_post(owner, f"/staff/requests/{closed}/benefits", {"x12": inactive}, f"/staff/requests/{closed}")
    pages.add("detail, coverage not active", owner.get(f"/staff/requests/{closed}"), 200)
    pages.add(
        "detail, 271 refused",
        staff_post(owner, f"{detail}/benefits", {"x12": advantage[:400]}, detail),
        422,
    )
    pages.add(
        "detail, 271 too large",
        staff_post(owner, f"{detail}/benefits", {"x12": "\n" * (1024 * 1024 + 16 * 1024)}, detail),
        413,
    )
    pages.add("audit", owner.get("/staff/audit"), 200)
    pages.add("audit, filtered", owner.get(f"/staff/audit?person={desk_id}&reference=NOPE-0000"), 200)
    pages.add("team, paused member", owner.get("/staff/team"), 200)
    added = staff_post(
        owner,
        "/staff/team",
        {"name": "Rae Reception", "email": "rae@clinic.example", "role": "staff"},
        "/staff/team",
    )
    html = pages.add("team, new member's link", added, 200)
    pages.add(
        "team, refused",
        staff_post(owner, "/staff/team", {"name": "", "email": "typo@", "role": "staff"}, "/staff/team"),
        400,
    )
    pages.add("embed snippets", owner.get("/staff/embed"), 200)
    pages.add("embed check, not listed", owner.get("/staff/embed?site=https://other.example"), 200)
    pages.add("embed check, listed", owner.get(f"/staff/embed?site={SITE}"), 200)
    # Free consultations: the owners' Availability page, and the day view with and without bookings.
    lee_id = create_account(app, "dr.lee@clinic.example", name="Dr. Lee")
    availability = "/staff/availability"
    token = page_csrf_token(owner, availability)
    hours = {"action": "hours", "hours-staff": str(lee_id), "hours-csrf_token": token}
    owner.post(availability, data={**hours, "hours-days": "mon-fri", "hours-hours": "09:00-12:00"})
    close = {"action": "close", "close-staff": str(lee_id), "close-csrf_token": token}
    owner.post(availability, data={**close, "close-day": (utcnow() + timedelta(days=9)).date().isoformat()})
    pages.add("availability, hours and a closed date", owner.get(availability), 200)
    pages.add(
        "availability, hours refused",
        owner.post(availability, data={**hours, "hours-days": "fri-mon", "hours-hours": "9-12"}),
        400,
    )
    with app.app_context():
        starts = datetime(2027, 3, 15, 16, 0, tzinfo=UTC)
        for request_id, provider_id in ((plain, lee_id), (urgent, desk_id)):
            db.session.add(
                Booking(
                    request_id=request_id,
                    provider_id=provider_id,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=15),
                )
            )
        db.session.commit()
    pages.add("consultations, two providers", owner.get("/staff/consultations?day=2027-03-15"), 200)
    pages.add("consultations, none booked", owner.get("/staff/consultations?day=2027-03-14"), 200)

    # Moving or cancelling a booking: the staff's move page, and the patient's manage pages.
    with app.app_context():
        booking = db.session.scalars(sa.select(Booking).where(Booking.request_id == plain)).one()
        booking.starts_at = utcnow() + timedelta(days=3)
        booking.ends_at = booking.starts_at + timedelta(minutes=15)
        db.session.commit()
        booking_id, manage = booking.id, manage_address(services(app).settings, booking)
    pages.add("move a booking, staff", owner.get(f"/staff/bookings/{booking_id}/move"), 200)
    patient = app.test_client()
    manage = manage.removeprefix("https://clinic.test")
    pages.add("manage booking", patient.get(manage), 200)
    pages.add("manage booking, pick another time", patient.get(f"{manage}/move"), 200)
    token = page_csrf_token(patient, f"{manage}/move")
    pages.add(
        "manage booking, no time picked", patient.post(f"{manage}/move", data={"csrf_token": token}), 400
    )
    pages.add("manage booking, link closed", patient.get("/booking/not-a-token"), 404)
    pages.add("manage booking, cancel it?", patient.get(f"{manage}/cancel"), 200)
    patient.post(f"{manage}/cancel", data={"csrf_token": token})
    pages.add("manage booking, cancelled", patient.get(manage), 200)

    link = re.search(r"https://clinic\.test(/staff/set-password/[\w.-]+)", html).group(1)
    newcomer = app.test_client()
    pages.add("set password", newcomer.get(link), 200)
    pages.add(
        "set password, refused",
        newcomer.post(
            link,
            data={"password": "short", "confirm": "other", "csrf_token": page_csrf_token(newcomer, link)},
        ),
        400,
    )
    pages.add("set password, link expired", newcomer.get("/staff/set-password/not-a-token"), 404)

    desk = app.test_client()
    assert sign_in(desk, "desk@clinic.example").status_code == 302
    pages.add("list, as staff", desk.get("/staff/"), 200)
    pages.add("owners only", desk.get("/staff/team"), 403)
    pages.add("consultations, as staff", desk.get("/staff/consultations?day=2027-03-15"), 200)
    desk.post("/staff/sign-out", data={"csrf_token": page_csrf_token(desk, "/staff/")})
    pages.add("sign-in, signed out", desk.get("/staff/sign-in"), 200)


def test_every_page_and_state_passes_the_nu_html_checker(make_app, tmp_path):
    checker = nu_checker()
    app = make_app(EMBED_ALLOWED_ORIGINS=[SITE])
    pages = Pages()
    public_pages(app, pages)
    error_pages(app, pages)
    staff_pages(app, pages)

    # What the checker allows but the issue asks for: phone links in E.164 (or 911), and a description.
    for name, html in pages.html.items():
        for link in re.findall(r'href="(tel:[^"]*)"', html):
            assert re.fullmatch(r"tel:(\+[1-9]\d{6,14}|911)", link), f"{name}: {link}"
        description = re.search(r'<meta name="description" content="([^"]+)">', html)
        assert description and len(description.group(1)) <= 160, f"{name}: a short meta description"
    assert 'href="tel:+15035550142">(503) 555-0142</a>' in pages.html["privacy"]
    assert 'href="tel:911"' in pages.html["confirmation, warning sign"]

    assert len(pages.html) == 84, "every page and state, Spanish ones included (the README says how many)"
    errors = nu_errors(checker, pages.write(tmp_path / "pages"))
    print(f"Nu HTML checker: {len(pages.html)} pages and states, {len(errors)} errors")
    assert not errors, f"{len(errors)} Nu HTML checker errors on {len(pages.html)} pages:\n" + "\n".join(
        errors
    )
