"""Constant-time status counts, a trigram search index, and the phone number as staff read it.

The list shows how many requests have each status. Counting them scanned every row (446 ms at a
million on SQLite); ``request_status_count`` holds the numbers instead, and triggers keep it in step
in the same transaction as every insert, status change and delete, whichever code makes it. The
triggers upsert, so an emptied table counts again from zero.

Search looked for a substring of every row's ``search_text``. A trigram index finds the rows that
hold the typed text without reading the others: ``pg_trgm``'s GIN index on PostgreSQL, an FTS5 table
with the trigram tokenizer on SQLite (kept in step by triggers; it stores no text of its own and reads
``consultation_request`` for the words).

``phone_display`` is the phone number written as the export and the staff pages print it, stored
with the request so that a million-row export does not format a million numbers.

A later migration that rebuilds ``consultation_request`` on SQLite (``batch_alter_table``) drops its
triggers: it must create them again (``SQLITE_TRIGGERS`` here).

Revision ID: 0010_counts_search_index
Revises: 0009_audit_searches_removed
Create Date: 2026-12-02

"""

import phonenumbers
import sqlalchemy as sa
from alembic import op

revision = "0010_counts_search_index"
down_revision = "0009_audit_searches_removed"
branch_labels = None
depends_on = None


def _count_change(row: str, step: str) -> str:
    return (
        "INSERT INTO request_status_count (status, spam, total) "
        f"VALUES ({row}.status, {row}.spam_reason IS NOT NULL, {step}) "
        f"ON CONFLICT (status, spam) DO UPDATE SET total = request_status_count.total + {step}"
    )


SEARCH_INDEX_ADD = "INSERT INTO request_search (rowid, search_text) VALUES (new.id, new.search_text)"
SEARCH_INDEX_REMOVE = "INSERT INTO request_search (request_search, rowid, search_text) VALUES ('delete', old.id, old.search_text)"

SQLITE_TRIGGERS = [
    "CREATE TRIGGER request_counted AFTER INSERT ON consultation_request "
    f"BEGIN {_count_change('new', '1')}; {SEARCH_INDEX_ADD}; END",
    "CREATE TRIGGER request_uncounted AFTER DELETE ON consultation_request "
    f"BEGIN {_count_change('old', '-1')}; {SEARCH_INDEX_REMOVE}; END",
    "CREATE TRIGGER request_recounted AFTER UPDATE OF status, spam_reason ON consultation_request "
    "WHEN old.status IS NOT new.status OR (old.spam_reason IS NULL) IS NOT (new.spam_reason IS NULL) "
    f"BEGIN {_count_change('old', '-1')}; {_count_change('new', '1')}; END",
    "CREATE TRIGGER request_search_renewed AFTER UPDATE OF search_text ON consultation_request "
    f"BEGIN {SEARCH_INDEX_REMOVE}; {SEARCH_INDEX_ADD}; END",
]

# pg_trgm goes to the public schema, where a database keeps its extensions; the operator class is
# named with the schema it is really in, which need not be on the app's search_path.
TRIGRAM_EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"
TRIGRAM_SCHEMA = "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
TRIGRAM_INDEX = (
    "CREATE INDEX ix_consultation_request_search_trgm ON consultation_request "
    "USING gin (search_text {schema}.gin_trgm_ops)"
)


def _counted(rows: str, step: str) -> str:
    return f"SELECT status, spam_reason IS NOT NULL AS spam, {step} AS step FROM {rows}"


