"""Coverage notes keep their cost estimate and network status; Medicare answers say if Medicaid is there too.

Revision ID: 0002_estimates_and_network
Revises: 0001_first_schema
Create Date: 2026-11-22

"""

import sqlalchemy as sa
from alembic import op

revision = "0002_estimates_and_network"
down_revision = "0001_first_schema"
branch_labels = None
depends_on = None

ALSO_MEDICAID = sa.Enum("yes", "no", "not_sure", name="alsomedicaid", native_enum=False, length=32)
NETWORK = sa.Enum("in", "out", "unknown", "not_applicable", name="network", native_enum=False, length=32)


def upgrade():
    with op.batch_alter_table("insurance_answers") as batch_op:
        batch_op.add_column(sa.Column("also_medicaid", ALSO_MEDICAID, nullable=True))
    # Notes stored before this change had no estimate and no network status.
    with op.batch_alter_table("coverage_note") as batch_op:
        batch_op.add_column(sa.Column("estimate", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column("network", NETWORK, nullable=False, server_default="not_applicable"))


def downgrade():
    with op.batch_alter_table("coverage_note") as batch_op:
        batch_op.drop_column("network")
        batch_op.drop_column("estimate")
    with op.batch_alter_table("insurance_answers") as batch_op:
        batch_op.drop_column("also_medicaid")
