"""Requests record when they were closed (for the retention period) and why a bot's was kept as spam.

Revision ID: 0006_spam_and_closing_time
Revises: 0005_form_submissions
Create Date: 2026-11-22

"""

import sqlalchemy as sa
from alembic import op

revision = "0006_spam_and_closing_time"
down_revision = "0005_form_submissions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("consultation_request") as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("spam_reason", sa.String(length=40), nullable=True))
        batch_op.create_index("ix_consultation_request_closed_at", ["closed_at"])


def downgrade():
    with op.batch_alter_table("consultation_request") as batch_op:
        batch_op.drop_index("ix_consultation_request_closed_at")
        batch_op.drop_column("spam_reason")
        batch_op.drop_column("closed_at")
