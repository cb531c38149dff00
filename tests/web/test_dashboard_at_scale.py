"""What keeps the dashboard fast with a million requests, checked for what staff see: the counts kept
by the database, the trigram search index, and the streamed export."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html import unescape

import sqlalchemy as sa

from clinic_app.casework.queries import COUNT_LIMIT, MOST_SEARCH_MATCHES, RequestFilters, RequestFinder
from clinic_app.choices import RequestStatus
from clinic_app.extensions import db
from clinic_app.models import (
    AuditEntry,
    ConsultationRequest,
    InsuranceAnswers,
    RequestStatusCount,
    StoredCoverageNote,
    utcnow,
)
from tests.helpers import staff_post, submit


def shown_counts(page: str) -> dict[str, str]:
    return dict(
        re.findall(r'>\s*(New|Contacted|Scheduled|Closed) <span class="count">([\d,+]+)</span>', page)
    )


def kept_counts(app) -> dict[tuple[str, bool], int]:
    with app.app_context():
        kept = db.session.execute(
            sa.select(RequestStatusCount.status, RequestStatusCount.spam, RequestStatusCount.total)
        )
        return {(status.value, spam): total for status, spam, total in kept if total}


def true_counts(app) -> dict[tuple[str, bool], int]:
    with app.app_context():
        spam = ConsultationRequest.spam_reason.is_not(None)
        found = db.session.execute(
            sa.select(ConsultationRequest.status, spam, sa.func.count()).group_by(
                ConsultationRequest.status, spam
            )
        )
        return {(status.value, is_spam): number for status, is_spam, number in found}


def many_requests(app, how_many: int, name: str = "Bulk Person") -> None:
    """Requests stored straight into the tables, as many as a test needs, quickly."""
    now = utcnow()
    with app.app_context():
        ids = db.session.scalars(
            sa.insert(ConsultationRequest).returning(ConsultationRequest.id),
            [
                {
                    "reference": f"BULK-{n:05d}", "created_at": now - timedelta(minutes=n), "visit_type": "consultation",
                    "full_name": f"{name} {n}", "email": f"bulk{n}@example.com", "phone_e164": "+15035550100",
                    "phone_display": "(503) 555-0100", "preferred_contact": "phone", "best_days": [], "best_times": [],
                    "main_concern": "migraine", "headache_days_per_month": 4, "has_warning_signs": False,
                    "consented_at": now, "search_text": f"{name.casefold()} {n} bulk{n}@example.com 15035550100",
                }
                for n in range(how_many)
            ],
        ).all()  # fmt: skip
        db.session.execute(
            sa.insert(InsuranceAnswers), [{"request_id": i, "coverage": "self_pay", "age": 40} for i in ids]
        )
        db.session.execute(sa.insert(StoredCoverageNote), [
            {"request_id": i, "status": "unknown", "headline": "We will check for you", "paragraphs": [],
             "caveats": [], "closing": "", "estimate": [], "rule_ids": [], "rules_version": "test"}
            for i in ids
        ])  # fmt: skip
        db.session.commit()


def test_the_status_counts_stay_true_through_every_change(app, staff_client):
    visitor = app.test_client()
    for name in ("Ana One", "Ben Two", "Cy Three"):
        submit(visitor, full_name=name)
    submit(visitor, full_name="Bot Filler", website="https://spam.example")
    with app.app_context():
        first, second = db.session.scalars(
            sa.select(ConsultationRequest.id).order_by(ConsultationRequest.id).limit(2)
        )
    staff_post(staff_client, f"/staff/requests/{first}/status", {"status": "contacted"})
    staff_post(staff_client, f"/staff/requests/{second}/status", {"status": "closed", "reason": "booked"})
    assert shown_counts(staff_client.get("/staff/").get_data(as_text=True)) == {
        "New": "1", "Contacted": "1", "Scheduled": "0", "Closed": "1"
    }  # fmt: skip
    assert kept_counts(app) == true_counts(app) == {
        ("new", False): 1, ("contacted", False): 1, ("closed", False): 1, ("new", True): 1
    }  # fmt: skip

    with app.app_context():
        db.session.get(ConsultationRequest, second).closed_at = utcnow() - timedelta(days=400)
        db.session.commit()
    assert "Removed 1 requests" in app.test_cli_runner().invoke(args=["requests", "purge"]).output
    assert shown_counts(staff_client.get("/staff/").get_data(as_text=True))["Closed"] == "0"
    assert kept_counts(app) == true_counts(app)


def test_a_filtered_count_stops_at_the_limit_and_says_so(app, staff_client):
    many_requests(app, COUNT_LIMIT + 1)
    submit(app.test_client(), full_name="Dee Other")
    # The whole list reads the kept counts: exact, however many.
    assert shown_counts(staff_client.get("/staff/").get_data(as_text=True))["New"] == "1,002"
    # Another filter counts each status up to the limit, so it never reads a million rows to count.
    filtered = shown_counts(staff_client.get("/staff/?coverage=self_pay").get_data(as_text=True))
    assert filtered == {"New": "1,000+", "Contacted": "0", "Scheduled": "0", "Closed": "0"}
    # A search counts the matches the index found, exactly.
    assert shown_counts(staff_client.get("/staff/?q=bulk+person").get_data(as_text=True))["New"] == "1,001"
    assert shown_counts(staff_client.get("/staff/?q=dee+other").get_data(as_text=True))["New"] == "1"


def listed(staff_client, search: str) -> list[str]:
    page = staff_client.get("/staff/", query_string={"q": search}).get_data(as_text=True)
    return [unescape(name) for name in re.findall(r'<a href="/staff/requests/\d+">([^<]+)</a>', page)]


def test_search_finds_any_part_of_a_name_email_or_phone_through_the_index(app, staff_client):
    visitor = app.test_client()
    submit(visitor, full_name="Zoë O'Brien-Smith", email="zoe_ob*1@example.com", phone="503-555-0142")
    submit(visitor, full_name="Mark Zobel", email="mz@example.com", phone="(360) 555-0199")
    assert listed(staff_client, "o'brien") == ["Zoë O'Brien-Smith"]
    assert listed(staff_client, "ZOË") == ["Zoë O'Brien-Smith"]
    # Underscores and stars are letters in a search, not wildcards.
    assert listed(staff_client, "zoe_ob*1") == ["Zoë O'Brien-Smith"]
    assert listed(staff_client, "zoe_ob?1") == []
    assert listed(staff_client, "%") == []
    # Two letters are too few for a trigram, and still found.
    assert listed(staff_client, "zo") == ["Mark Zobel", "Zoë O'Brien-Smith"]
    assert listed(staff_client, "503.555.0142") == ["Zoë O'Brien-Smith"]
    assert listed(staff_client, "0199") == ["Mark Zobel"]


def query_plan(app, search: str) -> str:
    """How the database finds a search's matches: the finder's one question to the index."""
    with app.app_context():
        engine = db.engine
        finder = RequestFinder(db.session, RequestFilters(search=search), "America/Los_Angeles")
        query = finder._indexed_search().limit(MOST_SEARCH_MATCHES + 1)
        sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                return " ".join(str(row) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
            # With a handful of rows the planner would rather read them all: ask whether it can.
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            return " ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}"))


def test_a_search_reads_the_trigram_index_not_every_row(app):
    plan = query_plan(app, "kowalski")
    assert "request_search VIRTUAL TABLE INDEX" in plan or "ix_consultation_request_search_trgm" in plan, plan


def test_a_common_search_lists_the_newest_matches_without_counting_them(app, staff_client):
    many_requests(app, MOST_SEARCH_MATCHES + 1, name="Common Name")
    submit(app.test_client(), full_name="Common Namesake")
    page = staff_client.get("/staff/?q=common+name").get_data(as_text=True)
    assert listed(staff_client, "common name")[:2] == ["Common Namesake", "Common Name 0"]
    assert shown_counts(page) == {}
    assert "More than 5,000 requests match this search, too many to count." in page
    # Two letters have no trigram: found all the same, newest first.
    assert listed(staff_client, "na")[:2] == ["Common Namesake", "Common Name 0"]
    # A rarer search through the same index is counted exactly.
    assert shown_counts(staff_client.get("/staff/?q=namesake").get_data(as_text=True))["New"] == "1"


def export_actions(app) -> list[tuple[str, dict]]:
    with app.app_context():
        entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))
        return [(entry.action, entry.detail) for entry in entries if entry.action.startswith("export")]


def test_an_export_cut_off_is_logged_as_stopped_never_as_finished(app, owner_client):
    many_requests(app, 600)
    download = owner_client.get("/staff/export.csv", buffered=False)
    first_piece = next(iter(download.response))
    download.close()
    assert 0 < first_piece.count(b"\n") < 601
    [started, stopped] = export_actions(app)
    assert started == ("export_started", {})
    assert stopped[0] == "export_stopped" and 0 < stopped[1]["rows"] < 600


def test_a_whole_export_is_streamed_and_logged_with_its_rows(app, owner_client):
    many_requests(app, 600)
    download = owner_client.get("/staff/export.csv", buffered=False)
    pieces = list(download.response)
    download.close()
    assert len(pieces) > 1, "streamed in pieces, not built whole in memory"
    rows = list(csv.reader(io.StringIO(b"".join(pieces).decode())))
    assert len(rows) == 601
    assert rows[1][:3] == ["BULK-00000", rows[1][1], RequestStatus.NEW.label]
    assert dict(zip(rows[0], rows[1], strict=True))["Phone"] == "(503) 555-0100"
    assert export_actions(app) == [("export_started", {}), ("exported", {"rows": 600})]
