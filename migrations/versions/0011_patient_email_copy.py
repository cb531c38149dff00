"""The patient's own copy of their request: whether they asked for it, and which email is theirs.

``wants_email_copy`` is the form's "Email me a copy" box (ticked unless the patient unticks it).
Requests from before this had no such box and got no copy: they read false.

``to_patient`` marks the outbox row sent to the patient, apart from the staff email of the same
request. Both are plain columns added in place: ``consultation_request`` is not rebuilt, so its
triggers (migration 0010) stay.

Revision ID: 0011_patient_email_copy
Revises: 0010_counts_search_index
Create Date: 2026-12-02

"""

import sqlalchemy as sa
from alembic import op

revision = "0011_patient_email_copy"
down_revision = "0010_counts_search_index"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "consultation_request",
        sa.Column("wants_email_copy", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "outbox_email", sa.Column("to_patient", sa.Boolean(), nullable=False, server_default=sa.false())
    )


def downgrade():
    # Dropped in place (SQLite 3.35 and later can): a batch rebuild would drop the table's triggers.
    op.drop_column("outbox_email", "to_patient")
    op.drop_column("consultation_request", "wants_email_copy")
