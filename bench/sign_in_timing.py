"""Does a failed sign-in take as long for an unknown email as for a wrong password? (It must: a
difference would tell an attacker which staff emails exist.)

    .venv/bin/python bench/sign_in_timing.py [--tries 15]

Builds the app on a fresh SQLite file with its own scrypt hashing, and times failed sign-ins through
the app (each from its own address, so no pause interferes). Prints the median of each.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade

from clinic_app import create_app
from clinic_app.settings import Settings
from tests.helpers import create_account, page_csrf_token


def median_ms(app, email: str, password: str, tries: int) -> float:
    times = []
    for number in range(tries):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.{number}.1"
        token = page_csrf_token(client, "/staff/sign-in")
        started = time.perf_counter()
        response = client.post(
            "/staff/sign-in", data={"email": email, "password": password, "csrf_token": token}
        )
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 400
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tries", type=int, default=15)
    tries = parser.parse_args().tries
    instance = Path(tempfile.mkdtemp(prefix="sign-in-timing-"))
    environ = {"SECRET_KEY": "bench-" * 8, "OUTBOX_WORKER": "off", "RATELIMIT_ENABLED": "false"}
    app = create_app(Settings.from_environ(environ, instance), {"TESTING": True})
    with app.app_context():
        upgrade()
    create_account(app, "desk@clinic.example")
    print(f"unknown email:  {median_ms(app, 'nobody@clinic.example', 'whatever it is', tries):.1f} ms median")
    print(f"wrong password: {median_ms(app, 'desk@clinic.example', 'not the password', tries):.1f} ms median")


if __name__ == "__main__":
    main()
