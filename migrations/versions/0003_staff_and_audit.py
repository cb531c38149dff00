"""Staff accounts, internal notes, assignment and closing reasons, and the append-only audit log.

Revision ID: 0003_staff_and_audit
Revises: 0002_estimates_and_network
Create Date: 2026-11-22

"""

import sqlalchemy as sa
from alembic import op

revision = "0003_staff_and_audit"
down_revision = "0002_estimates_and_network"
branch_labels = None
depends_on = None

ROLE = sa.Enum("owner", "staff", name="role", native_enum=False, length=32)
CLOSE_REASON = sa.Enum(
    "booked", "not_a_fit", "no_answer", "duplicate_or_spam", name="closereason", native_enum=False, length=32
)
UTC = sa.DateTime(timezone=True)

# The database itself refuses to change or remove an audit row, whatever the app does.
APPEND_ONLY = {
    "sqlite": [
        "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
        "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$",
        "CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry "
        "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()",
        "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()",
    ],
}
REMOVE_APPEND_ONLY = {
    "sqlite": ["DROP TRIGGER audit_entry_no_update", "DROP TRIGGER audit_entry_no_delete"],
    "postgresql": [
        "DROP TRIGGER audit_entry_no_truncate ON audit_entry",
        "DROP TRIGGER audit_entry_no_change ON audit_entry",
        "DROP FUNCTION audit_entry_append_only()",
    ],
}


def upgrade():
    op.create_table(
        "staff_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", ROLE, nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("last_sign_in_at", UTC, nullable=True),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False),
        sa.Column("blocked_until", UTC, nullable=True),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("password_token_hash", sa.String(length=64), nullable=True),
        sa.Column("password_token_expires_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
        sa.UniqueConstraint("password_token_hash"),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_email", sa.String(length=254), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("request_reference", sa.String(length=16), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_entry_actor_id", "audit_entry", ["actor_id"])
    op.create_index("ix_audit_entry_at", "audit_entry", ["at"])
    op.create_index("ix_audit_entry_request", "audit_entry", ["request_id", "at"])
    op.create_table(
        "request_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["consultation_request.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_request_note_request_id", "request_note", ["request_id"])
    with op.batch_alter_table("consultation_request") as batch_op:
        batch_op.add_column(sa.Column("close_reason", CLOSE_REASON, nullable=True))
        batch_op.add_column(sa.Column("assigned_to_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_consultation_request_assigned_to_id",
            "staff_user",
            ["assigned_to_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_consultation_request_assigned_to_id", ["assigned_to_id"])
        batch_op.create_index("ix_consultation_request_newest", ["created_at", "id"])
    for statement in APPEND_ONLY[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade():
    for statement in REMOVE_APPEND_ONLY[op.get_bind().dialect.name]:
        op.execute(statement)
    with op.batch_alter_table("consultation_request") as batch_op:
        batch_op.drop_index("ix_consultation_request_newest")
        batch_op.drop_index("ix_consultation_request_assigned_to_id")
        batch_op.drop_constraint("fk_consultation_request_assigned_to_id", type_="foreignkey")
        batch_op.drop_column("assigned_to_id")
        batch_op.drop_column("close_reason")
    op.drop_index("ix_request_note_request_id", table_name="request_note")
    op.drop_table("request_note")
    op.drop_index("ix_audit_entry_request", table_name="audit_entry")
    op.drop_index("ix_audit_entry_at", table_name="audit_entry")
    op.drop_index("ix_audit_entry_actor_id", table_name="audit_entry")
    op.drop_table("audit_entry")
    op.drop_table("staff_user")
