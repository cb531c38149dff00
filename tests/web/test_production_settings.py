"""deploy/clinic.env.example and deploy/clinic-flask: the example settings read as meant, and start the
app the way the systemd units and an operator's commands do."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from clinic_app.settings import Settings, SettingsError, still_samples

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = PROJECT_ROOT / "deploy" / "clinic.env.example"


def read_as_the_shell_does(path: Path) -> dict[str, str]:
    """The variables a settings file sets, read with `set -a; . FILE` as deploy/clinic-flask reads it."""
    listing = subprocess.run(
        ["sh", "-c", 'set -a; . "$1"; exec env -0', "sh", str(path)],
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        check=True,
    ).stdout.decode()
    return dict(entry.split("=", 1) for entry in listing.split("\0") if "=" in entry)


def test_the_example_settings_are_what_production_needs(tmp_path):
    values = read_as_the_shell_does(EXAMPLE)
    # Unedited, the example does not start: its key is a placeholder.
    with pytest.raises(SettingsError, match="SECRET_KEY must be at least 32 random characters"):
        Settings.from_environ(values, tmp_path / "instance")
    values["SECRET_KEY"] = "0123456789abcdef" * 4  # as an operator fills it in
    settings = Settings.from_environ(values, tmp_path / "instance")
    # ... and flask check names every placeholder still in it.
    flagged = " ".join(still_samples(settings))
    for variable in ("CLINIC_NAME", "PUBLIC_BASE_URL", "MAIL_SERVER", "MAIL_FROM", "STAFF_EMAILS"):
        assert f"{variable} is still the sample value" in flagged

    assert settings.public_base_url == "https://requests.yourclinic.com"
    assert settings.session_cookie_secure
    assert settings.proxy_count == 1
    assert settings.outbox_worker == "off"
    assert settings.ratelimit_storage_uri == "redis://127.0.0.1:6379/0"
    assert settings.database_url.startswith("postgresql+psycopg://clinic:")
    assert settings.mail_use_tls and settings.mail_port == 587
    # Quoted values arrive whole, without their quotes.
    assert settings.mail_from == "Clinic requests <requests@yourclinic.com>"
    assert settings.clinic_name == "Your Clinic Name"
    assert settings.clinic_response_time == {"en": "one business day", "es": "un día hábil"}
    assert values["GUNICORN_BIND"] == "127.0.0.1:8000"
    # No key generated into the instance folder: production sets its own.
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_clinic_flask_runs_a_command_with_the_settings_file(test_database, tmp_path):
    settings_file = tmp_path / "clinic.env"
    # The example as an operator fills it in; here, the test's database (a later line wins).
    settings_file.write_text(
        EXAMPLE.read_text() + f"\nDATABASE_URL='{test_database}'\nSECRET_KEY={'0123456789abcdef' * 4}\n"
    )
    backup = tmp_path / "clinic.backup"

    result = subprocess.run(
        [str(PROJECT_ROOT / "deploy" / "clinic-flask"), "backup", "create", str(backup)],
        env={"PATH": os.environ["PATH"], "CLINIC_ENV": str(settings_file)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert f"Backed up the database to {backup}." in result.stdout
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
