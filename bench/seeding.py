"""Databases of N requests for the benchmarks, seeded fast and kept between runs.

Each size gets its own SQLite file in the cache folder (.bench-cache/, git-ignored) or its own
PostgreSQL schema in the database clinic_bench, which the benchmark creates on the given server. A database is reused when its migration head, a fingerprint of the
migration files, its row count and the benchmark's owner account all match; otherwise it is wiped and
seeded again. Rows go in through the driver, not the ORM: COPY on PostgreSQL, executemany in large
transactions on SQLite, so a million requests take minutes rather than hours. The tables
are reflected after `flask db upgrade`, so every NOT NULL column is accounted for: a new one the
benchmark cannot fill stops the seeding with its name.

Database triggers (counts per status, search index) fire on these inserts as on the app's own.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.serving import ROOT, app_environment, migrate
from clinic_app.choices import Concern, Coverage, RequestStatus
from clinic_app.formatting import phone_for_people
from clinic_app.intake.search import search_text
from clinic_app.settings import database_url

OWNER_EMAIL = "bench@clinic.example"
OWNER_PASSWORD = "a long benchmark passphrase"
SEEDED_TABLES = ("consultation_request", "insurance_answers", "coverage_note")
# Rows per transaction. PostgreSQL's counts trigger updates the same few rows once per insert, and
# within one transaction every update leaves a row version the next must step over: 50,000 rows per
# transaction took 4x as long as 5,000. SQLite updates in place and gains from large transactions.
ROWS_PER_TRANSACTION = {"sqlite": 50_000, "postgresql": 5_000}

COVERAGES = [c.value for c in Coverage]
CONCERNS = [c.value for c in Concern]
STATUSES = [s.value for s in RequestStatus]
FIRST = ["Ana", "Ben", "Cora", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jo", "Kai", "Lena", "Mo", "Nia"]
LAST = ["Diaz", "Nguyen", "Smith", "Olsen", "Park", "Reyes", "Kowalski", "Haddad", "Ito", "Larsen"]


@dataclass(frozen=True)
class SeededDatabase:
    engine: str  # "sqlite" or "postgresql"
    size: int
    url: str  # as DATABASE_URL takes it
    seconds: float  # time spent seeding in this run; 0 when an earlier run's database was reused

    @property
    def label(self) -> str:
        return f"{'SQLite' if self.engine == 'sqlite' else 'PostgreSQL'} {short_count(self.size)}"


def short_count(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


# The person every size holds (row 500 is the same in each, the rows being made in the same order),
# so a search finds the same name at 1k as at 1M.
SEARCHED_ROW = 500


def phone_of(i: int) -> str:
    # 503-200-0001 onwards: valid US numbers, so a search typed as "(503) 200-0500" parses as a number.
    return f"+1503{2_000_000 + i:07d}"


def phone_display(e164: str) -> str:
    """A US number as the app shows it, like (503) 555-0142. Written out here: parsing a million
    numbers with phonenumbers would cost more than the rest of the seeding (checked against the
    app's phone_for_people before each seeding)."""
    digits = e164[2:]
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def name_of(rng: random.Random, i: int) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}"


def rows_for(i: int, made: datetime, rng: random.Random) -> dict[str, dict[str, Any]]:
    """One request and what is stored with it, by table, in Python values (the writers convert)."""
    name = name_of(rng, i)
    email, phone = f"patient{i}@example.com", phone_of(i)
    return {
        "consultation_request": {
            "id": i, "reference": f"B{i:07d}", "created_at": made, "status": rng.choice(STATUSES),
            "visit_type": rng.choice(["consultation", "new_patient"]), "full_name": name, "email": email,
            "phone_e164": phone, "phone_display": phone_display(phone), "preferred_contact": "phone",
            "best_days": [], "best_times": [], "main_concern": rng.choice(CONCERNS),
            "headache_days_per_month": rng.randint(0, 31), "message": None,
            "has_warning_signs": rng.random() < 0.02, "consented_at": made,
            "search_text": search_text(name, email, phone),
        },
        "insurance_answers": {"request_id": i, "coverage": rng.choice(COVERAGES), "age": 40},
        "coverage_note": {
            "request_id": i, "status": "unknown", "headline": "We will check for you", "paragraphs": [],
            "caveats": [], "closing": "", "estimate": [], "network": "not_applicable", "rule_ids": [],
            "rules_version": "bench",
        },
    }  # fmt: skip


def searched_name() -> str:
    """The full name of SEARCHED_ROW, as a member of staff would type it."""
    rng = random.Random(7)
    made = datetime.now(UTC)
    for i in range(1, SEARCHED_ROW):
        rows_for(i, made, rng)
    return name_of(rng, SEARCHED_ROW)


