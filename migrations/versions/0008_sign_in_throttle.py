"""Failed sign-ins are counted per account and address, not per account alone.

A guesser at one address could keep an account locked for everyone; now each address has its own
count. The old per-account count and lock are dropped (a lock in progress is lifted).

Revision ID: 0008_sign_in_throttle
Revises: 0007_outbox_health_details
Create Date: 2026-12-02

"""

import sqlalchemy as sa
from alembic import op

UTC = sa.DateTime(timezone=True)

revision = "0008_sign_in_throttle"
down_revision = "0007_outbox_health_details"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_in_throttle",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "staff_id", sa.Integer(), sa.ForeignKey("staff_user.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("ip_address", sa.String(length=45), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("blocked_until", UTC, nullable=True),
        sa.UniqueConstraint("staff_id", "ip_address", name="uq_sign_in_throttle_staff_address"),
    )
    op.create_index("ix_sign_in_throttle_staff_id", "sign_in_throttle", ["staff_id"])
    with op.batch_alter_table("staff_user") as batch_op:
        batch_op.drop_column("blocked_until")
        batch_op.drop_column("failed_sign_ins")


def downgrade():
    with op.batch_alter_table("staff_user") as batch_op:
        batch_op.add_column(sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("blocked_until", UTC, nullable=True))
    op.drop_index("ix_sign_in_throttle_staff_id", table_name="sign_in_throttle")
    op.drop_table("sign_in_throttle")
