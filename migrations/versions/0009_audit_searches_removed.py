"""Searches logged before the audit log kept them as keyed hashes lose their words.

Staff searches name patients. Since this release the app logs a keyed hash of each search; rows
written before hold the words, and would keep a purged patient's name in the log for ever. This one
reviewed change replaces those words with "(removed)": the row still says that a search was made.
The append-only triggers are set aside for this statement alone and restored at once.

Revision ID: 0009_audit_searches_removed
Revises: 0008_sign_in_throttle
Create Date: 2026-12-02

"""

from alembic import op

revision = "0009_audit_searches_removed"
down_revision = "0008_sign_in_throttle"
branch_labels = None
depends_on = None

REDACT = {
    "sqlite": [
        "DROP TRIGGER audit_entry_no_update",
        "UPDATE audit_entry SET detail = json_set(detail, '$.search', '(removed)')"
        " WHERE json_extract(detail, '$.search') IS NOT NULL"
        " AND json_extract(detail, '$.search') NOT LIKE 'hash %'",
        "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    ],
    "postgresql": [
        "ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_change",
        "UPDATE audit_entry SET detail = jsonb_set(detail::jsonb, '{search}', '\"(removed)\"')::json"
        " WHERE detail::jsonb ? 'search' AND detail::jsonb ->> 'search' NOT LIKE 'hash %'",
        "ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_no_change",
    ],
}


def upgrade():
    for statement in REDACT[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade():
    """The words are gone; there is nothing to put back."""
