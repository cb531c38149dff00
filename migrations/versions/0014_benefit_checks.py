"""Benefit checks: the figures staff read from a payer's 271 for a request, never the 271 itself.

A new table, so no other table is rebuilt and migration 0010's triggers stay. Its rows go with their
request (ON DELETE CASCADE), as the other request tables do; the updated-note email may be purged
before them (ON DELETE SET NULL).

Revision ID: 0014_benefit_checks
Revises: 0013_private_plan_questions
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

revision = "0014_benefit_checks"
down_revision = "0013_private_plan_questions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "benefit_check",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "request_id",
            sa.Integer(),
            sa.ForeignKey("consultation_request.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "staff_id",
            sa.Integer(),
            sa.ForeignKey("staff_user.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("same_person", sa.Boolean(), nullable=True),
        sa.Column("identity_problems", sa.JSON(), nullable=False),
        sa.Column(
            "email_id",
            sa.Integer(),
            sa.ForeignKey("outbox_email.id", ondelete="SET NULL"),
            nullable=True,
        ),
    )
    op.create_index("ix_benefit_check_request_id", "benefit_check", ["request_id"])


def downgrade():
    op.drop_index("ix_benefit_check_request_id", table_name="benefit_check")
    op.drop_table("benefit_check")
