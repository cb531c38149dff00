"""The language a request was made in ("en" or "es"), so staff call back in it.

Added in place with a server default: earlier requests were all made in English. ``consultation_request``
is not rebuilt, so its triggers (migration 0010) stay.

Revision ID: 0012_request_language
Revises: 0011_patient_email_copy
Create Date: 2026-12-02

"""

import sqlalchemy as sa
from alembic import op

revision = "0012_request_language"
down_revision = "0011_patient_email_copy"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "consultation_request",
        sa.Column("language", sa.String(32), nullable=False, server_default="en"),
    )


def downgrade():
    # Dropped in place (SQLite 3.35 and later can): a batch rebuild would drop the table's triggers.
    op.drop_column("consultation_request", "language")
