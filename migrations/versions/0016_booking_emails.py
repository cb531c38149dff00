"""The booking emails: the calendar invite an email carries, and the reminder queued for a booking.

``outbox_email.calendar_ics`` is the invite (``.ics``) the email attaches, with its iTIP method
(``calendar_method``: REQUEST or CANCEL). ``booking.reminder_email_id`` points at the reminder queued
in the outbox for the booking; a reminder deleted from the outbox (dropped, or purged) leaves the
booking pointing at nothing (ON DELETE SET NULL). It is indexed: the outbox's claim looks a reminder's
booking up by it.

``outbox_email`` gets its columns in place, as 0012 does. So does ``booking`` on PostgreSQL. SQLite
can add the column in place only with the foreign key written inside the column (``REFERENCES ...``),
which SQLite enforces but SQLAlchemy's reflection does not read back (it sees no ON DELETE), so the
schema would no longer compare equal to the models. SQLite therefore rebuilds ``booking`` (Alembic's
batch mode) with a table-level FOREIGN KEY; a rebuild drops the table's triggers (0015's, which
refuse a double booking), so their SQL is read from ``sqlite_master`` first and run again after,
in the same transaction: they are never missing in a committed schema. The same on downgrade.

Revision ID: 0016_booking_emails
Revises: 0015_booking
Create Date: 2026-12-07

"""

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0016_booking_emails"
down_revision = "0015_booking"
branch_labels = None
depends_on = None

REMINDER_FK = "fk_booking_reminder_email_id"
REMINDER_INDEX = "ix_booking_reminder_email_id"


def upgrade():
    op.add_column("outbox_email", sa.Column("calendar_ics", sa.Text(), nullable=True))
    op.add_column("outbox_email", sa.Column("calendar_method", sa.String(length=16), nullable=True))

    def add(batch_op) -> None:
        batch_op.add_column(sa.Column("reminder_email_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            REMINDER_FK, "outbox_email", ["reminder_email_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index(REMINDER_INDEX, ["reminder_email_id"])

    _change_booking(add)


def downgrade():
    def drop(batch_op) -> None:
        batch_op.drop_index(REMINDER_INDEX)
        batch_op.drop_constraint(REMINDER_FK, type_="foreignkey")
        batch_op.drop_column("reminder_email_id")

    _change_booking(drop)
    op.drop_column("outbox_email", "calendar_method")
    op.drop_column("outbox_email", "calendar_ics")


def _change_booking(change: Callable[..., None]) -> None:
    """Apply `change` to ``booking``: in place on PostgreSQL; on SQLite by a rebuild that keeps the
    table's triggers (read before, created again after)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        with op.batch_alter_table("booking", recreate="never") as batch_op:
            change(batch_op)
        return
    triggers = bind.execute(
        sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'booking'")
    ).all()
    for name, _ in triggers:
        op.execute(f'DROP TRIGGER "{name}"')
    with op.batch_alter_table("booking", recreate="always") as batch_op:
        change(batch_op)
    for _, statement in triggers:
        op.execute(statement)