# PostgreSQL counts once per statement, from the statement's changed rows (transition tables): a
# trigger per row would write a new version of the same count row for every row, and a purge or a
# bulk load of 50,000 rows in one transaction slowed to minutes stepping over them.
POSTGRESQL_COUNT = (
    "INSERT INTO request_status_count (status, spam, total) "
    "SELECT status, spam, sum(step) FROM ({changes}) AS changes "
    "GROUP BY status, spam HAVING sum(step) <> 0 "
    "ON CONFLICT (status, spam) DO UPDATE SET total = request_status_count.total + excluded.total"
)
POSTGRESQL_TRIGGERS = [
    "CREATE FUNCTION request_status_counted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP = 'INSERT' THEN {POSTGRESQL_COUNT.format(changes=_counted('added', '1'))}; "
    f"ELSIF TG_OP = 'DELETE' THEN {POSTGRESQL_COUNT.format(changes=_counted('removed', '-1'))}; "
    "ELSE "
    f"{POSTGRESQL_COUNT.format(changes=_counted('added', '1') + ' UNION ALL ' + _counted('removed', '-1'))}; "
    "END IF; RETURN NULL; END $$",
    "CREATE TRIGGER request_counted AFTER INSERT ON consultation_request REFERENCING NEW TABLE AS added "
    "FOR EACH STATEMENT EXECUTE FUNCTION request_status_counted()",
    "CREATE TRIGGER request_uncounted AFTER DELETE ON consultation_request REFERENCING OLD TABLE AS removed "
    "FOR EACH STATEMENT EXECUTE FUNCTION request_status_counted()",
    # Transition tables allow no column list: every UPDATE counts, and one that moved no status
    # nets to nothing and writes nothing.
    "CREATE TRIGGER request_recounted AFTER UPDATE ON consultation_request "
    "REFERENCING OLD TABLE AS removed NEW TABLE AS added "
    "FOR EACH STATEMENT EXECUTE FUNCTION request_status_counted()",
]


def upgrade():
    op.add_column("consultation_request", sa.Column("phone_display", sa.String(length=32), nullable=True))
    op.create_table(
        "request_status_count",
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("spam", sa.Boolean(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("status", "spam", name="pk_request_status_count"),
    )
    # Pages of one status jump to it through this index rather than walking every newer request.
    op.create_index(
        "ix_consultation_request_status_newest", "consultation_request", ["status", "created_at", "id"]
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE request_search USING fts5(search_text, content='consultation_request', "
            "content_rowid='id', tokenize='trigram')"
        )
        op.execute("INSERT INTO request_search (request_search) VALUES ('rebuild')")
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(TRIGRAM_EXTENSION)
        schema = op.get_bind().execute(sa.text(TRIGRAM_SCHEMA)).scalar_one()
        op.execute(TRIGRAM_INDEX.format(schema=schema))
        for statement in POSTGRESQL_TRIGGERS:
            op.execute(statement)
    op.execute(
        "INSERT INTO request_status_count (status, spam, total) "
        "SELECT status, spam_reason IS NOT NULL, count(*) FROM consultation_request "
        "GROUP BY status, spam_reason IS NOT NULL"
    )
    _write_displayed_phones()


def _write_displayed_phones():
    connection = op.get_bind()
    requests = sa.table(
        "consultation_request",
        sa.column("id", sa.Integer),
        sa.column("phone_e164"),
        sa.column("phone_display"),
    )
    found = connection.execute(
        sa.select(requests.c.id, requests.c.phone_e164).where(requests.c.phone_e164.is_not(None))
    )
    for batch in found.partitions(1000):
        connection.execute(
            requests.update()
            .where(requests.c.id == sa.bindparam("row_id"))
            .values(phone_display=sa.bindparam("shown")),
            [{"row_id": row.id, "shown": _displayed(row.phone_e164)} for row in batch],
        )


def _displayed(e164: str) -> str:
    # As clinic_app.formatting.phone_for_people wrote it on the day of this migration.
    number = phonenumbers.parse(e164)
    style = phonenumbers.PhoneNumberFormat
    return phonenumbers.format_number(
        number, style.NATIONAL if number.country_code == 1 else style.INTERNATIONAL
    )


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("request_counted", "request_uncounted", "request_recounted", "request_search_renewed"):
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE request_search")
    elif dialect == "postgresql":
        for name in ("request_counted", "request_uncounted", "request_recounted"):
            op.execute(f"DROP TRIGGER {name} ON consultation_request")
        op.execute("DROP FUNCTION request_status_counted()")
        op.execute("DROP INDEX ix_consultation_request_search_trgm")
    op.drop_index("ix_consultation_request_status_newest", table_name="consultation_request")
    op.drop_table("request_status_count")
    with op.batch_alter_table("consultation_request") as batch:
        batch.drop_column("phone_display")
