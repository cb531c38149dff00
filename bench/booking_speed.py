"""Booking the free consultation under load (issue 16): `/slots.json` and booking submits, each beside the
plain request submit measured in the same run.

Two servers run side by side, each under gunicorn with deploy/gunicorn.conf.py (2 processes of 4 threads,
as the rest of `make bench`), on its own fresh database of the same engine:

- "plain": no provider has hours, so the form is the request-and-call-back form as before issue 16;
- "booking": 3 providers (`flask availability set --days mon-sun --hours 08:00-18:00`), with some
  bookings made over HTTP before anything is timed, so the busy-time lookups have rows to read.

Each round measures, one after the other, from this process on loopback with 32 clients:

- plain submits: each client GETs the form (a fresh token) and posts a request; 303s per second;
- "call me" submits on the booking server: the same, with the picker's last choice, so no booking is
  written but the open times are still read for the page and the post (where the rest of the cost is);
- booking submits: each client GETs the form and posts the consultation with a time no other client is
  posting; 303s per second, and how many were refused ("That time was just taken") or failed;
- `GET /slots.json` (the default 7 days), each client on one kept-open connection: requests per second.

Times are handed out from the open times `/slots.json` lists over the whole horizon, shuffled across
days. Each time is handed out once per provider free then, the next copy only 64 hand-outs later, when
the earlier post has long been answered: so the server books it with the next provider, and bookings
spread over the 3 providers (on PostgreSQL each provider's bookings queue on a lock) without two
clients ever posting the same time at once. A time within 3 hours of now is never handed out (the
shortest notice is 2 hours). Afterwards the bookings in the database are counted: they must equal the
303s, so a request stored without its booking (a bot-like fast fill, say) cannot pass as a booking.

    .venv/bin/python bench/booking_speed.py                          # SQLite, 1 round of 5 s each
    .venv/bin/python bench/booking_speed.py --engine postgresql      # in the database clinic_bench
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.form_page import hammer  # noqa: E402
from bench.seeding import bench_database_url, ensure_bench_database, postgres_schema_url  # noqa: E402
from bench.serving import Server, app_environment, migrate, serve  # noqa: E402
from clinic_app.settings import database_url  # noqa: E402

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
CLIENTS = 32
PROVIDERS = 3
DAYS, HOURS = "mon-sun", "08:00-18:00"
BOOKED_BEFORE = 32  # bookings made before anything is timed
# A time goes out again (to the next provider free then) only this many hand-outs later.
SPACING = 64
TAKEN = "That time was just taken"
CALL_ME = "call"  # the picker's last choice: "None of these times work, call me"
TOKEN = re.compile(r'name="form_token" type="hidden" value="([^"]+)"')


def flask(env: dict[str, str], *arguments: str) -> str:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *arguments], cwd=ROOT, env=env,
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode:
        raise RuntimeError(f"flask {' '.join(arguments)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def fresh_database(engine: str, name: str, cache: Path, postgres_url: str) -> str:
    """An empty database for this benchmark alone, migrated: a SQLite file in the cache, or a schema of
    clinic_bench."""
    if engine == "sqlite":
        path = cache / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        ensure_bench_database(postgres_url)
        server = sa.create_engine(bench_database_url(postgres_url))
        with server.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
            connection.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        server.dispose()
        url = postgres_schema_url(postgres_url, name)
    migrate(app_environment(url, cache))
    return url


def environment(url: str, cache: Path) -> dict[str, str]:
    # MIN_FILL_SECONDS=0: a form sent within 3 s of being shown is taken for a bot's, kept without its
    # booking; these clients send at once.
    return app_environment(url, cache, MIN_FILL_SECONDS="0")


def add_providers(env: dict[str, str]) -> None:
    """The providers, set up the way an owner scripts it."""
    for number in range(1, PROVIDERS + 1):
        email = f"provider{number}@clinic.example"
        flask(env, "staff", "add", email, "--name", f"Provider {number}", "--link")
        flask(env, "availability", "set", "--staff", email, "--days", DAYS, "--hours", HOURS)


def answers() -> dict[str, Any]:
    from tests.helpers import valid_answers  # the test suite's complete, valid request

    return valid_answers()


class Times:
    """Open times handed out to the clients, never the same time to two clients at once."""

    def __init__(self, base: str, seed: int = 16) -> None:
        self.slots = open_times(base)
        soon = datetime.now().astimezone() + timedelta(hours=3)
        later = [slot for slot in self.slots if datetime.fromisoformat(slot) > soon]
        random.Random(seed).shuffle(later)
        # Blocks of SPACING times, each block handed out once per provider before the next block.
        self.queue = [
            slot
            for start in range(0, len(later), SPACING)
            for _ in range(PROVIDERS)
            for slot in later[start : start + SPACING]
        ]
        self.lock = threading.Lock()

    def take(self) -> str | None:
        with self.lock:
            return self.queue.pop(0) if self.queue else None


def open_times(base: str) -> list[str]:
    """Every open time to the horizon, from /slots.json (days=1 more than the horizon is its limit)."""
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(base).netloc, timeout=30)
    try:
        # Asked for more days than it serves, it answers 400 with the range: "days=1 to N".
        connection.request("GET", "/slots.json?days=10000")
        found = re.search(rb"days=1 to (\d+)", connection.getresponse().read())
        if not found:
            raise RuntimeError("/slots.json did not say how many days it serves")
        connection.request("GET", f"/slots.json?days={int(found.group(1))}")
        slots = json.loads(connection.getresponse().read())["slots"]
    finally:
        connection.close()
    if not slots:
        raise RuntimeError("/slots.json lists no open times")
    return slots


def submits(base: str, seconds: float, clients: int, slot: Callable[[], str | None] | None) -> dict[str, Any]:
    """``clients`` clients, each on its own kept-open connection, GET the form and post it, for
    ``seconds``; with ``slot``, each post names the time it hands out. Answers counted by kind."""
    netloc = urllib.parse.urlsplit(base).netloc
    form = answers()
    start = threading.Barrier(clients + 1)
    stop_at = float("inf")
    kinds: list[Counter[str]] = [Counter() for _ in range(clients)]
    problems: list[str] = []

    def client(mine: Counter[str]) -> None:
        connection = http.client.HTTPConnection(netloc, timeout=60)
        connection.request("GET", "/request")  # connect before the clock starts
        connection.getresponse().read()
        start.wait()
        while time.perf_counter() < stop_at:
            try:
                connection.request("GET", "/request")
                page = connection.getresponse().read().decode()
                picked = slot() if slot else ""
                if picked is None:
                    mine["no time left to hand out"] += 1
                    break
                fields = {**form, "form_token": TOKEN.search(page).group(1)}  # type: ignore[union-attr]
                if slot:
                    fields["slot"] = picked
                body = urllib.parse.urlencode(fields, doseq=True)
                connection.request("POST", "/request", body=body,
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
                response = connection.getresponse()
                text = response.read().decode()
                location = response.getheader("Location", "")
                if response.status == 303 and "/request/" in location:
                    mine["sent"] += 1
                elif response.status == 400 and TAKEN in text:
                    mine["refused"] += 1
                else:
                    mine[f"answered {response.status}"] += 1
                    if len(problems) < 3:
                        problems.append(f"{response.status} {location} {text[:200]!r}")
            except (OSError, http.client.HTTPException, AttributeError) as error:
                mine["failed"] += 1
                if len(problems) < 3:
                    problems.append(repr(error))
                connection.close()
                connection = http.client.HTTPConnection(netloc, timeout=60)
        connection.close()

    pool = [threading.Thread(target=client, args=(mine,)) for mine in kinds]
    for thread in pool:
        thread.start()
    start.wait()
    began = time.perf_counter()
    stop_at = began + seconds
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - began
    total = sum(kinds, Counter())
    return {"per_second": total["sent"] / elapsed, "counts": dict(total), "problems": problems}


def stored(url: str) -> dict[str, int]:
    engine = sa.create_engine(database_url(url))
    with engine.connect() as connection:
        found = {
            "requests": connection.scalar(sa.text("SELECT count(*) FROM consultation_request")),
            "bookings": connection.scalar(sa.text("SELECT count(*) FROM booking")),
            "providers": connection.scalar(sa.text("SELECT count(DISTINCT provider_id) FROM booking")),
        }
    engine.dispose()
    return found


@contextmanager
def two_servers(engine: str, cache: Path, postgres_url: str) -> Iterator[tuple[Server, Server, str, str]]:
    plain_url = fresh_database(engine, "booking_plain", cache, postgres_url)
    booking_url = fresh_database(engine, "booking_open", cache, postgres_url)
    add_providers(environment(booking_url, cache))
    logs = cache / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with (
        serve(environment(plain_url, cache), workers=2, threads=4, production_config=True,
              log=logs / f"booking-plain-{engine}.log") as plain,
        serve(environment(booking_url, cache), workers=2, threads=4, production_config=True,
              log=logs / f"booking-open-{engine}.log") as booking,
    ):  # fmt: skip
        yield plain, booking, plain_url, booking_url


def measure_booking(
    engine: str = "sqlite",
    cache: Path = ROOT / ".bench-cache",
    postgres_url: str = DEFAULT_POSTGRES,
    rounds: int = 1,
    seconds: float = 5.0,
    clients: int = CLIENTS,
    report: Callable[[str], object] | None = None,
) -> dict[str, Any]:
    """Both servers, ``rounds`` rounds of plain submits, booking submits and /slots.json; medians."""
    cache = cache.resolve()
    with two_servers(engine, cache, postgres_url) as (plain, booking, plain_url, booking_url):
        times = Times(booking.base)
        offered = len(times.queue)
        # Some bookings before the clock starts (and both servers warmed up).
        made = 0
        while made < BOOKED_BEFORE:
            made += submits(booking.base, 0.5, clients, times.take)["counts"].get("sent", 0)
        submits(plain.base, 0.5, clients, None)
        before = stored(booking_url)
        plain_rounds, call_rounds, booking_rounds, slots_rounds = [], [], [], []
        for number in range(1, rounds + 1):
            plain_rounds.append(submits(plain.base, seconds, clients, None))
            call_rounds.append(submits(booking.base, seconds, clients, lambda: CALL_ME))
            booking_rounds.append(submits(booking.base, seconds, clients, times.take))
            slots_rounds.append(hammer(f"{booking.base}/slots.json", seconds, clients))
            if report:
                report(
                    f"{engine} round {number}: plain {plain_rounds[-1]['per_second']:.1f} submits/s"
                    f" {plain_rounds[-1]['counts']}, call me {call_rounds[-1]['per_second']:.1f} submits/s,"
                    f" booking {booking_rounds[-1]['per_second']:.1f}"
                    f" submits/s {booking_rounds[-1]['counts']}, /slots.json {slots_rounds[-1]['rps']:.0f}"
                    " requests/s"
                )
        after = stored(booking_url)
        slots_size = len(urllib_get(f"{booking.base}/slots.json"))
    counts = sum((Counter(r["counts"]) for r in booking_rounds), Counter())
    plain_counts = sum((Counter(r["counts"]) for r in plain_rounds), Counter())
    return {
        "engine": engine,
        "clients": clients,
        "rounds": rounds,
        "seconds": seconds,
        "plain_per_second": statistics.median(r["per_second"] for r in plain_rounds),
        "call_me_per_second": statistics.median(r["per_second"] for r in call_rounds),
        "booking_per_second": statistics.median(r["per_second"] for r in booking_rounds),
        "slots_rps": statistics.median(r["rps"] for r in slots_rounds),
        "slots_p50_ms": statistics.median(r["p50_ms"] for r in slots_rounds),
        "slots_bytes": slots_size,
        "booked": counts.get("sent", 0),
        "refused": counts.get("refused", 0),
        "errors": sum(v for k, v in counts.items() if k not in ("sent", "refused")),
        "plain_sent": plain_counts.get("sent", 0),
        "plain_errors": sum(v for k, v in plain_counts.items() if k != "sent"),
        "call_me_errors": sum(v for r in call_rounds for k, v in r["counts"].items() if k != "sent"),
        "problems": [p for r in booking_rounds + plain_rounds + call_rounds for p in r["problems"]][:3],
        "booked_before": before["bookings"],
        "bookings_stored": after["bookings"] - before["bookings"],
        "providers_booked": after["providers"],
        "times_offered": offered,
    }


def urllib_get(url: str) -> bytes:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=30)
    try:
        connection.request("GET", parts.path)
        return connection.getresponse().read()
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=CLIENTS)
    args = parser.parse_args()
    result = measure_booking(args.engine, ROOT / ".bench-cache", args.postgres_url, args.rounds, args.seconds,
                             args.clients, report=print)  # fmt: skip
    print(json.dumps({k: v for k, v in result.items()}, indent=2))


if __name__ == "__main__":
    main()
