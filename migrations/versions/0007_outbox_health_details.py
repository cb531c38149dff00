"""Outbox emails say whether they carry health details, which then leave only over TLS.

Emails already queued were rendered before the app kept track: they are taken to carry health details
(the default MAIL_PHI=full), so none of them goes out over plain SMTP by mistake.

Revision ID: 0007_outbox_health_details
Revises: 0006_spam_and_closing_time
Create Date: 2026-12-02

"""

import sqlalchemy as sa
from alembic import op

revision = "0007_outbox_health_details"
down_revision = "0006_spam_and_closing_time"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_email") as batch_op:
        batch_op.add_column(
            sa.Column("carries_health_details", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade():
    with op.batch_alter_table("outbox_email") as batch_op:
        batch_op.drop_column("carries_health_details")
