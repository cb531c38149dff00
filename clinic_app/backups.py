"""Backups of the database, and restoring one: `flask --app wsgi backup create|restore PATH`.

SQLite is copied with its online backup API, which is safe while the app writes. PostgreSQL is
dumped with `pg_dump --format=custom` and restored with `pg_restore --clean --if-exists` in one
transaction. A backup holds patients' health details: it is created readable by this user alone
(0600), and appears under its name only once it is complete.

No Flask here: the command line hands over the database URL from the settings.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from io import BufferedWriter
from pathlib import Path
from typing import IO
from urllib.parse import unquote

import sqlalchemy as sa

# Tables that every version of this app's database has: a file without them is not its backup.
APP_TABLES = frozenset({"alembic_version", "consultation_request"})


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why, in plain words."""


def create_backup(database_url: str, destination: Path) -> Path:
    """Write a backup of the database to ``destination`` (a new file, mode 0600)."""
    url = sa.make_url(database_url)
    if destination.exists():
        raise BackupError(f"{destination} already exists; choose a new name (a backup never overwrites)")
    partial = destination.with_name(f".{destination.name}.partial")
    try:
        with _private_new_file(partial) as file:
            if url.get_backend_name() == "sqlite":
                file.close()
                _sqlite_backup(_sqlite_path(url), partial)
            elif url.get_backend_name() == "postgresql":
                _run(_pg_command("pg_dump", url, "--format=custom"), url, stdout=file)
                os.fsync(file.fileno())
            else:
                raise BackupError(f"no backup method for {url.get_backend_name()} databases")
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
    return destination


def restore_backup(database_url: str, source: Path) -> None:
    """Replace the database's contents with the backup in ``source``. Stop the app first."""
    url = sa.make_url(database_url)
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    if url.get_backend_name() == "sqlite":
        _sqlite_restore(source, _sqlite_path(url))
    elif url.get_backend_name() == "postgresql":
        _check_pg_archive(source)
        # One transaction: a restore that fails half-way leaves the database as it was.
        command = _pg_command(
            "pg_restore", url, "--clean", "--if-exists", "--no-owner", "--single-transaction"
        )
        _run([*command, str(source)], url)
    else:
        raise BackupError(f"no restore method for {url.get_backend_name()} databases")


def _sqlite_path(url: sa.URL) -> Path:
    if url.database in (None, "", ":memory:"):
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(str(url.database))


def _sqlite_backup(database: Path, destination: Path) -> None:
    """Copy page by page with SQLite's online backup API; then make the copy one self-contained
    file (no write-ahead log) without free pages, which may still hold purged requests' data."""
    if not database.is_file():
        raise BackupError(f"there is no database at {database}")
    source = sqlite3.connect(database, timeout=10)
    target = sqlite3.connect(destination)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
        target.execute("VACUUM")
    except sqlite3.Error as error:
        raise BackupError(f"the backup of {database} failed: {error}") from error
    finally:
        target.close()
        source.close()


def _sqlite_restore(backup: Path, database: Path) -> None:
    """Check that the file is a backup of this app, then copy it over the database's pages."""
    try:
        source = sqlite3.connect(backup.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise BackupError(f"{backup} cannot be read: {error}") from error
    try:
        _check_sqlite_backup(source, backup)
        if not database.exists():
            with _private_new_file(database):
                pass
        target = sqlite3.connect(database, timeout=10)
        try:
            source.backup(target)
        except sqlite3.Error as error:
            raise BackupError(f"the restore into {database} failed: {error}") from error
        finally:
            target.close()
    finally:
        source.close()


def _check_sqlite_backup(source: sqlite3.Connection, backup: Path) -> None:
    try:
        (verdict,) = source.execute("PRAGMA quick_check").fetchone()
        tables = {name for (name,) in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error as error:
        raise BackupError(f"{backup} is not a backup of this app's database ({error})") from error
    if verdict != "ok":
        raise BackupError(f"{backup} is damaged: {verdict}")
    if not APP_TABLES <= tables:
        raise BackupError(f"{backup} is not a backup of this app's database")


def _private_new_file(path: Path) -> BufferedWriter:
    """Open a new file that only this user may read or write, whatever the umask."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    return os.fdopen(descriptor, "wb")


def _check_pg_archive(source: Path) -> None:
    """Refuse, before touching the database, a file that is not a pg_dump archive of this app."""
    listing = _run([_program("pg_restore"), "--list", str(source)])
    tables = set(re.findall(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", listing, flags=re.MULTILINE))
    if not APP_TABLES <= tables:
        raise BackupError(f"{source} is not a backup of this app's database")


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found; install the PostgreSQL client tools of the server's version"
            " (Debian: apt-get install postgresql-client)"
        )
    return found


def _pg_command(program: str, url: sa.URL, *options: str) -> list[str]:
    """The pg_dump or pg_restore command line for ``url``, without its password (see _run).

    pg_dump dumps every schema, whatever the connection's search_path; a URL that picks a schema with
    ``options=-csearch_path=NAME`` gets ``--schema=NAME`` (pg_restore restores into the same one).
    """
    command = [_program(program), *options]
    schema = _search_path_schema(url)
    if schema:
        command.append(f"--schema={schema}")
    command.append(f"--dbname={_libpq_uri(url)}")
    return command


def _search_path_schema(url: sa.URL) -> str | None:
    """The schema named by ``options=-csearch_path=NAME`` (or ``-c search_path=NAME``), if any."""
    options = url.query.get("options", "")
    for option in options if isinstance(options, tuple) else (options,):
        text = unquote(option).replace("-c ", "-c")
        for part in text.split():
            if part.startswith("-csearch_path="):
                first = part.partition("=")[2].split(",")[0].strip().strip('"')
                return first or None
    return None


def _libpq_uri(url: sa.URL) -> str:
    """A plain postgresql:// URI that libpq understands: no driver name and no password."""
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False)


def _run(command: list[str], url: sa.URL | None = None, stdout: IO[bytes] | None = None) -> str:
    """Run a PostgreSQL tool; returns what it printed, unless ``stdout`` takes it. The password goes
    in PGPASSWORD, never on the command line, where any user of the machine could read it in the
    process list."""
    environ = dict(os.environ)
    if url is not None and url.password is not None:
        environ["PGPASSWORD"] = str(url.password)
    result = subprocess.run(
        command, stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE, env=environ, check=False
    )
    if result.returncode != 0:
        detail = result.stderr.decode(errors="replace").strip() or f"exit status {result.returncode}"
        raise BackupError(f"{Path(command[0]).name} failed: {detail}")
    return result.stdout.decode(errors="replace") if stdout is None else ""
