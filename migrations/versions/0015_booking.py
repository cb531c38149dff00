"""Booking the free consultation: providers, their weekly hours and closed dates, and the bookings.

Only the database can refuse a second booking of a provider's time: two visitors who both saw the
time free each pass a check made in Python first. On PostgreSQL an exclusion constraint over the
time range (``btree_gist``, for the provider's integer id in a gist index) refuses any booked row
whose [starts_at, ends_at) overlaps another booked row of the same provider, so bookings of different
lengths are caught too; cancelled rows hold no time. On SQLite two triggers, before each insert and
each update, refuse the same rows: SQLite lets one writer in at a time, so the trigger's look and the
write are one step. SQLite compares the times as text, which is right only if all are written alike
(UTCDateTime's "YYYY-MM-DD HH:MM:SS.ffffff", naive UTC): the triggers refuse any other form.

``staff_user.is_provider`` is added in place with a server default (no one was a provider before),
and the other tables are new, so no table with triggers is rebuilt. btree_gist goes to the public
schema, where a database keeps its extensions (as pg_trgm in 0010), and is left there on downgrade:
other schemas of the database may use it.

Revision ID: 0015_booking
Revises: 0014_benefit_checks
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

revision = "0015_booking"
down_revision = "0014_benefit_checks"
branch_labels = None
depends_on = None

BTREE_GIST_EXTENSION = "CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public"
POSTGRESQL_NO_OVERLAP = (
    "ALTER TABLE booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist "
    "(provider_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (status = 'booked')"
)

_SQLITE_STORED_TIME = "'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]'"
_SQLITE_REFUSALS = (
    "SELECT RAISE(ABORT, 'booking time not stored as UTC') "
    f"WHERE new.starts_at NOT GLOB {_SQLITE_STORED_TIME} OR new.ends_at NOT GLOB {_SQLITE_STORED_TIME}; "
    "SELECT RAISE(ABORT, 'booking overlaps') WHERE new.status = 'booked' AND EXISTS ("
    "SELECT 1 FROM booking WHERE provider_id = new.provider_id AND status = 'booked' "
    "AND starts_at < new.ends_at AND new.starts_at < ends_at{other});"
)
SQLITE_TRIGGERS = (
    "CREATE TRIGGER booking_no_overlap_insert BEFORE INSERT ON booking "
    f"BEGIN {_SQLITE_REFUSALS.format(other='')} END",
    "CREATE TRIGGER booking_no_overlap_update BEFORE UPDATE OF provider_id, starts_at, ends_at, status "
    f"ON booking BEGIN {_SQLITE_REFUSALS.format(other=' AND id <> old.id')} END",
)


def upgrade():
    op.add_column(
        "staff_user", sa.Column("is_provider", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_table(
        "provider_hours",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "staff_id", sa.Integer(), sa.ForeignKey("staff_user.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_provider_hours_weekday"),
        sa.CheckConstraint("start_time < end_time", name="ck_provider_hours_order"),
    )
    op.create_index("ix_provider_hours_staff_id", "provider_hours", ["staff_id"])
    op.create_table(
        "provider_closed_date",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "staff_id", sa.Integer(), sa.ForeignKey("staff_user.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.UniqueConstraint("staff_id", "closed_on", name="uq_provider_closed_date_staff_day"),
    )
    op.create_table(
        "booking",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "request_id",
            sa.Integer(),
            sa.ForeignKey("consultation_request.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("provider_id", sa.Integer(), sa.ForeignKey("staff_user.id"), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False, unique=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("starts_at < ends_at", name="ck_booking_order"),
    )
    op.create_index("ix_booking_provider_starts", "booking", ["provider_id", "starts_at"])
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(BTREE_GIST_EXTENSION)
        op.execute(POSTGRESQL_NO_OVERLAP)
    elif dialect == "sqlite":
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade():
    # The triggers and the exclusion constraint go with their table.
    op.drop_index("ix_booking_provider_starts", table_name="booking")
    op.drop_table("booking")
    op.drop_table("provider_closed_date")
    op.drop_index("ix_provider_hours_staff_id", table_name="provider_hours")
    op.drop_table("provider_hours")
    # Dropped in place (SQLite 3.35 and later can), as 0012 does: no batch rebuild of staff_user.
    op.drop_column("staff_user", "is_provider")
