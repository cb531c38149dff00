"""Consultation requests, their insurance answers and coverage notes, and the email outbox.

Revision ID: 0001_first_schema
Revises:
Create Date: 2026-11-22 01:00:00.943666

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0001_first_schema"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "consultation_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "new", "contacted", "scheduled", "closed", name="requeststatus", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column(
            "visit_type",
            sa.Enum("consultation", "new_patient", name="visittype", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone_e164", sa.String(length=20), nullable=True),
        sa.Column(
            "preferred_contact",
            sa.Enum("phone", "text", "email", name="contactmethod", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("best_days", sa.JSON(), nullable=False),
        sa.Column("best_times", sa.JSON(), nullable=False),
        sa.Column(
            "main_concern",
            sa.Enum(
                "migraine",
                "tension_headache",
                "neck_headache",
                "neck_pain",
                "not_sure",
                "other",
                name="concern",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("headache_days_per_month", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("has_warning_signs", sa.Boolean(), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("consultation_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_request_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultation_request_status"), ["status"], unique=False)

    op.create_table(
        "coverage_note",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "likely_covered",
                "limited",
                "unlikely",
                "unknown",
                name="notestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("headline", sa.String(length=200), nullable=False),
        sa.Column("paragraphs", sa.JSON(), nullable=False),
        sa.Column("caveats", sa.JSON(), nullable=False),
        sa.Column("closing", sa.String(length=300), nullable=False),
        sa.Column("rule_ids", sa.JSON(), nullable=False),
        sa.Column("rules_version", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["consultation_request.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("request_id"),
    )
    op.create_table(
        "insurance_answers",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column(
            "coverage",
            sa.Enum(
                "original_medicare",
                "medicare_advantage",
                "apple_health",
                "oregon_health_plan",
                "private",
                "self_pay",
                "not_sure",
                name="coverage",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("carrier", sa.String(length=32), nullable=True),
        sa.Column(
            "plan_type",
            sa.Enum("ppo", "hmo", "epo", "not_sure", name="plantype", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("age", sa.Integer(), nullable=False),
        sa.Column(
            "deductible_status",
            sa.Enum("met", "not_met", "not_sure", name="deductiblestatus", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("deductible_remaining", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("copay", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("coinsurance_percent", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["consultation_request.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("request_id"),
    )
    op.create_table(
        "outbox_email",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("queued", "sent", "failed", name="emailstate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["consultation_request.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    with op.batch_alter_table("outbox_email", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_email_due", ["state", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_email_request_id"), ["request_id"], unique=False)


def downgrade():
    with op.batch_alter_table("outbox_email", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_email_request_id"))
        batch_op.drop_index("ix_outbox_email_due")

    op.drop_table("outbox_email")
    op.drop_table("insurance_answers")
    op.drop_table("coverage_note")
    with op.batch_alter_table("consultation_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_request_status"))
        batch_op.drop_index(batch_op.f("ix_consultation_request_created_at"))

    op.drop_table("consultation_request")
