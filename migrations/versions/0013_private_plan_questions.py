"""Private insurance answers: the plan's state, a state or school employees' plan, a self-funded plan.

Washington's insurance laws bind only some private plans, and the coverage note needs to know which:
the state the plan is from, whether it is a Washington state or school employees' plan (PEBB or SEBB),
and whether the employer pays the claims itself (self-funded).

Nullable with no default: earlier requests and other coverage were never asked. Added and dropped in
place, as 0012 does, never by a batch rebuild: on SQLite a rebuild drops the table's triggers
(migration 0010's are on ``consultation_request``, but any added to this table later would go).

Revision ID: 0013_private_plan_questions
Revises: 0012_request_language
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

revision = "0013_private_plan_questions"
down_revision = "0012_request_language"
branch_labels = None
depends_on = None

COLUMNS = (
    ("plan_state", ("wa", "or", "other", "not_sure"), "planstate"),
    ("state_employee_plan", ("yes", "no", "not_sure"), "yesnonotsure"),
    ("self_funded", ("yes", "no", "not_sure"), "yesnonotsure"),
)


def upgrade():
    for name, values, enum_name in COLUMNS:
        op.add_column(
            "insurance_answers",
            sa.Column(name, sa.Enum(*values, name=enum_name, native_enum=False, length=32), nullable=True),
        )


def downgrade():
    # Dropped in place (SQLite 3.35 and later can).
    for name, _values, _enum_name in reversed(COLUMNS):
        op.drop_column("insurance_answers", name)
