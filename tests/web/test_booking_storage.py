"""Bookings in the database: only it can refuse a second booking of a provider's time (issue 16).

These run on the engine TEST_DATABASE_URL picks, like the rest of the suite: PostgreSQL refuses with
its exclusion constraint, SQLite with its triggers (migration 0015).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.orm import Session

from clinic_app.booking.storage import SlotTaken, book, cancel, is_overlap
from clinic_app.choices import Concern, ContactMethod, VisitType
from clinic_app.extensions import db
from clinic_app.models import Booking, BookingStatus, ConsultationRequest, StaffUser
from tests.conftest import build_app
from tests.helpers import create_account
from tests.web.test_health_and_schema import empty_database

# Monday, March 15, 2027, 9:00 in the clinic's zone (Pacific daylight time).
NINE = datetime(2027, 3, 15, 16, 0, tzinfo=UTC)
CLIENTS = 20


def at(minutes: int) -> datetime:
    """That many minutes after 9:00."""
    return NINE + timedelta(minutes=minutes)


def add_requests(how_many: int) -> list[int]:
    """Consultation requests to book for, stored and committed; their ids."""
    now = datetime.now(UTC)
    requests = [
        ConsultationRequest(
            reference=f"BOOK-{number:04d}",
            visit_type=VisitType.CONSULTATION,
            full_name=f"Patient {number}",
            preferred_contact=ContactMethod.PHONE,
            main_concern=Concern.NECK_PAIN,
            headache_days_per_month=2,
            has_warning_signs=False,
            consented_at=now,
        )
        for number in range(how_many)
    ]
    db.session.add_all(requests)
    db.session.commit()
    return [request.id for request in requests]


def add_provider(app, email: str) -> int:
    staff_id = create_account(app, email, password=None)
    with app.app_context():
        db.session.get_one(StaffUser, staff_id).is_provider = True
        db.session.commit()
    return staff_id


@pytest.fixture
def provider(app) -> int:
    return add_provider(app, "provider@clinic.example")


def booked_rows() -> list[tuple[int, int, datetime, datetime]]:
    query = sa.select(Booking.request_id, Booking.provider_id, Booking.starts_at, Booking.ends_at)
    query = query.where(Booking.status == BookingStatus.BOOKED).order_by(Booking.starts_at, Booking.id)
    return [tuple(row) for row in db.session.execute(query)]


def race_engine(app, connections: int) -> sa.Engine:
    """An engine on the app's database with room for every client's connection at once, set up on
    connecting as the app's own (on SQLite: WAL, foreign keys and the busy timeout)."""
    with app.app_context():
        engine = sa.create_engine(db.engine.url, pool_size=connections, max_overflow=0)
        for on_connect in db.engine.pool.dispatch.connect:
            sa.event.listen(engine, "connect", on_connect)
    return engine


def test_twenty_clients_booking_the_same_time_at_once_get_one_booking(app, provider):
    with app.app_context():
        request_ids = add_requests(CLIENTS)
    engine = race_engine(app, CLIENTS)
    start = threading.Barrier(CLIENTS, timeout=30)

    def attempt(request_id: int) -> str:
        with Session(engine) as session:
            session.connection()  # each client holds its own connection before the start
            start.wait()
            try:
                book(session, request_id, provider, at(0), at(15))
            except SlotTaken:
                session.rollback()
                return "taken"
            session.commit()
            return "booked"

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as clients:
        answers = Counter(clients.map(attempt, request_ids))  # any other exception is raised here
    took = time.perf_counter() - began
    engine.dispose()
    print(f"\n{engine.dialect.name}: {dict(answers)} in {took * 1000:.0f} ms")

    assert answers == {"booked": 1, "taken": CLIENTS - 1}
    with app.app_context():
        rows = booked_rows()
        assert len(rows) == 1 and rows[0][1:] == (provider, at(0), at(15))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 1


def test_overlapping_bookings_of_other_lengths_are_refused_and_the_session_goes_on(app, provider):
    with app.app_context():
        first, second, third, fourth = add_requests(4)
        book(db.session, first, provider, at(0), at(15))
        with pytest.raises(SlotTaken):
            book(db.session, second, provider, at(10), at(40))
        with pytest.raises(SlotTaken):
            book(db.session, third, provider, at(-10), at(30)), "one that holds the other"
        with pytest.raises(SlotTaken):
            book(db.session, third, provider, at(5), at(10)), "one inside the other"
        # The refusals undid only their own rows: the transaction goes on and commits the first.
        book(db.session, fourth, provider, at(15), at(30))
        db.session.commit()
        assert booked_rows() == [(first, provider, at(0), at(15)), (fourth, provider, at(15), at(30))]


