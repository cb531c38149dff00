"""A PostgreSQL server of the test's own, really stopped and started again while visitors send requests."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from clinic_app.extensions import db
from clinic_app.models import ConsultationRequest
from tests.conftest import free_port, migrate_to
from tests.helpers import submit, valid_answers, visible_text

SERVER_BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


class PrivateServer:
    """initdb, pg_ctl start and pg_ctl stop on a data folder in the test's temporary folder."""

    def __init__(self, folder: Path) -> None:
        self.bin = Path(SERVER_BINARIES[-1])
        self.data = folder / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres?connect_timeout=3"
        shutil.chown(folder, "postgres", "postgres")
        self._as_postgres("initdb", "--auth=trust", "--username=postgres", "--no-sync", "-D", str(self.data))

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(
            "pg_ctl", "-D", str(self.data), "-o", options, "-w", "-l", str(self.data / "log"), "start"
        )

    def stop(self) -> None:
        # As a crash or a restart would: connections are cut at once.
        self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def _as_postgres(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{program}: {done.stdout}{done.stderr}"


@pytest.fixture
def private_server():
    if not SERVER_BINARIES or (os.geteuid() == 0 and shutil.which("runuser") is None):
        pytest.skip("needs PostgreSQL's server programs (apt-get install postgresql)")
    # Not under pytest's temporary folder: the postgres user must be able to reach it.
    folder = Path(tempfile.mkdtemp(prefix="clinic-outage-"))
    try:
        server = PrivateServer(folder)
        server.start()
        yield server
        if (server.data / "postmaster.pid").exists():
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def stored_names(app) -> list[str]:
    with app.app_context():
        names = list(
            db.session.scalars(sa.select(ConsultationRequest.full_name).order_by(ConsultationRequest.id))
        )
        db.session.remove()
        return names


def test_requests_sent_while_postgresql_is_stopped_come_back_whole_and_go_through_once_it_is_up(
    make_app, private_server, tmp_path
):
    migrate_to(private_server.url, tmp_path / "migrate")
    app = make_app(DATABASE_URL=private_server.url, PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    assert submit(client, full_name="Before The Outage").status_code == 303

    private_server.stop()
    answers = valid_answers(full_name="During The Outage", message="Sent while the server was down.")
    refused = submit(client, answers)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 503
    assert "We could not save this just now. Your answers are still here" in visible_text(page)
    assert 'value="During The Outage"' in page and "Sent while the server was down." in page

    private_server.start()
    # The visitor presses Send again on the page they got back, with its fresh token.
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/request", data={**answers, "form_token": token}).status_code == 303
    assert stored_names(app) == ["Before The Outage", "During The Outage"]


def test_after_a_purge_no_table_file_of_postgresql_holds_the_request(make_app, private_server, tmp_path):
    from datetime import timedelta

    from clinic_app.choices import CloseReason, RequestStatus
    from clinic_app.models import utcnow

    migrate_to(private_server.url, tmp_path / "migrate")
    app = make_app(DATABASE_URL=private_server.url)
    client = app.test_client()
    for number in range(30):  # enough rows for the planner's statistics to sample names
        submit(client, full_name=f"Kept Patient {number:02}")
    submit(client, full_name="Purgeable Pennyworth", email="pennyworth@example.com")
    with app.app_context():
        found = db.session.scalars(
            sa.select(ConsultationRequest).where(ConsultationRequest.full_name == "Purgeable Pennyworth")
        ).one()
        found.status, found.close_reason = RequestStatus.CLOSED, CloseReason.BOOKED
        found.closed_at = utcnow() - timedelta(days=400)
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        assert "Pennyworth" in statistics_text(), "the statistics sampled the name: the test can see it"
        database_folder = db.session.scalar(
            sa.text("SELECT oid FROM pg_database WHERE datname = current_database()")
        )
        db.session.remove()

    assert "Removed 1 requests" in app.test_cli_runner().invoke(args=["requests", "purge"]).output
    with app.app_context():
        db.session.execute(sa.text("CHECKPOINT"))  # every page written to the table files
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    table_files = (private_server.data / "base" / str(database_folder)).iterdir()
    stored = b"".join(path.read_bytes() for path in table_files if path.is_file())
    assert b"Pennyworth" not in stored and b"pennyworth@example.com" not in stored
    with app.app_context():
        assert "Pennyworth" not in statistics_text()
        assert len(stored_names(app)) == 30


def statistics_text() -> str:
    """What the planner's statistics hold of the request tables' values."""
    rows = db.session.execute(
        sa.text(
            "SELECT coalesce(most_common_vals::text, '') || coalesce(histogram_bounds::text, '')"
            " FROM pg_stats WHERE tablename IN ('consultation_request', 'outbox_email')"
        )
    )
    return " ".join(row[0] for row in rows)