def searched_phone() -> str:
    return phone_display(phone_of(SEARCHED_ROW))


def all_rows(size: int) -> Iterator[dict[str, dict[str, Any]]]:
    """The requests newest last, received over the two years before now."""
    rng = random.Random(7)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=730)
    step = 730 * 86400 / size
    for i in range(1, size + 1):
        yield rows_for(i, start + timedelta(seconds=int(i * step)), rng)


# --- Which columns get which values -------------------------------------------------------------


def insert_columns(table: sa.Table, provided: dict[str, Any]) -> list[str]:
    """The columns to write: every column we have a value for, checked against the reflected table.

    A NOT NULL column without a server default that we have no value for stops the seeding, naming
    it: someone added a column, and the benchmark must learn what to put there."""
    columns = []
    for column in table.columns:
        if column.name in provided:
            columns.append(column.name)
        elif not column.nullable and column.server_default is None:
            raise SystemExit(
                f"bench/seeding.py: {table.name}.{column.name} is NOT NULL with no server default;"
                " add a value for it in rows_for()"
            )
    return columns


def sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        # As SQLAlchemy stores a DateTime on SQLite (UTCDateTime stores naive UTC there).
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, list | dict):
        return json.dumps(value)
    return value


def postgres_value(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, list | dict) else value


# --- Where each size lives ------------------------------------------------------------------------


def schema_name(size: int) -> str:
    return f"bench_{size}"


# The benchmark keeps its schemas in a database of its own on the given server. An extension (pg_trgm)
# exists once per database, in one schema: shared with the test suite's schemas, whichever schema first
# created it would hide it from the others and take it along when dropped.
BENCH_DATABASE = "clinic_bench"


def bench_database_url(postgres_url: str) -> str:
    return (
        sa.make_url(database_url(postgres_url))
        .set(database=BENCH_DATABASE)
        .render_as_string(hide_password=False)
    )


def postgres_schema_url(postgres_url: str, schema: str) -> str:
    # Tables in the size's own schema, extensions in public: production's single schema, split in two.
    return (
        sa.make_url(bench_database_url(postgres_url))
        .update_query_dict({"options": f"-csearch_path={schema},public"})
        .render_as_string(hide_password=False)
    )


def ensure_bench_database(postgres_url: str) -> None:
    server = sa.create_engine(database_url(postgres_url), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": BENCH_DATABASE}
        )
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{BENCH_DATABASE}"'))
    server.dispose()
    bench = sa.create_engine(bench_database_url(postgres_url), isolation_level="AUTOCOMMIT")
    with bench.connect() as connection:
        available = connection.scalar(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"))
        if available:
            connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    bench.dispose()


def migrations_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "migrations").rglob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def migration_heads() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return set(ScriptDirectory.from_config(config).get_heads())


def seeded_state(url: str) -> dict[str, Any] | None:
    """What the database holds now, or None if it is not a benchmark database at all."""
    engine = sa.create_engine(database_url(url))
    try:
        with engine.connect() as connection:
            heads = set(connection.scalars(sa.text("SELECT version_num FROM alembic_version")))
            rows = connection.scalar(sa.text("SELECT count(*) FROM consultation_request"))
            owners = connection.scalar(
                sa.text("SELECT count(*) FROM staff_user WHERE email = :email"), {"email": OWNER_EMAIL}
            )
    except sa.exc.SQLAlchemyError:
        return None
    finally:
        engine.dispose()
    return {"heads": sorted(heads), "rows": rows, "owner": bool(owners)}


def seeded(engine: str, size: int, cache: Path, postgres_url: str, reseed: bool = False) -> SeededDatabase:
    """A database of `size` requests on `engine`, from the cache when it still matches."""
    cache = cache.resolve()  # Flask-SQLAlchemy would read a relative SQLite path from the instance folder
    cache.mkdir(parents=True, exist_ok=True)
    if engine == "sqlite":
        url = f"sqlite:///{cache / f'requests-{size}.sqlite3'}"
    else:
        url = postgres_schema_url(postgres_url, schema_name(size))
    marker = cache / f"{engine}-{size}.json"
    wanted = {"heads": sorted(migration_heads()), "rows": size, "owner": True}
    fingerprint = migrations_fingerprint()
    if (
        not reseed
        and marker.exists()
        and json.loads(marker.read_text()) == {**wanted, "migrations": fingerprint}
    ):
        if seeded_state(url) == wanted:
            return SeededDatabase(engine, size, url, 0.0)
    marker.unlink(missing_ok=True)

    began = time.perf_counter()
    wipe(engine, url, size, postgres_url)
    env = app_environment(url, cache)
    migrate(env)
    if engine == "sqlite":
        seed_sqlite(url, size)
    else:
        seed_postgres(url, size)
    add_owner(env)
    state = seeded_state(url)
    if state != wanted:
        raise SystemExit(f"bench/seeding.py: {engine} {size:,}: seeded {state}, wanted {wanted}")
    marker.write_text(json.dumps({**wanted, "migrations": fingerprint}))
    return SeededDatabase(engine, size, url, time.perf_counter() - began)


