"""How many database queries a staff page makes: a fixed handful, whatever the number of rows shown."""

from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa

from clinic_app.extensions import db
from tests.helpers import submit


@contextmanager
def counted_queries(app):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def queries_for(app, client, path: str) -> int:
    with counted_queries(app) as statements:
        response = client.get(path)
        response.get_data()
        assert response.status_code == 200
    return len(statements)


def test_the_list_and_the_export_make_the_same_few_queries_for_5_rows_as_for_50(app, owner_client):
    visitor = app.test_client()
    for _ in range(5):
        submit(visitor)
    few = {path: queries_for(app, owner_client, path) for path in ("/staff/", "/staff/export.csv")}
    for _ in range(45):
        submit(visitor)
    many = {path: queries_for(app, owner_client, path) for path in ("/staff/", "/staff/export.csv")}
    assert many == few, "no query per row"
    assert many["/staff/"] <= 8, many
    assert many["/staff/export.csv"] <= 8, many