def test_back_to_back_bookings_and_another_providers_same_time_are_allowed(app, provider):
    other = add_provider(app, "second.provider@clinic.example")
    with app.app_context():
        first, second, third = add_requests(3)
        book(db.session, first, provider, at(0), at(15))
        book(db.session, second, provider, at(15), at(30))
        book(db.session, third, other, at(0), at(15))
        db.session.commit()
        assert len(booked_rows()) == 3


def test_a_cancelled_bookings_time_can_be_booked_again(app, provider):
    with app.app_context():
        first, second = add_requests(2)
        booking = book(db.session, first, provider, at(0), at(15))
        db.session.commit()
        uid = booking.uid
        assert booking.status is BookingStatus.BOOKED and booking.sequence == 0 and len(uid) == 32

        cancel(db.session, booking, now=at(-60))
        db.session.commit()
        assert (booking.status, booking.sequence, booking.cancelled_at) == (
            BookingStatus.CANCELLED,
            1,
            at(-60),
        )
        assert booking.uid == uid, "the invite keeps its UID, so calendars replace it"

        again = book(db.session, second, provider, at(0), at(15))
        db.session.commit()
        assert booked_rows() == [(second, provider, at(0), at(15))]
        assert again.uid != uid


def test_an_update_onto_a_booked_time_is_refused_too(app, provider):
    """Booking a cancelled booking again, or moving one, meets the same refusal as an insert."""
    with app.app_context():
        first, second, third = add_requests(3)
        cancelled = book(db.session, first, provider, at(0), at(15))
        cancel(db.session, cancelled)
        kept = book(db.session, second, provider, at(0), at(15))
        later = book(db.session, third, provider, at(30), at(45))
        db.session.commit()

        for change in (
            sa.update(Booking).where(Booking.id == cancelled.id).values(status=BookingStatus.BOOKED),
            sa.update(Booking).where(Booking.id == later.id).values(starts_at=at(10)),
        ):
            with pytest.raises(sa.exc.IntegrityError) as refused, db.session.begin_nested():
                db.session.execute(change)
            assert is_overlap(refused.value)
        # A booking made longer overlaps only itself and the cancelled one: allowed.
        db.session.execute(sa.update(Booking).where(Booking.id == kept.id).values(ends_at=at(20)))
        db.session.commit()
        assert booked_rows() == [(second, provider, at(0), at(20)), (third, provider, at(30), at(45))]


def test_a_request_has_one_booking_and_that_is_not_a_taken_slot(app, provider):
    with app.app_context():
        (request_id,) = add_requests(1)
        book(db.session, request_id, provider, at(0), at(15))
        with pytest.raises(sa.exc.IntegrityError) as refused:
            book(db.session, request_id, provider, at(60), at(75))
        assert not is_overlap(refused.value)


def test_sqlite_refuses_a_time_not_written_as_utc(app, provider):
    """SQLite compares the times as text: a time written another way would compare wrongly."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL stores timestamps, not text")
        (request_id,) = add_requests(1)
        with pytest.raises(sa.exc.IntegrityError, match="not stored as UTC"):
            db.session.execute(
                sa.text(
                    "INSERT INTO booking (request_id, provider_id, starts_at, ends_at, status, uid, sequence,"
                    " created_at) VALUES (:request, :provider, '2027-03-15T16:00:00+00:00',"
                    " '2027-03-15 16:15:00.000000', 'booked', 'x', 0, '2027-03-01 00:00:00.000000')"
                ),
                {"request": request_id, "provider": provider},
            )


def test_the_booking_migration_goes_down_and_up_again(tmp_path):
    with empty_database(tmp_path) as url:
        app = build_app(url, tmp_path / "instance")
        with app.app_context():
            upgrade(revision="head")
            downgrade(revision="0014_benefit_checks")
            tables = sa.inspect(db.engine).get_table_names()
            assert not {"booking", "provider_hours", "provider_closed_date"} & set(tables)
            assert "is_provider" not in {c["name"] for c in sa.inspect(db.engine).get_columns("staff_user")}

            upgrade(revision="head")
            provider = add_provider(app, "provider@clinic.example")
            first, second = add_requests(2)
            book(db.session, first, provider, at(0), at(15))
            with pytest.raises(SlotTaken):
                book(db.session, second, provider, at(10), at(25))
            db.session.rollback()
            db.session.remove()
            db.engine.dispose()