def wipe(engine: str, url: str, size: int, postgres_url: str) -> None:
    if engine == "sqlite":
        path = Path(sa.make_url(url).database or "")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    ensure_bench_database(postgres_url)
    server = sa.create_engine(bench_database_url(postgres_url))
    with server.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema_name(size)}" CASCADE'))
        connection.execute(sa.text(f'CREATE SCHEMA "{schema_name(size)}"'))
    server.dispose()


def reflected_tables(url: str) -> list[sa.Table]:
    engine = sa.create_engine(database_url(url))
    metadata = sa.MetaData()
    metadata.reflect(engine, only=list(SEEDED_TABLES))
    engine.dispose()
    return [metadata.tables[name] for name in SEEDED_TABLES]


def batches(size: int, rows_per_batch: int) -> Iterator[list[dict[str, dict[str, Any]]]]:
    batch: list[dict[str, dict[str, Any]]] = []
    for rows in all_rows(size):
        batch.append(rows)
        if len(batch) == rows_per_batch:
            yield batch
            batch = []
    if batch:
        yield batch


def table_writers(tables: list[sa.Table]) -> list[tuple[sa.Table, list[str]]]:
    # The columns are checked against the first row, which holds every key a row has.
    sample = rows_for(1, datetime.now(UTC), random.Random(0))
    assert phone_display(phone_of(1)) == phone_for_people(phone_of(1)), "phone_display() drifted from the app"
    return [(table, insert_columns(table, sample[table.name])) for table in tables]


def seed_sqlite(url: str, size: int) -> None:
    writers = table_writers(reflected_tables(url))
    connection = sqlite3.connect(sa.make_url(url).database or "", isolation_level=None)
    # Nothing here needs surviving a crash: a half-seeded file has no marker and is seeded again.
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA journal_mode=MEMORY")
    connection.execute("PRAGMA foreign_keys=ON")
    statements = [
        (table.name, columns, f'INSERT INTO "{table.name}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})')
        for table, columns in writers
    ]  # fmt: skip
    for batch in batches(size, ROWS_PER_TRANSACTION["sqlite"]):
        connection.execute("BEGIN")
        for name, columns, statement in statements:
            connection.executemany(
                statement, ([sqlite_value(rows[name][c]) for c in columns] for rows in batch)
            )
        connection.execute("COMMIT")
    # The app runs in WAL mode (clinic_app._tune_sqlite); leave the file as it would find it.
    connection.execute("PRAGMA journal_mode=WAL")
    connection.close()


def seed_postgres(url: str, size: int) -> None:
    writers = table_writers(reflected_tables(url))
    engine = sa.create_engine(database_url(url))
    raw = engine.raw_connection()
    try:
        driver: Any = raw.driver_connection
        for batch in batches(size, ROWS_PER_TRANSACTION["postgresql"]):
            with driver.cursor() as cursor:
                for table, columns in writers:
                    quoted = ", ".join(f'"{c}"' for c in columns)
                    with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                        for rows in batch:
                            copy.write_row([postgres_value(rows[table.name][c]) for c in columns])
            driver.commit()
        with driver.cursor() as cursor:
            # The ids were written, not drawn from the sequence: the app's next request follows them.
            cursor.execute("SELECT setval(pg_get_serial_sequence('consultation_request', 'id'), %s)", (size,))
        driver.commit()
        # The tables as autovacuum leaves them in production: statistics for the planner to pick its
        # real plans, and the visibility map current (freshly copied rows would otherwise be written
        # again by the first reads, and index-only scans would visit the table).
        driver.autocommit = True
        with driver.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            for (table,) in cursor.fetchall():
                cursor.execute(f'VACUUM (ANALYZE) "{table}"')
    finally:
        raw.close()
        engine.dispose()


def add_owner(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "staff", "add", OWNER_EMAIL, "--role", "owner"],
        cwd=ROOT, env=env, input=f"{OWNER_PASSWORD}\n{OWNER_PASSWORD}\n", text=True, capture_output=True,
        check=True,
    )  # fmt: skip
