"""Single-use form tokens, kept with the request each one created.

Revision ID: 0005_form_submissions
Revises: 0004_search_text
Create Date: 2026-11-22

"""

import sqlalchemy as sa
from alembic import op

revision = "0005_form_submissions"
down_revision = "0004_search_text"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "form_submission",
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["consultation_request.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("nonce"),
    )
    op.create_index("ix_form_submission_request_id", "form_submission", ["request_id"])


def downgrade():
    op.drop_index("ix_form_submission_request_id", table_name="form_submission")
    op.drop_table("form_submission")
