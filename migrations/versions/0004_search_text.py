"""Requests keep their searchable text (name, email, phone digits) in lower case, in one column.

Revision ID: 0004_search_text
Revises: 0003_staff_and_audit
Create Date: 2026-11-22

"""

import sqlalchemy as sa
from alembic import op

revision = "0004_search_text"
down_revision = "0003_staff_and_audit"
branch_labels = None
depends_on = None


def search_text(full_name, email, phone_e164):
    # The same folding as clinic_app.intake.search, written out so this migration never changes meaning.
    return " ".join(
        part.casefold() for part in (full_name, email or "", (phone_e164 or "").lstrip("+")) if part
    )


def upgrade():
    with op.batch_alter_table("consultation_request") as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    requests = sa.table(
        "consultation_request",
        sa.column("id", sa.Integer),
        sa.column("full_name", sa.String),
        sa.column("email", sa.String),
        sa.column("phone_e164", sa.String),
        sa.column("search_text", sa.Text),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(requests.c.id, requests.c.full_name, requests.c.email, requests.c.phone_e164)
    )
    for row in rows.all():
        connection.execute(
            requests.update()
            .where(requests.c.id == row.id)
            .values(search_text=search_text(row.full_name, row.email, row.phone_e164))
        )


def downgrade():
    with op.batch_alter_table("consultation_request") as batch_op:
        batch_op.drop_column("search_text")
