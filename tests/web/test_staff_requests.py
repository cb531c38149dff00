"""Working the requests from the dashboard."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from clinic_app.choices import EmailState, RequestStatus
from clinic_app.extensions import db
from clinic_app.models import AuditEntry, ConsultationRequest, OutboxEmail, utcnow
from tests.helpers import audit_actions, deliver, staff_post, submit, visible_text


def new_request(app, **changes) -> int:
    client = app.test_client()
    assert submit(client, **changes).status_code == 303
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.max(ConsultationRequest.id)))


def set_received(app, request_id: int, moment: datetime) -> None:
    with app.app_context():
        db.session.get(ConsultationRequest, request_id).created_at = moment
        db.session.commit()


def names_listed(html: str) -> list[str]:
    return re.findall(r'<a href="/staff/requests/\d+">([^<]+)</a>', html)


def test_the_list_shows_newest_first_with_what_front_desk_needs(app, staff_client):
    first = new_request(app, full_name="Early Bird", coverage="self_pay")
    new_request(app, full_name="Late Comer", visit_type="new_patient", warning_signs="yes")
    set_received(app, first, utcnow() - timedelta(hours=3, minutes=5))
    html = staff_client.get("/staff/").get_data(as_text=True)
    assert names_listed(html) == ["Late Comer", "Early Bird"]
    text = visible_text(html)
    assert "3 h ago" in text and "just now" in text
    assert "New-patient appointment" in text and "No insurance, or paying myself" in text
    assert "Warning sign" in text
    assert "No one" in text


def test_filters_and_counts_per_status(app, staff_client):
    kept = new_request(app, full_name="Kim Consult", visit_type="consultation", coverage="private")
    new_request(
        app, full_name="Pat Newpatient", visit_type="new_patient", coverage="apple_health", carrier=None
    )
    closed = new_request(app, full_name="Sam Closed", coverage="self_pay")
    with app.app_context():
        db.session.get(ConsultationRequest, closed).status = RequestStatus.CLOSED
        db.session.commit()
    assert names_listed(staff_client.get("/staff/?visit_type=consultation").get_data(as_text=True)) == [
        "Sam Closed",
        "Kim Consult",
    ]
    assert names_listed(staff_client.get("/staff/?coverage=apple_health").get_data(as_text=True)) == [
        "Pat Newpatient"
    ]
    page = staff_client.get("/staff/?status=closed").get_data(as_text=True)
    assert names_listed(page) == ["Sam Closed"]
    counts = dict(re.findall(r'>\s*(New|Contacted|Scheduled|Closed) <span class="count">(\d+)</span>', page))
    assert counts == {"New": "2", "Contacted": "0", "Scheduled": "0", "Closed": "1"}
    set_received(
        app, kept, datetime.fromisoformat("2026-03-02T07:30:00+00:00")
    )  # March 1, 11:30 PM in Oregon
    assert names_listed(
        staff_client.get("/staff/?received_from=2026-03-01&received_to=2026-03-01").get_data(as_text=True)
    ) == ["Kim Consult"]
    assert "Kim Consult" not in names_listed(
        staff_client.get("/staff/?received_from=2026-03-02").get_data(as_text=True)
    )


def test_nonsense_filters_are_ignored_not_errors(app, staff_client):
    new_request(app)
    response = staff_client.get(
        "/staff/?status=lost&received_from=yesterday&coverage=x&assigned=abc&older=zzz"
    )
    assert response.status_code == 200
    assert names_listed(response.get_data(as_text=True)) == ["Ana Díaz"]
    for page in (response, staff_client.get("/staff/")):
        assert "error-message" not in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "search",
    ["ana", "DÍAZ", "ana.diaz@example", "Example.com", "(503) 555-0142", "503-555-0142", "5035550142",
     "+1 503 555 0142", "555-0142", "0142"],
)  # fmt: skip
def test_search_finds_a_request_by_name_email_or_phone_in_any_format(app, staff_client, search):
    new_request(app)
    new_request(app, full_name="Bo Other", email="bo@elsewhere.org", phone="(360) 555-0199")
    assert names_listed(staff_client.get("/staff/", query_string={"q": search}).get_data(as_text=True)) == [
        "Ana Díaz"
    ]


def test_search_treats_wildcards_as_text(app, staff_client):
    new_request(app)
    assert names_listed(staff_client.get("/staff/", query_string={"q": "%"}).get_data(as_text=True)) == []


def test_pages_of_fifty_with_older_and_newer_links(app, staff_client):
    with app.app_context():
        template = db.session.scalar(
            sa.select(ConsultationRequest).where(ConsultationRequest.id == new_request(app))
        )
        base = utcnow()
        template.full_name = "Person 000"
        for number in range(1, 120):
            copy = ConsultationRequest(
                **{
                    c.key: getattr(template, c.key)
                    for c in ConsultationRequest.__table__.columns
                    if c.key != "id"
                }
            )
            copy.reference = f"TEST-{number:04d}"
            copy.full_name = f"Person {number:03d}"
            copy.created_at = base + timedelta(seconds=number // 2)  # pairs share a time: the id breaks ties
            copy.insurance = type(template.insurance)(
                **{
                    c.key: getattr(template.insurance, c.key)
                    for c in template.insurance.__table__.columns
                    if c.key != "request_id"
                }
            )
            db.session.add(copy)
        db.session.commit()
    first = staff_client.get("/staff/").get_data(as_text=True)
    assert names_listed(first)[:2] == ["Person 119", "Person 118"] and len(names_listed(first)) == 50
    older = re.search(r'href="(/staff/\?older=[^"]+)">Older requests', first).group(1)
    second = staff_client.get(older.replace("&amp;", "&")).get_data(as_text=True)
    assert names_listed(second)[0] == "Person 069" and len(names_listed(second)) == 50
    third = staff_client.get(
        re.search(r'href="(/staff/\?older=[^"]+)">Older', second).group(1).replace("&amp;", "&")
    )
    third_names = names_listed(third.get_data(as_text=True))
    assert len(third_names) == 20 and third_names[-1] == "Person 000"
    assert "Older requests" not in third.get_data(as_text=True)
    newer = re.search(r'href="(/staff/\?newer=[^"]+)">Newer', third.get_data(as_text=True)).group(1)
    assert names_listed(staff_client.get(newer.replace("&amp;", "&")).get_data(as_text=True)) == names_listed(
        second
    )


def test_the_detail_page_shows_every_answer_the_note_the_email_and_the_timeline(
    app, staff_client, stopped_smtp_server
):
    request_id = new_request(app, message="Worse when I <look> down")
    deliver(app)
    html = staff_client.get(f"/staff/requests/{request_id}").get_data(as_text=True)
    text = visible_text(html)
    for answer in ("Ana Díaz", "(503) 555-0142", "Ana.Diaz@example.com", "Monday, Wednesday", "Morning",
                   "Headache that starts in the neck", "Premera Blue Cross", "$1,200", "Worse when I <look> down"):  # fmt: skip
        assert answer in text
    assert "Worse when I &lt;look&gt; down" in html
    assert 'data-status="likely_covered"' in html
    assert "Many health plans pay for spinal manipulation." in text
    assert "Failing, will retry: ConnectionRefusedError" in text
    assert "Sent the request" in text and "Queued the staff email" in text
    assert re.search(r"2026 at \d{1,2}:\d\d [AP]M P[SD]T", text)


def test_a_sent_email_shows_as_sent(app, staff_client, smtp_server):
    request_id = new_request(app)
    deliver(app)
    text = visible_text(staff_client.get(f"/staff/requests/{request_id}").get_data(as_text=True))
    assert "Sent (queued" in text and "Sent the staff email" in text


def test_status_changes_follow_the_workflow_and_are_audited(app, staff_client):
    request_id = new_request(app)
    page = f"/staff/requests/{request_id}"
    assert staff_post(staff_client, f"{page}/status", {"status": "contacted"}, page).status_code == 302
    refused = staff_post(staff_client, f"{page}/status", {"status": "closed"}, page)
    assert refused.status_code == 400
    assert "Choose why you are closing this request." in refused.get_data(as_text=True)
    staff_post(staff_client, f"{page}/status", {"status": "closed", "reason": "booked"}, page)
    nonsense = staff_post(staff_client, f"{page}/status", {"status": "scheduled"}, page)
    assert "A closed request cannot become scheduled. It can become contacted." in nonsense.get_data(
        as_text=True
    )
    with app.app_context():
        stored = db.session.get(ConsultationRequest, request_id)
        assert (stored.status, stored.close_reason.value) == (RequestStatus.CLOSED, "booked")
    text = visible_text(staff_client.get(page).get_data(as_text=True))
    assert "Changed the status from new to contacted" in text
    assert "Changed the status from contacted to closed (booked)" in text
    assert audit_actions(app, request_id).count("changed_status") == 2


def test_notes_are_kept_and_their_words_stay_out_of_the_audit_log(app, staff_client):
    request_id = new_request(app)
    page = f"/staff/requests/{request_id}"
    staff_post(staff_client, f"{page}/notes", {"body": "Left voicemail about migraine history"}, page)
    assert "Left voicemail about migraine history" in visible_text(
        staff_client.get(page).get_data(as_text=True)
    )
    empty = staff_post(staff_client, f"{page}/notes", {"body": "   "}, page)
    assert empty.status_code == 400
    with app.app_context():
        details = [entry.detail for entry in db.session.scalars(sa.select(AuditEntry))]
    assert "migraine" not in str(details)
    assert audit_actions(app, request_id).count("added_note") == 1


def test_assigning_a_request(app, staff_client, owner):
    request_id = new_request(app)
    page = f"/staff/requests/{request_id}"
    staff_post(staff_client, f"{page}/assign", {"assignee": str(owner)}, page)
    assert "Olivia Owner" in names_or_text(staff_client.get("/staff/"))
    assert staff_post(staff_client, f"{page}/assign", {"assignee": "99999"}, page).status_code == 400
    staff_post(staff_client, f"{page}/assign", {"assignee": ""}, page)
    with app.app_context():
        assert db.session.get(ConsultationRequest, request_id).assigned_to_id is None
    assert audit_actions(app, request_id).count("assigned") == 2


def test_a_refused_form_keeps_the_assignee_shown(app, staff_client, owner):
    request_id = new_request(app)
    page = f"/staff/requests/{request_id}"
    staff_post(staff_client, f"{page}/assign", {"assignee": str(owner)}, page)
    refused = staff_post(staff_client, f"{page}/notes", {"body": "   "}, page)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert f'<option selected value="{owner}">Olivia Owner</option>' in html


def names_or_text(response) -> str:
    return visible_text(response.get_data(as_text=True))


def test_sending_the_staff_email_again(app, staff_client, smtp_server):
    request_id = new_request(app)
    deliver(app)
    page = f"/staff/requests/{request_id}"
    staff_post(staff_client, f"{page}/resend-email", {}, page)
    deliver(app)
    assert len(smtp_server.staff_messages) == 2
    assert smtp_server.staff_messages[0]["Message-ID"] != smtp_server.staff_messages[1]["Message-ID"]
    assert len(smtp_server.patient_copies) == 1, "the patient's copy is not sent again with it"
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(OutboxEmail)
                .where(OutboxEmail.state == EmailState.SENT)
            )
            == 3
        )
    assert "resent_email" in audit_actions(app, request_id)


def test_the_staff_email_links_to_the_request_and_opening_it_changes_nothing(app, smtp_server, staff_client):
    request_id = new_request(app)
    deliver(app)
    body = smtp_server.staff_messages[0].get_body(preferencelist=("plain",)).get_content()
    assert f"https://clinic.test/staff/requests/{request_id}" in body
    before = audit_actions(app, request_id)
    staff_client.get(f"/staff/requests/{request_id}")
    assert audit_actions(app, request_id) == [*before, "viewed_request"]


def test_every_view_and_list_is_audited_with_who_and_where(app, staff_client):
    request_id = new_request(app)
    staff_client.get("/staff/?q=ana")
    staff_client.get("/staff/?q=ANA")
    staff_client.get(f"/staff/requests/{request_id}")
    with app.app_context():
        entries = list(db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)))[-3:]
    assert [e.action for e in entries] == ["viewed_list", "viewed_list", "viewed_request"]
    # The search is kept as a keyed hash: the same search twice is visible, the name is not.
    assert entries[0].detail == entries[1].detail
    assert entries[0].detail["search"].startswith("hash ") and "ana" not in entries[0].detail["search"]
    assert entries[2].actor_email == "desk@clinic.example" and entries[2].ip_address == "127.0.0.1"
    assert entries[2].request_reference


def test_owners_export_the_filtered_list_safely(app, owner_client):
    new_request(app, full_name='=HYPERLINK("http://evil")', coverage="self_pay")
    new_request(app, full_name="Regular Person", coverage="private")
    response = owner_client.get("/staff/export.csv?coverage=self_pay")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:6] == ["Reference", "Received", "Status", "Closing reason", "Visit type", "Name"]
    assert len(rows) == 2
    assert rows[1][5] == '\'=HYPERLINK("http://evil")'
    assert rows[1][6] == "(503) 555-0142"
    assert rows[1][12] == "No insurance, or paying myself"
    # An empty answer keeps its column: every row has a cell under every heading.
    assert dict(zip(rows[0], rows[1], strict=True))["Plan type"] == ""
    actions = [(e.action, e.detail) for e in audit_entries(app) if e.action.startswith("export")]
    assert actions == [
        ("export_started", {"coverage": "self_pay"}),
        ("exported", {"coverage": "self_pay", "rows": 1}),
    ]


def audit_entries(app) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)))


def test_owners_read_the_audit_log_by_person_and_request(app, owner_client, staff_client, staff):
    first = new_request(app)
    second = new_request(app, full_name="Other Person")
    staff_client.get(f"/staff/requests/{first}")
    with app.app_context():
        reference = db.session.get(ConsultationRequest, first).reference
    by_person = visible_text(owner_client.get(f"/staff/audit?person={staff}").get_data(as_text=True))
    assert "desk@clinic.example" in by_person and "owner@clinic.example" not in by_person.split("Request")[-1]
    by_request = owner_client.get(f"/staff/audit?reference={reference.lower()}").get_data(as_text=True)
    assert "Viewed the request" in by_request and reference in by_request
    with app.app_context():
        other = db.session.get(ConsultationRequest, second).reference
    listed = re.findall(r"Request: </span>(\w{4}-\w{4})</td>", by_request)
    assert listed and set(listed) == {reference} and other not in listed
    assert audit_actions(app)[-1] == "viewed_audit"


def test_the_audit_log_cannot_be_changed_or_deleted(app, staff_client):
    from clinic_app.models import AuditLogIsAppendOnly

    staff_client.get("/staff/")
    with app.app_context():
        entry = db.session.scalars(sa.select(AuditEntry)).first()
        entry.action = "nothing_happened"
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.scalars(sa.select(AuditEntry)).first())
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        # The database refuses too, even to code that goes around the app.
        for statement in ("UPDATE audit_entry SET action = 'x'", "DELETE FROM audit_entry"):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                with db.engine.begin() as connection:
                    connection.exec_driver_sql(statement)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) >= 2
